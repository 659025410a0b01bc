/* When an htmx request fails, say so where it was made.
 *
 * htmx swaps nothing for a request that reached no server (no signal, or a
 * server that died mid-answer) or for an error status (the proxy's 502, our 503
 * while the database is away, a 429 rate limit): the screen would stay as it
 * was and a patient would believe the tick was saved. Both rooms load this
 * script; its words are in #request-failed-texts (no inline script: strict CSP).
 */
(function () {
  "use strict";

  function texts() {
    var node = document.getElementById("request-failed-texts");
    return node ? node.dataset : {};
  }

  // The message sits right after the form (or the control) that was used.
  function anchorOf(event) {
    var origin = event.detail.elt;
    return (origin && origin.closest && origin.closest("form")) || origin;
  }

  function messageAfter(anchor) {
    var next = anchor && anchor.nextElementSibling;
    return next && next.classList.contains("request-failed") ? next : null;
  }

  function report(event, text) {
    var anchor = anchorOf(event);
    if (!anchor || !anchor.isConnected || !text) { return; }
    var message = messageAfter(anchor);
    if (!message) {
      message = document.createElement("p");
      message.className = "request-failed";
      message.setAttribute("role", "alert");
      anchor.insertAdjacentElement("afterend", message);
    }
    // Emptied first, so a second failure is announced again.
    message.textContent = "";
    window.setTimeout(function () { message.textContent = text; }, 50);
  }

  document.addEventListener("htmx:sendError", function (event) {
    report(event, texts().offline);
  });
  document.addEventListener("htmx:responseError", function (event) {
    report(event, texts().failed);
  });
  // A new try clears the old message; its own outcome speaks for itself.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var message = messageAfter(anchorOf(event));
    if (message) { message.remove(); }
  });
})();
