// aktsom serve: reloads this tab when the preview has been rebuilt, keeping the scroll
// position, and shows build errors in an overlay. Added by `aktsom serve` to the pages
// it serves; never part of the published site.
(function () {
  "use strict";
  var me = document.currentScript;
  var pageBuild = (me && me.getAttribute("data-build")) || "";
  var scrollKey = "aktsom-scroll:" + location.pathname + location.search;
  var reloading = false;
  var dismissed = null;

  function restoreScroll() {
    var saved = null;
    try {
      saved = sessionStorage.getItem(scrollKey);
      sessionStorage.removeItem(scrollKey);
    } catch (e) {
      return;
    }
    if (!saved) return;
    var pos;
    try {
      pos = JSON.parse(saved);
    } catch (e) {
      return;
    }
    if (!pos || typeof pos.x !== "number" || typeof pos.y !== "number") return;
    var go = function () {
      window.scrollTo(pos.x, pos.y);
    };
    go();
    if (document.readyState !== "complete") {
      window.addEventListener("load", go, { once: true });
    }
  }

  function reload() {
    if (reloading) return;
    reloading = true;
    try {
      sessionStorage.setItem(
        scrollKey,
        JSON.stringify({ x: window.scrollX, y: window.scrollY })
      );
    } catch (e) {
      // Private mode or storage full: reload without the position.
    }
    location.reload();
  }

  function overlay() {
    return document.getElementById("aktsom-live");
  }

  function removeOverlay() {
    var o = overlay();
    if (!o) return;
    var hadFocus = o.contains(document.activeElement);
    o.remove();
    if (hadFocus) {
      var main = document.querySelector("main");
      if (main) {
        if (!main.hasAttribute("tabindex")) main.setAttribute("tabindex", "-1");
        main.focus();
      }
    }
  }

  function showError(html, id) {
    var o = overlay();
    if (o && o.getAttribute("data-error-id") === id) return;
    removeOverlay();
    if (id === dismissed) return;
    document.body.insertAdjacentHTML("afterbegin", html);
  }

  function apply(data) {
    if (!data || typeof data.build !== "string") return;
    if (data.build !== pageBuild) {
      // A newer build is complete: show it.
      reload();
      return;
    }
    if (typeof data.error === "string") {
      showError(data.error, data.error_id);
    } else {
      dismissed = null;
      removeOverlay();
    }
  }

  document.addEventListener("click", function (e) {
    var t = e.target;
    if (t && t.closest && t.closest(".aktsom-live-close")) {
      var o = overlay();
      dismissed = o ? o.getAttribute("data-error-id") : null;
      removeOverlay();
    }
  });
  document.addEventListener("keydown", function (e) {
    var o = overlay();
    if (e.key === "Escape" && o && o.contains(document.activeElement)) {
      dismissed = o.getAttribute("data-error-id");
      removeOverlay();
    }
  });

  restoreScroll();

  // A page the first build has not made yet: ask for it again until it is there.
  if (document.querySelector("[data-aktsom-building]") && window.fetch) {
    var poll = function () {
      fetch(location.href, { method: "HEAD", cache: "no-store" }).then(
        function (r) {
          if (r.status === 503) setTimeout(poll, 500);
          else reload();
        },
        function () {
          setTimeout(poll, 2000);
        }
      );
    };
    setTimeout(poll, 500);
  }

  if (!window.EventSource) return;
  var events = new EventSource("/__aktsom/events");
  ["hello", "reload", "ok", "build-error"].forEach(function (name) {
    events.addEventListener(name, function (e) {
      var data;
      try {
        data = JSON.parse(e.data);
      } catch (x) {
        return;
      }
      apply(data);
    });
  });
})();
