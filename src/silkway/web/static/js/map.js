/* The SVG map: basemap, routes coloured by mode, hubs, zoom and pan, and labels that appear as
 * the zoom makes room for them (route ends and transfers always, country names where the
 * country is wide enough on screen, every hub's name from zoom x2.5). */

import { $, add, clear, h, s } from "./dom.js";
import * as fmt from "./fmt.js";
import { MODES, checked, countryName, hooks, hubName, shortName, state } from "./state.js";

const FALLBACK_BOUNDS = { lon0: 0, lon1: 150, lat0: 20, lat1: 60 };
const HUB_LABEL_ZOOM = 2.5;

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
    W, H, scale, k,
    point: (lat, lon) => [W / 2 + (lon - cx) * k * scale, H / 2 - (lat - cy) * scale],
  };
}

export function fitMap() {
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

/** Where a country's name goes: the area-weighted centroid of its largest polygon, and that
 * polygon's width and height in degrees (to decide when the name fits). */
export function labelPoint(geometry) {
  const polys = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  let best = null;
  for (const poly of polys) {
    const ring = poly[0];
    if (!ring || ring.length < 3) continue;
    let a = 0, cx = 0, cy = 0, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (let i = 0; i < ring.length; i++) {
      const [xa, ya] = ring[i], [xb, yb] = ring[(i + 1) % ring.length];
      const cross = xa * yb - xb * ya;
      a += cross; cx += (xa + xb) * cross; cy += (ya + yb) * cross;
      x0 = Math.min(x0, xa); x1 = Math.max(x1, xa); y0 = Math.min(y0, ya); y1 = Math.max(y1, ya);
    }
    if (Math.abs(a) < 1e-9) continue;
    const area = Math.abs(a / 2);
    if (!best || area > best.area) best = { area, lon: cx / (3 * a), lat: cy / (3 * a), w: x1 - x0, hgt: y1 - y0 };
  }
  return best;
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
export function hideTooltip() {
  $("tooltip").hidden = true;
}

function hubTip(hub) {
  return [h("b", {}, hub.name), " ", h("span", { class: "dim" }, `${hub.id} · ${countryName(hub.country)} · ${hub.kind}`),
    hub.modes && hub.modes.length ? h("div", { class: "dim" }, hub.modes.join(", ")) : null];
}

export function drawMap() {
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

  const grat = s("g", {});
  for (let lon = -180; lon <= 180; lon += 10) grat.append(s("path", { class: "graticule", d: pathOf([[-80, lon], [85, lon]], proj) }));
  for (let lat = -80; lat <= 80; lat += 10) grat.append(s("path", { class: "graticule", d: pathOf([[lat, -180], [lat, 240]], proj) }));
  world.append(grat);

  const route = state.result ? state.result.routes[state.selected] : null;
  const onRoute = new Set(route ? route.countries || [] : []);
  const avoided = avoidedCountries();
  const countries = s("g", {});
  const countryLabels = s("g", {});
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
    countries.append(s("path", { class: cls, d, "fill-rule": "evenodd", "data-iso": iso },
      s("title", {}, `${name} (${iso})${avoided.has(iso) ? ": avoided" : ""}`)));
  }
  for (const [iso, lp] of state.countryLabels || []) {
    countryLabels.append(s("text", {
      class: `country-label${avoided.has(iso) ? " avoided" : ""}`, "data-iso": iso, "data-lat": lp.lat, "data-lon": lp.lon,
      "data-span": Math.min(lp.w * proj.k, lp.hgt) * proj.scale, "text-anchor": "middle",
    }, countryName(iso)));
  }
  world.append(countries);

  const routes = s("g", {});
  const all = state.result ? state.result.routes : [];
  const order = all.map((_, i) => i).filter((i) => i !== state.selected);
  if (all.length) order.push(state.selected);
  for (const i of order) {
    const r = all[i];
    const sel = i === state.selected;
    const g = s("g", { class: sel ? "route sel" : "route dim", "data-route": i, onclick: () => hooks.select(i) });
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
          h("div", { class: "dim" }, `${leg.mode}, ${fmt.km(leg.distance_km)} km, ${fmt.days(leg.days)} d, ${fmt.usd(leg.cost_usd)} USD`),
          h("div", { class: "dim" }, leg.distance_published ? `distance: the line's published length (path on ${leg.distance_source})` : `distance: ${leg.distance_source}`)]),
        onmouseleave: hideTooltip,
      }));
    }
    routes.append(g);
  }
  world.append(routes);

  const dots = s("g", {});
  const routeHubIds = new Set();
  const liftIds = new Set();
  if (route) {
    for (const leg of route.legs || []) { routeHubIds.add(leg.from); routeHubIds.add(leg.to); }
    for (const lift of route.handling || []) liftIds.add(lift.hub);
  }
  const ends = new Set(state.result ? [state.result.origin.id, state.result.destination.id] : []);
  const marks = s("g", {});
  const labels = s("g", {});
  const hubLabels = s("g", {});
  for (const hub of state.hubs) {
    if (routeHubIds.has(hub.id) || ends.has(hub.id)) continue;
    dots.append(s("circle", {
      class: "hub-dot", "data-hub": hub.id, "data-r": 2.3, "data-lat": hub.lat, "data-lon": hub.lon,
      onmousemove: (ev) => tooltip(ev, hubTip(hub)), onmouseleave: hideTooltip,
    }));
    hubLabels.append(s("text", { class: "map-label hub-label", "data-hub": hub.id, "data-lat": hub.lat, "data-lon": hub.lon, "data-r": 2.3, "data-prio": 3 },
      shortName(hub.name)));
  }
  const placeHub = (hub, cls, r, labelCls, prio) => {
    marks.append(s("circle", {
      class: cls, "data-hub": hub.id, "data-r": r, "data-lat": hub.lat, "data-lon": hub.lon,
      onmousemove: (ev) => tooltip(ev, hubTip(hub)), onmouseleave: hideTooltip,
    }));
    const cl = labelCls || "map-label hub-label route-stop";
    labels.append(s("text", { class: cl, "data-hub": hub.id, "data-lat": hub.lat, "data-lon": hub.lon, "data-r": r, "data-prio": labelCls ? prio : 2 },
      shortName(hub.name)));
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
  overlay.append(countryLabels, dots, marks, labels, hubLabels);
  if (!state.result) {
    overlay.append(s("text", { class: "map-note", x: 14, y: proj.H - 14 },
      state.basemap ? "Plan a route to draw it here." : "Loading the map…"));
  }
  applyZoom();
}

