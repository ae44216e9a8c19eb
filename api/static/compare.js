/* cryptokg "compare two dates": once both networks are laid out, the second takes the first's
 * positions and view, then each slider moves to its year. */
(function () {
  "use strict";

  function start() {
    var box = document.querySelector("[data-compare]");
    if (!box) return;
    var tries = 0;
    var timer = setInterval(function () {
      var nets = window.cryptokg && window.cryptokg.networks;
      var a = nets && nets["compare-a"], b = nets && nets["compare-b"];
      tries += 1;
      if (!(a && b && a.ready && b.ready)) {
        if (tries > 600) clearInterval(timer);
        return;
      }
      clearInterval(timer);
      var pos = a.network.getPositions();
      Object.keys(pos).forEach(function (id) { b.network.moveNode(id, pos[id].x, pos[id].y); });
      b.network.moveTo({ position: a.network.getViewPosition(), scale: a.network.getScale() });
      [[a, box.getAttribute("data-a")], [b, box.getAttribute("data-b")]].forEach(function (pair) {
        var slider = pair[0].section.querySelector(".ckg-asof");
        if (!slider) return;
        slider.value = pair[1];
        slider.dispatchEvent(new Event("input", { bubbles: true }));
      });
      box.setAttribute("data-compared", "true");
    }, 50);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
