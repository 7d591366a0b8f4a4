// Draws the dashboard's charts from the page's json_script data (the same figures as the
// tables under each chart) and makes tables with class "sortable" sortable by heading.
(function () {
  "use strict";
  const palette = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#64748b"];
  // Series whose meaning is fixed (commit attribution's human and unknown lines): greys.
  const fixedColors = { "human": "#475569", "unknown (untracked)": "#cbd5e1" };

  function read(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function draw(canvasId, config) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || typeof Chart === "undefined") return;
    config.options = Object.assign(
      { responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false } },
      config.options || {});
    new Chart(canvas, config);
    canvas.dataset.drawn = "true";
  }

  const percentAxis = { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
    title: { display: true, text: "%" } };

  const share = read("data-share");
  if (share) {
    draw("chart-share", {
      data: {
        labels: share.map((d) => d.date),
        datasets: [
          { type: "bar", label: "AI lines added", data: share.map((d) => d.ai),
            backgroundColor: palette[0], stack: "lines", yAxisID: "y" },
          { type: "bar", label: "Other lines added", data: share.map((d) => d.other),
            backgroundColor: "#cbd5e1", stack: "lines", yAxisID: "y" },
          // No line through days without added lines: the share is null there (a gap).
          { type: "line", label: "AI share %", data: share.map((d) => d.share),
            borderColor: palette[1], backgroundColor: palette[1], yAxisID: "pct", pointRadius: 2 },
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
        title: { display: true, text: "lines" } }, pct: percentAxis } },
    });
  }

  const ext = read("data-ext");
  if (ext) {
    draw("chart-ext", {
      type: "bar",
      data: {
        labels: ext.days.map((d) => d.date),
        datasets: ext.series.map((name, i) => ({
          label: name, data: ext.days.map((d) => d.values[i]),
          backgroundColor: name === "other" ? "#94a3b8" : (fixedColors[name] || palette[i % palette.length]),
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
        title: { display: true, text: "lines added" } } } },
    });
  }

  function stacked(canvasId, data, unit) {
    if (!data) return;
    draw(canvasId, {
      type: "bar",
      data: {
        labels: data.days.map((d) => d.date),
        datasets: data.series.map((name, i) => ({
          label: name, data: data.days.map((d) => d.values[i]),
          backgroundColor: name === "other" ? "#94a3b8" : (fixedColors[name] || palette[i % palette.length]),
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
        title: { display: true, text: unit } } } },
    });
  }
  stacked("chart-model", read("data-model"), "accepted AI lines");
  stacked("chart-tools", read("data-tools"), "committed lines added");

  const next = read("data-next");
  if (next) {
    draw("chart-next", {
      data: {
        labels: next.map((d) => d.date),
        datasets: [
          { type: "bar", label: "Suggested", data: next.map((d) => d.suggested),
            backgroundColor: "#cbd5e1", yAxisID: "y" },
          { type: "bar", label: "Accepted", data: next.map((d) => d.accepted),
            backgroundColor: palette[2], yAxisID: "y" },
          { type: "line", label: "Acceptance rate %", data: next.map((d) => d.rate),
            borderColor: palette[4], backgroundColor: palette[4], yAxisID: "pct", pointRadius: 2 },
        ],
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: "count" } },
        pct: percentAxis } },
    });
  }

  // Sortable tables: a click on a heading sorts by that column (numbers numerically), again
  // to reverse.
  document.querySelectorAll("table.sortable").forEach((table) => {
    table.querySelectorAll("thead th").forEach((th, index) => {
      th.tabIndex = 0;
      th.classList.add("sort");
      const sort = () => {
        const body = table.tBodies[0];
        const rows = Array.from(body.rows).filter((r) => r.cells.length > index);
        const numeric = th.classList.contains("num");
        const dir = th.dataset.dir === "desc" ? "asc" : "desc";
        table.querySelectorAll("thead th").forEach((h) => { delete h.dataset.dir; h.removeAttribute("aria-sort"); });
        th.dataset.dir = dir;
        th.setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
        const key = (r) => { const v = r.cells[index].dataset.sort ?? r.cells[index].textContent;
          return numeric ? parseFloat(v) || 0 : v.toLowerCase(); };
        rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0) * (dir === "asc" ? 1 : -1));
        rows.forEach((r) => body.appendChild(r));
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", (e) => { if (e.key === "Enter") sort(); });
    });
  });
})();
