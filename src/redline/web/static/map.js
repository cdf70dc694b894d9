/* Redline map: Leaflet (vendored, BSD-2) drawing the run view's GeoJSON-like layers. No tiles, no network.
 *
 * RedlineMap.render(container, map, options) draws the map of one run view
 * (see redline.report.view.engagement_view) and returns a controller with
 * setTime(t_s), play(), pause(), zoomTo(lat0, lon0, lat1, lon1), zoomDefended(),
 * scale() (zoom relative to the whole region, 1 there) and the layer panes.
 *
 * Every layer is a Leaflet pane <div data-layer="NAME"> with its own SVG
 * renderer, so a layer is shown or hidden as a whole; each drawn feature
 * carries the class "rl-f". The legend (a Leaflet control) toggles the
 * layers and explains the colours, and the leak map bins where the sample
 * trials' leakers came down. Labels are decluttered after every zoom: a
 * label that would overlap one of higher priority is hidden.
 *
 * Leaflet replaces about 300 lines of hand-written projection, zoom, pan and
 * hit-testing; what stays custom is the raid animation and the label
 * declutter, which Leaflet does not offer.
 */
(function (global) {
  "use strict";
  var CLASS_COLOURS = { drone: "#d35400", cruise: "#8e44ad", ballistic: "#c0392b", rocket: "#2c7fb8" };
  var NATION_COLOURS = {
    "israel": "#1f5fbf", "united-states": "#0b3d5c", "united-kingdom": "#b3202a", "france": "#5b3fa8",
    "jordan": "#1e8449", "saudi-arabia": "#7d6608", "iran": "#6e2c00", "qatar": "#7b1e3c",
    "united-arab-emirates": "#00732f", "kuwait": "#007a3d", "bahrain": "#ce1126"
  };
  var PALETTE = ["#16a085", "#2c3e50", "#f39c12", "#7f8c8d", "#27ae60", "#2980b9"];
  var LAYERS = [
    ["countries", "Countries", true],
    ["sensor-coverage", "Sensor coverage", false],
    ["envelopes", "Fire-unit envelopes", true],
    ["routes", "Routes", true],
    ["leak-map", "Leak map (density)", true],
    ["launch-areas", "Launch areas", true],
    ["targets", "Targets", true],
    ["sensors", "Sensors", true],
    ["fire-units", "Fire units", true],
    ["kills", "Engagement (kill) points", true],
    ["impacts", "Impacts", true],
    ["raid", "Raid (animated, sample trial 1)", true]
  ];
  var DENSITY = [["#fde0c5", 0.02], ["#f9a66c", 0.1], ["#e4572e", 0.5], ["#8e1b1b", Infinity]];
  var CELL_DEG = 0.02;             // leak-map cell, about 2 km

  function nationColour(n, nations) {
    if (NATION_COLOURS[n]) return NATION_COLOURS[n];
    var i = (nations || []).indexOf(n);
    return PALETTE[(i < 0 ? 0 : i) % PALETTE.length];
  }
  function html(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function popup(text) {                     // text only: names in a scenario never become markup
    var d = document.createElement("div");
    d.className = "rl-popup";
    d.textContent = text;
    return d;
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
  function svgIcon(kind, colour, cls) {
    var shape;
    if (kind === "fighter") shape = '<path d="M9 1 L16 15 L9 11 L2 15 Z"/>';
    else if (kind === "ship") shape = '<path d="M1 8 L4 13 L15 13 L17 8 Z"/>';
    else if (kind === "launch") shape = '<path d="M9 1 L17 16 L1 16 Z"/>';
    else if (kind === "sensor") shape = '<path d="M9 1 L17 9 L9 17 L1 9 Z"/>';
    else shape = '<circle cx="9" cy="9" r="6.5"/>';
    return L.divIcon({
      className: "rl-f " + cls, iconSize: [18, 18], iconAnchor: [9, 9],
      html: '<svg width="18" height="18" viewBox="0 0 18 18" fill="' + colour + '" stroke="#fff" stroke-width="1.2">' + shape + "</svg>"
    });
  }

  // Leakers of the sample trials binned on a grid: mean leakers per trial in each cell.
  function leakCells(impacts, trials) {
    var cells = {};
    (impacts || []).forEach(function (k) {
      var i = Math.floor(k[0] / CELL_DEG), j = Math.floor(k[1] / CELL_DEG), key = i + "," + j;
      cells[key] = (cells[key] || 0) + 1;
    });
    return Object.keys(cells).map(function (key) {
      var ij = key.split(",").map(Number);
      return { lat0: ij[0] * CELL_DEG, lon0: ij[1] * CELL_DEG, per_trial: cells[key] / Math.max(trials, 1) };
    });
  }
  function densityColour(v) {
    for (var i = 0; i < DENSITY.length; i++) if (v <= DENSITY[i][1]) return DENSITY[i][0];
    return DENSITY[DENSITY.length - 1][0];
  }

  function render(container, map, options) {
    options = options || {};
    if (!global.L) throw new Error("Leaflet (vendor/leaflet.js) is not loaded");
    container.innerHTML = "";
    container.classList.add("rl-mapbox");
    var nations = map.nations || [];
    var box = html("div", { "class": "rl-map", "data-testid": "map", role: "region",
                            "aria-label": "Map of the raid and the defence" }, container);
    var lmap = L.map(box, { zoomSnap: 0, zoomDelta: 0.5, wheelPxPerZoomLevel: 120, attributionControl: true,
                            zoomControl: true, worldCopyJump: false, maxZoom: 13 });
    lmap.attributionControl.setPrefix(false);
    lmap.attributionControl.addAttribution("Boundaries: Natural Earth (public domain) · Leaflet");
    // the view first (Leaflet adds layers only to a map that has one): the whole region
    var bb = map.bbox || [30, 12, 58, 40];
    var region = L.latLngBounds([[bb[1], bb[0]], [bb[3], bb[2]]]);
    lmap.fitBounds(region, { animate: false, padding: [0, 0] });
    var z0 = lmap.getZoom(), c0 = lmap.getCenter();
    lmap.setMinZoom(z0 - 1);
    lmap.setMaxBounds(region.pad(0.5));
    var panes = {}, groups = {}, renderers = {};
    LAYERS.forEach(function (Lr, i) {
      var p = lmap.createPane("rl-" + Lr[0]);
      p.setAttribute("data-layer", Lr[0]);
      p.style.zIndex = String(390 + i);
      if (!Lr[2]) p.style.display = "none";
      panes[Lr[0]] = p;
      renderers[Lr[0]] = L.svg({ pane: "rl-" + Lr[0], padding: 0.5 });
      groups[Lr[0]] = L.layerGroup().addTo(lmap);
    });
    var labels = [];   // [marker, priority]
    function opts(layer, extra) {
      var o = { pane: "rl-" + layer, renderer: renderers[layer] };
      for (var k in extra) o[k] = extra[k];
      o.className = "rl-f " + (extra.className || "");
      return o;
    }
    function label(layer, lat, lon, text, cls, priority) {
      var m = L.marker([lat, lon], { pane: "rl-" + layer, interactive: false, keyboard: false,
        icon: L.divIcon({ className: "rl-label " + cls, html: "", iconSize: null, iconAnchor: [-8, 7] }) });
      m.addTo(groups[layer]);
      m.getElement().textContent = text;
      labels.push([m, priority]);
    }

    // countries, from the shipped boundaries, as GeoJSON
    var features = (map.countries || []).map(function (c) {
      return { type: "Feature", properties: { key: c.key, name: c.name }, geometry: { type: "Polygon", coordinates: c.rings } };
    });
    L.geoJSON({ type: "FeatureCollection", features: features }, {
      pane: "rl-countries", renderer: renderers.countries, interactive: true,
      style: function () { return { className: "rl-f rl-country", fillRule: "evenodd", weight: 0.7 }; },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(f.properties.name, { sticky: true });
        layer.on("add", function () { var e = layer.getElement(); if (e) e.setAttribute("data-key", f.properties.key); });
      }
    }).addTo(groups.countries);
    (map.countries || []).forEach(function (c) { label("countries", c.label[1], c.label[0], c.name, "rl-country-label", 0); });

    // sensors and their coverage
    (map.sensors || []).forEach(function (s) {
      if (s.kind === "space") return;
      var col = nationColour(s.owner, nations);
      L.circle([s.lat, s.lon], opts("sensor-coverage", { radius: s.range_km * 1e3, color: col, fill: false, weight: 0.8,
        dashArray: "2 3", interactive: false, className: "rl-coverage" })).addTo(groups["sensor-coverage"]);
      L.marker([s.lat, s.lon], { pane: "rl-sensors", icon: svgIcon("sensor", col, "rl-sensor") })
        .bindPopup(popup(s.name + " (" + s.type_name + ", " + s.owner + ")\nrange " + s.range_km + " km; detects " +
                         s.detects.join(", "))).addTo(groups.sensors);
    });

    // envelopes and fire units
    (map.units || []).forEach(function (u) {
      var col = nationColour(u.owner, nations);
      if (u.kind === "fighter") {
        L.circle([u.lat, u.lon], opts("envelopes", { radius: u.patrol_km * 1e3, color: col, weight: 1, fillOpacity: 0.1,
          className: "rl-patrol", interactive: false })).addTo(groups.envelopes);
        L.circle([u.lat, u.lon], opts("envelopes", { radius: (u.patrol_km + u.range_km) * 1e3, color: col, weight: 0.8,
          fill: false, dashArray: "5 4", className: "rl-reach", interactive: false })).addTo(groups.envelopes);
      } else {
        L.circle([u.lat, u.lon], opts("envelopes", { radius: u.range_km * 1e3, color: col, weight: 1, fillOpacity: 0.07,
          fill: u.range_km <= 400, dashArray: u.range_km > 400 ? "6 3" : null, interactive: false,
          className: u.range_km > 400 ? "rl-envelope rl-wide" : "rl-envelope" })).addTo(groups.envelopes);
      }
      var tip = u.name + ": " + u.type_name + " (" + u.owner + ", " + u.layer + ")\n" +
        (u.kind === "fighter" ? "patrol radius " + u.patrol_km + " km, missile range " : "range ") + u.range_km + " km; " +
        u.rounds + " rounds" + (u.shots_mean !== null ? "\nmean rounds fired " + u.shots_mean + ", kills " + u.kills_mean : "");
      var m = L.marker([u.lat, u.lon], { pane: "rl-fire-units", title: u.name,
                                          icon: svgIcon(u.kind, col, "rl-unit rl-unit-" + u.kind) });
      m.bindPopup(popup(tip)).addTo(groups["fire-units"]);
      m.getElement().setAttribute("data-name", u.name);
    });

    // routes
    var tracks = map.tracks || [];
    tracks.forEach(function (t) {
      var pts = t.lat.map(function (la, i) { return [la, t.lon[i]]; });
      L.polyline(pts, opts("routes", { color: CLASS_COLOURS[t["class"]] || "#555", weight: 1 + Math.log2(1 + t.count) / 2,
        opacity: 0.55, className: "rl-route rl-" + t["class"] }))
        .bindPopup(popup(t.threat_name + " " + t.launch + " → " + t.aim + " ×" + t.count + "\n" + t.length_km + " km, " +
                         t.flight_min.toFixed(1) + " min flight")).addTo(groups.routes);
    });

    // sites: launch areas and targets
    (map.sites || []).forEach(function (s) {
      var note = s.note ? "\n" + s.note : "";
      if (s.role === "launch") {
        L.marker([s.lat, s.lon], { pane: "rl-launch-areas", icon: svgIcon("launch", "#6e2c00", "rl-launch") })
          .bindPopup(popup(s.name + " (launch area)" + note)).addTo(groups["launch-areas"]);
        label("launch-areas", s.lat, s.lon, s.name, "rl-site-label", 2);
      } else if (s.role === "target") {
        L.circle([s.lat, s.lon], opts("targets", { radius: s.radius_km * 1e3, color: "#8e1b1b", weight: 1.2,
          fillColor: "#c0392b", fillOpacity: 0.18, className: "rl-target" }))
          .bindPopup(popup(s.name + " (" + s.kind + ", value " + s.value + ", radius " + s.radius_km + " km)" + note))
          .addTo(groups.targets);
        L.circleMarker([s.lat, s.lon], opts("targets", { radius: 4, color: "#8e1b1b", weight: 1, fillOpacity: 0.6,
          className: "rl-target-dot" })).addTo(groups.targets);
        label("targets", s.lat, s.lon, s.name, "rl-site-label", 3);
      }
    });

    // the leak map: where the sample trials' leakers came down, per trial
    var shown = map.sample ? map.sample.shown : 0;
    leakCells(map.impacts, shown).forEach(function (c) {
      L.rectangle([[c.lat0, c.lon0], [c.lat0 + CELL_DEG, c.lon0 + CELL_DEG]], opts("leak-map", {
        color: densityColour(c.per_trial), weight: 0.5, fillColor: densityColour(c.per_trial), fillOpacity: 0.75,
        className: "rl-leak" })).bindPopup(popup(c.per_trial.toFixed(3) + " leakers per trial in this 2 km cell"))
        .addTo(groups["leak-map"]);
    });

    // kill points and impacts of the sample trials
    (map.kills || []).forEach(function (k) {
      L.circleMarker([k[0], k[1]], opts("kills", { radius: 2.5, stroke: false, fillColor: CLASS_COLOURS[k[2]],
        fillOpacity: 0.45, interactive: false, className: "rl-kill" })).addTo(groups.kills);
    });
    (map.impacts || []).forEach(function (k) {
      L.circleMarker([k[0], k[1]], opts("impacts", { radius: 3.5, color: "#fff", weight: 0.6, fillOpacity: 1,
        fillColor: k[3] ? "#000" : "#7f8c8d", className: k[3] ? "rl-impact rl-hit" : "rl-impact rl-miss" }))
        .bindTooltip(k[2] + (k[3] ? " impact on a site" : " impact outside defended sites") + " (trial " + (k[4] + 1) + ")")
        .addTo(groups.impacts);
    });


    function declutter() {
      var kept = [];
      labels.slice().sort(function (a, b) { return b[1] - a[1]; }).forEach(function (lb) {
        var e = lb[0].getElement();
        if (!e) return;
        e.style.visibility = "";
        if (panes[lb[0].options.pane.slice(3)].style.display === "none") return;
        var r = e.getBoundingClientRect();
        var clash = r.width === 0 || kept.some(function (q) {
          return r.left < q.right && r.right > q.left && r.top < q.bottom && r.bottom > q.top;
        });
        if (clash) e.style.visibility = "hidden"; else kept.push(r);
      });
    }
    lmap.on("zoomend moveend", declutter);

    // legend: layer toggles and colour keys (a Leaflet control)
    var Legend = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var outer = html("details", { "class": "rl-legend leaflet-bar", "data-testid": "map-legend" });
        if (container.clientWidth >= 900) outer.setAttribute("open", "");
        html("summary", null, outer, "Legend and layers");
        var div = html("div", { "class": "rl-legend-body" }, outer);
        L.DomEvent.disableClickPropagation(outer);
        L.DomEvent.disableScrollPropagation(outer);
        html("strong", null, div, "Layers");
        LAYERS.forEach(function (Lr) {
          if (Lr[0] === "raid" && !map.sample) return;
          var lab = html("label", null, div);
          var cb = html("input", { type: "checkbox", "data-layer-toggle": Lr[0] }, lab);
          cb.checked = Lr[2];
          cb.addEventListener("change", function () { panes[Lr[0]].style.display = cb.checked ? "" : "none"; declutter(); });
          html("span", null, lab, " " + Lr[1]);
        });
        html("strong", null, div, "Threat classes");
        Object.keys(CLASS_COLOURS).forEach(function (c) {
          var k = html("span", { "class": "rl-key" }, div);
          html("i", { style: "background:" + CLASS_COLOURS[c] }, k);
          k.appendChild(document.createTextNode(c));
        });
        if (nations.length) html("strong", null, div, "Defenders");
        nations.forEach(function (n) {
          var k = html("span", { "class": "rl-key" }, div);
          html("i", { style: "background:" + nationColour(n, nations) + ";border-radius:50%" }, k);
          k.appendChild(document.createTextNode(n));
        });
        html("strong", null, div, "Impacts");
        [["#000", "on a site"], ["#7f8c8d", "outside every site"]].forEach(function (q) {
          var k = html("span", { "class": "rl-key" }, div);
          html("i", { style: "background:" + q[0] + ";border-radius:50%" }, k);
          k.appendChild(document.createTextNode(q[1]));
        });
        html("strong", null, div, "Leakers per trial, 2 km cell");
        var lo = 0;
        DENSITY.forEach(function (q) {
          var k = html("span", { "class": "rl-key" }, div);
          html("i", { style: "background:" + q[0] }, k);
          k.appendChild(document.createTextNode(q[1] === Infinity ? "> " + lo : (lo ? lo + "–" : "≤ ") + q[1]));
          lo = q[1];
        });
        return outer;
      }
    });
    new Legend().addTo(lmap);

    function zoomTo(lat0, lon0, lat1, lon1) {
      lmap.fitBounds([[lat0, lon0], [lat1, lon1]], { animate: false });
    }
    var core = (map.sites || []).filter(function (s) { return s.role === "target"; }).map(function (s) { return [s.lat, s.lon]; });
    var targets = core.slice();
    (map.units || []).forEach(function (u) {          // batteries defending the targets
      if (u.kind === "battery" && targets.some(function (t) { return Math.abs(t[0] - u.lat) < 1.5 && Math.abs(t[1] - u.lon) < 1.5; }))
        core.push([u.lat, u.lon]);
    });
    function zoomCore() {
      if (!core.length) return;
      var la = core.map(function (q) { return q[0]; }), lo = core.map(function (q) { return q[1]; });
      var pad = 0.6;
      zoomTo(Math.min.apply(null, la) - pad, Math.min.apply(null, lo) - pad, Math.max.apply(null, la) + pad, Math.max.apply(null, lo) + pad);
    }
    function zoomRegion() { lmap.setView(c0, z0, { animate: false }); }
    var zoomBar = html("div", { "class": "rl-zoom" }, container);
    html("button", { type: "button", "data-testid": "map-zoom-region" }, zoomBar, "Whole region").addEventListener("click", zoomRegion);
    if (core.length) html("button", { type: "button", "data-testid": "map-zoom-defended" }, zoomBar, "Defended area")
      .addEventListener("click", zoomCore);

    var ctl = { map: lmap, panes: panes, groups: groups, setTime: function () {}, play: function () {}, pause: function () {},
                zoomTo: zoomTo, zoomDefended: zoomCore, zoomRegion: zoomRegion,
                scale: function () { return Math.round(Math.pow(2, lmap.getZoom() - z0) * 1e6) / 1e6; } };
    global.requestAnimationFrame(declutter);
    var th = map.threats, smp = map.sample;
    if (!smp || !th) return ctl;

    // animated raid of sample trial 1: one circle marker per threat, moved along its track
    var n = th.t0.length, tEnd = 0, dots = [];
    for (var i = 0; i < n; i++) {
      tEnd = Math.max(tEnd, smp.t_end[i] || 0);
      dots.push(L.circleMarker([tracks[th.track[i]].lat[0], tracks[th.track[i]].lon[0]], opts("raid", {
        radius: 4, color: "#fff", weight: 0.8, fillColor: CLASS_COLOURS[th["class"][i]], fillOpacity: 1, opacity: 0,
        interactive: false, className: "rl-dot" })).addTo(groups.raid));
      dots[i].setStyle({ fillOpacity: 0 });
    }
    tEnd = Math.ceil(tEnd / 60) * 60 + 60;
    var bar = html("div", { "class": "rl-timebar" }, container);
    var btn = html("button", { type: "button", "class": "rl-play", "data-testid": "map-play" }, bar, "▶ Play");
    var slider = html("input", { type: "range", min: 0, max: tEnd, step: 10, value: 0, "data-testid": "map-time",
                                 "aria-label": "Raid time" }, bar);
    var clock = html("span", { "class": "rl-clock", "data-testid": "map-clock" }, bar, "T+0:00");
    var counts = html("span", { "class": "rl-counts", "data-testid": "map-counts" }, bar);

    function setTime(t) {
      var fly = 0, kill = 0, land = 0, fail = 0;
      for (var i = 0; i < n; i++) {
        var t0 = th.t0[i], te = smp.t_end[i], f = smp.fate[i], pos = null, style = null;
        var base = CLASS_COLOURS[th["class"][i]];
        if (t >= t0 && t < te) { pos = interp(tracks[th.track[i]], t - t0); fly++; style = { fillColor: base, color: "#fff", radius: 4 }; }
        else if (t >= te) {
          if (f === "intercepted") {
            kill++;
            if (t < te + 240) { pos = [smp.end_lat[i], smp.end_lon[i]]; style = { fillColor: "#ffd400", color: "#b7950b", radius: 6 }; }
          } else if (f === "leaked" || f === "impacted") {
            land++; pos = [smp.end_lat[i], smp.end_lon[i]]; style = { fillColor: "#000", color: "#fff", radius: 4 };
          } else if (f === "failed") fail++;
        }
        if (pos) {
          dots[i].setLatLng(pos);
          style.opacity = 1; style.fillOpacity = 1;
          dots[i].setStyle(style);
          dots[i].setRadius(style.radius);
        } else dots[i].setStyle({ opacity: 0, fillOpacity: 0 });
      }
      slider.value = t;
      clock.textContent = fmtTime(t);
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

  global.RedlineMap = { render: render, CLASS_COLOURS: CLASS_COLOURS, nationColour: nationColour, LAYERS: LAYERS,
                        leakCells: leakCells };
})(typeof window !== "undefined" ? window : this);
