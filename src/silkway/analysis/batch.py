"""Batch planning: a CSV of shipments in, one plan (or one error) per shipment out.

A batch is read with :func:`read_shipments`, planned with :func:`plan_batch` (in this process) or
:func:`plan_batch_dask` (on a Dask cluster) and written with :func:`write_results` as Parquet or
CSV. Every data row of the input yields exactly one output row, in input order: either the best
route by the row's objective with its figures, or an error naming the row and the problem.

Real batches repeat origin-destination pairs, so each distinct query (origin, destination,
constraints, objective and the optional scenario, month and deadline) is planned once and its
result shared by every row that asks it. Plans are deterministic, so a Dask run gives the same
rows as a serial run.

Input columns (header names are case-insensitive; only ``origin`` and ``destination`` are
required): ``id``, ``origin``, ``destination``, ``cargo`` (FEU or TEU, default FEU), ``count``
(containers, default 1, at most :data:`MAX_COUNT`), ``departure_date`` (YYYY-MM-DD), ``avoid``,
``modes``, ``close`` (comma lists), ``payload_t``, ``max_transshipments``, ``objective`` (days,
cost, co2e or p90), ``scenario`` and ``deadline_days``. Output columns are :data:`COLUMNS`.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from silkway._text import plain_float
from silkway.analysis import plan as _plan_module
from silkway.analysis.csvrows import (
    RawRow,
    RowError,
    parse_int,
    read_csv_file,
    read_rows,
    refuse_repeated_ids,
    refuse_unknown_columns,
)
from silkway.analysis.distributed import dask_client
from silkway.analysis.scenarios import Scenario
from silkway.analysis.writers import FLOAT, INT, STR, write_table
from silkway.data.timing import plannable_years
from silkway.errors import ConstraintError, SilkwayError
from silkway.network.model import Hub, Network
from silkway.query import QUERY_FIELDS, UNUSED, PlanQuery, make_query
from silkway.types import Cargo

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Called as ``progress(rows_done, rows_total)`` while a batch is planned."""

MAX_COUNT = 10_000_000
"""Most containers one row may count: far above a year of any one lane's trade, so that a slip
of the keyboard (``1e9``) is named instead of multiplied into the totals."""
_COUNT_WHY = " in one row (more than a year of any lane's trade)"

INPUT_COLUMNS = ("id", "count", "departure_date", *QUERY_FIELDS)
"""Columns :func:`read_shipments` understands: ``id``, ``count``, ``departure_date`` and every
field of :class:`~silkway.query.PlanQuery`; any other column is an error."""

BATCH_OBJECTIVES = ("days", "cost", "co2e", "p90")
"""Objectives a shipment row may name."""

_INT, _FLOAT, _STR = INT, FLOAT, STR
_COLUMN_TYPES: dict[str, str] = {
    "row": _INT, "id": _STR, "status": _STR, "error": _STR,
    "origin": _STR, "destination": _STR, "origin_hub": _STR, "destination_hub": _STR,
    "cargo": _STR, "count": _INT, "payload_t": _FLOAT, "departure_date": _STR,
    "objective": _STR, "scenario": _STR, "deadline_days": _FLOAT,
    "route": _STR, "corridor": _STR, "countries": _STR, "distance_km": _FLOAT,
    "days_p50": _FLOAT, "days_p90": _FLOAT, "days_mean": _FLOAT,
    "cost_usd": _FLOAT, "cost_usd_total": _FLOAT,
    "co2e_wtw_kg": _FLOAT, "co2e_ttw_kg": _FLOAT,
    "co2e_wtw_kg_total": _FLOAT, "co2e_ttw_kg_total": _FLOAT,
    "transshipments": _INT, "modes": _STR, "complete": _INT, "notices": _STR,
    "on_time_probability": _FLOAT,
}
COLUMNS = tuple(_COLUMN_TYPES)
"""Output columns, in order. ``status`` is ``ok`` or ``error``; on an error row ``error`` holds
one sentence naming the row and the problem and the route figures are empty. ``countries`` (ISO
3166-1 alpha-2, travel order) and ``modes`` are comma lists; ``cost_usd`` and ``co2e_*_kg`` are
per container, the ``*_total`` columns for ``count`` containers; ``payload_t`` is the payload
the plan used (the cargo type's default when the row left it empty); ``complete`` is 1, or 0
when the route search stopped at its work limit (the route is real, but a better one may have
been missed); ``notices`` is a comma list of the passages the route uses that boxes mostly did
not use in the data's period (``passage_notices.csv``), empty when none; ``on_time_probability``
is the share of simulated trips within the row's ``deadline_days``, empty without one."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def departure_window() -> tuple[date, date, str]:
    """The first and last departure date a batch row may give, and the data's period (see
    :func:`silkway.data.timing.plannable_years`: ``1900-01-01`` and ``9999-12-31`` were planned
    as January and December departures on today's network)."""
    first, last, as_of = plannable_years()
    return date(first, 1, 1), date(last, 12, 31), as_of


