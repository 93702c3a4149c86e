/* Supervision of work points: a sortable matrix and the month-by-month chart (ECharts, drawn
   into a canvas). The chart's data comes from a json_script block, which is not executed. */
(function () {
  // Sort the matrix by a column: click its heading (again to reverse). Delegated, so it keeps
  // working after HTMX swaps the table for a filtered one.
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".dj-sort");
    if (!button) return;
    var table = button.closest("table");
    var col = Number(button.dataset.col);
    var dir = button.dataset.dir === "desc" ? "asc" : "desc";
    if (!button.dataset.dir && button.dataset.type === "text") dir = "asc";
    table.querySelectorAll(".dj-sort").forEach(function (b) { b.dataset.dir = ""; b.closest("th").removeAttribute("aria-sort"); });
    button.dataset.dir = dir;
    button.closest("th").setAttribute("aria-sort", dir === "asc" ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var text = button.dataset.type === "text";
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.sort, y = b.cells[col].dataset.sort;
      var r = text ? x.localeCompare(y, "zh-CN") : Number(x) - Number(y);
      return dir === "asc" ? r : -r;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });

  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var box = document.getElementById("trend");
  if (!data.months.length) { box.style.height = "auto"; box.textContent = data.empty; box.className = "text-muted small"; return; }
  var colors = { met: "#198754", on_track: "#0d6efd", at_risk: "#ffc107", overdue: "#dc3545" };
  var chart = echarts.init(box);
  var series = data.series.map(function (s) {
    return { name: s.name, type: "bar", stack: "status", data: s.data, itemStyle: { color: colors[s.key] } };
  });
  series.push({ name: data.share.name, type: "line", yAxisIndex: 1, data: data.share.data, itemStyle: { color: "#333" } });
  chart.setOption({
    // Drawn into the canvas: the HTML tooltip would carry style="" attributes, which the
    // Content-Security-Policy refuses (style-src 'self').
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 40, right: 40, top: 40, bottom: 30 },
    xAxis: { type: "category", data: data.months },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
