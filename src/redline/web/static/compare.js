/* Redline web app, compare page: policy packages side by side (needs redline.escalation). */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  function h(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function showError(msg) { var e = $("error"); e.hidden = !msg; e.textContent = msg || ""; }
  function api(method, url, body) {
    var opts = { method: method, headers: {} };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (r) {
      return r.json().catch(function () { return { error: "HTTP " + r.status }; }).then(function (j) {
        if (!r.ok) throw new Error(j.error || ("HTTP " + r.status));
        return j;
      });
    });
  }

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
    j.policies.forEach(function (p) {
      var lab = h("label", { "class": "check" }, $("policies"));
      var cb = h("input", { type: "checkbox", "data-policy": p, "data-testid": "policy-" + p }, lab);
      cb.checked = true;
      lab.appendChild(document.createTextNode(" " + p));
    });
    document.body.setAttribute("data-ready", "1");
  }).catch(function (e) { showError(e.message); });

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
    $("compare").disabled = true;
    $("status").textContent = "running…";
    var t0 = Date.now();
    api("POST", "/api/compare", body).then(function (j) {
      $("status").textContent = "done in " + ((Date.now() - t0) / 1000).toFixed(1) + " s";
      window.RedlineView.render(j.view, $("results"), {});
      $("results").setAttribute("data-state", "done");
    }).catch(function (e) { showError(e.message); $("status").textContent = ""; })
      .then(function () { $("compare").disabled = false; });
  });
})();
