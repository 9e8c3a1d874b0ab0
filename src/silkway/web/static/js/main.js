/* silkway web page: the plan form, planning, save and share, tabs, start-up.
 * ES modules served by silkway itself; no libraries and no external URLs. */

import { ApiError, api, token } from "./api.js";
import { $, add, clear, h } from "./dom.js";
import { prepareTicks, renderHistogram, renderPareto } from "./charts.js";
import { drawMap, fitMap, labelPoint, renderLegend, wireMap } from "./map.js";
import { MODES, MONTHS, checked, countryName, hooks, hubName, shortName, state } from "./state.js";
import { renderLegs, renderTable } from "./tables.js";
import { exportPlan, forFormat, renderCapacity, renderCompare, renderCorridors, renderEmissions, renderSaved } from "./views.js";

// the countries most often avoided, as one-click chips; any other country is one search away
const AVOID = ["RU", "BY", "IR", "CN", "KZ", "AF", "PK", "TR", "EG", "TM", "AZ", "GE", "UZ", "KG", "MN", "UA"];
const PASSAGES = [
  ["suez", "Suez"], ["bab-el-mandeb", "Bab-el-Mandeb"], ["hormuz", "Hormuz"], ["bosporus", "Bosporus"],
  ["malacca", "Malacca"], ["gibraltar", "Gibraltar"], ["cape", "Cape"],
];
const VIEWS = ["routes", "corridors", "emissions", "compare", "saved", "capacity"];

// ---------------------------------------------------------------- messages
function showError(err) {
  const title = err instanceof ApiError ? err.title : "Something went wrong";
  const detail = err instanceof ApiError ? err.detail : String(err && err.message ? err.message : err);
  // "Unknown place: unknown place 'X'; did you mean ..." says it twice: keep the detail only
  const repeats = title && detail && detail.toLowerCase().startsWith(title.toLowerCase());
  $("error-title").textContent = repeats || !title ? "" : title.endsWith(".") || title.endsWith(":") ? title : `${title}:`;
  $("error-detail").textContent = repeats ? detail.charAt(0).toUpperCase() + detail.slice(1) : detail;
  $("error").hidden = false;
}
/** An error about what the form asks, with a plan of another request on the page: the error
 * says the plan shown is still the previous one (the form and the plan disagree). */
function showFormError(err) {
  showError(err);
  if (!state.result || !state.request) return;
  const shown = state.savedTitle || planTitle(state.request, state.result);
  const detail = $("error-detail").textContent;
  $("error-detail").textContent = `${detail}${/[.!?]$/.test(detail) ? "" : "."} The plan shown is `
    + `still the previous one, ${shown}, not what the form now asks.`;
}
function hideError() {
  $("error").hidden = true;
}
function setLoading(on, text) {
  $("loading").hidden = !on;
  if (text) $("loading-text").textContent = text;
  $("plan").disabled = on;
  $("plan").textContent = on ? "Planning…" : "Plan routes";
  document.body.setAttribute("aria-busy", on ? "true" : "false");
}

// ---------------------------------------------------------------- form
function chip(group, value, text, title, extraClass, isChecked, swatch) {
  const id = `${group}-${value}`;
  return h("label", { class: `chip ${extraClass || ""}`, title, for: id },
    h("input", { type: "checkbox", id, name: group, value, checked: isChecked }),
    h("span", { class: swatch ? "mode-chip" : null },
      swatch ? h("i", { class: "swatch", style: `background:${swatch}` }) : null, text));
}

function avoidChip(iso, isChecked) {
  if (!$(`avoid-${iso}`)) $("avoid").append(chip("avoid", iso, iso, `Avoid ${countryName(iso)}`, "avoid", false));
  if (isChecked) $(`avoid-${iso}`).checked = true;
}

