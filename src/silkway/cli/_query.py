"""CLI options generated from the one plan query definition (:class:`silkway.query.PlanQuery`).

A command decorated with :func:`query_options` gets one option per query field (``--avoid``,
``--via``, ``--corridor``, ``--deadline`` …, with the field's description as help) and receives a
validated ``query`` argument; adding a field to the query adds the option to every such command.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection
from typing import Annotated, Any

import typer

from silkway.errors import ConstraintError
from silkway.query import UNUSED, PlanQuery, cli_flag, query_of, refuse_unused

PLACES = ("origin", "destination")


def _named(name: str) -> str:
    """A query field as the command line calls it: its option, or the argument's name."""
    return name.upper() if name in PLACES else cli_flag(name)


def _metavar(annotation: Any) -> str:
    text = str(annotation)
    if "tuple" in text:
        return "LIST"
    if "int" in text:
        return "INT"
    if "float" in text:
        return "NUMBER"
    return "TEXT"


def _parameter(name: str, info: Any, *, hidden: bool = False) -> inspect.Parameter:
    help_text = info.description or ""
    if name in PLACES:
        ann: Any = Annotated[str, typer.Argument(help=help_text, show_default=False,
                                                 metavar=name.upper())]
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=ann)
    default = info.default
    if info.annotation is bool:
        flag = cli_flag(name)
        decl = flag if flag != "--" + name.replace("_", "-") else f"{flag}/--no-{flag[2:]}"
        ann = Annotated[bool, typer.Option(decl, help=help_text, hidden=hidden)]
        return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=ann,
                                 default=bool(default))
    shown = "" if default in (None, ()) else f" [default: {default}]"
    ann = Annotated[str | None, typer.Option(cli_flag(name), help=help_text + shown,
                                             metavar=_metavar(info.annotation),
                                             show_default=False, hidden=hidden)]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=ann, default=None)


def query_options(*, places: bool = True, skip: Collection[str] = (),
                  defaults: dict[str, Any] | None = None, unused: str | None = None
                  ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give a command every :class:`PlanQuery` field as an option (and the two places as
    arguments unless ``places`` is False); the command receives ``query`` (a validated
    :class:`PlanQuery`, or a dict of the set fields when ``places`` is False).

    Parameters
    ----------
    skip
        Fields the command sets itself (they get no option).
    defaults
        Defaults of this command that differ from the query's (e.g. ``corridors="none"``).
    unused
        The command's name in :data:`silkway.query.UNUSED`: the fields it takes no notice of
        keep a hidden option that is refused with the reason when given (rather than "no such
        option", or a value silently ignored).
    """
    fields = {n: f for n, f in PlanQuery.model_fields.items()
              if n not in skip and (places or n not in PLACES)}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        own = [p for p in inspect.signature(func, eval_str=True).parameters.values()
               if p.name != "query"]
        ignored = UNUSED.get(unused or "", {})
        generated = [_parameter(n, f, hidden=n in ignored) for n, f in fields.items()]
        params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own]
        places_first = [p for p in generated if p.name in PLACES]
        options = [p for p in generated if p.name not in PLACES]

        def command(**kwargs: Any) -> Any:
            given = {n: kwargs.pop(n) for n in fields}
            typed = {n: v for n, v in given.items()
                     if v is not None and not (isinstance(v, bool)
                                               and v == PlanQuery.model_fields[n].default)}
            for name, value in typed.items():  # `--avoid "$UNSET"` planned through Russia
                if isinstance(value, str) and not value.strip() and _metavar(
                        PlanQuery.model_fields[name].annotation) == "LIST":
                    raise ConstraintError(f"{_named(name)} is empty; name at least one value, "
                                          "or leave the option out")
            if unused:
                refuse_unused(unused, typed)
            set_fields = {**(defaults or {}), **typed}
            query: Any = query_of(set_fields, _named) if places else set_fields
            if not places:  # validated once the places are known, but checked now
                query_of({"origin": "x", "destination": "y", **set_fields}, _named)
            return func(query=query, **kwargs)

        all_params = [*places_first, *options, *params]
        command.__signature__ = inspect.Signature(all_params)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in all_params}
        command.__name__ = func.__name__
        command.__doc__ = func.__doc__
        command.__module__ = func.__module__
        return command

    return decorate
