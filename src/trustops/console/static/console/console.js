/* The review console's keyboard and clock. No build step: plain script, loaded after HTMX.
 *
 * Single-letter shortcuts come from the page itself: any element with data-shortcut="v" is activated by "v"
 * (a radio is chosen, a button pressed, a <summary> opens its <details>), then the element named by
 * data-shortcut-focus gets the focus. Letters never fire while the person types in a field.
 */
(function () {
  "use strict";

  var NOT_TEXT = { radio: 1, checkbox: 1, button: 1, submit: 1, reset: 1, image: 1, file: 1, range: 1, color: 1 };

  function typingIn(element) {
    if (!element || element === document.body) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && !NOT_TEXT[(element.type || "text").toLowerCase()];
  }

  function visible(element) {
    return !!(element.offsetWidth || element.offsetHeight || element.getClientRects().length);
  }

  function activate(element) {
    if (element.tagName === "SUMMARY") {
      element.parentElement.open = true;
    } else {
      element.click();
    }
    var target = element.getAttribute("data-shortcut-focus");
    if (target) {
      var focusable = document.querySelector(target);
      if (focusable) focusable.focus();
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;

    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      // The form being typed in (the escalation reason, say), else the decision form.
      var form = (event.target.closest && event.target.closest("form")) ||
        document.querySelector("form[data-submit-shortcut]");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    if (event.key === "Escape" && typingIn(document.activeElement)) {
      document.activeElement.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typingIn(event.target)) return;

    if (event.key === "?") {
      var legend = document.getElementById("shortcuts");
      if (legend) {
        event.preventDefault();
        legend.open = !legend.open;
      }
      return;
    }
    if (event.key.length !== 1) return;
    var key = event.key.toLowerCase();
    var candidates = document.querySelectorAll('[data-shortcut="' + key + '"]');
    for (var i = 0; i < candidates.length; i++) {
      var candidate = candidates[i];
      if (!candidate.disabled && (visible(candidate) || candidate.type === "radio")) {
        event.preventDefault();
        activate(candidate);
        return;
      }
    }
  });

  // The lease countdown counts on the browser's own clock from the seconds the server said were left.
  function tick() {
    var now = Date.now();
    var clocks = document.querySelectorAll(".countdown[data-seconds-left]");
    for (var i = 0; i < clocks.length; i++) {
      var element = clocks[i];
      if (!element.deadline) element.deadline = now + Number(element.getAttribute("data-seconds-left")) * 1000;
      var left = Math.max(0, Math.round((element.deadline - now) / 1000));
      element.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      element.classList.toggle("low", left < 60);
    }
  }
  setInterval(tick, 1000);
  document.addEventListener("DOMContentLoaded", tick);
})();
