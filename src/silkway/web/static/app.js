/* silkway web page: plan form, SVG map, comparison table, charts, save and share.
 * Plain JavaScript, no libraries and no external URLs: everything comes from /api/... */
"use strict";

(() => {
  // ---------------------------------------------------------------- constants
  const MODES = {
    sea: { label: "Sea", color: "#1f6fd1" },
    rail: { label: "Rail", color: "#d43a2f" },
    road: { label: "Road", color: "#ee8a12" },
    ferry: { label: "Ferry", color: "#8e44ad" },
  };
  const AVOID = [
    ["RU", "Russia"], ["BY", "Belarus"], ["IR", "Iran"], ["CN", "China"], ["KZ", "Kazakhstan"],
    ["AF", "Afghanistan"], ["PK", "Pakistan"], ["TR", "Turkey"], ["EG", "Egypt"], ["TM", "Turkmenistan"],
    ["AZ", "Azerbaijan"], ["GE", "Georgia"], ["UZ", "Uzbekistan"], ["KG", "Kyrgyzstan"], ["MN", "Mongolia"],
    ["UA", "Ukraine"],
  ];
  const PASSAGES = [
    ["suez", "Suez"], ["bab-el-mandeb", "Bab-el-Mandeb"], ["hormuz", "Hormuz"], ["bosporus", "Bosporus"],
    ["malacca", "Malacca"], ["gibraltar", "Gibraltar"], ["cape", "Cape"],
  ];
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];
  const COUNTRY_NAMES = {
    AF: "Afghanistan", AM: "Armenia", AT: "Austria", AZ: "Azerbaijan", BE: "Belgium", BG: "Bulgaria",
    BY: "Belarus", CN: "China", CZ: "Czechia", DE: "Germany", DJ: "Djibouti", EG: "Egypt", ES: "Spain",
    FR: "France", GB: "United Kingdom", GE: "Georgia", GR: "Greece", HU: "Hungary", IN: "India", IR: "Iran",
    IT: "Italy", JP: "Japan", KG: "Kyrgyzstan", KP: "North Korea", KR: "South Korea", KZ: "Kazakhstan",
    LK: "Sri Lanka", LT: "Lithuania", LV: "Latvia", MA: "Morocco", MN: "Mongolia", MY: "Malaysia",
    NL: "Netherlands", OM: "Oman", PK: "Pakistan", PL: "Poland", RO: "Romania", RS: "Serbia", RU: "Russia",
    SA: "Saudi Arabia", SG: "Singapore", SK: "Slovakia", TJ: "Tajikistan", TM: "Turkmenistan", TR: "Turkey",
    UA: "Ukraine", UZ: "Uzbekistan", YE: "Yemen", ZA: "South Africa",
  };
  const FALLBACK_BOUNDS = { lon0: 0, lon1: 150, lat0: 20, lat1: 60 };
  const TOKEN_KEY = "silkway.token";
  const SVGNS = "http://www.w3.org/2000/svg";

  // ---------------------------------------------------------------- state
  const state = {
    hubs: [],
    hubsById: new Map(),
    hubIndex: new Map(), // lower-case id / name / alias -> hub
    scenarios: [],
    countryNames: { ...COUNTRY_NAMES },
    basemap: null,
    request: null, // the request behind the shown result
    result: null,
    selected: 0,
    savedTitle: null,
    proj: null,
    zoom: { k: 1, x: 0, y: 0 },
  };

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- DOM helpers
  function add(el, kids) {
    for (const kid of kids.flat()) {
      if (kid === null || kid === undefined || kid === false) continue;
      el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return el;
  }
  function h(tag, attrs = {}, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    return add(el, kids);
  }
  function s(tag, attrs = {}, ...kids) {
    const el = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v);
    }
    return add(el, kids);
  }
  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    return el;
  }

  // ---------------------------------------------------------------- formatting
  const nf0 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const nf1 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const nf2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const int = (v) => (Number.isFinite(v) ? nf0.format(v) : "—");
  const d1 = (v) => (Number.isFinite(v) ? nf1.format(v) : "—");
  const t2 = (kg) => (Number.isFinite(kg) ? nf2.format(kg / 1000) : "—");
  const pct = (p) => (Number.isFinite(p) ? `${Math.round(p * 100)} %` : "—");
  const hubName = (id) => (state.hubsById.get(id) || {}).name || id;
  const shortName = (name) => String(name).replace(/\s*\(.*\)\s*$/, "");
  const countryName = (iso) => state.countryNames[iso] || iso;
  const co2 = (route) => (route.co2e_kg && Number.isFinite(route.co2e_kg.wtw) ? route.co2e_kg.wtw : NaN);

  // ---------------------------------------------------------------- API
  class ApiError extends Error {
    constructor(title, detail, status) {
      super(detail);
      this.title = title;
      this.detail = detail;
      this.status = status;
    }
  }

  function humanise(code) {
    if (!code) return "";
    const words = String(code).replace(/Error$/, "").replace(/([a-z])([A-Z])/g, "$1 $2").replace(/[_-]+/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
  }

  function describeDetail(detail) {
    if (typeof detail === "string") return detail;
    if (Array.isArray(detail)) {
      // FastAPI request validation: [{loc: ["body", "month"], msg: "..."}]
      return detail.map((d) => {
        const where = (d.loc || []).filter((p) => p !== "body").join(".");
        return where ? `${where}: ${d.msg}` : d.msg;
      }).join("; ");
    }
    return detail ? JSON.stringify(detail) : "";
  }

  async function api(method, path, body, { auth = false } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const token = auth ? localStorage.getItem(TOKEN_KEY) : null;
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError("Server unreachable", "The silkway server did not answer; is `silkway serve` still running?", 0);
    }
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!res.ok) {
      const detail = describeDetail(data && data.detail) || text.slice(0, 200) || res.statusText;
      const title = humanise(data && data.error) || `Request failed (HTTP ${res.status})`;
      throw new ApiError(title, detail, res.status);
    }
    return data;
  }

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
  function chip(group, value, text, title, extraClass, checked, swatch) {
    const id = `${group}-${value}`;
    return h("label", { class: `chip ${extraClass || ""}`, title, for: id },
      h("input", { type: "checkbox", id, name: group, value, checked }),
      h("span", { class: swatch ? "mode-chip" : null },
        swatch ? h("i", { class: "swatch", style: `background:${swatch}` }) : null, text));
  }

  function buildForm() {
    add($("avoid"), AVOID.map(([iso, name]) => chip("avoid", iso, iso, `Avoid ${name}`, "avoid", false)));
    add($("modes"), Object.entries(MODES).map(([m, v]) => chip("modes", m, v.label, `Allow ${m}`, "", true, v.color)));
    add($("close"), PASSAGES.map(([p, name]) => chip("close", p, name, `Close ${name}`, "avoid", false)));
    add($("month"), MONTHS.map((m, i) => h("option", { value: String(i + 1) }, m)));
    $("avoid").addEventListener("change", () => {
      if (!state.result) drawMap();
    });
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

  const checked = (group) => [...document.querySelectorAll(`input[name="${group}"]:checked`)].map((el) => el.value);

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
  }

  function ensureScenarioOption(name) {
    if (!name || [...$("scenario").options].some((o) => o.value === name)) return;
    $("scenario").append(h("option", { value: name }, name));
  }

  function fillScenarios(list) {
    state.scenarios = list;
    for (const sc of list) $("scenario").append(h("option", { value: sc.name, title: sc.title || sc.name }, sc.title || sc.name));
  }

  function showScenarioDescription() {
    const sc = state.scenarios.find((x) => x.name === $("scenario").value);
    const desc = sc ? (sc.description || sc.title || "").trim() : "";
    $("scenario-desc").textContent = desc;
    $("scenario-desc").title = desc;
  }

  // ---------------------------------------------------------------- planning
  async function onSubmit(ev) {
    ev.preventDefault();
    hideError();
    const req = readForm();
    const problem = validate(req);
    if (problem) {
      showError(new ApiError("Check the form", problem, 0));
      return;
    }
    setLoading(true, `Planning ${shortName(hubName(req.origin))} → ${shortName(hubName(req.destination))}…`);
    try {
      const result = await api("POST", "/api/plan", req);
      state.savedTitle = null;
      hideShare();
      if (location.pathname !== "/") history.pushState({}, "", "/");
      showResult(req, result);
    } catch (err) {
      showError(err);
    } finally {
      setLoading(false);
    }
  }

  function showResult(req, result) {
    state.request = req;
    state.result = result;
    state.selected = 0;
    $("save").disabled = !(result && result.routes && result.routes.length);
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

  async function onSave() {
    if (!state.request || !state.result) return;
    hideError();
    const title = planTitle(state.request, state.result);
    $("save").disabled = true;
    $("save").textContent = "Saving…";
    try {
      const saved = await api("POST", "/api/plans", { request: state.request, title }, { auth: true });
      const url = saved.url || `/p/${saved.id}`;
      const path = new URL(url, location.origin).pathname;
      history.pushState({ id: saved.id }, "", path);
      $("token").hidden = true;
      showShare(path, title);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
        $("token").hidden = false;
        $("token").focus();
        showError(new ApiError(err.title || "Not allowed",
          `${/[.!?]$/.test(err.detail) ? err.detail : `${err.detail}.`} Enter the server's API token next to Save `
          + "and press Save again.", err.status));
      } else {
        showError(err);
      }
    } finally {
      $("save").disabled = false;
      $("save").textContent = "Save";
    }
  }

  async function loadSaved(id) {
    hideError();
    setLoading(true, "Loading the saved plan…");
    try {
      const saved = await api("GET", `/api/plans/${encodeURIComponent(id)}`);
      const req = saved.request || {};
      fillForm(req);
      const result = saved.result || (await api("POST", "/api/plan", req));
      showResult(req, result);
      showShare(`/p/${saved.id || id}`, saved.title || planTitle(req, result));
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

  function savedIdFromPath() {
    const m = location.pathname.match(/^\/p\/([^/]+)\/?$/);
    return m ? decodeURIComponent(m[1]) : null;
  }

  // ---------------------------------------------------------------- map
  function routeBounds(result) {
    let lon0 = Infinity, lon1 = -Infinity, lat0 = Infinity, lat1 = -Infinity;
    const see = (lat, lon) => {
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
      lon0 = Math.min(lon0, lon); lon1 = Math.max(lon1, lon);
      lat0 = Math.min(lat0, lat); lat1 = Math.max(lat1, lat);
    };
    if (result) {
      for (const hub of [result.origin, result.destination]) if (hub) see(hub.lat, hub.lon);
      for (const route of result.routes || []) for (const leg of route.legs || []) for (const [lat, lon] of legPoints(leg)) see(lat, lon);
    }
    if (!Number.isFinite(lon0)) return { ...FALLBACK_BOUNDS };
    return { lon0, lon1, lat0, lat1 };
  }

  function legPoints(leg) {
    let pts = Array.isArray(leg.geometry) && leg.geometry.length > 1 ? leg.geometry : null;
    if (!pts) {
      const a = state.hubsById.get(leg.from), b = state.hubsById.get(leg.to);
      pts = a && b ? [[a.lat, a.lon], [b.lat, b.lon]] : [];
    }
    // keep longitudes continuous across the antimeridian
    const out = [];
    let prev = null;
    for (const [lat, lon0] of pts) {
      let lon = lon0;
      if (prev !== null) {
        while (lon - prev > 180) lon -= 360;
        while (lon - prev < -180) lon += 360;
      }
      out.push([lat, lon]);
      prev = lon;
    }
    return out;
  }

  function makeProjection(b, W, H) {
    let { lon0, lon1, lat0, lat1 } = b;
    const minLon = 14, minLat = 8;
    if (lon1 - lon0 < minLon) { const c = (lon0 + lon1) / 2; lon0 = c - minLon / 2; lon1 = c + minLon / 2; }
    if (lat1 - lat0 < minLat) { const c = (lat0 + lat1) / 2; lat0 = c - minLat / 2; lat1 = c + minLat / 2; }
    const padLon = (lon1 - lon0) * 0.07, padLat = (lat1 - lat0) * 0.12;
    lon0 -= padLon; lon1 += padLon; lat0 -= padLat; lat1 += padLat;
    lat0 = Math.max(lat0, -75); lat1 = Math.min(lat1, 80);
    const cy = (lat0 + lat1) / 2, cx = (lon0 + lon1) / 2;
    const k = Math.cos((cy * Math.PI) / 180); // equirectangular with its standard parallel at mid-latitude
    const scale = Math.min(W / ((lon1 - lon0) * k), H / (lat1 - lat0));
    return {
      W, H,
      point: (lat, lon) => [W / 2 + (lon - cx) * k * scale, H / 2 - (lat - cy) * scale],
    };
  }

  function fitMap() {
    const el = $("map");
    const W = Math.max(el.clientWidth, 200), H = Math.max(el.clientHeight, 150);
    state.proj = makeProjection(routeBounds(state.result), W, H);
    state.zoom = { k: 1, x: 0, y: 0 };
  }

  function pathOf(points, proj) {
    let d = "";
    for (let i = 0; i < points.length; i++) {
      const [x, y] = proj.point(points[i][0], points[i][1]);
      d += `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
    }
    return d;
  }

  function ringPath(ring, proj) {
    let hasEast = false, hasWest = false;
    for (const [lon] of ring) {
      if (lon > 150) hasEast = true;
      if (lon < -150) hasWest = true;
    }
    const shift = hasEast && hasWest; // e.g. Chukotka: draw east of 180° instead of across the map
    let d = "";
    for (let i = 0; i < ring.length; i++) {
      const lon = shift && ring[i][0] < 0 ? ring[i][0] + 360 : ring[i][0];
      const [x, y] = proj.point(ring[i][1], lon);
      d += `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
    }
    return `${d}Z`;
  }

  function avoidedCountries() {
    const set = new Set();
    if (state.result) {
      const c = state.result.constraints || {};
      for (const iso of c.avoid || []) set.add(iso);
      for (const iso of (state.request && state.request.avoid) || []) set.add(iso);
    } else {
      for (const iso of checked("avoid")) set.add(iso);
    }
    return set;
  }

  function tooltip(ev, parts) {
    const tip = $("tooltip");
    clear(tip);
    add(tip, parts);
    tip.hidden = false;
    const box = $("map").getBoundingClientRect();
    let x = ev.clientX - box.left + 12, y = ev.clientY - box.top + 12;
    if (x + tip.offsetWidth > box.width - 4) x = ev.clientX - box.left - tip.offsetWidth - 12;
    if (y + tip.offsetHeight > box.height - 4) y = ev.clientY - box.top - tip.offsetHeight - 12;
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  }
  function hideTooltip() {
    $("tooltip").hidden = true;
  }

  function hubTip(hub) {
    return [h("b", {}, hub.name), " ", h("span", { class: "dim" }, `${hub.id} · ${countryName(hub.country)} · ${hub.kind}`),
      hub.modes && hub.modes.length ? h("div", { class: "dim" }, hub.modes.join(", ")) : null];
  }

  function drawMap() {
    const svgEl = $("map-svg");
    if (!state.proj) fitMap();
    const proj = state.proj;
    clear(svgEl);
    svgEl.setAttribute("viewBox", `0 0 ${proj.W} ${proj.H}`);
    svgEl.append(s("defs", {},
      s("pattern", { id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" },
        s("rect", { width: 6, height: 6, fill: "#f7dedb" }),
        s("line", { x1: 0, y1: 0, x2: 0, y2: 6, stroke: "#e49c93", "stroke-width": 2 }))));

    const world = s("g", { id: "world" });
    const overlay = s("g", { id: "overlay" });
    svgEl.append(world, overlay);

    // graticule
    const grat = s("g", {});
    for (let lon = -180; lon <= 180; lon += 10) grat.append(s("path", { class: "graticule", d: pathOf([[-80, lon], [85, lon]], proj) }));
    for (let lat = -80; lat <= 80; lat += 10) grat.append(s("path", { class: "graticule", d: pathOf([[lat, -180], [lat, 240]], proj) }));
    world.append(grat);

    // countries
    const route = state.result ? state.result.routes[state.selected] : null;
    const onRoute = new Set(route ? route.countries || [] : []);
    const avoided = avoidedCountries();
    const countries = s("g", {});
    for (const f of (state.basemap && state.basemap.features) || []) {
      const g = f.geometry;
      if (!g) continue;
      const polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
      let d = "";
      for (const poly of polys) for (const ring of poly) if (ring.length > 2) d += ringPath(ring, proj);
      if (!d) continue;
      const iso = (f.properties && f.properties.iso) || "";
      const cls = avoided.has(iso) ? "country avoided" : onRoute.has(iso) ? "country on-route" : "country";
      const name = (f.properties && f.properties.name) || iso;
      countries.append(s("path", { class: cls, d, "fill-rule": "evenodd" },
        s("title", {}, `${name} (${iso})${avoided.has(iso) ? ": avoided" : ""}`)));
    }
    world.append(countries);

    // routes: the others first, faded; the selected one last, on top, with a white casing
    const routes = s("g", {});
    const all = state.result ? state.result.routes : [];
    const order = all.map((_, i) => i).filter((i) => i !== state.selected);
    if (all.length) order.push(state.selected);
    for (const i of order) {
      const r = all[i];
      const sel = i === state.selected;
      const g = s("g", { class: sel ? "route sel" : "route dim", "data-route": i, onclick: () => select(i) });
      for (const leg of r.legs || []) {
        const d = pathOf(legPoints(leg), proj);
        if (!d) continue;
        const est = leg.distance_source === "estimate";
        if (sel) g.append(s("path", { class: "leg casing", d, "stroke-width": 6.5 }));
        const color = (MODES[leg.mode] || { color: "#555" }).color;
        g.append(s("path", {
          class: `leg mode-${leg.mode}${est ? " estimate" : ""}`, d, stroke: color,
          "stroke-width": sel ? 3.4 : 2.2, "stroke-dasharray": est ? (sel ? "7 5" : "5 4") : null,
          onmousemove: (ev) => tooltip(ev, [h("b", {}, `${i + 1}. ${shortName(hubName(leg.from))} → ${shortName(hubName(leg.to))}`),
            h("div", { class: "dim" }, `${leg.mode}, ${int(leg.distance_km)} km, ${d1(leg.days)} d, ${int(leg.cost_usd)} USD`),
            h("div", { class: "dim" }, `distance: ${leg.distance_source}`)]),
          onmouseleave: hideTooltip,
        }));
      }
      routes.append(g);
    }
    world.append(routes);

    // hubs: every network hub as a small dot; the selected route's hubs larger, with labels
    const dots = s("g", {});
    const routeHubIds = new Set();
    const liftIds = new Set();
    if (route) {
      for (const leg of route.legs || []) { routeHubIds.add(leg.from); routeHubIds.add(leg.to); }
      for (const lift of route.handling || []) liftIds.add(lift.hub);
    }
    const ends = new Set(state.result ? [state.result.origin.id, state.result.destination.id] : []);
    for (const hub of state.hubs) {
      if (routeHubIds.has(hub.id) || ends.has(hub.id)) continue;
      dots.append(s("circle", {
        class: "hub-dot", "data-hub": hub.id, "data-r": 2.3, "data-lat": hub.lat, "data-lon": hub.lon,
        onmousemove: (ev) => tooltip(ev, hubTip(hub)), onmouseleave: hideTooltip,
      }));
    }
    const marks = s("g", {});
    const labels = s("g", {});
    const placeHub = (hub, cls, r, labelCls, prio) => {
      marks.append(s("circle", {
        class: cls, "data-hub": hub.id, "data-r": r, "data-lat": hub.lat, "data-lon": hub.lon,
        onmousemove: (ev) => tooltip(ev, hubTip(hub)), onmouseleave: hideTooltip,
      }));
      if (labelCls) labels.append(s("text", { class: labelCls, "data-lat": hub.lat, "data-lon": hub.lon, "data-r": r, "data-prio": prio }, shortName(hub.name)));
    };
    for (const id of routeHubIds) {
      const hub = state.hubsById.get(id);
      if (!hub || ends.has(id)) continue;
      const lift = liftIds.has(id);
      placeHub(hub, lift ? "route-hub lift" : "route-hub", lift ? 4.2 : 3.2, lift ? "map-label minor" : null, 1);
    }
    if (state.result) {
      for (const hub of [state.result.origin, state.result.destination]) {
        const known = state.hubsById.get(hub.id) || hub;
        placeHub(known, "route-hub end", 5.8, "map-label", 0);
      }
    }
    overlay.append(dots, marks, labels);
    if (!state.result) {
      overlay.append(s("text", { class: "map-note", x: 14, y: proj.H - 14 },
        state.basemap ? "Plan a route to draw it here." : "Loading the map…"));
    }
    applyZoom();
  }

  /** Countries and routes scale with the zoom (strokes stay thin); dots and labels keep their size. */
  function applyZoom() {
    const proj = state.proj;
    if (!proj) return;
    const { k, x, y } = state.zoom;
    const world = $("world");
    if (world) world.setAttribute("transform", `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${k})`);
    const labels = [];
    const obstacles = [];
    for (const el of document.querySelectorAll("#overlay [data-lat]")) {
      const [px, py] = proj.point(Number(el.dataset.lat), Number(el.dataset.lon));
      const sx = px * k + x, sy = py * k + y;
      const r = Number(el.dataset.r);
      if (el.tagName === "circle") {
        el.setAttribute("cx", sx.toFixed(1));
        el.setAttribute("cy", sy.toFixed(1));
        el.setAttribute("r", r);
        if (el.classList.contains("route-hub")) obstacles.push([sx - r, sy - r, 2 * r, 2 * r]);
      } else {
        labels.push({ el, sx, sy, r, prio: Number(el.dataset.prio || 1) });
      }
    }
    labels.sort((a, b) => a.prio - b.prio);
    placeLabels(labels, obstacles, [0, 0, proj.W, proj.H]);
  }

  const overlaps = (a, b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
  const inside = (a, area) => a[0] >= area[0] && a[1] >= area[1] && a[0] + a[2] <= area[0] + area[2] && a[1] + a[3] <= area[1] + area[3];

  /**
   * Greedy label placement: right, left, above or below each point, avoiding labels already placed and
   * the given obstacles. A label that fits nowhere is hidden unless it has priority 0.
   */
  function placeLabels(labels, obstacles, area) {
    const placed = [...obstacles];
    for (const lab of labels) {
      const { el, sx, sy, r } = lab;
      el.removeAttribute("display");
      if (!el.dataset.w) el.dataset.w = String(el.getComputedTextLength ? el.getComputedTextLength() : 60);
      const w = Number(el.dataset.w), hgt = 12, gap = 4;
      const spots = [
        [sx + r + gap, sy + 4, "start", [sx + r + gap, sy - 8, w, hgt]],
        [sx - r - gap, sy + 4, "end", [sx - r - gap - w, sy - 8, w, hgt]],
        [sx, sy - r - gap - 1, "middle", [sx - w / 2, sy - r - gap - 11, w, hgt]],
        [sx, sy + r + gap + 9, "middle", [sx - w / 2, sy + r + gap - 2, w, hgt]],
        [sx + r + gap, sy - 8, "start", [sx + r + gap, sy - 20, w, hgt]],
        [sx - r - gap, sy + 16, "end", [sx - r - gap - w, sy + 4, w, hgt]],
      ];
      let spot = spots.find((c) => inside(c[3], area) && !placed.some((b) => overlaps(c[3], b)));
      if (!spot && lab.prio === 0) spot = spots.find((c) => inside(c[3], area)) || spots[0];
      if (!spot) {
        el.setAttribute("display", "none");
        continue;
      }
      el.setAttribute("x", spot[0].toFixed(1));
      el.setAttribute("y", spot[1].toFixed(1));
      el.setAttribute("text-anchor", spot[2]);
      placed.push(spot[3]);
    }
  }

  function zoomAt(factor, cx, cy) {
    const z = state.zoom;
    const k = Math.min(24, Math.max(0.6, z.k * factor));
    const f = k / z.k;
    state.zoom = { k, x: cx - (cx - z.x) * f, y: cy - (cy - z.y) * f };
    applyZoom();
  }

  function svgPoint(ev) {
    const box = $("map-svg").getBoundingClientRect();
    const proj = state.proj;
    return [((ev.clientX - box.left) / box.width) * proj.W, ((ev.clientY - box.top) / box.height) * proj.H];
  }

  function wireMap() {
    const svgEl = $("map-svg");
    svgEl.addEventListener("wheel", (ev) => {
      if (!state.proj) return;
      ev.preventDefault();
      const [cx, cy] = svgPoint(ev);
      zoomAt(Math.exp(-ev.deltaY * 0.0015), cx, cy);
    }, { passive: false });
    let drag = null;
    svgEl.addEventListener("pointerdown", (ev) => {
      if (ev.button !== 0 || !state.proj) return;
      drag = { start: svgPoint(ev), zoom: { ...state.zoom }, moved: false, id: ev.pointerId };
    });
    svgEl.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const [px, py] = svgPoint(ev);
      const dx = px - drag.start[0], dy = py - drag.start[1];
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) {
        drag.moved = true;
        svgEl.setPointerCapture(drag.id);
        svgEl.classList.add("dragging");
        hideTooltip();
      }
      state.zoom = { ...drag.zoom, x: drag.zoom.x + dx, y: drag.zoom.y + dy };
      applyZoom();
    });
    const end = () => {
      if (drag && drag.moved) svgEl.classList.remove("dragging");
      drag = null;
    };
    svgEl.addEventListener("pointerup", end);
    svgEl.addEventListener("pointercancel", end);
    const centre = () => [state.proj.W / 2, state.proj.H / 2];
    $("zoom-in").addEventListener("click", () => state.proj && zoomAt(1.5, ...centre()));
    $("zoom-out").addEventListener("click", () => state.proj && zoomAt(1 / 1.5, ...centre()));
    $("zoom-fit").addEventListener("click", () => {
      state.zoom = { k: 1, x: 0, y: 0 };
      applyZoom();
    });
  }

  function renderLegend() {
    const item = (color, text, dash) => h("span", { class: "item" },
      s("svg", { width: 22, height: 8, "aria-hidden": "true" },
        s("line", { x1: 1, y1: 4, x2: 21, y2: 4, stroke: color, "stroke-width": 3, "stroke-linecap": "round", "stroke-dasharray": dash })),
      text);
    add($("legend"), [
      ...Object.values(MODES).map((m) => item(m.color, m.label.toLowerCase())),
      item("#6b7785", "estimated km", "4 3"),
    ]);
  }

  // ---------------------------------------------------------------- table
  function renderTable() {
    const table = $("routes");
    const body = clear(table.querySelector("tbody"));
    const routes = state.result ? state.result.routes || [] : [];
    $("routes-empty").hidden = routes.length > 0;
    table.hidden = routes.length === 0;
    if (!routes.length) {
      $("routes-sub").textContent = "";
      if (state.result) $("routes-empty").textContent = "No route under these constraints.";
      return;
    }
    const r = state.result;
    const cargo = r.cargo ? `per ${r.cargo.type}${r.cargo.payload_t ? ` with ${r.cargo.payload_t} t` : ""}` : "";
    const sc = r.scenario ? ` · scenario ${typeof r.scenario === "string" ? r.scenario : r.scenario.name || ""}` : "";
    $("routes-sub").textContent = `${routes.length} Pareto route${routes.length > 1 ? "s" : ""} ${cargo}${sc} · ordered by ${r.order || r.objective || "days"}`;
    $("routes-sub").title = $("routes-sub").textContent;

    const hasOnTime = routes.some((x) => Number.isFinite(x.transit_days && x.transit_days.on_time_probability));
    table.classList.toggle("no-ontime", !hasOnTime);
    table.querySelector("thead th:nth-child(5)").hidden = !hasOnTime;
    const cols = {
      p50: (x) => x.transit_days.p50, p90: (x) => x.transit_days.p90, usd: (x) => x.cost_usd, co2: co2,
      km: (x) => x.distance_km, lifts: (x) => x.transshipments,
    };
    const best = {};
    for (const [k, f] of Object.entries(cols)) best[k] = Math.min(...routes.map(f).filter(Number.isFinite));
    best.ontime = Math.max(...routes.map((x) => (x.transit_days || {}).on_time_probability).filter(Number.isFinite));
    const cell = (key, value, text) => h("td", { class: `num${routes.length > 1 && value === best[key] ? " best" : ""}` }, text);

    routes.forEach((x, i) => {
      const td = x.transit_days || {};
      const modes = x.modes || [...new Set((x.legs || []).map((l) => l.mode))];
      const tr = h("tr", { class: i === state.selected ? "sel" : null, "data-route": i, onclick: () => select(i) },
        h("td", { class: "num" }, String(i + 1)),
        h("td", {},
          h("span", { class: "route-modes", title: modes.join(" + ") },
            modes.map((m) => h("i", { style: `background:${(MODES[m] || { color: "#555" }).color}` }))),
          h("span", { class: "route-label" }, x.label)),
        cell("p50", td.p50, d1(td.p50)),
        cell("p90", td.p90, d1(td.p90)),
        hasOnTime ? cell("ontime", td.on_time_probability, pct(td.on_time_probability)) : null,
        cell("usd", x.cost_usd, int(x.cost_usd)),
        cell("co2", co2(x), t2(co2(x))),
        cell("km", x.distance_km, int(x.distance_km)),
        cell("lifts", x.transshipments, String(x.transshipments ?? "—")),
        h("td", { class: "countries" }, (x.countries || []).map((c) => h("span", { class: "ctry", title: countryName(c) }, c))));
      body.append(tr);
    });
  }

  // ---------------------------------------------------------------- charts
  function niceTicks(lo, hi, count) {
    if (!(hi > lo)) { hi = lo + 1; }
    const raw = (hi - lo) / Math.max(count, 1);
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((v) => v >= raw) || raw;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toFixed(10)));
    return ticks;
  }

  function chartSize(svgEl) {
    const W = Math.max(svgEl.clientWidth, 200), H = Math.max(svgEl.clientHeight, 120);
    svgEl.setAttribute("viewBox", `0 0 ${W} ${H}`);
    return [W, H];
  }

  function axes(svgEl, W, H, m, xs, ys, xTicks, yTicks, xFmt, yFmt, xTitle, yTitle) {
    const g = s("g", { class: "axis" });
    for (const t of yTicks) {
      const y = ys(t);
      g.append(s("line", { class: "grid-line", x1: m.l, x2: W - m.r, y1: y, y2: y }));
      g.append(s("text", { class: "tick", x: m.l - 6, y: y + 3.5, "text-anchor": "end" }, yFmt(t)));
    }
    for (const t of xTicks) {
      const x = xs(t);
      g.append(s("line", { x1: x, x2: x, y1: H - m.b, y2: H - m.b + 4 }));
      g.append(s("text", { class: "tick", x, y: H - m.b + 15, "text-anchor": "middle" }, xFmt(t)));
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

  function renderPareto() {
    const svgEl = clear($("pareto"));
    const [W, H] = chartSize(svgEl);
    const routes = state.result ? state.result.routes || [] : [];
    if (!routes.length) {
      svgEl.append(s("text", { class: "empty-note", x: W / 2, y: H / 2, "text-anchor": "middle" }, "Days, cost and CO₂e of each route"));
      return;
    }
    const m = { l: 50, r: 16, t: 22, b: 30 };
    const p50 = routes.map((x) => x.transit_days.p50), p90 = routes.map((x) => x.transit_days.p90 ?? x.transit_days.p50);
    const usd = routes.map((x) => x.cost_usd);
    let x0 = Math.min(...p50), x1 = Math.max(...p90);
    let y0 = Math.min(...usd), y1 = Math.max(...usd);
    const px = Math.max((x1 - x0) * 0.08, 0.5), py = Math.max((y1 - y0) * 0.14, y1 * 0.05, 50);
    x0 = Math.max(0, x0 - px); x1 += px; y0 = Math.max(0, y0 - py); y1 += py;
    const xs = (v) => m.l + ((v - x0) / (x1 - x0)) * (W - m.l - m.r);
    const ys = (v) => H - m.b - ((v - y0) / (y1 - y0)) * (H - m.t - m.b);
    axes(svgEl, W, H, m, xs, ys, niceTicks(x0, x1, 6), niceTicks(y0, y1, 4),
      (t) => nf0.format(t), (t) => (y1 >= 10000 ? `${nf0.format(t / 1000)}k` : nf0.format(t)), "days", "USD");
    const maxCo2 = Math.max(...routes.map(co2).filter(Number.isFinite), 1);
    const pts = routes.map((x, i) => ({ x, i, r: Math.max(7.5, Math.sqrt(Math.max(co2(x), 0) / maxCo2) * 17) }));
    pts.sort((a, b) => (a.i === state.selected) - (b.i === state.selected) || b.r - a.r);
    const labels = [];
    const obstacles = [];
    for (const { x, i, r } of pts) {
      const cx = xs(x.transit_days.p50), cy = ys(x.cost_usd);
      const wx = Math.max(cx + r, xs(x.transit_days.p90 ?? x.transit_days.p50));
      obstacles.push([cx - r, cy - r, 2 * r, 2 * r], [cx + r, cy - 1.5, wx - cx - r, 3]);
      const tip = `${i + 1}. ${x.label}\nP50 ${d1(x.transit_days.p50)} d, P90 ${d1(x.transit_days.p90)} d\n${int(x.cost_usd)} USD, ${t2(co2(x))} t CO₂e`;
      const label = s("text", { class: "pt-label" }, shortLabel(x.label));
      svgEl.append(s("g", { class: `pt${i === state.selected ? " sel" : ""}`, "data-route": i, onclick: () => select(i) },
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

  function renderHistogram() {
    const svgEl = clear($("histogram"));
    const [W, H] = chartSize(svgEl);
    const route = state.result ? (state.result.routes || [])[state.selected] : null;
    const hist = route && route.transit_days ? route.transit_days.histogram : null;
    $("hist-title").textContent = route ? `Transit days, route ${state.selected + 1}` : "Transit days";
    $("hist-sub").textContent = "";
    if (!hist || !hist.counts || !hist.counts.length) {
      svgEl.append(s("text", { class: "empty-note", x: W / 2, y: H / 2, "text-anchor": "middle" },
        route ? "No histogram in this plan" : "Distribution of the selected route's days"));
      return;
    }
    const td = route.transit_days;
    const total = hist.counts.reduce((a, b) => a + b, 0) || 1;
    $("hist-sub").textContent = `${nf0.format(total)} simulated departures`;
    const m = { l: 38, r: 12, t: 22, b: 30 };
    const x0 = hist.edges[0], x1 = hist.edges[hist.edges.length - 1];
    const maxShare = Math.max(...hist.counts) / total;
    const yTop = maxShare * 1.12;
    const xs = (v) => m.l + ((v - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
    const ys = (v) => H - m.b - (v / yTop) * (H - m.t - m.b);
    axes(svgEl, W, H, m, xs, ys, niceTicks(x0, x1, 7), niceTicks(0, yTop, 3),
      (t) => nf0.format(t), (t) => `${Math.round(t * 100)}%`, "days door to door", "");
    const deadline = td.deadline_days ?? (state.request && state.request.deadline_days);
    const bars = s("g", {});
    hist.counts.forEach((c, i) => {
      const a = xs(hist.edges[i]), b = xs(hist.edges[i + 1]);
      const late = Number.isFinite(deadline) && hist.edges[i] >= deadline;
      bars.append(s("rect", {
        class: late ? "bar late" : "bar", x: a + 0.5, width: Math.max(b - a - 1, 0.5),
        y: ys(c / total), height: Math.max(H - m.b - ys(c / total), 0),
      }, s("title", {}, `${d1(hist.edges[i])}–${d1(hist.edges[i + 1])} d: ${(100 * c / total).toFixed(1)} %`)));
    });
    svgEl.append(bars);
    const markers = [["p50", td.p50, "#0e6e6a", `P50 ${d1(td.p50)} d`], ["p90", td.p90, "#b76200", `P90 ${d1(td.p90)} d`]];
    if (Number.isFinite(deadline)) {
      const onTime = Number.isFinite(td.on_time_probability) ? `: ${pct(td.on_time_probability)} on time` : "";
      markers.push(["deadline", deadline, "#b42318", `deadline ${d1(deadline)} d${onTime}`]);
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

  // ---------------------------------------------------------------- legs
  function renderLegs() {
    const panel = $("legs-panel");
    const route = state.result ? (state.result.routes || [])[state.selected] : null;
    panel.hidden = !route;
    if (!route) return;
    const td = route.transit_days || {};
    $("legs-title").textContent = `Route ${state.selected + 1}: ${route.label}`;
    const parts = [`P50 ${d1(td.p50)} d`, `P90 ${d1(td.p90)} d`];
    if (Number.isFinite(td.p95)) parts.push(`P95 ${d1(td.p95)} d`);
    parts.push(`${int(route.cost_usd)} USD`);
    if (route.co2e_kg) parts.push(`${t2(route.co2e_kg.wtw)} t CO₂e WTW (${t2(route.co2e_kg.ttw)} TTW)`);
    parts.push(`${route.transshipments} lift${route.transshipments === 1 ? "" : "s"}`);
    if (route.estimated_km) parts.push(`${int(route.estimated_km)} km estimated`);
    $("legs-sub").textContent = parts.join(" · ");
    $("legs-sub").title = $("legs-sub").textContent;

    const body = clear($("legs").querySelector("tbody"));
    const place = (id) => h("td", { class: "hubname" }, shortName(hubName(id)), h("small", {}, id));
    for (const leg of route.legs || []) {
      const est = leg.distance_source === "estimate";
      const mode = MODES[leg.mode] || { label: leg.mode, color: "#555" };
      body.append(h("tr", {},
        place(leg.from), place(leg.to),
        h("td", {}, h("span", { class: "mode" }, h("i", { style: `background:${mode.color}` }), mode.label)),
        h("td", { class: "num" }, int(leg.distance_km), est ? h("span", { class: "est", title: "estimated distance" }, "*") : null),
        h("td", { class: "num" }, d1(leg.days)),
        h("td", { class: "num" }, int(leg.cost_usd)),
        h("td", { class: "num" }, int(leg.co2e_kg)),
        h("td", { class: est ? "src est" : "src" }, leg.distance_source || "—"),
        h("td", { class: "code" }, leg.tariff || "—"),
        h("td", { class: "code" }, leg.border || "—")));
    }
    const lifts = clear($("lifts"));
    const handling = route.handling || [];
    if (handling.length) {
      lifts.append(h("b", {}, "Handling"));
      for (const x of handling) {
        lifts.append(h("span", { class: "lift" },
          `${shortName(hubName(x.hub))} (${x.reason}): ${d1(x.days)} d, ${int(x.cost_usd)} USD`
          + `${Number.isFinite(x.co2e_kg) ? `, ${int(x.co2e_kg)} kg CO₂e` : ""}`));
      }
    }
    lifts.hidden = !handling.length;
  }

  // ---------------------------------------------------------------- start
  function onResize() {
    if (!state.proj) return;
    const el = $("map");
    if (Math.abs(el.clientWidth - state.proj.W) < 2 && Math.abs(el.clientHeight - state.proj.H) < 2) {
      renderPareto();
      renderHistogram();
      return;
    }
    const zoom = state.zoom;
    fitMap();
    state.zoom = zoom;
    drawMap();
    renderPareto();
    renderHistogram();
  }

  async function start() {
    buildForm();
    renderLegend();
    wireMap();
    $("plan-form").addEventListener("submit", onSubmit);
    $("save").addEventListener("click", onSave);
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
    $("token").value = localStorage.getItem(TOKEN_KEY) || "";
    $("token").addEventListener("change", () => {
      const v = $("token").value.trim();
      if (v) localStorage.setItem(TOKEN_KEY, v);
      else localStorage.removeItem(TOKEN_KEY);
    });
    $("copy").addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText($("share-url").href);
        $("copy").textContent = "Copied";
      } catch {
        $("copy").textContent = "Select it";
      }
      setTimeout(() => { $("copy").textContent = "Copy"; }, 1500);
    });
    window.addEventListener("popstate", () => {
      const id = savedIdFromPath();
      if (id) loadSaved(id);
    });
    let resizeTimer = null;
    window.addEventListener("resize", () => {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(onResize, 120);
    });

    fitMap();
    drawMap();
    renderPareto();
    renderHistogram();

    const [hubs, scenarios, basemap] = await Promise.allSettled([
      api("GET", "/api/hubs"), api("GET", "/api/scenarios"), api("GET", "/api/basemap"),
    ]);
    if (basemap.status === "fulfilled" && basemap.value) {
      state.basemap = basemap.value;
      for (const f of state.basemap.features || []) {
        const p = f.properties || {};
        if (p.iso && p.name) state.countryNames[p.iso] = p.name;
      }
    }
    if (hubs.status === "fulfilled") indexHubs(hubs.value || []);
    if (scenarios.status === "fulfilled") fillScenarios(scenarios.value || []);
    const failed = [hubs, scenarios, basemap].find((x) => x.status === "rejected");
    if (failed) showError(failed.reason);

    drawMap();
    const id = savedIdFromPath();
    if (id) {
      await loadSaved(id);
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

  document.addEventListener("DOMContentLoaded", start);
})();
