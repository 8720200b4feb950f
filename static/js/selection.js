/*
 * The reading page: turn a text selection into a span of the article and offer
 * "New claim" / "Attach to claim…"; clicking a highlight shows its claim in the margin.
 *
 * Offsets sent to the server are Unicode code points into the stored article text
 * (Python's str indexing). The DOM counts UTF-16 units, so every count here walks the
 * string by code point. Each run of text in #article-body sits in an element whose
 * data-offset is its code-point start; a DOM point maps back to
 *   data-offset + (code points of the element's text before the point).
 * Nothing from the page is ever written as HTML: only textContent and input values.
 */
(function () {
  "use strict";

  var body = document.getElementById("article-body");
  if (!body) {
    return;
  }

  // Code points in a string (a surrogate pair counts once, a lone surrogate counts once).
  function codePointLength(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        var d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
        }
      }
      n++;
    }
    return n;
  }

  function pieces() {
    return body.querySelectorAll("[data-offset]");
  }

  function pieceStart(el) {
    return parseInt(el.getAttribute("data-offset"), 10);
  }

  // Code-point offset of a boundary point (node, offset) that lies inside piece `el`.
  function offsetInPiece(el, node, offset) {
    var base = pieceStart(el);
    if (node.nodeType === Node.TEXT_NODE) {
      return base + codePointLength(node.data.slice(0, offset));
    }
    // An element boundary: count the text of the children before `offset`.
    var before = "";
    for (var i = 0; i < offset && i < node.childNodes.length; i++) {
      before += node.childNodes[i].textContent;
    }
    return base + codePointLength(before);
  }

  // The code-point span [start, end) of the article covered by a DOM range, or null.
  function rangeToSpan(range) {
    var first = null;
    var last = null;
    var all = pieces();
    for (var i = 0; i < all.length; i++) {
      if (range.intersectsNode(all[i])) {
        if (!first) {
          first = all[i];
        }
        last = all[i];
      }
    }
    if (!first) {
      return null;
    }
    var start = first.contains(range.startContainer)
      ? offsetInPiece(first, range.startContainer, range.startOffset)
      : pieceStart(first);
    var end = last.contains(range.endContainer)
      ? offsetInPiece(last, range.endContainer, range.endOffset)
      : pieceStart(last) + codePointLength(last.textContent);
    return { start: start, end: end };
  }

  var textNode = document.getElementById("article-text");
  var canTag = body.getAttribute("data-can-tag") === "true" && textNode;
  var codePoints = canTag ? Array.from(JSON.parse(textNode.textContent)) : [];

  // Drop white space at either end (people select the space after a sentence).
  function trimmed(span) {
    var start = Math.max(0, span.start);
    var end = Math.min(codePoints.length, span.end);
    while (start < end && /\s/.test(codePoints[start])) {
      start++;
    }
    while (end > start && /\s/.test(codePoints[end - 1])) {
      end--;
    }
    if (start >= end) {
      return null;
    }
    return { start: start, end: end, quote: codePoints.slice(start, end).join("") };
  }

  // --- Highlights and the margin ---------------------------------------------------------

  function focusClaim(claimId, scroll) {
    var cards = document.querySelectorAll(".claim-card.is-focused, mark.hl.is-focused");
    for (var i = 0; i < cards.length; i++) {
      cards[i].classList.remove("is-focused");
    }
    var card = document.getElementById("claim-card-" + claimId);
    if (card) {
      card.classList.add("is-focused");
      if (scroll) {
        card.scrollIntoView({ block: "nearest" });
      }
    }
    var marks = body.querySelectorAll("mark[data-claims]");
    for (var j = 0; j < marks.length; j++) {
      if (marks[j].getAttribute("data-claims").split(" ").indexOf(String(claimId)) !== -1) {
        marks[j].classList.add("is-focused");
      }
    }
  }

  body.addEventListener("click", function (event) {
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed) {
      return;
    }
    var mark = event.target.closest && event.target.closest("mark[data-claim]");
    if (mark) {
      focusClaim(mark.getAttribute("data-claim"), true);
    }
  });

  function focusFromHash() {
    var match = /^#appearance-(\d+)$/.exec(window.location.hash);
    if (!match) {
      return;
    }
    var anchor = document.getElementById("appearance-" + match[1]);
    var mark = anchor && anchor.nextElementSibling;
    if (mark && mark.hasAttribute("data-claim")) {
      focusClaim(mark.getAttribute("data-claim"), false);
    }
  }
  window.addEventListener("hashchange", focusFromHash);
  focusFromHash();

  if (!canTag) {
    return;
  }

  // --- Selecting text ------------------------------------------------------------------

  var menu = document.getElementById("selection-menu");
  var panel = document.getElementById("selection-panel");
  var quotePreview = document.getElementById("selection-quote");
  var createForm = document.getElementById("create-form");
  var attachForm = document.getElementById("attach-form");
  var search = document.getElementById("attach-q");
  var current = null;

  function hideMenu() {
    menu.hidden = true;
  }

  function showMenu(range) {
    var rects = range.getClientRects();
    var rect = rects.length ? rects[0] : range.getBoundingClientRect();
    menu.hidden = false;
    var top = rect.top + window.scrollY - menu.offsetHeight - 8;
    if (top < window.scrollY + 4) {
      var lastRect = rects.length ? rects[rects.length - 1] : rect;
      top = lastRect.bottom + window.scrollY + 8;
    }
    var left = Math.max(8, Math.min(rect.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - menu.offsetWidth - 8));
    menu.style.top = top + "px";
    menu.style.left = left + "px";
  }

  function checkSelection() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) {
      hideMenu();
      return;
    }
    var range = selection.getRangeAt(0);
    var span = rangeToSpan(range);
    current = span && trimmed(span);
    if (!current) {
      hideMenu();
      return;
    }
    showMenu(range);
  }

  function fill(form) {
    form.elements.start.value = String(current.start);
    form.elements.end.value = String(current.end);
    form.elements.quote.value = current.quote;
  }

  function showMode(mode) {
    panel.hidden = false;
    panel.setAttribute("data-mode", mode);
    var parts = panel.querySelectorAll("[data-show-for]");
    for (var i = 0; i < parts.length; i++) {
      parts[i].hidden = parts[i].getAttribute("data-show-for") !== mode;
    }
  }

  function loadAttachResults() {
    if (window.htmx && search) {
      window.htmx.trigger(search, "attach-open");
    }
  }

  function open(mode) {
    if (!current) {
      return;
    }
    fill(createForm);
    fill(attachForm);
    var oldError = document.getElementById("selection-error");
    if (oldError) {
      oldError.remove();
    }
    quotePreview.textContent = current.quote;
    showMode(mode);
    hideMenu();
    panel.scrollIntoView({ block: "nearest" });
    if (mode === "create") {
      var statement = createForm.elements.statement;
      statement.value = current.quote.replace(/\s+/g, " ").trim();
      statement.focus();
    } else {
      search.focus();
      loadAttachResults();
    }
  }

  function closePanel() {
    panel.hidden = true;
    panel.setAttribute("data-mode", "");
  }

  // Keep the selection when the menu is pressed.
  menu.addEventListener("mousedown", function (event) {
    event.preventDefault();
  });
  menu.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (button) {
      open(button.getAttribute("data-action"));
    }
  });
  panel.addEventListener("click", function (event) {
    if (event.target.closest("button[data-action='cancel']")) {
      closePanel();
    }
  });

  document.addEventListener("mouseup", function (event) {
    if (menu.contains(event.target)) {
      return;
    }
    window.setTimeout(checkSelection, 0);
  });
  document.addEventListener("keyup", function (event) {
    if (event.key === "Escape") {
      hideMenu();
    } else if (event.shiftKey || event.key === "Shift") {
      checkSelection();
    }
  });
  document.addEventListener("selectionchange", function () {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed) {
      hideMenu();
    }
  });

  // After a failed save the server re-opens the panel with the user's input.
  document.addEventListener("DOMContentLoaded", function () {
    if (!panel.hidden && panel.getAttribute("data-mode") === "attach") {
      loadAttachResults();
    }
  });

  // For tests and the console: the span the menu would send.
  window.claimtrackSelection = {
    codePointLength: codePointLength,
    rangeToSpan: rangeToSpan,
    current: function () {
      return current;
    },
  };
})();
