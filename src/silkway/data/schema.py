"""The building blocks of every shipped table: durations, provenance and validated rows.

A table is a CSV whose rows :func:`table_rows` yields as :class:`Row` objects; the typed getters
of a row raise :class:`~silkway.errors.DataError` naming the file, the line and the problem, and
:meth:`Row.provenance` insists on a ``source`` or an ``estimate`` with its reasoning. Durations
are :class:`LogNormal` by their median and 90th percentile.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from silkway.errors import DataError
from silkway.types import Mode

DATA_TYPES = frozenset({"default", "modelled", "primary"})
"""ISO 14083 data types an emission factor row may give."""


@dataclass(frozen=True, slots=True)
class LogNormal:
    """A positive duration in days, lognormal, given by its median and 90th percentile.

    The p50/p90 form is what published figures give ("typically 2-3 days, up to 10"),
    so it is the form the tables use.
    """

    p50: float
    p90: float

    @property
    def sigma(self) -> float:
        """Shape parameter: ln(p90/p50) / z(0.9)."""
        if self.p50 <= 0 or self.p90 <= self.p50:
            return 0.0
        return math.log(self.p90 / self.p50) / 1.2815515655446004

    @property
    def mu(self) -> float:
        """Log-scale location: ln(p50) (``-inf`` for a zero duration)."""
        return math.log(self.p50) if self.p50 > 0 else -math.inf

    @property
    def mean(self) -> float:
        """Expected value in days."""
        if self.p50 <= 0:
            return 0.0
        return self.p50 * math.exp(self.sigma**2 / 2)

    @property
    def var(self) -> float:
        """Variance in days squared."""
        if self.p50 <= 0:
            return 0.0
        s2 = self.sigma**2
        return (math.exp(s2) - 1.0) * self.p50**2 * math.exp(s2)


ZERO = LogNormal(0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a row's numbers come from: a citation, or an estimate with its reasoning."""

    source: str
    estimate: str



class Row:
    """One CSV row with typed getters that raise DataError naming file, line and column."""

    def __init__(self, fname: str, line: int, values: dict[str, str]) -> None:
        self.fname, self.line, self.values = fname, line, values

    def fail(self, msg: str) -> DataError:
        key = next(iter(self.values.values()), "")
        return DataError(f"{self.fname} line {self.line} ({key}): {msg}")

    def text(self, col: str, *, required: bool = True) -> str:
        val = (self.values.get(col) or "").strip()
        if required and not val:
            raise self.fail(f"column {col!r} is empty")
        return val

    def num(self, col: str, *, lo: float = -math.inf, hi: float = math.inf,
            default: float | None = None) -> float:
        raw = self.text(col, required=default is None)
        if not raw:
            assert default is not None
            return default
        try:
            val = float(raw)
        except ValueError:
            raise self.fail(f"column {col!r} is not a number: {raw!r}") from None
        if not (lo <= val <= hi) or math.isnan(val):
            raise self.fail(f"column {col!r} = {val} is outside [{lo}, {hi}]")
        return val

    def lognormal(self, prefix: str, *, optional: bool = False) -> LogNormal:
        default = 0.0 if optional else None
        p50 = self.num(f"{prefix}_p50", lo=0, hi=400, default=default)
        p90 = self.num(f"{prefix}_p90", lo=0, hi=400, default=default)
        if p90 < p50:
            raise self.fail(f"{prefix}_p90 ({p90}) is below {prefix}_p50 ({p50})")
        return LogNormal(p50, p90)

    def provenance(self) -> Provenance:
        source = self.text("source", required=False)
        estimate = self.text("estimate", required=False)
        if not source and not estimate:
            raise self.fail("has neither a source nor an estimate with its reasoning")
        return Provenance(source, estimate)

    def data_type(self) -> str:
        raw = self.text("data_type")
        if raw not in DATA_TYPES:
            raise self.fail(f"data_type {raw!r} is not one of {sorted(DATA_TYPES)}")
        return raw

    def mode(self) -> Mode:
        raw = self.text("mode")
        try:
            return Mode(raw)
        except ValueError:
            raise self.fail(f"mode {raw!r} is not one of {[m.value for m in Mode]}") from None


def table_rows(fname: str, text: str, columns: tuple[str, ...]) -> Iterator[Row]:
    """The rows of table ``fname`` (CSV ``text``), which must have ``columns``."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"{fname}: missing column(s) {', '.join(missing)}")
    for values in reader:
        if None in values:
            raise DataError(f"{fname} line {reader.line_num}: more fields than the header")
        yield Row(fname, reader.line_num, values)


def unique(fname: str, items: list[Any], key: Callable[[Any], str]) -> dict[str, Any]:
    """``items`` by ``key``; a repeated key is a DataError."""
    out: dict[str, Any] = {}
    for item in items:
        k = key(item)
        if k in out:
            raise DataError(f"{fname}: duplicate key {k!r}")
        out[k] = item
    return out



def choice(row: Row, col: str, allowed: frozenset[str]) -> str:
    """Column ``col`` of ``row``, which must be one of ``allowed``."""
    raw = row.text(col)
    if raw not in allowed:
        raise row.fail(f"{col} {raw!r} is not one of {sorted(allowed)}")
    return raw



__all__ = ["DATA_TYPES", "ZERO", "LogNormal", "Provenance", "Row", "choice", "table_rows", "unique"]
