"""Command-line interface: ``silkway plan``, ``silkway hubs``, ``silkway network``.

Exit codes: 0 success; 2 bad input (unknown place, invalid constraint, malformed data);
3 no route satisfies the constraints; 4 the shipped data or network build is broken.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import silkway
from silkway.errors import ConstraintError, DataError, NoRouteError, SilkwayError, UnknownPlaceError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="silkway: container freight routes across Eurasia, Central Asia at the centre.")
network_app = typer.Typer(no_args_is_help=True, help="Compile and inspect the corridor network.")
app.add_typer(network_app, name="network")

out = Console()
err = Console(stderr=True)

EXIT_BAD_INPUT, EXIT_NO_ROUTE, EXIT_DATA = 2, 3, 4

CacheDir = Annotated[Path | None, typer.Option(
    "--cache-dir", envvar="SILKWAY_CACHE_DIR",
    help="Where the compiled network is cached [default: ~/.cache/silkway].")]


def _fail(exc: SilkwayError) -> typer.Exit:
    if isinstance(exc, NoRouteError):
        code = EXIT_NO_ROUTE
    elif isinstance(exc, UnknownPlaceError | ConstraintError):
        code = EXIT_BAD_INPUT
    else:
        code = EXIT_DATA
    err.print(f"[bold red]error:[/] {exc}", highlight=False)
    return typer.Exit(code)


def _load(cache_dir: Path | None, *, rebuild: bool = False) -> silkway.Network:
    """Load the network, showing a progress bar if it has to be compiled."""
    with Progress(TextColumn("[bold]compiling network[/]"), BarColumn(), TextColumn("{task.description}"),
                  TimeElapsedColumn(), console=err, transient=True) as bar:
        task = None

        def tick(stage: str, done: int, total: int) -> None:
            nonlocal task
            if task is None:
                task = bar.add_task(stage, total=total)
            bar.update(task, completed=done, description=stage)

        try:
            return silkway.load_network(cache_dir, rebuild=rebuild, progress=tick)
        except SilkwayError as exc:
            raise _fail(exc) from None


def _countries(codes: list[str]) -> str:
    return "-".join(codes)


def _route_table(result: silkway.PlanResult) -> Table:
    o, d = result.origin, result.destination
    c = result.constraints
    title = f"{o.name} ({o.id}, {o.country}) → {d.name} ({d.id}, {d.country})"
    t = Table(title=title, title_justify="left", show_lines=False)
    t.add_column("#", justify="right")
    t.add_column("route")
    t.add_column("days P50", justify="right")
    t.add_column("P90", justify="right")
    t.add_column(f"USD/{c.cargo.value}", justify="right")
    t.add_column("t CO2e", justify="right")
    t.add_column("km", justify="right")
    t.add_column("lifts", justify="right")
    t.add_column("countries")
    for i, r in enumerate(result.routes, 1):
        t.add_row(str(i), r.label, f"{r.transit_days.p50:.1f}", f"{r.transit_days.p90:.1f}",
                  f"{r.cost_usd:,.0f}", f"{r.co2e_wtw_kg / 1000:.2f}", f"{r.distance_km:,.0f}",
                  str(r.transshipments), _countries(r.countries))
    return t


def _legs_lines(result: silkway.PlanResult, net: silkway.Network) -> list[str]:
    lines = []
    for i, r in enumerate(result.routes, 1):
        parts = [net.hub(r.legs[0].directed.src).name]
        for rl in r.legs:
            leg = rl.directed.leg
            flag = "*" if leg.distance_source == "estimate" else ""
            parts.append(f"─{leg.mode.value} {leg.distance_km:,.0f}{flag}→ {net.hub(rl.directed.dst).name}")
        lines.append(f"[bold]{i}.[/] " + " ".join(parts))
    return lines


@app.command()
def plan(
    origin: Annotated[str, typer.Argument(help="UN/LOCODE, hub id or place name, e.g. Toyama or JPTOY.")],
    destination: Annotated[str, typer.Argument(help="UN/LOCODE, hub id or place name.")],
    avoid: Annotated[str | None, typer.Option(help="Countries to avoid, ISO alpha-2, e.g. RU,BY.")] = None,
    modes: Annotated[str | None, typer.Option(help="Allowed modes: sea,rail,road,ferry.")] = None,
    close: Annotated[str | None, typer.Option(
        help="Closed passages: suez,bab-el-mandeb,hormuz,bosporus,malacca,gibraltar,cape.")] = None,
    cargo: Annotated[str, typer.Option(help="FEU or TEU.")] = "FEU",
    payload_t: Annotated[float | None, typer.Option(help="Cargo tonnes per container.")] = None,
    max_transshipments: Annotated[int | None, typer.Option(help="Cap on container transfers.")] = None,
    planned: Annotated[bool, typer.Option("--planned", help="Also use planned links.")] = False,
    reefer: Annotated[bool, typer.Option("--reefer", help="Refrigerated container.")] = False,
    allocation: Annotated[str, typer.Option(help="Emission allocation: mass or teu.")] = "mass",
    objective: Annotated[str, typer.Option(help="Order routes by days, cost or co2e.")] = "days",
    max_routes: Annotated[int, typer.Option(min=1, max=50, help="Routes to show.")] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan JSON contract.")] = False,
    geometry: Annotated[bool, typer.Option(help="Include leg geometry in --json.")] = False,
    cache_dir: CacheDir = None,
) -> None:
    """Plan container routes: the Pareto set over days, cost and CO2e."""
    net = _load(cache_dir)
    try:
        result = silkway.plan(net, origin, destination, avoid=avoid, modes=modes, close=close,
                              cargo=cargo, payload_t=payload_t, max_transshipments=max_transshipments,
                              include_planned=planned, reefer=reefer, allocation=allocation,
                              objective=objective, max_routes=max_routes)
    except SilkwayError as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(geometry=geometry), ensure_ascii=False) + "\n")
        return
    out.print(_route_table(result))
    for line in _legs_lines(result, net):
        out.print(line, highlight=False)
    cargo = result.constraints.cargo.value
    out.print(f"[dim]Ordered by {silkway.OBJECTIVES[result.objective]}. Days: simulated "
              f"door-to-door incl. handling, border dwell and ferry waits; cost and CO2e (WTW, "
              f"legs and lifts) per {cargo} with {result.payload_t:g} t cargo. "
              f"* = distance estimated (no network path).[/]")


@app.command()
def emissions(
    origin: Annotated[str, typer.Argument(help="UN/LOCODE, hub id or place name.")],
    destination: Annotated[str, typer.Argument(help="UN/LOCODE, hub id or place name.")],
    avoid: Annotated[str | None, typer.Option(help="Countries to avoid, ISO alpha-2.")] = None,
    modes: Annotated[str | None, typer.Option(help="Allowed modes: sea,rail,road,ferry.")] = None,
    close: Annotated[str | None, typer.Option(help="Closed passages, e.g. suez.")] = None,
    cargo: Annotated[str, typer.Option(help="FEU or TEU.")] = "FEU",
    payload_t: Annotated[float | None, typer.Option(help="Cargo tonnes per container.")] = None,
    reefer: Annotated[bool, typer.Option("--reefer", help="Refrigerated container.")] = False,
    allocation: Annotated[str, typer.Option(help="mass (default) or teu.")] = "mass",
    route: Annotated[int, typer.Option(min=1, help="Route number, lowest CO2e first.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="Print the statement as JSON.")] = False,
    html_path: Annotated[Path | None, typer.Option("--html", help="Also write a printable HTML "
                                                   "report to this file.")] = None,
    cache_dir: CacheDir = None,
) -> None:
    """ISO 14083 / GLEC emission statement of a route, element by element, with sources."""
    net = _load(cache_dir)
    try:
        result = silkway.plan(net, origin, destination, avoid=avoid, modes=modes, close=close,
                              cargo=cargo, payload_t=payload_t, reefer=reefer,
                              allocation=allocation, objective="co2e", max_routes=50)
        st = silkway.statement(result, route - 1)
    except SilkwayError as exc:
        raise _fail(exc) from None
    if html_path is not None:
        try:
            html_path.write_text(silkway.statement_html(st), encoding="utf-8")
        except OSError as exc:
            raise _fail(ConstraintError(f"cannot write {html_path}: {exc.strerror}")) from None
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
    t = Table(show_lines=False)
    for col, just in (("#", "right"), ("element", "left"), ("activity", "right"),
                      ("intensity WTW/TTW", "right"), ("kg WTW", "right"), ("kg TTW", "right"),
                      ("factor (data type)", "left"), ("distance basis / source", "left")):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for el in d["elements"]:
        if el["type"] == "transport":
            activity = f"{el['tkm']:,.0f} tkm"
            basis = f"{el['distance_km']:,.0f} km, {el['distance_source']}"
        else:
            activity = f"{el['teu_handled']:g} TEU"
            basis = ""
        src = (el["source"] or "").split(";")[0][:60] or ("estimate: " + el["estimate"][:50])
        t.add_row(str(el["element"]), el["label"], activity,
                  f"{el['intensity_wtw']:g}/{el['intensity_ttw']:g} {el['intensity_unit']}",
                  f"{el['co2e_kg_wtw']:,.1f}", f"{el['co2e_kg_ttw']:,.1f}",
                  f"{el['factor']} ({el['data_type']})", f"{basis}\n[dim]{src}[/]".strip())
    t.add_row("", "[bold]total[/]", f"{tot['tkm']:,.0f} tkm",
              f"{tot['intensity_g_per_tkm_wtw']} g/tkm", f"[bold]{tot['co2e_kg_wtw']:,.1f}[/]",
              f"[bold]{tot['co2e_kg_ttw']:,.1f}[/]",
              f"transport {tot['transport_co2e_kg_wtw']:,.1f} + hubs {tot['hub_co2e_kg_wtw']:,.1f}",
              f"WTT {tot['co2e_kg_wtt']:,.1f} kg")
    out.print(t)
    for k, v in d["method"].items():
        out.print(f"[dim]{k.replace('_', ' ')}: {v}[/]", highlight=False)
    q = d["data_quality"]
    out.print(f"[dim]primary data share {q['primary_data_share']:.0%}; elements by data type "
              f"{q['elements_by_data_type']}[/]", highlight=False)
    if html_path is not None:
        out.print(f"report written to {html_path}")


@app.command()
def hubs(
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 country filter.")] = None,
    kind: Annotated[str | None, typer.Option(help="port, rail, dry_port, border or ferry.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    cache_dir: CacheDir = None,
) -> None:
    """List the hubs the network knows."""
    net = _load(cache_dir)
    kinds = {h.kind for h in net.hubs}
    if kind is not None and kind not in kinds:
        raise _fail(ConstraintError(f"unknown hub kind {kind!r}; use {', '.join(sorted(kinds))}"))
    rows = [h for h in net.hubs if (country is None or h.country == country.upper())
            and (kind is None or h.kind == kind)]
    degree: dict[str, set[str]] = {}
    for leg in net.legs:
        degree.setdefault(leg.src, set()).add(leg.mode.value)
        degree.setdefault(leg.dst, set()).add(leg.mode.value)
    if as_json:
        data = [{**h.to_dict(), "aliases": list(h.aliases), "gauge_mm": h.gauge_mm or None,
                 "modes": sorted(degree.get(h.id, ()))} for h in rows]
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"{len(rows)} hubs")
    for col in ("id", "name", "country", "kind", "gauge", "modes", "lat", "lon"):
        t.add_column(col)
    for h in rows:
        t.add_row(h.id, h.name, h.country, h.kind, str(h.gauge_mm or "-"),
                  ",".join(sorted(degree.get(h.id, ()))), f"{h.lat:.3f}", f"{h.lon:.3f}")
    out.print(t)


@network_app.command("build")
def network_build(
    force: Annotated[bool, typer.Option(help="Rebuild even if a valid cache exists.")] = True,
    cache_dir: CacheDir = None,
) -> None:
    """Compile the network from the shipped tables and base networks, and cache it."""
    net = _load(cache_dir, rebuild=force)
    out.print(f"network {net.key[:16]}: {len(net.hubs)} hubs, {len(net.legs)} legs "
              f"cached in {silkway.cache_path(cache_dir)}")


@network_app.command("info")
def network_info(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    cache_dir: CacheDir = None,
) -> None:
    """Describe the compiled network: hubs, legs by mode and distance source, bridges."""
    net = _load(cache_dir)
    info: dict[str, Any] = {"key": net.key[:16], "hubs": len(net.hubs), "legs": len(net.legs),
                            "cache": str(silkway.cache_path(cache_dir)), **net.stats}
    by: dict[str, int] = {}
    for leg in net.legs:
        k = f"{leg.mode.value}/{leg.distance_source}"
        by[k] = by.get(k, 0) + 1
    info["legs_by_mode_and_source"] = dict(sorted(by.items()))
    info["estimated_km"] = round(sum(leg.estimated_km for leg in net.legs), 1)
    if as_json:
        sys.stdout.write(json.dumps(info) + "\n")
        return
    t = Table(title="silkway network", show_header=False)
    for k, v in info.items():
        t.add_row(k, json.dumps(v) if isinstance(v, dict) else str(v))
    out.print(t)


def main() -> None:
    """Entry point: run the CLI, turning any silkway error into a one-line message."""
    logging.basicConfig(level=os.environ.get("SILKWAY_LOG", "WARNING").upper(),
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        app()
    except DataError as exc:  # pragma: no cover - raised outside a command
        err.print(f"[bold red]error:[/] {exc}")
        raise SystemExit(EXIT_DATA) from None
