// What the Liveform's two cameras share (live-selfie.js, document-camera.js): closing the camera,
// and a refused or missing camera said in words, with the way out of in-app browsers on iOS, and
// recorded with the flow by name (issue 6).
window.lfCamera = (function () {
  "use strict";

  // iOS refuses the camera without asking inside apps' web views: link to how to leave them.
  function isIOS() {
    return /iPhone|iPad|iPod/.test(navigator.userAgent) ||
      (navigator.platform === "MacIntel" && navigator.maxTouchPoints > 1);
  }

  function stop(stream) {
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
  }

  // page: {errors (name -> words), problem, browserLink, errorUrl, flow, csrf}; returns the name.
  function refused(error, page) {
    var name = (error && error.name) || "Unsupported";
    page.problem.textContent = page.errors[name] || page.errors.Other;
    page.problem.hidden = false;
    if (name === "NotAllowedError" && isIOS()) { page.browserLink.hidden = false; }
    var body = new FormData();
    body.append("error", name);
    body.append("flow", page.flow);
    fetch(page.errorUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": page.csrf, "Accept": "application/json" }
    }).catch(function () {});
    return name;
  }

  return { stop: stop, refused: refused };
}());
