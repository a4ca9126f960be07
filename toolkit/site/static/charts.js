// Draw each chart whose Vega-Lite specification the page holds in a <script type="application/json">.
// The container's data-rendered attribute says when drawing is done ("true") or failed ("error").
document.querySelectorAll('script[type="application/json"][data-chart]').forEach(function (el) {
  var target = document.getElementById(el.dataset.chart);
  // A chart's controls go where the page puts them (#ID-controls, above a tall chart), if it does.
  var controls = document.getElementById(el.dataset.chart + "-controls");
  var options = { renderer: "svg", actions: false };
  if (controls) options.bind = controls;
  vegaEmbed(target, JSON.parse(el.textContent), options)
    .then(function (result) {
      target.dataset.rendered = "true";
      window.charts = window.charts || {};
      window.charts[el.dataset.chart] = result.view;
    })
    .catch(function (err) {
      target.dataset.rendered = "error";
      console.error(err);
    });
});
