// Portico's progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // "/" focuses the global search box, as in many developer tools.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.isContentEditable)) return;
    var q = document.getElementById("global-search-q");
    if (q) { e.preventDefault(); q.focus(); }
  });
})();
