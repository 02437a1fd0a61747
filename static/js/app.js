// microblog's only script, loaded as a file so the Content-Security-Policy needs no
// 'unsafe-inline'. htmx does the swapping; this marks the region being reloaded as busy for
// assistive technologies while its request runs, and tells the server the browser's timezone.
(function () {
  "use strict";

  // Dates are formatted on the server; this cookie lets it use the reader's timezone (from
  // the next page on) when they have not chosen one in their profile. The server checks it.
  function rememberTimezone() {
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!zone || !/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
    if (document.cookie.split("; ").indexOf("tz=" + zone) !== -1) return;
    var secure = location.protocol === "https:" ? "; secure" : "";
    document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax" + secure;
  }

  rememberTimezone();

  // Styles for what only works with this script (e.g. pickers without their button).
  document.documentElement.classList.add("js");

  // The footer's pickers apply a choice made with the mouse or by touch at once. A keyboard
  // user moving through the list with the arrow keys changes it too, and must not be sent
  // away on the first press: for them the button comes back, and Enter submits as well.
  var keyboardAt = 0;
  document.addEventListener("keydown", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]")) {
      if (event.key === "Enter") {
        event.preventDefault();
        event.target.form.requestSubmit();
        return;
      }
      keyboardAt = Date.now();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("select[data-autosubmit]")) return;
    if (Date.now() - keyboardAt < 1000) {
      select.form.classList.add("picker-pending");
      return;
    }
    select.form.requestSubmit();
  });

  // The header's "Post" link ends in #post: put the cursor in the post form's textarea.
  function focusComposer() {
    if (location.hash !== "#post") return;
    var textarea = document.getElementById("post");
    if (textarea && textarea.tagName === "TEXTAREA") textarea.focus();
  }
  window.addEventListener("hashchange", focusComposer);
  document.addEventListener("DOMContentLoaded", focusComposer);

  // After htmx changed the address (e.g. turning a page of posts), the language picker in the
  // footer should bring the reader back to the new address, not the one the page loaded with.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var back = document.querySelector(".language-picker input[name=next]");
    if (back) back.value = location.pathname + location.search;
  });

  // The element marked busy, per request. htmx may retarget a response (errors go to #alerts),
  // so the target seen after the request is not always the one marked before it.
  var busy = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.target;
    var xhr = event.detail && event.detail.xhr;
    if (!element || !element.setAttribute || !xhr) return;
    element.setAttribute("aria-busy", "true");
    busy.set(xhr, element);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail && event.detail.xhr;
    var element = xhr && busy.get(xhr);
    if (!element) return;
    element.removeAttribute("aria-busy");
    busy.delete(xhr);
  });
})();
