"""Standard data out of a plan: GeoJSON, CSV, pandas frames, display tables.

Every export is built from the plan's own objects, so the numbers are the contract's numbers.
Coordinates follow RFC 7946 (``[lon, lat]``, WGS 84); the plan JSON keeps its historical
``[lat, lon]`` ``geometry`` and adds the GeoJSON-ordered ``geojson`` beside it.

The display table (:func:`route_table`) is the one place where figures are rounded for people:
the CLI, the HTML ``repr`` and the web page all show its cells, so P90 reads the same everywhere.

Examples
--------
>>> import silkway
>>> net = silkway.load_network()  # doctest: +SKIP
>>> result = silkway.plan(net, "Toyama", "Bishkek", avoid="RU,BY")
>>> fc = result.to_geojson()
>>> fc["type"], fc["features"][0]["geometry"]["type"]
('FeatureCollection', 'LineString')
>>> lon0, lat0, lon1, lat1 = fc["bbox"]
>>> 60 < lon0 < lon1 < 140 and 30 < lat0 < lat1 < 50  # Kyrgyzstan to Japan, lon/lat
True
"""

from __future__ import annotations

import csv
import html
import io
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from silkway.analysis.plan import PlanResult, Route, RouteLeg

FORMATS = ("table", "json", "geojson", "csv")
MEDIA_TYPES = {"json": "application/json", "geojson": "application/geo+json",
               "csv": "text/csv; charset=utf-8", "table": "application/json"}
LEG_COLUMNS = ("route", "route_label", "leg", "from", "to", "mode", "distance_km", "estimated_km",
               "distance_source", "days", "moving_days", "cost_usd", "co2e_kg", "co2e_kg_ttw",
               "countries", "passages", "border", "tariff", "status", "distance_published",
               "route_days_p50", "route_days_p90", "route_on_time_probability")
"""A leg row's columns; the last three are its route's, on every leg of it: a row per leg has
no other place for the route's P50, P90 and, with a deadline, its on-time probability."""
EXPORT_COLUMNS = (*LEG_COLUMNS, "route_corridor", "route_histogram_edges", "route_histogram_counts",
                  "corridor_answer", "corridor_reason", "corridor_gap_days_p50",
                  "corridor_gap_days_p90", "corridor_gap_cost_usd", "corridor_gap_co2e_kg")
"""The columns of the CSV export (and the properties of a GeoJSON Feature): a leg row's, then
its route's corridor and, with a histogram asked for, its route's day histogram (edges and
counts), then the plan's corridor answers as the plan JSON has them: the rows of the route that
is a corridor's best carry its id and gap to route 1; a corridor's best route that is not
listed follows the listed routes as rows with an empty ``route``, and a corridor that cannot
serve the trip is one row with its id and reason only (no leg, no geometry)."""
SHOW_OPTIONS = ("geometry", "histogram", "deadline_days", "corridors")
"""The plan options that choose what an answer shows rather than which routes it has (every
other query field changes the routes or their figures, so every format carries it)."""
UNSHOWN: dict[str, dict[str, tuple[bool, str, tuple[str, ...]]]] = {
    "table": {"geometry": (True, "a routes table has no leg geometry", ("json", "geojson")),
              "histogram": (True, "a routes table gives P50 and P90, not the day histogram",
                            ("json", "csv", "geojson"))},
    "csv": {"geometry": (True, "a row per leg has no geometry column", ("json", "geojson"))},
    "geojson": {"geometry": (False, "a LineString Feature per leg: the legs' geometry is the "
                                    "export", ("csv",))},
}
"""Format -> option -> (the value it cannot show, why, the formats that can): what each plan
export leaves out. Each interface refuses such an option when it is explicitly given
(:func:`refuse_unshown`), never when it is a default: ``csv`` with ``geometry`` asked for had
no geometry, a ``table`` with ``histogram`` no histogram, a ``geojson`` with ``geometry: false``
its geometry all the same, each without a word. ``deadline_days`` and ``corridors`` are shown
by every format (an on-time column or cell; the corridor answers as rows, a member or a
section of the table), and ``json`` shows everything."""


