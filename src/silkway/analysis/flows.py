"""Demand flows for :mod:`silkway.analysis.assign`: a CSV of origin-destination TEU in, validated.

Input columns (header names are case-insensitive): ``origin``, ``destination``, ``teu``
(required; TEU per period, see ``silkway assign --period``); ``id``, ``cargo`` (FEU or TEU: the
box the flow moves in, default FEU), ``avoid``, ``modes`` (comma lists), ``month`` (1-12, the
month of departure for seasonal delays) and ``value_of_time_usd_per_teu_day`` (default
:data:`DEFAULT_VALUE_OF_TIME`). Lines starting with ``#`` are comments. Every data row becomes
one :class:`Flow` or one :class:`~silkway.analysis.csvrows.RowError` naming the row, read by
the same :func:`~silkway.analysis.csvrows.read_rows` as ``batch``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from silkway.analysis.csvrows import (
    RawRow,
    RowError,
    parse_float,
    parse_int,
    read_csv_file,
    read_rows,
    refuse_repeated_ids,
    refuse_unknown_columns,
)
from silkway.errors import ConstraintError
from silkway.routing.constraints import Constraints
from silkway.types import Cargo

log = logging.getLogger(__name__)

MAX_TEU = 100_000_000
"""Most TEU one flow may carry: beyond any corridor's trade in any period, so that a slip
(``1e300``) is named instead of reaching the solver, which fails on it with a model error."""

MIN_TEU = 0.01
"""Least TEU one flow may carry (per period): a flow of 1e-8 TEU was reported neither served
nor unserved, and one of 0.001 TEU as 0.0 TEU on its route."""

FLOW_COLUMNS = ("id", "origin", "destination", "teu", "cargo", "avoid", "modes", "month",
                "value_of_time_usd_per_teu_day", "basis")
"""Columns :func:`read_flows` understands (``basis`` is free text on where a figure comes from,
kept for the reader); a file with any other column is refused."""

MAX_VALUE_OF_TIME = 1_000_000
"""Highest value of time a flow may give, USD per TEU-day: beyond any cargo (1e20 stopped the
solver, HiGHS status 15, which was reported as a backend failure, exit 5)."""

DEFAULT_VALUE_OF_TIME = 327.0
"""USD per TEU-day: 0.6% of the goods' value a day (the low end of Hummels and Schaur's 0.6-2.1%
ad-valorem equivalent of a day in transit, AER 103(7), 2013) on 54,500 USD of goods per TEU
(average value of containerised trade 2020, Port Economics, Management and Policy, from UNCTAD
Review of Maritime Transport 2021)."""


@dataclass(frozen=True, slots=True)
class Flow:
    """One valid demand row: TEU per period from an origin to a destination.

    Attributes
    ----------
    row
        1-based data line of the input (the line after the header is row 1).
    origin, destination
        Places as the row gives them; resolved when candidates are built.
    teu
        TEU per period (positive).
    id
        The row's ``id`` column, if any.
    constraints
        Validated avoid / modes / cargo.
    month
        Month of departure (seasonal delays), or None.
    value_of_time_usd_per_teu_day
        What a day of transit costs the shipper, per TEU.
    """

    row: int
    origin: str
    destination: str
    teu: float
    id: str | None = None
    constraints: Constraints = field(default_factory=Constraints)
    month: int | None = None
    value_of_time_usd_per_teu_day: float = DEFAULT_VALUE_OF_TIME


def read_flows(path: str | Path) -> tuple[list[Flow], list[RowError]]:
    """Read a flows CSV into valid flows and per-row errors (both in input order).

    Raises
    ------
    InputError
        When the file as a whole is unusable: unreadable, not UTF-8, not CSV, empty, or without
        an ``origin``, ``destination`` or ``teu`` column.
    """
    p = Path(path)
    return read_flows_text(read_csv_file(p, "flows"), name=str(p))


def read_flows_text(text: str, *, name: str = "flows") -> tuple[list[Flow], list[RowError]]:
    """:func:`read_flows` on CSV text already in memory (e.g. an upload)."""
    flows, errors = read_rows(text, kind="flows", name=name,
                              required=("origin", "destination", "teu"), parse=_parse_row,
                              check_columns=partial(_check_columns, name=name), comments=True)
    return refuse_repeated_ids(flows, errors, what="flow")


def _check_columns(names: list[str], *, name: str) -> None:
    # a column assign does not read was a log line, and its flows assigned without it
    refuse_unknown_columns(names, FLOW_COLUMNS, kind="flows", name=name)


def _parse_row(raw: RawRow) -> Flow | RowError:
    values = raw.values
    problems = raw.place_problems()
    teu = parse_float(values.get("teu", ""), "teu", problems=problems, positive=True,
                      maximum=MAX_TEU, unit="TEU", why=" in one flow (beyond any corridor's trade)")
    if teu is None and not values.get("teu"):
        problems.append("teu is empty")
    elif teu is not None and 0 < teu < MIN_TEU:
        problems.append(f"teu {values.get('teu', '').strip()[:40]!r} is less than the "
                        f"{MIN_TEU:g} TEU a flow must carry: a smaller flow vanishes in the "
                        "assignment's rounding (0.1 TEU) and the solver's tolerance")
    month = parse_int(values.get("month", ""), "month", minimum=1, unit="months",
                      problems=problems)
    if month is not None and month > 12:
        problems.append(f"month {month} is not 1-12")
    vot = parse_float(values.get("value_of_time_usd_per_teu_day", ""),
                      "value_of_time_usd_per_teu_day", problems=problems,
                      maximum=MAX_VALUE_OF_TIME, unit="USD",
                      why=" a TEU-day (2.1% a day of 48 million USD of goods in a box)")
    if vot is not None and vot < 0:
        problems.append(f"value_of_time_usd_per_teu_day {vot:g} is negative")
    constraints = Constraints()
    try:
        constraints = Constraints.make(avoid=values.get("avoid") or None,
                                       modes=values.get("modes") or None,
                                       cargo=values.get("cargo") or Cargo.FEU)
    except ConstraintError as exc:
        problems.append(str(exc))
    if problems:
        return raw.error("; ".join(problems))
    assert teu is not None
    return Flow(raw.row, raw.origin, raw.destination, teu, raw.ident, constraints, month,
                DEFAULT_VALUE_OF_TIME if vot is None else vot)


__all__ = ["DEFAULT_VALUE_OF_TIME", "FLOW_COLUMNS", "Flow", "read_flows", "read_flows_text"]
