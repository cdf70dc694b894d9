/* Redline web app, compare page: policy packages side by side (needs redline.escalation). */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var h = window.RedlineView.h;         // view.js is loaded first
  function showError(msg) { var e = $("error"); e.hidden = !msg; e.textContent = msg || ""; }
  var api = window.RedlineClient.api;

  api("GET", "/api/escalation").then(function (j) {
    var av = $("availability");
    if (!j.available) {
      av.textContent = "Policy comparison needs the escalation model: " + j.reason + ".";
      $("compare").disabled = true;
      document.body.setAttribute("data-ready", "1");
      return;
    }
    av.textContent = "Choose policy packages (none: the model's default set) and press Compare.";
    (j.start_states || []).forEach(function (st) { h("option", { value: st }, $("start"), st); });
    if ((j.start_states || []).indexOf("april-2024") >= 0) $("start").value = "april-2024";
    // one slider per lever, for a custom package; starts from the status quo (all levers off)
    Object.keys(j.levers || {}).forEach(function (name) {
      var lv = j.levers[name];
      var row = h("div", { "class": "row lever", title: lv.argument + " (" + lv.essay + " essay)" }, $("levers"));
      h("label", { "for": "lever-" + name }, row, name);
      var out = h("output", { id: "lever-out-" + name, "for": "lever-" + name }, row, "0.0");
      var sl = h("input", { type: "range", id: "lever-" + name, "data-lever": name, "data-testid": "lever-" + name,
                            min: "0", max: "1", step: "0.1", value: "0" }, row);
      sl.addEventListener("input", function () { out.textContent = Number(sl.value).toFixed(1); });
    });
    j.policies.forEach(function (p) {
      var lab = h("label", { "class": "check" }, $("policies"));
      var cb = h("input", { type: "checkbox", "data-policy": p, "data-testid": "policy-" + p }, lab);
      cb.checked = true;
      lab.appendChild(document.createTextNode(" " + p));
    });
    document.body.setAttribute("data-ready", "1");
  }).catch(function (e) { showError(e.message); });

  var custom = {};
  function drawCustom() {
    var ul = $("custom-list"); ul.innerHTML = "";
    Object.keys(custom).forEach(function (name) {
      var li = h("li", { "data-custom": name }, ul,
                 name + ": " + (Object.keys(custom[name]).map(function (k) { return k + " " + custom[name][k]; }).join(", ") || "no lever") + " ");
      var rm = h("button", { type: "button", "class": "small", "data-testid": "custom-remove-" + name }, li, "remove");
      rm.addEventListener("click", function () { delete custom[name]; drawCustom(); });
    });
  }
  $("custom-add").addEventListener("click", function () {
    showError(null);
    var name = $("custom-name").value.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/.test(name)) { showError("custom package name: 1-40 letters, digits or dashes"); return; }
    var lv = {};
    document.querySelectorAll("[data-lever]").forEach(function (sl) {
      if (Number(sl.value) > 0) lv[sl.getAttribute("data-lever")] = Number(sl.value);
    });
    custom[name] = lv;
    drawCustom();
  });



  $("compare").addEventListener("click", function () {
    showError(null);
    var names = [];
    document.querySelectorAll("[data-policy]").forEach(function (cb) { if (cb.checked) names.push(cb.getAttribute("data-policy")); });
    $("policy-text").value.split(",").forEach(function (s) { s = s.trim(); if (s && names.indexOf(s) < 0) names.push(s); });
    var body = { paths: Number($("n-paths").value) };
    if ($("start").value) body.start = $("start").value;
    if ($("horizon").value !== "") body.horizon_days = Number($("horizon").value);
    if (names.length) body.policies = names;
    if ($("seed").value !== "") body.seed = Number($("seed").value);
    if (Object.keys(custom).length) body.custom = custom;
    $("compare").disabled = true;
    $("status").textContent = "starting…";
    $("progress").value = 0;
    var t0 = Date.now();
    $("downloads").hidden = true;
    api("POST", "/api/compare/jobs", body).then(function (start) {
      $("progress").max = start.total;
      $("dl-xlsx").href = start.downloads.xlsx; $("dl-csv").href = start.downloads.csv;
      return window.RedlineClient.pollJob(start.job_id, function (st) {
        $("progress").max = st.total; $("progress").value = st.done;
        $("status").textContent = st.state + ": " + st.done + " / " + st.total + " packages, " + st.elapsed_s.toFixed(1) + " s";
      });
    }).then(function (j) {
      $("status").textContent = "done in " + ((Date.now() - t0) / 1000).toFixed(1) + " s";
      window.RedlineView.render(j.view, $("results"), {});
      $("results").setAttribute("data-state", "done");
      $("downloads").hidden = false;
    }).catch(function (e) { showError(e.message); $("status").textContent = ""; })
      .then(function () { $("compare").disabled = false; });
  });
})();
