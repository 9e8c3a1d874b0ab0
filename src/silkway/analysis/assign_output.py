"""What :func:`silkway.analysis.assign.assign` gives back, as tables, a comparison and a chart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from silkway.analysis.assign import Assignment
from silkway.analysis.writers import save_figure, write_table

ROUTE_COLUMNS: dict[str, str] = {
    "record": "string", "row": "string", "id": "string", "origin": "string",
    "destination": "string", "pair_teu": "float64", "label": "string", "corridor": "string",
    "teu": "float64", "share": "float64", "days_p50": "float64", "days_mean": "float64",
    "queue_days": "float64", "cost_usd": "float64", "cost_usd_per_teu": "float64",
    "co2e_kg_per_teu": "float64", "elements": "string", "error": "string",
}
"""Columns of the route table: one ``route`` record per pair and route that carries TEU, one
``unserved`` record per pair with TEU that no route can take, one ``error`` record per bad input
row (``row`` lists the input rows a pair sums)."""

ELEMENT_COLUMNS: dict[str, str] = {
    "id": "string", "name": "string", "kind": "string", "as_of": "string",
    "capacity_teu": "float64", "assigned_teu": "float64", "utilisation": "float64",
    "queue_days": "float64", "shadow_price_usd_per_teu": "float64",
}


def route_rows(a: Assignment) -> list[dict[str, Any]]:
    """The route table (see :data:`ROUTE_COLUMNS`)."""
    out: list[dict[str, Any]] = []
    for f in a.to_dict()["flows"]:
        base = {"row": ",".join(str(r) for r in f["rows"]), "id": ",".join(f["ids"]) or None,
                "origin": f["origin"], "destination": f["destination"], "pair_teu": f["teu"]}
        for r in f["routes"]:
            if r["share"] > 0:  # (the shares of the TEU as assigned; they were of rounded TEU)
                out.append({**base, "record": "route", "label": r["label"],
                            "corridor": r["corridor"], "teu": r["teu"],
                            "share": r["share"], "days_p50": r["days_p50"],
                            "days_mean": r["days_mean"], "queue_days": r["queue_days"],
                            "cost_usd": r["cost_usd"], "cost_usd_per_teu": r["cost_usd_per_teu"],
                            "co2e_kg_per_teu": r["co2e_kg_per_teu"],
                            "elements": ",".join(r["elements"])})
        if f["unserved_share"] > 0:
            out.append({**base, "record": "unserved", "teu": f["unserved_teu"],
                        "share": f["unserved_share"], "error": f["problem"]})
    for e in a.errors:
        out.append({"record": "error", "row": str(e.row), "id": e.id, "origin": e.origin,
                    "destination": e.destination, "error": e.message})
    return out


def elements_path(path: str | Path) -> Path:
    """Where :func:`write` puts the element table for the route table ``path``."""
    p = Path(path)
    return p.with_name(f"{p.stem}.elements{p.suffix}")


def write(a: Assignment, path: str | Path) -> Path:
    """Write the route table to ``path`` and the element table beside it as
    ``STEM.elements.SUFFIX`` (Parquet or CSV by the suffix); returns the element table's path."""
    p = Path(path)
    write_table(route_rows(a), p, ROUTE_COLUMNS)
    ep = elements_path(p)
    write_table([e.to_dict() for e in a.elements], ep, ELEMENT_COLUMNS)
    return ep


def comparison(base: Assignment, scen: Assignment) -> dict[str, Any]:
    """What a scenario does to the system: days, cost, corridor shares and element loads."""
    sb, ss = base.system(), scen.system()
    delta = {k: round(ss[k] - sb[k], 3) for k in sb if k in ss}
    shares_b, shares_s = base.corridor_shares(), scen.corridor_shares()
    corridors = sorted(set(shares_b) | set(shares_s), key=lambda k: -shares_s.get(k, 0.0))
    by_b = {e.element.id: e for e in base.elements}
    elements = []
    for e in scen.elements:
        b = by_b.get(e.element.id)
        elements.append({"id": e.element.id, "name": e.element.name,
                         "baseline": b.to_dict() if b else None, "scenario": e.to_dict()})
    return {"scenario": scen.scenario, "method": scen.method,
            "objective": {"baseline": round(base.objective_value, 2),
                          "scenario": round(scen.objective_value, 2),
                          "delta": round(scen.objective_value - base.objective_value, 2)},
            "system": {"baseline": sb, "scenario": ss, "delta": delta},
            "corridor_share": {c: {"baseline": shares_b.get(c, 0.0),
                                   "scenario": shares_s.get(c, 0.0)} for c in corridors},
            "elements": elements}


def chart(a: Assignment, path: str | Path, *, baseline: Assignment | None = None) -> None:
    """PNG: utilisation of each loaded element (binding ones marked) and the corridor shares
    of the served TEU (beside the baseline's, when given)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    loaded = [e for e in a.elements if e.assigned_teu > 0]
    loaded.sort(key=lambda e: -e.utilisation)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, max(4.0, 0.35 * len(loaded) + 1.5)),
                                   dpi=110, gridspec_kw={"width_ratios": [3, 2]})
    names = [e.element.id for e in loaded]
    util = [100 * e.utilisation for e in loaded]
    colours = ["#c0392b" if (e.shadow_price_usd_per_teu or 0) > 0 or e.utilisation >= 0.999
               else "#2e86c1" for e in loaded]
    ax1.barh(names, util, color=colours)
    ax1.axvline(100, color="black", linewidth=0.8)
    ax1.invert_yaxis()
    ax1.set_xlabel("utilisation (% of capacity per period)")
    for y, e in enumerate(loaded):
        if e.shadow_price_usd_per_teu:
            ax1.text(min(util[y], 100) + 1, y, f"{e.shadow_price_usd_per_teu:,.0f} USD/TEU",
                     va="center", fontsize=7)
    ax1.set_title("capacity elements (red: binding, with shadow price)", fontsize=9)
    shares = a.corridor_shares()
    fams = list(shares)
    if baseline is not None:
        base = baseline.corridor_shares()
        fams = sorted(set(fams) | set(base), key=lambda k: -shares.get(k, 0.0))
        ys = range(len(fams))
        ax2.barh([y - 0.2 for y in ys], [100 * base.get(f, 0.0) for f in fams], height=0.4,
                 label="baseline", color="#aab7b8")
        ax2.barh([y + 0.2 for y in ys], [100 * shares.get(f, 0.0) for f in fams], height=0.4,
                 label=a.scenario or "scenario", color="#1e8449")
        ax2.set_yticks(list(ys), fams)
        ax2.legend(fontsize=8)
    else:
        ax2.barh(fams, [100 * shares[f] for f in fams], color="#1e8449")
    ax2.invert_yaxis()
    ax2.set_xlabel("share of served TEU (%)")
    ax2.set_title("corridor shares", fontsize=9)
    fig.suptitle(f"{a.method.split(' (')[0]}: {a.system().get('served_teu', 0):,.0f} TEU per "
                 f"{a.period}" + (f", scenario {a.scenario}" if a.scenario else ""), fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)


__all__ = ["ELEMENT_COLUMNS", "ROUTE_COLUMNS", "chart", "comparison", "elements_path", "route_rows",
           "write"]
