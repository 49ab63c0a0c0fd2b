// The desktop's page once the flow went on to a phone: ask every few seconds whether the phone
// has sent the photos, and reload (the server then shows it) when it has.
(function () {
  "use strict";
  var box = document.querySelector("[data-phone-status-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-phone-status-url");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (status) {
        if (status && status.finished) { window.location.reload(); return; }
        window.setTimeout(poll, 3000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
