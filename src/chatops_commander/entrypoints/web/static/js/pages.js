// ChatOps Commander — the pages' own behaviour (dashboard live refresh after an action). No inline script (CSP).
(function () {
  "use strict";
  // "Copy" next to a value shown once (an API token, recovery codes): the clipboard, and a word that it worked.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const text = Array.from(source.querySelectorAll("code")).map((c) => c.textContent.trim()).join("\n")
      || source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      button.dataset.copied = "true";
      const done = button.querySelector("[data-copy-done]");
      if (done) done.hidden = false;
    } catch (err) {
      // no clipboard (an insecure origin, a denied permission): the value stays selectable (user-select: all)
    }
  });
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
