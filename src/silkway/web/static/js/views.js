/* The other tabs: corridors, the ISO 14083 emission statement, baseline-vs-scenario comparison,
 * saved plans; and the Export menu. Each renders from the API on demand. */

import { API, ApiError, api } from "./api.js";
import { $, add, cardify, clear, download, h } from "./dom.js";
import * as fmt from "./fmt.js";
import { MONTHS, hooks, state } from "./state.js";

const slug = (text) => String(text || "plan").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 60) || "plan";

// The plan's fields that /compare and /emissions take no notice of (silkway.query.UNUSED): the
// API refuses them when given with a value other than their default, so they are left out.
const UNUSED = {
  compare: ["max_routes", "thin", "deadline_days", "histogram"],
  emissions: ["deadline_days", "histogram", "corridors"],
};

const without = (req, keys) => Object.fromEntries(Object.entries(req).filter(([k]) => !keys.includes(k)));

// The plan options each format of POST /plan has a rule for (silkway.analysis.export.UNSHOWN):
// the API refuses them when given a value the format cannot show (geometry with csv or the
// table, a histogram with the table, geometry turned off for geojson, as a saved request may
// have it), so they are left out and each format is sent only what it shows.
export const NOT_SHOWN = { json: [], geojson: ["geometry"], csv: ["geometry"], table: ["geometry", "histogram"] };

/** The plan request `req` as format `format` of POST /plan takes it. */
export const forFormat = (req, format) => without(req, NOT_SHOWN[format] || []);

function note(el, text, cls = "empty") {
  clear(el).append(h("p", { class: cls }, text));
}

// ---------------------------------------------------------------- corridors

const gapCell = (v, digits) => h("td", { class: `num${v > 0 ? " worse" : v < 0 ? " better" : ""}` }, fmt.delta(v, digits));

/** The plan's `corridors` (each {id, name, in_pareto, route_number, route|null, reason, gap}) as a table. */
export function renderCorridors() {
  const wrap = $("corridors-body");
  const list = state.result && state.result.corridors;
  if (!state.result) return note(wrap, "Plan a route to compare the corridors that could serve it.");
  if (!Array.isArray(list) || !list.length) return note(wrap, "This plan does not list corridors.");
  const labelOf = (route) => (route && typeof route === "object" ? route.label : route) || "";
  const rows = list.map((c) => {
    const gap = c.gap || {};
    const label = labelOf(c.route);
    // route_number null: the answer is not listed (another listed route may share its label);
    // plans saved before the field existed are matched by label
    const index = "route_number" in c ? (Number.isInteger(c.route_number) ? c.route_number - 1 : -1)
      : (state.result.routes || []).findIndex((r) => r.label === label);
    const open = c.route && index >= 0 ? h("button", { type: "button", class: "btn small", onclick: () => { hooks.select(index); hooks.show("routes"); } }, `route ${index + 1}`) : null;
    return h("tr", { class: c.route ? (c.in_pareto ? "in-pareto" : "") : "no-route", "data-corridor": c.id },
      h("td", {}, h("b", {}, c.name || c.id), h("small", { class: "code" }, ` ${c.id}`)),
      h("td", {}, c.route ? (c.in_pareto ? "yes" : "no") : "—"),
      c.route
        ? [h("td", { class: "corridor-route" }, label, open ? " " : null, open,
          (state.result.notices || []).filter((n) => (n.corridors || []).includes(c.id)).map((n) =>
            h("span", { class: "notice-tag", title: `In ${n.as_of} ${n.notice}. The scenario ${n.scenario} plans the way boxes went.` },
              `passes ${n.name}: see the note under Routes`))),
          gapCell(gap.days_p50, 1), gapCell(gap.days_p90, 1), gapCell(gap.cost_usd, 0),
          gapCell(Number.isFinite(gap.co2e_kg) ? gap.co2e_kg / 1000 : NaN, 2)]
        : h("td", { class: "reason", colspan: 5 }, c.reason || "cannot serve this trip"));
  });
  clear(wrap).append(h("div", { class: "table-wrap" }, h("table", { id: "corridors", class: "grid" },
    h("thead", {}, h("tr", {}, h("th", {}, "Corridor"), h("th", {}, "In Pareto set"), h("th", {}, "Best route, or why none"),
      h("th", { class: "num" }, "Δ P50 d"), h("th", { class: "num" }, "Δ P90 d"), h("th", { class: "num" }, "Δ USD"), h("th", { class: "num" }, "Δ t CO₂e"))),
    h("tbody", {}, rows))),
  h("p", { class: "notes" }, "Gaps are against the best route of the plan (route 1 in the Routes tab; negative is better). A corridor outside the Pareto set has a listed route at least as good on days, cost and CO₂e at once."));
  cardify($("corridors"), { spans: { 0: "span-4", 2: "span-6" } });
}

