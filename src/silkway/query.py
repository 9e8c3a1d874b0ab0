"""The one typed plan query.

Every interface builds a :class:`PlanQuery` from this one definition — the CLI generates its
options from the fields, the HTTP API takes it as the request body, batch rows are validated
into it column by column, sweeps and comparisons carry it — so an option exists everywhere or
nowhere. The query checks types, ranges and lengths; :func:`silkway.plan` checks meaning
(known places, countries, corridors) against the network.
"""

from __future__ import annotations

import math
import re
import typing
import unicodedata
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from silkway._text import comma_items, nfkc, underflows
from silkway.analysis.reliability import DEFAULT_DRAWS
from silkway.errors import ConstraintError

Objective = Literal["days", "p90", "cost", "co2e"]
CorridorView = Literal["all", "available", "none"]
MIN_DEADLINE_DAYS = 0.01
"""The shortest deadline a plan simulates (transit days are given to 0.01 d)."""
_DAY_UNIT = re.compile(r"(?P<number>.*?)\s*(?:days?|d)", re.IGNORECASE)
"""A deadline typed with its unit: ``30d``, ``30 days``, ``1 day``."""
_Name = Annotated[str, Field(min_length=1, max_length=100, strict=True)]
_Code = Annotated[str, Field(min_length=1, max_length=40, strict=True)]


def _cli(flag: str | None = None, *, group: str = "constraints", **extra: Any) -> dict[str, Any]:
    return {"cli": flag, "group": group, **extra}


