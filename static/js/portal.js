// Progressive enhancement only: every page works without this file.
"use strict";

// htmx requests carry the CSRF token as a header (Flask-WTF reads X-CSRFToken).
document.addEventListener("htmx:configRequest", (event) => {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});

// Forms marked data-confirm ask before submitting (destructive actions).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

// Forms marked data-slug-from="title" fill the short name (slug) from that field while the slug
// is empty or still the one filled in; once typed by hand (or on an edit page) it is left alone.
function slugify(text, limit) {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, limit)
    .replace(/-+$/, "");
}

document.addEventListener("input", (event) => {
  const form = event.target.form;
  if (!form || !form.dataset.slugFrom || !form.elements.slug) {
    return;
  }
  const slug = form.elements.slug;
  if (event.target === slug) {
    slug.dataset.typed = slug.value ? "yes" : "";
    return;
  }
  if (event.target.name !== form.dataset.slugFrom || slug.type === "hidden" || slug.dataset.typed) {
    return;
  }
  if (slug.defaultValue && slug.dataset.filled === undefined) {
    return; // an existing record's slug is never rewritten from its title
  }
  slug.value = slugify(event.target.value, Number(slug.dataset.limit) || 80);
  slug.dataset.filled = "yes";
});

// On phones the catalog filters start folded behind their button. The class lives on the form,
// which htmx never replaces, so a swap of the results keeps the visitor's choice.
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".filters-toggle");
  const form = toggle ? toggle.form : null;
  if (!form) {
    return;
  }
  const setOpen = (open) => {
    form.classList.toggle("filters-collapsed", !open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  form.classList.add("has-filters-toggle");
  setOpen(!window.matchMedia("(max-width: 700px)").matches);
  toggle.addEventListener("click", () => setOpen(form.classList.contains("filters-collapsed")));
});

// Text size (three steps) and high contrast, remembered on this device in localStorage (no
// cookie, so public pages stay cacheable and identical for everyone).
(() => {
  const root = document.documentElement;
  const read = (key) => {
    try {
      return window.localStorage.getItem(key);
    } catch (error) {
      return null; // storage switched off: the controls still work for this page
    }
  };
  const write = (key, value) => {
    try {
      window.localStorage.setItem(key, value);
    } catch (error) {
      // nothing to do: the choice lasts for this page only
    }
  };
  const applySize = (step) => {
    const size = Math.max(-1, Math.min(2, Number(step) || 0));
    root.dataset.textSize = String(size);
    return size;
  };
  const applyContrast = (high) => {
    root.dataset.contrast = high ? "high" : "normal";
    document.querySelectorAll("[data-contrast-toggle]").forEach((button) => {
      button.setAttribute("aria-pressed", String(high));
    });
  };
  applySize(read("portal.textSize"));
  applyContrast(read("portal.contrast") === "high");
  document.addEventListener("DOMContentLoaded", () => {
    applyContrast(read("portal.contrast") === "high");
    document.querySelectorAll(".display-controls").forEach((controls) => {
      controls.hidden = false;
    });
  });
  document.addEventListener("click", (event) => {
    const sizeButton = event.target.closest("[data-text-size]");
    if (sizeButton && sizeButton.tagName === "BUTTON") {
      const wanted = Number(sizeButton.dataset.textSize);
      const current = Number(root.dataset.textSize) || 0;
      const next = wanted === 0 ? 0 : current + wanted;
      write("portal.textSize", String(applySize(next)));
      return;
    }
    if (event.target.closest("[data-contrast-toggle]")) {
      const high = root.dataset.contrast !== "high";
      applyContrast(high);
      write("portal.contrast", high ? "high" : "normal");
    }
  });
})();
