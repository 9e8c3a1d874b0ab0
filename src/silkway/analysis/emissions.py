"""ISO 14083 / GLEC emission statements for a planned route.

A route is a transport chain; each leg is a transport chain element (TCE) of a transport
operation category, each lift at a hub (loading, transshipment, gauge change, unloading) a TCE of
a hub operation category. For every element the statement gives the GHG emissions well-to-wheel
(WTW) and tank-to-wheel (TTW) in kg CO2e, the transport activity (tkm) or TEU handled, the
distance and its basis, the intensity used and where it comes from, and its data type.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from silkway.analysis.plan import PlanResult, Route
from silkway.analysis.route import contract_source
from silkway.data.tables import EmissionFactor
from silkway.errors import ConstraintError
from silkway.network.build import BuildParams
from silkway.routing.emission import Footprint

STANDARD = "ISO 14083:2023; GLEC Framework v3"


def distance_basis(source: str) -> str:
    """How a leg's distance was determined, in ISO 14083 terms."""
    p = BuildParams()
    return {
        "searoute": "shortest feasible distance (SFD) on the MARNET maritime network (searoute), "
                    "port approaches included",
        "world_railways": "shortest feasible distance (SFD) on the OpenStreetMap rail network "
                          "(scgraph-data world_railways) along the operated corridor",
        "world_highways": "shortest feasible distance (SFD) on the OpenStreetMap road network "
                          "(scgraph-data world_highways) along the operated corridor",
        "published": "actual distance: the published length of the line freight trains run on "
                     "(a station km table or the line's length, leg_distances.csv), where the "
                     "shortest path on the OpenStreetMap rail network takes passenger lines",
        "estimate": f"great-circle distance along the corridor x distance adjustment factor "
                    f"(rail {p.rail_circuity}, road {p.road_circuity})",
    }[source]


@dataclass(frozen=True)
class Element:
    """One transport chain element of the statement."""

    index: int
    kind: str  # transport | hub
    label: str
    footprint: Footprint
    extra: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        fp = self.footprint
        wtw_i, ttw_i, unit = fp.intensity
        f = fp.factor
        return {
            "element": self.index, "type": self.kind, "label": self.label, **self.extra,
            "co2e_kg_wtw": round(fp.wtw_kg, 3), "co2e_kg_ttw": round(fp.ttw_kg, 3),
            "co2e_kg_wtt": round(fp.wtw_kg - fp.ttw_kg, 3),
            "intensity_wtw": wtw_i, "intensity_ttw": ttw_i, "intensity_unit": unit,
            "factor": fp.factor_key,
            "factor_description": f.description if isinstance(f, EmissionFactor) else f.operation,
            "energy": f.energy if isinstance(f, EmissionFactor) else None,
            "vehicle_class": f.vehicle_class if isinstance(f, EmissionFactor) else None,
            "assumptions": f.assumptions, "data_type": f.data_type, "version": f.version,
            "source": f.provenance.source, "estimate": f.provenance.estimate,
            "reefer_factor": fp.reefer_uplift,
        }