// ---------------------------------------------------------------- emissions

export async function renderEmissions() {
  const wrap = $("emissions-body");
  if (!state.result || !state.result.routes.length) return note(wrap, "Plan a route first: the statement is for the selected route.");
  note(wrap, "Computing the ISO 14083 statement…", "empty loading-note");
  try {
    // /api/emissions numbers the routes as the plan of the same query does: the selected route's
    // number is its place in the table (labels are not unique: two routes may share one)
    const req = { ...without(state.request, UNUSED.emissions), geometry: false, route: state.selected + 1 };
    const st = await api("POST", "/emissions", req);
    state.emissionsRequest = req;
    const sh = st.shipment, tot = st.totals;
    const rows = (st.elements || []).map((el) => {
      const transport = el.type === "transport";
      return h("tr", {},
        h("td", { class: "num" }, String(el.element)), h("td", {}, el.label),
        h("td", { class: "num" }, transport ? `${fmt.fixed(el.tkm, 0)} tkm` : `${el.teu_handled} TEU`),
        h("td", { class: "num" }, `${el.intensity_wtw} / ${el.intensity_ttw} ${el.intensity_unit}`),
        h("td", { class: "num" }, fmt.fixed(el.co2e_kg_wtw, 1)), h("td", { class: "num" }, fmt.fixed(el.co2e_kg_ttw, 1)),
        h("td", {}, `${el.factor} (${el.data_type})`),
        h("td", { class: "src" }, transport ? `${fmt.km(el.distance_km)} km, ${el.distance_source}` : ""));
    });
    rows.push(h("tr", { class: "total" }, h("td", {}), h("td", {}, h("b", {}, "Total")),
      h("td", { class: "num" }, `${fmt.fixed(tot.tkm, 0)} tkm`), h("td", { class: "num" }, `${tot.intensity_g_per_tkm_wtw} g/tkm`),
      h("td", { class: "num" }, h("b", {}, fmt.fixed(tot.co2e_kg_wtw, 1))), h("td", { class: "num" }, h("b", {}, fmt.fixed(tot.co2e_kg_ttw, 1))),
      h("td", {}, `transport ${fmt.fixed(tot.transport_co2e_kg_wtw, 1)} + hubs ${fmt.fixed(tot.hub_co2e_kg_wtw, 1)} kg`),
      h("td", {}, `WTT ${fmt.fixed(tot.co2e_kg_wtt, 1)} kg`)));
    const q = st.data_quality || {};
    clear(wrap).append(
      h("div", { class: "statement-head" },
        h("h3", {}, `GHG emission statement (${st.standard})`),
        h("p", {}, `${sh.cargo} (${sh.teu} TEU), ${sh.payload_t} t cargo${sh.reefer ? ", reefer" : ""}: ${sh.origin.name} → ${sh.destination.name}; `
          + `route ${state.selected + 1}: ${st.route.label} (${(st.route.countries || []).join("-")}, ${fmt.km(st.route.distance_km)} km)`),
        h("p", { class: "big" }, h("b", {}, `${fmt.tonnes(tot.co2e_kg_wtw)} t CO₂e`), " well-to-wheel · ",
          `${fmt.tonnes(tot.co2e_kg_ttw)} t CO₂e tank-to-wheel`),
        h("div", { class: "actions no-print" },
          h("button", { type: "button", class: "btn", id: "emissions-print", onclick: () => window.print() }, "Print"),
          h("button", { type: "button", class: "btn", id: "emissions-report", onclick: openReport }, "Printable report (HTML)"))),
      h("div", { class: "table-wrap" }, h("table", { id: "emissions-table", class: "grid" },
        h("thead", {}, h("tr", {}, ["#", "Element", "Activity", "Intensity WTW / TTW", "kg CO₂e WTW", "kg CO₂e TTW", "Factor (data type)", "Distance basis"]
          .map((t, i) => h("th", { class: i === 0 || (i >= 2 && i <= 5) ? "num" : null }, t)))),
        h("tbody", {}, rows))),
      h("ul", { class: "method" }, Object.entries(st.method || {}).map(([k, v]) => h("li", {}, h("b", {}, k.replace(/_/g, " ")), `: ${v}`))),
      h("p", { class: "notes" }, `Primary data share ${fmt.pct(q.primary_data_share)}.`));
    cardify($("emissions-table"), { spans: { 1: "span-4", 6: "span-3", 7: "span-3" } });
  } catch (err) {
    note(wrap, err instanceof ApiError ? `${err.title}: ${err.detail}` : String(err), "empty error-note");
  }
}

