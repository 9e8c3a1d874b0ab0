"""The one schema of a scenario document, as pydantic models.

Every interface reads scenarios through :func:`validate`: the CLI (a shipped name or the user's
own file), the HTTP API (a posted or saved scenario) and batch rows. Types are strict — ``month:
true``, ``name: [1, 2]``, ``gauge_mm: abc`` or a list where a mapping belongs are errors, not
coerced — numbers are finite and in range, and unknown keys are refused. The first problem becomes
one sentence naming the key (``add_legs #1 distance_km: ...``) in an
:class:`~silkway.errors.InputError`. What needs the tables (hub ids, tariffs, borders, legs) is
checked afterwards by :func:`silkway.analysis.scenarios.parse_scenario`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from silkway._text import blank, control_char
from silkway.data.timing import plannable_years
from silkway.errors import InputError

__all__ = ["ChangeSpec", "CloseSpec", "LegSpec", "LegTarget", "ScenarioSpec", "Target", "validate"]

def _checked(*, lines: bool) -> Any:
    def check(text: str) -> str:
        ch = control_char(text, lines=lines)
        if ch is not None:
            raise ValueError(f"holds the control character U+{ord(ch):04X}, which no "
                             "scenario text needs")
        return text
    return AfterValidator(check)


def _shown(text: str) -> str:
    if blank(text):
        raise ValueError("is blank (white space or invisible characters only); it is shown "
                         "with every plan under the scenario, so give it words")
    return text


def _filled(text: str) -> str:
    if blank(text):
        raise ValueError("is blank (white space or invisible characters only)")
    return text


def _none_if_blank(text: str) -> str:
    return "" if blank(text) else text


ModeName = Literal["sea", "rail", "road", "ferry"]
Key = Annotated[str, Field(min_length=1, max_length=60), _checked(lines=False),
                AfterValidator(_filled)]
"""A hub id, tariff, border, profile, country or passage name."""
Text = Annotated[str, Field(max_length=20_000), _checked(lines=True)]
Line = Annotated[str, _checked(lines=False)]
"""One line of text (a name, a title): no control characters, tabs and newlines included."""
Cited = Annotated[Text, AfterValidator(_none_if_blank)]
"""A ``source`` or ``estimate``: a blank one is none (``source: " "`` was a row's citation)."""
PERIOD = re.compile(r"\d{4}(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?")
"""An ``as_of`` period: a year, a half, a quarter or a month (``2022``, ``2025-H2``)."""
Factor = Annotated[float, Field(ge=0.01, le=100)]
Days = Annotated[float, Field(ge=0, le=365)]
Point = Annotated[str, Field(max_length=60)]
"""A via point, ``"lat lon"`` in degrees."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class CloseSpec(_Model):
    """What a scenario closes."""

    countries: list[Key] = Field(default_factory=list, max_length=300)
    passages: list[Key] = Field(default_factory=list, max_length=20)
    hubs: list[Key] = Field(default_factory=list, max_length=1000)


class LegSpec(_Model):
    """A link a scenario adds."""

    src: Key = Field(alias="from")
    dst: Key = Field(alias="to")
    mode: ModeName
    tariff: Key
    gauge_mm: Literal[0, 1435, 1520] | None = None
    border: Key | None = None
    distance_km: Annotated[float, Field(gt=0, le=25_000)]
    via: list[Point] = Field(default_factory=list, max_length=100)
    wait_days_p50: Days = 0.0
    wait_days_p90: Days = 0.0
    source: Cited = ""
    estimate: Cited = ""
    status: Key | None = None
    speed_kmh: Annotated[float, Field(ge=1, le=350)] | None = None
    """A new line's published design speed (else the tariff's)."""

    @model_validator(mode="after")
    def _waits(self) -> LegSpec:
        if self.wait_days_p90 < self.wait_days_p50:
            raise ValueError("wait_days_p90 is below wait_days_p50")
        return self


class LegTarget(_Model):
    """A leg of legs.csv, by its ends and mode."""

    src: Key = Field(alias="from")
    dst: Key = Field(alias="to")
    mode: ModeName


class Target(_Model):
    """What a change applies to: exactly one of its fields."""

    tariff: Key | None = None
    border: Key | None = None
    hub_profile: Key | None = None
    hub: Key | None = None
    leg: LegTarget | None = None

    @model_validator(mode="after")
    def _one(self) -> Target:
        if sum(v is not None for v in (self.tariff, self.border, self.hub_profile, self.hub,
                                       self.leg)) != 1:
            raise ValueError("takes exactly one of tariff, border, hub_profile, hub, leg")
        return self

    @property
    def kind(self) -> str:
        """Which field is set."""
        return next(k for k in ("tariff", "border", "hub_profile", "hub", "leg")
                    if getattr(self, k) is not None)


class ChangeSpec(_Model):
    """Multipliers on one tariff, border, hub profile, hub or leg."""

    target: Target
    wait_factor: Factor | None = None
    dwell_factor: Factor | None = None
    handling_factor: Factor | None = None
    speed_factor: Factor | None = None
    cost_factor: Factor | None = None
    source: Cited = ""
    estimate: Cited = ""


class ScenarioSpec(_Model):
    """A scenario document (see docs/data/SCENARIOS.md)."""

    name: Annotated[Line, Field(max_length=80), AfterValidator(_shown)]
    title: Annotated[Line, Field(max_length=200), AfterValidator(_shown)]
    description: Text = ""
    month: Annotated[int, Field(ge=1, le=12)] | None = None
    close: CloseSpec | None = None
    open_planned: bool = False
    add_legs: list[LegSpec] = Field(default_factory=list, max_length=500)
    change: list[ChangeSpec] = Field(default_factory=list, max_length=500)
    source: Cited = ""
    estimate: Cited = ""
    as_of: str | int | None = None
    """The period an era scenario describes (``2022``, ``2025-H2``): every plan under the
    scenario is dated by it, so it must be a period (any text was shown as the data's date)."""
    capacities: list[dict[str, Any]] | None = Field(default=None, max_length=500)
    """Changes to capacity elements; each entry is checked against ``capacities.csv`` by
    :func:`silkway.data.capacities.parse_capacity_changes`."""

    @field_validator("as_of", mode="before")
    @classmethod
    def _period(cls, value: Any) -> Any:
        if value is None or (type(value) is int and 1800 <= value <= 2200) or (
                isinstance(value, str) and PERIOD.fullmatch(value)):
            if value is not None:
                first, last, base = plannable_years()
                year = int(str(value)[:4])
                if not first <= year <= last:  # "as_of: 2199" dated every plan 2199
                    raise ValueError(f"{value} is outside {first}-{last}: the network's data "
                                     f"describe {base}, and a scenario changes them; it cannot "
                                     f"make them describe another time")
            return value
        shown = repr(value)[:40] if isinstance(value, str | int) else f"a {type(value).__name__}"
        raise ValueError(f"{shown} is not a period: give a year, a half, a quarter or a month, "
                         "e.g. 2022, \"2025-H2\", \"2025-Q3\" or \"2025-07\" (quoted)")


_SHOWN = 3
"""Problems named in the one sentence of a schema error (the rest are counted)."""
_ALIASES = {"src": "from", "dst": "to"}
_EXPECTED = {"int_type": "a whole number", "float_type": "a number", "string_type": "text",
             "bool_type": "true or false", "int_from_float": "a whole number"}


def _where(loc: tuple[int | str, ...]) -> str:
    """``("add_legs", 0, "distance_km")`` -> ``add_legs #1 distance_km``."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"#{item + 1}")
        else:
            parts.append(_ALIASES.get(item, item))
    return " ".join(parts)


def _sentence(err: dict[str, Any]) -> str:
    loc = tuple(x for x in err["loc"] if x not in ("function-after",))
    where = _where(loc)
    kind = err["type"]
    if kind == "invalid_key":  # the key itself ends loc: `1: 2` was "#2: keys should be strings"
        word = f"the key {_yaml_word(err.get('input'))}"
        if loc[:-1]:
            return f"{word} in {_where(loc[:-1])} is {_kind(err)}, not a name"
        return f"{word} is {_kind(err)}, not a name such as month or change"
    if kind == "extra_forbidden":
        return f"unknown key {_where(loc[-1:])!r}" + (f" in {_where(loc[:-1])}" if loc[:-1] else "")
    if kind == "missing":
        return f"{where} is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{where or 'the document'} should be a mapping (key: value), not {_kind(err)}"
    if kind == "list_type":
        return f"{where} should be a list, not {_kind(err)}"
    number = err.get("input")
    if kind in _EXPECTED and isinstance(number, float):  # (was "..., not a number" of 1.5)
        written = f" written without a decimal point ({int(number)})" if number.is_integer() \
            else ""
        return f"{where} should be {_EXPECTED[kind]}{written}, not {number!r}"
    if kind in _EXPECTED:
        return f"{where} should be {_EXPECTED[kind]}, not {_kind(err)}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    msg = msg[0].lower() + msg[1:] if msg else msg
    return f"{where}: {msg}" if where else msg


def _kind(err: dict[str, Any]) -> str:
    value = err.get("input")
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
             float: "a number", type(None): "empty", dt.date: "a date",
             dt.datetime: "a date and time"}
    return names.get(type(value), type(value).__name__)


def _yaml_word(value: Any) -> str:
    """A parsed YAML scalar as it is written (``true``, ``null``, ``2025-01-01``), not as
    Python shows it (``True``, ``None``, ``datetime.date(2025, 1, 1)``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)[:40]


def validate(raw: Any, *, label: str) -> ScenarioSpec:
    """The scenario document ``raw`` (parsed YAML) as a :class:`ScenarioSpec`.

    Raises
    ------
    InputError
        One sentence: ``label``, where the first problems are and what they are (and how many
        more).
    """
    if not isinstance(raw, dict):
        raise InputError(f"{label}: a scenario is a mapping (name: ..., title: ...) at the top "
                         f"level, not {_kind({'input': raw})}")
    try:
        return ScenarioSpec.model_validate(raw)
    except ValidationError as exc:
        errs = exc.errors(include_url=False)
        shown = "; ".join(_sentence(dict(e)) for e in errs[:_SHOWN])
        rest = len(errs) - _SHOWN
        more = f" (and {rest} more problem{'s' if rest > 1 else ''})" if rest > 0 else ""
        raise InputError(f"{label}: {shown}{more}") from None
