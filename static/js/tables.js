// Issue 19, phones: every data table sits in a labelled region that scrolls sideways on its own,
// so the page is never wider than the screen. The region takes keyboard focus only while it
// actually scrolls (so arrow keys can move it), and is named by the table's caption.
// Progressive enhancement: without this file the tables are unchanged (the page scrolls).

const WRAP = "summit-table-scroll";

function labelFor(table) {
  const caption = table.caption ? table.caption.textContent.trim().replace(/\s+/g, " ") : "";
  return caption ? `${caption} (table, scrolls sideways)` : "Table (scrolls sideways)";
}

function wrap(table) {
  const parent = table.parentElement;
  if (!parent || parent.classList.contains(WRAP)) return;
  const region = document.createElement("div");
  region.className = WRAP;
  region.setAttribute("role", "region");
  region.setAttribute("aria-label", labelFor(table));
  parent.insertBefore(region, table);
  region.appendChild(table);
}

function focusable() {
  for (const region of document.querySelectorAll(`.${WRAP}`)) {
    if (region.scrollWidth > region.clientWidth + 1) {
      region.setAttribute("tabindex", "0");
    } else {
      region.removeAttribute("tabindex");
    }
  }
}

function enhance(root) {
  for (const table of root.querySelectorAll("main table")) wrap(table);
  focusable();
}

enhance(document);
window.addEventListener("resize", focusable);
document.body.addEventListener("htmx:afterSettle", () => enhance(document));