@dataclass(frozen=True)
class Statement:
    """The emission statement of one route."""

    result: PlanResult
    route: Route
    elements: tuple[Element, ...]

    @property
    def wtw_kg(self) -> float:
        return sum(e.footprint.wtw_kg for e in self.elements)

    @property
    def ttw_kg(self) -> float:
        return sum(e.footprint.ttw_kg for e in self.elements)

    @property
    def tkm(self) -> float:
        return sum(e.footprint.activity for e in self.elements if e.kind == "transport")

    def to_dict(self) -> dict[str, Any]:
        c = self.result.constraints
        spec = self.result.cargo
        types = [e.footprint.factor.data_type for e in self.elements]
        transport = [e for e in self.elements if e.kind == "transport"]
        hubs = [e for e in self.elements if e.kind == "hub"]
        return {
            "standard": STANDARD,
            "shipment": {
                "origin": self.result.origin.to_dict(),
                "destination": self.result.destination.to_dict(),
                "cargo": c.cargo.value, "teu": spec.teu if spec else None,
                "payload_t": self.result.payload_t, "reefer": c.reefer,
            },
            "route": {"label": self.route.label, "countries": self.route.countries,
                      "distance_km": round(self.route.distance_km, 1),
                      "transit_days": self.route.transit_days.to_dict(),
                      "cost_usd": round(self.route.cost_usd, 2)},
            # what the figures hold under: a scenario changes distances and legs, a month the
            # delays (a statement under red-sea-closed stated the Cape without a word)
            "scenario": {"name": self.result.scenario.name, "title": self.result.scenario.title}
            if self.result.scenario else None,
            "month": self.result.month, "as_of": self.result.as_of,
            "elements": [e.to_dict() for e in self.elements],
            "totals": {
                "co2e_kg_wtw": round(self.wtw_kg, 2), "co2e_kg_ttw": round(self.ttw_kg, 2),
                "co2e_kg_wtt": round(self.wtw_kg - self.ttw_kg, 2),
                "transport_co2e_kg_wtw": round(sum(e.footprint.wtw_kg for e in transport), 2),
                "hub_co2e_kg_wtw": round(sum(e.footprint.wtw_kg for e in hubs), 2),
                "tkm": round(self.tkm, 1),
                "intensity_g_per_tkm_wtw": round(1000 * self.wtw_kg / self.tkm, 2)
                if self.tkm else None,
            },
            "data_quality": {
                "primary_data_share": types.count("primary") / len(types),
                "elements_by_data_type": {t: types.count(t) for t in sorted(set(types))},
            },
            "method": {
                "allocation": (
                    "by mass: transport activity = distance x cargo tonnes" if c.allocation == "mass"
                    else "by TEU: transport activity = distance x TEU x default loaded TEU mass "
                         f"({spec.ref_t_per_teu if spec else '?'} t)"),
                "hub_allocation": "per TEU handled, for every lift (loading, transshipment, "
                                  "gauge change, unloading)",
                "empty_running_and_load_factors": "included in the default intensities, as each "
                                                  "factor's assumptions state",
                "scope": "well-to-wheel (WTW) = tank-to-wheel (TTW) + well-to-tank (WTT)",
            },
        }


def statement(result: PlanResult, route: int = 0) -> Statement:
    """The ISO 14083 statement of ``result.routes[route]``.

    Raises
    ------
    ConstraintError
        If ``route`` is not an index of ``result.routes``.
    """
    if not isinstance(route, Integral) or isinstance(route, bool):  # True was route 2
        raise ConstraintError(f"route takes a route's index (0 for the first), not {route!r:.40}")
    route = int(route)
    if not 0 <= route < len(result.routes):
        raise ConstraintError(f"route {route + 1} does not exist; the plan has "
                              f"{len(result.routes)} route(s)")
    r = result.routes[route]
    elements: list[Element] = []
    lifts = {h.hub.id: h for h in r.handling if h.reason == "transshipment"}

    def add_hub(h: Any) -> None:
        elements.append(Element(len(elements) + 1, "hub", f"{h.reason} at {h.hub.name}",
                                h.footprint, {"hub": h.hub.id, "operation": h.reason,
                                              "teu_handled": h.footprint.activity}))

    add_hub(r.handling[0])
    for rl in r.legs:
        if rl.directed.src in lifts:
            add_hub(lifts.pop(rl.directed.src))
        leg = rl.directed.leg
        elements.append(Element(
            len(elements) + 1, "transport",
            # the ids are spaced apart: hyphenated CC-NAME ids joined by a hyphen read as one
            # word (KZ-DOSTYK-KZ-ZHEZKAZGAN), which a table column can only cut
            f"{leg.mode.value} {rl.directed.src} → {rl.directed.dst}", rl.figures.footprint,
            {"from": rl.directed.src, "to": rl.directed.dst, "mode": leg.mode.value,
             "distance_km": round(leg.distance_km, 1), "distance_source": contract_source(leg),
             "distance_basis": distance_basis(leg.distance_source),
             "tkm": round(rl.figures.footprint.activity, 1)}))
    add_hub(r.handling[-1])
    return Statement(result, r, tuple(elements))


def basis_line(d: dict[str, Any]) -> str:
    """What a statement's figures hold under, from its :meth:`Statement.to_dict`: ``scenario
    red-sea-closed (Red Sea closed …); month 2; data as of 2025-H2``."""
    parts = []
    if d.get("scenario"):
        parts.append(f"scenario {d['scenario']['name']} ({d['scenario']['title']})")
    if d.get("month") is not None:
        parts.append(f"month {d['month']}")
    parts.append(f"data as of {d.get('as_of') or 'unknown'}")
    return "; ".join(parts)


