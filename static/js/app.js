// microblog's only script, loaded as a file so the Content-Security-Policy needs no
// 'unsafe-inline'. htmx does the swapping; this marks the region being reloaded as busy for
// assistive technologies while its request runs.
(function () {
  "use strict";

  function target(event) {
    return (event.detail && event.detail.target) || null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = target(event);
    if (element && element.setAttribute) element.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var element = target(event);
    if (element && element.removeAttribute) element.removeAttribute("aria-busy");
  });
})();
