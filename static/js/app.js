// microblog's only script, loaded as a file so the Content-Security-Policy needs no
// 'unsafe-inline'. htmx does the swapping; this marks the region being reloaded as busy for
// assistive technologies while its request runs.
(function () {
  "use strict";

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
