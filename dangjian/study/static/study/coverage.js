// The coverage page's bar chart (no inline script: the data comes from a json_script tag).
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("coverage-chart");
  const data = document.getElementById("coverage-data");
  if (!holder || !data || typeof echarts === "undefined") return;
  const chart = JSON.parse(data.textContent);
  holder.style.height = "260px";
  const plot = echarts.init(holder);
  plot.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => `${v}%` },
    grid: { left: 40, right: 16, top: 24, bottom: 32 },
    xAxis: { type: "category", data: chart.labels },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      {
        name: chart.title,
        type: "bar",
        data: chart.values,
        itemStyle: { color: "#c8102e" },
        label: { show: true, position: "top", formatter: "{c}%" },
      },
    ],
  });
  window.addEventListener("resize", () => plot.resize());
});
