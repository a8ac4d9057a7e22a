// Today's queue fetches its tables again every few seconds (at most 30), so a new safety flag
// shows without a reload. Only the tables are replaced: the look-up box and anything typed in it
// stay as they are. Without JavaScript the page has a "Refresh" link with the time of the update.
(function () {
  "use strict";
  var live = document.getElementById("queue-live");
  if (!live || !window.fetch) { return; }
  var seconds = Math.min(parseInt(live.getAttribute("data-refresh-seconds"), 10) || 30, 30);
  var source = live.getAttribute("data-source");
  var timer = null;

  function stop() {
    window.clearInterval(timer);
    var note = document.getElementById("queue-stopped");
    if (note) { note.hidden = false; }
  }

  function refresh() {
    fetch(source, { credentials: "same-origin", redirect: "manual",
                    headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok || response.type === "opaqueredirect") { throw new Error("stale"); }
        return response.text();
      })
      .then(function (html) { live.innerHTML = html; })
      .catch(stop);
  }

  timer = window.setInterval(refresh, seconds * 1000);
}());
