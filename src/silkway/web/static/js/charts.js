/* The trade-off chart (P50 days to P90 against USD, dot area by CO2e) and the transit-day
 * histogram. Axis ticks and their labels come from the server (GET /api/v1/ticks: matplotlib's
 * MaxNLocator, labels never abbreviated), fetched once per plan by prepareTicks(). */

import { api } from "./api.js";
import { $, clear, s } from "./dom.js";
import * as fmt from "./fmt.js";
import { co2, hooks, state } from "./state.js";
import { placeLabels } from "./map.js";

const PARETO_M = { l: 50, r: 16, t: 22, b: 30 };
const HIST_M = { l: 38, r: 12, t: 22, b: 30 };

function paretoDomain(routes) {
  const p50 = routes.map((x) => x.transit_days.p50), p90 = routes.map((x) => x.transit_days.p90 ?? x.transit_days.p50);
  const usd = routes.map((x) => x.cost_usd);
  let x0 = Math.min(...p50), x1 = Math.max(...p90);
  let y0 = Math.min(...usd), y1 = Math.max(...usd);
  const px = Math.max((x1 - x0) * 0.08, 0.5), py = Math.max((y1 - y0) * 0.14, y1 * 0.05, 50);
  x0 = Math.max(0, x0 - px); x1 += px; y0 = Math.max(0, y0 - py); y1 += py;
  return { x0, x1, y0, y1 };
}

function histDomain(route) {
  const hist = route.transit_days && route.transit_days.histogram;
  if (!hist || !hist.counts || !hist.counts.length) return null;
  const total = hist.counts.reduce((a, b) => a + b, 0) || 1;
  return { x0: hist.edges[0], x1: hist.edges[hist.edges.length - 1], yTop: (Math.max(...hist.counts) / total) * 1.12, total };
}

const tickKey = (lo, hi, count) => `${lo.toFixed(6)},${hi.toFixed(6)},${count}`;
const ticksFor = (lo, hi, count) => state.ticks.get(tickKey(lo, hi, count)) || [];

/** Fetch every tick set the charts of this plan need (axis ranges do not depend on the size). */
export async function prepareTicks() {
  const routes = (state.result && state.result.routes) || [];
  const want = [];
  if (routes.length) {
    const d = paretoDomain(routes);
    want.push([d.x0, d.x1, 6], [d.y0, d.y1, 4]);
  }
  for (const r of routes) {
    const d = histDomain(r);
    if (d) want.push([d.x0, d.x1, 7], [0, d.yTop * 100, 3]);
  }
  await Promise.all(want.map(async ([lo, hi, count]) => {
    const key = tickKey(lo, hi, count);
    if (state.ticks.has(key)) return;
    try {
      state.ticks.set(key, await api("GET", `/ticks?lo=${lo}&hi=${hi}&count=${count}`));
    } catch {
      state.ticks.set(key, []); // no ticks rather than no chart
    }
  }));
}

function chartSize(svgEl) {
  const W = Math.max(svgEl.clientWidth, 200), H = Math.max(svgEl.clientHeight, 120);
  svgEl.setAttribute("viewBox", `0 0 ${W} ${H}`);
  return [W, H];
}

