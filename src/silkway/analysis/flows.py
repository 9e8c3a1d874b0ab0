"""Demand flows for :mod:`silkway.analysis.assign`: a CSV of origin-destination TEU in, validated.

Input columns (header names are case-insensitive): ``origin``, ``destination``, ``teu``
(required; TEU per period, see ``silkway assign --period``); ``id``, ``cargo`` (FEU or TEU: the
box the flow moves in, default FEU), ``avoid``, ``modes`` (comma lists), ``month`` (1-12, the
month of departure for seasonal delays) and ``value_of_time_usd_per_teu_day`` (default
:data:`DEFAULT_VALUE_OF_TIME`). Lines starting with ``#`` are comments. Every data row becomes
one :class:`Flow` or one :class:`~silkway.analysis.batch.RowError` naming the row, the same
validation and error rows as ``batch``.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path

from silkway.analysis.batch import RowError, _parse_float, _parse_int
from silkway.errors import ConstraintError, InputError
from silkway.routing.constraints import Constraints
from silkway.types import Cargo

log = logging.getLogger(__name__)

FLOW_COLUMNS = ("id", "origin", "destination", "teu", "cargo", "avoid", "modes", "month",
                "value_of_time_usd_per_teu_day", "basis")
"""Columns :func:`read_flows` understands (``basis`` is free text on where a figure comes from,
kept for the reader); others are ignored with a warning."""

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
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read flows file {p}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"flows file {p} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                        f"offset {exc.start}); save it as UTF-8 CSV") from None
    return read_flows_text(text, name=str(p))


def read_flows_text(text: str, *, name: str = "flows") -> tuple[list[Flow], list[RowError]]:
    """:func:`read_flows` on CSV text already in memory (e.g. an upload)."""
    flows: list[Flow] = []
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    header_line = 0
    last_line = 0
    try:
        for record in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(v.strip() for v in record) or record[0].lstrip().startswith("#"):
                continue
            if header is None:
                header, header_line = _header(record, name), reader.line_num
                continue
            item = _parse_row(start - header_line, header, record)
            (flows if isinstance(item, Flow) else errors).append(item)  # type: ignore[arg-type]
    except csv.Error as exc:
        raise InputError(f"flows file {name} is not valid CSV at line {reader.line_num}: {exc}") from None
    if header is None:
        raise InputError(f"flows file {name} is empty; it needs a header row naming origin, "
                        "destination and teu")
    log.info("read %d flows and %d bad rows from %s", len(flows), len(errors), name)
    return flows, errors


def _header(record: list[str], name: str) -> list[str]:
    names = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in record]
    dupes = sorted({n for n in names if n and names.count(n) > 1})
    if dupes:
        raise InputError(f"flows file {name} repeats column(s) {', '.join(dupes)} in its header")
    missing = [c for c in ("origin", "destination", "teu") if c not in names]
    if missing:
        hint = "; it looks ';'-separated, use commas" if len(names) == 1 and ";" in names[0] else ""
        found = ", ".join(n for n in names if n) or "none"
        raise InputError(f"flows file {name} has no {', '.join(missing)} column "
                        f"(found: {found}){hint}")
    unknown = [n for n in names if n and n not in FLOW_COLUMNS]
    if unknown:
        log.warning("ignoring unknown column(s) in %s: %s", name, ", ".join(unknown))
    return names


def _parse_row(row: int, header: list[str], record: list[str]) -> Flow | RowError:
    values = {n: v.strip() for n, v in zip(header, record, strict=False) if n}
    ident = values.get("id") or None
    origin, destination = values.get("origin", ""), values.get("destination", "")

    def fail(problem: str) -> RowError:
        return RowError(row, problem, ident, origin or None, destination or None)

    if len(record) > len(header):
        return fail(f"it has {len(record)} fields but the header has {len(header)}")
    problems: list[str] = []
    if not origin:
        problems.append("origin is empty")
    if not destination:
        problems.append("destination is empty")
    teu = _parse_float(values.get("teu", ""), "teu", problems=problems, positive=True)
    if teu is None and not values.get("teu"):
        problems.append("teu is empty")
    month = _parse_int(values.get("month", ""), "month", minimum=1, unit="months",
                       problems=problems)
    if month is not None and month > 12:
        problems.append(f"month {month} is not 1-12")
    vot = _parse_float(values.get("value_of_time_usd_per_teu_day", ""),
                       "value_of_time_usd_per_teu_day", problems=problems)
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
        return fail("; ".join(problems))
    assert teu is not None
    return Flow(row, origin, destination, teu, ident, constraints, month,
                DEFAULT_VALUE_OF_TIME if vot is None else vot)


__all__ = ["DEFAULT_VALUE_OF_TIME", "FLOW_COLUMNS", "Flow", "read_flows", "read_flows_text"]
