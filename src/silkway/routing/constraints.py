"""Route constraints: what a plan may and may not use."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from silkway._text import comma_items, nfkc
from silkway.errors import ConstraintError
from silkway.types import Cargo, Mode, Passage

if TYPE_CHECKING:
    from silkway.network.model import Hub

_ISO2 = re.compile(r"^[A-Z]{2}$")
# Codes people type that ISO 3166-1 reserves but does not assign (ISO 3166-1 "exceptionally
# reserved" list: UK at the request of the United Kingdom, EL as the EU's code for Greece,
# EU for the European Union), with what to use instead.
_RESERVED_HINTS = {
    "UK": "did you mean GB (United Kingdom)?",
    "EL": "did you mean GR (Greece)?",
    "EU": "it is the European Union: list its member states instead, e.g. DE,FR,PL",
}


@cache
def _iso_countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> name, from the maintained ``pycountry`` tables."""
    import pycountry

    return {c.alpha_2: c.name for c in pycountry.countries}


def select_hubs(hubs: Iterable[Hub], *, country: str | None = None,
                kind: str | None = None) -> list[Hub]:
    """The hubs of one country and/or of one kind, as ``silkway hubs`` and ``GET /api/hubs``
    list them.

    Raises
    ------
    ConstraintError
        For a country that is not one ISO 3166-1 alpha-2 code (an empty filter, ``KG,KZ`` and
        ``ZZ`` are errors, not an empty or partial list) or a kind no hub has.
    """
    hubs = list(hubs)
    code = None
    if country is not None:
        try:
            codes = comma_items(country)
        except ValueError as exc:
            raise ConstraintError(f"the country filter: {exc}") from None
        if len(codes) != 1:
            raise ConstraintError(f"the country filter takes one ISO 3166-1 alpha-2 code (such "
                                  f"as KG), not {country[:40]!r}")
        code = next(iter(check_countries(codes)))
    kinds = sorted({h.kind for h in hubs})
    if kind is not None:
        kind = nfkc(kind).strip().lower()  # as a country code is
        if kind not in kinds:
            raise ConstraintError(f"unknown hub kind {kind[:40]!r}; use {', '.join(kinds)}")
    return [h for h in hubs if (code is None or h.country == code)
            and (kind is None or h.kind == kind)]


def check_countries(codes: Iterable[str]) -> frozenset[str]:
    """Upper-cased ISO 3166-1 alpha-2 codes, each checked against the standard.

    Raises
    ------
    ConstraintError
        Naming the first code that is not assigned, with a hint for common mistakes (UK, EU,
        alpha-3 codes).
    """
    out = frozenset(nfkc(str(c)).strip().upper() for c in codes)
    for code in sorted(out):
        if code in _iso_countries():
            continue
        shown = code if len(code) <= 12 else code[:11] + "…"
        odd = next((ch for ch in code if not ("A" <= ch <= "Z")), None)
        if code in _RESERVED_HINTS:
            hint = "; " + _RESERVED_HINTS[code]
        elif len(code) == 3 and code.isalpha():
            import pycountry

            match = pycountry.countries.get(alpha_3=code)
            hint = f"; did you mean {match.alpha_2} ({match.name})?" if match else ""
        elif odd is not None and odd.isalpha():  # the Cyrillic "РУ" looks like a code
            hint = (f": {odd!r} is {unicodedata.name(odd, 'a letter of another script')}, not "
                    "a Latin letter")
        elif len(parts := re.split(r"[\s;|/]+", code)) > 1 and all(
                p in _iso_countries() for p in parts):  # "RU;BY" or "RU BY" from a sheet
            hint = f": separate the codes by commas, e.g. {','.join(parts)}"
        elif odd is not None and not code.isdigit():
            what_ch = "a space" if odd.isspace() else (
                f"{odd!r} ({unicodedata.name(odd, f'U+{ord(odd):04X}')})")
            hint = f": it holds {what_ch}; a code is two Latin letters, such as RU"
        else:
            hint = ""
        what = "an ISO 3166-1 country code" if _ISO2.match(code) else \
            "an ISO 3166-1 alpha-2 country code"
        raise ConstraintError(f"{shown!r} is not {what}{hint}")
    return out
ALLOCATIONS = ("mass", "teu")
_PASSAGE_ALIASES = {
    "babelmandeb": Passage.BAB_EL_MANDEB, "bab-el-mandeb": Passage.BAB_EL_MANDEB,
    "babalmandab": Passage.BAB_EL_MANDEB, "red-sea": Passage.BAB_EL_MANDEB,
    "ormuz": Passage.HORMUZ, "hormuz": Passage.HORMUZ, "suez": Passage.SUEZ,
    "bosporus": Passage.BOSPORUS, "bosphorus": Passage.BOSPORUS, "malacca": Passage.MALACCA,
    "gibraltar": Passage.GIBRALTAR, "cape": Passage.CAPE, "good-hope": Passage.CAPE,
}


MIN_PAYLOAD_T = 0.01
"""The least cargo per container a plan is made for (10 kg). ``--payload-t 1e-7`` was planned:
transport CO2e of 0.0 kg beside 24.6 kg of lifts, an intensity of 466,456,954 g per tonne-km."""


