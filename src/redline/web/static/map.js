/* Redline map: plain SVG drawn from the run view's layers. No tiles, no fonts, no network.
 *
 * RedlineMap.render(container, map, options) draws the map of one run view
 * (see redline.report.view.engagement_view) and returns a controller with
 * setTime(t_s), play(), pause() and the layer groups. Every layer is an SVG
 * <g data-layer="NAME">; the legend toggles them.
 */
(function (global) {
  "use strict";
  var SVGNS = "http://www.w3.org/2000/svg";
  var R_KM = 6371.0088;
  var CLASS_COLOURS = { drone: "#d35400", cruise: "#8e44ad", ballistic: "#c0392b", rocket: "#2c7fb8" };
  var NATION_COLOURS = {
    "israel": "#1f5fbf", "united-states": "#0b3d5c", "united-kingdom": "#b3202a", "france": "#5b3fa8",
    "jordan": "#1e8449", "saudi-arabia": "#7d6608", "iran": "#6e2c00"
  };
  var PALETTE = ["#16a085", "#2c3e50", "#f39c12", "#7f8c8d", "#27ae60", "#2980b9"];
  var LAYERS = [
    ["countries", "Countries", true],
    ["sensor-coverage", "Sensor coverage", false],
    ["envelopes", "Fire-unit envelopes", true],
    ["routes", "Routes", true],
    ["launch-areas", "Launch areas", true],
    ["targets", "Targets", true],
    ["sensors", "Sensors", true],
    ["fire-units", "Fire units", true],
    ["kills", "Engagement (kill) points", true],
    ["impacts", "Impacts", true],
    ["raid", "Raid (animated, sample trial 1)", true]
  ];

  function nationColour(n, nations) {
    if (NATION_COLOURS[n]) return NATION_COLOURS[n];
    var i = (nations || []).indexOf(n);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }

  function el(tag, attrs, parent, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function title(node, text) { el("title", null, node, text); return node; }

  // Equirectangular projection at the scale of the original map's mid latitude, so that zooming
  // (a new centre and scale) keeps shapes; symbols and labels keep their size on screen.
  function projector(bbox, width) {
    var x0 = bbox[0], y0 = bbox[1], x1 = bbox[2], y1 = bbox[3];
    var k = Math.cos((y0 + y1) / 2 * Math.PI / 180);
    var s = width / ((x1 - x0) * k);
    var height = (y1 - y0) * s;
    return make(k, s, (y0 + y1) / 2, (x0 + x1) / 2, width, height);
  }
  function make(k, s, latC, lonC, width, height) {
    return {
      width: width, height: height, s: s, k: k, latC: latC, lonC: lonC,
      p: function (lat, lon) { return [(lon - lonC) * k * s + width / 2, (latC - lat) * s + height / 2]; },
      inv: function (x, y) { return [latC - (y - height / 2) / s, lonC + (x - width / 2) / (k * s)]; },
      zoomed: function (f, x, y) {           // scale by f keeping screen point (x, y) fixed
        var ll = this.inv(x, y), s2 = s * f;
        return make(k, s2, ll[0] + (y - height / 2) / s2, ll[1] - (x - width / 2) / (k * s2), width, height);
      },
      panned: function (dx, dy) { return make(k, s, latC + dy / s, lonC - dx / (k * s), width, height); }
    };
  }

  // Points on the small circle of radius r_km around (lat, lon), spherical Earth.
  function circlePts(lat, lon, rKm, n) {
    n = n || 72;
    var d = rKm / R_KM, la = lat * Math.PI / 180, lo = lon * Math.PI / 180, out = [];
    for (var i = 0; i <= n; i++) {
      var b = 2 * Math.PI * i / n;
      var la2 = Math.asin(Math.sin(la) * Math.cos(d) + Math.cos(la) * Math.sin(d) * Math.cos(b));
      var lo2 = lo + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(la), Math.cos(d) - Math.sin(la) * Math.sin(la2));
      out.push([la2 * 180 / Math.PI, lo2 * 180 / Math.PI]);
    }
    return out;
  }
  function pathD(proj, pts, close) {
    var d = "";
    for (var i = 0; i < pts.length; i++) {
      var xy = proj.p(pts[i][0], pts[i][1]);
      d += (i ? "L" : "M") + xy[0].toFixed(1) + " " + xy[1].toFixed(1);
    }
    return close ? d + "Z" : d;
  }
  function interp(tr, rel) {
    var t = tr.t, n = t.length;
    if (rel <= t[0]) return [tr.lat[0], tr.lon[0]];
    if (rel >= t[n - 1]) return [tr.lat[n - 1], tr.lon[n - 1]];
    var lo = 0, hi = n - 1;
    while (hi - lo > 1) { var m = (lo + hi) >> 1; if (t[m] <= rel) lo = m; else hi = m; }
    var f = (rel - t[lo]) / (t[hi] - t[lo] || 1);
    return [tr.lat[lo] + f * (tr.lat[hi] - tr.lat[lo]), tr.lon[lo] + f * (tr.lon[hi] - tr.lon[lo])];
  }
  function fmtTime(s) {
    var m = Math.floor(s / 60), h = Math.floor(m / 60);
    return "T+" + h + ":" + String(m % 60).padStart(2, "0");
  }

  function render(container, map, options) {
    options = options || {};
    container.innerHTML = "";
    container.classList.add("rl-mapbox");
    var width = options.width || 960;
    var base = projector(map.bbox, width), proj = base;
    var nations = map.nations || [];
    var H = base.height.toFixed(1);
    var svg = el("svg", { viewBox: "0 0 " + width + " " + H, "class": "rl-map", role: "img",
                          "aria-label": "Map of the raid and the defence", "data-testid": "map" }, container);
    el("rect", { x: 0, y: 0, width: width, height: H, "class": "rl-sea" }, svg);
    var root = el("g", { "class": "rl-root" }, svg);
    var groups = {};
    LAYERS.forEach(function (L) {
      var g = el("g", { "data-layer": L[0], "class": "rl-layer rl-" + L[0] }, root);
      if (!L[2]) g.style.display = "none";
      groups[L[0]] = g;
    });
    var r0 = Math.max(2.5, width / 320);
    var tracks = map.tracks || [];
    var th = map.threats, smp = map.sample, dots = [], current = null;

    function draw() {
      Object.keys(groups).forEach(function (k) { groups[k].textContent = ""; });
      var view = [proj.inv(0, 0), proj.inv(width, base.height)];     // [[lat_top, lon_left], [lat_bottom, lon_right]]
      // countries
      (map.countries || []).forEach(function (c) {
        var d = "";
        c.rings.forEach(function (ring) { d += pathD(proj, ring.map(function (q) { return [q[1], q[0]]; }), true); });
        title(el("path", { d: d, "class": "rl-country", "fill-rule": "evenodd", "data-key": c.key }, groups.countries), c.name);
      });
      (map.countries || []).forEach(function (c) {
        var lon = c.label[0], lat = c.label[1];
        var mx = (view[1][1] - view[0][1]) * 0.02, my = (view[0][0] - view[1][0]) * 0.02;
        if (lon > view[0][1] + mx && lon < view[1][1] - mx && lat < view[0][0] - my && lat > view[1][0] + my) {
          var xy = proj.p(lat, lon);
          el("text", { x: xy[0].toFixed(1), y: xy[1].toFixed(1), "class": "rl-country-label" }, groups.countries, c.name);
        }
      });

      // sensor coverage and sensors
      (map.sensors || []).forEach(function (s) {
        if (s.kind === "space") return;
        var col = nationColour(s.owner, nations);
        el("path", { d: pathD(proj, circlePts(s.lat, s.lon, s.range_km), true), "class": "rl-coverage",
                     stroke: col }, groups["sensor-coverage"]);
        var xy = proj.p(s.lat, s.lon), q = r0 * 0.9;
        title(el("rect", { x: (xy[0] - q).toFixed(1), y: (xy[1] - q).toFixed(1), width: (2 * q).toFixed(1),
                           height: (2 * q).toFixed(1), transform: "rotate(45 " + xy[0].toFixed(1) + " " + xy[1].toFixed(1) + ")",
                           "class": "rl-sensor", fill: col, "data-name": s.name }, groups.sensors),
              s.name + " (" + s.type_name + ", " + s.owner + ")\nrange " + s.range_km + " km; detects " + s.detects.join(", "));
      });

      // envelopes and fire units
      (map.units || []).forEach(function (u) {
        var col = nationColour(u.owner, nations);
        if (u.kind === "fighter") {
          el("path", { d: pathD(proj, circlePts(u.lat, u.lon, u.patrol_km), true), "class": "rl-patrol", stroke: col,
                       fill: col, "data-name": u.name }, groups.envelopes);
          el("path", { d: pathD(proj, circlePts(u.lat, u.lon, u.patrol_km + u.range_km), true), "class": "rl-reach",
                       stroke: col }, groups.envelopes);
        } else {
          el("path", { d: pathD(proj, circlePts(u.lat, u.lon, u.range_km), true), stroke: col, fill: col, "data-name": u.name,
                       "class": u.range_km > 400 ? "rl-envelope rl-wide" : "rl-envelope" }, groups.envelopes);
        }
        var xy = proj.p(u.lat, u.lon), node;
        var tip = u.name + ": " + u.type_name + " (" + u.owner + ", " + u.layer + ")\n" +
          (u.kind === "fighter" ? "patrol radius " + u.patrol_km + " km, missile range " : "range ") + u.range_km + " km; " +
          u.rounds + " rounds" + (u.shots_mean !== null ? "\nmean rounds fired " + u.shots_mean + ", kills " + u.kills_mean : "");
        if (u.kind === "fighter") {
          var a = r0 * 1.6;
          node = el("path", { d: "M" + xy[0] + " " + (xy[1] - a) + "L" + (xy[0] + a * 0.8) + " " + (xy[1] + a * 0.7) + "L" +
                            xy[0] + " " + (xy[1] + a * 0.3) + "L" + (xy[0] - a * 0.8) + " " + (xy[1] + a * 0.7) + "Z" });
        } else if (u.kind === "ship") {
          node = el("path", { d: "M" + (xy[0] - r0 * 1.6) + " " + xy[1] + "L" + (xy[0] - r0 * 0.8) + " " + (xy[1] + r0) + "L" +
                            (xy[0] + r0 * 1.6) + " " + (xy[1] + r0) + "L" + (xy[0] + r0 * 1.9) + " " + xy[1] + "Z" });
        } else {
          node = el("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: (r0 * 1.2).toFixed(1) });
        }
        node.setAttribute("class", "rl-unit rl-unit-" + u.kind);
        node.setAttribute("fill", col);
        node.setAttribute("data-name", u.name);
        groups["fire-units"].appendChild(node);
        title(node, tip);
      });

      // routes
      tracks.forEach(function (t) {
        var pts = t.lat.map(function (la, i) { return [la, t.lon[i]]; });
        title(el("path", { d: pathD(proj, pts, false), "class": "rl-route rl-" + t["class"], stroke: CLASS_COLOURS[t["class"]],
                           "stroke-width": (1 + Math.log2(1 + t.count) / 2).toFixed(2), "data-track": t.id }, groups.routes),
              t.threat_name + " " + t.launch + " → " + t.aim + " ×" + t.count + "\n" + t.length_km + " km, " +
              t.flight_min.toFixed(1) + " min flight");
      });

      // sites
      (map.sites || []).forEach(function (s) {
        var xy = proj.p(s.lat, s.lon);
        if (s.role === "launch") {
          var a = r0 * 1.8;
          title(el("path", { d: "M" + xy[0] + " " + (xy[1] - a) + "L" + (xy[0] + a) + " " + (xy[1] + a * 0.8) + "L" + (xy[0] - a) + " " +
                           (xy[1] + a * 0.8) + "Z", "class": "rl-launch", "data-name": s.name }, groups["launch-areas"]),
                s.name + " (launch area)" + (s.note ? "\n" + s.note : ""));
          el("text", { x: (xy[0] + a + 2).toFixed(1), y: (xy[1] + 3).toFixed(1), "class": "rl-site-label" }, groups["launch-areas"], s.name);
        } else if (s.role === "target") {
          var rr = Math.max(r0 * 1.4, s.radius_km / 111.195 * proj.s);
          title(el("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: rr.toFixed(1), "class": "rl-target",
                               "data-name": s.name }, groups.targets),
                s.name + " (" + s.kind + ", value " + s.value + ", radius " + s.radius_km + " km)" + (s.note ? "\n" + s.note : ""));
          el("text", { x: (xy[0] + rr + 2).toFixed(1), y: (xy[1] + 3).toFixed(1), "class": "rl-site-label" }, groups.targets, s.name);
        }
      });

      // kill points and impacts of the sample trials
      var kr = Math.max(1.2, r0 * 0.45);
      (map.kills || []).forEach(function (k) {
        var xy = proj.p(k[0], k[1]);
        el("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: kr.toFixed(1), fill: CLASS_COLOURS[k[2]], "class": "rl-kill" },
           groups.kills);
      });
      (map.impacts || []).forEach(function (k) {
        var xy = proj.p(k[0], k[1]);
        title(el("circle", { cx: xy[0].toFixed(1), cy: xy[1].toFixed(1), r: (kr * 1.6).toFixed(1),
                             "class": k[3] ? "rl-impact rl-hit" : "rl-impact rl-miss" }, groups.impacts),
              k[2] + (k[3] ? " impact on a site" : " impact outside defended sites") + " (trial " + (k[4] + 1) + ")");
      });

      // the animated raid
      dots = [];
      if (smp && th) {
        for (var i = 0; i < th.t0.length; i++) {
          dots.push(el("circle", { r: (r0 * 0.8).toFixed(1), fill: CLASS_COLOURS[th["class"][i]], "class": "rl-dot",
                                   style: "display:none" }, groups.raid));
        }
        if (current !== null) setTime(current);
      }
    }

    // legend
    var legend = html("div", { "class": "rl-legend", "data-testid": "map-legend" }, container);
    LAYERS.forEach(function (L) {
      if (L[0] === "raid" && !smp) return;
      var lab = html("label", null, legend);
      var cb = html("input", { type: "checkbox", "data-layer-toggle": L[0] }, lab);
      cb.checked = L[2];
      cb.addEventListener("change", function () { groups[L[0]].style.display = cb.checked ? "" : "none"; });
      html("span", null, lab, " " + L[1]);
    });
    var keys = html("div", { "class": "rl-keys" }, container);
    Object.keys(CLASS_COLOURS).forEach(function (c) {
      var k = html("span", { "class": "rl-key" }, keys);
      html("i", { style: "background:" + CLASS_COLOURS[c] }, k);
      k.appendChild(document.createTextNode(c));
    });
    nations.forEach(function (n) {
      var k = html("span", { "class": "rl-key" }, keys);
      html("i", { style: "background:" + nationColour(n, nations) + ";border-radius:50%" }, k);
      k.appendChild(document.createTextNode(n));
    });

    // zoom (wheel, buttons) and pan (drag): re-project and redraw
    var pending = false;
    function redraw() {
      if (pending) return;
      pending = true;
      global.requestAnimationFrame(function () { pending = false; root.removeAttribute("transform"); draw(); });
    }
    function toSvg(ev) {
      var r = svg.getBoundingClientRect(), f = width / r.width;
      return [(ev.clientX - r.left) * f, (ev.clientY - r.top) * f];
    }
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var xy = toSvg(ev), f = ev.deltaY < 0 ? 1.25 : 0.8;
      var s2 = Math.min(base.s * 40, Math.max(base.s, proj.s * f));
      if (s2 === proj.s) return;
      proj = s2 === base.s ? base : proj.zoomed(s2 / proj.s, xy[0], xy[1]);
      redraw();
    }, { passive: false });
    var drag = null;
    svg.addEventListener("mousedown", function (ev) { drag = { start: toSvg(ev), d: [0, 0] }; });
    svg.addEventListener("mousemove", function (ev) {
      if (!drag) return;
      var xy = toSvg(ev);
      drag.d = [xy[0] - drag.start[0], xy[1] - drag.start[1]];
      root.setAttribute("transform", "translate(" + drag.d[0].toFixed(1) + " " + drag.d[1].toFixed(1) + ")");
    });
    global.addEventListener("mouseup", function () {
      if (!drag) return;
      if (drag.d[0] || drag.d[1]) { proj = proj.panned(drag.d[0], drag.d[1]); redraw(); }
      drag = null;
    });
    function zoomTo(lat0, lon0, lat1, lon1) {
      var f = Math.min(width / ((lon1 - lon0) * base.k * base.s), base.height / ((lat1 - lat0) * base.s));
      var s2 = Math.min(base.s * 40, Math.max(base.s, base.s * f));
      proj = make(base.k, s2, (lat0 + lat1) / 2, (lon0 + lon1) / 2, width, base.height);
      draw();
    }
    var zoomBar = html("div", { "class": "rl-zoom" }, container);
    html("button", { type: "button", "data-testid": "map-zoom-region" }, zoomBar, "Whole region")
      .addEventListener("click", function () { proj = base; draw(); });
    var core = (map.sites || []).filter(function (s) { return s.role === "target"; }).map(function (s) { return [s.lat, s.lon]; });
    var targets = core.slice();
    (map.units || []).forEach(function (u) {          // batteries defending the targets
      if (u.kind === "battery" && targets.some(function (t) { return Math.abs(t[0] - u.lat) < 1.5 && Math.abs(t[1] - u.lon) < 1.5; }))
        core.push([u.lat, u.lon]);
    });
    function zoomCore() {
      if (!core.length) return;
      var la = core.map(function (q) { return q[0]; }), lo = core.map(function (q) { return q[1]; });
      var pad = 1.6;
      zoomTo(Math.min.apply(null, la) - pad, Math.min.apply(null, lo) - pad, Math.max.apply(null, la) + pad, Math.max.apply(null, lo) + pad);
    }
    if (core.length) html("button", { type: "button", "data-testid": "map-zoom-defended" }, zoomBar, "Defended area")
      .addEventListener("click", zoomCore);

    var ctl = { svg: svg, groups: groups, setTime: function () {}, play: function () {}, pause: function () {},
                zoomTo: zoomTo, zoomDefended: zoomCore, scale: function () { return proj.s / base.s; } };
    draw();
    if (!smp || !th) return ctl;

    // animated raid of sample trial 1
    var n = th.t0.length, tEnd = 0;
    for (var i = 0; i < n; i++) tEnd = Math.max(tEnd, smp.t_end[i] || 0);
    tEnd = Math.ceil(tEnd / 60) * 60 + 60;
    var bar = html("div", { "class": "rl-timebar" }, container);
    var btn = html("button", { type: "button", "class": "rl-play", "data-testid": "map-play" }, bar, "▶ Play");
    var slider = html("input", { type: "range", min: 0, max: tEnd, step: 10, value: 0, "data-testid": "map-time",
                                 "aria-label": "Raid time" }, bar);
    var label = html("span", { "class": "rl-clock", "data-testid": "map-clock" }, bar, "T+0:00");
    var counts = html("span", { "class": "rl-counts", "data-testid": "map-counts" }, bar);

    function setTime(t) {
      current = t;
      var fly = 0, kill = 0, land = 0, fail = 0;
      for (var i = 0; i < n; i++) {
        var d = dots[i], t0 = th.t0[i], te = smp.t_end[i], f = smp.fate[i], pos = null, cls = "rl-dot";
        if (t >= t0 && t < te) { pos = interp(tracks[th.track[i]], t - t0); fly++; }
        else if (t >= te) {
          if (f === "intercepted") { kill++; if (t < te + 240) { pos = [smp.end_lat[i], smp.end_lon[i]]; cls = "rl-dot rl-burst"; } }
          else if (f === "leaked" || f === "impacted") { land++; pos = [smp.end_lat[i], smp.end_lon[i]]; cls = "rl-dot rl-landed"; }
          else if (f === "failed") fail++;
        }
        if (pos) {
          var xy = proj.p(pos[0], pos[1]);
          d.setAttribute("cx", xy[0].toFixed(1)); d.setAttribute("cy", xy[1].toFixed(1));
          d.setAttribute("class", cls); d.style.display = "";
        } else d.style.display = "none";
      }
      slider.value = t;
      label.textContent = fmtTime(t);
      counts.textContent = "in flight " + fly + " · intercepted " + kill + " · landed " + land + " · failed " + fail;
    }
    var playing = false, last = 0, speed = options.speed || (tEnd / 30);
    function frame(ts) {
      if (!playing) return;
      var t = Number(slider.value) + (last ? (ts - last) / 1000 * speed : 0);
      last = ts;
      if (t >= tEnd) { t = tEnd; pause(); }
      setTime(t);
      if (playing) global.requestAnimationFrame(frame);
    }
    function play() { if (Number(slider.value) >= tEnd) slider.value = 0; playing = true; last = 0; btn.textContent = "❚❚ Pause"; global.requestAnimationFrame(frame); }
    function pause() { playing = false; btn.textContent = "▶ Play"; }
    btn.addEventListener("click", function () { if (playing) pause(); else play(); });
    slider.addEventListener("input", function () { setTime(Number(slider.value)); });
    var tStart = options.startTime, best = -1;
    if (tStart === undefined) {   // open on the busiest moment of the raid
      for (var tt = 0; tt <= tEnd; tt += 60) {
        var c = 0;
        for (var j = 0; j < n; j++) if (tt >= th.t0[j] && tt < smp.t_end[j]) c++;
        if (c > best) { best = c; tStart = tt; }
      }
    }
    setTime(tStart);
    ctl.setTime = setTime; ctl.play = play; ctl.pause = pause; ctl.tEnd = tEnd;
    return ctl;
  }

  global.RedlineMap = { render: render, CLASS_COLOURS: CLASS_COLOURS, nationColour: nationColour, LAYERS: LAYERS };
})(typeof window !== "undefined" ? window : this);
