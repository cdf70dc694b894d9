/* Redline web app: the calls every page makes to the local API (loaded before the page's own script).
 *
 * RedlineClient.api(method, url, body) answers the JSON body, or rejects with the server's one-line
 * error; RedlineClient.pollJob(jobId, onStatus) polls GET /api/jobs/{id} until the job is done,
 * calling onStatus with each status, and answers the job's result.
 */
(function (global) {
  "use strict";
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
  function pollJob(job, onStatus, everyMs) {
    return api("GET", "/api/jobs/" + job + "?result=false").then(function (st) {
      if (onStatus) onStatus(st);
      if (st.state === "done") return api("GET", "/api/jobs/" + job).then(function (full) { return full.result; });
      if (st.state === "error") throw new Error(st.error || "the job failed");
      return new Promise(function (res) { setTimeout(res, everyMs || 250); }).then(function () {
        return pollJob(job, onStatus, everyMs);
      });
    });
  }
  global.RedlineClient = { api: api, pollJob: pollJob };
})(typeof window !== "undefined" ? window : this);