def refuse_unshown(fmt: str, given: dict[str, Any], *,
                   option: Callable[[str, Any], str] | None = None,
                   named: Callable[[str], str] | None = None) -> None:
    """Refuse an option in ``given`` (option name -> value, only those explicitly set) that
    format ``fmt`` cannot show (:data:`UNSHOWN`).

    Parameters
    ----------
    option
        The option as the interface spells it with its value (default ``geometry: true``).
    named
        A format as the interface names it (default ``format csv``).

    Raises
    ------
    ConstraintError
        Naming the option, the format, why it cannot show it and the formats that can.
    """
    from silkway.errors import ConstraintError

    option = option or (lambda name, value: f"{name}: {str(value).lower()}")
    named = named or (lambda f: f"format {f}")
    for name, value in given.items():
        rule = UNSHOWN.get(fmt, {}).get(name)
        if rule is None or bool(value) is not rule[0]:
            continue
        _, why, others = rule
        listed = others[0] if len(others) == 1 else \
            f"{', '.join(others[:-1])} and {others[-1]}"
        if rule[0]:
            raise ConstraintError(f"{option(name, value)} changes nothing in {named(fmt)} "
                                  f"({why}); {named(listed)} show{'s' if len(others) == 1 else ''}"
                                  " it")
        raise ConstraintError(f"{option(name, value)} cannot be honoured by {named(fmt)} ({why}); "
                              f"{named(listed)} gives the same rows without it")


ROUTE_COLUMNS = ("route", "label", "days_p50", "days_p90", "days_mean", "on_time_probability",
                 "cost_usd", "co2e_kg", "co2e_kg_ttw", "distance_km", "estimated_km",
                 "transshipments", "legs", "modes", "countries")


def lonlat(coords: np.ndarray) -> list[list[float]]:
    """``(lat, lon)`` rows as RFC 7946 ``[lon, lat]`` positions, rounded to 4 decimals (~10 m)."""
    return np.round(np.asarray(coords, dtype=float)[:, ::-1], 4).tolist()


def leg_coords(rl: RouteLeg) -> np.ndarray:
    """A route leg's ``(lat, lon)`` polyline in travel direction."""
    coords = rl.directed.leg.coords
    return coords if rl.directed.forward else coords[::-1]


def linestring(rl: RouteLeg) -> dict[str, Any]:
    """A route leg's geometry as a GeoJSON LineString (``[lon, lat]``)."""
    return {"type": "LineString", "coordinates": lonlat(leg_coords(rl))}


def _leg_row(i: int, route: Route, j: int, rl: RouteLeg) -> dict[str, Any]:
    d = rl.to_dict()
    return {"route": i, "route_label": route.label, "leg": j, "from": d["from"], "to": d["to"],
            "mode": d["mode"], "distance_km": d["distance_km"], "estimated_km": d["estimated_km"],
            "distance_source": d["distance_source"], "days": d["days"],
            "moving_days": d["moving_days"], "cost_usd": d["cost_usd"], "co2e_kg": d["co2e_kg"],
            "co2e_kg_ttw": d["co2e_kg_ttw"], "countries": d["countries"],
            "passages": d["passages"], "border": d["border"], "tariff": d["tariff"],
            "status": d["status"], "distance_published": d["distance_published"],
            **_route_days(route)}


def _route_days(route: Route) -> dict[str, Any]:
    t = route.transit_days
    return {"route_days_p50": round(t.p50, 2), "route_days_p90": round(t.p90, 2),
            "route_on_time_probability": None if t.on_time is None else round(t.on_time, 4)}


def leg_rows(result: PlanResult) -> list[dict[str, Any]]:
    """One dict per leg of every route; ``route`` and ``leg`` count from 1."""
    return [_leg_row(i, r, j, rl) for i, r in enumerate(result.routes, 1)
            for j, rl in enumerate(r.legs, 1)]