function buildForm() {
  for (const iso of AVOID) avoidChip(iso, false);
  add($("modes"), Object.entries(MODES).map(([m, v]) => chip("modes", m, v.label, `Allow ${m}`, "", true, v.color)));
  add($("close"), PASSAGES.map(([p, name]) => chip("close", p, name, `Close ${name}`, "avoid", false)));
  add($("month"), MONTHS.map((m, i) => h("option", { value: String(i + 1) }, m)));
  $("avoid").addEventListener("change", () => {
    if (!state.result) drawMap();
  });
  const search = $("avoid-search");
  const pick = () => {
    const iso = resolveCountry(search.value);
    if (!iso) {
      search.classList.toggle("invalid", Boolean(search.value.trim()));
      return;
    }
    avoidChip(iso, true);
    search.value = "";
    search.classList.remove("invalid");
    if (!state.result) drawMap();
  };
  search.addEventListener("change", pick);
  search.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") {
      ev.preventDefault();
      pick();
    }
  });
}

/** "Armenia", "armenia (AM)" or "AM" -> "AM" (countries of the basemap and of the hubs). */
function resolveCountry(text) {
  const t = String(text || "").trim();
  if (!t) return null;
  const code = t.match(/\(([A-Za-z]{2})\)\s*$/);
  if (code) return code[1].toUpperCase();
  if (/^[A-Za-z]{2}$/.test(t) && state.countryNames[t.toUpperCase()]) return t.toUpperCase();
  const lower = t.toLowerCase();
  const hit = Object.entries(state.countryNames).find(([, name]) => name.toLowerCase() === lower);
  return hit ? hit[0] : null;
}

function fillCountries() {
  for (const hub of state.hubs) if (!state.countryNames[hub.country]) state.countryNames[hub.country] = hub.country;
  const list = clear($("country-list"));
  const entries = Object.entries(state.countryNames).sort((a, b) => a[1].localeCompare(b[1]));
  for (const [iso, name] of entries) list.append(h("option", { value: `${name} (${iso})` }));
  for (const el of document.querySelectorAll('input[name="avoid"]')) el.parentElement.title = `Avoid ${countryName(el.value)}`;
}

function indexHubs(hubs) {
  state.hubs = hubs;
  state.hubsById = new Map(hubs.map((hub) => [hub.id, hub]));
  const index = new Map();
  const put = (key, hub) => {
    const k = String(key || "").trim().toLowerCase();
    if (k && !index.has(k)) index.set(k, hub);
  };
  for (const hub of hubs) put(hub.id, hub);
  for (const hub of hubs) {
    put(hub.name, hub);
    if (hub.id.length === 5) put(`${hub.id.slice(0, 2)} ${hub.id.slice(2)}`, hub);
  }
  for (const hub of hubs) for (const alias of hub.aliases || []) put(alias, hub);
  state.hubIndex = index;
  const list = clear($("hub-list"));
  const sorted = [...hubs].sort((a, b) => a.name.localeCompare(b.name));
  for (const hub of sorted) {
    const aliases = (hub.aliases || []).slice(0, 4).join(", ");
    list.append(h("option", { value: hub.name }, `${hub.id} · ${hub.country} · ${hub.kind}${aliases ? ` · ${aliases}` : ""}`));
  }
}

const resolveHub = (text) => state.hubIndex.get(String(text || "").trim().toLowerCase()) || null;

function updateHint(which) {
  const input = $(which);
  const hint = $(`${which}-hint`);
  const hub = resolveHub(input.value);
  input.classList.remove("invalid");
  if (hub) {
    hint.textContent = `${hub.id} · ${countryName(hub.country)} · ${hub.kind}`;
    hint.className = "hint ok";
  } else if (input.value.trim()) {
    hint.textContent = "not in the list: the server will try to match it";
    hint.className = "hint";
  } else {
    hint.textContent = "\u00a0";
    hint.className = "hint";
  }
}

