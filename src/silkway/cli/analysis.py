"""Analysis commands: ``silkway scenarios``, ``compare``, ``sweep`` and ``batch``."""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

import silkway
from silkway.cli._app import (
    AsJson,
    CacheDir,
    Scheduler,
    Serial,
    Workers,
    _bar,
    _fail,
    _load,
    _quiet_dask,
    _sentence,
    out,
)
from silkway.cli._query import query_options
from silkway.errors import ConstraintError, SilkwayError
from silkway.network.model import default_cache_dir
from silkway.query import PlanQuery

WIDE_CONSOLE = 120
"""Console width from which ``compare`` prints route labels inside its table and ``scenarios``
prints a table (narrower: the labels under the table, one block per scenario)."""


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
    facts = []
    for r in rows:
        closes = ", ".join(r["close"]["countries"] + r["close"]["passages"] + r["close"]["hubs"])
        facts.append((r["name"], r["title"], str(r["month"] or "-"), closes or "-",
                      "; ".join(r["add_legs"]) or "-", str(r["changes"])))
    if out.width < WIDE_CONSOLE:  # a terminal's width: one block per scenario, nothing cut
        out.print(f"[bold]{len(rows)} scenarios[/] (--scenario NAME)")
        for name, title, month, closes, adds, changes in facts:
            out.print(f"[bold]{escape(name)}[/]: {escape(title)}", highlight=False)
            out.print(f"  month {month}; closes {escape(closes)}; adds {escape(adds)}; "
                      f"{changes} change{'' if changes == '1' else 's'}", highlight=False)
        return
    t = Table(title=f"{len(rows)} scenarios (--scenario NAME)", title_justify="left")
    for col in ("name", "title", "month", "closes", "adds", "changes"):
        t.add_column(col, no_wrap=col == "name")
    for row in facts:
        t.add_row(*(escape(x) for x in row))
    out.print(t)


@query_options(unused="compare")
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
    # On a narrow console the route labels go under the table, by number, so that the figures'
    # columns keep their width and no label is cut.
    below = out.width < WIDE_CONSOLE
    for col in ("#", *(() if below else ("route",)), "P50 d", "Δ", "P90 d", "Δ", "USD", "Δ",
                "t CO2e", "Δ"):
        t.add_column(col, justify="left" if col == "route" else "right",
                     no_wrap=col != "route")
    labels: list[str] = []

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
        labels.append(escape(row["label"] + mark))
        t.add_row(str(len(labels)), *(() if below else (labels[-1],)), fmt(cur["p50"], ".1f"),
                  fmt(dl["p50"] if dl else None, ".1f", True), fmt(cur["p90"], ".1f"),
                  fmt(dl["p90"] if dl else None, ".1f", True), fmt(cur["cost_usd"], ",.0f"),
                  fmt(dl["cost_usd"] if dl else None, ",.0f", True),
                  fmt(cur["co2e_kg"] / 1000, ".2f"),
                  fmt(dl["co2e_kg"] / 1000 if dl else None, ".2f", True))
    out.print(t)
    if below:
        for i, label in enumerate(labels, 1):
            out.print(f"{i}. {label}", highlight=False)
    c = Table(title="corridors: best route before and after", title_justify="left")
    for col in ("corridor", "P50 d", "Δ", "USD", "Δ", "note"):  # a long name folds, never "…"
        c.add_column(col, justify="left" if col in ("corridor", "note") else "right",
                     overflow="fold")
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
    compared = d["scenario"]["name"] if d["scenario"] else None
    for n in d["notices"]:
        which = [f"{_rows(n[f'{k}_rows'])} {side}" for k, side in
                 (("baseline", "on the baseline"), ("scenario", f"under {name}")) if n[f"{k}_rows"]]
        how = ("The scenario compared here plans" if n["scenario"] == compared
               else f"--scenario {n['scenario']} plans")
        out.print(f"[yellow]Note:[/] {escape(n['name'])} is used by {escape(' and '.join(which))}:"
                  f" in {escape(n['as_of'])} {escape(n['notice'])}. {escape(how)} the way boxes "
                  "went.", highlight=False)


def _rows(numbers: list[int]) -> str:
    return f"row{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


