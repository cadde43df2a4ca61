// Supervision overview: tasks by lead unit, stacked by status (data from json_script, no inline code).
document.addEventListener("DOMContentLoaded", () => {
  const holder = document.getElementById("task-chart");
  const source = document.getElementById("task-chart-data");
  if (!holder || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const colors = ["#adb5bd", "#0d6efd", "#0dcaf0", "#198754"];
  const chart = window.echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0 },
    grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
    xAxis: { type: "category", data: data.units, axisLabel: { interval: 0, rotate: data.units.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series
      .map((s, i) => ({ name: s.name, type: "bar", stack: "status", data: s.data, itemStyle: { color: colors[i] } }))
      .concat([{ name: data.overdue_name, type: "line", data: data.overdue, itemStyle: { color: "#dc3545" } }]),
  });
  window.addEventListener("resize", () => chart.resize());
});
