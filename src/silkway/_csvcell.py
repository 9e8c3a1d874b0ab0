"""Cells for CSV files that a spreadsheet opens: text that would run as a formula is neutralised.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``=cmd|...``), so a batch id
or a place name typed by one user could run in another user's spreadsheet. Every CSV writer in
silkway passes its rows through :func:`safe_row`, which prefixes such text with a single quote
(OWASP's advice); numbers are left alone, so ``-3.5`` stays a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["FORMULA_PREFIXES", "safe_cell", "safe_row"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""


def safe_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``row`` with every cell passed through :func:`safe_cell`."""
    return {key: safe_cell(value) for key, value in row.items()}