@dataclass(frozen=True, slots=True)
class Shipment:
    """One valid row of a batch: what to plan and for how many containers.

    Attributes
    ----------
    row
        1-based data line of the input (the line after the header is row 1).
    query
        The row's plan query (its places are resolved when planned).
    id
        The row's ``id`` column, if any.
    count
        Number of containers; totals are per-container figures times ``count``.
    departure_date
        Planned departure; its month is the query's ``month``.
    """

    row: int
    query: PlanQuery
    id: str | None = None
    count: int = 1
    departure_date: date | None = None

    @property
    def origin(self) -> str:
        return self.query.origin

    @property
    def destination(self) -> str:
        return self.query.destination

    @property
    def cargo(self) -> Cargo:
        """FEU or TEU."""
        return Cargo(self.query.cargo)


# ----------------------------------------------------------------------------------- reading


def read_shipments(path: str | Path) -> tuple[list[Shipment], list[RowError]]:
    """Read a shipments CSV into valid shipments and per-row errors.

    Every data row becomes exactly one :class:`Shipment` or one :class:`RowError` (wholly blank
    lines are not rows). Values are validated here so that a bad cargo, count, date, number,
    country code, mode, passage or objective is reported with its row before anything is planned;
    places are resolved only when planning, which needs the network.

    Parameters
    ----------
    path
        A UTF-8 CSV file with a header row naming at least ``origin`` and ``destination``.

    Returns
    -------
    shipments, errors
        Both in input order.

    Raises
    ------
    InputError
        When the file as a whole is unusable: unreadable, not UTF-8, not CSV, empty, or without
        an ``origin`` or ``destination`` column.
    """
    return read_shipments_text(read_csv_file(path, "shipments"), name=str(Path(path)))


def read_shipments_text(text: str, *, name: str = "shipments") -> tuple[list[Shipment],
                                                                       list[RowError]]:
    """:func:`read_shipments` on CSV text already in memory (e.g. an upload); ``name`` labels
    the source in error messages."""
    ships, errors = read_rows(text, kind="shipments", name=str(Path(name)),
                              required=("origin", "destination"), parse=_parse_row,
                              check_columns=partial(_check_columns, name=str(Path(name))))
    return refuse_repeated_ids(ships, errors, what="shipment")


def _check_columns(names: list[str], *, name: str) -> None:
    # an ignored column silently changes every row's answer (W4)
    refuse_unknown_columns(names, INPUT_COLUMNS, kind="shipments", name=name)


def _parse_row(raw: RawRow) -> Shipment | RowError:
    values = raw.values
    problems = raw.place_problems()
    count = parse_int(values.get("count", ""), "count", minimum=1, unit="containers",
                      problems=problems, maximum=MAX_COUNT, why=_COUNT_WHY)
    departure = _parse_date(values.get("departure_date", ""), problems)
    fields: dict[str, Any] = {k: v for k, v in values.items() if k in QUERY_FIELDS and v != ""}
    fields.setdefault("corridors", "none")  # a batch row keeps only its best route
    if departure is not None:
        if "month" in fields and not _same_number(fields["month"], departure.month):
            problems.append(f"month {fields['month']} contradicts departure_date {departure}")
        fields["month"] = departure.month
    query = None
    if not problems:
        try:
            query = _checked_query(tuple(sorted(fields.items())))
        except ConstraintError as exc:
            problems.append(str(exc))
    if query is not None:
        problems += _unused(query, values)
    if problems or query is None:
        return raw.error("; ".join(problems))
    return Shipment(row=raw.row, query=query, id=raw.ident, count=1 if count is None else count,
                    departure_date=departure)


