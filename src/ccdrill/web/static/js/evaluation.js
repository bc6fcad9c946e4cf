/* Charts of the evaluation pages (results: customer impact; history: the trend), drawn with the vendored ECharts.
   Data comes from <script type="application/json" data-chart-data="…"> blocks: no inline script (CSP). */
(function () {
  "use strict";
  function data(name) {
    var el = document.querySelector('[data-chart-data="' + name + '"]');
    try { return el ? JSON.parse(el.textContent) : null; } catch (e) { return null; }
  }
  function chart(name, option) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (!el || !window.echarts) return;
    var c = window.echarts.init(el, null, { renderer: "svg" });
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  function draw() {
    var d = data("impact");
    if (d) {
      chart("impact", {
        animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 40, right: 12, top: 36, bottom: 28 },
        xAxis: { type: "category", data: d.labels },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: [
          { name: d.names[0], type: "line", data: d.baseline, showSymbol: false, lineStyle: { type: "dashed" }, color: "#7b8794" },
          { name: d.names[1], type: "line", data: d.incident, showSymbol: false, color: "#d64545",
            markLine: { silent: true, symbol: "none", data: [{ yAxis: d.target, name: d.names[2] }], lineStyle: { color: "#2f855a" },
              label: { position: "insideEndTop", formatter: d.names[2] + " {c}%" } } }
        ]
      });
    }
    var h = data("history");
    if (h) {
      chart("history", {
        animation: false, tooltip: { trigger: "axis" }, legend: { top: 0 },
        grid: { left: 44, right: 96, top: 52, bottom: 28 },
        xAxis: { type: "category", data: h.labels },
        yAxis: [{ type: "value", min: 0, max: 100, name: h.names[0] },
                { type: "value", splitLine: { show: false }, axisLabel: { color: "#c05656" } },
                { type: "value", offset: 48, splitLine: { show: false }, axisLabel: { color: "#dd6b20" } }],
        series: [
          { name: h.names[0], type: "line", data: h.overall, color: "#2b6cb0", symbolSize: 8 },
          { name: h.names[1], type: "line", yAxisIndex: 2, data: h.first, color: "#dd6b20", symbolSize: 6 },
          { name: h.names[2], type: "bar", yAxisIndex: 1, data: h.customers, color: "rgba(214,69,69,.35)", barMaxWidth: 28 }
        ]
      });
    }
    document.querySelectorAll("select[data-autosubmit]").forEach(function (s) {
      s.addEventListener("change", function () { s.form.submit(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw); else draw();
})();
