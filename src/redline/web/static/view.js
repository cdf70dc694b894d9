/* Redline views: tables, charts and map of one run view (shared by the HTML report and the web app).
 *
 * RedlineView.render(view, root) dispatches on view.kind: "run" (an engagement
 * run), "crisis" and "compare" (escalation), anything else as generic tables.
 * Numbers carry data-key (a dotted path into the summary) and data-value
 * (the unrounded number) so that tests can read them back exactly.
 */
(function (global) {
  "use strict";
  var CLASS_COLOURS = { drone: "#d35400", cruise: "#8e44ad", ballistic: "#c0392b", rocket: "#2c7fb8" };
  var PALETTE = ["#1f5fbf", "#c0392b", "#16a085", "#8e44ad", "#d35400", "#2c3e50", "#7d6608", "#27ae60"];
  var PLOT_CONFIG = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };

  function h(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(x, d) {
    if (x === null || x === undefined) return "–";
    if (typeof x !== "number") return String(x);
    if (!isFinite(x)) return x > 0 ? "∞" : (x < 0 ? "−∞" : "NaN");
    d = d === undefined ? 1 : d;
    return x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d });
  }
  function musd(x) { return fmt(x / 1e6, 1); }
  // A probability in percent with two significant digits (at least one decimal), "<0.1 %" below a
  // thousandth and ">99.9 %" above; data-value keeps the exact number.
  function pct(x) {
    if (x === null || x === undefined || typeof x !== "number" || !isFinite(x)) return fmt(x);
    if (x === 0) return "0 %";
    if (x < 0.001) return "<0.1 %";
    if (x > 0.999 && x < 1) return ">99.9 %";
    var v = x * 100, d = Math.max(1, 1 - Math.floor(Math.log10(v)));
    return fmt(v, Math.min(d, 2)) + " %";
  }
  // A difference of probabilities in percentage points, signed.
  function fmtPp(x) {
    if (x === null || x === undefined || typeof x !== "number" || !isFinite(x)) return fmt(x);
    var v = x * 100, a = Math.abs(v);
    if (a === 0) return "0 pp";
    if (a < 0.1) return (v > 0 ? "+" : "−") + "<0.1 pp";
    var d = Math.max(1, 1 - Math.floor(Math.log10(a)));
    return (v > 0 ? "+" : "−") + fmt(a, Math.min(d, 2)) + " pp";
  }
  function num(parent, key, value, text, cls) {
    return h("span", { "class": "num" + (cls ? " " + cls : ""), "data-key": key, "data-value": String(value) }, parent,
             text !== undefined ? text : fmt(value));
  }
  function interval(parent, key, s, money) {
    var f = money ? musd : function (v) { return fmt(v, 1); };
    var g = money ? musd : function (v) { return fmt(v, 0); };
    num(parent, key + ".mean", s.mean, f(s.mean));
    var span = h("span", { "class": "ci" }, parent, " [");
    num(span, key + ".p05", s.p05, g(s.p05));
    span.appendChild(document.createTextNode("–"));
    num(span, key + ".p95", s.p95, g(s.p95));
    span.appendChild(document.createTextNode("]"));
  }
  function section(root, id, titleText, note) {
    var s = h("section", { id: id, "class": "rl-section" }, root);
    h("h2", null, s, titleText);
    if (note) h("p", { "class": "note" }, s, note);
    return s;
  }
  function table(parent, cols, testid) {
    var t = h("table", { "class": "rl-table", "data-testid": testid }, parent);
    var tr = h("tr", null, h("thead", null, t));
    cols.forEach(function (c) { h("th", null, tr, c); });
    return h("tbody", null, t);
  }
  function plot(parent, id, traces, layout) {
    var div = h("div", { id: id, "class": "rl-chart", "data-testid": id }, parent);
    if (typeof Plotly === "undefined") { h("p", { "class": "note" }, div, "(charts need plotly.js)"); return div; }
    // the legend sits at the foot of the chart (container coordinates), below the x-axis title, in a
    // bottom margin kept for it: it never covers the axis, whatever the chart's width
    layout = Object.assign({ margin: { l: 55, r: 15, t: 30, b: 100 }, height: 340, font: { family: "system-ui, sans-serif", size: 12 },
                             legend: { orientation: "h", yref: "container", y: 0, yanchor: "bottom", x: 0 },
                             paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "#fbfbfd" }, layout);
    Plotly.newPlot(div, traces, layout, PLOT_CONFIG);
    // plotly sizes a chart once, from its container at that moment (before a grid has laid out its
    // columns); follow the container from then on, so a chart never spills over its neighbour
    if (typeof ResizeObserver !== "undefined") {
      var last = -1;
      new ResizeObserver(function () {
        var w = div.clientWidth;
        if (w > 0 && w !== last) { last = w; Plotly.Plots.resize(div); }
      }).observe(div);
    }
    return div;
  }
  function grid(parent) { return h("div", { "class": "rl-grid" }, parent); }
  function histTraces(hists, colours) {
    return Object.keys(hists).map(function (k) {
      var hh = hists[k], tot = hh.n.reduce(function (a, b) { return a + b; }, 0) || 1;
      var tr = { type: "bar", name: k, x: hh.x, y: hh.n.map(function (v) { return v / tot; }), opacity: 0.8 };
      if (colours && colours[k]) tr.marker = { color: colours[k] };
      return tr;
    });
  }

  // ---------------------------------------------------------------- engagement run
  function renderRun(v, root, opts) {
    opts = opts || {};
    var s = v.summary, m = v.manifest, sc = v.scenario;
    root.innerHTML = "";
    root.setAttribute("data-kind", "run");
    var head = h("header", { "class": "rl-head" }, root);
    h("h1", null, head, opts.title || ("Redline report: " + sc.name));
    if (sc.title) h("p", { "class": "subtitle" }, head, sc.title);
    if (sc.hypothetical) h("p", { "class": "badge" }, head, "Hypothetical scenario");
    h("p", { "class": "meta" }, head, m.samples.count.toLocaleString("en-US") + " trials · seed " + m.seed + " · engine " + m.details.engine +
      " · parameters " + m.params + " (" + m.details.param_draws + " draws) · redline " + m.version + (v.run_id ? " · run " + v.run_id : ""));

    // headline numbers
    var cards = h("div", { "class": "rl-cards", "data-testid": "cards" }, root);
    function card(label, key, value, text, sub) {
      var c = h("div", { "class": "rl-card" }, cards);
      h("div", { "class": "label" }, c, label);
      num(h("div", { "class": "big" }, c), key, value, text);
      if (sub) h("div", { "class": "sub" }, c, sub);
    }
    var launched = 0, intercepted = 0, leaked = 0, hits = 0;
    Object.keys(s.by_class).forEach(function (k) {
      launched += s.by_class[k].launched.mean; intercepted += s.by_class[k].intercepted.mean; leaked += s.by_class[k].leaked.mean;
    });
    Object.keys(s.hits_by_site || {}).forEach(function (k) { hits += s.hits_by_site[k].mean; });
    card("Threats launched", "total.launched", launched, fmt(launched, 0));
    card("Intercepted (mean)", "total.intercepted", intercepted);
    card("Leaked (mean)", "total.leaked", leaked);
    card("Hits on sites (mean)", "total.hits", hits);
    card("Defence cost, US$ M", "cost_usd.defender.mean", s.cost_usd.defender.mean, musd(s.cost_usd.defender.mean));
    card("Attack cost, US$ M", "cost_usd.attacker.mean", s.cost_usd.attacker.mean, musd(s.cost_usd.attacker.mean));
    card("Exchange ratio", "cost_usd.exchange_ratio", s.cost_usd.exchange_ratio, fmt(s.cost_usd.exchange_ratio, 2),
         "defence cost / attack cost");

    // map
    var ms = section(root, "map-section", "Map",
      "Natural Earth boundaries shipped with Redline; no tiles. Routes by threat class; fire units by nation with their envelopes " +
      "(batteries and ships: maximum range; fighters: patrol circle and reach). Kill points and impacts of the first " +
      (v.map.sample ? v.map.sample.shown : 0) + " sample trials; the animation replays sample trial 1. Scroll to zoom, drag to pan.");
    var mapDiv = h("div", { id: "map", "class": "rl-map-wrap" }, ms);
    var ctl = global.RedlineMap ? global.RedlineMap.render(mapDiv, v.map, opts.map || {}) : null;

    // outcomes by class
    var os = section(root, "outcomes", "Outcome by threat class", "Mean over trials [5th–95th percentile].");
    var counts = ["launched", "failed", "intercepted", "leaked", "impacted"];
    var first = s.by_class[Object.keys(s.by_class)[0]];
    if (first && first.fell_outside) counts.push("fell_outside");   // leaked onto no site (summaries since issue 10)
    var tb = table(os, ["class"].concat(counts.map(function (c) { return c.replace("_", " "); })), "by-class");
    Object.keys(s.by_class).forEach(function (k) {
      var tr = h("tr", null, tb);
      h("td", null, tr, k);
      counts.forEach(function (c) {
        interval(h("td", null, tr), "by_class." + k + "." + c, s.by_class[k][c]);
      });
    });
    var g = grid(os);
    if (v.charts.leakers) plot(g, "chart-leakers", histTraces(v.charts.leakers, CLASS_COLOURS),
      { title: { text: "Leakers per trial, by class" }, barmode: "group", xaxis: { title: { text: "threats leaked" } },
        yaxis: { title: { text: "share of trials" } } });
    if (v.charts.hits && Object.keys(v.charts.hits).length) plot(g, "chart-hits", histTraces(v.charts.hits),
      { title: { text: "Hits per trial, by site" }, barmode: "group", xaxis: { title: { text: "hits" } },
        yaxis: { title: { text: "share of trials" } } });
    var ph = s.p_hit_by_site || {};
    var hb = table(os, ["site", "hits per trial", "P(at least one hit)"], "hits-by-site");
    Object.keys(s.hits_by_site || {}).forEach(function (k) {
      var tr = h("tr", null, hb); h("td", null, tr, k); interval(h("td", null, tr), "hits_by_site." + k, s.hits_by_site[k]);
      var td = h("td", null, tr);
      if (ph[k] !== undefined) num(td, "p_hit_by_site." + k, ph[k], pct(ph[k]));
    });
    // leakers by weapon type (the summary's by_type), where the run has them
    if (s.by_type && Object.keys(s.by_type).length) {
      var tcols = ["launched", "failed", "intercepted", "leaked", "impacted", "fell_outside"];
      var tt = table(os, ["threat type"].concat(tcols.map(function (c) { return c.replace("_", " "); })), "by-type");
      Object.keys(s.by_type).forEach(function (k) {
        var tr = h("tr", null, tt); h("td", null, tr, k);
        tcols.forEach(function (c) {
          var td = h("td", null, tr);
          if (s.by_type[k][c]) interval(td, "by_type." + k + "." + c, s.by_type[k][c]);
        });
      });
    }

    // interceptors
    var is = section(root, "interceptors", "Interceptors used, by type and nation", "Mean rounds fired per trial.");
    var it = v.charts.interceptors;
    var ib = table(is, ["type"].concat(it.nations).concat(["all [5%–95%]", "unit cost, US$ M"]), "interceptors-used");
    it.types.forEach(function (t, i) {
      var tr = h("tr", null, ib);
      h("td", null, tr, it.type_names[i] + " (" + t + ")");
      it.nations.forEach(function (n, j) { num(h("td", null, tr), "interceptors." + t + "." + n, it.mean_rounds[i][j], fmt(it.mean_rounds[i][j], 1)); });
      var td = h("td", null, tr);
      if (s.interceptors_used[t]) interval(td, "interceptors_used." + t, s.interceptors_used[t]);
      h("td", null, tr, musd(it.unit_cost_usd[i]));
    });
    var g2 = h("div", null, is);
    plot(g2, "chart-interceptors", it.nations.map(function (n, j) {
      return { type: "bar", name: n, x: it.types, y: it.mean_rounds.map(function (r) { return r[j]; }),
               marker: { color: global.RedlineMap ? global.RedlineMap.nationColour(n, it.nations) : "#1f5fbf" } };
    }), { title: { text: "Rounds fired per trial" }, barmode: "stack" });
    var nb = h("div", { "class": "rl-row" }, g2);
    var nt = table(nb, ["nation", "intercepts [5%–95%]"], "intercepts-by-nation");
    Object.keys(s.intercepts_by_nation).forEach(function (k) {
      var tr = h("tr", null, nt); h("td", null, tr, k); interval(h("td", null, tr), "intercepts_by_nation." + k, s.intercepts_by_nation[k]);
    });
    var lt = table(nb, ["layer", "intercepts [5%–95%]"], "intercepts-by-layer");
    Object.keys(s.intercepts_by_layer).forEach(function (k) {
      var tr = h("tr", null, lt); h("td", null, tr, k); interval(h("td", null, tr), "intercepts_by_layer." + k, s.intercepts_by_layer[k]);
    });

    // costs
    var cs = section(root, "costs", "Costs and exchange ratio",
      "Defence: interceptors fired × unit cost; attack: threats launched × unit cost (catalog values, sources below).");
    var ct = table(cs, ["side", "US$ M, mean [5%–95%]"], "costs");
    ["defender", "attacker"].forEach(function (k) {
      var tr = h("tr", null, ct); h("td", null, tr, k); interval(h("td", null, tr), "cost_usd." + k, s.cost_usd[k], true);
    });
    var tr = h("tr", null, ct); h("td", null, tr, "exchange ratio (defence / attack)");
    num(h("td", null, tr), "cost_usd.exchange_ratio", s.cost_usd.exchange_ratio, fmt(s.cost_usd.exchange_ratio, 2));
    var at = v.charts.attack;
    plot(cs, "chart-costs", [
      { type: "bar", name: "defence", orientation: "h", y: it.type_names, x: it.types.map(function (t, i) {
          var tot = it.mean_rounds[i].reduce(function (a, b) { return a + b; }, 0); return tot * it.unit_cost_usd[i] / 1e6; }),
        marker: { color: "#1f5fbf" } },
      { type: "bar", name: "attack", orientation: "h", y: at.type_names, x: at.types.map(function (t, i) {
          return at.count[i] * at.unit_cost_usd[i] / 1e6; }), marker: { color: "#c0392b" } }
    ], { title: { text: "Cost by weapon type, US$ M (mean)" }, height: 380, margin: { l: 230, r: 15, t: 30, b: 70 } });

    // timeline
    if (v.charts.timeline) {
      var tl = v.charts.timeline;
      var ts = section(root, "timeline", "Raid timeline",
        "Threats launched per " + (tl.bin_s / 60) + "-minute bin by class, and mean flights ending per bin by fate (over " +
        tl.sample_trials + " sample trials).");
      var traces = Object.keys(tl.launched).map(function (k) {
        return { type: "bar", name: "launched: " + k, x: tl.t_min, y: tl.launched[k], marker: { color: CLASS_COLOURS[k] }, opacity: 0.55 };
      });
      [["intercepted", "#1f5fbf"], ["impacted", "#000"], ["leaked", "#7f8c8d"], ["failed", "#bbb"]].forEach(function (p) {
        traces.push({ type: "scatter", mode: "lines", name: p[0], x: tl.t_min, y: tl[p[0]], line: { color: p[1], width: 2 } });
      });
      plot(ts, "chart-timeline", traces, { barmode: "stack", height: 400, margin: { l: 55, r: 15, t: 30, b: 140 }, xaxis: { title: { text: "minutes after first launch" } },
                                          yaxis: { title: { text: "threats per bin" } } });
    }

    renderManifest(root, m, v);
    renderSources(root, v.sources || [], v.source_urls || {}, sc.sources || []);
    return ctl;
  }

  function renderManifest(root, m, v) {
    var ms = section(root, "manifest", "Manifest", "Everything needed to reproduce these numbers.");
    var mb = table(ms, ["field", "value"], "manifest");
    var rows = Object.assign({}, v && v.run_id ? { run_id: v.run_id } : {}, m);
    Object.keys(rows).forEach(function (k) {
      var tr = h("tr", null, mb); h("td", null, tr, k);
      var val = rows[k];
      h("td", { "data-key": "manifest." + k }, tr, typeof val === "object" ? JSON.stringify(val) : String(val));
    });
  }

  function renderSources(root, rows, urls, scenarioSources) {
    var ss = section(root, "sources", "Sources of the catalog values used",
      "Every catalog quantity of the threat, interceptor and sensor types in this run, with the value the run used " +
      "where it is an uncertain parameter (the mean of its draws: the fitted posterior by default), its confidence tag " +
      "(W well sourced, S single source, E estimate, C claim, D disputed, assumption, derived) and source keys" +
      (Object.keys(urls).length ? " (linked to the pages read)." : "."));
    var sb = table(ss, ["entry", "field", "catalog value", "range", "used in this run [5%–95%]", "conf.", "source", "note"], "sources");
    function f3(x) { return fmt(x, x % 1 ? 3 : 0); }
    function keyLinks(td, text) {
      var re = /\[([A-Z]{1,3}\d{1,3})\]/g, last = 0, mm;
      while ((mm = re.exec(text)) !== null) {
        td.appendChild(document.createTextNode(text.slice(last, mm.index)));
        var u = urls[mm[1]];
        if (u) h("a", { href: u.url, title: u.note || u.url, rel: "noreferrer noopener", target: "_blank" }, td, mm[0]);
        else td.appendChild(document.createTextNode(mm[0]));
        last = re.lastIndex;
      }
      td.appendChild(document.createTextNode(text.slice(last)));
    }
    rows.forEach(function (r) {
      var tr = h("tr", null, sb);
      h("td", null, tr, r.entry);
      h("td", null, tr, r.field);
      h("td", null, tr, fmt(r.value, r.value % 1 ? 3 : 0));
      h("td", null, tr, r.range ? fmt(r.range[0], r.range[0] % 1 ? 3 : 0) + "–" + fmt(r.range[1], r.range[1] % 1 ? 3 : 0) : "");
      var u = h("td", { "class": "used" }, tr);
      if (r.used) {   // the value the run drew from (the fitted posterior, or the catalog value itself)
        num(u, "sources." + r.entry + "." + r.field + ".used", r.used.mean, f3(r.used.mean));
        if (r.used.p95 > r.used.p05) h("span", { "class": "ci" }, u, " [" + f3(r.used.p05) + "–" + f3(r.used.p95) + "]");
      }
      h("td", { "class": "conf conf-" + r.confidence }, tr, r.confidence);
      keyLinks(h("td", null, tr), r.source || "");
      h("td", { "class": "small" }, tr, r.note || "");
    });
    if (scenarioSources && scenarioSources.length) {
      var p = h("p", { "class": "note" }, ss, "Scenario sources: ");
      keyLinks(p, scenarioSources.join(" "));
    }
  }

  // ---------------------------------------------------------------- escalation (crisis, compare)
  function renderEscalation(v, root, opts) {
    opts = opts || {};
    root.innerHTML = "";
    root.setAttribute("data-kind", v.kind);
    var head = h("header", { "class": "rl-head" }, root);
    h("h1", null, head, opts.title || (v.kind === "compare" ? "Redline: policy packages compared" : "Redline: crisis outlook"));
    if (v.title) h("p", { "class": "subtitle" }, head, v.title);
    var m = v.manifest || {};
    var bits = [];
    if (m.samples) bits.push(m.samples.unit + " " + m.samples.count);
    ["subject", "seed", "params", "version"].forEach(function (k) {
      if (m[k] !== undefined && m[k] !== null && typeof m[k] !== "object") bits.push(k + " " + m[k]);
    });
    if (bits.length || v.run_id) h("p", { "class": "meta" }, head, bits.join(" · ") + (v.run_id ? " · run " + v.run_id : ""));

    var ps = section(root, "p-war", "P(regional war)", "Probability that the crisis becomes a regional war within the horizon, " +
      "mean with its 5–95% interval (parameter uncertainty included where the model samples it); changes are paired " +
      "against the status quo on common random numbers where the model gives them.");
    var okeys = [];
    v.p_war.forEach(function (r) { Object.keys(r.outcomes || {}).forEach(function (k) { if (okeys.indexOf(k) < 0) okeys.push(k); }); });
    var pretty = function (k) { return k.replace(/^p_/, "P(").replace(/_/g, " ") + (k.indexOf("p_") === 0 ? ")" : ""); };
    var tb = table(ps, ["policy", "P(regional war)", "5%", "95%", "Δ vs status quo [5%–95%]"].concat(okeys.map(pretty)), "p-war");
    v.p_war.forEach(function (r) {
      var tr = h("tr", null, tb);
      var td0 = h("td", { title: r.description || "" }, tr, r.name);
      if (r.description) h("div", { "class": "small" }, td0, r.description);
      num(h("td", null, tr), "p_war." + r.name + ".mean", r.mean, pct(r.mean));
      num(h("td", null, tr), "p_war." + r.name + ".p05", r.p05, pct(r.p05));
      num(h("td", null, tr), "p_war." + r.name + ".p95", r.p95, pct(r.p95));
      var td = h("td", null, tr);
      if (r.delta !== null && r.delta !== undefined) {
        num(td, "p_war." + r.name + ".delta", r.delta, fmtPp(r.delta));
        if (r.delta_p05 !== null && r.delta_p05 !== undefined)
          h("span", { "class": "ci" }, td, " [" + fmtPp(r.delta_p05) + " to " + fmtPp(r.delta_p95) + "]");
      }
      okeys.forEach(function (k) {
        var o = (r.outcomes || {})[k], c = h("td", null, tr);
        if (o && o.mean !== null) {
          var isP = k.indexOf("p_") === 0, f = isP ? pct : function (x) { return fmt(x, 3); };
          num(c, "outcomes." + r.name + "." + k, o.mean, f(o.mean));
          if (o.p05 !== null) h("span", { "class": "ci" }, c, " [" + f(o.p05) + "–" + f(o.p95) + "]");
        }
      });
    });
    plot(ps, "chart-pwar", [{
      type: "bar", orientation: "h", y: v.p_war.map(function (r) { return r.name; }), x: v.p_war.map(function (r) { return r.mean; }),
      error_x: { type: "data", symmetric: false, array: v.p_war.map(function (r) { return r.p95 === null ? 0 : r.p95 - r.mean; }),
                 arrayminus: v.p_war.map(function (r) { return r.p05 === null ? 0 : r.mean - r.p05; }) },
      marker: { color: "#8e1b1b" }
    }], { height: Math.max(220, 60 + 38 * v.p_war.length), margin: { l: 170, r: 20, t: 20, b: 40 },
          xaxis: { title: { text: "P(regional war)" }, rangemode: "tozero", tickformat: ".1%" }, yaxis: { autorange: "reversed" } });

    if (v.paths && v.paths.length) {
      var pp = section(root, "paths", "Most likely paths", "Sequences of moves, most frequent first.");
      var pt = table(pp, ["policy", "path", "end", "share"], "paths");
      v.paths.forEach(function (r) {
        var tr = h("tr", null, pt);
        h("td", null, tr, r.policy || "");
        h("td", { "class": "path" }, tr, r.path);
        h("td", null, tr, r.end || "");
        h("td", null, tr, r.p === null || r.p === undefined ? "" : pct(r.p));
      });
    }
    var TITLES = { stocks_end: "Stocks at the horizon", interceptors_used: "Interceptors used", "summary statistics": "Summary statistics" };
    (v.tables || []).forEach(function (t, i) {
      var ts = section(root, "table-" + t.key.replace(/[^a-z0-9]+/gi, "-"), TITLES[t.key] || t.key.replace(/_/g, " "),
                       "Mean over paths [5th–95th percentile].");
      var tt = table(ts, ["", "mean [5%–95%]"], "table-" + t.key.replace(/[^a-z0-9]+/gi, "-"));
      t.rows.forEach(function (r) {
        var tr = h("tr", null, tt); h("td", null, tr, r.name);
        var c = h("td", null, tr);
        num(c, t.key + "." + r.name + ".mean", r.mean, fmt(r.mean, Math.abs(r.mean) < 10 ? 3 : 1));
        if (r.p05 !== null) h("span", { "class": "ci" }, c, " [" + fmt(r.p05, 1) + "–" + fmt(r.p95, 1) + "]");
      });
      if (t.key === "stocks_end" || t.key === "interceptors_used") {
        plot(ts, "chart-" + t.key, [{ type: "bar", orientation: "h", y: t.rows.map(function (r) { return r.name; }),
          x: t.rows.map(function (r) { return r.mean; }), marker: { color: t.key === "stocks_end" ? "#1f5fbf" : "#7d6608" },
          error_x: { type: "data", symmetric: false, array: t.rows.map(function (r) { return r.p95 === null ? 0 : r.p95 - r.mean; }),
                     arrayminus: t.rows.map(function (r) { return r.p05 === null ? 0 : r.mean - r.p05; }) } }],
          { height: Math.max(200, 50 + 30 * t.rows.length), margin: { l: 130, r: 20, t: 10, b: 35 }, yaxis: { autorange: "reversed" } });
      }
    });
    if (v.stocks && v.stocks.length) {
      var st = section(root, "stocks", "Stock depletion", "Missile and interceptor stocks over the rounds of the crisis (mean, with interval where given).");
      var traces = [];
      v.stocks.forEach(function (sr) {
        traces.push({ type: "scatter", mode: "lines", name: sr.name, x: sr.t, y: sr.y });
        if (sr.lo && sr.hi) traces.push({ type: "scatter", mode: "lines", x: sr.t.concat(sr.t.slice().reverse()),
          y: sr.hi.concat(sr.lo.slice().reverse()), fill: "toself", line: { width: 0 }, opacity: 0.2, showlegend: false, hoverinfo: "skip" });
      });
      plot(st, "chart-stocks", traces, { height: 340, xaxis: { title: { text: v.stocks[0].t_label || "round" } },
                                       yaxis: { title: { text: "remaining" } } });
    }
    if (v.other && Object.keys(v.other).length) renderGeneric({ summary: v.other }, h("div", null, root), "Other results");
    renderManifest(root, m, v);
  }

  // ---------------------------------------------------------------- anything else
  function renderGeneric(v, root, heading) {
    var gs = section(root, "results", heading || "Results");
    function walk(obj, prefix, tbody) {
      Object.keys(obj).forEach(function (k) {
        var val = obj[k], key = prefix ? prefix + "." + k : k;
        if (val && typeof val === "object" && !Array.isArray(val)) walk(val, key, tbody);
        else {
          var tr = h("tr", null, tbody); h("td", null, tr, key);
          var td = h("td", null, tr);
          if (typeof val === "number") num(td, key, val, fmt(val, Math.abs(val) < 10 ? 3 : 1));
          else td.textContent = JSON.stringify(val);
        }
      });
    }
    walk(v.summary || {}, "", table(gs, ["quantity", "value"], "generic"));
    if (v.manifest) renderManifest(root, v.manifest, v);
  }

  // ---------------------------------------------------------------- campaign (redline.report.campaign)
  function renderCampaign(v, root, opts) {
    opts = opts || {};
    root.innerHTML = "";
    root.setAttribute("data-kind", "campaign");
    var head = h("header", { "class": "rl-head" }, root);
    h("h1", null, head, opts.title || ("Redline campaign: " + v.campaign));
    if (v.title) h("p", { "class": "subtitle" }, head, v.title);
    if (v.hypothetical) h("p", { "class": "badge" }, head, "Hypothetical scenario");
    var m = v.manifest || {};
    h("p", { "class": "meta" }, head, v.days.length + " days × " + v.waves_per_day + " wave(s) · " +
      (m.samples ? m.samples.count.toLocaleString("en-US") + " trials" : "") + " · seed " + m.seed + " · parameters " + m.params +
      (v.run_id ? " · run " + v.run_id : ""));
    if (v.totals) {
      var cards = h("div", { "class": "rl-cards", "data-testid": "cards" }, root);
      [["Threats launched", "totals.launched", v.totals.launched, fmt(v.totals.launched, 0)],
       ["Leaked (mean)", "totals.leaked.mean", v.totals.leaked.mean],
       ["Impacted (mean)", "totals.impacted.mean", v.totals.impacted.mean]].forEach(function (c) {
        var d = h("div", { "class": "rl-card" }, cards);
        h("div", { "class": "label" }, d, c[0]);
        num(h("div", { "class": "big" }, d), c[1], c[2], c[3]);
      });
    }
    var ds = section(root, "daily", "Day by day", "Mean over trials [5th–95th percentile]; defence cost is the mean.");
    var tb = table(ds, ["day", "launched", "leaked", "impacted", "impacted so far", "defence cost, US$ M"], "campaign-daily");
    v.daily.forEach(function (r) {
      var tr = h("tr", null, tb);
      h("td", null, tr, String(r.day));
      num(h("td", null, tr), "daily." + r.day + ".launched", r.launched, fmt(r.launched, 0));
      ["leaked", "impacted", "impacted_cumulative"].forEach(function (k) {
        interval(h("td", null, tr), "daily." + r.day + "." + k, r[k]);
      });
      num(h("td", null, tr), "daily." + r.day + ".defender_cost_usd", r.defender_cost_usd, musd(r.defender_cost_usd));
    });
    var g = grid(ds);
    var traces = Object.keys(v.impacted_by_class).map(function (k) {
      return { type: "bar", name: "impacted: " + k, x: v.days, y: v.impacted_by_class[k], marker: { color: CLASS_COLOURS[k] } };
    });
    traces.push({ type: "scatter", mode: "lines+markers", name: "impacted so far", x: v.days, y: v.impacted_cumulative,
                  yaxis: "y2", line: { color: "#000" } });
    plot(g, "chart-campaign-daily", traces, { title: { text: "Impacts per day, by class (mean)" }, barmode: "stack",
      xaxis: { title: { text: "day" }, dtick: 1 }, yaxis: { title: { text: "impacts per day" } },
      yaxis2: { overlaying: "y", side: "right", title: { text: "cumulative" }, rangemode: "tozero" } });
    var st = [];
    Object.keys(v.stocks).forEach(function (t, i) {
      var c = v.stocks[t], col = PALETTE[i % PALETTE.length];
      st.push({ type: "scatter", mode: "lines", x: v.days.concat(v.days.slice().reverse()), y: c.p95.concat(c.p05.slice().reverse()),
                fill: "toself", line: { width: 0 }, fillcolor: col, opacity: 0.18, showlegend: false, hoverinfo: "skip" });
      st.push({ type: "scatter", mode: "lines+markers", name: t, x: v.days, y: c.mean, line: { color: col } });
      if (c.reserve > 0) st.push({ type: "scatter", mode: "lines", name: t + " reserve", x: v.days,
                                  y: v.days.map(function () { return c.reserve; }), line: { color: col, dash: "dash", width: 1 } });
    });
    plot(g, "chart-campaign-stocks", st, { title: { text: "Interceptor stock at the end of each day (mean, 5–95 %)" },
      xaxis: { title: { text: "day" }, dtick: 1 }, yaxis: { title: { text: "rounds left" }, rangemode: "tozero" } });
    if (v.reserve && v.reserve.length) {
      var rs = section(root, "reserve", "When each stock reaches its reserve",
                       "Share of trials in which the stock falls to its reserve within the campaign, and the day it does.");
      var rt = table(rs, ["stock", "reserve level", "P(reached)", "day: median [5%–95%]"], "campaign-reserve");
      v.reserve.forEach(function (r) {
        var tr = h("tr", null, rt);
        h("td", null, tr, r.stock); h("td", null, tr, String(r.reserve_level));
        num(h("td", null, tr), "reserve." + r.stock + ".p_within", r.p_within, pct(r.p_within));
        var d = r.day || {};
        h("td", null, tr, d.p50 === null || d.p50 === undefined ? "not reached" :
          fmt(d.p50, 0) + " [" + fmt(d.p05, 0) + "–" + (d.p95 === null ? "–" : fmt(d.p95, 0)) + "]");
      });
    }
    renderManifest(root, m, v);
    return null;
  }

  function render(v, root, opts) {
    if (v.kind === "run") return renderRun(v, root, opts);
    if (v.kind === "campaign") return renderCampaign(v, root, opts);
    if (v.kind === "crisis" || v.kind === "compare") return renderEscalation(v, root, opts);
    root.innerHTML = "";
    var head = h("header", { "class": "rl-head" }, root);
    h("h1", null, head, (opts && opts.title) || ("Redline: " + v.kind));
    renderGeneric(v, root);
    return null;
  }

  // h(tag, attrs, parent, text): a new element (attributes that are undefined or null left out; text as text, never markup)
  global.RedlineView = { render: render, renderRun: renderRun, renderEscalation: renderEscalation, renderCampaign: renderCampaign, fmt: fmt, pct: pct, pp: fmtPp, h: h };
})(typeof window !== "undefined" ? window : this);
