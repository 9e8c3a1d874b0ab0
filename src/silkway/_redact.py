"""Credentials out of messages: an address the user gave (a database URL, a Dask scheduler) may
hold a user name and password, before its host or as a query argument (libpq reads
``?password=``), which no error sentence or log line may show."""

from __future__ import annotations

import re

__all__ = ["hide_credentials"]

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@|[^\s/'\"@:]+:[^\s/'\"@]*@")
_SECRET_ARGUMENT = re.compile(r"(?<=[?&])([^=&\s]*(?:pass|secret|token|key)[^=&\s]*=)[^&\s'\"]*",
                              re.IGNORECASE)


def hide_credentials(text: str) -> str:
    """``text`` with the ``user:password@`` of every address in it replaced by ``***@``
    (``tcp://u:pw@host``, ``postgresql://u:pw@host/db`` and a scheme-less ``u:pw@host``), and
    the value of a query argument that may be a secret (``?password=``, ``&sslpassword=``,
    ``&token=``) by ``***``."""
    return _SECRET_ARGUMENT.sub(r"\1***", _USERINFO.sub("***@", text))
