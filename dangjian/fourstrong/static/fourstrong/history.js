// A branch's four-strong results across cycles: total score and the final share of
// each dimension per year (line chart). Data from json_script, labels from data- attributes.
(function () {
  function draw() {
    var el = document.getElementById("fourstrong-history");
    var data = document.getElementById("fourstrong-history-data");
    if (!el || !data || typeof echarts === "undefined") return;
    var d = JSON.parse(data.textContent);
    el.style.height = (el.dataset.height || 240) + "px";
    var series = [{ name: el.dataset.totalLabel, type: "line", data: d.total, connectNulls: true }];
    d.dimensions.forEach(function (dim) {
      series.push({
        name: dim.name,
        type: "line",
        data: dim.data,
        connectNulls: true,
        lineStyle: { type: "dashed" }
      });
    });
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 36, right: 12, top: 12, bottom: 48 },
      xAxis: { type: "category", data: d.years },
      yAxis: { type: "value", min: 0, max: 100 },
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
