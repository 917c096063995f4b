/*
 * The decision form on the agenda-item page: once a kind of decision is chosen, show only the group
 * of fields that kind uses (fieldsets with data-lvv-kinds). Without this script, or with no kind
 * chosen, every group is shown; hidden fields keep their values and are still sent.
 */
(function () {
  "use strict";

  function update(select, groups) {
    var kind = select.value;
    groups.forEach(function (group) {
      var kinds = (group.getAttribute("data-lvv-kinds") || "").split(" ");
      var invalid = group.querySelector("[aria-invalid='true']");
      group.hidden = Boolean(kind) && kinds.indexOf(kind) === -1 && !invalid;
    });
  }

  function init() {
    var container = document.querySelector("[data-lvv-decision-groups]");
    var select = document.getElementById("id_kind");
    if (!container || !select) {
      return;
    }
    var groups = Array.prototype.slice.call(container.querySelectorAll("[data-lvv-kinds]"));
    select.addEventListener("change", function () {
      update(select, groups);
    });
    update(select, groups);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
