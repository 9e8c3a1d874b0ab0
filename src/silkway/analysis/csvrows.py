"""One reader for the CSV files of rows that silkway plans (shipments, demand flows).

:func:`read_csv_file` turns a path into text, :func:`read_rows` turns that text into items and
:class:`RowError` rows. Both kinds of file share the same rules, so they share this code: the
header is case-insensitive (spaces and dashes read as ``_``), a repeated or missing required
column stops the whole file with one sentence, a wholly blank line is not a row, and every other
data line becomes exactly one item or one :class:`RowError` naming its row: never a dropped row
(nor a dropped value: a row with more fields than the header, or with a value under a column the
header leaves unnamed, is an error row).
"""

from __future__ import annotations

import csv
import difflib
import io
import logging
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from silkway._text import UnreadableNumberError, control_char, invisible, nfkc, plain_float
from silkway._userfile import MAX_TABLE_BYTES, read_user_bytes
from silkway.errors import InputError

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RowError:
    """A data row that cannot be planned as given.

    Attributes
    ----------
    row
        1-based data line of the input.
    problem
        What is wrong, without the row number (see :attr:`message`).
    id, origin, destination
        The row's values as given, to identify it in the output.
    """

    row: int
    problem: str
    id: str | None = None
    origin: str | None = None
    destination: str | None = None

    @property
    def message(self) -> str:
        """One sentence naming the row and the problem."""
        return f"row {self.row}: {self.problem}"


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as text, keyed by the normalised header names, before validation.

    Attributes
    ----------
    row
        1-based data line of the input (the line after the header is row 1).
    values
        Column name -> stripped cell text (cells of unnamed columns are left out).
    """

    row: int
    values: dict[str, str]

    @property
    def ident(self) -> str | None:
        """The row's ``id`` column, if any."""
        return self.values.get("id") or None

    @property
    def origin(self) -> str:
        return self.values.get("origin", "")

    @property
    def destination(self) -> str:
        return self.values.get("destination", "")

    def error(self, problem: str) -> RowError:
        """This row as a :class:`RowError` for ``problem``."""
        return RowError(self.row, problem, self.ident, self.origin or None,
                        self.destination or None)

    def place_problems(self) -> list[str]:
        """The problems of an empty origin or destination (a fresh list to add to)."""
        problems: list[str] = []
        if not self.origin:
            problems.append("origin is empty")
        if not self.destination:
            problems.append("destination is empty")
        return problems


def read_csv_file(path: str | Path, kind: str) -> str:
    """The text of the UTF-8 CSV file at ``path`` (a byte-order mark is dropped).

    Raises
    ------
    InputError
        When the file cannot be read (missing, a directory, a pipe or device, over
        :data:`~silkway._userfile.MAX_TABLE_BYTES`) or is not UTF-8; ``kind`` (e.g.
        ``"shipments"``) names the file in the sentence.
    """
    p = Path(path)
    raw = read_user_bytes(p, kind=kind, limit=MAX_TABLE_BYTES)
    other = _other_format(raw)
    if other is not None:
        raise InputError(f"{kind} file {p} is {other}; save it as UTF-8 CSV with a "
                         "header row")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{kind} file {p} is not UTF-8 text (byte 0x{raw[exc.start]:02x} at "
                        f"offset {exc.start}); save it as UTF-8 CSV") from None


_MAGIC = ((b"PAR1", "a Parquet file"), (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx?)"),
          (b"\xd0\xcf\x11\xe0", "an old Excel .xls file"), (b"\x1f\x8b", "gzip-compressed"),
          (b"SQLite format 3\x00", "an SQLite database"), (b"\xff\xfe", "UTF-16 text"),
          (b"\xfe\xff", "UTF-16 text"), (b"%PDF", "a PDF document"))