def route_rows(result: PlanResult) -> list[dict[str, Any]]:
    """One dict per route, best first; ``route`` counts from 1."""
    rows = []
    for i, r in enumerate(result.routes, 1):
        t = r.transit_days
        rows.append({"route": i, "label": r.label, "days_p50": round(t.p50, 2),
                     "days_p90": round(t.p90, 2), "days_mean": round(t.mean, 2),
                     "on_time_probability": None if t.on_time is None else round(t.on_time, 4),
                     "cost_usd": round(r.cost_usd, 2), "co2e_kg": round(r.co2e_wtw_kg, 2),
                     "co2e_kg_ttw": round(r.co2e_ttw_kg, 2),
                     "distance_km": round(r.distance_km, 1),
                     "estimated_km": round(sum(rl.directed.leg.estimated_km for rl in r.legs), 1),
                     "transshipments": r.transshipments, "legs": len(r.legs), "modes": r.modes,
                     "countries": r.countries})
    return rows


def _histogram(route: Route) -> dict[str, Any]:
    h = route.transit_days.histogram
    if h is None:
        return {"route_histogram_edges": None, "route_histogram_counts": None}
    return {"route_histogram_edges": [round(float(e), 2) for e in h[0]],
            "route_histogram_counts": [int(c) for c in h[1]]}


def _answer_cells(answer: Any, best: Route | None) -> dict[str, Any]:
    gap = answer.gap(best) or {}
    return {"corridor_answer": answer.corridor.id, "corridor_reason": answer.reason,
            **{f"corridor_gap_{k}": gap.get(k) for k in
               ("days_p50", "days_p90", "cost_usd", "co2e_kg")}}


_NO_ANSWER = dict.fromkeys(EXPORT_COLUMNS[len(LEG_COLUMNS) + 3:])


def export_rows(result: PlanResult, *, unlisted: bool = True
                ) -> list[tuple[dict[str, Any], RouteLeg | None]]:
    """The rows of the CSV export (see :data:`EXPORT_COLUMNS`), each with its route leg (None
    for a corridor with no route); ``unlisted=False``: the listed routes' rows only (the
    GeoJSON export's Features, which carry the corridors as a member of their own)."""
    best = result.routes[0] if result.routes else None
    answers = {a.route_number: a for a in result.corridors if a.route_number is not None}
    out: list[tuple[dict[str, Any], RouteLeg | None]] = []

    def add(number: int | None, route: Route, cells: dict[str, Any]) -> None:
        for j, rl in enumerate(route.legs, 1):
            row = _leg_row(number or 0, route, j, rl)
            row["route"] = number
            row["route_corridor"] = route.corridor.id if route.corridor else None
            out.append(({**row, **_histogram(route), **cells}, rl))

    for i, r in enumerate(result.routes, 1):
        a = answers.get(i)
        add(i, r, _answer_cells(a, best) if a is not None else _NO_ANSWER)
    for a in result.corridors if unlisted else ():
        if a.route_number is not None:
            continue
        if a.route is not None:
            add(None, a.route, _answer_cells(a, best))
        else:
            out.append(({**dict.fromkeys(EXPORT_COLUMNS), **_answer_cells(a, best)}, None))
    return out


