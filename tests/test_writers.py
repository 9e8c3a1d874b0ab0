"""Tables written as Parquet: the columns built from their buffers are the arrays pyarrow
would build from the values, and writing a batch does not import pandas."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from silkway.analysis import writers
from silkway.analysis.writers import FLOAT, INT, STR, write_table

TYPES = {INT: pa.int64(), FLOAT: pa.float64(), STR: pa.string(), "bool": pa.bool_()}
COLUMNS = {
    INT: [1, None, -(2**63), 2**63 - 1, 0, 7],
    FLOAT: [1.5, None, 3, -0.0, math.inf, 2**53],
    STR: ["Toyama → Bishkek", None, "", "RU,BY", "a\nb", "é" * 300],
    "bool": [True, None, False, False, True, None],
}


@pytest.fixture
def no_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a fresh process that never imported pandas (the buffers path)."""
    monkeypatch.delitem(sys.modules, "pandas", raising=False)


@pytest.mark.parametrize("kind", list(COLUMNS))
@pytest.mark.parametrize("nulls", [True, False])
def test_a_column_from_its_buffers_is_the_array_pyarrow_builds(no_pandas, kind, nulls):
    values = COLUMNS[kind] if nulls else [v for v in COLUMNS[kind] if v is not None]
    got = writers._arrow_array(values, kind, TYPES[kind])
    want = pa.array(values, type=TYPES[kind])
    assert got.equals(want)
    assert got.null_count == (values.count(None))
    assert got.to_pylist() == values
    assert writers._arrow_array([], kind, TYPES[kind]).equals(pa.array([], type=TYPES[kind]))


def test_a_nan_stays_a_value_and_odd_values_get_pyarrows_answer(no_pandas):
    got = writers._arrow_array([math.nan, None], FLOAT, pa.float64())
    assert got.null_count == 1 and math.isnan(got[0].as_py())
    # a float in an integer column, a bool in an integer column, an int past 64 bits, a number
    # in a text column: whatever pyarrow does with them (convert or refuse), the writer does
    for values, kind in [([2.0, 1], INT), ([True, 2], INT), ([2**70], FLOAT), ([2**64], INT),
                         ([5, "x"], STR), (["\ud800"], STR)]:
        try:
            want = pa.array(values, type=TYPES[kind])
        except (pa.ArrowException, ValueError, TypeError, OverflowError) as exc:
            with pytest.raises(type(exc)):
                writers._arrow_array(values, kind, TYPES[kind])
        else:
            assert writers._arrow_array(values, kind, TYPES[kind]).equals(want)


def test_a_parquet_file_reads_back_the_rows(no_pandas, tmp_path: Path):
    rows = [dict(zip(["n", "x", "s", "b"], vals, strict=True))
            for vals in zip(*COLUMNS.values(), strict=True)]
    out = tmp_path / "t.parquet"
    write_table(rows, out, {"n": INT, "x": FLOAT, "s": STR, "b": "bool"})
    assert pq.read_table(out).to_pylist() == rows


def test_writing_a_batch_does_not_import_pandas(tmp_path: Path):
    out = tmp_path / "rows.parquet"
    code = ("import sys; from silkway.analysis.batch import write_results, COLUMNS; "
            "rows = [dict.fromkeys(COLUMNS) | {'row': i, 'status': 'ok', 'days_p50': 1.5} "
            "for i in range(1, 4)]; "
            f"write_results(rows, {str(out)!r}); print('pandas' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
    assert [r["row"] for r in pq.read_table(out).to_pylist()] == [1, 2, 3]


def test_an_output_gets_the_mode_of_the_umask_which_is_read_not_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # setting the umask, even for a moment, would give files other threads create meanwhile
    # the wrong mode: on Linux it is read from /proc/self/status and never set
    import os

    old = os.umask(0o027)
    try:
        def no_set(mask: int) -> int:
            raise AssertionError(f"os.umask({mask:o}) called while writing")

        monkeypatch.setattr(os, "umask", no_set)
        writers.write_text("<p>x</p>", tmp_path / "out.html")
        assert (tmp_path / "out.html").stat().st_mode & 0o777 == 0o640
        assert writers._umask() == 0o027
    finally:
        monkeypatch.undo()
        os.umask(old)