function readForm() {
  const place = (which) => {
    const text = $(which).value.trim();
    const hub = resolveHub(text);
    return hub ? hub.id : text;
  };
  const num = (id) => {
    const v = $(id).value.trim();
    return v === "" ? null : Number(v);
  };
  return {
    origin: place("origin"),
    destination: place("destination"),
    avoid: checked("avoid"),
    modes: checked("modes"),
    close: checked("close"),
    cargo: $("cargo").value,
    objective: $("objective").value,
    scenario: $("scenario").value || null,
    via: $("via").value.split(",").map((v) => v.trim()).filter(Boolean)
      .map((v) => (resolveHub(v) ? resolveHub(v).id : v)),
    corridor: $("corridor").value || null,
    exclude_corridor: $("exclude-corridor").value ? [$("exclude-corridor").value] : [],
    month: num("month"),
    deadline_days: num("deadline"),
    max_routes: num("max-routes") || 8,
    geometry: true,
    histogram: true,
  };
}

function validate(req) {
  for (const which of ["origin", "destination"]) {
    if (!req[which]) {
      $(which).classList.add("invalid");
      $(which).focus();
      return `Choose ${which === "origin" ? "where the container starts" : "where it goes"}.`;
    }
  }
  if (!req.modes.length) return "Allow at least one mode.";
  if (req.deadline_days !== null && !(req.deadline_days > 0)) return "The deadline must be a positive number of days.";
  if (!(req.max_routes >= 1 && Number.isInteger(req.max_routes))) return "Routes must be a whole number, 1 or more.";
  return null;
}

function fillForm(req) {
  const setPlace = (which, value) => {
    const hub = state.hubsById.get(value) || resolveHub(value);
    $(which).value = hub ? hub.name : value || "";
    updateHint(which);
  };
  setPlace("origin", req.origin);
  setPlace("destination", req.destination);
  for (const iso of req.avoid || []) avoidChip(String(iso), false);
  for (const group of ["avoid", "modes", "close"]) {
    const values = new Set((req[group] || []).map(String));
    const all = group === "modes" && !(req.modes && req.modes.length);
    for (const el of document.querySelectorAll(`input[name="${group}"]`)) el.checked = all || values.has(el.value);
  }
  if (req.cargo) $("cargo").value = String(req.cargo).toUpperCase();
  if (req.objective) $("objective").value = req.objective;
  ensureScenarioOption(req.scenario);
  $("scenario").value = req.scenario || "";
  showScenarioDescription();
  $("month").value = req.month ? String(req.month) : "";
  $("deadline").value = req.deadline_days ?? "";
  $("max-routes").value = req.max_routes || 8;
  $("via").value = (req.via || []).map((v) => (state.hubsById.get(v) || {}).name || v).join(", ");
  $("corridor").value = req.corridor || "";
  $("exclude-corridor").value = (req.exclude_corridor || [])[0] || "";
}

/** The corridor pickers, from the API's list of named corridors. */
function fillCorridors(rows) {
  for (const c of rows) {
    $("corridor").append(h("option", { value: c.id }, c.name));
    $("exclude-corridor").append(h("option", { value: c.id }, c.name));
  }
}

function ensureScenarioOption(name) {
  if (!name || [...$("scenario").options].some((o) => o.value === name)) return;
  $("scenario").append(h("option", { value: name }, name));
}

function fillScenarios(list) {
  state.scenarios = list;
  for (const sc of list) $("scenario").append(h("option", { value: sc.name, title: sc.title || sc.name }, sc.title || sc.name));
  for (const sc of list.filter((x) => !x.saved)) $("assign-scenario").append(h("option", { value: sc.name }, sc.title || sc.name));
}

function showScenarioDescription() {
  const sc = state.scenarios.find((x) => x.name === $("scenario").value);
  const desc = sc ? (sc.description || sc.title || "").trim() : "";
  $("scenario-desc").textContent = desc;
  $("scenario-desc").title = desc;
}

// ---------------------------------------------------------------- planning
/** The plan as JSON and as the CLI's formatted table (the same query; the server caches both). */
async function fetchPlan(req) {
  const [result, table] = await Promise.all([api("POST", "/plan", req), api("POST", "/plan?format=table", forFormat(req, "table"))]);
  return { result, table };
}

async function onSubmit(ev) {
  ev.preventDefault();
  await planForm();
}

