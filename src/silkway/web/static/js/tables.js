/* The routes table (cells as the CLI prints them, from ?format=table) and the legs panel. */

import { $, clear, h } from "./dom.js";
import * as fmt from "./fmt.js";
import { MODES, co2, countryName, hooks, hubName, shortName, state } from "./state.js";

// table column key (server) -> header shown here; priorities (server) hide columns on narrow screens
const HEADERS = { n: "#", label: "Route", p50: "P50 d", p90: "P90 d", on_time: "On time", cost: "USD", co2e: "t CO₂e", km: "km", lifts: "Lifts", countries: "Countries" };

export function renderTable() {
  const table = $("routes");
  const routes = state.result ? state.result.routes || [] : [];
  $("routes-empty").hidden = routes.length > 0;
  table.hidden = routes.length === 0;
  renderNotices(state.result && routes.length ? state.result.notices || [] : []);
  const head = clear(table.querySelector("thead"));
  const body = clear(table.querySelector("tbody"));
  if (!routes.length) {
    $("routes-sub").textContent = "";
    if (state.result) $("routes-empty").textContent = "No route under these constraints.";
    return;
  }
  const r = state.result;
  const cargo = r.cargo ? `per ${r.cargo.type}${r.cargo.payload_t ? ` with ${r.cargo.payload_t} t` : ""}` : "";
  const sc = r.scenario ? ` · scenario ${typeof r.scenario === "string" ? r.scenario : r.scenario.name || ""}` : "";
  const asOf = r.as_of ? ` · data as of ${r.as_of}` : "";
  $("routes-sub").textContent = `${routes.length} Pareto route${routes.length > 1 ? "s" : ""} ${cargo}${sc} · ordered by ${r.order || r.objective || "days"}${asOf}`;
  $("routes-sub").title = $("routes-sub").textContent;

  const spec = state.table || { columns: [], rows: [] };
  const columns = spec.columns.length ? spec.columns : Object.keys(HEADERS).map((key) => ({ key, numeric: key !== "label" && key !== "countries", priority: 1 }));
  const raw = {
    p50: (x) => x.transit_days.p50, p90: (x) => x.transit_days.p90, cost: (x) => x.cost_usd, co2e: co2,
    km: (x) => x.distance_km, lifts: (x) => x.transshipments, on_time: (x) => -(x.transit_days.on_time_probability ?? NaN),
  };
  const best = {};
  for (const [k, f] of Object.entries(raw)) best[k] = Math.min(...routes.map(f).filter(Number.isFinite));
  const cls = (c) => `${c.numeric ? "num " : ""}p${c.priority}${c.key === "countries" ? " countries span-4" : ""}${c.key === "label" ? " span-6" : ""}`;
  const headText = (c) => (c.key === "cost" ? `USD/${(r.cargo && r.cargo.type) || "FEU"}` : HEADERS[c.key] || c.header);
  head.append(h("tr", {}, columns.map((c) => h("th", { class: cls(c), "data-key": c.key }, headText(c)))));
  routes.forEach((x, i) => {
    const row = spec.rows[i] || {};
    const modes = x.modes || [...new Set((x.legs || []).map((l) => l.mode))];
    const cells = columns.map((c) => {
      const at = { class: cls(c), "data-head": headText(c), "data-key": c.key };
      if (c.key === "label") {
        return h("td", { ...at, "data-n": `${i + 1}.` },
          h("span", { class: "route-modes", title: modes.join(" + ") },
            modes.map((m) => h("i", { style: `background:${(MODES[m] || { color: "#555" }).color}` }))),
          h("span", { class: "route-label" }, x.label));
      }
      if (c.key === "countries") {
        return h("td", at, (x.countries || []).map((code) => h("span", { class: "ctry", title: countryName(code) }, code)));
      }
      const f = raw[c.key];
      const isBest = f && routes.length > 1 && f(x) === best[c.key];
      return h("td", { ...at, class: `${cls(c)}${isBest ? " best" : ""}` }, row[c.key] ?? "—");
    });
    body.append(h("tr", { class: i === state.selected ? "sel" : null, "data-route": i, onclick: () => hooks.select(i) }, cells));
  });
}

