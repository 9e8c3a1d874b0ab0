"""Writing tidy tables of rows (batch plans, assignment results) as Parquet or CSV."""

from __future__ import annotations

import csv
import logging
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from silkway._csvcell import safe_row
from silkway.errors import ConstraintError

log = logging.getLogger(__name__)

INT, FLOAT, STR = "int64", "float64", "string"
"""Column types that :func:`write_table` takes (and ``bool``)."""


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

    Notes
    -----
    CSV text cells that a spreadsheet would run as a formula are prefixed with ``'``
    (:func:`silkway._csvcell.safe_cell`); Parquet keeps values as they are.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise ConstraintError(f"output file {p} must end in .parquet or .csv")
    rows = list(rows)
    types = columns if columns is not None else _infer_types(rows)
    try:
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}-", suffix=suffix)
    except OSError as exc:
        raise ConstraintError(f"cannot write {p}: {exc.strerror or exc}") from None
    try:
        if suffix == ".parquet":
            os.close(fd)
            _write_parquet(rows, Path(tmp), types)
        else:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(types), extrasaction="ignore")
                writer.writeheader()
                writer.writerows(safe_row(row) for row in rows)
        Path(tmp).replace(p)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ConstraintError(f"cannot write {p}: {exc.strerror or exc}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
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
    table = pa.table({name: [r.get(name) for r in rows] for name in columns}, schema=schema)
    pq.write_table(table, path)


__all__ = ["FLOAT", "INT", "STR", "write_table"]