/** Plans what the form says; the address bar then holds the link that plans it again. */
async function planForm(replace = false) {
  hideError();
  const req = readForm();
  const problem = validate(req);
  if (problem) {
    showFormError(new ApiError("Check the form", problem, 0));
    return;
  }
  setLoading(true, `Planning ${shortName(hubName(req.origin))} → ${shortName(hubName(req.destination))}…`);
  try {
    const { result, table } = await fetchPlan(req);
    state.savedTitle = null;
    hideShare();
    const link = "/" + linkOf(req);
    state.link = link.slice(1);
    if (replace) history.replaceState({}, "", link);
    else if (location.pathname + location.hash !== link) history.pushState({}, "", link);
    await showResult(req, result, table);
  } catch (err) {
    showFormError(err);
  } finally {
    setLoading(false);
  }
}

async function showResult(req, result, table) {
  state.request = req;
  state.result = result;
  state.table = table;
  state.selected = 0;
  const any = Boolean(result && result.routes && result.routes.length);
  $("save").disabled = !any;
  $("export").disabled = !any;
  await prepareTicks();
  fitMap();
  renderAll();
}

function select(i) {
  if (!state.result || i === state.selected || i < 0 || i >= state.result.routes.length) return;
  state.selected = i;
  renderAll();
}

function renderAll() {
  drawMap();
  renderTable();
  renderPareto();
  renderHistogram();
  renderLegs();
  renderTitle();
  renderCorridors();
  if (state.view === "emissions") renderEmissions();
}

function planTitle(req, result) {
  const o = result && result.origin ? result.origin.name : hubName(req.origin);
  const d = result && result.destination ? result.destination.name : hubName(req.destination);
  const bits = [];
  if (req.avoid && req.avoid.length) bits.push(`avoiding ${req.avoid.join(", ")}`);
  if (req.close && req.close.length) bits.push(`${req.close.join(", ")} closed`);
  if (req.scenario) bits.push(`scenario ${req.scenario}`);
  if (req.month) bits.push(MONTHS[req.month - 1]);
  return `${shortName(o)} → ${shortName(d)}${bits.length ? `, ${bits.join(", ")}` : ""}`;
}

function renderTitle() {
  const text = state.savedTitle || (state.request ? planTitle(state.request, state.result) : "");
  $("plan-title").textContent = text;
  $("plan-title").title = text;
  document.title = text ? `${text} — silkway` : "silkway — container routes across Eurasia";
}

// ---------------------------------------------------------------- tabs
function show(view) {
  if (!VIEWS.includes(view)) return;
  state.view = view;
  for (const v of VIEWS) {
    $(`view-${v}`).hidden = v !== view;
    $(`tab-${v}`).setAttribute("aria-selected", v === view ? "true" : "false");
  }
  document.body.dataset.view = view;
  if (view === "routes") {
    fitMapKeepZoom();
  } else if (view === "corridors") {
    renderCorridors();
  } else if (view === "emissions") {
    renderEmissions();
  } else if (view === "compare") {
    renderCompare();
  } else if (view === "saved") {
    renderSaved();
  }
}

function fitMapKeepZoom() {
  const zoom = state.zoom;
  fitMap();
  state.zoom = zoom;
  drawMap();
  renderPareto();
  renderHistogram();
}

// ---------------------------------------------------------------- save + share
function showShare(url, title) {
  const abs = new URL(url, location.origin).href;
  $("share-url").textContent = new URL(abs).pathname;
  $("share-url").href = abs;
  $("share-url").title = abs;
  $("share").hidden = false;
  state.savedTitle = title || null;
  renderTitle();
}
function hideShare() {
  $("share").hidden = true;
}

function askForToken(err) {
  $("token").hidden = false;
  $("token").focus();
  showError(new ApiError(err.title || "Not allowed",
    `${/[.!?]$/.test(err.detail) ? err.detail : `${err.detail}.`} Enter the server's API token next to Save `
    + "and try again.", err.status));
}

