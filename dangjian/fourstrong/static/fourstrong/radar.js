// Radar chart of a branch's scores per four-strong dimension (self and final, in %).
(function () {
  function draw() {
    var el = document.getElementById("fourstrong-radar");
    var data = document.getElementById("fourstrong-radar-data");
    if (!el || !data || typeof echarts === "undefined") return;
    var d = JSON.parse(data.textContent);
    var selfLabel = el.dataset.selfLabel;
    var finalLabel = el.dataset.finalLabel;
    el.style.height = (el.dataset.height || 320) + "px";
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {},
      legend: { data: [selfLabel, finalLabel], bottom: 0 },
      radar: { indicator: d.indicators, radius: "60%", center: ["50%", "48%"] },
      series: [{
        type: "radar",
        data: [
          { value: d.self, name: selfLabel },
          { value: d.final, name: finalLabel }
        ]
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
