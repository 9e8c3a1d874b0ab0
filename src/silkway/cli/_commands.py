"""The command table: every ``silkway`` command registered on :data:`app` in the order
``silkway --help`` lists them, and :func:`group_for`, the group that runs one command line."""


from __future__ import annotations

from collections.abc import Collection

import typer

from silkway.cli import analysis, assign, data, planning
from silkway.cli._app import (  # _quiet_dask: importable from here as before the split
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    MAX_DETAIL_CHARS,
    _Command,
    _quiet_dask,  # noqa: F401
    app,
    command_group,
    network_app,
)
from silkway.cli.planning import _legs_lines, _route_table  # noqa: F401 - as before the split
from silkway.errors import EXIT_BACKEND, EXIT_DATA, EXIT_NO_ROUTE

__all__ = ["EXIT_BACKEND", "EXIT_BAD_INPUT", "EXIT_DATA", "EXIT_INTERNAL", "EXIT_NO_ROUTE",
           "MAX_DETAIL_CHARS", "app", "group_for"]

_COMMANDS = (
    ("plan", planning.plan),
    ("emissions", planning.emissions),
    ("corridors", planning.corridors_cmd),
    ("scenarios", analysis.scenarios_cmd),
    ("compare", analysis.compare),
    ("sweep", analysis.sweep),
    ("batch", analysis.batch),
    ("hubs", data.hubs),
    ("serve", data.serve),
    ("calibrate", data.calibrate),
    ("assign", assign.assign_cmd),
)
"""The commands of ``silkway``, in the order ``silkway --help`` lists them."""

network_app.command("build", cls=_Command)(data.network_build)
network_app.command("info", cls=_Command)(data.network_info)


def _register(group: typer.Typer, names: Collection[str] | None = None) -> typer.Typer:
    """Register the commands (those in ``names``; None: all of them) on ``group``."""
    for name, command in _COMMANDS:
        if names is None or name in names:
            group.command(name, cls=_Command)(command)
    if names is None or "network" in names:
        group.add_typer(network_app, name="network")
    return group


_register(app)
_NAMES = frozenset({*(name for name, _ in _COMMANDS), "network"})


def group_for(args: list[str]) -> typer.Typer:
    """The command group to run ``args`` with: a group of only the command they start with, so
    that a one-shot command does not build every other command's options first (about 20 ms);
    the whole group for anything else (help, completion, ``--version``, a mistyped command)."""
    if args and args[0] in _NAMES:
        return _register(command_group(), {args[0]})
    return app