class PlanQuery(BaseModel):
    """What to plan: places, constraints, objective, cargo, scenario, month and simulation.

    Comma-separated text is accepted wherever a list is expected (``"RU,BY"``), so that the
    CLI, the API and CSV rows can pass the same values.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    origin: _Name = Field(description="UN/LOCODE, hub id or place name, e.g. Toyama or JPTOY.")
    destination: _Name = Field(description="UN/LOCODE, hub id or place name.")
    avoid: tuple[_Code, ...] = Field(
        default=(), max_length=60,
        description="Countries to avoid, ISO 3166-1 alpha-2, e.g. RU,BY.",
        json_schema_extra=_cli())
    modes: tuple[_Code, ...] | None = Field(
        default=None, max_length=10, description="Allowed modes: sea,rail,road,ferry.",
        json_schema_extra=_cli())
    close: tuple[_Code, ...] = Field(
        default=(), max_length=10,
        description="Closed passages: suez,bab-el-mandeb,hormuz,bosporus,malacca,gibraltar,cape.",
        json_schema_extra=_cli())
    via: tuple[_Name, ...] = Field(
        default=(), max_length=8,
        description="Ordered waypoints the route must pass, e.g. Aktau or Aktau,Tbilisi.",
        json_schema_extra=_cli())
    corridor: _Code | None = Field(
        default=None, description="Only routes of this corridor (see `silkway corridors`).",
        json_schema_extra=_cli())
    exclude_corridor: tuple[_Code, ...] = Field(
        default=(), max_length=20,
        description="No route that uses a leg defining these corridors.",
        json_schema_extra=_cli())
    max_transshipments: int | None = Field(
        default=None, ge=0, le=20, description="Cap on container transfers.",
        json_schema_extra=_cli())
    include_planned: bool = Field(
        default=False, description="Also use planned links.", json_schema_extra=_cli("--planned"))
    cargo: Literal["FEU", "TEU"] = Field(
        default="FEU", description="FEU or TEU.", json_schema_extra=_cli(group="cargo"))
    payload_t: float | None = Field(
        default=None, gt=0, le=30, description="Cargo tonnes per container.",
        json_schema_extra=_cli(group="cargo"))
    reefer: bool = Field(default=False, description="Refrigerated container.",
                         json_schema_extra=_cli("--reefer", group="cargo"))
    allocation: Literal["mass", "teu"] = Field(
        default="mass", description="Emission allocation: mass or teu.",
        json_schema_extra=_cli(group="cargo"))
    objective: Objective = Field(
        default="days", description="Order routes by days, p90 (risk-aware), cost or co2e.",
        json_schema_extra=_cli(group="objective"))
    scenario: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="Scenario name (see `silkway scenarios`) or a .yaml file.",
        json_schema_extra=_cli(group="scenario"))
    month: int | None = Field(default=None, ge=1, le=12, description="Month of departure.",
                              json_schema_extra=_cli(group="scenario"))
    deadline_days: float | None = Field(
        default=None, gt=0, le=365,
        description="Deadline in days, e.g. 30 or 30d: each route's on-time probability.",
        json_schema_extra=_cli("--deadline", group="simulation"))
    histogram: bool = Field(default=False, description="Include day histograms.",
                            json_schema_extra=_cli(group="simulation"))
    draws: int = Field(default=DEFAULT_DRAWS, ge=100, le=1_000_000,
                       description="Monte Carlo draws per route.",
                       json_schema_extra=_cli(group="simulation"))
    max_routes: int = Field(default=8, ge=1, le=1000, description="Routes to show.",
                            json_schema_extra=_cli(group="output"))
    thin: float = Field(default=0.02, ge=0, le=1,
                        description="Leave out routes within this share of a listed route on "
                                    "days, cost and CO2e (0 keeps the whole Pareto set).",
                        json_schema_extra=_cli(group="output"))
    corridors: CorridorView = Field(
        default="all", description="Corridor section: all, available (with a route) or none.",
        json_schema_extra=_cli(group="output"))

    @field_validator("avoid", "modes", "close", "via", "exclude_corridor", mode="before")
    @classmethod
    def _split(cls, value: Any, info: ValidationInfo) -> Any:
        """``"RU,BY"``, ``["RU", "BY"]`` and ``["RU,BY"]`` are the same list; None is the
        default."""
        if value is None:
            return None if info.field_name == "modes" else ()
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list | tuple):
            return value
        out: list[Any] = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                parts = comma_items(item)  # (an empty item is refused, never dropped)
                if not parts and not isinstance(value, str):
                    raise ValueError(f"item {i + 1} of the list is empty")
                out.extend(parts)  # an empty cell or option is the empty list
            else:
                out.append(item)
        return tuple(out)

    @field_validator("avoid", "modes", "close", "exclude_corridor")
    @classmethod
    def _as_set(cls, value: tuple[str, ...] | None, info: ValidationInfo) -> tuple[str, ...] | None:
        """Unordered lists are kept sorted and without repeats, so equal queries compare equal."""
        if value is None:
            return None
        norm = str.upper if info.field_name == "avoid" else str.lower
        return tuple(sorted({norm(v) for v in value}))

    @field_validator("max_transshipments", "payload_t", "month", "deadline_days", "draws",
                     "max_routes", "thin", mode="before")
    @classmethod
    def _plain(cls, value: Any) -> Any:
        """Numbers given as text are plain decimals: Python's ``1_5`` (read as 15, where 1.5
        may have been meant) is refused, as hex ``0x10`` already is. A bool is not a number
        (``max_transshipments=False`` was a cap of 0, ``payload_t=True`` 1 t), as in JSON."""
        if isinstance(value, bool):
            raise ValueError(f"should be a number, not {value}")
        if isinstance(value, str) and "_" in value:
            raise ValueError(f"{value.strip()[:40]!r} is not a plain number (no underscores)")
        return value

    @field_validator("payload_t", "deadline_days", "thin", mode="before")
    @classmethod
    def _finite(cls, value: Any, info: ValidationInfo) -> Any:
        """NaN and infinities are refused before the range checks (which would call NaN
        "above 30"); ``"30d"``, ``"30 days"`` and ``30`` are the same deadline."""
        typed = value
        if isinstance(value, str):
            typed = value = value.strip()
            if info.field_name == "deadline_days" and (unit := _DAY_UNIT.fullmatch(value)):
                value = unit["number"]  # one unit only: "30dd" was read as "30d", and refused
        if isinstance(value, str | float | int) and not isinstance(value, bool):
            try:
                number = float(value)
            except (ValueError, OverflowError):
                return typed  # not a number: the type check says so, quoting what was typed
            if not math.isfinite(number):
                raise ValueError("must be a finite number")
            if isinstance(value, str) and underflows(value, number):  # was "greater than 0"
                raise ValueError(f"{value[:40]!r} is too small a number to read (it underflows "
                                 "to 0)")
        return value

    @field_validator("deadline_days")
    @classmethod
    def _deadline_floor(cls, value: float | None) -> float | None:
        """A deadline under :data:`MIN_DEADLINE_DAYS` is refused: ``--deadline 1e-320`` (a
        denormal) was simulated and its column headed ``P(≤9.99989e-321d)``."""
        if value is not None and value < MIN_DEADLINE_DAYS:
            raise ValueError(f"{value!r} d is less than {MIN_DEADLINE_DAYS:g} d (about 15 "
                             "minutes), the precision transit days are given to")
        return value

    @field_validator("cargo", mode="before")
    @classmethod
    def _upper(cls, value: Any, info: ValidationInfo) -> Any:
        return _as_code(cls, info, value, str.upper)

    @field_validator("objective", "allocation", "corridors", mode="before")
    @classmethod
    def _lower(cls, value: Any, info: ValidationInfo) -> Any:
        return _as_code(cls, info, value, str.lower)

    @field_validator("corridor", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        """A code is read in NFKC, as list items and place names are (``--corridor`` given in
        full-width letters was unknown while ``--exclude-corridor`` in them was read)."""
        return nfkc(value) if isinstance(value, str) else value

    def replace(self, **changes: Any) -> PlanQuery:
        """A copy with some fields changed, validated like the original."""
        return make_query({**self.model_dump(), **changes})


QUERY_FIELDS = tuple(PlanQuery.model_fields)
"""Every field of the query, in definition order (the CLI's options, the API's body, the
batch's columns)."""
_FIELD_SET = frozenset(QUERY_FIELDS)


_NO_ON_TIME = "reports no on-time probability"
_NO_HISTOGRAM = "reports no day histograms"
_MATCHED = ("lists every route of both plans (up to 50, none thinned out), so that each baseline "
            "route meets its counterpart")
UNUSED: dict[str, dict[str, str]] = {
    "compare": {"max_routes": _MATCHED, "thin": _MATCHED, "deadline_days": _NO_ON_TIME,
                "histogram": _NO_HISTOGRAM},
    "emissions": {"deadline_days": _NO_ON_TIME, "histogram": _NO_HISTOGRAM,
                  "corridors": "states one route and has no corridor section"},
    "sweep": {"deadline_days": _NO_ON_TIME, "histogram": _NO_HISTOGRAM,
              "corridors": "tabulates the routes, not the corridor section"},
    "batch": {"max_routes": "keeps route 1 only", "thin": "keeps route 1 only",
              "histogram": "writes no day histograms",
              "corridors": "keeps route 1 only and has no corridor section"},
}
"""Query fields each command takes no notice of, with the reason. A command that carries the
query (``compare``, ``emissions``, ``sweep``) refuses them when they are given, on the command
line and in the API alike: ``compare --max-routes 1`` listed 18 routes, ``compare --deadline
20`` and ``emissions --deadline 20`` showed no on-time share, all without a word. A batch row
(``batch``) is refused its cell of such a field unless the cell asks what the batch does anyway:
``max_routes 3`` and ``corridors all`` were planned as if the cell were empty."""


def refuse_unused(command: str, given: Iterable[str]) -> None:
    """Refuse the query fields in ``given`` that ``command`` takes no notice of (:data:`UNUSED`).

    Raises
    ------
    ConstraintError
        Naming the first such field, what it would have meant and why the command ignores it.
    """
    unused = UNUSED.get(command, {})
    for name in given:
        if name in unused:
            raise ConstraintError(f"{command} does not use {name} ({cli_flag(name)}): it "
                                  f"{unused[name]}; leave it out")


def cli_flag(name: str) -> str:
    """The command-line option of query field ``name`` (``deadline_days``: ``--deadline``)."""
    extra = PlanQuery.model_fields[name].json_schema_extra
    return str((extra.get("cli") if isinstance(extra, dict) else None)
               or "--" + name.replace("_", "-"))


def error_message(error: Any) -> str:
    """A pydantic error's message in the words of silkway's inputs, not of pydantic's types:
    ``value error, `` dropped, and ``tuple should have at most 60 items after validation, not
    61`` (of a JSON array or a comma list) said as ``lists at most 60 items, not 61``."""
    msg = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    ctx = error.get("ctx") or {}
    kind = error.get("type")
    if kind == "too_long" and "max_length" in ctx:
        got = f", not {ctx['actual_length']}" if ctx.get("actual_length") is not None else ""
        msg = f"lists at most {ctx['max_length']} items{got}"
    elif kind == "too_short" and "min_length" in ctx:
        msg = f"lists at least {ctx['min_length']} items"
    elif kind == "string_too_short" and ctx.get("min_length") == 1:
        msg = "is empty"
    elif kind in ("int_parsing", "float_parsing") and isinstance(error.get("input"), str):
        text = error["input"]
        msg = f"{text[:40]!r} is not {'a whole number' if kind == 'int_parsing' else 'a number'}"
        plain = "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c
                        for c in text)
        if plain != text:  # (pydantic said "unable to parse string as an integer")
            msg += f": digits of other scripts are not read; type {plain[:40]!r}"
    elif kind == "bool_parsing" and isinstance(error.get("input"), str):
        # (pydantic: "input should be a valid boolean, unable to interpret input")
        msg = f"{error['input'][:40]!r} is not true or false: type true or false (or yes or no)"
    elif kind == "bool_type" and "input" in error:  # a JSON body's "yes", 1 or null
        msg = f"takes true or false (a JSON boolean, not {_json_word(error['input'])})"
    elif kind in ("int_type", "float_type") and isinstance(error.get("input"), str):
        # a JSON body's number given as a string (pydantic: "input should be a valid integer")
        msg = (f"takes {'a whole number' if kind == 'int_type' else 'a number'} (a JSON "
               f"number, not the string {error['input'][:40]!r})")
    return msg


