/* The wall (三上墙): show one panel at a time and move on every ~15 seconds.
 * A touch (or click, or the space bar) pauses; another resumes; a paused wall resumes by itself
 * after two minutes so the hall's screen never stays stuck. Arrow keys step by hand.
 * Without this script every panel is simply shown, one under the other. No libraries. */
(function () {
  "use strict";
  var root = document.querySelector("[data-wall]");
  if (!root) return;
  var panels = Array.prototype.slice.call(root.querySelectorAll(".wall-panel"));
  if (panels.length < 2) return;

  var interval = parseInt(root.getAttribute("data-wall-interval"), 10) || 15000;
  var RESUME_AFTER = 120000;
  var dotsList = document.querySelector("[data-wall-dots]");
  var pausedNote = document.querySelector("[data-wall-paused]");
  var current = 0;
  var timer = null;
  var resumeTimer = null;
  var paused = false;

  document.documentElement.classList.add("wall-js");
  var dots = panels.map(function () {
    var dot = document.createElement("li");
    if (dotsList) dotsList.appendChild(dot);
    return dot;
  });

  function show(index) {
    current = (index + panels.length) % panels.length;
    panels.forEach(function (panel, i) {
      var active = i === current;
      panel.classList.toggle("is-active", active);
      panel.setAttribute("aria-hidden", active ? "false" : "true");
      dots[i].classList.toggle("is-active", active);
    });
  }

  function schedule() {
    clearInterval(timer);
    timer = paused ? null : setInterval(function () { show(current + 1); }, interval);
  }

  function setPaused(value) {
    paused = value;
    if (pausedNote) pausedNote.hidden = !paused;
    clearTimeout(resumeTimer);
    if (paused) resumeTimer = setTimeout(function () { setPaused(false); }, RESUME_AFTER);
    schedule();
  }

  // pointerdown covers touch, pen and mouse in one event.
  document.addEventListener("pointerdown", function () { setPaused(!paused); });
  document.addEventListener("keydown", function (event) {
    if (event.key === " ") { event.preventDefault(); setPaused(!paused); }
    else if (event.key === "ArrowRight") { show(current + 1); schedule(); }
    else if (event.key === "ArrowLeft") { show(current - 1); schedule(); }
  });
  // A hidden tab (the screen switched to another source) need not keep cycling.
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) clearInterval(timer); else schedule();
  });

  show(0);
  schedule();
})();
