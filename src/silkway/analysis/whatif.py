"""What-if analysis: compare a scenario with the baseline, and sweep parameters.

``compare`` plans the same shipment on the baseline and on a scenario and reports, per route
label, the change in days, cost and CO2e, and each corridor's share of the Pareto set.
``sweep`` varies one or two multipliers (a tariff's waiting time, a border's dwell, a hub
profile's handling, a tariff's speed or cost) over ranges, plans a set of origin-destination
pairs at every point, and returns a tidy table: one row per pair, point and route.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from silkway._text import UnreadableNumberError, comma_items, plain_float
from silkway.analysis import scenarios
from silkway.analysis.plan import PlanResult, Route, plan
from silkway.analysis.route import notice_fields, passes
from silkway.analysis.writers import save_figure
from silkway.data.tables import Provenance
from silkway.errors import ConstraintError, SilkwayError
from silkway.network.model import Network
from silkway.query import PlanQuery, make_query

FACTOR_NAMES = ("wait_factor", "dwell_factor", "handling_factor", "speed_factor", "cost_factor")
TARGET_TYPES = ("tariff", "border", "hub_profile", "hub")


def corridor(route: Route) -> str:
    """The corridor a route belongs to, by name (e.g. 'Middle Corridor'), or its modes."""
    return route.corridor.name if route.corridor else route.label.split(" via ")[0]


def _family(route: Route) -> str:
    """Corridors of one family (sea via Suez and via the Cape) are matched when labels change."""
    return route.corridor.id.split("-")[0] if route.corridor else corridor(route)


@dataclass(frozen=True)
class Comparison:
    """A shipment planned on the baseline and on a scenario."""

    baseline: PlanResult
    scenario: PlanResult

    def pairs(self) -> list[tuple[Route | None, Route | None]]:
        """Baseline and scenario routes matched by their legs, then by label (two routes can
        share a label), then leftovers by corridor family (so "All sea via Suez" meets "All sea
        via the Cape"); scenario order first."""
        base = list(self.baseline.routes)
        kept = {r.refs for r in self.scenario.routes}  # routes both plans list, leg for leg
        out: list[tuple[Route | None, Route | None]] = []
        for sr in self.scenario.routes:
            same = next((x for x in base if x.refs == sr.refs), None) or next(
                (x for x in base if x.label == sr.label and x.refs not in kept), None)
            if same is not None:
                base.remove(same)
            out.append((same, sr))
        for i, (prev, new) in enumerate(out):
            if prev is None and new is not None:
                kin = next((x for x in base if _family(x) == _family(new)), None)
                if kin is not None:
                    base.remove(kin)
                    out[i] = (kin, new)
        out.extend((b, None) for b in base)
        return out

    def rows(self) -> list[dict[str, Any]]:
        """One row per matched pair of routes: figures before and after, and the change."""
        out = []
        for b, s in self.pairs():
            shown = s if s is not None else b
            row: dict[str, Any] = {"label": shown.label if shown is not None else "",
                                   "baseline_label": b.label if b else None}
            for name, r in (("baseline", b), ("scenario", s)):
                row[name] = None if r is None else {
                    "p50": round(r.transit_days.p50, 2), "p90": round(r.transit_days.p90, 2),
                    "cost_usd": round(r.cost_usd, 2), "co2e_kg": round(r.co2e_wtw_kg, 2),
                    "distance_km": round(r.distance_km, 1)}
            if b is not None and s is not None:
                row["delta"] = {"p50": round(s.transit_days.p50 - b.transit_days.p50, 2),
                                "p90": round(s.transit_days.p90 - b.transit_days.p90, 2),
                                "cost_usd": round(s.cost_usd - b.cost_usd, 2),
                                "co2e_kg": round(s.co2e_wtw_kg - b.co2e_wtw_kg, 2),
                                "distance_km": round(s.distance_km - b.distance_km, 1)}
            out.append(row)
        return out

    def shares(self) -> dict[str, dict[str, float]]:
        """Each corridor's share of the Pareto set, baseline and scenario."""
        out: dict[str, dict[str, float]] = {}
        for name, res in (("baseline", self.baseline), ("scenario", self.scenario)):
            fams = [corridor(r) for r in res.routes]
            for fam in set(fams):
                out.setdefault(fam, {"baseline": 0.0, "scenario": 0.0})[name] = round(
                    fams.count(fam) / len(fams), 4)
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        sc = self.scenario.scenario
        return {"origin": self.baseline.origin.to_dict(),
                "destination": self.baseline.destination.to_dict(),
                "scenario": sc.to_dict() if sc else None, "month": self.scenario.month,
                "routes": self.rows(), "pareto_share": self.shares(),
                "corridors": self.corridor_rows(), "best": self.best_row(),
                "notices": self.notices()}

    def notices(self) -> list[dict[str, Any]]:
        """The passage notices of either plan (see :attr:`PlanResult.notices`) that a row of
        :meth:`rows` uses: the numbers of the rows whose baseline route (``baseline_rows``)
        or scenario route (``scenario_rows``) goes through the passage, and their union."""
        pairs = self.pairs()
        out = []
        for n in dict.fromkeys((*self.baseline.notices, *self.scenario.notices)):
            name = n.passage.searoute_name
            base = [i for i, (b, _) in enumerate(pairs, 1) if b is not None and passes(b, name)]
            scen = [i for i, (_, s) in enumerate(pairs, 1) if s is not None and passes(s, name)]
            if not base and not scen:
                continue
            out.append({**notice_fields(n), "baseline_rows": base, "scenario_rows": scen,
                        "rows": sorted({*base, *scen})})
        return out

    def corridor_rows(self) -> list[dict[str, Any]]:
        """Each named corridor before and after: its best route's figures (or why it cannot
        serve the trip) and the change, so that a closed corridor shows what replaces it."""
        before = {a.corridor.id: a for a in self.baseline.corridors}
        out = []
        for a in self.scenario.corridors:
            b = before.get(a.corridor.id)
            row: dict[str, Any] = {"id": a.corridor.id, "name": a.corridor.name}
            for name, ans in (("baseline", b), ("scenario", a)):
                row[name] = None if ans is None or ans.route is None else _figures(ans.route)
                row[f"{name}_reason"] = None if ans is None else ans.reason
            row["delta"] = _delta(b.route if b else None, a.route)
            out.append(row)
        return out

    def best_row(self) -> dict[str, Any]:
        """The best route before and after (by the plan's objective), and the change."""
        b, s = self.baseline.routes[0], self.scenario.routes[0]
        return {"baseline_label": b.label, "label": s.label,
                "baseline_corridor": b.corridor.id if b.corridor else None,
                "corridor": s.corridor.id if s.corridor else None,
                "baseline": _figures(b), "scenario": _figures(s), "delta": _delta(b, s)}


def _figures(r: Route) -> dict[str, float]:
    return {"p50": round(r.transit_days.p50, 2), "p90": round(r.transit_days.p90, 2),
            "cost_usd": round(r.cost_usd, 2), "co2e_kg": round(r.co2e_wtw_kg, 2),
            "distance_km": round(r.distance_km, 1)}


def _delta(b: Route | None, s: Route | None) -> dict[str, float] | None:
    if b is None or s is None:
        return None
    return {"p50": round(s.transit_days.p50 - b.transit_days.p50, 2),
            "p90": round(s.transit_days.p90 - b.transit_days.p90, 2),
            "cost_usd": round(s.cost_usd - b.cost_usd, 2),
            "co2e_kg": round(s.co2e_wtw_kg - b.co2e_wtw_kg, 2),
            "distance_km": round(s.distance_km - b.distance_km, 1)}


def compare(network: Network, origin: str | PlanQuery, destination: str | None = None,
            **options: Any) -> Comparison:
    """Plan on the baseline (no scenario, no month) and on the scenario and/or month.

    ``origin`` may be a whole :class:`~silkway.query.PlanQuery` (then no ``destination`` or
    options); ``options`` are its fields, ``scenario`` may also be a parsed scenario.
    """
    scen = options.pop("scenario", None)
    if isinstance(origin, PlanQuery):
        if destination is not None or options:
            raise ConstraintError("pass either a PlanQuery or places and options, not both")
        q = origin
    else:
        if destination is None:
            raise ConstraintError("compare needs an origin and a destination")
        q = make_query(origin=origin, destination=destination, **options)
    if isinstance(scen, str):
        q, scen = q.replace(scenario=scen), None
    if scen is None and q.scenario is None and q.month is None:
        raise ConstraintError("compare needs a scenario or a month to compare with")
    wide = {"max_routes": max(q.max_routes, 50), "thin": 0.0}
    base = q.replace(scenario=None, month=None, **wide)
    after = q.replace(**wide)
    if scen is not None:
        return Comparison(plan(network, base), plan(network, after.origin, after.destination,
                                                    scenario=scen, **after.model_dump(
                                                        exclude={"origin", "destination",
                                                                 "scenario"})))
    return Comparison(plan(network, base), plan(network, after))


@dataclass(frozen=True)
class Axis:
    """One swept multiplier: ``target_type:key:factor=v1,v2,...``."""

    target_type: str
    key: str
    factor: str
    values: tuple[float, ...]

    @property
    def name(self) -> str:
        return f"{self.target_type}:{self.key}:{self.factor}"

    @classmethod
    def parse(cls, text: str, network: Network) -> Axis:
        """Read ``tariff:ferry_caspian:wait_factor=0.5,1,2,4`` (or ``=0.5:8:6`` for a range)."""
        try:
            spec, values_text = text.split("=", 1)
            target_type, key, factor = spec.split(":")
        except ValueError:
            raise ConstraintError(f"sweep axis {text!r} is not TYPE:KEY:FACTOR=VALUES") from None
        if target_type not in TARGET_TYPES:
            raise ConstraintError(f"sweep target {target_type!r} is not one of "
                                  f"{', '.join(TARGET_TYPES)}")
        t = network.tables
        known: set[str] = {"tariff": set(t.tariffs), "border": set(t.borders),
                           "hub_profile": set(t.profiles),
                           "hub": {h.id for h in network.hubs}}[target_type]
        if key not in known:
            raise ConstraintError(f"{target_type} {key!r} does not exist")
        if factor not in FACTOR_NAMES:
            raise ConstraintError(f"factor {factor!r} is not one of {', '.join(FACTOR_NAMES)}")
        if not scenarios.factor_applies(target_type, factor):  # every row would be the same
            raise ConstraintError(f"sweep axis {spec!r}: "
                                  f"{scenarios.unread_factor(target_type, factor)}")
        try:
            if values_text.count(":") == 2:
                lo, hi, n = (plain_float(v) for v in values_text.split(":"))
                if not (n.is_integer() and 2 <= n <= 50):
                    raise ValueError
                count = int(n)
                step = (hi - lo) / (count - 1)
                values = tuple(round(lo + i * step, 6) for i in range(count))
            else:  # plain decimals: float() read 1_0 as 10
                values = tuple(plain_float(v) for v in _values(spec, values_text))
        except ConstraintError:
            raise
        except UnreadableNumberError as exc:  # 1e309 was "are not numbers"
            raise ConstraintError(f"sweep axis {spec!r}: {exc}") from None
        except ValueError:
            raise ConstraintError(f"sweep values {values_text!r} are not numbers, or "
                                  "LOW:HIGH:COUNT with 2-50 points") from None
        outside = next((v for v in values if not 0.01 <= v <= 100), None)
        if outside is not None:  # (said "sweep values must lie in [0.01, 100]" of which?)
            raise ConstraintError(f"sweep axis {spec!r}: the value {outside:g} is outside "
                                  "[0.01, 100]; sweep values must lie in it")
        if len(values) > 50:
            raise ConstraintError(f"sweep axis {spec!r} has {len(values)} values; at most 50")
        twice = next((v for i, v in enumerate(values) if v in values[:i]), None)
        if twice is not None:  # a repeated grid point would only repeat its rows
            raise ConstraintError(f"sweep axis {spec!r} gives the value {twice:g} twice")
        return cls(target_type, key, factor, values)


def _values(spec: str, text: str) -> list[str]:
    """The comma list of an axis's values, by the one list reader: ``=1,,2`` said "are not
    numbers" and ``=`` alone "must lie in [0.01, 100]", of values that were not there."""
    try:
        items = comma_items(text)
    except ValueError as exc:
        raise ConstraintError(f"sweep axis {spec!r}: {exc}") from None
    if not items:
        raise ConstraintError(f"sweep axis {spec!r} gives no values after '='; give them as "
                              "0.5,1,2 or LOW:HIGH:COUNT")
    return items


MAX_SWEEP_PLANS = 20_000


def _grid(pairs: Sequence[tuple[str, str]], axes: Sequence[Axis]) -> list[tuple[float, ...]]:
    """The sweep's grid points, after checking its shape and size."""
    if not 1 <= len(axes) <= 2:
        raise ConstraintError("sweep takes one or two axes")
    if len({a.name for a in axes}) < len(axes):
        raise ConstraintError(f"sweep axis {axes[0].name} is given twice; vary two different "
                              "factors, or give the values of one in one --vary")
    if not pairs:
        raise ConstraintError("sweep needs at least one origin-destination pair")
    for pair in pairs:  # "Aktau:Baku" as a pair was a ValueError from unpacking it
        if not isinstance(pair, list | tuple) or len(pair) != 2 or not all(
                isinstance(p, str) for p in pair):
            raise ConstraintError(f"sweep pair {pair!r:.60} is not an (origin, destination) "
                                  "pair of place names")
    for axis in axes:  # an Axis built by hand skipped Axis.parse: a NaN factor was planned
        if not (axis.values and all(isinstance(v, int | float) and not isinstance(v, bool)
                                    and 0.01 <= v <= 100 for v in axis.values)):
            raise ConstraintError(f"sweep axis {axis.name} values {axis.values!r:.60} must be "
                                  "numbers in [0.01, 100] (Axis.parse reads and checks them)")
    grid = list(itertools.product(*(a.values for a in axes)))
    total = len(grid) * len(pairs)
    if total > MAX_SWEEP_PLANS:
        raise ConstraintError(f"sweep of {total:,} plans exceeds the limit of {MAX_SWEEP_PLANS:,}")
    return grid


def distinct_pairs(network: Network, pairs: Sequence[tuple[str, str]]
                   ) -> tuple[list[tuple[str, str]], list[str]]:
    """The pairs a sweep plans, once each: every place is resolved to its hub first, so that
    two spellings of one trip (``Istanbul:Bishkek`` and ``İSTANBUL:KGFRU``) are one pair, and a
    pair that starts where it ends is left out; with one sentence per pair left out.

    A sweep's corridor shares are shares of pairs: a trip counted twice weighed twice, and a
    pair from a hub to itself (which has no route) was counted as a pair with no route.

    Raises
    ------
    UnknownPlaceError
        When a place is not a hub.
    ConstraintError
        When every pair is left out.
    """
    kept: list[tuple[str, str]] = []
    first: dict[tuple[str, str], tuple[str, str]] = {}
    notes: list[str] = []
    for o, d in pairs:
        src, dst = network.find(o), network.find(d)
        typed = f"{o}:{d}"
        if src.id == dst.id:
            notes.append(f"{typed!r} starts and ends at {src.name} ({src.id})")
            continue
        key = (src.id, dst.id)
        if key in first:
            same = first[key]
            notes.append(f"{typed!r} is the trip of {same[0] + ':' + same[1]!r} "
                         f"({src.id} to {dst.id})")
            continue
        first[key] = (o, d)
        kept.append((o, d))
    if pairs and not kept:
        raise ConstraintError("sweep has no pair to plan: " + "; ".join(notes[:3]))
    return kept, notes


def sweep(network: Network, pairs: Sequence[tuple[str, str]], axes: Sequence[Axis], *,
          progress: Callable[[int, int], None] | None = None,
          **kwargs: Any) -> list[dict[str, Any]]:
    """Plan every pair at every point of the grid; a tidy list of rows.

    Each row: pair, the axis values, the route's rank, label, corridor, days (p50, p90, mean),
    cost, CO2e, and whether it is the pair's fastest route (by expected days) at that point.
    A pair with no route at a point yields one row with ``error`` set, never nothing.
    """
    grid = _grid(pairs, axes)
    total = len(grid) * len(pairs)
    kwargs.setdefault("max_routes", 20)
    rows: list[dict[str, Any]] = []
    done = 0
    for point in grid:
        changes = tuple(scenarios.Change(a.target_type, (a.key,), ((a.factor, v),))
                        for a, v in zip(axes, point, strict=True))
        sc = scenarios.Scenario(name="sweep", title="sweep", changes=changes,
                                provenance=Provenance("", "sweep point"),
                                digest="sweep:" + repr(changes))
        values = {a.name: v for a, v in zip(axes, point, strict=True)}
        for o, d in pairs:
            base = {"origin": o, "destination": d, **values}
            try:
                res = plan(network, o, d, scenario=sc, **kwargs)
            except SilkwayError as exc:
                rows.append({**base, "error": str(exc)})
            else:
                fastest = min(res.routes, key=lambda r: r.expected_days)
                for rank, r in enumerate(res.routes, 1):
                    rows.append({**base, "rank": rank, "label": r.label, "corridor": corridor(r),
                                 "p50_days": round(r.transit_days.p50, 3),
                                 "p90_days": round(r.transit_days.p90, 3),
                                 "mean_days": round(r.expected_days, 3),
                                 "cost_usd": round(r.cost_usd, 2),
                                 "co2e_kg": round(r.co2e_wtw_kg, 2),
                                 "fastest": r is fastest, "error": None})
            done += 1
            if progress:
                progress(done, total)
    return rows


def _sweep_point(pairs: list[tuple[str, str]], axes: list[Axis], cache_dir: str,
                 kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """Dask task: one grid point of a sweep, on the worker's network."""
    from silkway.analysis.distributed import worker_network

    return sweep(worker_network(cache_dir), pairs, axes, **kwargs)


def sweep_dask(pairs: Sequence[tuple[str, str]], axes: Sequence[Axis], *, cache_dir: str,
               scheduler: str | None = None, workers: int = 2,
               progress: Callable[[int, int], None] | None = None,
               **kwargs: Any) -> list[dict[str, Any]]:
    """:func:`sweep` with one Dask task per grid point; the same rows, in the same order.

    ``scheduler`` is a running Dask scheduler's address, or None for a local cluster of
    ``workers`` processes; each worker loads the compiled network from ``cache_dir`` once.
    """
    from distributed import as_completed

    from silkway.analysis.distributed import dask_client

    grid = _grid(pairs, axes)
    total = len(grid) * len(pairs)
    points = [[Axis(a.target_type, a.key, a.factor, (v,)) for a, v in zip(axes, pt, strict=True)]
              for pt in grid]
    with dask_client(scheduler, workers) as client:
        futures = [client.submit(_sweep_point, list(pairs), p, cache_dir, kwargs, pure=False)
                   for p in points]
        index = {f.key: i for i, f in enumerate(futures)}
        results: list[list[dict[str, Any]]] = [[] for _ in futures]
        done = 0
        for future in as_completed(futures):
            results[index[future.key]] = future.result()
            done += len(pairs)
            if progress:
                progress(done, total)
    return [row for part in results for row in part]


def fastest_shares(rows: Sequence[dict[str, Any]], axes: Sequence[Axis]) -> dict[tuple, dict]:
    """For each grid point, the share of pairs whose fastest route is in each corridor."""
    out: dict[tuple, dict[str, float]] = {}
    counts: dict[tuple, int] = {}
    for row in rows:
        point = tuple(row[a.name] for a in axes)
        if row.get("error"):
            counts[point] = counts.get(point, 0) + 1
            continue
        if row["fastest"]:
            counts[point] = counts.get(point, 0) + 1
            fam = out.setdefault(point, {})
            fam[row["corridor"]] = fam.get(row["corridor"], 0) + 1
    return {p: {k: v / counts[p] for k, v in sorted(out.get(p, {}).items())} for p in counts}


def chart(rows: Sequence[dict[str, Any]], axes: Sequence[Axis], path: str,
          focus: str = "Middle Corridor") -> None:
    """PNG: share of pairs for which each corridor is fastest, against the swept value
    (one axis), or a heat map of the ``focus`` corridor's share (two axes)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shares = fastest_shares(rows, axes)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    if len(axes) == 1:
        xs = list(axes[0].values)
        fams = sorted({f for s in shares.values() for f in s})
        for fam in fams:
            ax.plot(xs, [100 * shares.get((x,), {}).get(fam, 0.0) for x in xs], marker="o",
                    label=fam, linewidth=2.5 if fam == focus else 1.2)
        ax.set_xlabel(axes[0].name)
        ax.set_ylabel("pairs for which the corridor is fastest (%)")
        ax.set_ylim(-2, 102)
        ax.legend(fontsize=8, loc="best")
    else:
        gx, gy = axes[0].values, axes[1].values
        grid = [[100 * shares.get((x, y), {}).get(focus, 0.0) for x in gx] for y in gy]
        im = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=100)
        ax.set_xticks(range(len(gx)), [f"{x:g}" for x in gx])
        ax.set_yticks(range(len(gy)), [f"{y:g}" for y in gy])
        ax.set_xlabel(axes[0].name)
        ax.set_ylabel(axes[1].name)
        fig.colorbar(im, label=f"pairs for which the {focus} is fastest (%)")
    ax.set_title(f"{len({(r['origin'], r['destination']) for r in rows})} origin-destination "
                 "pairs", fontsize=10)
    fig.tight_layout()
    save_figure(fig, path)
    plt.close(fig)
