"""The one exception tree of silkway.

Every error silkway raises on purpose is a :class:`SilkwayError` and also the matching built-in,
so callers can catch either. Messages are one clear sentence naming the problem (and the place,
option, file or row it is in). Each branch says whose fault it is, and so how an interface
answers it::

    SilkwayError
    ├── InputError (ValueError) ............ the user's place, option, file or row: exit 2, HTTP 4xx
    │   ├── UnknownPlaceError (LookupError)  a place that matches no hub: exit 2, HTTP 404
    │   ├── ConstraintError ................ an invalid option or constraint: exit 2, HTTP 422
    │   └── NotFoundError (LookupError) .... a saved plan, scenario or job that is not there: HTTP 404
    ├── NoRouteError (LookupError) ......... no route satisfies the constraints: exit 3, HTTP 409
    ├── ShippedDataError (ValueError) ...... the shipped tables or the network cache are broken:
    │                                        exit 4, HTTP 500 (``DataError`` is its old name)
    └── BackendError (OSError) ............. the database, the Dask scheduler or the disk fails:
                                             exit 5, HTTP 503

:data:`EXIT_CODES` and :func:`exit_code` are the one mapping from class to exit code.
"""

from __future__ import annotations

from typing import Any


class SilkwayError(Exception):
    """Base class of every error silkway raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled as its class, message and attributes, never by calling its __init__ again
        # (an UnknownPlaceError would say "unknown place 'unknown place ...'"): the API's
        # planning processes send errors back to the server process
        return (_rebuilt, (type(self), self.args, dict(self.__dict__)))


def _rebuilt(cls: type[SilkwayError], args: tuple[Any, ...], state: dict[str, Any]
             ) -> SilkwayError:
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class InputError(SilkwayError, ValueError):
    """The user's input is wrong: a place, an option, a file or a row (exit 2, HTTP 4xx)."""


class UnknownPlaceError(InputError, LookupError):
    """A place name, UN/LOCODE or hub id that matches no hub.

    Parameters
    ----------
    query
        What the user typed.
    suggestions
        Closest hub names, best first, for a "did you mean" hint.
    why
        What in the query may make it look like a name it is not (an invisible character,
        letters of two scripts), said in brackets after it.
    """

    def __init__(self, query: str, suggestions: list[str] | None = None,
                 why: str | None = None) -> None:
        self.query = query
        self.suggestions = list(suggestions or [])
        hint = f"; did you mean {', '.join(self.suggestions)}?" if self.suggestions else ""
        note = f" ({why})" if why else ""
        super().__init__(f"unknown place {query!r}{note}{hint}")


class ConstraintError(InputError):
    """A constraint or option given by the user is itself invalid (country code, mode, passage)."""


class NotFoundError(InputError, LookupError):
    """A saved plan, scenario or job that does not exist (or no longer exists)."""


class NoRouteError(SilkwayError, LookupError):
    """No route satisfies the constraints (avoided countries, modes, closed passages)."""


class ShippedDataError(SilkwayError, ValueError):
    """A shipped data table or the compiled-network cache is malformed; the message names it."""


DataError = ShippedDataError
"""The former name of :class:`ShippedDataError`, kept so existing imports keep working."""


class BackendError(SilkwayError, OSError):
    """A backend silkway relies on fails: the database, the Dask scheduler or the disk."""


EXIT_OK, EXIT_INPUT, EXIT_NO_ROUTE, EXIT_DATA, EXIT_BACKEND = 0, 2, 3, 4, 5

EXIT_CODES: tuple[tuple[type[SilkwayError], int], ...] = (
    (InputError, EXIT_INPUT),
    (NoRouteError, EXIT_NO_ROUTE),
    (ShippedDataError, EXIT_DATA),
    (BackendError, EXIT_BACKEND),
)
"""Exit code of each branch of the tree, checked in this order."""


def exit_code(exc: BaseException) -> int:
    """The command-line exit code for an error: 2 input, 3 no route, 4 data, 5 backend.

    A :class:`SilkwayError` outside the four branches counts as shipped-data trouble (4).
    """
    for cls, code in EXIT_CODES:
        if isinstance(exc, cls):
            return code
    return EXIT_DATA


__all__ = [
    "EXIT_BACKEND",
    "EXIT_CODES",
    "EXIT_DATA",
    "EXIT_INPUT",
    "EXIT_NO_ROUTE",
    "EXIT_OK",
    "BackendError",
    "ConstraintError",
    "DataError",
    "InputError",
    "NoRouteError",
    "NotFoundError",
    "ShippedDataError",
    "SilkwayError",
    "UnknownPlaceError",
    "exit_code",
]
