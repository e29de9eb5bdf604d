// Issue 19: after an htmx swap on My returns, keyboard focus moves to the outcome of what was
// done (the confirmation, the error summary, or the item's heading when its form opens again)
// instead of falling to the top of the page. The server marks that element with
// data-focus-after-swap and tabindex="-1". The live status preview carries no mark, so typing
// keeps its focus. Progressive enhancement: without this file the page works as before.

const MARK = "[data-focus-after-swap]";

function outcomeIn(root) {
  if (!(root instanceof Element) || !root.isConnected) return null;
  return root.matches(MARK) ? root : root.querySelector(MARK);
}

function focusOutcome(event) {
  // htmx fires afterSettle on the swapped-in element; with an outerHTML swap the original
  // target is gone, so its id is looked up again as a second chance.
  const id = event.detail && event.detail.target ? event.detail.target.id : "";
  const outcome =
    outcomeIn(event.target) || (id ? outcomeIn(document.getElementById(id)) : null);
  if (outcome && document.activeElement !== outcome) {
    outcome.focus();
  }
}

document.body.addEventListener("htmx:afterSettle", focusOutcome);
