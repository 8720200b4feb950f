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

  // Enter in the article search looks for articles; it must not submit the evidence.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.name === "article_q") {
      event.preventDefault();
    }
  });
})();