function axes(svgEl, W, H, m, xs, ys, xTicks, yTicks, yLabel, xTitle, yTitle) {
  const g = s("g", { class: "axis" });
  for (const t of yTicks) {
    const y = ys(t.value);
    g.append(s("line", { class: "grid-line", x1: m.l, x2: W - m.r, y1: y, y2: y }));
    g.append(s("text", { class: "tick", x: m.l - 6, y: y + 3.5, "text-anchor": "end" }, yLabel(t)));
  }
  for (const t of xTicks) {
    const x = xs(t.value);
    g.append(s("line", { x1: x, x2: x, y1: H - m.b, y2: H - m.b + 4 }));
    g.append(s("text", { class: "tick", x, y: H - m.b + 15, "text-anchor": "middle" }, t.label));
  }
  g.append(s("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }));
  g.append(s("text", { class: "axis-title", x: W - m.r, y: H - 3, "text-anchor": "end" }, xTitle));
  g.append(s("text", { class: "axis-title", x: 4, y: m.t - 2 }, yTitle));
  svgEl.append(g);
}

/** "Sea + rail via Lianyungang, Altynkol" -> "via Lianyungang, Altynkol" (the table has the rest). */
function shortLabel(label) {
  const text = String(label || "");
  const via = text.indexOf(" via ");
  const out = via >= 0 ? text.slice(via + 1) : text;
  return out.length > 34 ? `${out.slice(0, 33)}…` : out;
}

export function renderPareto() {
  const svgEl = clear($("pareto"));
  const [W, H] = chartSize(svgEl);
  const routes = state.result ? state.result.routes || [] : [];
  if (!routes.length) {
    svgEl.append(s("text", { class: "empty-note", x: W / 2, y: H / 2, "text-anchor": "middle" }, "Days, cost and CO₂e of each route"));
    return;
  }
  const m = PARETO_M;
  const { x0, x1, y0, y1 } = paretoDomain(routes);
  const xs = (v) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
  const ys = (v) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
  axes(svgEl, W, H, m, xs, ys, ticksFor(x0, x1, 6), ticksFor(y0, y1, 4), (t) => t.label, "days", "USD");
  const rows = (state.table && state.table.rows) || [];
  const maxCo2 = Math.max(...routes.map(co2).filter(Number.isFinite), 1);
  const pts = routes.map((x, i) => ({ x, i, r: Math.max(7.5, Math.sqrt(Math.max(co2(x), 0) / maxCo2) * 17) }));
  pts.sort((a, b) => (a.i === state.selected) - (b.i === state.selected) || b.r - a.r);
  const labels = [];
  const obstacles = [];
  for (const { x, i, r } of pts) {
    const cx = xs(x.transit_days.p50), cy = ys(x.cost_usd);
    const wx = Math.max(cx + r, xs(x.transit_days.p90 ?? x.transit_days.p50));
    obstacles.push([cx - r, cy - r, 2 * r, 2 * r], [cx + r, cy - 1.5, wx - cx - r, 3]);
    const row = rows[i] || {};
    const tip = `${i + 1}. ${x.label}\nP50 ${row.p50 ?? fmt.days(x.transit_days.p50)} d, P90 ${row.p90 ?? fmt.days(x.transit_days.p90)} d\n`
      + `${row.cost ?? fmt.usd(x.cost_usd)} USD, ${row.co2e ?? fmt.tonnes(co2(x))} t CO₂e`;
    const label = s("text", { class: "pt-label" }, shortLabel(x.label));
    svgEl.append(s("g", { class: `pt${i === state.selected ? " sel" : ""}`, "data-route": i, onclick: () => hooks.select(i) },
      s("title", {}, tip),
      s("line", { class: "whisker", x1: cx + r, x2: wx, y1: cy, y2: cy }),
      s("circle", { cx, cy, r }),
      s("text", { x: cx, y: cy + 4, "text-anchor": "middle" }, String(i + 1)),
      label));
    labels.push({ el: label, sx: cx, sy: cy, r, prio: i === state.selected ? 0 : 1 });
  }
  labels.sort((a, b) => a.prio - b.prio);
  obstacles.push([0, 0, 34, m.t + 2]); // the "USD" axis title
  placeLabels(labels, obstacles, [m.l + 2, 0, W - m.l - 2, H - m.b]);
}

export function renderHistogram() {
  const svgEl = clear($("histogram"));
  const [W, H] = chartSize(svgEl);
  const route = state.result ? (state.result.routes || [])[state.selected] : null;
  const dom = route ? histDomain(route) : null;
  $("hist-title").textContent = route ? `Transit days, route ${state.selected + 1}` : "Transit days";
  $("hist-sub").textContent = "";
  if (!dom) {
    svgEl.append(s("text", { class: "empty-note", x: W / 2, y: H / 2, "text-anchor": "middle" },
      route ? "No histogram in this plan" : "Distribution of the selected route's days"));
    return;
  }
  const hist = route.transit_days.histogram;
  const td = route.transit_days;
  const row = ((state.table && state.table.rows) || [])[state.selected] || {};
  const { x0, x1, yTop, total } = dom;
  $("hist-sub").textContent = `${fmt.fixed(total, 0)} simulated departures`;
  const m = HIST_M;
  const xs = (v) => m.l + ((v - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const ys = (v) => H - m.b - (v / yTop) * (H - m.t - m.b);
  const yTicks = ticksFor(0, yTop * 100, 3).map((t) => ({ value: t.value / 100, label: `${t.label}%` }));
  axes(svgEl, W, H, m, xs, ys, ticksFor(x0, x1, 7), yTicks, (t) => t.label, "days, terminal to terminal", "");
  const deadline = td.deadline_days ?? (state.request && state.request.deadline_days);
  const bars = s("g", {});
  hist.counts.forEach((c, i) => {
    const a = xs(hist.edges[i]), b = xs(hist.edges[i + 1]);
    const late = Number.isFinite(deadline) && hist.edges[i] >= deadline;
    bars.append(s("rect", {
      class: late ? "bar late" : "bar", x: a + 0.5, width: Math.max(b - a - 1, 0.5),
      y: ys(c / total), height: Math.max(H - m.b - ys(c / total), 0),
    }, s("title", {}, `${fmt.days(hist.edges[i])}–${fmt.days(hist.edges[i + 1])} d: ${fmt.fixed((100 * c) / total, 1)}%`)));
  });
  svgEl.append(bars);
  const markers = [["p50", td.p50, "#0e6e6a", `P50 ${row.p50 ?? fmt.days(td.p50)} d`], ["p90", td.p90, "#b76200", `P90 ${row.p90 ?? fmt.days(td.p90)} d`]];
  if (Number.isFinite(deadline)) {
    const onTime = row.on_time ? `: ${row.on_time} on time` : "";
    markers.push(["deadline", deadline, "#b42318", `deadline ${fmt.days(deadline)} d${onTime}`]);
  }
  const key = s("text", { class: "key", x: W - m.r, y: 12, "text-anchor": "end" });
  markers.forEach(([cls, v, color, text], i) => {
    if (!Number.isFinite(v)) return;
    key.append(s("tspan", { fill: color, dx: i ? 10 : 0 }, text));
    if (v < x0 || v > x1) return;
    const x = xs(v);
    svgEl.append(s("line", { class: `marker ${cls}`, x1: x, x2: x, y1: m.t - 2, y2: H - m.b }));
  });
  svgEl.append(key);
}
