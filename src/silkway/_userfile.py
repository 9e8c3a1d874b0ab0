"""Reading a file the user names (a shipments or flows CSV, a pairs file, a scenario YAML).

Every such read goes through :func:`read_user_bytes`, so that every entry point has the same
rules: only a regular file is read (a FIFO would block the command forever and ``/dev/zero``
would fill the memory), the file is opened without blocking and checked on the open descriptor
(no race between the check and the read), at most ``limit`` bytes are read, and every failure is
one sentence naming the file — an :class:`~silkway.errors.InputError` (exit 2, HTTP 4xx).
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from silkway.errors import ConstraintError, InputError

__all__ = ["MAX_TABLE_BYTES", "read_user_bytes"]

MAX_TABLE_BYTES = 256 * 1024 * 1024
"""Largest CSV file read (256 MiB: some two million shipment rows; 100,000 rows are ~10 MB)."""


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n // 1024} KiB"


def read_user_bytes(path: str | Path, *, kind: str, limit: int, advice: str = "split it") -> bytes:
    """The bytes of the user's file ``path``, at most ``limit`` of them.

    Parameters
    ----------
    kind
        What the file holds (``"shipments"``, ``"scenario"``), to name it in the sentence.
    limit
        Largest size read; a bigger file is refused rather than read in part.
    advice
        What the sentence for a file over ``limit`` tells the user to do.

    Raises
    ------
    ConstraintError
        When the file does not exist or is a directory.
    InputError
        When it is not a regular file (a pipe, a device, a socket), is over ``limit``, or cannot
        be read (permission, a symbolic-link loop, an I/O error).
    """
    p = Path(path)
    if not str(path).strip():
        raise ConstraintError(f"the {kind} file name is empty")
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise ConstraintError(f"{kind} file {p} does not exist") from None
    except IsADirectoryError:
        raise ConstraintError(f"{kind} file {p} is a directory, not a file") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:  # a socket, or a FIFO opened for writing only
            raise InputError(f"{kind} file {p} is not a regular file") from None
        raise InputError(f"cannot read {kind} file {p}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ConstraintError(f"{kind} file {p} is a directory, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{kind} file {p} is not a regular file (a pipe, device or "
                             "socket); give a file")
        if info.st_size > limit:
            raise InputError(f"{kind} file {p} is over {_size(limit)} ({_size(info.st_size)}); "
                             f"{advice}")
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError(f"cannot read {kind} file {p}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if total > limit:  # it grew while it was read
        raise InputError(f"{kind} file {p} is over {_size(limit)}; {advice}")
    return b"".join(chunks)
