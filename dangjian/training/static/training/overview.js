// The training hours overview's bar chart (no inline script: the data comes from a json_script tag).
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("training-chart");
  const data = document.getElementById("training-data");
  if (!holder || !data || typeof echarts === "undefined") return;
  const chart = JSON.parse(data.textContent);
  if (!chart) return;
  holder.style.height = "300px";
  const plot = echarts.init(holder);
  plot.setOption({
    tooltip: { trigger: "axis" },
    grid: { left: 48, right: 16, top: 24, bottom: 72 },
    xAxis: { type: "category", data: chart.labels, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", min: 0 },
    series: [
      {
        name: chart.title,
        type: "bar",
        data: chart.values,
        itemStyle: { color: "#c8102e" },
        label: { show: true, position: "top" },
      },
    ],
  });
  window.addEventListener("resize", () => plot.resize());
});
