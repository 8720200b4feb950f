/*
 * The claim page's evidence form: pick a Claimtrack article from the search results as
 * the source. Event delegation, so it keeps working after htmx swaps the claim body.
 * Titles are shown with textContent, never as HTML.
 */
(function () {
  "use strict";

  function form() {
    return document.getElementById("evidence-form");
  }

  document.addEventListener("click", function (event) {
    var pick = event.target.closest && event.target.closest("[data-pick-article]");
    var f = form();
    if (pick && f && f.contains(pick)) {
      f.elements.article.value = pick.getAttribute("data-pick-article");
      var chosen = document.getElementById("evidence-article-chosen");
      chosen.querySelector("[data-chosen-title]").textContent = pick.getAttribute("data-title");
      chosen.hidden = false;
      if (f.elements.kind) {
        f.elements.kind.value = "article";
      }
      document.getElementById("evidence-article-results").replaceChildren();
      f.elements.article_q.value = "";
      return;
    }
    var unpick = event.target.closest && event.target.closest("[data-action='unpick-article']");
    if (unpick && f && f.contains(unpick)) {
      f.elements.article.value = "";
      document.getElementById("evidence-article-chosen").hidden = true;
    }
  });

  // After a submit that failed, the error summary on top of the form is brought into view
  // and focused (screen readers read it); its links move focus to the field concerned.
  function showErrors(root) {
    var summary = (root || document).querySelector("#evidence-form .error-summary");
    if (summary) {
      summary.focus({ preventScroll: true });
      summary.scrollIntoView({ block: "start" });
    }
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.querySelector && elt.querySelector("#evidence-form .error-summary")) {
      showErrors(elt);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { showErrors(); });
  } else {
    showErrors();
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-error-target]");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("data-error-target"));
    if (field) {
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    }
  });

  // Enter in the article search looks for articles; it must not submit the evidence.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.name === "article_q") {
      event.preventDefault();
    }
  });
})();
