// Staff dashboard chart: reads the JSON data island and draws it with the vendored Chart.js.
// Without JavaScript the same figures are in the table under the chart.
"use strict";

(function () {
  const COLOURS = {
    planned: "#8a96a3",
    in_progress: "#e07a00",
    submitted: "#0b4f8a",
    accepted: "#1d7a46",
    rejected: "#b42318",
    waived: "#c9cfd6",
  };

  function draw() {
    const island = document.getElementById("milestone-chart-data");
    const canvas = document.getElementById("milestone-chart");
    if (!island || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    const data = JSON.parse(island.textContent);
    const labels = data.status_labels || {};
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map((series) => ({
          label: labels[series.status] || series.status,
          data: series.counts,
          backgroundColor: COLOURS[series.status] || "#5a6472",
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