def _other_format(raw: bytes) -> str | None:
    """What a file that is not CSV text is, from its first bytes, or None: a Parquet input was
    "not UTF-8 text (byte 0x90 at offset 249)" and a JSON one "not valid CSV at line 1"."""
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            return what
    head = raw.removeprefix(b"\xef\xbb\xbf").lstrip()[:1]
    if head in (b"[", b"{"):
        return "JSON text"
    return None


def read_rows(text: str, *, kind: str, name: str, required: Sequence[str],
              parse: Callable[[RawRow], T | RowError],
              check_columns: Callable[[list[str]], None] | None = None,
              comments: bool = False) -> tuple[list[T], list[RowError]]:
    """Read CSV text into parsed items and per-row errors (both in input order).

    Parameters
    ----------
    text
        The CSV text, header first.
    kind, name
        What the file holds (``"shipments"``) and where it came from, for error sentences.
    required
        Columns the header must name.
    parse
        Validates one row with as many fields as the header or fewer; returns the item or the
        row's :class:`RowError`. A row with more fields than the header, or too few to hold a
        required column, is an error without it (a short row's missing optional columns are
        empty).
    check_columns
        Called with the normalised header names, to reject or warn of unknown columns.
    comments
        Whether a line whose first cell starts with ``#`` is a comment rather than a row. Below
        a header whose first column is ``id`` such a line is an error row: ``#1`` may be an id
        as well as a row commented out, and a row dropped unseen is worse than one refused.

    Raises
    ------
    InputError
        When the file as a whole is unusable: not CSV, empty, with a repeated column or
        without a required one.
    """
    items: list[T] = []
    errors: list[RowError] = []
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header: list[str] | None = None
    header_line = 0
    last_line = 0
    try:
        for record in reader:
            start, last_line = last_line + 1, reader.line_num
            hashed = comments and bool(record) and record[0].lstrip().startswith("#")
            if not any(v.strip() for v in record) or (
                    hashed and (header is None or header[0] != "id")):
                continue
            if header is None:
                header, header_line = _header(record, kind, name, required), reader.line_num
                if check_columns is not None:
                    check_columns(header)
                continue
            if len(items) + len(errors) >= MAX_TABLE_ROWS:  # before one more is kept
                raise InputError(f"{kind} file {name} has more than {MAX_TABLE_ROWS:,} rows; "
                                 "split it into files of at most that many")
            raw = RawRow(start - header_line,
                         {n: v.strip() for n, v in zip(header, record, strict=False) if n})
            unnamed = [i for i, (n, v) in enumerate(zip(header, record, strict=False), 1)
                       if not n and v.strip()]
            if hashed:  # an id '#1' first in its row was dropped unseen as a comment
                item: T | RowError = raw.error(
                    f"its id {record[0].strip()[:40]!r} starts with '#', which also marks a "
                    "comment: begin the id otherwise, or move a comment above the header")
            elif len(record) > len(header):
                item = raw.error(
                    f"it has {len(record)} fields but the header has {len(header)}")
            elif short := [c for c in header[len(record):] if c in required]:
                # (read as "destination is empty", of a row that has no such field at all)
                item = raw.error(f"it has {len(record)} fields but the header has {len(header)}: "
                                 f"no field for {short[0]}")
            elif unnamed:  # a value under a column without a name would be dropped unseen
                item = raw.error(f"field {unnamed[0]} has a value but its column has no name in "
                                 "the header")
            elif (bad := _cell_problem(raw.values)) is not None:
                item = raw.error(bad)
            else:
                item = parse(raw)
            if isinstance(item, RowError):
                errors.append(item)
            else:
                items.append(item)
    except csv.Error as exc:
        raise InputError(f"{kind} file {name} is not valid CSV at line {reader.line_num}: "
                         f"{exc}") from None
    if header is None:
        raise InputError(f"{kind} file {name} is empty; it needs a header row naming "
                         f"{_or(required, 'and')}")
    log.info("read %d %s and %d bad rows from %s", len(items), kind, len(errors), name)
    return items, errors