@query_options(places=False, skip=("scenario",), unused="sweep")
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
    from silkway.analysis.writers import check_output, write_table

    try:  # before any plan: a bad output name is not found out after the whole sweep
        check_output(output, inputs=[pairs_file] if pairs_file else [])
        if chart is not None:  # (a flows or pairs file named x.png was overwritten by it)
            check_output(chart, suffixes=(".png",), what="chart",
                         inputs=[pairs_file] if pairs_file else [])
    except SilkwayError as exc:
        raise _fail(exc) from None
    focus = _corridor_name(focus)
    net = _load(cache_dir)
    pairs: list[tuple[str, str]] = []
    for text in pair or []:
        o, sep, d = text.partition(":")
        if not sep or not o or not d or ":" in d:  # (Toyama:Aktau:Baku said "unknown place")
            raise _fail(ConstraintError(f"--pair {text!r} is not ORIGIN:DESTINATION; a pair "
                                        "takes one colon, e.g. --pair Toyama:Aktau, and "
                                        "--pair is repeatable for more"))
        pairs.append((o, d))
    if pairs_file is not None:
        pairs += _read_pairs(pairs_file)
    try:
        axes = [whatif.Axis.parse(v, net) for v in vary]
        pairs, left_out = whatif.distinct_pairs(net, pairs)
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
    except SilkwayError as exc:
        raise _fail(exc) from None
    t = Table(title="share of pairs for which each corridor is fastest", title_justify="left")
    for a in axes:
        t.add_column(escape(a.name), justify="right")
    t.add_column("fastest corridor shares")
    failed: dict[tuple, int] = {}  # point -> pairs without a route there
    no_route: dict[str, str] = {}  # pair -> its first error
    for row in rows:
        if row.get("error"):
            point = tuple(row[a.name] for a in axes)
            failed[point] = failed.get(point, 0) + 1
            no_route.setdefault(f"{row['origin']}:{row['destination']}", str(row["error"]))
    for point, shares in whatif.fastest_shares(rows, axes).items():
        cells = [f"{k} {100 * v:.0f}%" for k, v in shares.items()]
        if failed.get(point) and cells:  # the rest of the shares, said rather than left out
            cells.append(f"no route {100 * failed[point] / len(pairs):.0f}%")
        t.add_row(*(f"{v:g}" for v in point), ", ".join(cells) or "no route")
    out.print(t)
    out.print(f"{len(rows)} rows written to {output} for {len(pairs)} "
              f"pair{'' if len(pairs) == 1 else 's'}" + (f"; chart {chart}" if chart else ""),
              markup=False)
    if no_route:  # a pair without a route was said only in the table's error column
        named = [f"{p!r}: {e}" for p, e in list(no_route.items())[:3]]
        out.print(f"{len(no_route)} pair{' has' if len(no_route) == 1 else 's have'} no route: "
                  + "; ".join(named) + (f"; and {len(no_route) - 3} more" if len(no_route) > 3
                                        else "") + f" (the error column of {output})",
                  markup=False, highlight=False)
    if left_out:  # said, never silent: shares are shares of the distinct pairs
        out.print(f"{len(left_out)} pair{' was' if len(left_out) == 1 else 's were'} left out: "
                  + "; ".join(left_out[:5])
                  + (f"; and {len(left_out) - 5} more" if len(left_out) > 5 else ""),
                  markup=False, highlight=False)


def _corridor_name(text: str) -> str:
    """The corridor name for ``--focus``: a corridor's id or name (any case)."""
    key = " ".join(text.split()).casefold()
    for c in silkway.corridors():
        if key in (c.id.casefold(), c.name.casefold()):
            return c.name
    raise _fail(ConstraintError(f"unknown corridor {_sentence(text)[:60]!r} for --focus; use "
                                "an id or name from `silkway corridors`"))


PAIR_COLUMNS = ("id", "origin", "destination")
"""Columns a ``--pairs-file`` may have: any other (a shipments file's ``avoid``) was dropped
unseen, and its pairs swept without it."""
_PAIRS_HINT = "; the sweep's options (--avoid, --modes …) apply to every pair"


def _read_pairs(path: Path) -> list[tuple[str, str]]:
    """The pairs of a ``--pairs-file``: read by the same rules as a shipments file (UTF-8, a
    byte-order mark dropped, a regular file only, a header naming origin and destination); a
    row without both places stops the sweep with one sentence naming the row."""
    from silkway.analysis.csvrows import (
        RawRow,
        RowError,
        read_csv_file,
        read_rows,
        refuse_unknown_columns,
    )

    def pair(raw: RawRow) -> tuple[str, str] | RowError:
        problems = raw.place_problems()
        return raw.error("; ".join(problems)) if problems else (raw.origin, raw.destination)

    try:
        pairs, errors = read_rows(read_csv_file(path, "pairs"), kind="pairs", name=str(path),
                                  required=("origin", "destination"), parse=pair,
                                  check_columns=partial(
                                      refuse_unknown_columns, known=PAIR_COLUMNS, kind="pairs",
                                      name=str(path), hint=_PAIRS_HINT))
    except SilkwayError as exc:
        raise _fail(exc) from None
    if errors:
        raise _fail(ConstraintError(f"pairs file {path} {errors[0].message}"))
    return pairs


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
    from silkway.analysis.writers import check_output

    try:  # before any plan: a bad output name is not found out after the whole batch
        check_output(output, inputs=[shipments])
    except SilkwayError as exc:
        raise _fail(exc) from None
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
    if len(bad) == len(rows):  # nothing planned: a script must not read it as success
        first = "; ".join(str(r["error"]) for r in bad[:3])
        more = f"; and {len(bad) - 3} more" if len(bad) > 3 else ""
        raise _fail(ConstraintError(
            f"no row could be planned ({len(bad)} error row{'' if len(bad) == 1 else 's'} "
            f"written to {output}): {first}{more}" if bad else
            f"no row could be planned: {shipments} has no rows (an empty {output} was written)"))
    out.print(f"{len(rows)} rows written to {output}: {len(rows) - len(bad)} planned, "
              f"{len(bad)} error{'' if len(bad) == 1 else 's'}", highlight=False, markup=False)
    for r in bad[:10]:
        out.print(Text("  " + _sentence(str(r["error"])), style="red"), highlight=False)
    if len(bad) > 10:
        out.print(f"  … and {len(bad) - 10} more error rows in {output}", markup=False)
