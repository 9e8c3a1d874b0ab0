"""The ``silkway`` command group and what its commands share: error reporting (one line on
stderr and an exit code), the common options, the network loader and progress bars."""

from __future__ import annotations

import errno
import gc
import itertools
import json
import logging
import os
import re
import select
import sys
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.text import Text
from typer._click.core import Context, ParameterSource, UsageError  # typer's own click
from typer.core import TyperCommand, TyperGroup, TyperOption

import silkway
from silkway._text import UnreadableNumberError, plain_float, takes_number
from silkway.errors import EXIT_BACKEND, EXIT_INPUT, EXIT_OK, BackendError, SilkwayError, exit_code

log = logging.getLogger(__name__)

EXIT_BAD_INPUT, EXIT_INTERNAL = EXIT_INPUT, 1
MAX_DETAIL_CHARS = 600
"""Error sentences are cut to this length, so that a huge input is never echoed whole."""


class _Stdout(Console):
    """The console of stdout. A reader that stops reading raises :class:`BrokenPipeError` here
    as at every other write to stdout, where rich ended the process with exit 1 (the code of an
    internal error) and no word."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


# Neither user text nor help text is rich markup: no emoji codes, no [style] tags.
out = _Stdout(emoji=False)
err = Console(stderr=True, emoji=False, highlight=False)


def _sentence(text: str) -> str:
    """One line: control characters become spaces and an overlong message is cut."""
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if len(line) > MAX_DETAIL_CHARS:
        line = line[:MAX_DETAIL_CHARS - 1] + "…"
    return line


def _wants_json(args: list[str]) -> bool:
    """Whether the command line asks for JSON (``--json`` or ``--format json``, before ``--``)."""
    args = args[:args.index("--")] if "--" in args else args
    formats = [b.strip().lower() for a, b in itertools.pairwise(args) if a == "--format"]
    formats += [a.partition("=")[2].strip().lower() for a in args if a.startswith("--format=")]
    return "--json" in args or "json" in formats


def _report(kind: str, detail: str, code: int, *, as_json: bool) -> None:
    """Print one error: a JSON object or an ``error: ...`` line, on stderr."""
    detail = _sentence(detail)
    try:
        if as_json:
            sys.stderr.write(json.dumps({"error": kind, "detail": detail, "exit_code": code},
                                        ensure_ascii=False) + "\n")
            sys.stderr.flush()
        else:
            err.print(Text.assemble(("error:", "bold red"), " ", detail), soft_wrap=True)
    except OSError:  # stderr itself is full or closed: the exit code still tells the error
        pass


class _Commands(TyperGroup):
    """The command group; turns every failure into one line on stderr and an exit code.

    Usage errors (unknown option, value out of range) are exit 2 like any other bad input; an
    unexpected exception is exit 1 with one sentence (``SILKWAY_LOG=DEBUG`` logs the traceback).
    """

    def main(self, args: Any = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode,
                                windows_expand_args, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        as_json = _wants_json(argv)
        if sys.stdout is None:  # started with stdout closed (>&-): every answer would be lost
            _report("UsageError", "the standard output is closed; redirect it to a file, or to "
                    "/dev/null to discard what the command prints", EXIT_INPUT, as_json=as_json)
            sys.exit(EXIT_INPUT)
        try:
            rv = super().main(argv, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as exc:  # usage errors of the (vendored) click parser
            if type(exc).__name__ == "NoArgsIsHelpError":
                typer.echo(exc.format_message(), err=True)
            else:
                _report("UsageError", exc.format_message(), EXIT_INPUT, as_json=as_json)
            sys.exit(EXIT_INPUT)
        except typer.Abort:
            _report("Aborted", "aborted", EXIT_INTERNAL, as_json=as_json)
            sys.exit(EXIT_INTERNAL)
        except SilkwayError as exc:
            code = exit_code(exc)
            _report(type(exc).__name__, str(exc), code, as_json=as_json)
            sys.exit(code)
        except OSError as exc:  # the disk or a pipe: a backend fault, not a bug
            where = f" {exc.filename}" if exc.filename else ""
            _report("BackendError", f"cannot access{where}: {exc.strerror or exc}",
                    EXIT_BACKEND, as_json=as_json)
            sys.exit(EXIT_BACKEND)
        except Exception as exc:
            log.debug("internal error", exc_info=True)
            _report("InternalError", f"internal error ({type(exc).__name__}: {exc}); run with "
                    "SILKWAY_LOG=DEBUG for the traceback", EXIT_INTERNAL, as_json=as_json)
            sys.exit(EXIT_INTERNAL)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:  # the parser's own handler made any of them exit 1 unseen
            if not _reader_gone(sys.stdout):  # a socket or another pipe: a backend failed
                raise BackendError(f"a connection closed while it was written to ({exc})") \
                    from None
            # The reader of stdout stopped reading (| head -1): it asked for no more, which is
            # success, as when the rest fits the pipe before the reader leaves. What is still
            # buffered for stdout goes to /dev/null: the flush at exit would fail again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_OK


def _reader_gone(stream: Any) -> bool:
    """Whether ``stream`` is a pipe whose reading end is closed (poll says POLLERR)."""
    try:
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (OSError, ValueError):
        return False




def _directory(text: str | Path) -> Path:
    """A directory option's value: an empty or blank name is refused (``Path("")`` would be
    the current directory, and the cache would be written there unasked)."""
    if not str(text).strip():
        raise typer.BadParameter("the directory name is empty")
    return Path(text)


EXCLUSIVE: tuple[tuple[str, str], ...] = (
    ("as_json", "fmt"),
    ("serial", "scheduler"),
    ("serial", "workers"),
    ("scheduler", "workers"),
)
"""Options (by parameter name) that contradict each other when both are typed: the one would be
silently ignored (``--json`` over ``--format csv``; ``--workers`` for a remote scheduler or no
cluster at all). ``--json --format json`` says the same thing twice and is allowed."""

NEEDS: tuple[tuple[str, str], ...] = (("gap", "equilibrium"), ("focus", "chart"))
"""Options that mean something only with another (``--gap`` stops the equilibrium, ``--focus``
picks the corridor of the chart)."""


class _Command(TyperCommand):
    """A command whose options are each given at most once, and never with one they contradict.

    The parser keeps the last of a repeated option (``--month 1 --month 7`` planned month 7, and
    ``--reefer --no-reefer`` a dry box) and would silently drop the other of two contradicting
    ones; both are usage errors here (exit 2), naming the option. Options declared repeatable
    (``--pair``, ``--vary``) may repeat, and so may a flag typed the same way twice.
    """

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if args:
            given, _, order = self.make_parser(ctx).parse_args(args=list(args))
            _plain_numbers(self, ctx, given)
            typed_words = set(args[:args.index("--")] if "--" in args else args)
            seen: set[str] = set()
            for param in order:
                if not isinstance(param, TyperOption) or param.multiple or param.is_eager \
                        or param.count:
                    continue
                flags = "/".join([*param.opts, *param.secondary_opts])
                if param.is_flag:  # --json twice says it twice; --reefer --no-reefer contradicts
                    if typed_words & set(param.opts) and typed_words & set(param.secondary_opts):
                        raise UsageError(f"option {flags} is given both ways; give it once", ctx)
                elif param.name in seen:
                    raise UsageError(f"option {flags} is given more than once; give it once", ctx)
                seen.add(str(param.name))
        rest = super().parse_args(ctx, args)
        typed = {name for name in ctx.params
                 if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE}
        for a, b in EXCLUSIVE:
            if a in typed and b in typed and not (b == "fmt" and _is_json(ctx.params[b])):
                raise UsageError(f"{self._flag(a)} and {self._flag(b)} contradict each "
                                       "other; give one of them", ctx)
        for a, b in NEEDS:
            if a in typed and not ctx.params.get(b):
                raise UsageError(f"{self._flag(a)} applies only with {self._flag(b)}", ctx)
        return rest

    def _flag(self, name: str) -> str:
        for param in self.params:
            if param.name == name and isinstance(param, TyperOption):
                return param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0]
        return name


_DIGITS = re.compile(r"[+-]?[0-9]+(\.0*)?")
"""A whole number as the parser of whole-number options reads it (``3``, ``3.0``; not
``3e0``)."""


def _plain_numbers(command: TyperCommand, ctx: Context, given: dict[str, Any]) -> None:
    """Refuse a number option typed other than as a plain decimal: the parser reads ``1_0`` as
    10 (``emissions --route 0_2`` stated route 2), as the query's options already refuse. A
    whole-number option takes digits: of ``1e0`` and ``2.5`` the parser said "Input should be a
    valid integer, unable to parse string as an integer". An option's bounds (``min=``,
    ``max=``) are said here too, in the same words: the parser said "Invalid value for
    '--route': Input should be greater than or equal to 1"."""
    for param in command.params:
        annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
        if not isinstance(param, TyperOption) or not takes_number(annotation):
            continue
        raw = given.get(str(param.name))
        whole = float not in (typing.get_args(annotation) or (annotation,))
        for text in raw if isinstance(raw, list | tuple) else [raw]:
            if not isinstance(text, str):
                continue
            flag = param.opts[-1]
            try:
                value = plain_float(text)
            except UnreadableNumberError as exc:
                raise UsageError(f"option {flag}: {exc}", ctx) from None
            except ValueError:
                raise UsageError(f"option {flag} takes a plain decimal number, not "
                                 f"{text.strip()[:40]!r}", ctx) from None
            if whole and not _DIGITS.fullmatch(text.strip()):
                hint = f"; type {int(value)}" if value.is_integer() else ""
                raise UsageError(f"option {flag} takes a whole number, not "
                                 f"{text.strip()[:40]!r}{hint}", ctx)
            low, high = getattr(param, "min", None), getattr(param, "max", None)
            if (low is not None and value < low) or (high is not None and value > high):
                bound = (f"from {low} to {high}" if low is not None and high is not None
                         else f"of at least {low}" if low is not None else f"of at most {high}")
                raise UsageError(f"option {flag} takes a number {bound}, not {text.strip()}", ctx)