/** Passages a shown route uses that boxes mostly did not use in the data's period. */
function renderNotices(notices) {
  const el = clear($("routes-notices"));
  el.hidden = notices.length === 0;
  // a listed corridor answer is named by its route number; the others by the corridor's name
  const unlisted = Object.fromEntries((notices.length ? state.result.corridors || [] : [])
    .filter((c) => !c.route_number).map((c) => [c.id, c.name]));
  for (const n of notices) {
    const which = [];
    if (n.routes.length) which.push(`Route${n.routes.length > 1 ? "s" : ""} ${n.routes.join(", ")}`);
    for (const id of n.corridors) if (id in unlisted) which.push(`the ${unlisted[id]} answer`);
    const verb = which.length > 1 || n.routes.length > 1 ? "pass" : "passes";
    el.append(h("span", { class: "notice", title: n.source },
      h("b", {}, "Note: "), `${which.join(" and ")} ${verb} ${n.name}: in ${n.as_of} ${n.notice}. `,
      "The scenario ", h("code", {}, n.scenario), " plans the way boxes went."));
  }
}

/** A snake_case code that may wrap after its underscores ("cn_kg_irkeshtam_road"). */
function breakable(code) {
  if (!code) return "—";
  const parts = String(code).split("_");
  return parts.flatMap((p, i) => (i < parts.length - 1 ? [`${p}_`, h("wbr")] : [p]));
}

export function renderLegs() {
  const panel = $("legs-panel");
  const route = state.result ? (state.result.routes || [])[state.selected] : null;
  panel.hidden = !route;
  if (!route) return;
  const days = route.transit_days || {};
  const row = ((state.table && state.table.rows) || [])[state.selected] || {};
  $("legs-title").textContent = `Route ${state.selected + 1}: ${route.label}`;
  const parts = [`P50 ${row.p50 ?? fmt.days(days.p50)} d`, `P90 ${row.p90 ?? fmt.days(days.p90)} d`];
  if (Number.isFinite(days.p95)) parts.push(`P95 ${fmt.days(days.p95)} d`);
  parts.push(`${row.cost ?? fmt.usd(route.cost_usd)} USD`);
  if (route.co2e_kg) parts.push(`${row.co2e ?? fmt.tonnes(route.co2e_kg.wtw)} t CO₂e WTW (${fmt.tonnes(route.co2e_kg.ttw)} TTW)`);
  parts.push(`${route.transshipments} lift${route.transshipments === 1 ? "" : "s"}`);
  if (route.estimated_km) parts.push(`${fmt.km(route.estimated_km)} km estimated`);
  $("legs-sub").textContent = parts.join(" · ");
  $("legs-sub").title = $("legs-sub").textContent;

  const body = clear($("legs").querySelector("tbody"));
  const place = (id, head) => h("td", { class: "hubname span-3", "data-head": head }, shortName(hubName(id)), h("small", {}, id));
  const td = (head, cls, ...kids) => h("td", { class: cls, "data-head": head }, ...kids);
  for (const leg of route.legs || []) {
    const est = leg.distance_source === "estimate";
    const mode = MODES[leg.mode] || { label: leg.mode, color: "#555" };
    body.append(h("tr", {},
      place(leg.from, "From"), place(leg.to, "To"),
      td("Mode", null, h("span", { class: "mode" }, h("i", { style: `background:${mode.color}` }), mode.label)),
      td("km", "num", fmt.km(leg.distance_km), est ? h("span", { class: "est", title: "estimated distance" }, "*") : null),
      td("Days", "num", fmt.days(leg.days)),
      td("USD", "num", fmt.usd(leg.cost_usd)),
      td("kg CO₂e", "num", fmt.kg(leg.co2e_kg)),
      td("Countries", "countries", (leg.countries || []).join("-")),
      td("Distance from", est ? "src est" : "src", leg.distance_published ? "published line length" : leg.distance_source || "—"),
      td("Tariff", "code nowrap", leg.tariff || "—"),
      td("Border", "code", breakable(leg.border))));
  }
  const lifts = clear($("lifts"));
  const handling = route.handling || [];
  if (handling.length) {
    lifts.append(h("b", {}, "Handling"));
    for (const x of handling) {
      lifts.append(h("span", { class: "lift" },
        `${shortName(hubName(x.hub))} (${x.reason}): ${fmt.days(x.days)} d, ${fmt.usd(x.cost_usd)} USD`
        + `${Number.isFinite(x.co2e_kg) ? `, ${fmt.kg(x.co2e_kg)} kg CO₂e` : ""}`));
    }
  }
  lifts.hidden = !handling.length;
}
