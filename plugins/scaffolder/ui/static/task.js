// Streams a scaffolder task's events (Server-Sent Events) into the task page: step states,
// log lines, the error and the output links. The page works without it (it refreshes).
(function () {
  "use strict";
  var root = document.querySelector(".scaffolder-task");
  if (!root || root.dataset.finished === "true" || !window.EventSource) { return; }
  var url = root.dataset.stream + "?after=" + encodeURIComponent(root.dataset.after || "0");
  var source = new EventSource(url, { withCredentials: true });
  // Step ids may repeat (Backstage runs such templates): an event goes to the first step of
  // its id that has not finished, since steps run in order.
  function step(id) {
    var all = root.querySelectorAll('.scaffolder-step[data-step="' + CSS.escape(id) + '"]');
    for (var i = 0; i < all.length; i++) {
      if (!/completed|failed|skipped|cancelled/.test(all[i].querySelector(".step-status").textContent)) { return all[i]; }
    }
    return all.length ? all[all.length - 1] : null;
  }
  function setStatus(el, status) {
    el.textContent = status;
    el.className = "step-status " + status;
  }
  function onEvent(ev) {
    var data;
    try { data = JSON.parse(ev.data); } catch (e) { return; }
    root.dataset.after = String(data.id);
    var body = data.body || {};
    if (data.type === "completion") {
      var status = /status: (\w+)/.exec(body.message || "");
      setStatus(document.getElementById("task-status"), status ? status[1] : "completed");
      if (body.error && body.error.message) {
        var err = document.getElementById("task-error");
        err.textContent = body.error.message;
        err.hidden = false;
      }
      var links = (body.output && body.output.links) || [];
      var list = document.getElementById("output-links");
      links.forEach(function (l) {
        var href = l.url;
        if (!href && l.entityRef) {
          var m = /^([^:]+):(?:([^/]+)\/)?(.+)$/.exec(l.entityRef);
          if (m) { href = "/catalog/" + encodeURIComponent(m[2] || "default") + "/" + encodeURIComponent(m[1].toLowerCase()) + "/" + encodeURIComponent(m[3]); }
        }
        // Only web links: a template's output must not smuggle javascript: URLs in.
        if (!href || !/^(https?:\/\/|\/)/i.test(href)) { return; }
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = href;
        a.textContent = l.title || href;
        li.appendChild(a);
        list.appendChild(li);
      });
      if (links.length) { document.getElementById("task-output").hidden = false; }
      var cancel = document.getElementById("cancel-button");
      if (cancel) { cancel.disabled = true; }
      source.close();
      return;
    }
    var el = body.stepId ? step(body.stepId) : null;
    if (!el) {
      document.getElementById("general-log").textContent += (body.message || "") + "\n";
      return;
    }
    if (body.status) {
      setStatus(el.querySelector(".step-status"), body.status);
      if (body.status === "processing" || body.status === "failed") { el.querySelector("details").open = true; }
    }
    if (body.message) { el.querySelector(".step-log").textContent += body.message + "\n"; }
  }
  ["log", "completion", "cancelled", "recovered"].forEach(function (t) { source.addEventListener(t, onEvent); });
  source.onerror = function () {
    // The server closes the stream after completion; reconnect from the last event otherwise.
    source.close();
    if (document.getElementById("task-status").textContent.match(/completed|failed|cancelled/)) { return; }
    setTimeout(function () { location.reload(); }, 2000);
  };
})();