async function onSave() {
  if (!state.request || !state.result) return;
  hideError();
  const title = planTitle(state.request, state.result);
  $("save").disabled = true;
  $("save").textContent = "Saving…";
  try {
    const saved = await api("POST", "/plans", { request: state.request, title }, { auth: true });
    const path = `/p/${saved.id}`;
    history.pushState({ id: saved.id }, "", path);
    $("token").hidden = true;
    showShare(path, title);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) askForToken(err);
    else showError(err);
  } finally {
    $("save").disabled = false;
    $("save").textContent = "Save";
  }
}

async function loadSaved(id) {
  hideError();
  setLoading(true, "Loading the saved plan…");
  try {
    const saved = await api("GET", `/plans/${encodeURIComponent(id)}`);
    const req = saved.request || {};
    fillForm(req);
    const table = await api("POST", "/plan?format=table", forFormat(req, "table"));
    const result = saved.result || (await api("POST", "/plan", req));
    show("routes");
    await showResult(req, result, table);
    showShare(`/p/${saved.id || id}`, saved.title || planTitle(req, result));
    noteIgnoredFragment(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      showError(new ApiError("Saved plan not found:", `no plan is saved under the link /p/${id}; check the link, `
        + "or plan the route again and save it.", 404));
    } else {
      showError(err);
    }
  } finally {
    setLoading(false);
  }
}

// ---------------------------------------------------------------- links that plan
// `/#origin=Nagoya&destination=Istanbul&avoid=RU,BY,IR` fills the form and plans it. The page
// never reads a query string (the server refuses one on `/`), so a link is a fragment.
const LINK_LISTS = ["avoid", "modes", "close", "via", "exclude_corridor"];
const LINK_NUMBERS = { month: "a month, 1 to 12", deadline_days: "a positive number of days", max_routes: "a whole number, 1 or more" };
const LINK_KEYS = ["origin", "destination", ...LINK_LISTS, "cargo", "objective", "scenario", "corridor", ...Object.keys(LINK_NUMBERS)];

/** The fragment (with its `#`) of a plan request: what differs from an empty form. */
function linkOf(req) {
  const p = new URLSearchParams();
  for (const k of LINK_KEYS) {
    const v = req[k];
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) continue;
    if (k === "modes" && v.length === Object.keys(MODES).length) continue;
    if (k === "max_routes" && v === 8) continue;
    p.set(k, Array.isArray(v) ? v.join(",") : String(v));
  }
  return "#" + p.toString().replaceAll("%2C", ",");
}

/** The request a fragment asks for, and what is wrong with it (null when nothing is). */
function linkRequest(fragment) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const req = {};
  const problems = [];
  const unknown = [...new Set([...params.keys()].filter((k) => !LINK_KEYS.includes(k)))];
  if (unknown.length) {
    problems.push(`the link names ${unknown.map((k) => `'${k.slice(0, 40)}'`).slice(0, 3).join(", ")}, which a link `
      + `does not take; it takes ${LINK_KEYS.join(", ")}`);
  }
  for (const k of LINK_KEYS) {
    const all = params.getAll(k);
    if (!all.length) continue;
    if (all.length > 1) problems.push(`the link gives '${k}' ${all.length} times; give it once`);
    const v = all[0].trim();
    if (LINK_LISTS.includes(k)) {
      const items = v.split(",").map((x) => x.trim());
      if (v && items.some((x) => !x)) {
        problems.push(`the link's '${k}' has an empty item: two commas together, or one at an end`);
      }
      req[k] = items.filter(Boolean);
    } else if (k in LINK_NUMBERS) {
      const n = /^[0-9]+(\.[0-9]+)?$/.test(v) ? Number(v) : NaN;
      const ok = k === "deadline_days" ? n > 0 : Number.isInteger(n) && n >= 1 && (k !== "month" || n <= 12);
      if (ok) req[k] = n;
      else problems.push(`the link's '${k}' takes ${LINK_NUMBERS[k]}, not '${v.slice(0, 40)}'`);
    } else {
      req[k] = v;
    }
  }
  req.avoid = (req.avoid || []).map((c) => c.toUpperCase());
  const bad = req.avoid.filter((c) => !/^[A-Z]{2}$/.test(c));
  if (bad.length) {
    problems.push(`the link's 'avoid' takes two-letter country codes, not '${bad[0].slice(0, 40)}'`);
    req.avoid = req.avoid.filter((c) => /^[A-Z]{2}$/.test(c));
  }
  if (!req.origin || !req.destination) problems.push("a link that plans names an origin and a destination");
  return { req, problem: problems.length ? problems.join("; ") : null };
}

