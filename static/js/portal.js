// Progressive enhancement only: every page works without this file.
// On a phone the filter panel starts folded (unless it shows an error) so results come first.
(function () {
  var panel = document.querySelector("details.filters");
  if (panel && window.matchMedia("(max-width: 640px)").matches && !panel.querySelector(".has-error")) {
    panel.removeAttribute("open");
  }
})();
