"""Command-line interface: ``silkway plan``, ``silkway hubs``, ``silkway network``.

Exit codes (one mapping, :func:`silkway.errors.exit_code`): 0 success; 2 bad input (the user's
place, option, file or row, including usage errors); 3 no route satisfies the constraints; 4 the
shipped data or the network cache is broken; 5 a backend failed (database, Dask scheduler, disk);
1 an internal error. Every error is one line on stderr (``{"error", "detail", "exit_code"}`` JSON
with ``--json``), never a traceback, and user text is never read as rich markup.

The command group and what its commands share are in :mod:`silkway.cli._app`; the commands, by
theme, in :mod:`~silkway.cli.planning` (plan, emissions, corridors), :mod:`~silkway.cli.analysis`
(scenarios, compare, sweep, batch), :mod:`~silkway.cli.data` (hubs, serve, network, calibrate)
and :mod:`~silkway.cli.assign`; :mod:`silkway.cli._commands` registers them on :data:`app`, in
the order ``silkway --help`` lists them. Importing this package costs nothing: :func:`main` (the
``silkway`` command) imports the commands, and the names below load on first use.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from silkway.cli._app import (
        EXIT_BAD_INPUT,
        EXIT_INTERNAL,
        MAX_DETAIL_CHARS,
        _quiet_dask,  # noqa: F401 - importable from here as before the split
        app,
    )
    from silkway.cli._commands import group_for
    from silkway.cli.planning import _legs_lines, _route_table  # noqa: F401 - as before
    from silkway.errors import EXIT_BACKEND, EXIT_DATA, EXIT_NO_ROUTE

__all__ = ["EXIT_BACKEND", "EXIT_BAD_INPUT", "EXIT_DATA", "EXIT_INTERNAL", "EXIT_NO_ROUTE",
           "MAX_DETAIL_CHARS", "app", "group_for", "main"]

_CLI, _APP, _PLANNING = "silkway.cli._commands", "silkway.cli._app", "silkway.cli.planning"
_LAZY = {"app": _CLI, "group_for": _CLI, "EXIT_BAD_INPUT": _APP, "EXIT_INTERNAL": _APP,
         "MAX_DETAIL_CHARS": _APP, "_quiet_dask": _APP, "_legs_lines": _PLANNING,
         "_route_table": _PLANNING, "EXIT_BACKEND": "silkway.errors",
         "EXIT_DATA": "silkway.errors", "EXIT_NO_ROUTE": "silkway.errors"}
"""The module each name of this package is in, imported on first use."""

ONE_SHOT = frozenset({"plan", "emissions", "corridors", "hubs", "scenarios", "compare"})
"""Commands that answer and exit (in about a second from a warm network cache). They run without
the cyclic garbage collector: its passes over the objects the imported libraries leave (some
150,000: NumPy, SciPy, pydantic, typer, rich) took about a tenth of a one-shot plan, which
makes little cyclic garbage, and the memory goes back at exit; and their BLAS runs on one
thread (:data:`_BLAS_THREADS`). A network build turns the collector on again
(:func:`silkway.cli._app._load`); every other command runs with it, start-up objects frozen out
of its passes."""

_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
"""A one-shot command's BLAS runs on one thread unless these say otherwise: NumPy and SciPy each
start a pool of threads when they load (about a tenth of a plan's CPU time), for matrices a plan
never has."""


def main() -> None:
    """Entry point: run the CLI (its command group turns any failure into a one-line message)."""
    level = os.environ.get("SILKWAY_LOG", "WARNING").upper()
    logging.basicConfig(level=level if level in logging.getLevelNamesMapping() else "WARNING",
                        format="%(levelname)s %(name)s: %(message)s")
    args = sys.argv[1:]
    one_shot = bool(args) and args[0] in ONE_SHOT
    if one_shot:  # before NumPy and SciPy load their BLAS: nothing here is big linear algebra
        for var in _BLAS_THREADS:
            os.environ.setdefault(var, "1")
    collecting = gc.isenabled()
    gc.disable()  # start-up makes objects to keep, not garbage
    try:
        from silkway.cli._commands import group_for

        group = group_for(args)
    finally:
        if collecting and not one_shot:
            gc.freeze()
            gc.enable()
    group()


def __getattr__(name: str) -> Any:
    """The command group and what used to be importable from here, on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value
