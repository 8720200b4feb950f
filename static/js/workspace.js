/*
 * The reading page's keyboard and suggestions:
 *   j / k  next / previous suggestion     a  accept it     x  dismiss it
 *   n      new claim from the selection (or the current suggestion)
 *   /      attach the selection to a claim (its search), or search claims
 *   ?      show the shortcuts            Esc  close the menu, a panel or the help
 * Keys are ignored while typing in a field and with Ctrl, Alt or Meta held.
 *
 * The suggestions' margin (#suggestions, the claims app's fragment) is loaded and
 * replaced by htmx; accepting one adds a claim, so the article text and its claim list
 * are then refreshed from the server, without a page load.
 *
 * The suggestion list is one tab stop (a roving tabindex): the current suggestion is in
 * the tab order with its buttons, the others are reached with Down / Up / Home / End.
 * After an accept or a dismiss the live region says so, and the focus goes on to the
 * next suggestion when it was in the list.
 *
 * This script reads selection.js through its frozen window.claimtrackSelection and
 * shares no other state with it; window.claimtrackWorkspace is frozen too.
 */
(function () {
  "use strict";

  var body = document.getElementById("article-body");
  if (!body) {
    return;
  }
  var selection = window.claimtrackSelection || {};
  var dialog = document.getElementById("shortcuts");
  var status = document.getElementById("workspace-status");
  var currentSuggestion = null; // a suggestion id, as a string
  var pendingIndex = -1; // the position of the suggestion being accepted or dismissed
  var pendingFocus = false; // the decision was made from inside the list
  var pendingNews = ""; // what the last decision did, said once the list is back

  function say(message) {
    if (status) {
      status.textContent = message;
    }
  }

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
  }

  // --- Suggestions ----------------------------------------------------------------------

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#suggestions li.suggestion"));
  }

  function idOf(item) {
    return item.id.replace(/^suggestion-/, "");
  }

  var CONTROLS = "a[href], button, input, select, textarea, [tabindex]";

  // Only the current suggestion (else the first) and its own buttons are in the tab order.
  function rove() {
    var list = items();
    var active = (currentSuggestion && document.getElementById("suggestion-" + currentSuggestion)) || list[0];
    for (var i = 0; i < list.length; i++) {
      var on = list[i] === active;
      list[i].setAttribute("tabindex", on ? "0" : "-1");
      var controls = list[i].querySelectorAll(CONTROLS);
      for (var j = 0; j < controls.length; j++) {
        if (!on) {
          controls[j].setAttribute("tabindex", "-1");
          controls[j].setAttribute("data-roved", "");
        } else if (controls[j].hasAttribute("data-roved")) {
          controls[j].removeAttribute("tabindex");
          controls[j].removeAttribute("data-roved");
        }
      }
    }
  }

  function inList(element) {
    var list = document.querySelector("#suggestions .suggestion-list");
    return Boolean(list && element && list.contains(element));
  }

  function focusCurrent() {
    var item = currentSuggestion && document.getElementById("suggestion-" + currentSuggestion);
    if (item) {
      item.focus();
    }
  }

  function markSuggestion(id, scroll) {
    var old = document.querySelectorAll(".is-current[data-suggestion], li.suggestion.is-current");
    for (var i = 0; i < old.length; i++) {
      old[i].classList.remove("is-current");
      old[i].removeAttribute("aria-current");
    }
    currentSuggestion = id;
    if (!id) {
      return;
    }
    var item = document.getElementById("suggestion-" + id);
    if (item) {
      item.classList.add("is-current");
      item.setAttribute("aria-current", "true");
      if (scroll) {
        item.scrollIntoView({ block: "nearest" });
      }
      if (selection.setCurrent) {
        // The suggestion's sentence becomes the span "n" and "/" work on.
        selection.setCurrent(
          parseInt(item.getAttribute("data-start"), 10),
          parseInt(item.getAttribute("data-end"), 10)
        );
      }
    }
    var pieces = body.querySelectorAll('[data-suggestion="' + CSS.escape(id) + '"]');
    for (var j = 0; j < pieces.length; j++) {
      pieces[j].classList.add("is-current");
    }
    if (scroll && pieces.length) {
      pieces[0].scrollIntoView({ block: "center" });
    }
    rove();
  }

  function step(delta) {
    var list = items();
    if (!list.length) {
      say("No open suggestions.");
      return;
    }
    var index = -1;
    for (var i = 0; i < list.length; i++) {
      if (idOf(list[i]) === currentSuggestion) {
        index = i;
      }
    }
    if (index === -1) {
      index = delta > 0 ? 0 : list.length - 1;
    } else {
      index = Math.min(list.length - 1, Math.max(0, index + delta));
    }
    var wasInList = inList(document.activeElement);
    markSuggestion(idOf(list[index]), true);
    if (wasInList) {
      focusCurrent();
    }
    say("Suggestion " + (index + 1) + " of " + list.length + ": " + sentenceOf(list[index]));
  }

  function sentenceOf(item) {
    var quote = item.querySelector(".suggestion-sentence");
    return quote ? quote.textContent.trim() : "";
  }

  // Down / Up / Home / End inside the list move the focus (and the current suggestion).
  function moveInList(event) {
    var item = event.target.closest && event.target.closest("#suggestions li.suggestion");
    if (!item || event.target !== item) {
      return false;
    }
    var list = items();
    var index = list.indexOf(item);
    var to = {
      ArrowDown: Math.min(list.length - 1, index + 1),
      ArrowUp: Math.max(0, index - 1),
      Home: 0,
      End: list.length - 1,
    }[event.key];
    if (to === undefined) {
      return false;
    }
    markSuggestion(idOf(list[to]), true);
    focusCurrent();
    say("Suggestion " + (to + 1) + " of " + list.length + ": " + sentenceOf(list[to]));
    return true;
  }

  // The button that accepts (the recommended one: attach to a likely match, else a new
  // claim) or dismisses the current suggestion.
  function decisionButton(item, kind) {
    var forms = item.querySelectorAll("form");
    var fallback = null;
    for (var i = 0; i < forms.length; i++) {
      var action = forms[i].getAttribute("hx-post") || forms[i].getAttribute("action") || "";
      var button = forms[i].querySelector("button[type=submit], button:not([type])");
      if (!button || action.indexOf("/" + kind + "/") === -1) {
        continue;
      }
      if (kind === "dismiss" || button.classList.contains("primary")) {
        return button;
      }
      fallback = fallback || button;
    }
    return fallback;
  }

  function decide(kind) {
    var item = currentSuggestion && document.getElementById("suggestion-" + currentSuggestion);
    if (!item) {
      say("Choose a suggestion first with j or k.");
      return;
    }
    var button = decisionButton(item, kind);
    if (!button) {
      say("This suggestion cannot be " + (kind === "accept" ? "accepted" : "dismissed") + " here.");
      return;
    }
    pendingIndex = items().indexOf(item);
    pendingFocus = inList(document.activeElement);
    button.click();
  }

  // Fetch this page again and put its article text and claim list in place.
  function refreshArticle() {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["article-body", "claims-here"].forEach(function (id) {
          var from = fresh.getElementById(id);
          var to = document.getElementById(id);
          if (from && to) {
            to.replaceChildren.apply(to, Array.prototype.slice.call(from.childNodes));
          }
        });
        if (window.htmx) {
          window.htmx.process(document.getElementById("claims-here"));
        }
        markSuggestion(currentSuggestion, false);
      })
      .catch(function () {
        say("Accepted. Reload the page to see the new highlight.");
      });
  }

  // The accepting form is swapped out with the list, so htmx re-sends this event from
  // the nearest ancestor still in the page: read the request's path, not the element.
  document.addEventListener("htmx:afterRequest", function (event) {
    var detail = event.detail || {};
    var path = (detail.pathInfo && detail.pathInfo.requestPath) || "";
    var post = detail.requestConfig && detail.requestConfig.verb === "post";
    if (!post || !/^\/suggestions\//.test(path)) {
      return;
    }
    // A refusal (400, 403, 409) is swapped in with its message but is no decision.
    var done = detail.successful && detail.xhr && detail.xhr.status < 300;
    if (done && /\/accept(-above)?\/$/.test(path)) {
      pendingNews = "Accepted.";
      refreshArticle();
    } else if (done && /\/dismiss\/$/.test(path)) {
      pendingNews = "Dismissed.";
    } else if (!done && /\/(accept(-above)?|dismiss)\/$/.test(path)) {
      pendingNews = "Not done.";
    }
  });

  // A button inside the list pressed directly (not with a or x): keep the place too.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var from = event.detail && event.detail.elt;
    var item = from && from.closest && from.closest("#suggestions li.suggestion");
    if (item) {
      pendingIndex = items().indexOf(item);
      pendingFocus = pendingFocus || inList(document.activeElement);
    }
  });

  // What the decision did, in words: "Accepted." or "Dismissed.", the server's note
  // ("Claim #4 created."), and how many suggestions are left.
  function announceDecision() {
    if (!pendingNews) {
      return;
    }
    var parts = [pendingNews];
    var note = document.querySelector("#suggestions .notice[role=status], #suggestions .error");
    if (note && note.textContent.trim()) {
      parts.push(note.textContent.trim());
    }
    var left = items().length;
    parts.push(left === 1 ? "1 suggestion left." : left + " suggestions left.");
    say(parts.join(" "));
    pendingNews = "";
  }

  // After the suggestions' margin is (re)loaded, keep the place in the list.
  document.addEventListener("htmx:afterSettle", function () {
    var list = items();
    var refocus = pendingFocus;
    pendingFocus = false;
    announceDecision();
    if (!list.length) {
      currentSuggestion = null;
      pendingIndex = -1;
      var margin = document.getElementById("suggestions");
      if (refocus && margin) {
        // Nothing left to move to: the focus stays in the margin, not on the page's body.
        margin.setAttribute("tabindex", "-1");
        margin.focus();
      }
      return;
    }
    var still = currentSuggestion && document.getElementById("suggestion-" + currentSuggestion);
    if (still) {
      markSuggestion(currentSuggestion, false);
    } else if (pendingIndex >= 0) {
      markSuggestion(idOf(list[Math.min(pendingIndex, list.length - 1)]), true);
    } else {
      rove();
    }
    if (refocus) {
      focusCurrent();
    }
    pendingIndex = -1;
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) {
      return;
    }
    if (target.closest("[data-action='shortcuts']")) {
      toggleHelp();
      return;
    }
    var item = target.closest("#suggestions li.suggestion");
    if (item && !target.closest("form, a, button, input")) {
      markSuggestion(idOf(item), false);
      return;
    }
    var piece = target.closest("#article-body span[data-suggestion]");
    var text = window.getSelection();
    if (piece && (!text || text.isCollapsed)) {
      markSuggestion(piece.getAttribute("data-suggestion"), false);
      var margin = document.getElementById("suggestion-" + currentSuggestion);
      if (margin) {
        margin.scrollIntoView({ block: "nearest" });
      }
    }
  });

  // --- Keys -----------------------------------------------------------------------------

  function toggleHelp() {
    if (!dialog) {
      return;
    }
    if (dialog.open) {
      dialog.close();
    } else {
      dialog.showModal();
    }
  }

  function newClaim() {
    if (!selection.open) {
      say("Only analysts can make claims.");
      return;
    }
    if (selection.refreshSelection) {
      var live = window.getSelection();
      if (live && !live.isCollapsed) {
        selection.refreshSelection();
      }
    }
    if (!selection.open("create")) {
      say("Select some text first (or pick a suggestion with j).");
    }
  }

  function search() {
    var attachSearch = document.getElementById("attach-q");
    if (selection.selectionPanelMode && selection.selectionPanelMode() === "attach") {
      attachSearch.focus();
      return;
    }
    var live = window.getSelection();
    if (selection.refreshSelection && live && !live.isCollapsed) {
      selection.refreshSelection();
    }
    if (selection.open && selection.current && selection.current() && selection.open("attach")) {
      return;
    }
    var top = document.getElementById("top-search");
    if (top) {
      top.focus();
    }
  }

  // Esc closes the innermost thing open: the selection panel, else the claim panel, else
  // it lets go of the current suggestion and selection.
  function escape() {
    var claimPanel = document.getElementById("claim-panel");
    if (selection.hideMenu) {
      selection.hideMenu();
    }
    if (selection.selectionPanelMode && selection.selectionPanelMode()) {
      selection.closeSelectionPanel();
    } else if (claimPanel && !claimPanel.hidden && selection.closePanel) {
      selection.closePanel();
    } else {
      markSuggestion(null, false);
      if (selection.clearCurrent) {
        selection.clearCurrent();
      }
      var live = window.getSelection();
      if (live) {
        live.removeAllRanges();
      }
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key === "Escape" && typing(event.target) && event.target.closest("#selection-panel")) {
      escape();
      return;
    }
    if (typing(event.target) || event.isComposing) {
      return;
    }
    if (!event.shiftKey && moveInList(event)) {
      event.preventDefault();
      return;
    }
    if (dialog && dialog.open && event.key !== "?") {
      return; // the dialog handles Esc itself
    }
    var handlers = {
      "?": toggleHelp,
      j: function () {
        step(1);
      },
      k: function () {
        step(-1);
      },
      a: function () {
        decide("accept");
      },
      x: function () {
        decide("dismiss");
      },
      n: newClaim,
      "/": search,
      Escape: escape,
    };
    var handler = handlers[event.key];
    if (handler) {
      event.preventDefault();
      handler();
    }
  });

  window.claimtrackWorkspace = Object.freeze({
    step: step,
    current: function () {
      return currentSuggestion;
    },
    refreshArticle: refreshArticle,
  });
})();
