/* The export job page: ask the status endpoint every second and move the progress bar; once the job
 * is done or failed, reload so the page shows the download button or the error as the server
 * renders them. Without this script the page has a refresh link. No libraries.
 * Markup: [data-export-job][data-status-url], inside it [data-export-progress] (aria-valuenow),
 * [data-export-bar] (the bar) and [data-export-rows] (the row count). */
(function () {
  "use strict";
  var root = document.querySelector("[data-export-job]");
  if (!root || !window.fetch) return;
  var url = root.getAttribute("data-status-url");
  var progress = root.querySelector("[data-export-progress]");
  var bar = root.querySelector("[data-export-bar]");
  var rows = root.querySelector("[data-export-rows]");
  var INTERVAL = 1000;
  var failures = 0;

  function show(data) {
    var percent = Math.max(0, Math.min(100, data.progress || 0));
    if (progress) progress.setAttribute("aria-valuenow", String(percent));
    if (bar) {
      bar.style.width = Math.max(percent, 3) + "%";
      bar.textContent = percent + "%";
    }
    if (rows && data.rows_label) rows.textContent = data.rows_label;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        show(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () {
        // The server or the network hiccupped: try again, less and less often (at most every 30 s).
        failures += 1;
        window.setTimeout(poll, Math.min(30000, INTERVAL * Math.pow(2, failures)));
      });
  }

  window.setTimeout(poll, INTERVAL);
})();
