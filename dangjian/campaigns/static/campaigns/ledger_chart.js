// The ledger's completion by subtree (no inline script: the data comes from a json_script tag).
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("ledger-chart");
  const data = document.getElementById("ledger-chart-data");
  if (!holder || !data || typeof echarts === "undefined") return;
  const chart = JSON.parse(data.textContent);
  if (!chart || !chart.labels.length) return;
  holder.style.height = Math.max(220, 36 * chart.labels.length + 80) + "px";
  const plot = echarts.init(holder);
  plot.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => v + "%" },
    legend: { top: 0 },
    grid: { left: 8, right: 40, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", data: chart.labels, inverse: true },
    series: [
      {
        name: chart.accepted_label,
        type: "bar",
        data: chart.accepted,
        itemStyle: { color: "#198754" },
        label: { show: true, position: "right", formatter: "{c}%" },
      },
      {
        name: chart.reported_label,
        type: "bar",
        data: chart.reported,
        itemStyle: { color: "#0d6efd" },
      },
    ],
  });
  window.addEventListener("resize", () => plot.resize());
});
