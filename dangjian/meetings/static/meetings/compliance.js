// Compliance chart (data from json_script; no inline code under the CSP).
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("compliance-data").textContent);
  var el = document.getElementById("compliance-chart");
  if (!el || !window.echarts) return;
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "axis", formatter: function (p) { var i = p[0].dataIndex; return data.labels[i] + "<br>" + data.compliant[i] + "/" + data.applicable[i] + " (" + data.shares[i] + "%)"; }},
    grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
    xAxis: {type: "value", max: 100, name: "%"},
    yAxis: {type: "category", data: data.labels, inverse: true, axisLabel: {width: 180, overflow: "truncate"}},
    series: [{name: data.name, type: "bar", data: data.shares, itemStyle: {color: "#c8102e"}, label: {show: true, position: "right", formatter: "{c}%"}}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
