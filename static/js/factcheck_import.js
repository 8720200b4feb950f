// The fact-check import form with an upload progress bar: posts the same form with
// XMLHttpRequest (fetch has no upload progress) and shows the server's result fragment.
// Without JavaScript the form posts normally.
(function () {
  "use strict";
  const form = document.getElementById("factcheck-import");
  if (!form) return;
  const bar = document.getElementById("factcheck-progress");
  const status = document.getElementById("factcheck-status");
  const result = document.getElementById("factcheck-result");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    const request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    request.upload.addEventListener("load", function () {
      bar.removeAttribute("value"); // indeterminate while the server imports
      status.textContent = "Uploaded; importing and indexing…";
    });
    request.addEventListener("loadend", function () {
      button.disabled = false;
      bar.hidden = true;
      if (request.status) {
        status.textContent = "";
        result.innerHTML = request.responseText; // the server's escaped fragment
        // A large file's progress fragment polls the server (htmx) until the import ends.
        if (window.htmx) window.htmx.process(result);
      } else {
        status.textContent = "The upload failed (network). Try again.";
      }
    });
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = "Uploading…";
    request.send(new FormData(form));
  });
})();
