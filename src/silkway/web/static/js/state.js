/* The page's one state object, and constants shared by the views. */

export const MODES = {
  sea: { label: "Sea", color: "#1f6fd1" },
  rail: { label: "Rail", color: "#d43a2f" },
  road: { label: "Road", color: "#ee8a12" },
  ferry: { label: "Ferry", color: "#8e44ad" },
};
export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
  "October", "November", "December"];

export const state = {
  link: null, // the fragment of the last plan (see main.js linkOf), so it is not planned twice
  hubs: [],
  hubsById: new Map(),
  hubIndex: new Map(), // lower-case id / name / alias -> hub
  scenarios: [],
  countryNames: {}, // ISO alpha-2 -> English name, from the basemap
  countryLabels: new Map(), // ISO alpha-2 -> where its name goes (largest polygon's centroid)
  basemap: null,
  request: null, // the request behind the shown result
  result: null, // the plan JSON contract
  table: null, // the same plan as the CLI's formatted route table (?format=table)
  ticks: new Map(), // "lo,hi,count" -> [{value, label}] from the server
  selected: 0,
  savedTitle: null,
  proj: null,
  zoom: { k: 1, x: 0, y: 0 },
  view: "routes",
};

export const hubName = (id) => (state.hubsById.get(id) || {}).name || id;
export const shortName = (name) => String(name).replace(/\s*\(.*\)\s*$/, "");
export const countryName = (iso) => state.countryNames[iso] || iso;
export const co2 = (route) => (route.co2e_kg && Number.isFinite(route.co2e_kg.wtw) ? route.co2e_kg.wtw : NaN);

/** Set by main.js: what a click on a route (map, chart, table) does. */
export const hooks = { select: (i) => i };

/** The avoid chips currently ticked. */
export const checked = (group) => [...document.querySelectorAll(`input[name="${group}"]:checked`)].map((el) => el.value);
