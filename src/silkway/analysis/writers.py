"""Writing outputs: tidy tables of rows (batch plans, assignment results) as Parquet or CSV,
PNG charts and text reports; each checked before any work (:func:`check_output`) and written
to a temporary name renamed into place (:func:`_atomic`), so that a failed write leaves no half
file, and a full disk is the backend's fault (exit 5) while a bad name is the user's (exit 2)."""

from __future__ import annotations

import csv
import errno
import itertools
import logging
import operator
import os
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from silkway._csvcell import safe_row
from silkway.errors import BackendError, ConstraintError, SilkwayError

log = logging.getLogger(__name__)

INT, FLOAT, STR = "int64", "float64", "string"
"""Column types that :func:`write_table` takes (and ``bool``)."""


def check_output(path: str | Path, *, suffixes: tuple[str, ...] = (".parquet", ".csv"),
                 inputs: Iterable[str | Path] = (), what: str = "output file") -> Path:
    """Check, before any work is done, that ``path`` can take an output file.

    Parameters
    ----------
    suffixes
        The extensions allowed (lower case); the first names the format in the sentence.
    inputs
        Files the command reads: the output may not be one of them (writing it would replace
        the input).
    what
        What the file is, for the sentence (``"output file"``, ``"chart"``).

    Raises
    ------
    ConstraintError
        For an empty name, another extension, a directory, a folder that does not exist, or one
        of ``inputs``.
    """
    if not str(path).strip():
        raise ConstraintError(f"the {what} name is empty")
    p = Path(path)
    if p.is_dir():  # first: "." (also what an empty name becomes) is a folder, whatever its end
        raise ConstraintError(f"{what} {p} is a directory")
    if p.name.lower() in suffixes:  # ".png": a hidden file with no extension, to Python
        raise ConstraintError(f"{what} {p} has no name before {p.name}")
    if p.suffix.lower() not in suffixes:
        allowed = " or ".join(suffixes)
        raise ConstraintError(f"{what} {p} must end in {allowed}")
    if not p.parent.is_dir():
        raise ConstraintError(f"{what} {p}: the folder {p.parent} does not exist")
    target = p
    if p.is_symlink():  # written where the link points (renaming onto the link would replace it)
        try:
            target = p.resolve(strict=False)
        except (OSError, RuntimeError):
            raise ConstraintError(f"{what} {p} is a symbolic-link loop") from None
        if not target.parent.is_dir():
            raise ConstraintError(f"{what} {p} points to {target}, whose folder does not exist")
    if target.exists() and not target.is_file():
        raise ConstraintError(f"{what} {p} is not a regular file (a device, FIFO or socket); "
                              "give a file name")
    for source in inputs:
        src = Path(source)
        try:
            same = (p.exists() and src.exists() and p.samefile(src)) or p.resolve() == src.resolve()
        except (OSError, RuntimeError):  # a symbolic-link loop: the reader names it
            same = False
        if same:
            raise ConstraintError(f"{what} {p} is the input file {src}; writing it would replace "
                                  "the input, give another name")
    return target


_DISK = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EFBIG})
"""A write that fails with one of these failed for the disk, not for the name it was given."""


def write_failure(path: str | Path, exc: OSError, what: str = "") -> SilkwayError:
    """The error for an output that could not be written: a full disk, a quota or an I/O
    error is a :class:`BackendError` (exit 5, HTTP 503, as the README's table says), anything
    else (no permission, a read-only file system, a vanished folder) a
    :class:`ConstraintError` about the name (exit 2)."""
    text = f"cannot write {what + ' ' if what else ''}{path}: {exc.strerror or exc}"
    return BackendError(text) if exc.errno in _DISK else ConstraintError(text)


