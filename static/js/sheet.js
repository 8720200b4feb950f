/*
 * The reading page on a phone (issue 16, item 10). Below 960 px the margin sits under the
 * article, so the claim form (#selection-panel), the claim's details (#claim-panel) and a
 * suggestion tapped in the text open as a sheet fixed to the bottom of the screen
 * (static/css/app.css, "Bottom sheets"). This script only:
 *   - shows the selection menu after a touch selection (a finger lifted sends no mouseup);
 *   - opens the tapped suggestion as a sheet, with a Close button (Esc closes it too);
 *   - scrolls the selected text, the suggestion or the claim's highlight into the space
 *     above an opening sheet, so the text stays in view while the form is filled in.
 * It reads the page's DOM and listens to its events; selection.js and workspace.js keep
 * their own state.
 */
(function () {
  "use strict";

  var body = document.getElementById("article-body");
  if (!body || !window.matchMedia) {
    return;
  }
  var narrow = window.matchMedia("(max-width: 960px)");
  var selectionPanel = document.getElementById("selection-panel");
  var claimPanel = document.getElementById("claim-panel");
  var suggestionSheet = null; // the li shown as a sheet
  var mouseDown = false;
  var touchTimer = null;
  // The last selection made in the article: opening the claim form moves the focus (and
  // with it the document's selection) into the statement field.
  var lastRange = null;

  function selectionInArticle() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
      return null;
    }
    var range = selection.getRangeAt(0);
    return range.intersectsNode(body) ? range : null;
  }

  // --- A touch selection shows the menu ---------------------------------------------------

  document.addEventListener("mousedown", function () {
    mouseDown = true;
  });
  document.addEventListener("mouseup", function () {
    mouseDown = false;
  });
  document.addEventListener("selectionchange", function () {
    var range = selectionInArticle();
    if (range) {
      lastRange = range.cloneRange();
    }
    window.clearTimeout(touchTimer);
    if (mouseDown) {
      return; // a mouse drag: selection.js answers its mouseup
    }
    touchTimer = window.setTimeout(function () {
      var api = window.claimtrackSelection;
      if (!mouseDown && api && api.refreshSelection && selectionInArticle()) {
        api.refreshSelection();
      }
    }, 250);
  });

  // --- Keep the text in view above a sheet ------------------------------------------------

  function sheetTop() {
    var top = window.innerHeight;
    [selectionPanel, claimPanel, suggestionSheet].forEach(function (sheet) {
      if (sheet && !sheet.hidden && sheet.isConnected) {
        top = Math.min(top, sheet.getBoundingClientRect().top);
      }
    });
    return top;
  }

  // The rectangle of what the open sheet is about: the selection (claim form), the
  // focused claim's highlight (claim panel) or the suggestion's sentence; null when no
  // sheet is open.
  function subjectRect() {
    var piece = null;
    if (selectionPanel && !selectionPanel.hidden) {
      var range = selectionInArticle();
      if (!range && lastRange && body.contains(lastRange.startContainer)) {
        range = lastRange;
      }
      return range ? range.getBoundingClientRect() : null;
    }
    if (claimPanel && !claimPanel.hidden) {
      piece = body.querySelector("mark.hl.is-focused");
    } else if (suggestionSheet) {
      piece = body.querySelector(".is-current[data-suggestion]");
    }
    return piece ? piece.getBoundingClientRect() : null;
  }

  function keepSubjectInView() {
    if (!narrow.matches) {
      return;
    }
    var rect = subjectRect();
    if (!rect || (!rect.width && !rect.height)) {
      return;
    }
    var room = sheetTop();
    var margin = 12;
    if (rect.top >= margin && rect.bottom <= room - margin) {
      return;
    }
    // Centre it in the space above the sheet, or show its start when it is taller.
    var target = rect.height < room - 2 * margin ? (room - rect.height) / 2 : margin;
    window.scrollBy(0, rect.top - target);
  }

  // A sheet opens (or grows, as the claim's details or the names to pick from arrive).
  var sizes = window.ResizeObserver
    ? new window.ResizeObserver(function () {
        window.requestAnimationFrame(keepSubjectInView);
      })
    : null;

  function watch(panel) {
    if (panel && sizes) {
      sizes.observe(panel);
    }
  }
  watch(selectionPanel);
  watch(claimPanel);

  // --- A tapped suggestion opens as a sheet -----------------------------------------------

  function closeSuggestionSheet() {
    if (!suggestionSheet) {
      return;
    }
    var sheet = suggestionSheet;
    suggestionSheet = null;
    sheet.classList.remove("is-sheet");
    if (sizes) {
      sizes.unobserve(sheet);
    }
    var button = sheet.querySelector(".sheet-close");
    if (button) {
      if (button === document.activeElement) {
        button.blur();
      }
      button.remove();
    }
  }

  function openSuggestionSheet(item) {
    if (suggestionSheet === item) {
      return;
    }
    closeSuggestionSheet();
    suggestionSheet = item;
    item.classList.add("is-sheet");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button sheet-close";
    button.textContent = "Close";
    button.setAttribute("aria-label", "Close the suggestion");
    item.insertBefore(button, item.firstChild);
    watch(item);
  }

  function currentItem() {
    return document.querySelector("#suggestions li.suggestion.is-current");
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) {
      return;
    }
    if (target.closest(".sheet-close")) {
      closeSuggestionSheet();
      return;
    }
    if (!narrow.matches || !target.closest("#article-body span[data-suggestion]")) {
      return;
    }
    // workspace.js marks the tapped suggestion current in its own click handler.
    window.setTimeout(function () {
      var item = currentItem();
      if (item && !selectionInArticle()) {
        openSuggestionSheet(item);
      }
    }, 0);
  });

  // Accepting or dismissing replaces the list: the sheet moves on to the suggestion
  // workspace.js makes current next, or closes when there is none.
  document.addEventListener("htmx:afterSettle", function () {
    if (!suggestionSheet || suggestionSheet.isConnected) {
      return;
    }
    suggestionSheet = null;
    window.setTimeout(function () {
      var item = currentItem();
      if (item && narrow.matches) {
        openSuggestionSheet(item);
      }
    }, 0);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeSuggestionSheet();
    }
  });
})();