def _as_code(model: type[BaseModel], info: ValidationInfo, value: Any,
             case: Callable[[str], str]) -> Any:
    """A code read in NFKC and either case; a code it does not make is left as typed, so that
    the error quotes the user's words (``--objective COSTS`` was "unknown --objective
    'costs'")."""
    if not isinstance(value, str):
        return value
    code = case(nfkc(value).strip())
    annotation = model.model_fields[str(info.field_name)].annotation
    if typing.get_origin(annotation) is not Literal:
        return code
    return code if code in typing.get_args(annotation) else value.strip()


def _json_word(value: Any) -> str:
    """A JSON value as a sentence names it: ``the string 'yes'``, ``1``, ``null``."""
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return repr(value)[:40]
    return "an array" if isinstance(value, list) else "an object"


def describe_error(exc: ValidationError, label: Callable[[str], str] | None = None) -> str:
    """One sentence for a pydantic validation error of a query, naming the field(s), each as
    ``label`` calls it (the command line names its options, the API its JSON fields)."""
    parts = []
    for e in exc.errors()[:3]:
        names = [str(x) for x in e["loc"] if not isinstance(x, int)]
        if label is not None and names and names[0] in PlanQuery.model_fields:
            names[0] = label(names[0])
        loc = ".".join(names) or "query"
        msg = error_message(e)
        if e["type"] == "extra_forbidden":
            msg = "is not an option"
        elif e["type"] == "literal_error":
            expected = str(e.get("ctx", {}).get("expected", "")).replace("'", "")
            parts.append(f"unknown {loc} {str(e.get('input'))[:40]!r}; use {expected}")
            continue
        parts.append(f"{loc} {msg[:1].lower()}{msg[1:]}")
    more = len(exc.errors()) - 3
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def make_query(data: dict[str, Any] | None = None, /, **fields: Any) -> PlanQuery:
    """Validate ``data`` (and keyword fields) into a :class:`PlanQuery`.

    Raises
    ------
    ConstraintError
        One sentence naming each bad field (at most three), for any type, range or unknown
        option problem.
    """
    return query_of({**(data or {}), **fields})


def query_of(merged: dict[str, Any], label: Callable[[str], str] | None = None) -> PlanQuery:
    """:func:`make_query` of the fields ``merged``, its errors naming each field as ``label``
    calls it (see :func:`describe_error`)."""
    unknown = sorted(k for k in merged if k not in _FIELD_SET)  # (pydantic's property: 5 us)
    if unknown:
        from rapidfuzz import process

        hints = []
        for k in unknown[:3]:
            m = process.extractOne(str(k)[:60], QUERY_FIELDS, score_cutoff=60)
            hints.append(f"{str(k)[:60]!r}" + (f" (did you mean {m[0]}?)" if m else ""))
        raise ConstraintError(f"unknown option(s) {', '.join(hints)}; the options are "
                              f"{', '.join(QUERY_FIELDS)}")
    try:
        return PlanQuery.model_validate(merged)
    except ValidationError as exc:
        raise ConstraintError(describe_error(exc, label)) from None
