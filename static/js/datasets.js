// Dataset plots (Chart.js, data from JSON endpoints) and the upload progress bar.
// Progressive enhancement only: without this file the pages show tables and plain forms.
"use strict";

(() => {
  const COLOURS = ["#0b4f8a", "#e07a00", "#1d7a46", "#b42318", "#6b3fa0", "#00838f", "#8a5a00", "#37474f"];
  const charts = new Map();

  function draw(canvas, config) {
    const previous = charts.get(canvas.id);
    if (previous) {
      previous.destroy();
    }
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false, parsing: false, normalized: true },
      config.options || {}
    );
    charts.set(canvas.id, new window.Chart(canvas, config));
  }

  function points(xs, ys, scale) {
    const out = [];
    const n = Math.min(xs.length, ys.length);
    for (let i = 0; i < n; i += 1) {
      if (xs[i] !== null && ys[i] !== null) {
        out.push({ x: xs[i], y: ys[i] * (scale || 1) });
      }
    }
    return out;
  }

  function linear(title) {
    return { type: "linear", title: { display: true, text: title } };
  }

  // A cycle axis counts whole cycles: a step of at least 1 (precision 0), never 1.1, 1.2 ...
  function cycleAxis(title) {
    return Object.assign(linear(title), {
      ticks: { precision: 0, callback: (value) => (Number.isInteger(value) ? value : null) },
    });
  }

  // The table beside the dQ/dV plot follows the cycles drawn (it is the plot's text version).
  function peakTable(labels, peaks) {
    const body = document.querySelector("#dqdv-table tbody");
    if (!body || !peaks.length) {
      return;
    }
    const rows = peaks.map((p) => {
      const row = document.createElement("tr");
      const cells = [
        [String(p.cycle), true],
        [p.branch === "charge" ? labels.labelCharge : labels.labelDischarge, false],
        [p.voltage_v.toFixed(3), true],
        [Number(p.dqdv_ah_per_v.toPrecision(4)).toString(), true],
      ];
      cells.forEach(([text, numeric]) => {
        const cell = document.createElement("td");
        cell.textContent = text;
        if (numeric) {
          cell.className = "num";
        }
        row.appendChild(cell);
      });
      return row;
    });
    body.replaceChildren(...rows);
  }

  async function fetchJson(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    return response.json();
  }

  const renderers = {
    capacity(canvas, data) {
      const d = canvas.dataset;
      const cycles = data.cycle_index || [];
      draw(canvas, {
        type: "line",
        data: {
          datasets: [
            { label: d.labelCapacity, data: points(cycles, data.discharge_capacity_ah || []), borderColor: COLOURS[0], yAxisID: "y", pointRadius: 1 },
            { label: d.labelCharge, data: points(cycles, data.charge_capacity_ah || []), borderColor: COLOURS[2], yAxisID: "y", pointRadius: 1 },
            { label: d.labelRetention, data: points(cycles, data.capacity_retention || [], 100), borderColor: COLOURS[1], yAxisID: "y1", pointRadius: 1 },
          ],
        },
        options: {
          scales: {
            x: cycleAxis(d.labelX),
            y: Object.assign(linear(d.labelCapacity), { position: "left" }),
            y1: Object.assign(linear(d.labelRetention), { position: "right", grid: { drawOnChartArea: false } }),
          },
        },
      });
    },
    voltage(canvas, data) {
      const d = canvas.dataset;
      const curves = data.cycles || {};
      const datasets = Object.keys(curves).map((cycle, i) => ({
        label: `${d.labelCycle} ${cycle}`,
        data: points(curves[cycle].capacity_ah || [], curves[cycle].voltage_v || []),
        borderColor: COLOURS[i % COLOURS.length],
        pointRadius: 0,
        borderWidth: 1.5,
      }));
      draw(canvas, {
        type: "line",
        data: { datasets },
        // A charge-discharge curve is not sorted by capacity. Unparsed (`parsing: false`) or
        // `normalized` data is taken as sorted, so Chart.js would read the x range from the first and
        // last points only and squeeze the curves into a sliver: let it parse and find the range.
        options: {
          parsing: true,
          normalized: false,
          scales: { x: linear(d.labelX), y: linear(d.labelY) },
        },
      });
    },
    dqdv(canvas, data) {
      const d = canvas.dataset;
      const curves = data.cycles || {};
      const datasets = [];
      Object.keys(curves).forEach((cycle, i) => {
        ["charge", "discharge"].forEach((branch) => {
          const curve = curves[cycle][branch];
          if (!curve) {
            return;
          }
          datasets.push({
            label: `${d.labelCycle} ${cycle} ${branch === "charge" ? d.labelCharge : d.labelDischarge}`,
            data: points(curve.voltage_v || [], curve.dqdv_ah_per_v || []),
            borderColor: COLOURS[i % COLOURS.length],
            borderDash: branch === "charge" ? [] : [4, 3],
            pointRadius: 0,
            borderWidth: 1.5,
          });
        });
      });
      draw(canvas, {
        type: "line",
        data: { datasets },
        options: { scales: { x: linear(d.labelX), y: linear(d.labelY) } },
      });
      peakTable(d, data.peaks || []);
    },
    compareVoltage(canvas, data) {
      const d = canvas.dataset;
      const datasets = [];
      (data.series || []).forEach((s, i) => {
        Object.keys(s.voltage || {}).forEach((cycle, j) => {
          datasets.push({
            label: `${s.title}, ${d.labelCycle} ${cycle}`,
            data: points(s.voltage[cycle].capacity_ah || [], s.voltage[cycle].voltage_v || []),
            borderColor: COLOURS[i % COLOURS.length],
            borderDash: j ? [4 + 2 * j, 3] : [],
            pointRadius: 0,
            borderWidth: 1.5,
          });
        });
      });
      draw(canvas, {
        type: "line",
        data: { datasets },
        // Unsorted x (see the voltage renderer): let Chart.js parse and find the range.
        options: { parsing: true, normalized: false, scales: { x: linear(d.labelX), y: linear(d.labelY) } },
      });
    },
    compareDqdv(canvas, data) {
      const d = canvas.dataset;
      const datasets = [];
      (data.series || []).forEach((s, i) => {
        Object.keys(s.dqdv || {}).forEach((cycle) => {
          ["charge", "discharge"].forEach((branch) => {
            const curve = s.dqdv[cycle][branch];
            if (!curve) {
              return;
            }
            datasets.push({
              label: `${s.title}, ${d.labelCycle} ${cycle} ${branch === "charge" ? d.labelCharge : d.labelDischarge}`,
              data: points(curve.voltage_v || [], curve.dqdv_ah_per_v || []),
              borderColor: COLOURS[i % COLOURS.length],
              borderDash: branch === "charge" ? [] : [4, 3],
              pointRadius: 0,
              borderWidth: 1.5,
            });
          });
        });
      });
      draw(canvas, {
        type: "line",
        data: { datasets },
        options: { scales: { x: linear(d.labelX), y: linear(d.labelY) } },
      });
    },
    compare(canvas, data) {
      const d = canvas.dataset;
      const datasets = (data.series || []).map((s, i) => ({
        label: s.title,
        data: points(s.cycle_index || [], s.capacity_retention || [], 100),
        borderColor: COLOURS[i % COLOURS.length],
        pointRadius: 0,
        borderWidth: 1.5,
      }));
      draw(canvas, {
        type: "line",
        data: { datasets },
        options: { scales: { x: cycleAxis(d.labelX), y: linear(d.labelY) } },
      });
    },
  };

  async function load(canvas, url) {
    const render = renderers[canvas.dataset.chart];
    if (!render || !window.Chart) {
      return;
    }
    try {
      render(canvas, await fetchJson(url || canvas.dataset.src));
    } catch (error) {
      canvas.setAttribute("aria-label", `${canvas.getAttribute("aria-label")} (${error.message})`);
    }
  }

  function init() {
    document.querySelectorAll("canvas.dataset-chart[data-src]").forEach((canvas) => load(canvas));

    // Redraw the voltage plot in place when other cycles are chosen (the form still works without JS).
    const cyclesForm = document.getElementById("voltage-cycles-form");
    if (cyclesForm) {
      cyclesForm.addEventListener("submit", (event) => {
        const canvases = cyclesForm.dataset.chartTarget
          .split(" ")
          .map((id) => document.getElementById(id))
          .filter(Boolean);
        if (!canvases.length || !window.Chart) {
          return;
        }
        event.preventDefault();
        const cycles = new FormData(cyclesForm).get("cycles") || "";
        canvases.forEach((canvas) => {
          const url = `${canvas.dataset.baseSrc}?cycles=${encodeURIComponent(cycles)}`;
          canvas.dataset.src = url;
          load(canvas, url);
        });
      });
    }
  }

  // Upload progress: htmx reports XHR progress events for the multipart upload.
  document.addEventListener("htmx:xhr:progress", (event) => {
    const form = event.target.closest ? event.target.closest("form.upload-form") : null;
    const bar = form ? form.querySelector("progress") : null;
    if (!bar || !event.detail.lengthComputable) {
      return;
    }
    bar.hidden = false;
    const percent = Math.round((event.detail.loaded / event.detail.total) * 100);
    bar.value = percent;
    bar.textContent = `${percent} %`;
  });

  // htmx does not swap error responses: say what happened where the result would appear.
  document.addEventListener("htmx:responseError", (event) => {
    const form = event.target.closest ? event.target.closest("form.upload-form") : null;
    const result = document.getElementById("upload-result");
    if (!form || !result) {
      return;
    }
    const message = event.detail.xhr.status === 413 ? form.dataset.tooLarge : form.dataset.failed;
    const paragraph = document.createElement("p");
    paragraph.className = "flash flash-error";
    paragraph.textContent = message;
    result.replaceChildren(paragraph);
    const bar = form.querySelector("progress");
    if (bar) {
      bar.hidden = true;
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