def _umask() -> int:
    """The process's umask. Linux reports it in /proc/self/status, which leaves it alone:
    setting it (the only way elsewhere) would, for that moment, give files other threads
    create the wrong mode."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)  # briefly the most private mask, never a wider one
    os.umask(mask)
    return mask


def _atomic(p: Path, write: Callable[[Path], object], what: str = "") -> None:
    """Call ``write(tmp)`` for a temporary file beside ``p``, then rename it to ``p``; the
    temporary file never outlives a fault."""
    try:
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}-", suffix=p.suffix)
        os.close(fd)
        Path(tmp).chmod(0o666 & ~_umask())  # mkstemp's file is 0600: give it the usual mode
    except OSError as exc:
        raise write_failure(p, exc, what) from None
    try:
        write(Path(tmp))
        Path(tmp).replace(p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise write_failure(p, exc, what) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(text: str, path: str | Path, *, suffixes: tuple[str, ...] = (".html", ".htm"),
               what: str = "report") -> Path:
    """Write ``text`` (UTF-8) to ``path``, checked by :func:`check_output`; the path written.

    Raises
    ------
    ConstraintError
        For a name :func:`check_output` refuses, or one that cannot be written.
    BackendError
        For a full disk or an I/O error.
    """
    p = check_output(path, suffixes=suffixes, what=what)
    _atomic(p, lambda tmp: tmp.write_text(text, encoding="utf-8"), what)
    return p


def save_figure(fig: Any, path: str | Path) -> None:
    """Save a matplotlib figure as the PNG chart ``path`` (checked by :func:`check_output`).

    Raises
    ------
    ConstraintError
        For a name that is not a ``.png`` file in an existing folder, or a file that cannot be
        written.
    BackendError
        For a full disk or an I/O error.
    """
    p = check_output(path, suffixes=(".png",), what="chart")
    _atomic(p, lambda tmp: fig.savefig(tmp, format="png"), "chart")


def write_table(rows: Iterable[dict[str, Any]], path: str | Path,
                columns: dict[str, str] | None = None) -> None:
    """Write rows of a tidy table to ``path``: Parquet for ``.parquet``, CSV for ``.csv``.

    The file is written to a temporary name and renamed into place, so a failed write leaves no
    half file.

    Parameters
    ----------
    columns
        Column name -> ``int64``, ``float64``, ``bool`` or ``string``, in order; None infers
        them from the rows (first non-empty value of each key, in first-seen key order).

    Raises
    ------
    ConstraintError
        For another extension or a file that cannot be written.
    BackendError
        For a full disk or an I/O error.

    Notes
    -----
    CSV text cells that a spreadsheet would run as a formula are prefixed with ``'``
    (:func:`silkway._csvcell.safe_cell`); Parquet keeps values as they are.
    """
    p = check_output(path)
    suffix = p.suffix.lower()
    rows = list(rows)
    types = columns if columns is not None else _infer_types(rows)

    def write(tmp: Path) -> None:
        if suffix == ".parquet":
            _write_parquet(rows, tmp, types)
        else:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(types), extrasaction="ignore")
                writer.writeheader()
                writer.writerows(safe_row(row) for row in rows)

    _atomic(p, write)
    log.info("wrote %d rows to %s", len(rows), p)


def _infer_types(rows: list[dict[str, Any]]) -> dict[str, str]:
    def kind(value: Any) -> str:
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int):
            return INT
        return FLOAT if isinstance(value, float) else STR

    types: dict[str, str | None] = {}
    for row in rows:
        for key, value in row.items():
            known = types.get(key)
            if value is None:
                types.setdefault(key, None)
            elif known is None:
                types[key] = kind(value)
            elif known == INT and kind(value) == FLOAT:
                types[key] = FLOAT
    return {k: v or STR for k, v in types.items()}


def _write_parquet(rows: list[dict[str, Any]], path: Path, columns: dict[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {INT: pa.int64(), FLOAT: pa.float64(), STR: pa.string(), "bool": pa.bool_()}
    schema = pa.schema([(name, types[kind]) for name, kind in columns.items()])
    arrays = [_arrow_array([r.get(name) for r in rows], kind, types[kind])
              for name, kind in columns.items()]
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)


_INT64 = (-(2**63), 2**63 - 1)
_EXACT_FLOAT_INT = 2**53  # ints up to this converted to float64 exactly by NumPy and Arrow alike


def _arrow_array(values: list[Any], kind: str, arrow_type: Any) -> Any:
    """One column as an Arrow array, built from its buffers when every value has the column's
    own Python type (or is None): ``pyarrow.array`` on a list imports pandas (0.3-0.5 s, more
    than writing a 100,000-row batch). Other values, or any once pandas is imported, go to
    ``pyarrow.array``, which converts or refuses them as it always has (and is faster)."""
    import numpy as np
    import pyarrow as pa

    if "pandas" in sys.modules:
        return pa.array(values, type=arrow_type)
    n = len(values)
    present = np.fromiter(map(operator.is_not, values, itertools.repeat(None)), dtype=bool,
                          count=n)
    nulls = n - int(np.count_nonzero(present))
    seen = set(map(type, values)) - {type(None)}
    validity = pa.py_buffer(np.packbits(present, bitorder="little")) if nulls else None
    numbers = [0 if v is None else v for v in values] if kind in (INT, FLOAT) else []
    if kind == INT and seen <= {int} and (not numbers or (_INT64[0] <= min(numbers)
                                          and max(numbers) <= _INT64[1])):
        data = pa.py_buffer(np.array(numbers, dtype=np.int64))
        return pa.Array.from_buffers(arrow_type, n, [validity, data], nulls)
    if kind == FLOAT and (seen <= {float} or (seen <= {float, int} and all(
            abs(v) <= _EXACT_FLOAT_INT for v in numbers if type(v) is int))):
        data = pa.py_buffer(np.array(numbers, dtype=np.float64))
        return pa.Array.from_buffers(arrow_type, n, [validity, data], nulls)
    if kind == "bool" and seen <= {bool}:
        bits = np.packbits(np.fromiter(map(operator.is_, values, itertools.repeat(True)),
                                       dtype=bool, count=n), bitorder="little")
        return pa.Array.from_buffers(arrow_type, n, [validity, pa.py_buffer(bits)], nulls)
    if kind == STR and seen <= {str}:
        texts = ["" if v is None else v for v in values]
        joined = "".join(texts)
        try:
            if joined.isascii():  # one byte per character
                parts: list[Any] = texts
                data = joined.encode("ascii")
            else:
                parts = [t.encode("utf-8") for t in texts]
                data = b"".join(parts)
        except UnicodeEncodeError:  # a lone surrogate: pyarrow names the problem
            return pa.array(values, type=arrow_type)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, parts), dtype=np.int64, count=n), out=offsets[1:])
        if offsets[-1] < 2**31:  # a string column's offsets are 32-bit
            return pa.Array.from_buffers(arrow_type, n, [
                validity, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(data)], nulls)
    return pa.array(values, type=arrow_type)


__all__ = ["FLOAT", "INT", "STR", "check_output", "save_figure", "write_failure", "write_table",
           "write_text"]