/** Countries and routes scale with the zoom (strokes stay thin); dots and labels keep their size. */
export function applyZoom() {
  const proj = state.proj;
  if (!proj) return;
  const { k, x, y } = state.zoom;
  const world = $("world");
  if (world) world.setAttribute("transform", `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${k})`);
  $("map").dataset.zoom = k.toFixed(2);
  const labels = [];
  const countries = [];
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
    } else if (el.classList.contains("country-label")) {
      countries.push({ el, sx, sy, span: Number(el.dataset.span) * k });
    } else {
      const prio = Number(el.dataset.prio || 1);
      if (prio >= 2 && k < HUB_LABEL_ZOOM) el.setAttribute("display", "none");
      else labels.push({ el, sx, sy, r, prio });
    }
  }
  labels.sort((a, b) => a.prio - b.prio);
  const area = [0, 0, proj.W, proj.H];
  const placed = placeLabels(labels.filter((l) => l.prio < 3), obstacles, area);
  // country names: centred, only where the country is wider on screen than its name
  countries.sort((a, b) => b.span - a.span);
  for (const c of countries) {
    c.el.removeAttribute("display");
    if (!c.el.dataset.w) c.el.dataset.w = String(c.el.getComputedTextLength ? c.el.getComputedTextLength() : 60);
    const w = Number(c.el.dataset.w);
    const dy = c.span < w + 8 ? null : [0, -16, 16, -32, 32].find((d) => {
      const b = [c.sx - w / 2, c.sy + d - 9, w, 12];
      return inside(b, area) && !placed.some((o) => overlaps(b, o));
    });
    if (dy === null || dy === undefined) {
      c.el.setAttribute("display", "none");
      continue;
    }
    c.el.setAttribute("x", c.sx.toFixed(1));
    c.el.setAttribute("y", (c.sy + dy + 3).toFixed(1));
    placed.push([c.sx - w / 2, c.sy + dy - 9, w, 12]);
  }
  placeLabels(labels.filter((l) => l.prio >= 3), [], area, placed);
}

const overlaps = (a, b) => a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
const inside = (a, area) => a[0] >= area[0] && a[1] >= area[1] && a[0] + a[2] <= area[0] + area[2] && a[1] + a[3] <= area[1] + area[3];

/**
 * Greedy label placement: right, left, above or below each point, avoiding labels already placed and
 * the given obstacles. A label that fits nowhere is hidden unless it has priority 0. Returns the boxes
 * taken (``placed`` if given, extended).
 */
export function placeLabels(labels, obstacles, area, placed = null) {
  const taken = placed || [...obstacles];
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
    let spot = spots.find((c) => inside(c[3], area) && !taken.some((b) => overlaps(c[3], b)));
    if (!spot && lab.prio === 0) spot = spots.find((c) => inside(c[3], area)) || spots[0];
    if (!spot) {
      el.setAttribute("display", "none");
      continue;
    }
    el.setAttribute("x", spot[0].toFixed(1));
    el.setAttribute("y", spot[1].toFixed(1));
    el.setAttribute("text-anchor", spot[2]);
    taken.push(spot[3]);
  }
  return taken;
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

export function wireMap() {
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

export function renderLegend() {
  const item = (color, text, dash) => h("span", { class: "item" },
    s("svg", { width: 22, height: 8, "aria-hidden": "true" },
      s("line", { x1: 1, y1: 4, x2: 21, y2: 4, stroke: color, "stroke-width": 3, "stroke-linecap": "round", "stroke-dasharray": dash })),
    text);
  add($("legend"), [
    ...Object.values(MODES).map((m) => item(m.color, m.label.toLowerCase())),
    item("#6b7785", "estimated km", "4 3"),
  ]);
}
