"""Cells for CSV files that a spreadsheet opens: text that would run as a formula is neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|...``), so a batch id
or a place name typed by one user could run in another user's spreadsheet. Every CSV writer in
silkway passes its rows through :func:`safe_row`, which prefixes such text with a single quote
(OWASP's advice); numbers are left alone, so ``-3.5`` stays a number.

Text that reaches a cell may also hold a control character (an ANSI escape, a NUL, a C1
control) or a bidirectional override (U+202E shows ``gnp.exe`` as ``exe.png``): the readers of
user input refuse them (a CSV row with one is an error row), and whatever still arrives, such
as an error row's id as it was typed, is written with each such character as a visible
``\x1b`` or ``\u202e``, never as itself and never dropped. Tabs, newlines and carriage returns
inside a cell are kept (CSV quotes them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from silkway._text import control_char

__all__ = ["FORMULA_PREFIXES", "safe_cell", "safe_row"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula, and
    with its control and bidirectional-override characters written as visible escapes."""
    if not isinstance(value, str):
        return value
    if control_char(value, lines=True) is not None:
        value = "".join(_visible(ch) for ch in value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _visible(ch: str) -> str:
    if ch in "\t\n\r" or control_char(ch) is None:
        return ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` with every cell passed through :func:`safe_cell`."""
    return {key: safe_cell(value) for key, value in row.items()}