def to_html(st: Statement) -> str:
    """A self-contained, printable HTML report of the statement (no external resources)."""
    d = st.to_dict()
    e = html.escape
    sh, tot = d["shipment"], d["totals"]
    rows = []
    factors: dict[str, dict[str, Any]] = {}
    for el in d["elements"]:
        activity = (f"{el['tkm']:,.0f} tkm ({el['distance_km']:,.0f} km, {e(el['distance_source'])})"
                    if el["type"] == "transport" else f"{el['teu_handled']:g} TEU handled")
        factors.setdefault(el["factor"], el)
        rows.append(
            f"<tr><td>{el['element']}</td><td>{e(el['label'])}</td><td>{activity}</td>"
            f"<td>{el['intensity_wtw']:g} / {el['intensity_ttw']:g} {e(el['intensity_unit'])}</td>"
            f"<td class=n>{el['co2e_kg_wtw']:,.1f}</td><td class=n>{el['co2e_kg_ttw']:,.1f}</td>"
            f"<td>{e(el['factor'])} ({e(el['data_type'])})</td></tr>")
    factor_rows = "".join(
        f"<tr><td>{e(k)}</td><td>{e(f['factor_description'])}"
        f"{'; ' + e(f['vehicle_class'] or '') if f['vehicle_class'] else ''}"
        f"{'; ' + e(f['energy'] or '') if f['energy'] else ''}</td>"
        f"<td>{f['intensity_wtw']:g} / {f['intensity_ttw']:g} {e(f['intensity_unit'])}</td>"
        f"<td>{e(f['data_type'])}; {e(f['version'])}<br><small>{e(f['assumptions'])}</small></td>"
        f"<td><small>{e(f['source'] or '')}"
        f"{'<br><i>' + e(f['estimate']) + '</i>' if f['estimate'] else ''}</small></td></tr>"
        for k, f in factors.items())
    method = "".join(f"<li><b>{e(k.replace('_', ' '))}</b>: {e(str(v))}</li>"
                     for k, v in d["method"].items())
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>GHG emission statement: {e(sh['origin']['name'])} to {e(sh['destination']['name'])}</title>
<style>
body {{ font: 13px/1.4 system-ui, sans-serif; margin: 2em; color: #111; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 1.5em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #bbb; padding: 4px 6px; vertical-align: top; text-align: left; }}
th {{ background: #eee; }} td.n {{ text-align: right; white-space: nowrap; }}
.tot td {{ font-weight: bold; background: #f6f6f6; }}
@media print {{ body {{ margin: 0; }} small {{ font-size: 9px; }} }}
</style></head><body>
<h1>GHG emission statement ({e(d['standard'])})</h1>
<p><b>Shipment</b>: one {e(sh['cargo'])} ({sh['teu']:g} TEU), {sh['payload_t']:g} t cargo,
{'reefer, ' if sh['reefer'] else ''}{e(sh['origin']['name'])} ({e(sh['origin']['id'])}) to
{e(sh['destination']['name'])} ({e(sh['destination']['id'])}).<br>
<b>Route</b>: {e(d['route']['label'])}; countries {e('-'.join(d['route']['countries']))};
{d['route']['distance_km']:,.0f} km.<br>
<b>Basis</b>: {e(basis_line(d))}.</p>
<table><thead><tr><th>#</th><th>transport chain element</th><th>activity</th>
<th>intensity WTW / TTW</th><th>kg CO2e WTW</th><th>kg CO2e TTW</th><th>factor (data type)</th>
</tr></thead><tbody>
{''.join(rows)}
<tr class=tot><td></td><td>transport chain total</td><td>{tot['tkm']:,.0f} tkm</td>
<td>{tot['intensity_g_per_tkm_wtw']} g CO2e/tkm WTW</td><td class=n>{tot['co2e_kg_wtw']:,.1f}</td>
<td class=n>{tot['co2e_kg_ttw']:,.1f}</td><td>transport {tot['transport_co2e_kg_wtw']:,.1f}
kg + hubs {tot['hub_co2e_kg_wtw']:,.1f} kg WTW; WTT {tot['co2e_kg_wtt']:,.1f} kg</td></tr>
</tbody></table>
<h2>Emission factors and sources</h2>
<table><thead><tr><th>factor</th><th>operation category</th><th>intensity WTW / TTW</th>
<th>data type, version, assumptions</th><th>source</th></tr></thead><tbody>
{factor_rows}
</tbody></table>
<h2>Method</h2><ul>{method}
<li><b>data quality</b>: primary data share {d['data_quality']['primary_data_share']:.0%};
elements by data type {e(str(d['data_quality']['elements_by_data_type']))}</li></ul>
</body></html>
"""
