// Resumable dataset uploads with tus-js-client (static/vendor/tus): chunks, a progress bar,
// pause and resume, automatic retries from the last byte the portal stored. Without
// JavaScript (or without tus support) the form posts the file in one request as before.
(() => {
  "use strict";

  const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000];

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function say(form, text) {
    const status = form.querySelector("#upload-status");
    status.textContent = text;
    status.hidden = !text;
  }

  function showRefusal(form, message) {
    const result = document.getElementById("upload-result");
    const paragraph = document.createElement("p");
    paragraph.className = "flash flash-error";
    paragraph.textContent = `${form.dataset.refused} ${message}`;
    result.replaceChildren(paragraph);
    result.setAttribute("role", "alert");
  }

  function refusalText(form, error) {
    const response = error && error.originalResponse;
    if (!response) {
      return form.dataset.failed;
    }
    if (response.getStatus() === 413 && !response.getBody()) {
      return form.dataset.tooLarge;
    }
    return response.getBody() || form.dataset.failed;
  }

  function controls(form) {
    return {
      submit: form.querySelector('button[type="submit"]'),
      pause: form.querySelector("[data-upload-pause]"),
      resume: form.querySelector("[data-upload-resume]"),
      bar: form.querySelector("progress"),
      input: form.querySelector('input[type="file"]'),
    };
  }

  function setBusy(parts, busy, paused) {
    parts.submit.disabled = busy;
    parts.input.disabled = busy;
    parts.pause.hidden = !busy || paused;
    parts.resume.hidden = !busy || !paused;
  }

  function start(form, file) {
    const parts = controls(form);
    const result = document.getElementById("upload-result");
    result.replaceChildren();
    result.setAttribute("role", "status");
    if (file.size > Number(form.dataset.maxBytes)) {
      showRefusal(form, form.dataset.tooLarge);
      return;
    }
    const upload = new window.tus.Upload(file, {
      endpoint: form.dataset.tusEndpoint,
      chunkSize: Number(form.dataset.tusChunkBytes),
      retryDelays: RETRY_DELAYS_MS,
      metadata: { filename: file.name },
      headers: { "X-CSRFToken": csrfToken() },
      removeFingerprintOnSuccess: true,
      onShouldRetry(error, _attempt, options) {
        const status = error.originalResponse ? error.originalResponse.getStatus() : 0;
        // Network errors, 409 (offset moved on) and 5xx are worth another try; refusals are not.
        const again = status === 0 || status === 409 || status === 423 || status >= 500;
        if (again && options.retryDelays) {
          say(form, form.dataset.retrying);
        }
        return again;
      },
      onProgress(sent, total) {
        const percent = total ? Math.floor((sent / total) * 100) : 0;
        parts.bar.hidden = false;
        parts.bar.value = percent;
        parts.bar.textContent = `${percent} %`;
        say(form, sent === total ? form.dataset.ingesting : form.dataset.sending);
      },
      onError(error) {
        setBusy(parts, false, false);
        parts.bar.hidden = true;
        say(form, "");
        showRefusal(form, refusalText(form, error));
      },
      onSuccess() {
        setBusy(parts, false, false);
        say(form, "");
        parts.input.value = "";
        window.htmx.ajax("GET", `${upload.url}/result`, {
          target: "#upload-result",
          swap: "outerHTML",
        });
      },
    });

    parts.pause.onclick = () => {
      upload.abort(); // keeps the upload on the server; Resume asks it for the offset
      setBusy(parts, true, true);
      say(form, form.dataset.paused);
    };
    parts.resume.onclick = () => {
      setBusy(parts, true, false);
      say(form, form.dataset.sending);
      upload.start();
    };

    setBusy(parts, true, false);
    say(form, form.dataset.sending);
    upload.findPreviousUploads().then((previous) => {
      if (previous.length) {
        upload.resumeFromPreviousUpload(previous[0]); // the same file, begun before a reload
      }
      upload.start();
    });
  }

  function onSubmit(event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.tusEndpoint) {
      return;
    }
    const input = form.querySelector('input[type="file"]');
    if (!window.tus || !window.tus.isSupported || !input.files.length) {
      return; // the plain (htmx or full-page) form upload handles it
    }
    // Captured on the document, so neither htmx nor the browser sends the form itself.
    event.preventDefault();
    event.stopPropagation();
    start(form, input.files[0]);
  }

  document.addEventListener("submit", onSubmit, true);
})();