MAX_TABLE_ROWS = 1_000_000
"""Most data rows read from one CSV input (shipments, flows, pairs). A million shipment rows
take about 1.5 GB to hold and half a minute to read; the 256 MiB file limit alone let through
some 12 million, which would not fit in memory (the API's batch takes at most 10,000)."""

MAX_CELL_CHARS = 1000
"""Longest cell read, in characters: no column needs more (a place name is at most 200), and a
longer cell was echoed whole into the row's error sentence and the output's error column."""


def _cell_problem(values: dict[str, str]) -> str | None:
    """Why a row is refused for a cell over :data:`MAX_CELL_CHARS` or with a control or
    bidirectional-override character, or None: an escape sequence in an id reached the output
    CSV and the terminal as it was, and U+202E reversed what a spreadsheet shows
    (:func:`silkway._text.control_char`). The cell itself is not echoed."""
    for column, value in values.items():
        if len(value) > MAX_CELL_CHARS:
            return (f"{column} is {len(value):,} characters long; a cell holds at most "
                    f"{MAX_CELL_CHARS:,}")
        ch = control_char(value)
        if ch is not None:
            return (f"{column} holds the control character U+{ord(ch):04X} (character "
                    f"{value.index(ch) + 1}), which no {column} needs")
    return None


def _header(record: list[str], kind: str, name: str, required: Sequence[str]) -> list[str]:
    # NFKC, as every code and name read is: a full-width "ａｖｏｉｄ" was an unknown column
    names = [nfkc(h).strip().lower().replace(" ", "_").replace("-", "_")
             for h in record]
    counts = Counter(names)  # names.count per name took 94 s for a header of 100,000 columns
    dupes = sorted(n for n, k in counts.items() if n and k > 1)
    if dupes:
        raise InputError(f"{kind} file {name} repeats column(s) {', '.join(dupes)} in its header")
    missing = [c for c in required if c not in names]
    if missing:
        seps = [(";", "';'"), ("\t", "tab"), ("|", "'|'")]
        hint = next((f"; it looks {word}-separated, use commas" for sep, word in seps
                     if len(names) == 1 and sep in names[0]), "")
        found = ", ".join(n for n in names if n) or "none"
        raise InputError(f"{kind} file {name} has no {_or(missing, 'or')} column "
                         f"(found: {found}){hint}")
    return names


def _id_key(ident: str) -> str:
    """An id as a person reads it: NFC, without :func:`~silkway._text.invisible` characters."""
    return "".join(ch for ch in unicodedata.normalize("NFC", ident) if not invisible(ch))


class _Identified(Protocol):
    @property
    def row(self) -> int: ...
    @property
    def id(self) -> str | None: ...
    @property
    def origin(self) -> str: ...
    @property
    def destination(self) -> str: ...


R = TypeVar("R", bound=_Identified)


def refuse_repeated_ids(rows: list[R], errors: list[RowError], *, what: str
                        ) -> tuple[list[R], list[RowError]]:
    """A row whose ``id`` an earlier row already used (an error row too) becomes an error row
    naming that row: two answers under one id (both were given, unseen) leave the reader to
    guess which is the ``what`` (a shipment, a flow). Ids are compared as they read
    (:func:`_id_key`): a decomposed ``é`` or a zero-width space does not make another id."""
    first: dict[str, tuple[int, str]] = {}
    for row, ident in sorted([(s.row, s.id) for s in rows] + [(e.row, e.id) for e in errors]):
        if ident is not None:
            first.setdefault(_id_key(ident), (row, ident))
    kept: list[R] = []
    for s in rows:
        earlier, seen = (None, None) if s.id is None else first[_id_key(s.id)]
        if earlier is not None and earlier != s.row:
            same = unicodedata.normalize("NFC", seen or "") == unicodedata.normalize("NFC", s.id or "")
            how = "" if same else " (the two differ only by invisible characters)"
            errors.append(RowError(s.row, f"its id is already used by row {earlier}{how}: an "
                                          f"id names one {what}; give this row its own",
                                   s.id, s.origin, s.destination))
        else:
            kept.append(s)
    errors.sort(key=lambda e: e.row)
    return kept, errors