@dataclass(frozen=True)
class Constraints:
    """What a route may use.

    Attributes
    ----------
    avoid
        ISO 3166-1 alpha-2 codes of countries no leg may touch (by leg geometry).
    modes
        Allowed modes.
    closed
        Closed maritime passages (:class:`~silkway.types.Passage`).
    max_transshipments
        Cap on container transfers between modes or gauges (None: no cap).
    cargo
        FEU or TEU.
    payload_t
        Cargo mass per container in tonnes (None: the shipped default for the cargo type).
    include_planned
        Also use legs whose status is ``planned`` (e.g. the CKU railway).
    allocation
        How transport emissions are allocated to the container (ISO 14083): ``mass`` (by the
        cargo's tonnes, the default) or ``teu`` (by TEU slots at the default loaded TEU mass).
    reefer
        A refrigerated container: reefer emission intensities are used where a source gives them.
    closed_hubs
        Hub ids no route may use (a scenario's closed port or crossing).
    closed_countries
        The countries of ``avoid`` that a scenario closes: only for the words of a reason ("the
        scenario closes RU", not "RU is avoided" when the user avoided nothing).
    """

    avoid: frozenset[str] = frozenset()
    modes: frozenset[Mode] = frozenset(Mode)
    closed: frozenset[Passage] = frozenset()
    max_transshipments: int | None = None
    cargo: Cargo = Cargo.FEU
    payload_t: float | None = None
    include_planned: bool = False
    allocation: str = "mass"
    reefer: bool = False
    closed_hubs: frozenset[str] = frozenset()
    closed_countries: frozenset[str] = frozenset()

    @classmethod
    def make(cls, *, avoid: Iterable[str] | str | None = None,
             modes: Iterable[Mode | str] | str | None = None,
             close: Iterable[Passage | str] | str | None = None,
             max_transshipments: int | None = None, cargo: Cargo | str = Cargo.FEU,
             payload_t: float | None = None, include_planned: bool = False,
             allocation: str = "mass", reefer: bool = False) -> Constraints:
        """Validate user input (strings or enums, comma lists allowed) into constraints.

        Raises
        ------
        ConstraintError
            Naming the bad code, mode or passage.
        """
        avoid_set = check_countries(_split(avoid, "avoid"))
        mode_set: set[Mode] = set()
        for m in _split(modes, "modes") if modes is not None else [m.value for m in Mode]:
            try:
                mode_set.add(Mode(str(m).lower()))
            except ValueError:
                raise ConstraintError(
                    f"unknown mode {m!r}; use {', '.join(x.value for x in Mode)}") from None
        if not mode_set:
            raise ConstraintError("no transport mode allowed")
        closed: set[Passage] = set()
        for p in _split(close, "close"):
            key = str(p).lower().replace("_", "-").replace(" ", "-")
            if key not in _PASSAGE_ALIASES:
                raise ConstraintError(
                    f"unknown passage {p!r}; use {', '.join(x.value for x in Passage)}")
            closed.add(_PASSAGE_ALIASES[key])
        if max_transshipments is not None and max_transshipments < 0:
            raise ConstraintError("max transshipments must be 0 or more")
        try:
            cargo_t = Cargo(nfkc(str(cargo)).strip().upper())
        except ValueError:
            raise ConstraintError(f"unknown cargo {cargo!r}; use FEU or TEU") from None
        if payload_t is not None and not (0 < payload_t <= 30):
            raise ConstraintError(f"payload {payload_t} t is outside (0, 30] t per container")
        if payload_t is not None and payload_t < MIN_PAYLOAD_T:
            raise ConstraintError(
                f"payload {payload_t!r} t is less than {MIN_PAYLOAD_T:g} t (10 kg) per container: "
                "the box's transport emissions are its cargo's tonne-kilometres, which round to "
                "nothing below it, while its lifts are counted whole")
        if payload_t is not None:
            from silkway.data.container_mass import box_mass

            box = box_mass(cargo_t.value, bool(reefer))
            if payload_t > box.max_payload_t:
                name = f"reefer {cargo_t.value}" if reefer else cargo_t.value
                article = "an" if name == "FEU" else "a"
                raise ConstraintError(
                    f"payload {payload_t:g} t is more than {article} {name} can carry: "
                    f"{box.max_payload_t:g} t, its {box.max_gross_t:g} t maximum gross mass "
                    f"(ISO 668) less its {box.tare_t:g} t tare")
        if allocation not in ALLOCATIONS:
            raise ConstraintError(f"unknown allocation {allocation!r}; use mass or teu")
        return cls(avoid_set, frozenset(mode_set), frozenset(closed), max_transshipments,
                   cargo_t, payload_t, include_planned, allocation, bool(reefer))


def _split(value: Iterable[object] | str | None, name: str) -> list[str]:
    """The items of a comma list or of a sequence of them (:func:`silkway._text.comma_items`).

    Raises
    ------
    ConstraintError
        For an empty item (``RU,,BY``), which was dropped unsaid.
    """
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for i, item in enumerate(items):
        try:
            parts = comma_items(str(item))
        except ValueError as exc:
            raise ConstraintError(f"{name} {exc}") from None
        if not parts and not isinstance(value, str):
            raise ConstraintError(f"{name}: item {i + 1} of the list is empty")
        out.extend(parts)
    return out
