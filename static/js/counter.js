/* Length counter for long reader text (progressive enhancement).
 *
 * A textarea with data-counter-min / data-counter-max gets a visible count in
 * the element [data-counter-for=<its id>]. Screen readers hear the count
 * politely, once the reader pauses typing, not on every keystroke.
 * Characters are counted as the server counts them (code points, so an emoji is one).
 */
(function () {
  "use strict";

  function describe(length, min, max) {
    var count = length.toLocaleString() + " character" + (length === 1 ? "" : "s");
    if (length < min) {
      return count + " — " + (min - length).toLocaleString() + " more needed (at least " + min.toLocaleString() + ")";
    }
    if (length > max) {
      return count + " — " + (length - max).toLocaleString() + " over the limit of " + max.toLocaleString();
    }
    return count + " of at most " + max.toLocaleString();
  }

  function setUp(field) {
    var visible = document.querySelector('[data-counter-for="' + field.id + '"]');
    if (!visible) { return; }
    var min = parseInt(field.getAttribute("data-counter-min"), 10) || 0;
    var max = parseInt(field.getAttribute("data-counter-max"), 10) || Infinity;
    var spoken = document.createElement("p");
    spoken.className = "visually-hidden";
    spoken.setAttribute("aria-live", "polite");
    spoken.setAttribute("aria-atomic", "true");
    visible.parentNode.insertBefore(spoken, visible.nextSibling);
    var timer = null;

    function update(announce) {
      var length = Array.from(field.value).length;
      var text = describe(length, min, max);
      visible.textContent = text;
      visible.classList.toggle("counter--short", length > 0 && length < min);
      visible.classList.toggle("counter--over", length > max);
      if (announce) {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { spoken.textContent = text; }, 1200);
      }
    }

    visible.hidden = false;
    visible.setAttribute("aria-hidden", "true");
    field.addEventListener("input", function () { update(true); });
    update(false);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-counter-min]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