/** What a link asks for that the filled form does not hold (a corridor, passage, mode, cargo or
 * order the page does not offer, a second corridor to exclude): named, never planned without. */
function linkLeftOut(req, form) {
  const problems = [];
  const offered = (id) => [...$(id).options].map((o) => o.value).filter(Boolean);
  const boxes = (group) => [...document.querySelectorAll(`input[name="${group}"]`)].map((el) => el.value);
  const name = (v) => `'${String(v).slice(0, 40)}'`;
  const lists = { modes: boxes("modes"), close: boxes("close") };
  for (const [k, all] of Object.entries(lists)) {
    const lost = (req[k] || []).filter((v) => !(form[k] || []).includes(v));
    if (lost.length) problems.push(`the link's '${k}' names ${lost.slice(0, 3).map(name).join(", ")}, which the page does not offer; it offers ${all.join(", ")}`);
  }
  const ids = { cargo: "cargo", objective: "objective", corridor: "corridor", exclude_corridor: "exclude-corridor" };
  for (const [k, id] of Object.entries(ids)) {
    const asked = k === "exclude_corridor" ? req[k] || [] : req[k] ? [req[k]] : [];
    if (asked.length > 1) problems.push(`the link's '${k}' names ${asked.length} corridors; the page excludes one`);
    const have = k === "exclude_corridor" ? form[k] || [] : form[k] ? [form[k]] : [];
    if (asked.length && String(asked[0]).toUpperCase() !== String(have[0] || "").toUpperCase()) {
      const all = offered(id);
      problems.push(`the link's '${k}' names ${name(asked[0])}, which the page does not offer; it offers `
        + (all.length > 8 ? `${all.slice(0, 8).join(", ")} and ${all.length - 8} more` : all.join(", ")));
    }
  }
  return problems;
}

/** Fills the form from the address bar's fragment and plans it (unless the link is wrong). */
async function planFromLink() {
  if (location.hash.length <= 1 || location.hash.slice(1) === state.link) return;
  state.link = location.hash.slice(1);
  const asked = linkRequest(location.hash);
  const { req } = asked;
  fillForm({ max_routes: 8, ...req });
  const problems = [asked.problem, ...linkLeftOut(req, readForm())].filter(Boolean);
  const problem = problems.length ? problems.join("; ") : null;
  if (problem) {
    if (state.result) await showResult(null, null, null); // no earlier plan beside the new form
    showError(new ApiError("Check the link", problem, 0));
    return;
  }
  await planForm(true);
}

/** A saved plan is shown as it was saved: a fragment on its link (`/p/ID#avoid=KZ`) is not applied,
 * and the page says so rather than dropping it silently. */
function noteIgnoredFragment(id) {
  const fragment = location.hash.slice(1);
  if (!fragment) return;
  let shown = fragment;
  try {
    shown = decodeURIComponent(fragment);
  } catch {
    // a malformed %-escape: shown as typed
  }
  showError(new ApiError("Link state ignored:", `this is the saved plan /p/${id}, shown as it was saved; `
    + `the link's '#${shown}' was not applied. To plan with it, open /#${fragment} instead.`, 0));
}

function savedIdFromPath() {
  const m = location.pathname.match(/^\/p\/([^/]+)\/?$/);
  if (!m) return null;
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return m[1]; // a malformed %-escape: asked for as typed, so the server says it is unknown
  }
}

// ---------------------------------------------------------------- start
function onResize() {
  if (!state.proj || state.view !== "routes") return;
  const el = $("map");
  if (Math.abs(el.clientWidth - state.proj.W) < 2 && Math.abs(el.clientHeight - state.proj.H) < 2) {
    renderPareto();
    renderHistogram();
    return;
  }
  fitMapKeepZoom();
}

