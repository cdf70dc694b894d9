/* Redline diff view: paired differences B - A of two engagement runs (redline.report.diff.diff_view).
 *
 * Loaded after view.js; RedlineView.render hands views of kind "diff" to renderDiff and every other
 * kind to the renderer it had. Numbers carry data-key ("<group>.<label>.<metric>.<field>") and
 * data-value (unrounded), as in view.js, so tests can read them back.
 */
(function (global) {
  "use strict";
  var RV = global.RedlineView;
  if (!RV) return;
  var base = RV.render;
  var h = RV.h;
  function fmt(x, d, sign) {
    if (x === null || x === undefined) return "–";
    var s = RV.fmt(x, d);
    return sign && x > 0 ? "+" + s : s;
  }
  function digits(r) { return r.metric === "hit_any" ? 3 : (r.metric === "cost_usd" ? 1 : 2); }
  function scale(r, x) { return r.metric === "cost_usd" && x !== null ? x / 1e6 : x; }

  function renderDiff(v, root, opts) {
    opts = opts || {};
    root.innerHTML = "";
    root.setAttribute("data-kind", "diff");
    var head = h("header", { "class": "rl-head" }, root);
    h("h1", null, head, opts.title || "Redline: paired difference of two runs");
    h("p", { "class": "subtitle" }, head, v.title);
    var m = v.manifest || {};
    h("p", { "class": "meta" }, head, "A = " + v.a.name + " (" + v.a.source + (v.a.ref ? " " + v.a.ref : "") + ") · B = " +
      v.b.name + " (" + v.b.source + (v.b.ref ? " " + v.b.ref : "") + ") · " + (m.samples ? m.samples.count + " paired trials" : "") +
      " · seed " + m.seed + " · params " + m.params + (v.run_id ? " · run " + v.run_id : ""));
    var intro = h("section", { id: "diff-intro", "class": "rl-section" }, root);
    h("p", { "class": "note" }, intro, "Both runs use the same seed, trials and parameter draws; the engine's draws are keyed " +
      "by trial, threat, fire unit and salvo, so trial t of A and trial t of B differ only through the change. " +
      "Δ = B − A per trial: its mean ± standard error, and the 5th and 95th percentiles of the per-trial differences. " +
      "Costs in US$ million.");
    v.groups.forEach(function (g) {
      var s = h("section", { id: "diff-" + g.key, "class": "rl-section" }, root);
      h("h2", null, s, g.title);
      var t = h("table", { "class": "rl-table", "data-testid": "diff-" + g.key }, s);
      var tr = h("tr", null, h("thead", null, t));
      [g.dim, "metric", "A", "B", "Δ mean", "± s.e.", "Δ 5%", "Δ 95%"].forEach(function (c) { h("th", null, tr, c); });
      var tb = h("tbody", null, t);
      g.rows.forEach(function (r) {
        var row = h("tr", null, tb);
        h("td", null, row, r.label);
        h("td", null, row, r.metric);
        ["a", "b", "mean", "se", "p05", "p95"].forEach(function (k) {
          var td = h("td", null, row);
          h("span", { "class": "num", "data-key": g.key + "." + r.label + "." + r.metric + "." + k, "data-value": String(r[k]) },
            td, fmt(scale(r, r[k]), digits(r), k === "mean" || k === "p05" || k === "p95"));
        });
      });
      var shown = g.rows.filter(function (r) { return r.metric !== "hit_any" && r.metric !== "launched"; });
      if (typeof Plotly !== "undefined" && shown.length && shown.length <= 40) {
        var div = h("div", { id: "chart-diff-" + g.key, "class": "rl-chart", "data-testid": "chart-diff-" + g.key }, s);
        Plotly.newPlot(div, [{
          type: "bar", orientation: "h", y: shown.map(function (r) { return r.label + " · " + r.metric; }),
          x: shown.map(function (r) { return scale(r, r.mean); }),
          error_x: { type: "data", symmetric: false, array: shown.map(function (r) { return scale(r, r.p95 - r.mean); }),
                     arrayminus: shown.map(function (r) { return scale(r, r.mean - r.p05); }) },
          marker: { color: shown.map(function (r) { return r.mean > 0 ? "#8e1b1b" : "#1f5fbf"; }) }
        }], { height: Math.max(200, 60 + 24 * shown.length), margin: { l: 220, r: 20, t: 10, b: 40 },
              font: { family: "system-ui, sans-serif", size: 12 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fbfbfd",
              xaxis: { title: { text: "B − A: mean, bars to the 5th–95th percentile of per-trial differences" }, zeroline: true },
              yaxis: { autorange: "reversed", automargin: true } }, { displaylogo: false, responsive: true });
      }
    });
    [["A", v.only_in_a], ["B", v.only_in_b]].forEach(function (p) {
      var keys = Object.keys(p[1] || {});
      if (keys.length) h("p", { "class": "note", "data-testid": "only-in-" + p[0] }, root, "Only in " + p[0] + ": " +
        keys.map(function (k) { return k + ": " + p[1][k].join(", "); }).join("; ") + " (counted as zero in the other run).");
    });
    var ms = h("section", { id: "manifest", "class": "rl-section" }, root);
    h("h2", null, ms, "Manifest");
    var mt = h("tbody", null, h("table", { "class": "rl-table", "data-testid": "manifest" }, ms));
    Object.keys(m).forEach(function (k) {
      var row = h("tr", null, mt); h("td", null, row, k);
      h("td", { "data-key": "manifest." + k }, row, typeof m[k] === "object" ? JSON.stringify(m[k]) : String(m[k]));
    });
    return null;
  }

  RV.render = function (v, root, opts) { return v && v.kind === "diff" ? renderDiff(v, root, opts) : base(v, root, opts); };
  RV.renderDiff = renderDiff;
})(typeof window !== "undefined" ? window : this);
