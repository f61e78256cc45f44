// The home page's world clocks: the server renders each zone's time; this refreshes them at
// every minute, in the browser's language as Backstage's clocks are. The page works without it.
(function () {
  "use strict";
  function tick() {
    var lists = document.querySelectorAll(".world-clock");
    var now = new Date();
    for (var i = 0; i < lists.length; i++) {
      var format = {};
      try { format = JSON.parse(lists[i].getAttribute("data-format") || "{}"); } catch (e) { format = {}; }
      var times = lists[i].querySelectorAll("time[data-time-zone]");
      for (var j = 0; j < times.length; j++) {
        var opts = { hour: "2-digit", minute: "2-digit", timeZone: times[j].getAttribute("data-time-zone") };
        for (var k in format) { if (Object.prototype.hasOwnProperty.call(format, k)) opts[k] = format[k]; }
        try {
          times[j].textContent = now.toLocaleTimeString(navigator.language, opts);
          times[j].setAttribute("datetime", now.toISOString());
        } catch (e) { /* a zone this browser does not know keeps the server's time */ }
      }
    }
    setTimeout(tick, 60000 - (Date.now() % 60000) + 50);
  }
  if (document.querySelector(".world-clock")) tick();
})();