def to_geojson(result: PlanResult) -> dict[str, Any]:
    """The plan as an RFC 7946 FeatureCollection: one LineString Feature per leg.

    Each Feature's properties carry the leg's figures (as in the plan JSON) plus ``route`` (its
    route's number, 1 = best), ``route_label`` and ``leg`` (1 = first in travel order), and the
    columns of the CSV export that follow (:data:`EXPORT_COLUMNS`: its route's corridor and,
    when asked for, histogram; the corridor answer its route is, with the gap). The
    collection carries ``bbox`` (``[west, south, east, north]``) and, as foreign members,
    ``origin``, ``destination``, ``network`` and ``corridors`` (the plan JSON's corridor
    answers, without leg geometry: a corridor's best route may be one that is not listed).

    Examples
    --------
    >>> result = silkway.plan(net, "Kashgar", "Osh", modes="road")
    >>> feature = result.to_geojson()["features"][0]
    >>> feature["properties"]["route"], feature["properties"]["mode"]
    (1, 'road')
    >>> lon, lat = feature["geometry"]["coordinates"][0]
    >>> round(lon), round(lat)  # Kashgar
    (76, 39)
    """
    features: list[dict[str, Any]] = []
    every: list[list[float]] = []
    for row, rl in export_rows(result, unlisted=False):
        assert rl is not None
        geometry = linestring(rl)
        every += geometry["coordinates"]
        features.append({"type": "Feature", "id": f"{row['route']}.{row['leg']}",
                         "properties": row, "geometry": geometry})
    out: dict[str, Any] = {"type": "FeatureCollection"}
    if every:
        arr = np.asarray(every)
        out["bbox"] = [float(arr[:, 0].min()), float(arr[:, 1].min()),
                       float(arr[:, 0].max()), float(arr[:, 1].max())]
    out["features"] = features
    out["origin"] = result.origin.to_dict()
    out["destination"] = result.destination.to_dict()
    out["network"] = result.network_key[:16]
    best = result.routes[0] if result.routes else None  # the plan JSON's corridor answers
    out["corridors"] = [a.to_dict(best) for a in result.corridors]
    return out


