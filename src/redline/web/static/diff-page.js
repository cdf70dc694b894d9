/* Redline web app, diff page: two built-in scenarios on common random numbers, B - A, with progress. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  function showError(msg) { var e = $("error"); e.hidden = !msg; e.textContent = msg || ""; }
  var api = window.RedlineClient.api;

  api("GET", "/api/scenarios").then(function (list) {
    list.forEach(function (s) {
      ["a", "b"].forEach(function (k) {
        var o = document.createElement("option"); o.value = s.name; o.textContent = s.name; o.title = s.title || "";
        $(k).appendChild(o);
      });
    });
    var q = new URLSearchParams(location.search);
    $("a").value = q.get("a") || "april-2024";
    $("b").value = q.get("b") || "april-2024-jordan-closed";
    document.body.setAttribute("data-ready", "1");
  }).catch(function (e) { showError(e.message); });
  $("go").addEventListener("click", function () {
    showError(null);
    var body = { a: $("a").value, b: $("b").value, trials: Number($("trials").value), params: $("params").value };
    if ($("seed").value !== "") body.seed = Number($("seed").value);
    $("go").disabled = true;
    $("progress").value = 0;
    $("status").textContent = "starting…";
    $("results").setAttribute("data-state", "running");
    api("POST", "/api/diff/jobs", body).then(function (start) {
      $("progress").max = start.total;
      return window.RedlineClient.pollJob(start.job_id, function (st) {
        $("progress").max = st.total; $("progress").value = st.done;
        $("status").textContent = st.state + ": " + st.done.toLocaleString("en-US") + " / " + st.total.toLocaleString("en-US") +
          " trials (both runs), " + st.elapsed_s.toFixed(1) + " s";
      });
    }).then(function (res) {
      window.RedlineView.render(res.view, $("results"), {});
      $("results").setAttribute("data-state", "done");
      if (res.store_warning) showError(res.store_warning);
    }).catch(function (e) { showError(e.message); $("results").setAttribute("data-state", "error"); })
      .then(function () { $("go").disabled = false; });
  });
})();
