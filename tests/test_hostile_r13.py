"""Hostile input, round 13: stdout closed or left by its reader, scenario keys that are not
text, and an API batch without a shipment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# -- stdout: a reader that stops reading, a stream that is closed -----------------------------


def _silkway(args: list[str], cache_dir: Path, **kw):
    env = {**os.environ, "SILKWAY_CACHE_DIR": str(cache_dir), "COLUMNS": "100"}
    return subprocess.Popen([sys.executable, "-m", "silkway.cli", *args], env=env,
                            stderr=subprocess.PIPE, **kw)


def test_a_reader_that_stops_reading_is_not_an_internal_error(cache_dir):
    """``silkway plan A B | head -1``: the table's write to the closed pipe ended the process
    with exit 1, the code of an internal error, and no word. The reader asked for no more."""
    for args in (["plan", "Toyama", "Aktau"], ["compare", "Toyama", "Aktau", "--month", "1"]):
        p = _silkway(args, cache_dir, stdout=subprocess.PIPE)
        assert p.stdout is not None and p.stderr is not None
        p.stdout.close()  # before the command has planned and written anything
        err = p.stderr.read().decode()
        assert p.wait(timeout=120) == 0, (args, err[-1000:])
        assert err == "", err[-1000:]


def test_a_closed_stdout_is_refused_not_an_internal_error_or_lost(cache_dir):
    """Started with stdout closed (``>&-``), ``plan --json`` was an internal error (exit 1,
    'NoneType' object has no attribute 'write') and ``plan`` or ``hubs`` exit 0 with the
    answer lost unseen."""
    for args in (["plan", "Toyama", "Aktau", "--json"], ["plan", "Toyama", "Aktau"], ["hubs"]):
        p = _silkway(args, cache_dir, stdout=subprocess.DEVNULL,
                     preexec_fn=lambda: os.close(1))
        assert p.stderr is not None
        err = p.stderr.read().decode()
        assert p.wait(timeout=120) == 2, (args, err[-1000:])
        assert "standard output is closed" in err and "Traceback" not in err, err[-1000:]
        assert len(err.strip().splitlines()) == 1, err
