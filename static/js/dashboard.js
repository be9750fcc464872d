/* The branch dashboard (templates/branch/overview.html): its two charts, drawn from the JSON the page
   embeds with json_script (branch/dashboard.py, chart_data), and the quarter menu that shows the
   chosen quarter as soon as it is picked. Chart.js is vendored in static/vendor/chartjs-4.6.1/. */
(function () {
  "use strict";

  var menu = document.querySelector("select[data-autosubmit]");
  if (menu && menu.form) {
    menu.addEventListener("change", function () { menu.form.submit(); });
  }

  var source = document.getElementById("dashboard-chart-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var RED = "#b71c1c";
  var GREY = "#9e9e9e";
  var BLUE = "#1565c0";
  var GREEN = "#2e7d32";
  var common = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    interaction: { mode: "index", intersect: false },
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
  };

  var activity = document.querySelector('canvas[data-chart="activity"]');
  if (activity) {
    new window.Chart(activity, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.text.activities, data: data.activities, backgroundColor: RED, yAxisID: "count", order: 2 },
          { label: data.text.meetings, data: data.meetings, backgroundColor: GREY, yAxisID: "count", order: 3 },
          {
            type: "line",
            label: data.text.attendance,
            data: data.attendance,
            borderColor: BLUE,
            backgroundColor: BLUE,
            yAxisID: "people",
            tension: 0.2,
            order: 1
          }
        ]
      },
      options: Object.assign({}, common, {
        scales: {
          count: { position: "left", beginAtZero: true, ticks: { precision: 0 } },
          people: { position: "right", beginAtZero: true, ticks: { precision: 0 }, grid: { drawOnChartArea: false } }
        }
      })
    });
  }

  var attainment = document.querySelector('canvas[data-chart="attainment"]');
  if (attainment) {
    new window.Chart(attainment, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.text.attained_percent, data: data.attained_percent, backgroundColor: GREEN }]
      },
      options: Object.assign({}, common, {
        scales: { y: { min: 0, max: 100, ticks: { callback: function (v) { return v + " %"; } } } },
        plugins: {
          legend: common.plugins.legend,
          tooltip: {
            callbacks: {
              // "62.5 % (5 / 8)": the share, then on target out of the assignments with readings.
              label: function (item) {
                var i = item.dataIndex;
                if (item.raw === null) {
                  return "";
                }
                return item.raw + " % (" + data.attained[i] + " / " + data.assessed[i] + ")";
              }
            }
          }
        }
      })
    });
  }
}());
