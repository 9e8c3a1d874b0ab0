"""Command-line interface: ``silkway plan``, ``silkway hubs``, ``silkway network``.

Exit codes (one mapping, :func:`silkway.errors.exit_code`): 0 success; 2 bad input (the user's
place, option, file or row, including usage errors); 3 no route satisfies the constraints; 4 the
shipped data or the network cache is broken; 5 a backend failed (database, Dask scheduler, disk);
1 an internal error. Every error is one line on stderr (``{"error", "detail", "exit_code"}`` JSON
with ``--json``), never a traceback, and user text is never read as rich markup.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

import silkway
from silkway.analysis.export import FORMATS
from silkway.cli_query import query_options
from silkway.errors import (
    EXIT_BACKEND,
    EXIT_DATA,
    EXIT_INPUT,
    EXIT_NO_ROUTE,
    ConstraintError,
    SilkwayError,
    exit_code,
)
from silkway.network.model import default_cache_dir
from silkway.query import PlanQuery

log = logging.getLogger(__name__)

EXIT_BAD_INPUT, EXIT_INTERNAL = EXIT_INPUT, 1
__all__ = ["EXIT_BACKEND", "EXIT_BAD_INPUT", "EXIT_DATA", "EXIT_INTERNAL", "EXIT_NO_ROUTE", "app",
           "main"]
MAX_DETAIL_CHARS = 600
"""Error sentences are cut to this length, so that a huge input is never echoed whole."""

# Neither user text nor help text is rich markup: no emoji codes, no [style] tags.
out = Console(emoji=False)
err = Console(stderr=True, emoji=False, highlight=False)


def _sentence(text: str) -> str:
    """One line: control characters become spaces and an overlong message is cut."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if len(line) > MAX_DETAIL_CHARS:
        line = line[:MAX_DETAIL_CHARS - 1] + "…"
    return line


def _wants_json(args: list[str]) -> bool:
    """Whether the command line asks for JSON (``--json`` or ``--format json``, before ``--``)."""
    args = args[:args.index("--")] if "--" in args else args
    formats = [b.strip().lower() for a, b in itertools.pairwise(args) if a == "--format"]
    formats += [a.partition("=")[2].strip().lower() for a in args if a.startswith("--format=")]
    return "--json" in args or "json" in formats


def _report(kind: str, detail: str, code: int, *, as_json: bool) -> None:
    """Print one error: a JSON object or an ``error: ...`` line, on stderr."""
    detail = _sentence(detail)
    if as_json:
        sys.stderr.write(json.dumps({"error": kind, "detail": detail, "exit_code": code},
                                    ensure_ascii=False) + "\n")
        sys.stderr.flush()
    else:
        err.print(Text.assemble(("error:", "bold red"), " ", detail), soft_wrap=True)


class _Commands(TyperGroup):
    """The command group; turns every failure into one line on stderr and an exit code.

    Usage errors (unknown option, value out of range) are exit 2 like any other bad input; an
    unexpected exception is exit 1 with one sentence (``SILKWAY_LOG=DEBUG`` logs the traceback).
    """

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode,
                                windows_expand_args, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        as_json = _wants_json(argv)
        try:
            rv = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as exc:  # usage errors of the (vendored) click parser
            if type(exc).__name__ == "NoArgsIsHelpError":
                typer.echo(exc.format_message(), err=True)
            else:
                _report("UsageError", exc.format_message(), EXIT_INPUT, as_json=as_json)
            sys.exit(EXIT_INPUT)
        except typer.Abort:
            _report("Aborted", "aborted", EXIT_INTERNAL, as_json=as_json)
            sys.exit(EXIT_INTERNAL)
        except SilkwayError as exc:
            code = exit_code(exc)
            _report(type(exc).__name__, str(exc), code, as_json=as_json)
            sys.exit(code)
        except OSError as exc:  # the disk or a pipe: a backend fault, not a bug
            where = f" {exc.filename}" if exc.filename else ""
            _report("BackendError", f"cannot access{where}: {exc.strerror or exc}",
                    EXIT_BACKEND, as_json=as_json)
            sys.exit(EXIT_BACKEND)
        except Exception as exc:
            log.debug("internal error", exc_info=True)
            _report("InternalError", f"internal error ({type(exc).__name__}: {exc}); run with "
                    "SILKWAY_LOG=DEBUG for the traceback", EXIT_INTERNAL, as_json=as_json)
            sys.exit(EXIT_INTERNAL)
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None, cls=_Commands,
                  pretty_exceptions_enable=False,
                  help="silkway: container freight routes across Eurasia, Central Asia at the centre.")
