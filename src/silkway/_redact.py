"""Credentials out of messages: an address the user gave (a database URL, a Dask scheduler) may
hold a user name and password, which no error sentence or log line may show."""

from __future__ import annotations

import re

__all__ = ["hide_credentials"]

_USERINFO = re.compile(r"(?<=://)[^/@\s]+@|[^\s/'\"@:]+:[^\s/'\"@]*@")


def hide_credentials(text: str) -> str:
    """``text`` with the ``user:password@`` of every address in it replaced by ``***@``
    (``tcp://u:pw@host``, ``postgresql://u:pw@host/db`` and a scheme-less ``u:pw@host``)."""
    return _USERINFO.sub("***@", text)
