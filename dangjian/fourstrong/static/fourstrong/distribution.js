// The office's distribution of a cycle across the tree: for each child organization of
// the cycle's scope, how many branches fall in each score band (stacked bars).
(function () {
  function draw() {
    var el = document.getElementById("fourstrong-distribution");
    var data = document.getElementById("fourstrong-distribution-data");
    if (!el || !data || typeof echarts === "undefined") return;
    var d = JSON.parse(data.textContent);
    el.style.height = (el.dataset.height || 320) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 36, right: 12, top: 12, bottom: 64, containLabel: true },
      xAxis: { type: "category", data: d.categories, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", minInterval: 1 },
      series: d.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "bands", data: s.data };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