function wire() {
  $("plan-form").addEventListener("submit", onSubmit);
  $("save").addEventListener("click", onSave);
  $("assign-run").addEventListener("click", renderCapacity);
  $("error-close").addEventListener("click", hideError);
  $("scenario").addEventListener("change", showScenarioDescription);
  $("swap").addEventListener("click", () => {
    const o = $("origin").value;
    $("origin").value = $("destination").value;
    $("destination").value = o;
    updateHint("origin");
    updateHint("destination");
  });
  for (const which of ["origin", "destination"]) $(which).addEventListener("input", () => updateHint(which));
  $("token").value = token.get();
  $("token").addEventListener("change", () => token.set($("token").value.trim()));
  $("copy").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("share-url").href);
      $("copy").textContent = "Copied";
    } catch {
      $("copy").textContent = "Select it";
    }
    setTimeout(() => { $("copy").textContent = "Copy"; }, 1500);
  });
  for (const v of VIEWS) $(`tab-${v}`).addEventListener("click", () => show(v));
  $("compare-run").addEventListener("click", renderCompare);
  $("export").addEventListener("click", () => { $("export-menu").hidden = !$("export-menu").hidden; });
  for (const btn of document.querySelectorAll("#export-menu button[data-export]")) {
    btn.addEventListener("click", () => {
      $("export-menu").hidden = true;
      exportPlan(btn.dataset.export);
    });
  }
  document.addEventListener("click", (ev) => {
    if (!ev.target.closest(".export")) $("export-menu").hidden = true;
  });
  window.addEventListener("popstate", () => {
    const id = savedIdFromPath();
    if (id) loadSaved(id);
    else planFromLink();
  });
  window.addEventListener("hashchange", () => {
    const id = savedIdFromPath();
    if (id) noteIgnoredFragment(id);
    else planFromLink();
  });
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(onResize, 120);
  });
}

async function start() {
  hooks.select = select;
  hooks.show = show;
  hooks.error = (err) => {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) askForToken(err);
    else showError(err);
  };
  buildForm();
  renderLegend();
  wireMap();
  wire();
  fitMap();
  drawMap();
  renderPareto();
  renderHistogram();

  const [hubs, scenarios, basemap, corridors] = await Promise.allSettled([
    api("GET", "/hubs"), api("GET", "/scenarios"), api("GET", "/basemap"), api("GET", "/corridors"),
  ]);
  if (corridors.status === "fulfilled") fillCorridors(corridors.value || []);
  if (basemap.status === "fulfilled" && basemap.value) {
    state.basemap = basemap.value;
    for (const f of state.basemap.features || []) {
      const p = f.properties || {};
      if (p.iso && p.name && !state.countryNames[p.iso]) state.countryNames[p.iso] = p.name;
      const lp = f.geometry && p.iso ? labelPoint(f.geometry) : null;
      if (lp && !(state.countryLabels.get(p.iso)?.area >= lp.area)) state.countryLabels.set(p.iso, lp);
    }
  }
  if (hubs.status === "fulfilled") indexHubs(hubs.value || []);
  if (scenarios.status === "fulfilled") fillScenarios(scenarios.value || []);
  fillCountries();
  const failed = [hubs, scenarios, basemap].find((x) => x.status === "rejected");
  if (failed) showError(failed.reason);

  drawMap();
  renderCorridors();
  const id = savedIdFromPath();
  if (id) {
    await loadSaved(id);
  } else if (location.hash.length > 1) {
    await planFromLink();
  } else {
    if (!$("origin").value && !$("destination").value) {
      $("origin").value = (state.hubsById.get("JPTOY") || { name: "Toyama" }).name;
      $("destination").value = (state.hubsById.get("KGFRU") || { name: "Bishkek" }).name;
      $("avoid-RU").checked = true;
    }
    updateHint("origin");
    updateHint("destination");
    drawMap();
  }
  document.body.dataset.ready = "true";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