async function openReport() {
  const blob = await api("POST", "/emissions?format=html", state.emissionsRequest, { raw: true, accept: "text/html" });
  download(blob, `emissions-${slug(state.result.routes[state.selected].label)}.html`);
}

// ---------------------------------------------------------------- compare

export function fillCompareForm() {
  const sel = $("compare-scenario");
  if (sel.options.length <= 1) {
    for (const sc of state.scenarios) sel.append(h("option", { value: sc.name }, sc.title || sc.name));
    for (let i = 0; i < 12; i++) $("compare-month").append(h("option", { value: String(i + 1) }, MONTHS[i]));
  }
  if (state.request && state.request.scenario) sel.value = state.request.scenario;
  if (state.request && state.request.month) $("compare-month").value = String(state.request.month);
}

export async function renderCompare() {
  const wrap = $("compare-body");
  fillCompareForm();
  if (!state.request) return note(wrap, "Plan a route first, then choose a scenario or a month to compare it with.");
  const scenario = $("compare-scenario").value || null;
  const month = $("compare-month").value ? Number($("compare-month").value) : null;
  if (!scenario && !month) return note(wrap, "Choose a scenario or a month of departure to compare with the baseline.");
  note(wrap, "Comparing…", "empty loading-note");
  try {
    const d = await api("POST", "/compare", { ...without(state.request, UNUSED.compare), scenario, month, geometry: false });
    const name = d.scenario ? d.scenario.title || d.scenario.name : `departing in ${MONTHS[d.month - 1]}`;
    const notices = d.notices || [];
    const rows = (d.routes || []).map((row, i) => {
      const b = row.baseline, sc = row.scenario, dl = row.delta;
      const cur = sc || b;
      const mark = b && sc ? (row.baseline_label === row.label ? "" : ` (was: ${row.baseline_label})`) : sc ? " (new)" : " (gone)";
      const cell = (v, digits, signed) => h("td", { class: `num${signed && Number.isFinite(v) ? (v > 0 ? " worse" : v < 0 ? " better" : "") : ""}` },
        signed ? fmt.delta(v, digits) : fmt.fixed(v, digits));
      return h("tr", { class: sc ? (b ? "" : "new") : "gone" },
        h("td", {}, row.label + mark, notices.filter((n) => (n.rows || []).includes(i + 1)).flatMap((n) => [" ",
          h("span", { class: "notice-tag", title: `In ${n.as_of} ${n.notice}.` },
            (n.scenario_rows || []).includes(i + 1) ? `passes ${n.name}` : `baseline passes ${n.name}`)])),
        cell(cur.p50, 1), cell(dl ? dl.p50 : NaN, 1, true), cell(cur.p90, 1), cell(dl ? dl.p90 : NaN, 1, true),
        cell(cur.cost_usd, 0), cell(dl ? dl.cost_usd : NaN, 0, true),
        cell(cur.co2e_kg / 1000, 2), cell(dl ? dl.co2e_kg / 1000 : NaN, 2, true));
    });
    const shares = Object.entries(d.pareto_share || {}).map(([fam, shr]) => h("tr", {},
      h("td", {}, fam), h("td", { class: "num" }, fmt.pct(shr.baseline)), h("td", { class: "num" }, fmt.pct(shr.scenario))));
    add(clear(wrap), [
      h("h3", {}, `Baseline vs ${name}`),
      h("div", { class: "table-wrap" }, h("table", { id: "compare-table", class: "grid" },
        h("thead", {}, h("tr", {}, ["Route", "P50 d", "Δ", "P90 d", "Δ", "USD", "Δ", "t CO₂e", "Δ"].map((t, i) => h("th", { class: i ? "num" : null }, t)))),
        h("tbody", {}, rows))),
      notices.length ? h("div", { class: "notices", id: "compare-notices" }, notices.map((n) =>
        h("span", { class: "notice", title: n.source },
          h("b", {}, "Note: "), `the routes marked “passes ${n.name}” or “baseline passes ${n.name}” go through it: in ${n.as_of} ${n.notice}. `,
          n.scenario === (d.scenario && d.scenario.name) ? "The scenario compared here plans the way boxes went."
            : ["The scenario ", h("code", {}, n.scenario), " plans the way boxes went."]))) : null,
      h("h3", {}, "Share of the Pareto set"),
      h("div", { class: "table-wrap" }, h("table", { id: "compare-share", class: "grid narrow" },
        h("thead", {}, h("tr", {}, h("th", {}, "Corridor"), h("th", { class: "num" }, "Baseline"), h("th", { class: "num" }, name))),
        h("tbody", {}, shares)))]);
    cardify($("compare-table"), {
      heads: ["Route", "P50 d", "Δ P50", "P90 d", "Δ P90", "USD", "Δ USD", "t CO₂e", "Δ t CO₂e"], spans: { 0: "span-6" },
    });
  } catch (err) {
    note(wrap, err instanceof ApiError ? `${err.title}: ${err.detail}` : String(err), "empty error-note");
  }
}

