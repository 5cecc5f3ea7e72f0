// Taking attendance: a tap saves at once without leaving the page, and marks made by other leaders on
// their own phones show up every few seconds. Without JavaScript each tap is an ordinary form post.
(function () {
  "use strict";
  var root = document.querySelector("[data-lms-attendance]");
  if (!root || !window.fetch) return;
  var status = root.querySelector("[data-lms-attendance-status]");
  var REFRESH_MS = 10000;
  var saving = 0;

  function show(rows) {
    var counts = { present: 0, absent: 0, open: 0 };
    rows.forEach(function (row) {
      var item = root.querySelector('[data-registration="' + row.id + '"]');
      var state = row.present === null ? "" : row.present ? "1" : "0";
      counts[row.present === null ? "open" : row.present ? "present" : "absent"] += 1;
      if (!item) return;
      item.setAttribute("data-present", state);
      item.querySelector(".lms-roll__present").setAttribute("aria-pressed", state === "1" ? "true" : "false");
      item.querySelector(".lms-roll__absent").setAttribute("aria-pressed", state === "0" ? "true" : "false");
      item.querySelector("[data-status]").textContent = row.status;
      item.querySelector("[data-marked]").textContent = row.marked;
    });
    Object.keys(counts).forEach(function (key) {
      var counter = root.querySelector('[data-count="' + key + '"]');
      if (counter) counter.textContent = counts[key];
    });
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  root.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    if (!button) return; // an old browser: let the form post as usual
    event.preventDefault();
    var data = new FormData(form);
    data.set("present", button.value);
    var name = form.closest("[data-registration]").querySelector(".lms-roll__person-name").textContent;
    saving += 1;
    fetch(form.action || window.location.href, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body.error || "");
          show(body.rows);
          var template = status.getAttribute(button.value === "1" ? "data-saved-present" : "data-saved-absent");
          announce(template.replace("{name}", name));
        });
      })
      .catch(function (error) {
        announce(error.message || status.getAttribute("data-failed"));
      })
      .finally(function () { saving -= 1; });
  });

  window.setInterval(function () {
    if (saving || document.hidden) return;
    fetch(root.getAttribute("data-refresh-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && !saving) show(body.rows); })
      .catch(function () {});
  }, REFRESH_MS);
})();
