"""Which characters user text (a scenario's name, a saved plan's title) may not hold."""

from __future__ import annotations

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Bidirectional embeddings, overrides and isolates: they reorder what a terminal or a page
shows (``\u202egnp.exe`` reads as ``exe.png``), and no name or title needs them. Marks
(U+200E, U+200F) and joiners stay allowed: right-to-left text and emoji use them."""


def control_char(text: str, *, lines: bool = False) -> str | None:
    """The first C0/C1 control or bidirectional override in ``text`` (tabs, newlines and
    carriage returns allowed when ``lines``), or None."""
    for ch in text:
        code = ord(ch)
        if ch in BIDI or 0x7f <= code < 0xa0 or (code < 32 and not (lines and ch in "\t\n\r")):
            return ch
    return None
