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
    markSuggestion(idOf(list[index]), true);
    say("Suggestion " + (index + 1) + " of " + list.length + ".");
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
    if (post && detail.successful && /^\/suggestions\/.*\/accept(-above)?\/$/.test(path)) {
      refreshArticle();
    }
  });

  // After the suggestions' margin is (re)loaded, keep the place in the list.
  document.addEventListener("htmx:afterSettle", function () {
    var list = items();
    if (!list.length) {
      currentSuggestion = null;
      pendingIndex = -1;
      return;
    }
    var still = currentSuggestion && document.getElementById("suggestion-" + currentSuggestion);
    if (still) {
      markSuggestion(currentSuggestion, false);
    } else if (pendingIndex >= 0) {
      markSuggestion(idOf(list[Math.min(pendingIndex, list.length - 1)]), true);
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

  window.claimtrackWorkspace = {
    step: step,
    current: function () {
      return currentSuggestion;
    },
    refreshArticle: refreshArticle,
  };
})();
