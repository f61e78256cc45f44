// Pan and zoom for catalog graphs (the catalog-graph plugin). The graphs work without this
// script: it only adds zoom buttons, Ctrl+wheel zoom and dragging, by changing the SVG's
// viewBox. A drag never counts as a click on the node under the pointer.
(function () {
  "use strict";

  function setup(box) {
    var svg = box.querySelector("svg.cg-svg");
    if (!svg || box.getAttribute("data-cg-zoom")) {
      return;
    }
    box.setAttribute("data-cg-zoom", "on");
    var orig = svg.getAttribute("viewBox").split(/\s+/).map(Number);
    var vb = orig.slice();

    function apply() {
      svg.setAttribute("viewBox", vb.join(" "));
    }
    // zoom scales the view by f around (cx, cy) in drawing coordinates (default: the centre).
    function zoom(f, cx, cy) {
      if (cx === undefined) {
        cx = vb[0] + vb[2] / 2;
        cy = vb[1] + vb[3] / 2;
      }
      var w = vb[2] * f;
      if (w > orig[2] * 4 || w < orig[2] / 25) {
        return;
      }
      vb = [cx - (cx - vb[0]) * f, cy - (cy - vb[1]) * f, w, vb[3] * f];
      apply();
    }
    // scale is drawing units per screen pixel.
    function scale() {
      var r = svg.getBoundingClientRect();
      return Math.max(vb[2] / r.width, vb[3] / r.height);
    }

    var bar = document.createElement("div");
    bar.className = "cg-zoom";
    [
      ["+", "Zoom in", function () { zoom(0.8); }],
      ["\u2212", "Zoom out", function () { zoom(1.25); }],
      ["\u21ba", "Reset zoom", function () { vb = orig.slice(); apply(); }]
    ].forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b[0];
      btn.title = b[1];
      btn.setAttribute("aria-label", b[1]);
      btn.addEventListener("click", b[2]);
      bar.appendChild(btn);
    });
    box.parentNode.insertBefore(bar, box);

    svg.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) {
        return; // plain scrolling scrolls the page
      }
      e.preventDefault();
      var m = svg.getScreenCTM();
      if (!m) {
        return;
      }
      var p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
      zoom(e.deltaY < 0 ? 0.85 : 1 / 0.85, p.x, p.y);
    }, { passive: false });

    var start = null;
    var dragged = false;
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) {
        return;
      }
      start = { x: e.clientX, y: e.clientY, vb: vb.slice(), k: scale() };
      dragged = false;
    });
    svg.addEventListener("pointermove", function (e) {
      if (!start) {
        return;
      }
      var dx = e.clientX - start.x;
      var dy = e.clientY - start.y;
      if (!dragged && Math.abs(dx) + Math.abs(dy) < 5) {
        return;
      }
      dragged = true;
      vb = [start.vb[0] - dx * start.k, start.vb[1] - dy * start.k, vb[2], vb[3]];
      apply();
    });
    window.addEventListener("pointerup", function () {
      start = null;
    });
    svg.addEventListener("click", function (e) {
      if (dragged) {
        e.preventDefault();
        dragged = false;
      }
    }, true);
  }

  function init() {
    document.querySelectorAll(".cg-graph").forEach(setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
