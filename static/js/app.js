// microblog's only script, loaded as a file so the Content-Security-Policy needs no
// 'unsafe-inline'. htmx does the swapping; this marks the region being reloaded as busy for
// assistive technologies while its request runs, tells the server the browser's timezone, and
// shows a user's card when the pointer rests on (or the keyboard focuses) their name, and lets
// Escape cancel editing or deleting a post in place.
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

  // The composer: a live count of the characters left, said politely near the limit, and
  // Ctrl/Cmd+Enter to post. It never cuts text short (the server says when it is too long).
  var THRESHOLDS = [20, 10, 0];
  function countCharacters(textarea) {
    var counter = document.getElementById(textarea.getAttribute("data-counter"));
    if (!counter) return;
    var status = document.getElementById(counter.id + "-status");
    var max = parseInt(counter.getAttribute("data-max"), 10);
    // Code points, as the server counts them (an emoji is one character, not two).
    var left = max - Array.from(textarea.value.trim()).length;
    counter.hidden = false;
    counter.textContent = String(left);
    counter.classList.toggle("char-counter-near", left <= THRESHOLDS[0] && left >= 0);
    counter.classList.toggle("char-counter-over", left < 0);
    var previous = counter.hasAttribute("data-left-was")
      ? parseInt(counter.getAttribute("data-left-was"), 10) : max;
    counter.setAttribute("data-left-was", String(left));
    if (!status) return;
    var crossed = THRESHOLDS.some(function (n) { return previous > n && left <= n && left >= 0; });
    if (left < 0 && previous >= 0) {
      status.textContent = counter.getAttribute("data-over").replace("{n}", String(-left));
    } else if (crossed) {
      status.textContent = counter.getAttribute("data-left").replace("{n}", String(left));
    }
  }

  // A draft survives a reload, or a session that ran out while typing (logging in again
  // brings the reader back to an empty form): it is kept in this tab until it is posted.
  function draftKey(textarea) {
    return "microblog-draft:" + textarea.getAttribute("data-draft");
  }
  function saveDraft(textarea) {
    try {
      if (textarea.value.trim()) sessionStorage.setItem(draftKey(textarea), textarea.value);
      else sessionStorage.removeItem(draftKey(textarea));
    } catch (error) { /* storage may be off: the draft just is not kept */ }
  }
  function restoreDrafts(root) {
    root.querySelectorAll("textarea[data-draft]").forEach(function (textarea) {
      var draft = null;
      try { draft = sessionStorage.getItem(draftKey(textarea)); } catch (error) { return; }
      if (draft && !textarea.value) textarea.value = draft;
      if (textarea.hasAttribute("data-counter")) countCharacters(textarea);
    });
  }
  document.addEventListener("DOMContentLoaded", function () { restoreDrafts(document); });

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (textarea.tagName !== "TEXTAREA") return;
    if (textarea.hasAttribute("data-counter")) countCharacters(textarea);
    if (textarea.hasAttribute("data-draft")) saveDraft(textarea);
  });

  document.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    if (textarea.tagName !== "TEXTAREA" || !textarea.hasAttribute("data-counter")) return;
    event.preventDefault();
    textarea.form.requestSubmit();
  });

  // Every new request clears the alert of an earlier one; when the server cannot be
  // reached at all, an alert says so and offers to try again.
  var alerts = function () { return document.getElementById("alerts"); };
  document.addEventListener("htmx:beforeRequest", function () {
    var region = alerts();
    if (region) region.innerHTML = "";
  });
  document.addEventListener("htmx:sendError", function (event) {
    var region = alerts();
    var template = document.getElementById("network-error");
    var source = event.detail && event.detail.elt;
    if (!region || !template) return;
    region.replaceChildren(template.content.cloneNode(true));
    var retry = region.querySelector(".retry");
    if (!retry || !source) return;
    retry.addEventListener("click", function () {
      region.innerHTML = "";
      if (source.tagName === "FORM") source.requestSubmit();
      else source.click();
    });
  });

  // After a post was published the form comes back empty: forget its draft. (A session
  // that ran out answers with HX-Redirect to the login page: the draft stays for later.)
  // (Before the swap: afterwards the form that sent the request has left the document.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var xhr = event.detail && event.detail.xhr;
    if (!config || !config.elt || config.elt.id !== "post-form" || !xhr) return;
    if (xhr.status !== 200 || xhr.getResponseHeader("HX-Redirect")) return;
    try { sessionStorage.removeItem("microblog-draft:post"); } catch (error) { /* off */ }
  });
  // A form that htmx swapped back in (empty after posting, or with an error) counts afresh.
  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("textarea[data-counter]").forEach(countCharacters);
  });

  // Editing a post in its card, or asked whether to delete it: Escape is Cancel, which
  // brings the card back (its Edit or Delete control takes the focus again).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var region = event.target.closest("[data-escape-cancels]");
    var cancel = region && region.querySelector("a[data-cancel]");
    if (!cancel) return;
    event.preventDefault();
    cancel.click();
  });

  // A deleted post leaves the list: the focus goes to the post that takes its place (its
  // time, the link to it), else to the list's heading, rather than to the top of the page.
  // (Chosen before the swap, which removes the form; applied once htmx has swapped.)
  document.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail && event.detail.requestConfig;
    var xhr = event.detail && event.detail.xhr;
    if (!config || !config.elt || !config.elt.hasAttribute("data-deletes-post")) return;
    if (!xhr || xhr.status !== 200 || xhr.getResponseHeader("HX-Redirect")) return;
    var card = config.elt.closest("li.post");
    var neighbour = card && (card.nextElementSibling || card.previousElementSibling);
    var next = (neighbour && neighbour.querySelector(".post-time")) ||
      document.getElementById("posts-heading") || document.getElementById("main");
    setTimeout(function () { if (next && next.isConnected) next.focus(); }, 0);
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
  // User cards. A link to a profile keeps working as a link; resting the pointer on it (or
  // focusing it) loads /user/<name>/popup into a box placed right after it, so the card comes
  // next in the tab order without taking the focus. The box sits below the link's line (above
  // when there is no room), never over it; Escape, or leaving both link and card, closes it.
  var OPEN_DELAY = 450;
  var CLOSE_DELAY = 300;
  var card = null; // {link, box}
  var openTimer = null;
  var closeTimer = null;
  var refocused = null;

  function cardLink(node) {
    var link = node && node.closest ? node.closest("a[href]") : null;
    // Cards are for logged-in readers (only their header has the badge), never inside a card,
    // the menu or a profile's own header, and not for the profile already on screen.
    if (!link || !document.getElementById("unread-badge")) return null;
    if (link.closest("nav, .user-popup, .profile, .user-card")) return null;
    if (link.origin !== location.origin || !/\/user\/[^\/]+$/.test(link.pathname)) return null;
    return link.pathname === location.pathname ? null : link;
  }

  function place() {
    if (!card) return;
    var line = card.link.getBoundingClientRect();
    var box = card.box;
    var gap = 6;
    var top = line.bottom + gap;
    if (top + box.offsetHeight > window.innerHeight && line.top - gap - box.offsetHeight >= 0) {
      top = line.top - gap - box.offsetHeight;
    }
    var width = document.documentElement.clientWidth;
    var left = Math.max(4, Math.min(line.left, width - box.offsetWidth - 4));
    box.style.top = top + "px";
    box.style.left = left + "px";
  }

  function closeCard(returnFocus) {
    clearTimeout(openTimer);
    clearTimeout(closeTimer);
    if (!card) return;
    var current = card;
    card = null;
    var hadFocus = current.box.contains(document.activeElement);
    current.box.remove();
    if (hadFocus || returnFocus) {
      refocused = current.link; // coming back to the link does not open the card again
      current.link.focus();
    }
  }

  function openCard(link) {
    if (card && card.link === link) return;
    closeCard(false);
    var box = document.createElement("div");
    box.className = "user-popup";
    box.hidden = true;
    link.insertAdjacentElement("afterend", box);
    card = { link: link, box: box };
    htmx.ajax("GET", link.pathname + "/popup", { target: box, swap: "innerHTML" }).then(function () {
      if (!card || card.box !== box) return;
      if (!box.firstElementChild) return closeCard(false);
      box.hidden = false;
      place();
    });
  }

  function inCard(node) {
    return !!(card && node && (card.link.contains(node) || card.box.contains(node)));
  }

  function later(link) {
    clearTimeout(openTimer);
    openTimer = setTimeout(function () { openCard(link); }, OPEN_DELAY);
  }

  function leave(next) {
    clearTimeout(openTimer);
    if (inCard(next)) return;
    clearTimeout(closeTimer);
    closeTimer = setTimeout(function () { closeCard(false); }, CLOSE_DELAY);
  }

  // Pointing anywhere else closes the card, even when the element the pointer left was
  // swapped away meanwhile (its mouseout then names a detached element).
  document.addEventListener("mouseover", function (event) {
    if (inCard(event.target)) return clearTimeout(closeTimer);
    var link = cardLink(event.target);
    if (link) later(link);
    else if (card) leave(event.target);
  });
  document.addEventListener("mouseout", function (event) {
    if (cardLink(event.target) || inCard(event.target)) leave(event.relatedTarget);
  });
  document.addEventListener("focusin", function (event) {
    if (inCard(event.target)) return clearTimeout(closeTimer);
    var link = cardLink(event.target);
    var back = link && link === refocused;
    refocused = null;
    if (link && !back) later(link);
    else if (!link && card) closeCard(false);
  });
  document.addEventListener("focusout", function (event) {
    if (cardLink(event.target) || inCard(event.target)) leave(event.relatedTarget);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && (card || openTimer)) closeCard(inCard(document.activeElement));
  });
  window.addEventListener("scroll", place, { passive: true });
  window.addEventListener("resize", place);
})();
