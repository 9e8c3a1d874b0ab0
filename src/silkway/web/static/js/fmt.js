/* Number formats with the CLI's rounding.
 *
 * Number.prototype.toFixed rounds the exact binary value, as Python's format() does, so 32.048
 * reads 32.0 here and in `silkway plan` (Intl.NumberFormat rounds a shortened decimal and can
 * differ). Route figures themselves come pre-formatted from the server (`?format=table`); these
 * are for the other numbers on the page. */

function group(text) {
  const [whole, frac] = text.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (frac === undefined ? "" : `.${frac}`);
}

/** v with d decimals and thousands separators; "—" when not a number. */
export const fixed = (v, d) => (Number.isFinite(v) ? group(v.toFixed(d)) : "—");
export const days = (v) => fixed(v, 1);
export const usd = (v) => fixed(v, 0);
export const km = (v) => fixed(v, 0);
export const kg = (v) => fixed(v, 0);
export const tonnes = (kgValue) => (Number.isFinite(kgValue) ? fixed(kgValue / 1000, 2) : "—");
export const pct = (p) => (Number.isFinite(p) ? `${(100 * p).toFixed(0)}%` : "—");
/** A signed difference: "+1.5", "-200", "0.0". */
export const delta = (v, d) => (Number.isFinite(v) ? `${v > 0 ? "+" : ""}${fixed(v, d)}` : "—");
