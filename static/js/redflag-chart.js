/* Red-flag charts: one line chart per indicator of an asset, drawn from the JSON the page embeds
   (activities/selectors/redflag.py, _chart). Months before the assignment in grey, under it in red,
   the target dashed. Chart.js is vendored in static/vendor/chartjs-4.6.1/. */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var GREY = "#9e9e9e";
  var RED = "#b71c1c";
  var GREEN = "#2e7d32";

  data.series.forEach(function (s) {
    var canvas = document.querySelector('canvas[data-indicator="' + s.key + '"]');
    if (!canvas) {
      return;
    }
    var datasets = [
      { label: data.text.before, data: s.before, borderColor: GREY, backgroundColor: GREY, spanGaps: true, tension: 0.2 },
      { label: data.text.during, data: s.during, borderColor: RED, backgroundColor: RED, spanGaps: true, tension: 0.2 }
    ];
    if (s.target !== null) {
      datasets.push({
        label: data.text.target + " " + s.target + " " + s.unit,
        data: data.labels.map(function () { return s.target; }),
        borderColor: GREEN,
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false
      });
    }
    new window.Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { title: { display: true, text: s.unit } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
      }
    });
  });
}());
