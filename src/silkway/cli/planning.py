"""Planning commands: ``silkway plan``, ``emissions`` and ``corridors``."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

import silkway
from silkway.analysis.export import FORMATS, corridor_rows, fmt_pct, refuse_unshown
from silkway.analysis.writers import check_output, write_text
from silkway.cli._app import AsJson, CacheDir, _fail, _load, out
from silkway.cli._query import query_options
from silkway.errors import ConstraintError, SilkwayError
from silkway.query import PlanQuery

LABEL_MIN_WIDTH = 20  # route labels narrower than this wrap into too many lines to read


def _route_table(result: silkway.PlanResult, console: Console) -> tuple[Table, list[str]]:
    """The routes table, fitted to ``console.width``: columns beyond the essential ones (route,
    days, cost, CO2e) are added by priority (on-time share, countries, km, lifts) while they fit,
    instead of cutting figures; route labels wrap. Countries left out go to the route lines.
    Returns the table and the keys of the columns left out."""
    spec = result.route_table()
    cols, rows = spec["columns"], spec["rows"]

    def width(c: dict[str, Any]) -> int:  # narrowest the column can be without cutting a figure
        cells = [r[c["key"]] for r in rows]
        if not (c["numeric"] or c["key"] == "countries"):  # labels wrap between words
            return max(LABEL_MIN_WIDTH, *(len(w) for cell in cells for w in cell.split()))
        return max(len(c["header"]), *(len(x) for x in cells), 1)

    keep = {c["key"] for c in cols if c["priority"] == 1}
    budget = console.width - 1 - sum(width(c) + 3 for c in cols if c["key"] in keep)
    for c in sorted((c for c in cols if c["key"] not in keep), key=lambda c: c["priority"]):
        if width(c) + 3 <= budget:
            keep.add(c["key"])
            budget -= width(c) + 3
    shown = [c for c in cols if c["key"] in keep]
    dropped = [c["key"] for c in cols if c["key"] not in keep]
    t = Table(title=escape(spec["title"]), title_justify="left", show_lines=False)
    for c in shown:
        wrap = not (c["numeric"] or c["key"] == "countries")
        t.add_column(c["header"], justify="right" if c["numeric"] else "left", no_wrap=not wrap,
                     min_width=width(c), overflow="fold" if wrap else "ellipsis")
    for row in rows:
        t.add_row(*(escape(row[c["key"]]) for c in shown))
    return t, dropped


def _legs_lines(result: silkway.PlanResult, net: silkway.Network, *,
                dropped: Sequence[str] = ()) -> list[str]:
    """A line per route: its hubs and legs, led by the figures the table had no room for that
    were asked for or that it names (the on-time share of ``--deadline``, which a narrow
    terminal left out without a word, and the countries)."""
    lines = []
    for i, r in enumerate(result.routes, 1):
        parts = []
        t = r.transit_days
        if "on_time" in dropped and t.deadline_days is not None:
            parts.append(f"P(≤{t.deadline_days:g}d) {fmt_pct(t.on_time)}")
        if "countries" in dropped:
            parts.append("-".join(r.countries) + ":")
        parts.append(net.hub(r.legs[0].directed.src).name)
        for rl in r.legs:
            leg = rl.directed.leg
            flag = "*" if leg.distance_source == "estimate" else ""
            parts.append(f"─{leg.mode.value} {leg.distance_km:,.0f}{flag}→ {net.hub(rl.directed.dst).name}")
        lines.append(f"[bold]{i}.[/] " + escape(" ".join(parts)))
    return lines


def _flag(name: str, value: Any) -> str:
    """A show option as typed on the command line: ``--histogram``, ``--no-geometry``."""
    return f"--{'' if value else 'no-'}{name}"


@query_options()
def plan(
    query: PlanQuery,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan JSON contract "
                                                     "(same as --format json).")] = False,
    fmt: Annotated[str, typer.Option(
        "--format", help="table, json (the plan contract), geojson (RFC 7946, a Feature per "
                         "leg) or csv (a row per leg).")] = "table",
    geometry: Annotated[bool | None, typer.Option(
        "--geometry/--no-geometry", help="Include leg geometry in --json (geojson is the "
                                         "geometry; table and csv have none).",
        show_default=False)] = None,
    cache_dir: CacheDir = None,
) -> None:
    """Plan container routes: the Pareto set over days, cost and CO2e, and each named
    corridor's best route beside it (or why it cannot serve the trip)."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise _fail(ConstraintError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}"))
    if as_json:
        fmt = "json"
    given: dict[str, Any] = {"histogram": True} if query.histogram else {}
    if geometry is not None:  # --geometry or --no-geometry typed; the default asks for nothing
        given["geometry"] = geometry
    try:
        refuse_unshown(fmt, given, option=_flag, named=lambda f: f"--format {f}")
    except ConstraintError as exc:
        raise _fail(exc) from None
    net = _load(cache_dir)
    result = silkway.plan(net, query)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(geometry=bool(geometry)), ensure_ascii=False) + "\n")
        return
    if fmt == "geojson":
        sys.stdout.write(json.dumps(result.to_geojson(), ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(result.to_csv())
        return
    table, dropped = _route_table(result, out)
    out.print(table)
    for line in _legs_lines(result, net, dropped=dropped):
        out.print(line, highlight=False)
    _print_corridors(result)
    _print_notices(result)
    c = result.constraints
    # --reefer and --allocation teu change the CO2e column: the line said "per FEU with 20 t
    # cargo" for a reefer, and the 5 t of --payload-t 5 that TEU slots do not count
    box = f"reefer {c.cargo.value}" if c.reefer else c.cargo.value
    basis = (f" (CO2e of transport by TEU slots at "
             f"{net.tables.cargo['TEU'].payload_t_default:g} t a TEU, not by its tonnes)"
             if c.allocation == "teu" else "")
    out.print(f"[dim]Ordered by {silkway.OBJECTIVES[result.objective]}. Days: simulated "
              f"terminal to terminal by regular services (not express trains or first runs) "
              f"incl. handling, border dwell and ferry waits; cost and CO2e "
              f"(WTW, legs and lifts) per {box} with {result.payload_t:g} t cargo{basis}. "
              f"* = distance estimated (no network path). Data as of {escape(result.as_of)}.[/]")


def _print_notices(result: silkway.PlanResult) -> None:
    """One line per passage notice: which shown routes use the passage, what the data's period
    says of it, and the scenario that plans the way boxes went."""
    unlisted = {a.corridor.id: a.corridor.name for a in result.corridors
                if a.route_number is None}  # a listed answer is named by its route number
    for n in result.notices:
        d = result.notice_dict(n)
        which = [f"route{'s' if len(d['routes']) > 1 else ''} "
                 + ", ".join(map(str, d["routes"]))] if d["routes"] else []
        which += [f"the {unlisted[c]} answer" for c in d["corridors"] if c in unlisted]
        plural = len(which) > 1 or len(d["routes"]) > 1
        out.print(f"[yellow]Note:[/] {escape(' and '.join(which))} "
                  f"pass{'' if plural else 'es'} "
                  f"{escape(n.passage.display_name)}: in {escape(n.as_of)} {escape(n.notice)}. "
                  f"--scenario {escape(n.scenario)} plans the way boxes went.", highlight=False)


def _print_corridors(result: silkway.PlanResult) -> None:
    """The corridor section: each corridor's best route and its gap to route 1, then one line
    per corridor that cannot serve the trip, saying why."""
    if not result.corridors:
        return
    served = [a for a in result.corridors if a.route is not None]
    if served:
        t = Table(title="Corridors (gap to route 1)", title_justify="left")
        for col, right in (("corridor", False), ("#", True), ("P50 d", True), ("ΔP50", True),
                           ("ΔP90", True), ("ΔUSD", True), ("Δt CO2e", True)):
            t.add_column(col, justify="right" if right else "left",
                         no_wrap=right, overflow="fold")
        cells = {row["id"]: row for row in corridor_rows(result)}  # the API table's cells
        for a in served:
            c = cells[a.corridor.id]
            t.add_row(escape(a.corridor.name), c["route"], c["p50"], c["gap_p50"],
                      c["gap_p90"], c["gap_cost"], c["gap_co2e"])
        out.print(t)
        for a in served:
            if a.route_number is None and a.route is not None:
                out.print(Text.assemble(("  " + a.corridor.name + ": ", "bold"),
                                        a.route.label, f" ({'-'.join(a.route.countries)})"))
    why: dict[str, list[str]] = {}  # corridors that share a reason share a line
    for a in result.corridors:
        if a.route is None:
            why.setdefault(a.reason or "", []).append(a.corridor.name)
    for reason, names in why.items():
        out.print(Text.assemble(("  no " + ", ".join(names) + ": ", "dim"), (reason, "dim")))


@query_options(defaults={"corridors": "none"}, unused="emissions")
def emissions(
    query: PlanQuery,
    route: Annotated[int, typer.Option(min=1, help="Route number, as `silkway plan` numbers "
                                                   "the routes of the same query.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statement as JSON.")] = False,
    html_path: Annotated[Path | None, typer.Option("--html", help="Also write a printable HTML "
                                                   "report to this file.")] = None,
    cache_dir: CacheDir = None,
) -> None:
    """ISO 14083 / GLEC emission statement of a route, element by element, with sources."""
    if html_path is not None:  # before the plan: a bad report name is not found out after it
        try:
            check_output(html_path, suffixes=(".html", ".htm"), what="report")
        except SilkwayError as exc:
            raise _fail(exc) from None
    net = _load(cache_dir)
    try:
        result = silkway.plan(net, query)
        st = silkway.statement(result, route - 1)
    except SilkwayError as exc:
        raise _fail(exc) from None
    if html_path is not None:
        try:
            write_text(silkway.statement_html(st), html_path)
        except SilkwayError as exc:
            raise _fail(exc) from None
    d = st.to_dict()
    if as_json:
        sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")
        return
    sh, tot = d["shipment"], d["totals"]
    out.print(f"[bold]GHG emission statement[/] ({d['standard']})")
    out.print(f"{sh['cargo']} ({sh['teu']:g} TEU), {sh['payload_t']:g} t cargo"
              f"{', reefer' if sh['reefer'] else ''}: {result.origin.name} → "
              f"{result.destination.name}; route {route}: {d['route']['label']} "
              f"({'-'.join(d['route']['countries'])}, {d['route']['distance_km']:,.0f} km)",
              highlight=False)
    from silkway.analysis.emissions import basis_line  # not imported for a plain plan

    out.print(basis_line(d), highlight=False, markup=False)  # the scenario's title is user text
    # The sources are numbered notes under the table and the factor and distance basis sit
    # under each element's name, so that the figures keep their columns at 80 columns.
    t = Table(show_lines=False)
    for col in ("element", "activity", "WTW intensity", "kg WTW", "kg TTW", "src"):
        t.add_column(col, justify="left" if col == "element" else "right",
                     no_wrap=col != "element", overflow="fold")
    notes: dict[str, int] = {}
    for el in d["elements"]:
        if el["type"] == "transport":
            activity = f"{el['tkm']:,.0f} tkm"
            basis = f"{el['distance_km']:,.0f} km ({el['distance_source']}); "
        else:
            activity = f"{el['teu_handled']:g} TEU"
            basis = ""
        # the publication and its table: what follows its first colon is the figures' detail,
        # given whole by --json and --html
        src = ((el["source"] or "").split(": ")[0][:250]
               or "estimate: " + el["estimate"].split(": ")[0][:250])
        n = notes.setdefault(src, len(notes) + 1)
        unit = el["intensity_unit"].replace(" CO2e", "")
        t.add_row(f"{el['element']}. {escape(el['label'])}\n[dim]{escape(basis)}"
                  f"{escape(el['factor'])} ({escape(el['data_type'])})[/]", activity,
                  f"{el['intensity_wtw']:g} {unit}", f"{el['co2e_kg_wtw']:,.1f}",
                  f"{el['co2e_kg_ttw']:,.1f}", f"[{n}]")
    t.add_row("[bold]total[/]", f"{tot['tkm']:,.0f} tkm",
              f"{tot['intensity_g_per_tkm_wtw']} g/tkm", f"[bold]{tot['co2e_kg_wtw']:,.1f}[/]",
              f"[bold]{tot['co2e_kg_ttw']:,.1f}[/]", "")
    out.print(t)
    out.print(f"total WTW: transport {tot['transport_co2e_kg_wtw']:,.1f} + hubs "
              f"{tot['hub_co2e_kg_wtw']:,.1f} kg; of it well-to-tank {tot['co2e_kg_wtt']:,.1f} kg",
              highlight=False)
    for src, n in notes.items():
        out.print(f"[dim]\\[{n}] {escape(src)}[/]", highlight=False)
    out.print("[dim]The sources' figures and quotes in full: --json or --html.[/]")
    for k, v in d["method"].items():
        out.print(f"[dim]{k.replace('_', ' ')}: {v}[/]", highlight=False)
    q = d["data_quality"]
    out.print(f"[dim]primary data share {q['primary_data_share']:.0%}; elements by data type "
              f"{q['elements_by_data_type']}[/]", highlight=False)
    if html_path is not None:
        out.print(f"report written to {html_path}", markup=False)


def corridors_cmd(as_json: AsJson = False) -> None:
    """List the named corridors: id, name, what defines them, and the source."""
    rows = [c.to_dict() for c in silkway.corridors()]
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"{len(rows)} corridors (in priority order)", title_justify="left")
    for col in ("id", "name", "description"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(escape(r["id"]), escape(r["name"]), escape(r["description"]))
    out.print(t)
