// Drag-and-drop reordering of a course outline. The move up/down buttons are the keyboard (and no-JS)
// alternative; this script only adds dragging and saves the whole layout in one request.
(function () {
  "use strict";
  var outline = document.getElementById("course-outline");
  if (!outline || !outline.dataset.reorderUrl) { return; }
  var status = document.getElementById("reorder-status");
  var dragged = null;

  function layout() {
    return Array.prototype.map.call(outline.querySelectorAll(".course-section"), function (section) {
      return {
        section: Number(section.dataset.sectionId),
        activities: Array.prototype.map.call(section.querySelectorAll(".activity-item"), function (item) {
          return Number(item.dataset.activityId);
        })
      };
    });
  }

  function save() {
    fetch(outline.dataset.reorderUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": outline.dataset.csrf, "Accept": "application/json" },
      body: JSON.stringify({ layout: layout() })
    }).then(function (response) {
      status.textContent = response.ok ? outline.dataset.saved : outline.dataset.failed;
    }).catch(function () { status.textContent = outline.dataset.failed; });
  }

  outline.addEventListener("dragstart", function (event) {
    var item = event.target.closest(".activity-item");
    if (!item) { return; }
    dragged = item;
    item.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.dataset.activityId);
  });
  outline.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    outline.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
    dragged = null;
  });
  outline.addEventListener("dragover", function (event) {
    if (!dragged) { return; }
    var list = event.target.closest(".activity-list");
    if (!list) { return; }
    event.preventDefault();
    outline.querySelectorAll(".drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
    var over = event.target.closest(".activity-item");
    if (over && over !== dragged) { over.classList.add("drop-target"); }
  });
  outline.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    var list = event.target.closest(".activity-list");
    if (!list) { return; }
    event.preventDefault();
    var over = event.target.closest(".activity-item");
    var empty = list.querySelector("li:not(.activity-item)");
    if (empty) { empty.remove(); }
    if (over && over !== dragged) { list.insertBefore(dragged, over); } else if (!over) { list.appendChild(dragged); }
    save();
  });
})();