// ---------------------------------------------------------------- saved plans

export async function renderSaved() {
  const wrap = $("saved-body");
  note(wrap, "Loading the saved plans…", "empty loading-note");
  try {
    const plans = await api("GET", "/plans?limit=100");
    if (!plans.length) return note(wrap, "No saved plans yet: plan a route and press Save.");
    const rows = plans.map((p) => h("tr", { "data-plan": p.id },
      h("td", {}, h("a", { href: `/p/${encodeURIComponent(p.id)}`, class: "plan-link" }, p.title || p.id)),
      h("td", { class: "code" }, p.id),
      h("td", { class: "when" }, new Date(p.created).toISOString().slice(0, 16).replace("T", " ") + " UTC"),
      h("td", {}, h("button", { type: "button", class: "btn small danger delete", onclick: () => deletePlan(p) }, "Delete"))));
    clear(wrap).append(h("div", { class: "table-wrap" }, h("table", { id: "saved", class: "grid" },
      h("thead", {}, h("tr", {}, h("th", {}, "Plan"), h("th", {}, "Id"), h("th", {}, "Saved"), h("th", {}, ""))),
      h("tbody", {}, rows))));
    cardify($("saved"), { spans: { 0: "span-6" } });
  } catch (err) {
    note(wrap, err instanceof ApiError ? `${err.title}: ${err.detail}` : String(err), "empty error-note");
  }
}