@lru_cache(maxsize=8192)
def _checked_query(fields: tuple[tuple[str, Any], ...]) -> PlanQuery:
    """The validated query of a row's fields; rows that ask the same (a lane shipped many
    times) share one frozen query, instead of one pydantic model (about a kilobyte) each.

    Raises
    ------
    ConstraintError
        When the fields are not a valid query (never cached: the next such row says it again).
    """
    query = make_query(dict(fields))
    _plan_module._constraints(  # validated here, and kept for planning
        query.avoid, query.modes, query.close, query.cargo, query.payload_t,
        query.max_transshipments, query.include_planned, query.allocation, query.reefer)
    return query


def _same_number(text: str, number: int) -> bool:
    """Whether a cell is ``number`` written as a plain decimal: ``07`` is month 7 (compared as
    text, ``month 07`` contradicted ``departure_date 2025-07-01``)."""
    try:
        return plain_float(text) == number
    except ValueError:
        return False


_BATCH_DEFAULTS = {"corridors": "none"}


def _unused(query: PlanQuery, values: Mapping[str, str]) -> list[str]:
    """The problems of cells of fields a batch row takes no notice of (``UNUSED["batch"]``)
    that ask for something other than what the batch does: ``max_routes 3`` or ``corridors
    all`` was planned as if the cell were empty."""
    out = []
    for name, why in UNUSED["batch"].items():
        if values.get(name) and getattr(query, name) != _BATCH_DEFAULTS.get(
                name, PlanQuery.model_fields[name].default):
            out.append(f"batch does not use {name}: it {why}; leave the cell empty")
    return out


def _parse_date(text: str, problems: list[str]) -> date | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if _DATE.match(text) else None
    except ValueError:
        day = None
    if day is None:
        problems.append(f"departure_date {text!r} is not a valid YYYY-MM-DD date")
        return None
    first, last, as_of = departure_window()
    if not first <= day <= last:
        problems.append(f"departure_date {text} is outside {first.year}-{last.year}: the "
                        f"network's data describe {as_of}, and a departure before "
                        f"{first.year} or after {last.year} would be planned on a network "
                        f"of another time")
        return None
    return day


# ---------------------------------------------------------------------------------- planning


Outcome = dict[str, Any] | str
"""Figures of the chosen route, or the problem (one sentence without the row number)."""


class _Planner:
    """Plans queries on one network, once per distinct query (places resolved to hubs)."""

    def __init__(self, network: Network,
                 scenarios: Mapping[str, Scenario] | None = None) -> None:
        self.network = network
        self.scenarios = dict(scenarios or {})
        self._places: dict[str, Hub | str] = {}
        self._plans: dict[tuple[Any, ...], Outcome] = {}

    def _place(self, text: str) -> Hub | str:
        if text not in self._places:
            try:
                self._places[text] = self.network.find(text)
            except SilkwayError as exc:
                self._places[text] = str(exc)
        return self._places[text]

    def outcome(self, q: PlanQuery) -> Outcome:
        o, d = self._place(q.origin), self._place(q.destination)
        if isinstance(o, str) or isinstance(d, str):
            return o if isinstance(o, str) else str(d)
        same = q.origin == o.id and q.destination == d.id  # rows often name hubs by id
        key = (o.id, d.id, q if same else q.replace(origin=o.id, destination=d.id))
        if key not in self._plans:
            self._plans[key] = self._plan(o, d, key[2])
        return self._plans[key]

    def _plan(self, o: Hub, d: Hub, q: PlanQuery) -> Outcome:
        try:
            # a scenario parsed by the caller (e.g. saved through the API), or None
            scen = self.scenarios.get(q.scenario) if q.scenario is not None else None
            result = _plan_module.plan_first(self.network, q, scen)
        except SilkwayError as exc:
            return str(exc)
        except Exception as exc:  # one bad query must not sink a batch of thousands
            log.exception("planning %s -> %s failed", o.id, d.id)
            return f"internal error planning this shipment ({type(exc).__name__}: {exc})"
        if not result.routes:
            return f"no route from {o.name} to {d.name}"
        r = result.routes[0]
        return {"origin_hub": o.id, "destination_hub": d.id, "payload_t": float(result.payload_t),
                "route": r.label, "corridor": r.corridor.id if r.corridor else None,
                "countries": ",".join(r.countries),
                "distance_km": float(r.distance_km), "days_p50": float(r.transit_days.p50),
                "days_p90": float(r.transit_days.p90), "days_mean": float(r.transit_days.mean),
                "cost_usd": float(r.cost_usd), "co2e_wtw_kg": float(r.co2e_wtw_kg),
                "co2e_ttw_kg": float(r.co2e_ttw_kg), "transshipments": int(r.transshipments),
                "modes": ",".join(r.modes), "complete": int(result.complete),
                "notices": ",".join(n.passage.value for n in result.notices) or None,
                "on_time_probability": None if r.transit_days.on_time is None
                else round(float(r.transit_days.on_time), 4)}