def refuse_unknown_columns(names: Sequence[str], known: Sequence[str], *, kind: str,
                           name: str, hint: str = "") -> None:
    """Refuse a header naming a column outside ``known``, with *did you mean* for each of the
    first five: a column the reader does not know would be ignored, and every row's answer
    silently changed (a flows file's ``avoids`` assigned its flows through Russia).

    Raises
    ------
    InputError
        Naming the unknown columns and listing the known ones (then ``hint``, if any).
    """
    unknown = [n for n in names if n and n not in known]
    if not unknown:
        return
    named = []
    for n in unknown[:5]:
        close = difflib.get_close_matches(n, known, n=1, cutoff=0.6)
        if not close:
            close = [c for c in known if n and c.startswith(n)][:1]
        named.append(f"{_clip(n)!r}" + (f" (did you mean {close[0]}?)" if close else ""))
    more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
    raise InputError(f"{kind} file {name} has unknown column(s) {', '.join(named)}{more}; "
                     f"the columns are {', '.join(known)}{hint}")


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _or(words: Sequence[str], last: str) -> str:
    """``a``, ``a or b``, ``a, b or c`` (with ``last`` for ``or``)."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def _number(text: str, name: str, problems: list[str]) -> float | None:
    """The cell as a float; NaN where it is not a plain decimal number (so the caller's check
    rejects it): Python's underscored ``1_000``, ``١٠`` and ``nan`` included
    (:func:`silkway._text.plain_float`). None, with the problem added, for a number too large
    or too small to read (``1e309`` was "not a positive number")."""
    try:
        return plain_float(text)
    except UnreadableNumberError as exc:
        problems.append(f"{name} {exc}")
        return None
    except ValueError:
        return math.nan


def parse_int(text: str, name: str, *, minimum: int, unit: str,
              problems: list[str], maximum: int | None = None, why: str = "") -> int | None:
    """A whole number of at least ``minimum`` (and at most ``maximum``, ``why`` saying why)
    from a cell, None for an empty cell.

    A bad value adds one problem to ``problems`` and gives None.
    """
    if not text:
        return None
    number = _number(text, name, problems)
    if number is None:
        return None
    if not (math.isfinite(number) and number.is_integer()):
        problems.append(f"{name} {text!r} is not a whole number of {unit} ({minimum} or more)")
        return None
    if number < minimum:
        problems.append(f"{name} {text!r} is less than {minimum} (a whole number of {unit}, "
                        f"{minimum} or more)")
        return None
    if not _at_most(number, maximum, text, name, unit, why, problems):
        return None
    return int(number)


def parse_float(text: str, name: str, *, problems: list[str], positive: bool = False,
                maximum: float | None = None, unit: str = "", why: str = "") -> float | None:
    """A finite (optionally positive) number from a cell (at most ``maximum`` ``unit``,
    ``why`` saying why), None for an empty cell.

    A bad value adds one problem to ``problems`` and gives None.
    """
    if not text:
        return None
    number = _number(text, name, problems)
    if number is None:
        return None
    if not math.isfinite(number) or (positive and number <= 0):
        problems.append(f"{name} {text!r} is not a {'positive ' if positive else ''}number")
        return None
    if not _at_most(number, maximum, text, name, unit, why, problems):
        return None
    return number


def _at_most(number: float, maximum: float | None, text: str, name: str, unit: str, why: str,
             problems: list[str]) -> bool:
    """Whether ``number`` is within ``maximum``; if not, one problem naming it is added."""
    if maximum is None or number <= maximum:
        return True
    problems.append(f"{name} {text!r} is more than {maximum:,} {unit}{why}")
    return False


__all__ = ["RawRow", "RowError", "parse_float", "parse_int", "read_csv_file", "read_rows",
           "refuse_unknown_columns"]
