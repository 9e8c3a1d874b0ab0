/* DOM helpers: element builders for HTML and SVG, and the by-id lookup. */

export const SVGNS = "http://www.w3.org/2000/svg";

export const $ = (id) => document.getElementById(id);

export function add(el, kids) {
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

function build(el, attrs, kids) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  return add(el, kids);
}

/** An HTML element: h("td", {class: "num"}, "12"). */
export const h = (tag, attrs = {}, ...kids) => build(document.createElement(tag), attrs, kids);

/** An SVG element: s("circle", {r: 3}). */
export const s = (tag, attrs = {}, ...kids) => build(document.createElementNS(SVGNS, tag), attrs, kids);

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** Save a Blob under a file name (an object URL clicked through a temporary link). */
export function download(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 5000);
}

/**
 * Let a table become cards on a phone (see `table.cards` in style.css): every cell gets the
 * header it sits under as `data-head` (or `heads[i]`), and `spans` widens chosen columns.
 */
export function cardify(table, { heads = null, spans = {} } = {}) {
  const th = [...table.querySelectorAll("thead th")].map((el) => el.textContent.trim());
  table.classList.add("cards");
  for (const tr of table.querySelectorAll("tbody tr")) {
    [...tr.children].forEach((td, i) => {
      td.dataset.head = (heads && heads[i]) || th[i] || "";
      if (spans[i]) td.classList.add(spans[i]);
    });
  }
  return table;
}