def _blank(row: int) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(COLUMNS)
    out["row"] = row
    return out


def _result_row(s: Shipment, outcome: Outcome) -> dict[str, Any]:
    out = _blank(s.row)
    q = s.query
    out.update(id=s.id, origin=s.origin, destination=s.destination, cargo=q.cargo,
               count=s.count, payload_t=q.payload_t,
               departure_date=s.departure_date.isoformat() if s.departure_date else None,
               objective=q.objective, scenario=q.scenario, deadline_days=q.deadline_days)
    if isinstance(outcome, str):
        out.update(status="error", error=f"row {s.row}: {outcome}")
        return out
    out.update(outcome, status="ok")
    out["cost_usd_total"] = outcome["cost_usd"] * s.count
    out["co2e_wtw_kg_total"] = outcome["co2e_wtw_kg"] * s.count
    out["co2e_ttw_kg_total"] = outcome["co2e_ttw_kg"] * s.count
    return out


def _error_row(e: RowError) -> dict[str, Any]:
    out = _blank(e.row)
    out.update(id=e.id, origin=e.origin, destination=e.destination, status="error", error=e.message)
    return out


class _Batch:
    """Shipments grouped by distinct query, and the rows assembled from the outcomes."""

    def __init__(self, shipments: Sequence[Shipment], errors: Iterable[RowError]) -> None:
        self.shipments = list(shipments)
        self.errors = list(errors)
        self.total = len(self.shipments) + len(self.errors)
        self.queries: dict[PlanQuery, int] = {}  # query -> rows asking it
        for s in self.shipments:
            self.queries[s.query] = self.queries.get(s.query, 0) + 1
        self.rows_without_plan = self.total - sum(self.queries.values())

    def rows(self, outcomes: dict[PlanQuery, Outcome]) -> list[dict[str, Any]]:
        items: list[tuple[int, int, dict[str, Any]]] = []
        for i, s in enumerate(self.shipments):
            items.append((s.row, i, _result_row(s, outcomes[s.query])))
        n = len(items)
        items += [(e.row, n + i, _error_row(e)) for i, e in enumerate(self.errors)]
        items.sort(key=lambda t: (t[0], t[1]))
        return [row for _, _, row in items]


def plan_batch(net: Network, shipments: Sequence[Shipment], *, progress: Progress | None = None,
               errors: Iterable[RowError] = (),
               scenarios: Mapping[str, Scenario] | None = None) -> list[dict[str, Any]]:
    """Plan every shipment in this process; one output row per shipment (and per error).

    Parameters
    ----------
    net
        From :func:`silkway.load_network`.
    shipments
        From :func:`read_shipments` (or built directly).
    progress
        Called as ``progress(rows_done, rows_total)``, first with 0 done and last with all.
    errors
        Row errors from :func:`read_shipments`; they become error rows in their place, so the
        output has one row per input row.
    scenarios
        Parsed scenarios by the name rows give in their ``scenario`` column (e.g. saved ones);
        other names are shipped scenarios or files.

    Returns
    -------
    list of dict
        Rows with the keys of :data:`COLUMNS`, ordered by input row.
    """
    batch = _Batch(shipments, errors)
    planner = _Planner(net, scenarios)
    outcomes: dict[PlanQuery, Outcome] = {}
    done = batch.rows_without_plan
    if progress:
        progress(0, batch.total)
    for q, n in batch.queries.items():
        outcomes[q] = planner.outcome(q)
        done += n
        if progress:
            progress(done, batch.total)
    if progress and not batch.queries:
        progress(batch.total, batch.total)
    log.info("planned %d shipment rows with %d distinct queries", len(batch.shipments),
             len(batch.queries))
    return batch.rows(outcomes)


# -------------------------------------------------------------------------------------- Dask