async function deletePlan(p) {
  if (!window.confirm(`Delete the saved plan “${p.title || p.id}”? Its link stops working.`)) return;
  try {
    await api("DELETE", `/plans/${encodeURIComponent(p.id)}`, undefined, { auth: true });
    await renderSaved();
  } catch (err) {
    hooks.error(err);
  }
}

// ---------------------------------------------------------------- export

const EXPORTS = {
  geojson: ["geojson", "application/geo+json", "GeoJSON"],
  csv: ["csv", "text/csv", "csv"],
  json: ["json", "application/json", "json"],
};

export async function exportPlan(kind) {
  if (!state.request) return;
  const [format, accept, ext] = EXPORTS[kind];
  try {
    const blob = await api("POST", `/plan?format=${format}`, forFormat(state.request, format), { raw: true, accept });
    const o = state.result ? state.result.origin.id : "origin", d = state.result ? state.result.destination.id : "destination";
    download(blob, `silkway-${o}-${d}.${ext.toLowerCase()}`);
  } catch (err) {
    hooks.error(err);
  }
}

// ---------------------------------------------------------------- capacity

/** Assign the shipped example flows (as a job) and show utilisation, queues and shadow prices. */
export async function renderCapacity() {
  const wrap = $("capacity-body");
  note(wrap, "Assigning the example flows…", "empty loading-note");
  try {
    const csv = await fetch(API + "/assign/example").then((r) => r.text());
    const scenario = $("assign-scenario").value || null;
    const job = await api("POST", "/assign", { csv, scenario }, { auth: true });
    let state = job;
    for (let i = 0; i < 240 && state.status !== "done" && state.status !== "failed"; i++) {
      await new Promise((ok) => setTimeout(ok, 500));
      state = await api("GET", `/jobs/${encodeURIComponent(job.id)}`);
    }
    if (state.status !== "done") return note(wrap, `The assignment did not finish: ${state.error || state.status}`, "empty error-note");
    const res = state.result;
    const pct = (x) => `${(100 * x).toFixed(0)}%`;
    const num = (x, d = 0) => Number(x).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
    const rows = res.elements.map((e) => h("tr", { class: e.shadow_price_usd_per_teu > 0 ? "binding" : "" },
      h("td", {}, e.name),
      h("td", { class: "num" }, num(e.capacity_teu)),
      h("td", { class: "num" }, num(e.assigned_teu)),
      h("td", { class: "num util" }, h("span", { class: "bar", style: `width:${Math.min(100, 100 * e.utilisation).toFixed(0)}%` }), pct(e.utilisation)),
      h("td", { class: "num" }, num(e.queue_days, 2)),
      h("td", { class: "num" }, num(e.shadow_price_usd_per_teu))));
    const shares = Object.entries(res.corridor_share || {}).sort((a, b) => b[1] - a[1])
      .map(([name, share]) => h("li", {}, `${name}: ${pct(share)}`));
    clear(wrap).append(
      h("p", { class: "sub" }, `${num(res.system.served_teu)} TEU served, ${num(res.unserved_teu)} unserved; `
        + `mean ${num(res.system.days_with_queue_mean, 1)} days incl. ${num(res.system.queue_days_mean, 2)} queue days; `
        + `${num(res.system.cost_usd_per_teu)} USD/TEU. Shaded rows are at capacity (positive shadow price). ${res.method}`),
      h("div", { class: "table-wrap" }, h("table", { id: "capacity", class: "grid" },
        h("thead", {}, h("tr", {}, h("th", {}, "Element"), h("th", {}, "Capacity TEU"), h("th", {}, "Assigned TEU"),
          h("th", {}, "Utilisation"), h("th", {}, "Queue days"), h("th", {}, "Shadow price USD/TEU"))),
        h("tbody", {}, rows))),
      h("h3", {}, "Corridor shares"), h("ul", { id: "capacity-shares" }, shares));
    cardify($("capacity"), { spans: { 0: "span-6" } });
  } catch (err) {
    note(wrap, err instanceof ApiError ? `${err.title}: ${err.detail}` : String(err), "empty error-note");
  }
}
