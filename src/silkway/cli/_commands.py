"""The command table: every ``silkway`` command in the order ``silkway --help`` lists them, and
:func:`group_for`, the group that runs one command line.

A command's module (:mod:`~silkway.cli.planning`, :mod:`~silkway.cli.analysis`,
:mod:`~silkway.cli.data`, :mod:`~silkway.cli.assign`) is imported when the command is
registered: a one-shot command imports its own module, not the other commands' (about 10 ms of
a ``silkway plan``). :data:`app`, the whole group, has every command registered on first use.
"""


from __future__ import annotations

import importlib
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

import typer

from silkway.cli import _app
from silkway.cli._app import _Command, command_group, network_app

if TYPE_CHECKING:
    from silkway.cli._app import app  # registered by __getattr__ below, on first use

__all__ = ["app", "group_for"]

_COMMANDS = (
    ("plan", "planning", "plan"),
    ("emissions", "planning", "emissions"),
    ("corridors", "planning", "corridors_cmd"),
    ("scenarios", "analysis", "scenarios_cmd"),
    ("compare", "analysis", "compare"),
    ("sweep", "analysis", "sweep"),
    ("batch", "analysis", "batch"),
    ("hubs", "data", "hubs"),
    ("serve", "data", "serve"),
    ("calibrate", "data", "calibrate"),
    ("assign", "assign", "assign_cmd"),
)
"""The commands of ``silkway``, in the order ``silkway --help`` lists them: (name, module of
:mod:`silkway.cli`, function)."""
_NETWORK = (("build", "network_build"), ("info", "network_info"))
"""The commands of ``silkway network`` (in :mod:`silkway.cli.data`)."""
_NAMES = frozenset({*(name for name, _, _ in _COMMANDS), "network"})


def _function(module: str, name: str) -> Callable[..., Any]:
    return getattr(importlib.import_module(f"silkway.cli.{module}"), name)


def _register(group: typer.Typer, names: Collection[str] | None = None) -> typer.Typer:
    """Register the commands (those in ``names``; None: all of them) on ``group``."""
    for name, module, function in _COMMANDS:
        if names is None or name in names:
            group.command(name, cls=_Command)(_function(module, function))
    if names is None or "network" in names:
        if not network_app.registered_commands:
            for name, function in _NETWORK:
                network_app.command(name, cls=_Command)(_function("data", function))
        group.add_typer(network_app, name="network")
    return group


def _whole() -> typer.Typer:
    """:data:`silkway.cli._app.app` with every command registered (once)."""
    if not _app.app.registered_commands:
        _register(_app.app)
    return _app.app


def group_for(args: list[str]) -> typer.Typer:
    """The command group to run ``args`` with: a group of only the command they start with, so
    that a one-shot command neither imports nor builds every other command's options first
    (about 30 ms); the whole group for anything else (help, completion, ``--version``, a
    mistyped command)."""
    if args and args[0] in _NAMES:
        return _register(command_group(), {args[0]})
    return _whole()


def __getattr__(name: str) -> Any:
    """``app``: the whole command group, every command registered."""
    if name == "app":
        return _whole()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
