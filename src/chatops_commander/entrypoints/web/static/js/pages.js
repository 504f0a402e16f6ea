// ChatOps Commander — the pages' own behaviour (dashboard live refresh after an action). No inline script (CSP).
(function () {
  "use strict";
  const fleet = document.getElementById("fleet");
  if (!fleet || !window.EventSource) return;
  // A command result from any of your conversations (another tab, the API) re-collects its hosts on the server,
  // which then says so here: the fleet refreshes at once instead of at its next poll.
  const stream = new EventSource("/events/fleet");
  const note = document.querySelector("[data-fleet-updated]");
  let count = 0;
  stream.addEventListener("open", () => { document.body.dataset.fleetLive = "true"; });
  stream.addEventListener("fleet", (event) => {
    count += 1;
    document.body.dataset.fleetEvents = String(count);
    let hosts = [];
    try { hosts = JSON.parse(event.data).hosts || []; } catch (err) { hosts = []; }
    document.body.dispatchEvent(new CustomEvent("fleet-changed", { bubbles: true }));
    if (note) note.textContent = (note.dataset.text || "") + (hosts.length ? " (" + hosts.join(", ") + ")" : "");
  });
  window.addEventListener("pagehide", () => stream.close());
})();
