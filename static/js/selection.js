/*
 * The reading page: turn a text selection into a span of the article and offer
 * "New claim" / "Attach to claim…"; clicking a highlight shows its claim in the margin.
 *
 * Offsets sent to the server are Unicode code points into the stored article text
 * (Python's str indexing). The DOM counts UTF-16 units, so every count here walks the
 * string by code point. Each run of text in #article-body sits in an element whose
 * data-offset is its code-point start; a DOM point maps back to
 *   data-offset + (code points of the element's text before the point).
 * The server writes carriage returns as &#13; so the DOM text equals the stored text.
 * Nothing from the page is ever written as HTML: only textContent and input values.
 *
 * From the keyboard (focus in the article text): Down / Up select the next / previous
 * sentence, Shift+Down / Shift+Up add the next sentence / take the last one off,
 * Shift+Right / Shift+Left end the selection a word later / earlier, Ctrl+Shift+Right /
 * Left start it a word later / earlier, Enter makes a claim of it. Sentences are the
 * server's (#article-sentences, the splitter the suggestions use), never split here.
 * On a highlight, Enter or Space shows its claim. What happened is said in the page's
 * live region (#workspace-status).
 *
 * The one global, window.claimtrackSelection, is a frozen set of functions for
 * workspace.js, tests and benches; the state stays in this closure.
 */
