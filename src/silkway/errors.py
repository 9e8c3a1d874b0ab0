"""The one exception tree of silkway.

Every error a user can cause is a :class:`SilkwayError` and also the matching built-in,
so callers can catch either. Messages are one clear sentence naming the problem.
"""

from __future__ import annotations


class SilkwayError(Exception):
    """Base class of every error silkway raises on purpose."""


class UnknownPlaceError(SilkwayError, LookupError):
    """A place name, UN/LOCODE or hub id that matches no hub.

    Parameters
    ----------
    query
        What the user typed.
    suggestions
        Closest hub names, best first, for a "did you mean" hint.
    """

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = list(suggestions or [])
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"unknown place {query!r}{hint}")


class NoRouteError(SilkwayError, LookupError):
    """No route satisfies the constraints (avoided countries, modes, closed passages)."""


class NotFoundError(SilkwayError, LookupError):
    """A saved plan, scenario or job that does not exist (or no longer exists)."""


class DataError(SilkwayError, ValueError):
    """A shipped or user-supplied data row is malformed; the message names file and row."""


class ConstraintError(SilkwayError, ValueError):
    """A constraint given by the user is itself invalid (unknown country code, mode, passage)."""