network_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                          help="Compile and inspect the corridor network.")
app.add_typer(network_app, name="network")

LABEL_MIN_WIDTH = 20  # route labels narrower than this wrap into too many lines to read

CacheDir = Annotated[Path | None, typer.Option(
    "--cache-dir", envvar="SILKWAY_CACHE_DIR",
    help="Where the compiled network is cached [default: ~/.cache/silkway].")]


ScenarioOpt = Annotated[str | None, typer.Option(
    help="Scenario name (see `silkway scenarios`) or a .yaml file.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Scheduler = Annotated[str | None, typer.Option(
    help="Dask scheduler address (tcp://HOST:PORT); default: a local cluster.")]
Workers = Annotated[int, typer.Option(min=1, max=64, help="Local cluster workers.")]
Serial = Annotated[bool, typer.Option("--serial", help="Plan in this process, no Dask.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"silkway {silkway.__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
          ) -> None:
    """silkway: container freight routes across Eurasia, Central Asia at the centre."""


@contextmanager
def _bar(label: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on stderr; yields ``tick(done, total)``."""
    with Progress(TextColumn(f"[bold]{label}[/]"), BarColumn(),
                  TextColumn(f"{{task.completed}}/{{task.total}} {unit}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(unit, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def _quiet_dask() -> None:
    """Keep Dask's scheduler and nanny chatter (~30 INFO lines a run) off the terminal.

    Importing ``distributed`` sets its loggers to INFO from its own config, over the level
    ``main()`` chose; this puts them back to WARNING (or to ``SILKWAY_LOG`` when that is lower).
    """
    import distributed  # noqa: F401 - imported for its logging set-up, which this overrides

    level = max(logging.WARNING, logging.getLogger().getEffectiveLevel())
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in ("distributed", "tornado", "bokeh"):
            logging.getLogger(name).setLevel(level)


def _fail(exc: SilkwayError) -> SilkwayError:
    """The error to raise from a command: the command group reports it (one line, or JSON with
    ``--json``) and exits with its code (:func:`silkway.errors.exit_code`)."""
    return exc


def _load(cache_dir: Path | None, *, rebuild: bool = False) -> silkway.Network:
    """Load the network, showing a progress bar only if it has to be compiled."""
    bar = Progress(TextColumn("[bold]compiling network[/]"), BarColumn(),
                   TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                   transient=True)
    task = None

    def tick(stage: str, done: int, total: int) -> None:
        nonlocal task
        if task is None:
            bar.start()
            task = bar.add_task(escape(stage), total=total)
        bar.update(task, completed=done, description=escape(stage))

    try:
        return silkway.load_network(cache_dir, rebuild=rebuild, progress=tick)
    finally:
        if task is not None:
            bar.stop()


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
                countries: bool = False) -> list[str]:
    lines = []
    for i, r in enumerate(result.routes, 1):
        parts = ["-".join(r.countries) + ":"] if countries else []
        parts.append(net.hub(r.legs[0].directed.src).name)
        for rl in r.legs:
            leg = rl.directed.leg
            flag = "*" if leg.distance_source == "estimate" else ""
            parts.append(f"─{leg.mode.value} {leg.distance_km:,.0f}{flag}→ {net.hub(rl.directed.dst).name}")
        lines.append(f"[bold]{i}.[/] " + escape(" ".join(parts)))
    return lines


@app.command()
@query_options()
def plan(
    query: PlanQuery,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan JSON contract "
                                                     "(same as --format json).")] = False,
    fmt: Annotated[str, typer.Option(
        "--format", help="table, json (the plan contract), geojson (RFC 7946, a Feature per "
                         "leg) or csv (a row per leg).")] = "table",
    geometry: Annotated[bool, typer.Option(help="Include leg geometry in --json.")] = False,
    cache_dir: CacheDir = None,
) -> None:
    """Plan container routes: the Pareto set over days, cost and CO2e, and each named
    corridor's best route beside it (or why it cannot serve the trip)."""
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise _fail(ConstraintError(f"unknown format {fmt!r}; use {', '.join(FORMATS)}"))
    if as_json:
        fmt = "json"
    net = _load(cache_dir)
    result = silkway.plan(net, query)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_dict(geometry=geometry), ensure_ascii=False) + "\n")
        return
    if fmt == "geojson":
        sys.stdout.write(json.dumps(result.to_geojson(), ensure_ascii=False) + "\n")
        return
    if fmt == "csv":
        sys.stdout.write(result.to_csv())
        return
    table, dropped = _route_table(result, out)
    out.print(table)
    for line in _legs_lines(result, net, countries="countries" in dropped):
        out.print(line, highlight=False)
    _print_corridors(result)
    cargo = result.constraints.cargo.value
    out.print(f"[dim]Ordered by {silkway.OBJECTIVES[result.objective]}. Days: simulated "
              f"terminal to terminal incl. handling, border dwell and ferry waits; cost and CO2e "
              f"(WTW, legs and lifts) per {cargo} with {result.payload_t:g} t cargo. "
              f"* = distance estimated (no network path). Data as of {escape(result.as_of)}.[/]")


def _signed(v: float, spec: str) -> str:
    text = format(v, spec)
    return "+" + text if v > 0 and not text.startswith("+") else text


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
        best = result.routes[0]
        for a in served:
            r, gap = a.route, a.gap(best)
            assert r is not None and gap is not None
            t.add_row(escape(a.corridor.name), str(a.route_number or "-"),
                      f"{r.transit_days.p50:.1f}", _signed(gap["days_p50"], ".1f"),
                      _signed(gap["days_p90"], ".1f"), _signed(gap["cost_usd"], ",.0f"),
                      _signed(gap["co2e_kg"] / 1000, ".2f"))
        out.print(t)
        for a in served:
            if a.route_number is None and a.route is not None:
                out.print(Text.assemble(("  " + a.corridor.name + ": ", "bold"),
                                        a.route.label, f" ({'-'.join(a.route.countries)})"))
    for a in result.corridors:
        if a.route is None:
            out.print(Text.assemble(("  no " + a.corridor.name + ": ", "dim"),
                                    (a.reason or "", "dim")))


@app.command()
@query_options(defaults={"corridors": "none"})
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
    net = _load(cache_dir)
    try:
        result = silkway.plan(net, query)
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
        out.print(f"report written to {html_path}", markup=False)


@app.command("corridors")
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


@app.command("scenarios")
def scenarios_cmd(
    as_json: AsJson = False,
    cache_dir: CacheDir = None,
) -> None:
    """List the shipped scenarios."""
    net = _load(cache_dir)
    rows = []
    try:
        for name in silkway.scenarios.available():
            sc = silkway.scenarios.load_scenario(name, net.tables)
            rows.append({**sc.to_dict(), "description": sc.description,
                         "source": sc.provenance.source, "estimate": sc.provenance.estimate})
    except SilkwayError as exc:
        raise _fail(exc) from None
    if as_json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    t = Table(title=f"{len(rows)} scenarios")
    for col in ("name", "title", "month", "closes", "adds", "changes"):
        t.add_column(col)
    for r in rows:
        closes = ", ".join(r["close"]["countries"] + r["close"]["passages"] + r["close"]["hubs"])
        t.add_row(r["name"], r["title"], str(r["month"] or "-"), closes or "-",
                  "; ".join(r["add_legs"]) or "-", str(r["changes"]))
    out.print(t)


@app.command()
@query_options()
def compare(
    query: PlanQuery,
    as_json: AsJson = False,
    cache_dir: CacheDir = None,
) -> None:
    """What a scenario (or a month of departure) changes: days, USD, CO2e per route."""
    net = _load(cache_dir)
    try:
        cmp = silkway.compare(net, query)
    except SilkwayError as exc:
        raise _fail(exc) from None
    d = cmp.to_dict()
    if as_json:
        sys.stdout.write(json.dumps(d, ensure_ascii=False) + "\n")
        return
    name = d["scenario"]["name"] if d["scenario"] else f"month {d['month']}"
    t = Table(title=escape(f"{cmp.baseline.origin.name} → {cmp.baseline.destination.name}: "
                           f"baseline vs {name}"), title_justify="left")
    for col in ("route", "P50 d", "Δ", "P90 d", "Δ", "USD", "Δ", "t CO2e", "Δ"):
        t.add_column(col, justify="left" if col == "route" else "right")

    def fmt(v: float | None, spec: str, delta: bool = False) -> str:
        if v is None:
            return "-"
        text = format(v, spec)
        return ("+" + text if v > 0 else text) if delta else text

    for row in d["routes"]:
        b, sc, dl = row["baseline"], row["scenario"], row.get("delta")
        cur = sc or b
        if b and sc:
            mark = "" if row["baseline_label"] == row["label"] else f" (was: {row['baseline_label']})"
        else:
            mark = " (new)" if sc else " (gone)"
        t.add_row(row["label"] + mark, fmt(cur["p50"], ".1f"),
                  fmt(dl["p50"] if dl else None, ".1f", True), fmt(cur["p90"], ".1f"),
                  fmt(dl["p90"] if dl else None, ".1f", True), fmt(cur["cost_usd"], ",.0f"),
                  fmt(dl["cost_usd"] if dl else None, ",.0f", True),
                  fmt(cur["co2e_kg"] / 1000, ".2f"),
                  fmt(dl["co2e_kg"] / 1000 if dl else None, ".2f", True))
    out.print(t)
    c = Table(title="corridors: best route before and after", title_justify="left")
    for col in ("corridor", "P50 d", "Δ", "USD", "Δ", "note"):
        c.add_column(col, justify="left" if col in ("corridor", "note") else "right")
    for row in d["corridors"]:
        b, sc, dl = row["baseline"], row["scenario"], row["delta"]
        cur = sc or b
        if b is None and sc is None:
            continue
        note = ("" if b and sc else f"now: {row['scenario_reason']}" if b
                else "new (before: " + (row["baseline_reason"] or "none") + ")")
        c.add_row(escape(row["name"]), fmt(cur["p50"], ".1f"),
                  fmt(dl["p50"] if dl else None, ".1f", True), fmt(cur["cost_usd"], ",.0f"),
                  fmt(dl["cost_usd"] if dl else None, ",.0f", True), escape(note))
    out.print(c)
    best = d["best"]
    out.print(Text.assemble(("best route: ", "bold"), best["baseline_label"], " → ", best["label"],
                            f" ({fmt(best['delta']['p50'], '.1f', True)} d, "
                            f"{fmt(best['delta']['cost_usd'], ',.0f', True)} USD)"))
    s = Table(title="share of the Pareto set", title_justify="left")
    for col in ("corridor", "baseline", name):
        s.add_column(escape(col), justify="left" if col == "corridor" else "right")
    for fam, sh in d["pareto_share"].items():
        s.add_row(fam, f"{100 * sh['baseline']:.0f}%", f"{100 * sh['scenario']:.0f}%")
    out.print(s)


@app.command()
@query_options(places=False, skip=("scenario",))
def sweep(
    query: dict[str, Any],
    vary: Annotated[list[str], typer.Option(
        help="TYPE:KEY:FACTOR=VALUES, e.g. tariff:ferry_caspian:wait_factor=0.5,1,2,4 or "
             "=0.5:8:6 (low:high:count). Give one or two.")],
    pair: Annotated[list[str] | None, typer.Option(help="ORIGIN:DESTINATION, repeatable.")] = None,
    pairs_file: Annotated[Path | None, typer.Option(
        help="CSV with origin,destination columns.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Table: .csv or .parquet.")] = Path(
        "sweep.csv"),
    chart: Annotated[Path | None, typer.Option(help="PNG chart of corridor shares.")] = None,
    focus: Annotated[str, typer.Option(help="Corridor for the two-axis heat map.")] = "Middle Corridor",
    scheduler: Scheduler = None,
    workers: Workers = 2,
    serial: Serial = False,
    cache_dir: CacheDir = None,
) -> None:
    """Vary one or two multipliers over ranges for a set of origin-destination pairs."""
    from silkway.analysis import whatif
    from silkway.analysis.batch import write_table

    net = _load(cache_dir)
    pairs: list[tuple[str, str]] = []
    for text in pair or []:
        o, sep, d = text.partition(":")
        if not sep or not o or not d:
            raise _fail(ConstraintError(f"pair {text!r} is not ORIGIN:DESTINATION"))
        pairs.append((o, d))
    if pairs_file is not None:
        pairs += _read_pairs(pairs_file)
    try:
        axes = [whatif.Axis.parse(v, net) for v in vary]
        for o, d in pairs:
            net.find(o), net.find(d)
        with _bar("sweep", "plans") as tick:
            if serial:
                rows = whatif.sweep(net, pairs, axes, progress=tick, **query)
            else:
                _quiet_dask()
                rows = whatif.sweep_dask(
                    pairs, axes, cache_dir=str(cache_dir or default_cache_dir()),
                    scheduler=scheduler, workers=workers, progress=tick, **query)
    except SilkwayError as exc:
        raise _fail(exc) from None
    try:
        write_table(rows, output)
        if chart is not None:
            whatif.chart(rows, axes, str(chart), focus=focus)
    except (OSError, SilkwayError) as exc:
        raise _fail(ConstraintError(f"cannot write the output: {exc}")) from None
    t = Table(title="share of pairs for which each corridor is fastest", title_justify="left")
    for a in axes:
        t.add_column(escape(a.name), justify="right")
    t.add_column("fastest corridor shares")
    for point, shares in whatif.fastest_shares(rows, axes).items():
        t.add_row(*(f"{v:g}" for v in point),
                  ", ".join(f"{k} {100 * v:.0f}%" for k, v in shares.items()) or "no route")
    out.print(t)
    out.print(f"{len(rows)} rows written to {output}" + (f"; chart {chart}" if chart else ""),
              markup=False)


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    import csv

    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or not {"origin", "destination"} <= set(reader.fieldnames):
                raise _fail(ConstraintError(f"{path}: needs origin and destination columns"))
            out = []
            for i, row in enumerate(reader, 1):
                if not row.get("origin") or not row.get("destination"):
                    raise _fail(ConstraintError(f"{path} row {i}: origin or destination is empty"))
                out.append((row["origin"], row["destination"]))
            return out
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(ConstraintError(f"cannot read {path}: {exc}")) from None


@app.command()
def batch(
    shipments: Annotated[Path, typer.Argument(help="CSV of shipments (origin, destination, ...).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Plans: .parquet or .csv.")] = Path(
        "plans.parquet"),
    scheduler: Scheduler = None,
    workers: Workers = 2,
    serial: Serial = False,
    cache_dir: CacheDir = None,
) -> None:
    """Plan a CSV of shipments: one output row per input row, errors named by row."""
    from silkway.analysis import batch as batch_mod

    net = _load(cache_dir)
    try:
        ships, errors = batch_mod.read_shipments(shipments)
        with _bar("batch", "shipments") as tick:
            if serial:
                rows = batch_mod.plan_batch(net, ships, errors=errors, progress=tick)
            else:
                _quiet_dask()
                rows = batch_mod.plan_batch_dask(
                    ships, errors=errors, progress=tick, scheduler=scheduler, workers=workers,
                    cache_dir=cache_dir or default_cache_dir())
        batch_mod.write_results(rows, output)
    except SilkwayError as exc:
        raise _fail(exc) from None
    bad = [r for r in rows if r.get("status") == "error"]
    out.print(f"{len(rows)} rows written to {output}: {len(rows) - len(bad)} planned, "
              f"{len(bad)} errors", highlight=False, markup=False)
    for r in bad[:10]:
        out.print(Text("  " + _sentence(str(r["error"])), style="red"), highlight=False)
    if len(bad) > 10:
        out.print(f"  … and {len(bad) - 10} more error rows in {output}", markup=False)


@app.command()
def hubs(
    country: Annotated[str | None, typer.Option(help="ISO alpha-2 country filter.")] = None,
    kind: Annotated[str | None, typer.Option(help="port, rail, dry_port, border or ferry.")] = None,
    as_json: AsJson = False,
    cache_dir: CacheDir = None,
) -> None:
    """List the hubs the network knows."""
    net = _load(cache_dir)
    if country is not None:
        country = next(iter(silkway.Constraints.make(avoid=[country]).avoid), None)
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    database_url: Annotated[str | None, typer.Option(
        envvar="SILKWAY_DATABASE_URL",
        help="SQLAlchemy URL of saved work [default: SQLite beside the cache].")] = None,
    api_token: Annotated[str | None, typer.Option(
        envvar="SILKWAY_API_TOKEN", help="Token required by write endpoints.")] = None,
    cors: Annotated[str | None, typer.Option(
        envvar="SILKWAY_CORS_ORIGINS", help="Comma list of origins allowed by CORS.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Server processes.")] = 1,
    cache_dir: CacheDir = None,
) -> None:
    """Serve the web page and the HTTP API (OpenAPI docs at /docs)."""
    import uvicorn

    from silkway.api.app import create_app

    net = _load(cache_dir)
    if workers > 1:  # each process builds its app from the environment (the network is cached)
        for name, value in (("SILKWAY_CACHE_DIR", cache_dir), ("SILKWAY_DATABASE_URL", database_url),
                            ("SILKWAY_API_TOKEN", api_token), ("SILKWAY_CORS_ORIGINS", cors)):
            if value is not None:
                os.environ[name] = str(value)
        out.print(f"silkway on http://{host}:{port}/  ({workers} processes; API docs: /docs)")
        uvicorn.run("silkway.api.app:app_from_env", factory=True, host=host, port=port,
                    workers=workers, log_level="warning")
        return
    try:
        application = create_app(network=net, cache_dir=cache_dir, database_url=database_url,
                                 api_token=api_token,
                                 cors_origins=tuple(o.strip() for o in (cors or "").split(",")
                                                    if o.strip()))
    except SilkwayError as exc:
        raise _fail(exc) from None
    out.print(f"silkway on http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@network_app.command("build")
def network_build(
    force: Annotated[bool, typer.Option(help="Rebuild even if a valid cache exists.")] = True,
    cache_dir: CacheDir = None,
) -> None:
    """Compile the network from the shipped tables and base networks, and cache it."""
    net = _load(cache_dir, rebuild=force)
    out.print(f"network {net.key[:16]}: {len(net.hubs)} hubs, {len(net.legs)} legs "
              f"cached in {silkway.cache_path(cache_dir)}", markup=False)


@network_app.command("info")
def network_info(
    as_json: AsJson = False,
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
    cov = silkway.coverage(net)
    info["coverage"] = cov
    if as_json:
        sys.stdout.write(json.dumps(info) + "\n")
        return
    t = Table(title="silkway network", show_header=False)
    for k, v in info.items():
        if k != "coverage":
            t.add_row(k, json.dumps(v) if isinstance(v, dict) else str(v))
    out.print(t)
    c = Table(title="coverage by country (rail and road km, shared among the countries a leg passes)")
    for col in ("country", "hubs", "legs", "km", "estimated km", "estimated %"):
        c.add_column(col, justify="left" if col == "country" else "right")
    for cc, r in cov["countries"].items():
        share = 100 * r["estimated_km"] / r["km"] if r["km"] else 0.0
        c.add_row(cc, str(r["hubs"]), str(r["legs"]), f"{r['km']:,.0f}",
                  f"{r['estimated_km']:,.0f}", f"{share:.0f}")
    out.print(c)
    e = Table(title=f"legs whose distance is an estimate ({len(cov['estimated_legs'])})")
    for col in ("leg", "km", "countries"):
        e.add_column(col)
    for leg in cov["estimated_legs"]:
        e.add_row(leg["leg"], f"{leg['km']:,.1f}", ",".join(leg["countries"]))
    out.print(e)



@app.command()
def calibrate(
    refit: Annotated[bool, typer.Option(
        "--fit", help="Refit the time model from the sourced priors (else score the shipped "
                      "calibrated values).")] = False,
    write: Annotated[bool, typer.Option(
        help="With --fit: write calibrated.csv and calibration.json into the package data.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    chart: Annotated[Path | None, typer.Option(help="PNG: predicted against published.")] = None,
    cases: Annotated[bool, typer.Option(help="List every observation's P50 too.")] = False,
    cache_dir: CacheDir = None,
) -> None:
    """Transit days against published observations: held-out share within range and median
    absolute % error, by corridor and mode, with the sourced priors and the calibrated values."""
    from importlib import resources

    from silkway.analysis import calibrate as cal
    from silkway.data.tables import load_observations

    net = _load(cache_dir)
    if write and not refit:
        raise _fail(ConstraintError("--write needs --fit (it writes the values a fit found)"))
    try:
        with _bar("calibrate", "steps") as tick:
            tick(0, 1)
            res = cal.run(net, load_observations(), refit=refit)
            tick(1, 1)
    except SilkwayError as exc:
        raise _fail(exc) from None
    rep = res.report
    if write:
        folder = Path(str(resources.files("silkway.data")))
        (folder / "calibrated.csv").write_text(cal.calibrated_csv(res.rows), encoding="utf-8")
        (folder / "calibration.json").write_text(json.dumps(rep, indent=1) + "\n",
                                                 encoding="utf-8")
    if chart is not None:
        cal.chart(rep, str(chart))
    if as_json:
        sys.stdout.write(json.dumps(rep) + "\n")
        return
    t = Table(title="Transit days vs published observations (P50 within range, MdAPE)",
              title_justify="left")
    for col in ("split", "group", "n", "within % prior", "within % calibrated",
                "MdAPE % prior", "MdAPE % calibrated"):
        t.add_column(col, justify="left" if col in ("split", "group") else "right")
    b, a = rep["before"], rep["after"]

    def row(split: str, group: str, x: dict[str, Any], y: dict[str, Any]) -> None:
        t.add_row(split, group, str(y["n"]), str(x["within_pct"]), str(y["within_pct"]),
                  str(x["mdape_pct"]), str(y["mdape_pct"]))

    for split in ("test", "train", "all", "planned"):
        row(split, "all", b[split], a[split])
    for kind in ("corridor", "mode"):
        for k, y in a[f"test_by_{kind}"].items():
            row("test", f"{kind}: {k}", b[f"test_by_{kind}"][k], y)
    out.print(t)
    if cases:
        c = Table(title="Observations", title_justify="left")
        for col in ("id", "split", "published", "P50 prior", "P50 calibrated", "route"):
            c.add_column(col)
        for x in rep["cases"]:
            pub = f"{x['low']:g}" + (f"-{x['high']:g}" if x["high"] != x["low"] else "")
            c.add_row(x["id"], x["split"], pub, str(x["p50_before"]),
                      f"{x['p50']}{'' if x['within'] else ' *'}", str(x["route"]))
        out.print(c)
    out.print(f"[dim]Within range: P50 inside the published range widened by "
              f"{100 * cal.TOLERANCE:g} % each side; held out: {100 * cal.TEST_SHARE:g} % of "
              f"observations by hash of their id; planned figures are not fitted. "
              f"{len(res.skipped)} observations name places that are not hubs. "
              f"Calibrated values: {len(res.rows)} rows, fitted {rep['fitted_on']}.[/]")


from silkway import cli_assign as _cli_assign  # noqa: E402 - registers `silkway assign` on app

del _cli_assign


def main() -> None:
    """Entry point: run the CLI (its command group turns any failure into a one-line message)."""
    level = os.environ.get("SILKWAY_LOG", "WARNING").upper()
    logging.basicConfig(level=level if level in logging.getLevelNamesMapping() else "WARNING",
                        format="%(levelname)s %(name)s: %(message)s")
    app()


if __name__ == "__main__":
    main()
