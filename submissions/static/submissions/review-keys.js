/* Review keyboard shortcuts, no dependencies.
   Review queue: j / k select the next / previous row, Enter opens it.
   A submission opened from the queue: j / k open the next / previous pending one,
   a approves, r puts the cursor in the reject comment. Keys typed in a field are left alone. */
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-row]"));
  var current = -1;
  var sent = false;

  function typing(element) {
    return element && (element.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function select(index) {
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach(function (row, n) { row.classList.toggle("row-selected", n === current); });
    var link = rows[current].querySelector("[data-row-link]");
    if (link) { link.focus(); }
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (!link) { return false; }
    window.location.href = link.href;
    return true;
  }

  function approve() {
    var form = document.getElementById("approve-form");
    if (!form || sent) { return; }
    sent = true;  /* one decision per page: a second key press must not send it twice */
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (event.key === "j") {
      if (!follow("queue-next") && rows.length) { select(current + 1); }
    } else if (event.key === "k") {
      if (!follow("queue-prev") && rows.length) { select(current - 1); }
    } else if (event.key === "a") {
      approve();
    } else if (event.key === "r") {
      var comment = document.getElementById("reject-comment");
      if (!comment) { return; }
      comment.focus();
    } else {
      return;
    }
    event.preventDefault();
  });
})();
