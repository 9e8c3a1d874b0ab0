"""``silkway assign``: corridor assignment of a flows CSV under capacity (see
:mod:`silkway.analysis.assign`). Registered on the main app by :mod:`silkway.cli`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from silkway.cli._app import AsJson, CacheDir, ScenarioOpt, _bar, _fail, _load, out
from silkway.errors import ConstraintError, DataError, SilkwayError

if TYPE_CHECKING:
    from silkway.analysis.assign import Assignment

DEFAULT_GAP = 1e-4
"""The default of ``--gap``: :data:`silkway.analysis.assign.DEFAULT_GAP` (a test keeps them
equal), written out so that registering the command does not import the assignment (SciPy's
optimiser and the what-if layer) for every other command."""


def _elements_table(a: Assignment) -> Table:
    t = Table(title=f"capacity elements ({a.period})", title_justify="left")
    # the element's id is what a scenario names: it is never cut; the figures' headers wrap
    for col in ("element", "capacity\nTEU", "assigned\nTEU", "util.", "queue\nd",
                "shadow\nUSD/TEU"):
        t.add_column(col, justify="left" if col == "element" else "right", no_wrap=True)
    for e in sorted(a.elements, key=lambda e: -e.utilisation):
        if e.assigned_teu <= 0:
            continue
        price = e.shadow_price_usd_per_teu
        t.add_row(escape(e.element.id), f"{e.capacity_teu:,.0f}", f"{e.assigned_teu:,.0f}",
                  f"{100 * e.utilisation:.0f}%",
                  "-" if e.queue_days is None else f"{e.queue_days:.2f}",
                  "-" if price is None else f"{price:,.0f}")
    return t


def _pairs_table(a: Assignment) -> Table:
    t = Table(title="flows by corridor", title_justify="left")
    for col in ("origin → destination", "TEU", "corridor shares", "unserved"):
        t.add_column(col, justify="right" if col in ("TEU", "unserved") else "left")
    for f in a.to_dict()["flows"]:
        shares = ", ".join(f"{k} {100 * v:.0f}%" for k, v in
                           sorted(f["corridor_share"].items(), key=lambda kv: -kv[1]))
        avoid = f" (avoid {','.join(f['avoid'])})" if f["avoid"] else ""
        t.add_row(f"{f['origin']} → {f['destination']}{avoid}", f"{f['teu']:,.0f}",
                  shares or "-", f"{f['unserved_teu']:,.0f}" if f["unserved_teu"] else "")
    return t


def _system_line(a: Assignment) -> str:
    s = a.system()
    return (f"{s.get('served_teu', 0):,.0f} TEU served, {a.unserved_teu:,.0f} unserved; "
            f"mean {s.get('days_mean', 0):.2f} d on the route + {s.get('queue_days_mean', 0):.2f} "
            f"d queue; {s.get('cost_usd_per_teu', 0):,.0f} USD/TEU; objective "
            f"{a.objective_value:,.0f}")


def _compare_tables(d: dict[str, Any], name: str) -> list[Table]:
    t = Table(title=f"system: baseline vs {name}", title_justify="left")
    for col in ("figure", "baseline", name, "Δ"):
        t.add_column(col, justify="left" if col == "figure" else "right")
    sys_ = d["system"]
    for key, label in (("days_mean", "route days (TEU-weighted)"),
                       ("queue_days_mean", "queue days"),
                       ("days_with_queue_mean", "days incl. queue"),
                       ("cost_usd_per_teu", "USD per TEU"), ("co2e_kg_per_teu", "kg CO2e per TEU"),
                       ("served_teu", "served TEU"), ("unserved_teu", "unserved TEU")):
        b, s, dl = sys_["baseline"].get(key), sys_["scenario"].get(key), sys_["delta"].get(key)
        t.add_row(label, f"{b:,.2f}" if b is not None else "-", f"{s:,.2f}" if s is not None
                  else "-", f"{dl:+,.2f}" if dl is not None else "-")
    o = d["objective"]
    t.add_row("objective", f"{o['baseline']:,.0f}", f"{o['scenario']:,.0f}", f"{o['delta']:+,.0f}")
    c = Table(title="corridor shares of served TEU", title_justify="left")
    for col in ("corridor", "baseline", name):
        c.add_column(col, justify="left" if col == "corridor" else "right")
    for fam, sh in d["corridor_share"].items():
        c.add_row(fam, f"{100 * sh['baseline']:.1f}%", f"{100 * sh['scenario']:.1f}%")
    return [t, c]


def assign_cmd(
    flows: Annotated[Path, typer.Argument(help="CSV of flows: origin, destination, teu, ...")],
    scenario: ScenarioOpt = None,
    compare: Annotated[bool, typer.Option(
        "--compare", help="Also assign without the scenario and show what it changes.")] = False,
    equilibrium: Annotated[bool, typer.Option(
        "--equilibrium", help="User equilibrium with queues instead of the system optimum.")] = False,
    gap: Annotated[float, typer.Option(help="Relative gap at which the equilibrium stops.")] = DEFAULT_GAP,
    objective: Annotated[str, typer.Option(help="cost (days x value of time + USD) or co2e.")] = "cost",
    period: Annotated[str, typer.Option(help="What a flow's teu counts: day, week, month or year.")] = "year",
    max_routes: Annotated[int, typer.Option(min=1, max=100, help="Candidate routes per pair.")] = 20,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Route table .parquet or .csv (elements beside it).")] = None,
    chart: Annotated[Path | None, typer.Option(help="PNG: utilisation and corridor shares.")] = None,
    as_json: AsJson = False,
    cache_dir: CacheDir = None,
) -> None:
    """Assign flows to corridors under capacity: TEU per route, element loads and prices."""
    if compare and scenario is None:
        raise _fail(ConstraintError("--compare needs a --scenario to compare with"))
    from silkway.analysis import assign_output
    from silkway.analysis.assign import assign
    from silkway.analysis.flows import read_flows
    from silkway.analysis.writers import check_output

    try:  # before the assignment: a bad output name is not found out after the work
        if output is not None:
            check_output(output, inputs=[flows])
            check_output(assign_output.elements_path(output), inputs=[flows])
        if chart is not None:
            check_output(chart, suffixes=(".png",), what="chart", inputs=[flows])
    except SilkwayError as exc:
        raise _fail(exc) from None
    net = _load(cache_dir)
    try:
        rows, errors = read_flows(flows)
        kwargs: dict[str, Any] = {"errors": errors, "objective": objective, "period": period,
                                  "equilibrium": equilibrium, "gap": gap, "max_routes": max_routes}
        with _bar("assign", "pairs") as tick:
            result = assign(net, rows, scenario=scenario, progress=tick, **kwargs)
            base = assign(net, rows, progress=tick, **kwargs) if compare else None
        elements_path = assign_output.write(result, output) if output else None
        if chart:
            assign_output.chart(result, chart, baseline=base)
    except DataError as exc:  # the user's file or scenario is malformed: bad input
        raise _fail(ConstraintError(str(exc))) from None
    except SilkwayError as exc:
        raise _fail(exc) from None
    if as_json:
        doc = assign_output.comparison(base, result) if base is not None else result.to_dict()
        if base is not None:
            doc["baseline"], doc["result"] = base.to_dict(), result.to_dict()
        sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return
    out.print(Text(result.method, style="bold"), highlight=False)
    if base is not None:
        for t in _compare_tables(assign_output.comparison(base, result), result.scenario or "scenario"):
            out.print(t)
    out.print(_elements_table(result))
    out.print(_pairs_table(result))
    out.print(_system_line(result), highlight=False, markup=False)
    for e in result.errors[:10]:
        out.print(Text("  " + e.message, style="red"), highlight=False)
    if len(result.errors) > 10:
        out.print(f"  … and {len(result.errors) - 10} more error rows")
    if output:
        out.print(f"routes written to {output}, elements to {elements_path}", highlight=False,
                  markup=False)
    if chart:
        out.print(f"chart written to {chart}", highlight=False, markup=False)
