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
