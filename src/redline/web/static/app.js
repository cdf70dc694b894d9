/* Redline web app, run page: pick a scenario, set knobs, run with progress, show the run view. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var state = { info: null, yaml: null, job: null, polling: null, source: null };

  var h = window.RedlineView.h;         // view.js is loaded first
  function showError(msg) {
    var e = $("error");
    if (!msg) { e.hidden = true; e.textContent = ""; return; }
    e.hidden = false; e.textContent = msg;
  }
  var api = window.RedlineClient.api;

  // What the knobs and the Run button act on, always shown: a built-in scenario or an uploaded file.
  function showLoaded() {
    var l = $("loaded");
    l.textContent = "Loaded: " + state.info.name + (state.source ? " (uploaded file " + state.source + ")" : " (built-in)");
    l.setAttribute("data-name", state.info.name);
    l.setAttribute("data-source", state.source ? "upload" : "builtin");
  }

  function fillKnobs(info) {
    state.info = info;
    showLoaded();
    $("scenario-title").textContent = info.title || "";
    $("trials").value = Math.min(info.trials, 2000);
    $("seed").value = info.seed;
    var raid = $("raid"); raid.innerHTML = "";
    Object.keys(info.raid).forEach(function (k) {
      var row = h("div", { "class": "row" }, raid);
      h("label", { "for": "raid-" + k }, row, k);
      h("input", { type: "number", id: "raid-" + k, "data-testid": "raid-" + k, min: 0, max: 5000, value: info.raid[k] }, row);
    });
    var partners = $("partners"); partners.innerHTML = "";
    info.owners.forEach(function (o) {
      var lab = h("label", { "class": "check", title: (info.units_by_owner[o] || []).join(", ") || "sensors only" }, partners);
      var cb = h("input", { type: "checkbox", "data-testid": "partner-" + o, "data-owner": o }, lab);
      cb.checked = true;
      lab.appendChild(document.createTextNode(" " + o));
    });
    var closures = $("closures"); closures.innerHTML = "";
    info.airspace_countries.forEach(function (c) {
      var lab = h("label", { "class": "check" }, closures);
      h("input", { type: "checkbox", "data-testid": "closed-" + c, "data-country": c }, lab);
      lab.appendChild(document.createTextNode(" " + c));
    });
    $("sls").checked = info.shoot_look_shoot;
    var shots = $("shots"); shots.innerHTML = "";
    info.layers.forEach(function (l) {
      var row = h("div", { "class": "row" }, shots);
      h("label", { "for": "shots-" + l, title: "interceptors per engagement" }, row, l);
      var sel = h("select", { id: "shots-" + l, "data-testid": "shots-" + l, "data-layer": l }, row);
      for (var i = 1; i <= 4; i++) h("option", { value: i }, sel, String(i));
      sel.value = String(info.shots[l] || 1);
    });
    var pred = $("predict"); pred.innerHTML = "";
    (info.all_threat_classes || ["drone", "cruise", "ballistic"]).forEach(function (c) {
      var lab = h("label", { "class": "check" }, pred);
      var cb = h("input", { type: "checkbox", "data-testid": "predict-" + c, "data-class": c }, lab);
      cb.checked = info.impact_prediction.indexOf(c) >= 0;
      lab.appendChild(document.createTextNode(" " + c));
    });
    var res = $("results");
    if (res.getAttribute("data-state") !== "done" && info.map && window.RedlineMap) {
      $("preview").innerHTML = "";
      h("h2", null, $("preview"), "Scenario: " + info.name);
      if (info.description) h("p", { "class": "note" }, $("preview"), info.description);
      window.RedlineMap.render(h("div", { "class": "rl-map-wrap" }, $("preview")), info.map, {});
    }
  }

  function knobs() {
    var k = { raid: {}, exclude_owners: [], closed_airspace: [], shots: {}, impact_prediction: [] };
    Object.keys(state.info.raid).forEach(function (c) { k.raid[c] = Number($("raid-" + c).value); });
    document.querySelectorAll("[data-owner]").forEach(function (cb) { if (!cb.checked) k.exclude_owners.push(cb.getAttribute("data-owner")); });
    document.querySelectorAll("[data-country]").forEach(function (cb) { if (cb.checked) k.closed_airspace.push(cb.getAttribute("data-country")); });
    k.shoot_look_shoot = $("sls").checked;
    document.querySelectorAll("select[data-layer]").forEach(function (s) { k.shots[s.getAttribute("data-layer")] = Number(s.value); });
    document.querySelectorAll("[data-class]").forEach(function (cb) { if (cb.checked) k.impact_prediction.push(cb.getAttribute("data-class")); });
    return k;
  }

  function loadBuiltin(name) {
    state.yaml = null;
    state.source = null;
    showError(null);
    return api("GET", "/api/scenarios/" + encodeURIComponent(name)).then(fillKnobs).catch(function (e) { showError(e.message); });
  }

  function render(result) {
    var res = $("results");
    window.redlineMap = window.RedlineView.render(result.view, res, { title: "Run: " + result.view.scenario.name });
    res.setAttribute("data-state", "done");
    document.body.setAttribute("data-run-id", result.run_id || "");
    var blob = new Blob([JSON.stringify(result.summary, null, 2)], { type: "application/json" });
    $("dl-json").href = URL.createObjectURL(blob);
    $("dl-yaml").href = "/api/runs/" + state.job + "/scenario.yaml";
    $("dl-xlsx").href = "/api/runs/" + state.job + "/tables.xlsx";
    $("dl-csv").href = "/api/runs/" + state.job + "/tables.zip";
    $("downloads").hidden = false;
    if (result.store_warning) showError(result.store_warning);
    refreshSaved();
  }

  function poll() {
    api("GET", "/api/runs/" + state.job + "?result=false").then(function (s) {
      $("progress").max = s.total; $("progress").value = s.done;
      $("status").textContent = s.state + ": " + s.done.toLocaleString("en-US") + " / " + s.total.toLocaleString("en-US") +
        " trials, " + s.elapsed_s.toFixed(1) + " s";
      if (s.state === "done") {
        return api("GET", "/api/runs/" + state.job).then(function (full) { finish(); render(full.result); });
      }
      if (s.state === "error") { finish(); showError(s.error); $("results").setAttribute("data-state", "error"); return; }
      state.polling = setTimeout(poll, 200);
    }).catch(function (e) { finish(); showError(e.message); });
  }
  function finish() { $("run").disabled = false; clearTimeout(state.polling); }

  function run() {
    showError(null);
    var body = { trials: Number($("trials").value), params: $("params").value, knobs: knobs() };
    if ($("seed").value !== "") body.seed = Number($("seed").value);
    if (state.yaml !== null) body.scenario_yaml = state.yaml; else body.scenario = $("scenario").value;
    $("run").disabled = true;
    $("results").setAttribute("data-state", "running");
    $("status").textContent = "starting";
    $("progress").value = 0;
    api("POST", "/api/runs", body).then(function (j) { state.job = j.job_id; $("progress").max = j.total; poll(); })
      .catch(function (e) { finish(); showError(e.message); $("results").setAttribute("data-state", "error"); });
  }

  function refreshSaved() {
    api("GET", "/api/store/runs?limit=15").then(function (rows) {
      var ul = $("saved-list"); ul.innerHTML = "";
      rows.forEach(function (r) {
        var li = h("li", null, ul);
        var a = h("a", { "data-run": r.run_id, title: r.headline || "" }, li, r.run_id + " " + (r.scenario || r.kind));
        a.addEventListener("click", function () {
          api("GET", "/api/store/runs/" + r.run_id).then(function (j) {
            window.RedlineView.render(j.view, $("results"), {}); $("results").setAttribute("data-state", "stored");
          }).catch(function (e) { showError(e.message); });
        });
      });
      if (!rows.length) h("li", null, ul, "none yet");
    }).catch(function () {});
  }

  $("scenario").addEventListener("change", function () { $("upload").value = ""; loadBuiltin($("scenario").value); });
  $("upload").addEventListener("change", function () {
    var f = $("upload").files[0];
    if (!f) return;
    // a rejected file changes nothing: the form is cleared back to what is loaded, and the error says so
    function reject(msg) {
      $("upload").value = "";
      $("upload").setAttribute("data-state", "rejected");
      showError("Upload of " + f.name + " rejected: " + msg + "\nStill loaded: " + (state.info ? state.info.name : "nothing") +
                (state.source ? " (uploaded file " + state.source + ")" : " (built-in)") + ".");
    }
    if (f.size > 256 * 1024) { reject("the file is over 256 KiB; trim it"); return; }
    f.text().then(function (text) {
      return api("POST", "/api/scenarios/parse", { scenario_yaml: text }).then(function (info) {
        state.yaml = text; state.source = f.name; showError(null);
        $("upload").setAttribute("data-state", "loaded");
        fillKnobs(info);
      });
    }).catch(function (e) { reject(e.message); });
  });
  $("run").addEventListener("click", run);

  api("GET", "/api/scenarios").then(function (list) {
    var sel = $("scenario");
    list.forEach(function (s) { h("option", { value: s.name }, sel, s.name); });
    var want = new URLSearchParams(location.search).get("scenario");
    // the flagship scenario stays the default now that other built-ins sort before it (issue 10)
    if (!want && list.some(function (s) { return s.name === "april-2024"; })) want = "april-2024";
    if (want && list.some(function (s) { return s.name === want; })) sel.value = want;
    return loadBuiltin(sel.value);
  }).then(function () { document.body.setAttribute("data-ready", "1"); })
    .catch(function (e) { showError(e.message); });
  api("GET", "/api/escalation").then(function (j) {
    if (!j.available) { $("compare-link").title = j.reason; $("compare-link").classList.add("disabled"); }
  }).catch(function () {});
  refreshSaved();
})();