def _cell(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return "-".join(map(str, v)) if all(len(str(x)) == 2 for x in v) else ";".join(map(str, v))
    return "" if v is None else v


def to_csv(result: PlanResult) -> str:
    """One CSV row per leg (with its route number), lists joined (countries by ``-``, a
    histogram's edges and counts by ``;``), then the corridor answers that are not listed
    routes (see :data:`EXPORT_COLUMNS`).

    Examples
    --------
    >>> text = silkway.plan(net, "Kashgar", "Osh", modes="road").to_csv()
    >>> text.splitlines()[0].split(",")[:4]
    ['route', 'route_label', 'leg', 'from']
    """
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(EXPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row, _ in export_rows(result):
        writer.writerow({k: ";".join(map(str, v)) if k.startswith("route_histogram_") and v
                         else _cell(v) for k, v in row.items()})
    return buf.getvalue()


def _pandas() -> Any:
    import pandas as pd

    return pd


def routes_frame(result: PlanResult) -> pd.DataFrame:
    """The routes as a pandas DataFrame indexed by route number."""
    pd = _pandas()
    return pd.DataFrame(route_rows(result), columns=list(ROUTE_COLUMNS)).set_index("route")


def legs_frame(result: PlanResult) -> pd.DataFrame:
    """Every leg of every route as a pandas DataFrame indexed by (route, leg)."""
    pd = _pandas()
    return pd.DataFrame(leg_rows(result), columns=list(LEG_COLUMNS)).set_index(["route", "leg"])


def geo_frame(result: PlanResult) -> Any:
    """Every leg as a geopandas GeoDataFrame of LineStrings in EPSG:4326.

    Raises
    ------
    ImportError
        With an instruction, when geopandas is not installed (it is an optional extra).
    """
    try:
        import geopandas as gpd
    except ImportError:
        raise ImportError("to_geodataframe() needs geopandas: pip install 'silkway[geo]' "
                          "(or pip install geopandas)") from None
    from shapely.geometry import LineString

    frame = legs_frame(result)
    geoms = [LineString(np.asarray(leg_coords(rl))[:, ::-1]) for r in result.routes for rl in r.legs]
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326")


# ---------------------------------------------------------------- display (people's rounding)

def fmt_days(v: float) -> str:
    """Days as shown to people: one decimal."""
    return f"{v:.1f}"


def fmt_usd(v: float) -> str:
    """US dollars as shown to people: whole dollars with thousands separators."""
    return f"{v:,.0f}"


def fmt_t(kg: float) -> str:
    """Kilograms CO2e shown as tonnes with two decimals."""
    return f"{kg / 1000:.2f}"


def fmt_km(v: float) -> str:
    """Kilometres: whole, with thousands separators."""
    return f"{v:,.0f}"


def fmt_pct(p: float | None) -> str:
    """A probability as a whole percentage."""
    return "" if p is None else f"{100 * p:.0f}%"


def route_table(result: PlanResult) -> dict[str, Any]:
    """The routes table as people read it: column keys, headers and formatted cells, and the
    corridor section (:func:`corridor_rows`, as the plan's ``corridors`` option asks).

    Columns carry a ``priority`` (1 = never dropped): narrow screens and terminals drop the
    highest numbers first rather than cutting figures.

    Examples
    --------
    >>> t = silkway.plan(net, "Kashgar", "Osh", modes="road").route_table()
    >>> [c["key"] for c in t["columns"]][:4]
    ['n', 'label', 'p50', 'p90']
    >>> t["rows"][0]["n"]
    '1'
    """
    cargo = result.constraints.cargo.value
    deadline = result.routes[0].transit_days.deadline_days if result.routes else None
    cols: list[dict[str, Any]] = [
        {"key": "n", "header": "#", "numeric": True, "priority": 1},
        {"key": "label", "header": "route", "numeric": False, "priority": 1},
        {"key": "p50", "header": "days P50", "numeric": True, "priority": 1},
        {"key": "p90", "header": "P90", "numeric": True, "priority": 1},
    ]
    if deadline is not None:
        cols.append({"key": "on_time", "header": f"P(≤{deadline:g}d)", "numeric": True,
                     "priority": 2})
    cols += [
        {"key": "cost", "header": f"USD/{cargo}", "numeric": True, "priority": 1},
        {"key": "co2e", "header": "t CO2e", "numeric": True, "priority": 1},
        {"key": "km", "header": "km", "numeric": True, "priority": 4},
        {"key": "lifts", "header": "lifts", "numeric": True, "priority": 5},
        {"key": "countries", "header": "countries", "numeric": False, "priority": 3},
    ]
    rows = []
    for i, r in enumerate(result.routes, 1):
        t = r.transit_days
        rows.append({"n": str(i), "label": r.label, "p50": fmt_days(t.p50), "p90": fmt_days(t.p90),
                     "on_time": fmt_pct(t.on_time), "cost": fmt_usd(r.cost_usd),
                     "co2e": fmt_t(r.co2e_wtw_kg), "km": fmt_km(r.distance_km),
                     "lifts": str(r.transshipments), "countries": "-".join(r.countries)})
    o, d = result.origin, result.destination
    title = f"{o.name} ({o.id}, {o.country}) → {d.name} ({d.id}, {d.country})"
    if result.scenario is not None:
        title += f"  [scenario: {result.scenario.name}]"
    if result.month is not None:
        title += f"  [month {result.month}]"
    if result.as_of:
        title += f"  [data as of {result.as_of}]"
    if not result.complete:
        title += "  [INCOMPLETE: the search stopped at its work limit; routes may be missing]"
    return {"title": title, "columns": cols, "rows": rows, "corridors": corridor_rows(result)}


def signed(v: float, spec: str) -> str:
    """A gap as shown to people: ``spec``-formatted, with ``+`` before a positive one."""
    text = format(v, spec)
    return "+" + text if v > 0 and not text.startswith("+") else text


def corridor_rows(result: PlanResult) -> list[dict[str, Any]]:
    """The corridor section as people read it, as the plan's ``corridors`` asks (all, the
    available ones, or none): per corridor its id, name, best route (its number, or ``-`` when
    it is not listed), its label and P50 days, and its gaps to route 1 (days P50 and P90, USD,
    t CO2e, signed), or the sentence saying why it cannot serve the trip (``reason``).

    Examples
    --------
    >>> rows = silkway.plan(net, "Aktau", "Baku").route_table()["corridors"]
    >>> rows[0]["id"], rows[0]["route"], rows[0]["gap_p50"]
    ('middle-corridor', '2', '-0.8')
    """
    best = result.routes[0] if result.routes else None
    out = []
    for a in result.corridors:
        row: dict[str, Any] = {"id": a.corridor.id, "name": a.corridor.name, "route": "",
                               "label": "", "p50": "", "gap_p50": "", "gap_p90": "",
                               "gap_cost": "", "gap_co2e": "", "reason": a.reason or ""}
        gap = a.gap(best) if a.route is not None else None
        if a.route is not None and gap is not None:
            row.update(route=str(a.route_number or "-"), label=a.route.label,
                       p50=fmt_days(a.route.transit_days.p50),
                       gap_p50=signed(gap["days_p50"], ".1f"),
                       gap_p90=signed(gap["days_p90"], ".1f"),
                       gap_cost=signed(gap["cost_usd"], ",.0f"),
                       gap_co2e=signed(gap["co2e_kg"] / 1000, ".2f"))
        out.append(row)
    return out


def ticks(lo: float, hi: float, *, count: int = 5) -> list[dict[str, Any]]:
    """Round tick values spanning ``[lo, hi]``, labelled with as few decimals as they need.

    Positions come from matplotlib's ``MaxNLocator`` (steps of 1, 2, 2.5, 5 and 10 times a power
    of ten); labels keep thousands separators and never abbreviate, so 7,500 USD reads
    ``7,500``, never ``8k``.

    Raises
    ------
    ValueError
        For a range that is not finite.

    Examples
    --------
    >>> [t["label"] for t in ticks(6900, 8100)]
    ['7,000', '7,250', '7,500', '7,750', '8,000']
    >>> [t["label"] for t in ticks(0.2, 1.1, count=4)]
    ['0.25', '0.50', '0.75', '1.00']
    """
    from matplotlib.ticker import MaxNLocator

    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("tick range must be finite")
    lo, hi = min(lo, hi), max(lo, hi)
    if hi == lo:
        lo, hi = lo - 0.5, hi + 0.5
    for _ in range(60):
        values = [float(v) for v in MaxNLocator(nbins=max(1, count), steps=[1, 2, 2.5, 5, 10])
                  .tick_values(lo, hi)]
        tol = 1e-9 * (hi - lo)
        values = [v for v in values if lo - tol <= v <= hi + tol]
        decimals = next((d for d in range(7) if all(abs(round(v, d) - v) <= tol
                                                     for v in values)), None)
        if decimals is not None and len(values) >= 2:
            out = [{"value": round(v, 9), "label": f"{v:,.{decimals}f}"} for v in values]
            if len({t["label"] for t in out}) == len(out):
                return out
        # a range too narrow for six decimals (0 to 1e-9 was "0.000000" six times, 1 to
        # 1 + 1e-12 "1.000000" five times, 5e-324 to 1e-323 no tick at all) is widened about
        # its middle until its ticks read apart, each exactly
        mid, half = (lo + hi) / 2, max(hi - lo, 1e-9 * max(1.0, abs(lo), abs(hi))) * 5
        lo, hi = mid - half, mid + half
    raise ValueError("no ticks that read apart span this range")


def short_repr(route: Route, n: int | None = None) -> str:
    """One line: label, P50-P90 days, cost, CO2e, legs and countries."""
    t = route.transit_days
    num = f"#{n} " if n is not None else ""
    return (f"<Route {num}{route.label!r}: {fmt_days(t.p50)}-{fmt_days(t.p90)} d, "
            f"{fmt_usd(route.cost_usd)} USD, {fmt_t(route.co2e_wtw_kg)} t CO2e, "
            f"{len(route.legs)} legs, {'-'.join(route.countries)}>")


def html_table(result: PlanResult) -> str:
    """The routes table as HTML (for Jupyter), escaped by pandas."""
    pd = _pandas()
    t = route_table(result)
    cols: Sequence[dict[str, Any]] = t["columns"]
    frame = pd.DataFrame([[row[c["key"]] for c in cols] for row in t["rows"]],
                         columns=[c["header"] for c in cols])
    return (f"<p><b>{html.escape(t['title'])}</b></p>"
            + frame.to_html(index=False, border=0, classes="silkway-routes"))