def _is_json(value: object) -> bool:
    return isinstance(value, str) and value.strip().lower() == "json"


CacheDir = Annotated[Path | None, typer.Option(
    "--cache-dir", envvar="SILKWAY_CACHE_DIR", parser=_directory, metavar="<path>",
    help="Where the compiled network is cached [default: ~/.cache/silkway].")]


ScenarioOpt = Annotated[str | None, typer.Option(
    help="Scenario name (see `silkway scenarios`) or a .yaml file.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Scheduler = Annotated[str | None, typer.Option(
    help="Dask scheduler address (tcp://HOST:PORT); default: a local cluster.")]
Workers = Annotated[int, typer.Option(min=1, max=64, help="Local cluster workers.")]
Serial = Annotated[bool, typer.Option("--serial", help="Plan in this process, no Dask.")]


def _version(value: bool) -> None:
    if value:
        out.print(f"silkway {silkway.__version__}", highlight=False)
        raise typer.Exit()


def _main(version: Annotated[bool | None, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")] = None,
          ) -> None:
    """silkway: container freight routes across Eurasia, Central Asia at the centre."""


def command_group() -> typer.Typer:
    """A ``silkway`` command group without commands: its own options (``--version``), help and
    error reporting. :mod:`silkway.cli` registers every command on :data:`app`, and its
    ``main()`` runs a group of only the command named on the command line."""
    group = typer.Typer(add_completion=True, no_args_is_help=True, rich_markup_mode=None,
                        cls=_Commands, pretty_exceptions_enable=False,
                        help="silkway: container freight routes across Eurasia, Central Asia at "
                             "the centre.")
    group.callback()(_main)
    return group


app = command_group()
"""The whole ``silkway`` command group (every command is registered by :mod:`silkway.cli`)."""
network_app = typer.Typer(no_args_is_help=True, rich_markup_mode=None,
                          help="Compile and inspect the corridor network.")


@contextmanager
def _bar(label: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A transient progress bar on stderr; yields ``tick(done, total)``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn(f"[bold]{label}[/]"), BarColumn(),
                  TextColumn(f"{{task.completed}}/{{task.total}} {unit}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(unit, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick


def _quiet_dask() -> None:
    """Keep Dask's scheduler and nanny chatter (~30 INFO lines a run) off the terminal.

    Importing ``distributed`` sets its loggers to INFO from its own config, over the level
    ``main()`` chose; this puts them back to WARNING (or to ``SILKWAY_LOG`` when that is lower).
    """
    import distributed  # noqa: F401 - imported for its logging set-up, which this overrides

    level = max(logging.WARNING, logging.getLogger().getEffectiveLevel())
    for name in list(logging.root.manager.loggerDict):
        if name.split(".")[0] in ("distributed", "tornado", "bokeh"):
            logging.getLogger(name).setLevel(level)


def _fail(exc: SilkwayError) -> SilkwayError:
    """The error to raise from a command: the command group reports it (one line, or JSON with
    ``--json``) and exits with its code (:func:`silkway.errors.exit_code`)."""
    return exc


def _load(cache_dir: Path | None, *, rebuild: bool = False) -> silkway.Network:
    """Load the network, showing a progress bar only if it has to be compiled."""
    bar: Any = None
    task: Any = None

    def tick(stage: str, done: int, total: int) -> None:
        nonlocal bar, task
        if bar is None:
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            gc.enable()  # a build runs for a minute: the collector (off for one-shots) runs again
            bar = Progress(TextColumn("[bold]compiling network[/]"), BarColumn(),
                           TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                           transient=True)
            bar.start()
            task = bar.add_task(escape(stage), total=total)
        bar.update(task, completed=done, description=escape(stage))

    try:
        return silkway.load_network(cache_dir, rebuild=rebuild, progress=tick)
    finally:
        if bar is not None:
            bar.stop()