def _order(q: PlanQuery, seasons: Mapping[int, tuple[int, ...]] | None = None) -> tuple[Any, ...]:
    """Queries that share a compiled search graph (scenario, month, cargo and the graph's
    flags), then a destination's lower bounds, come one after the other: a task's caches stay
    hot and a worker compiles only the graphs of its tasks. Months count by ``seasons`` (month
    -> the seasonality rows that apply in it): months with the same rows plan on the same
    network (:func:`~silkway.analysis.scenarios.apply`), so their queries mix."""
    month = q.month or 0
    return (q.scenario or "", (seasons or {}).get(month, ()), q.cargo,
            q.payload_t or 0.0, q.reefer, q.allocation or "", q.objective == "p90",
            q.max_transshipments is not None,
            q.destination, q.origin)  # a stable sort: input order within equal keys


def _seasons() -> dict[int, tuple[int, ...]]:
    """Month -> the rows of the shipped ``seasonality.csv`` that apply in it."""
    from silkway.data.tables import load_tables

    rows = load_tables().seasonality
    return {m: tuple(i for i, r in enumerate(rows) if m in r.months) for m in range(1, 13)}


def plan_batch_dask(shipments: Sequence[Shipment], *, cache_dir: str | Path,
                    scheduler: str | None = None, workers: int = 2, partitions: int | None = None,
                    progress: Progress | None = None,
                    errors: Iterable[RowError] = (),
                    stats: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """Plan every shipment on a Dask cluster; the same rows as :func:`plan_batch`.

    The distinct queries of the batch are ordered so that those sharing a search graph (month,
    cargo, ...) and a destination come together; each worker plans its own contiguous stretch of
    that order, in tasks that shrink towards the end of the stretch, and takes tasks left in
    another's stretch when its own is done (see :mod:`silkway.analysis.batch_schedule`). Each
    worker loads the compiled network once, from ``cache_dir``, when the batch starts, and keeps
    its graphs and bounds for all its tasks.

    Parameters
    ----------
    shipments
        From :func:`read_shipments`.
    cache_dir
        The compiled-network cache directory as the workers see it (a missing or stale cache is
        rebuilt there, which takes a while).
    scheduler
        Address of a running Dask scheduler (``tcp://HOST:PORT``); None starts a local cluster of
        ``workers`` single-threaded worker processes for this call and closes it afterwards.
    workers
        Worker processes of the local cluster (ignored with ``scheduler``).
    partitions
        Number of equal tasks (dealt to the workers in contiguous runs); None: each worker's
        stretch in shrinking tasks, each a quarter of the queries left in it per thread and at
        least :data:`~silkway.analysis.batch_schedule.MIN_CHUNK` (about 13 tasks per worker for
        10,000 queries on two single-threaded workers).
    progress
        Called as ``progress(rows_done, rows_total)`` as partitions finish.
    errors
        Row errors from :func:`read_shipments`, placed in the output as error rows.
    stats
        Optional dict that receives how the time went: ``start_s`` (cluster start and network
        load on the workers), ``plan_s`` (first task submitted to last result), ``task_s`` (the
        tasks' own planning time, summed) and ``task_cpu_s`` (their CPU time: less than
        ``task_s`` when the machine's cores are busy with other work), ``threads``, ``tasks``,
        ``overhead``: the share of the worker threads' time during ``plan_s`` not spent
        planning (scheduling, serialisation, waiting for the last task),
        ``1 - task_s / (threads * plan_s)``, and on a local cluster ``worker_cpu_s``: the CPU
        time of its worker processes from their start (network load and Dask's own work
        included) and ``worker_cpu_max_s``, the most of one of them.

    Returns
    -------
    list of dict
        Rows with the keys of :data:`COLUMNS`, ordered by input row.

    Raises
    ------
    ConstraintError
        For ``workers`` or ``partitions`` below 1, or a scheduler that cannot be reached.
    """
    from distributed import as_completed

    if workers < 1:
        raise ConstraintError(f"workers must be 1 or more, not {workers}")
    if partitions is not None and partitions < 1:
        raise ConstraintError(f"partitions must be 1 or more, not {partitions}")
    batch = _Batch(shipments, errors)
    if progress:
        progress(0, batch.total)
    queries = sorted(batch.queries, key=partial(_order, seasons=_seasons()))
    outcomes: dict[PlanQuery, Outcome] = {}
    stats = {} if stats is None else stats
    if queries:
        t0 = time.perf_counter()
        with dask_client(scheduler, workers) as client:
            stats["start_s"] = time.perf_counter() - t0
            outcomes = _run_on(client, queries, batch, cache_dir=str(cache_dir),
                               partitions=partitions, progress=progress, as_completed=as_completed,
                               stats=stats)
            if scheduler is None:  # forked or spawned for this batch: their CPU is the batch's
                cpu = [float(c) for c in client.run(time.process_time).values()]
                stats.update(worker_cpu_s=sum(cpu), worker_cpu_max_s=max(cpu, default=0.0))
    elif progress:
        progress(batch.total, batch.total)
    return batch.rows(outcomes)


def _run_on(client: Any, queries: list[PlanQuery], batch: _Batch, *, cache_dir: str,
            partitions: int | None, progress: Progress | None,
            as_completed: Callable[..., Any], stats: dict[str, float]) -> dict[PlanQuery, Outcome]:
    from silkway.analysis.batch_schedule import Schedule
    from silkway.analysis.batch_worker import NetworkPlugin, plan_partition

    threads = {str(a): int(n) for a, n in client.nthreads().items()}
    slots = max(1, sum(threads.values()))  # worker threads across the cluster
    plan: Schedule[PlanQuery] = Schedule(queries, threads, partitions)
    name = f"silkway-network-{uuid.uuid4().hex[:12]}"
    t0 = time.perf_counter()
    client.register_plugin(NetworkPlugin(name, cache_dir), name=name)
    stats["start_s"] = stats.get("start_s", 0.0) + time.perf_counter() - t0
    outcomes: dict[PlanQuery, Outcome] = {}
    task_s = task_cpu_s = 0.0
    n_tasks = 0
    futures: dict[Any, tuple[str | None, list[PlanQuery]]] = {}

    def submit(addr: str | None) -> Any:
        part = plan.next_for(addr)
        if part is None:
            return None
        # a loose restriction: the task runs elsewhere if its worker is gone
        future = client.submit(plan_partition, part, name, cache_dir, pure=False,
                               workers=None if addr is None else [addr],
                               allow_other_workers=addr is not None)
        futures[future] = (addr, part)
        return future

    t0 = time.perf_counter()
    try:
        depth = {addr: plan.in_flight(addr) for addr in plan.threads}
        # every worker's first task before any worker's second: all start at once
        first = [f for k in range(max(depth.values())) for addr in depth
                 if k < depth[addr] and (f := submit(addr)) is not None]
        done = batch.rows_without_plan
        pending = as_completed(first)
        for future in pending:
            addr, part = futures.pop(future)
            nxt = submit(addr)  # the worker's next task, before this one's results are read
            if nxt is not None:
                pending.add(nxt)
            n_tasks += 1
            try:
                results, seconds, cpu = future.result()
                task_s += seconds
                task_cpu_s += cpu
            except Exception as exc:  # a lost worker: its rows become error rows, none dropped
                log.error("a Dask batch task failed: %s: %s", type(exc).__name__, exc)
                results = [f"the Dask task planning this shipment failed ({type(exc).__name__})"
                           ] * len(part)
            outcomes.update(zip(part, results, strict=True))
            done += sum(batch.queries[q] for q in part)
            if progress:
                progress(done, batch.total)
    finally:
        try:
            client.unregister_worker_plugin(name)
        except Exception:  # the cluster may be gone already; nothing to clean up then
            log.debug("could not unregister worker plugin %s", name, exc_info=True)
    plan_s = time.perf_counter() - t0
    stats.update(plan_s=plan_s, task_s=task_s, task_cpu_s=task_cpu_s, threads=slots,
                 tasks=n_tasks,
                 overhead=1.0 - task_s / (slots * plan_s) if plan_s > 0 else 0.0)
    log.info("planned %d shipment rows with %d distinct queries in %d Dask tasks (%.0f %% "
             "scheduling overhead)", len(batch.shipments), len(queries), n_tasks,
             100 * stats["overhead"])
    return outcomes


# ----------------------------------------------------------------------------------- writing


def write_results(rows: Iterable[dict[str, Any]], path: str | Path) -> None:
    """Write batch rows to ``path``: Parquet for ``.parquet``, CSV for ``.csv``.

    Columns are :data:`COLUMNS`, typed in Parquet (integers, floats, strings; empty figures are
    nulls) and empty in CSV. See :func:`write_table`.
    """
    write_table(rows, path, _COLUMN_TYPES)


__all__ = [
    "BATCH_OBJECTIVES",
    "COLUMNS",
    "INPUT_COLUMNS",
    "Progress",
    "RowError",
    "Shipment",
    "plan_batch",
    "plan_batch_dask",
    "read_shipments",
    "read_shipments_text",
    "write_results",
    "write_table",
]
