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
  // The status colours of docs/design.md (the badges use the same).
  var colors = { met: "#146c43", on_track: "#1f5f99", at_risk: "#ffc107", overdue: "#8c1015" };
  var chart = echarts.init(box);
  var series = data.series.map(function (s) {
    return { name: s.name, type: "bar", stack: "status", data: s.data, itemStyle: { color: colors[s.key] } };
  });
  series.push({ name: data.share.name, type: "line", yAxisIndex: 1, data: data.share.data, itemStyle: { color: "#333" } });
  // Chart text at the 14 px floor in the body colour (ECharts draws 12 px grey by default); both
  // axes are named.
  var text = { fontSize: 14, color: "#1f2328" };
  chart.setOption({
    // Drawn into the canvas: the HTML tooltip would carry style="" attributes, which the
    // Content-Security-Policy refuses (style-src 'self').
    tooltip: { trigger: "axis", renderMode: "richText", textStyle: text },
    legend: { top: 0, type: "scroll", textStyle: text },
    // Named axes (what is counted, and in what unit): the y names run along their axes, so on
    // a phone the two never meet above a narrow plot.
    grid: { left: 40, right: 40, top: 48, bottom: 48, containLabel: true },
    textStyle: text,
    xAxis: { type: "category", data: data.months, name: data.axes.x, nameLocation: "middle", nameGap: 32, nameTextStyle: text, axisLabel: text },
    yAxis: [
      { type: "value", minInterval: 1, name: data.axes.y, nameLocation: "middle", nameRotate: 90, nameGap: 30, nameTextStyle: text, axisLabel: text },
      { type: "value", min: 0, max: 100, name: data.axes.share, nameLocation: "middle", nameRotate: -90, nameGap: 52, nameTextStyle: text, axisLabel: { formatter: "{value}%", fontSize: text.fontSize, color: text.color } }
    ],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
