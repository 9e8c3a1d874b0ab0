"""Which characters user text (a scenario's name, a saved plan's title) may not hold, and how
a number typed as text is read."""

from __future__ import annotations

import math
import re
import typing
import unicodedata

_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def plain_float(text: str) -> float:
    """A number typed as text, read only as a plain decimal (``12``, ``-0.5``, ``1e-3``).

    Python's ``float`` also reads ``1_0`` as 10 (where 1.0 may have been meant), digits of
    other scripts (``١٠``, full-width ``１０``), ``nan`` and ``infinity``: each is refused here, so
    that every number silkway reads from text (CSV cells, ``--vary`` values, a scenario's via
    points) follows the rule its options and API bodies already follow.

    Raises
    ------
    ValueError
        When ``text`` (white space around it aside) is not a plain decimal number.
    """
    stripped = text.strip()
    if not _PLAIN.fullmatch(stripped):
        raise ValueError(f"{stripped[:40]!r} is not a plain decimal number")
    value = float(stripped)
    if math.isinf(value):
        raise UnreadableNumberError(f"{stripped[:40]!r} is too large a number to read (it "
                                    "overflows to infinity)")
    if underflows(stripped, value):
        raise UnreadableNumberError(f"{stripped[:40]!r} is too small a number to read (it "
                                    "underflows to 0)")
    return value


class UnreadableNumberError(ValueError):
    """A plain decimal that a float cannot hold: ``1e309`` (infinity) or ``1e-400`` (0). Such a
    number was reported by the check it then failed, with a value the user had not typed
    (``gap inf is outside (0, 0.1]``, ``payload_t should be greater than 0`` for ``1e-400``)."""


def underflows(literal: str, value: float) -> bool:
    """Whether the decimal ``literal``, read as ``value``, is a number other than zero that a
    float rounds to 0 (``1e-400``)."""
    if value != 0:
        return False
    mantissa = literal.lower().split("e", 1)[0]
    return any(ch in "123456789" for ch in mantissa)

def takes_number(annotation: object) -> bool:
    """Whether an option or parameter typed ``annotation`` (``int``, ``float``, ``int | None``
    …) is a number, which :func:`plain_float` must read before its framework does."""
    return bool(set(typing.get_args(annotation) or (annotation,)) & {int, float})


BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional embeddings, overrides and isolates: they reorder what a terminal or a page
shows (``\u202egnp.exe`` reads as ``exe.png``), and no name or title needs them. Marks
(U+200E, U+200F) and joiners stay allowed: right-to-left text and emoji use them."""


_BIDI_CLASS = "".join(sorted(BIDI))
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI_CLASS}]")
_CONTROL_LINES = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI_CLASS}]")


def control_char(text: str, *, lines: bool = False) -> str | None:
    """The first C0/C1 control or bidirectional override in ``text`` (tabs, newlines and
    carriage returns allowed when ``lines``), or None. (One regular expression: every CSV cell
    read is checked, and a loop over the characters took a fifth of a batch file's reading.)"""
    found = (_CONTROL_LINES if lines else _CONTROL).search(text)
    return found.group() if found else None


def invisible(ch: str) -> bool:
    """Whether ``ch`` is an invisible format character (a zero-width space or joiner, a
    direction mark, a byte-order mark), which no one sees on a label or a screen."""
    return unicodedata.category(ch) == "Cf"


def blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only white space and :func:`invisible` characters."""
    return all(ch.isspace() or invisible(ch) for ch in text)


def nfkc(text: str) -> str:
    """``text`` in its NFKC Unicode form, as every code and name silkway reads is taken: the
    full-width ``ＲＵ`` a Japanese input method types is ``RU``; letters of another script that
    look Latin (the Cyrillic ``РУ``) are not changed."""
    return unicodedata.normalize("NFKC", text)


def comma_items(text: str) -> list[str]:
    """The items of a comma list (``"RU, BY"``: ``["RU", "BY"]``), each stripped and in NFKC
    Unicode, as every list silkway reads is split (countries to avoid, modes, passages, via
    points, corridors; on the command line, in an API body, in a batch cell).

    NFKC reads the compatibility forms of letters as the letters (the full-width ``ＲＵ`` a
    Japanese input method types is ``RU``), as place names are already looked up; letters of
    another script that look Latin (the Cyrillic ``РУ``) are not changed, and are refused
    where a code is checked. Text that is only white space is the empty list.

    Raises
    ------
    ValueError
        When an item is empty (two commas together, or one at an end), naming its place: an
        empty item was dropped, so that ``RU,,BY`` read as two countries where three may have
        been meant.
    """
    text = nfkc(text)
    if not text.strip():
        return []
    items = [s.strip() for s in text.split(",")]
    if not any(items):  # "," or ",,": given, but naming nothing
        raise ValueError(f"{text.strip()[:80]!r} names nothing between its commas")
    for i, item in enumerate(items):
        if not item:
            shown = text.strip() if len(text.strip()) <= 60 else text.strip()[:59] + "…"
            where = ("the first" if i == 0 else "the last" if i == len(items) - 1
                     else f"item {i + 1} of {len(items)}")
            raise ValueError(f"{shown!r} has an empty item ({where}): two commas together, or "
                             "one at an end; separate the values by single commas")
    return items
