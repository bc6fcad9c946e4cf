/* ccdrill — participant view extras (loaded after console.js, which keeps the page live).
 * When a new situation addressed to me arrives, make it noticeable: buzz the phone (where
 * allowed), bring the card into view and highlight it briefly. */
(function () {
  "use strict";
  var root = document.getElementById("drill");
  if (!root) return;
  var seen = {};
  function cards() { return Array.prototype.slice.call(root.querySelectorAll("[data-inject-card]")); }
  cards().forEach(function (c) { seen[c.getAttribute("data-inject-card")] = true; });
  var observer = new MutationObserver(function () {
    var fresh = cards().filter(function (c) { return !seen[c.getAttribute("data-inject-card")]; });
    if (!fresh.length) return;
    fresh.forEach(function (c) { seen[c.getAttribute("data-inject-card")] = true; });
    var card = fresh[0];
    card.classList.add("arrived");
    if (navigator.vibrate) { try { navigator.vibrate([180, 80, 180]); } catch (e) { /* not allowed */ } }
    var top = card.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight * 0.6) card.scrollIntoView({ behavior: "smooth", block: "start" });
    setTimeout(function () { card.classList.remove("arrived"); }, 2500);
  });
  observer.observe(root, { childList: true, subtree: true });
})();