(function () {
  "use strict";

  var body = document.getElementById("article-body");
  if (!body) {
    return;
  }
  var articleId = body.getAttribute("data-article");

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

  function pieceStart(el) {
    return parseInt(el.getAttribute("data-offset"), 10);
  }

  // The text piece (element with data-offset) holding a DOM node, or null.
  function pieceOf(node) {
    var el = node && node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    var piece = el && el.closest ? el.closest("[data-offset]") : null;
    return piece && body.contains(piece) ? piece : null;
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
    var first = pieceOf(range.startContainer);
    var last = pieceOf(range.endContainer);
    if (!first || !last) {
      // A boundary between pieces (a triple click selects whole paragraphs): walk them.
      var all = body.querySelectorAll("[data-offset]");
      first = last = null;
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

  // --- Highlights and the claim panel ------------------------------------------------------

  var panelInfo = document.getElementById("panel-url");
  var claimPanel = document.getElementById("claim-panel");

  function focusClaim(claimId, scroll) {
    var focused = document.querySelectorAll(".claim-card.is-focused, mark.hl.is-focused");
    for (var i = 0; i < focused.length; i++) {
      focused[i].classList.remove("is-focused");
    }
    var card = document.getElementById("claim-card-" + claimId);
    if (card) {
      card.classList.add("is-focused");
      if (scroll) {
        card.scrollIntoView({ block: "nearest" });
      }
    }
    var wanted = " " + claimId + " ";
    var marks = body.querySelectorAll("mark[data-claims]");
    for (var j = 0; j < marks.length; j++) {
      if ((" " + marks[j].getAttribute("data-claims") + " ").indexOf(wanted) !== -1) {
        marks[j].classList.add("is-focused");
      }
    }
  }

  // The claim in the margin: statement, status, verdict, appearances, evidence (htmx).
  // What had the focus when a panel was opened from the keyboard: it gets it back on close.
  var panelOpener = null;
  var focusPanel = false;

  function focusable(element) {
    return element && element !== document.body && document.contains(element) ? element : null;
  }

  // `opener`: the element that asked from the keyboard; the focus moves into the panel.
  function openPanel(claimId, opener) {
    if (!claimPanel || !panelInfo || !window.htmx) {
      return;
    }
    panelOpener = focusable(opener);
    focusPanel = Boolean(panelOpener);
    var url = panelInfo.getAttribute("data-url").replace("/0/", "/" + encodeURIComponent(claimId) + "/");
    claimPanel.hidden = false;
    claimPanel.setAttribute("data-claim", claimId);
    claimPanel.setAttribute("aria-busy", "true");
    window.htmx
      .ajax("GET", url + "?article=" + encodeURIComponent(articleId), {
        target: claimPanel,
        swap: "innerHTML",
      })
      .then(function () {
        claimPanel.removeAttribute("aria-busy");
        claimPanel.scrollIntoView({ block: "nearest" });
      });
  }

  // The panel's answer is in (htmx.ajax's promise can resolve before it): the heading
  // takes the focus when the keyboard asked for the panel.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!focusPanel || !claimPanel || !claimPanel.contains(event.target)) {
      return;
    }
    var heading = claimPanel.querySelector(".panel-head h2");
    if (heading) {
      focusPanel = false;
      heading.focus({ preventScroll: true });
    }
  });

  function closePanelOfClaim() {
    if (claimPanel) {
      if (claimPanel.contains(document.activeElement)) {
        var back = focusable(panelOpener);
        if (back) {
          back.focus({ preventScroll: true });
        } else {
          document.activeElement.blur();
        }
      }
      panelOpener = null;
      focusPanel = false;
      claimPanel.hidden = true;
      claimPanel.replaceChildren();
      claimPanel.removeAttribute("data-claim");
    }
  }

  function say(message) {
    var status = document.getElementById("workspace-status");
    if (status) {
      status.textContent = message;
    }
  }

  function showClaimOf(mark, fromKeyboard) {
    var claimId = mark.getAttribute("data-claim");
    focusClaim(claimId, true);
    openPanel(claimId, fromKeyboard ? mark : null);
  }

  // Enter or Space on a focused highlight: its claim in the margin, as a click would.
  body.addEventListener("keydown", function (event) {
    var mark = event.target.closest && event.target.closest("mark[data-claim][tabindex]");
    if (
      mark &&
      (event.key === "Enter" || event.key === " ") &&
      !(event.ctrlKey || event.metaKey || event.altKey || event.shiftKey)
    ) {
      event.preventDefault();
      showClaimOf(mark, true);
      say("Claim #" + mark.getAttribute("data-claim") + " is shown beside the text. Escape closes it.");
    }
  });

  body.addEventListener("click", function (event) {
    var selection = window.getSelection();
    if (selection && !selection.isCollapsed) {
      return;
    }
    var mark = event.target.closest && event.target.closest("mark[data-claim]");
    if (mark) {
      showClaimOf(mark);
    }
  });

  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-action]");
    if (!target) {
      return;
    }
    var action = target.getAttribute("data-action");
    if (action === "panel") {
      focusClaim(target.getAttribute("data-claim"), false);
      openPanel(target.getAttribute("data-claim"));
    } else if (action === "close-panel") {
      closePanelOfClaim();
    }
  });

  function markFromHash() {
    var match = /^#appearance-(\d+)$/.exec(window.location.hash);
    var anchor = match && document.getElementById("appearance-" + match[1]);
    var mark = anchor && anchor.nextElementSibling;
    return mark && mark.hasAttribute("data-claim") ? mark : null;
  }

  // The keyboard goes on from the highlight just made (or linked to).
  function focusMarkFromHash() {
    var mark = markFromHash();
    if (mark && mark.hasAttribute("tabindex")) {
      mark.focus({ preventScroll: true });
    }
  }

  function focusFromHash() {
    var mark = markFromHash();
    if (mark) {
      focusClaim(mark.getAttribute("data-claim"), false);
      focusMarkFromHash();
    }
  }
  window.addEventListener("hashchange", focusFromHash);
  focusFromHash();
  // Going to the fragment on load moves the focus to it (a span that cannot take it, so
  // to the page) once the page has loaded: take it back to the highlight after that.
  window.addEventListener("load", function () {
    window.setTimeout(focusMarkFromHash, 0);
  });

  // The message a page load brings ("Claim #4 created.") is said in the live region too:
  // a status that is there before the page is read is not announced.
  document.addEventListener("DOMContentLoaded", function () {
    var message = document.querySelector(".messages .message");
    if (message) {
      window.setTimeout(function () {
        say(message.textContent.trim());
      }, 300);
    }
  });

  var api = {
    codePointLength: codePointLength,
    rangeToSpan: rangeToSpan,
    focusClaim: focusClaim,
    openPanel: openPanel,
    closePanel: closePanelOfClaim,
    say: say,
  };

  if (!canTag) {
    api.current = function () {
      return null;
    };
    window.claimtrackSelection = Object.freeze(api);
    return;
  }

  // --- Selecting text ------------------------------------------------------------------

  var menu = document.getElementById("selection-menu");
  var panel = document.getElementById("selection-panel");
  var quotePreview = document.getElementById("selection-quote");
  var createForm = document.getElementById("create-form");
  var attachForm = document.getElementById("attach-form");
  var search = document.getElementById("attach-q");
  var candidates = document.getElementById("claimant-candidates");
  var picker = candidates && candidates.parentElement;
  var current = null;
  var selectionOpener = null; // what had the focus when the panel opened

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
    var left = Math.max(
      8,
      Math.min(
        rect.left + window.scrollX,
        window.scrollX + document.documentElement.clientWidth - menu.offsetWidth - 8
      )
    );
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
    if (!body.contains(range.commonAncestorContainer) && !range.intersectsNode(body)) {
      hideMenu();
      return;
    }
    var span = rangeToSpan(range);
    current = span && trimmed(span);
    if (!current) {
      hideMenu();
      return;
    }
    showMenu(range);
  }

  // A span chosen by other means (a suggestion picked with j/k).
  function setCurrent(start, end) {
    current = trimmed({ start: start, end: end });
    return current;
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
      parts[i].hidden = parts[i].getAttribute("data-show-for").split(" ").indexOf(mode) === -1;
    }
  }

  function claimantInput() {
    var mode = panel.getAttribute("data-mode");
    var form = mode === "attach" ? attachForm : createForm;
    return form.elements.claimant_name;
  }

  var candidatesRequest = null;

  function loadCandidates() {
    if (!candidates || !current) {
      return;
    }
    var url =
      candidates.getAttribute("data-url") +
      "?article=" + encodeURIComponent(articleId) +
      "&start=" + current.start +
      "&end=" + current.end;
    candidates.replaceChildren();
    // A new selection replaces the question: the answer for an older one is dropped.
    // (htmx.ajax queues a request while another is in flight and resolves its promise at
    // once, before the answer: the offer for the new span was lost.)
    if (candidatesRequest) {
      candidatesRequest.abort();
    }
    var request = new AbortController();
    candidatesRequest = request;
    var asked = current;
    var prefilled = createForm.elements.statement.value;
    fetch(url, { credentials: "same-origin", signal: request.signal })
      .then(function (response) {
        // A redirect (to the log-in page, once the session has ended) is not an answer.
        return response.ok && !response.redirected ? response.text() : "";
      })
      .then(function (html) {
        if (candidatesRequest !== request) {
          return;
        }
        candidatesRequest = null;
        candidates.innerHTML = html;  // the server's template, escaped there
        // Compared by span: a late selectionchange can rebuild `current` for the same span.
        if (!current || asked.start !== current.start || asked.end !== current.end) {
          return;
        }
        // The likeliest name goes into the field unless the analyst has typed one.
        var likely = candidates.querySelector("[data-likely]");
        var input = claimantInput();
        if (likely && !input.value && !input.getAttribute("data-touched")) {
          input.value = likely.getAttribute("data-claimant-name");
        }
        // The quote without who says it replaces the quote, unless the analyst edited it.
        var suggested = candidates.querySelector("[data-suggested-statement]");
        var statement = createForm.elements.statement;
        if (suggested && statement.value === prefilled) {
          statement.value = suggested.getAttribute("data-suggested-statement");
        }
      })
      .catch(function () {
        // Aborted for a newer selection, or offline: the fields stay as they are.
      });
  }

  function loadAttachResults() {
    if (window.htmx && search) {
      window.htmx.trigger(search, "attach-open");
    }
  }

  function open(mode) {
    if (!current) {
      return false;
    }
    if (!panel.contains(document.activeElement)) {
      selectionOpener = focusable(document.activeElement);
    }
    fill(createForm);
    fill(attachForm);
    var oldError = document.getElementById("selection-error");
    if (oldError) {
      oldError.remove();
    }
    quotePreview.textContent = current.quote;
    createForm.elements.claimant_name.value = "";
    attachForm.elements.claimant_name.value = "";
    createForm.elements.claimant_name.removeAttribute("data-touched");
    attachForm.elements.claimant_name.removeAttribute("data-touched");
    showMode(mode);
    if (picker) {
      // The names to pick from sit under the claimant field of the form in use.
      claimantInput().closest("label").after(picker);
    }
    hideMenu();
    panel.scrollIntoView({ block: "nearest" });
    if (mode === "create") {
      var statement = createForm.elements.statement;
      statement.value = current.quote.replace(/\s+/g, " ").trim();
      statement.focus();
    } else {
      search.value = "";
      search.focus();
      loadAttachResults();
    }
    loadCandidates();
    return true;
  }

  function closeSelectionPanel() {
    // Give the keys back to the page now (a hidden field can keep the focus a while): to
    // where they were when the panel opened (the article text, a suggestion), else nowhere.
    if (panel.contains(document.activeElement)) {
      var back = focusable(selectionOpener);
      if (back) {
        back.focus({ preventScroll: true });
      } else {
        document.activeElement.blur();
      }
    }
    selectionOpener = null;
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
      closeSelectionPanel();
      return;
    }
    var chip = event.target.closest("button[data-claimant-name]");
    if (chip) {
      var input = claimantInput();
      input.value = chip.getAttribute("data-claimant-name");
      input.setAttribute("data-touched", "true");
      input.focus();
    }
  });
  panel.addEventListener("input", function (event) {
    if (event.target.name === "claimant_name") {
      event.target.setAttribute("data-touched", "true");
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
  function reopenAfterError() {
    if (!panel.hidden && panel.getAttribute("data-mode") === "attach") {
      loadAttachResults();
    }
  }
  // Deferred scripts run before DOMContentLoaded, and htmx sets the page up on it.
  document.addEventListener("DOMContentLoaded", reopenAfterError);

  // --- Moving through the text by sentence and word (the keyboard) ------------------------

  var sentencesNode = document.getElementById("article-sentences");
  var sentences = sentencesNode ? JSON.parse(sentencesNode.textContent) : [];

  // The UTF-16 index of the code point `n` of string `s`.
  function utf16Index(s, n) {
    var i = 0;
    while (n > 0 && i < s.length) {
      var c = s.charCodeAt(i);
      var pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length;
      var d = pair ? s.charCodeAt(i + 1) : 0;
      i += pair && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
      n--;
    }
    return i;
  }

  // The DOM point at code point `offset` of the article: inside the piece that holds it
  // (for an end, the piece it closes), or at the start of the next piece when the offset
  // falls between paragraphs.
  function domPoint(offset, isEnd) {
    var pieces = body.querySelectorAll("[data-offset]");
    for (var i = 0; i < pieces.length; i++) {
      var start = pieceStart(pieces[i]);
      var length = codePointLength(pieces[i].textContent);
      var inside = isEnd ? offset > start && offset <= start + length : offset < start + length;
      if (inside || start >= offset) {
        var node = pieces[i].firstChild;
        var within = Math.max(0, offset - start);
        if (node && node.nodeType === Node.TEXT_NODE) {
          return { node: node, offset: utf16Index(node.data, within) };
        }
        return { node: pieces[i], offset: 0 };
      }
    }
    return null;
  }

  function tagsOn(span) {
    var found = [];
    var marks = body.querySelectorAll("mark[data-claim]");
    for (var i = 0; i < marks.length; i++) {
      var start = parseInt(marks[i].getAttribute("data-start"), 10);
      var end = parseInt(marks[i].getAttribute("data-end"), 10);
      var claim = "#" + marks[i].getAttribute("data-claim");
      if (start < span.end && end > span.start && found.indexOf(claim) === -1) {
        found.push(claim);
      }
    }
    return found;
  }

  // Select [start, end) as the page's selection (seen, and read by "n" and "/").
  function selectSpan(start, end) {
    var span = trimmed({ start: start, end: end });
    var from = span && domPoint(span.start, false);
    var to = span && domPoint(span.end, true);
    if (!from || !to) {
      return null;
    }
    var range = document.createRange();
    range.setStart(from.node, from.offset);
    range.setEnd(to.node, to.offset);
    var live = window.getSelection();
    live.removeAllRanges();
    live.addRange(range);
    current = span;
    var element = from.node.nodeType === Node.TEXT_NODE ? from.node.parentElement : from.node;
    element.scrollIntoView({ block: "nearest" });
    showMenu(range);
    return span;
  }

  function suggested(span) {
    var pieces = body.querySelectorAll("[data-suggestion]");
    for (var i = 0; i < pieces.length; i++) {
      var start = pieceStart(pieces[i]);
      if (start < span.end && start + codePointLength(pieces[i].textContent) > span.start) {
        return true;
      }
    }
    return false;
  }

  function describe(span, lead) {
    var tags = tagsOn(span);
    var note = tags.length ? " Already tagged: claim " + tags.join(", ") + "." : "";
    if (suggested(span)) {
      note += " Suggested.";
    }
    return lead + span.quote.replace(/\s+/g, " ") + note;
  }

  // The span the keys start from: the selection, else the focused highlight's appearance.
  function anchorSpan(target) {
    if (current) {
      return current;
    }
    var mark = target.closest && target.closest("mark[data-claim]");
    if (mark) {
      var start = parseInt(mark.getAttribute("data-start"), 10);
      var end = parseInt(mark.getAttribute("data-end"), 10);
      return { start: start, end: end };
    }
    return null;
  }

  function selectSentence(index) {
    var span = selectSpan(sentences[index][0], sentences[index][1]);
    if (span) {
      say(describe(span, "Sentence " + (index + 1) + " of " + sentences.length + ": "));
    }
  }

  function nextSentence(from) {
    for (var i = 0; i < sentences.length; i++) {
      if (!from || sentences[i][0] >= from.end) {
        return i;
      }
    }
    return -1;
  }

  function previousSentence(from) {
    for (var i = sentences.length - 1; i >= 0; i--) {
      if (!from || sentences[i][1] <= from.start) {
        return i;
      }
    }
    return -1;
  }

  function isSpace(i) {
    return /\s/.test(codePoints[i]);
  }

  // Word moves: a word is a run of characters between white space.
  function wordEndAfter(position) {
    var i = position;
    while (i < codePoints.length && isSpace(i)) {
      i++;
    }
    while (i < codePoints.length && !isSpace(i)) {
      i++;
    }
    return i;
  }

  function wordEndBefore(position) {
    var i = position;
    while (i > 0 && !isSpace(i - 1)) {
      i--;
    }
    while (i > 0 && isSpace(i - 1)) {
      i--;
    }
    return i;
  }

  function wordStartAfter(position) {
    var i = position;
    while (i < codePoints.length && !isSpace(i)) {
      i++;
    }
    while (i < codePoints.length && isSpace(i)) {
      i++;
    }
    return i;
  }

  function wordStartBefore(position) {
    var i = position;
    while (i > 0 && isSpace(i - 1)) {
      i--;
    }
    while (i > 0 && !isSpace(i - 1)) {
      i--;
    }
    return i;
  }

  function reselect(start, end, refused) {
    if (!current || start >= end) {
      say(refused);
      return;
    }
    var span = selectSpan(start, end);
    if (span) {
      say(describe(span, "Selected: "));
    }
  }

  function moveBySentence(event, forward) {
    var from = anchorSpan(event.target);
    var index = forward ? nextSentence(from) : previousSentence(from);
    if (index === -1) {
      say(forward ? "That was the last sentence." : "That was the first sentence.");
      return;
    }
    // Off a highlight: the keys now act on the text, and Enter makes a claim.
    if (event.target !== body) {
      body.focus({ preventScroll: true });
    }
    selectSentence(index);
  }

  function extendBySentence(event) {
    if (!current) {
      moveBySentence(event, true);
      return;
    }
    var index = nextSentence(current);
    if (index === -1) {
      say("That was the last sentence.");
      return;
    }
    reselect(current.start, sentences[index][1], "");
  }

  function shrinkBySentence() {
    var last = -1;
    for (var i = 0; current && i < sentences.length; i++) {
      if (sentences[i][1] < current.end && sentences[i][1] > current.start) {
        last = i;
      }
    }
    if (last === -1) {
      say("Only one sentence is selected.");
      return;
    }
    reselect(current.start, sentences[last][1], "");
  }

  var textKeys = {
    ArrowDown: function (event) {
      moveBySentence(event, true);
    },
    ArrowUp: function (event) {
      moveBySentence(event, false);
    },
    "Shift+ArrowDown": extendBySentence,
    "Shift+ArrowUp": shrinkBySentence,
    "Shift+ArrowRight": function () {
      reselect(current && current.start, current && wordEndAfter(current.end), "Select a sentence first.");
    },
    "Shift+ArrowLeft": function () {
      reselect(current && current.start, current && wordEndBefore(current.end), "Only one word is selected.");
    },
    "Ctrl+Shift+ArrowRight": function () {
      reselect(current && wordStartAfter(current.start), current && current.end, "Only one word is selected.");
    },
    "Ctrl+Shift+ArrowLeft": function () {
      reselect(current && wordStartBefore(current.start), current && current.end, "Select a sentence first.");
    },
    Enter: function () {
      if (!open("create")) {
        say("Select a sentence first: press the down arrow.");
      }
    },
  };

  body.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.metaKey || event.isComposing) {
      return;
    }
    var name = (event.ctrlKey ? "Ctrl+" : "") + (event.shiftKey ? "Shift+" : "") + event.key;
    var handler = textKeys[name];
    if (handler && sentences.length) {
      event.preventDefault();
      handler(event);
    }
  });

  // For the keyboard (workspace.js), tests and the console.
  api.current = function () {
    return current;
  };
  api.refreshSelection = checkSelection;
  api.setCurrent = setCurrent;
  api.clearCurrent = function () {
    current = null;
  };
  api.open = open;
  api.hideMenu = hideMenu;
  api.closeSelectionPanel = closeSelectionPanel;
  api.selectionPanelMode = function () {
    return panel.hidden ? "" : panel.getAttribute("data-mode");
  };
  window.claimtrackSelection = Object.freeze(api);
})();
