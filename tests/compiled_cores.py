"""Helpers of the tests that hold each compiled search against its pure-Python reference."""

from __future__ import annotations

import contextlib
import os
import shutil
import sysconfig
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import silkway
from silkway.analysis.plan import plan_first
from silkway.errors import SilkwayError
from silkway.query import make_query


def implementations(core: ModuleType | None) -> list[Any]:
    """``impl`` parameters: the Python search, and the compiled one where it is built."""
    return ["python", pytest.param("compiled", marks=pytest.mark.skipif(
        core is None, reason="the compiled search is not built or SILKWAY_PURE_PYTHON=1"))]


class Strict:
    """A compiled core, counting its searches; a search it cannot run fails the test instead of
    falling back to Python."""

    Unsupported = ()  # catches nothing

    def __init__(self, core: ModuleType) -> None:
        self.core, self.calls = core, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.core, name)

    def search(self, *args: Any) -> Any:
        self.calls += 1
        return self.core.search(*args)


def random_first_rows(net: silkway.Network, n: int, corridors: str) -> None:
    """Plan ``n`` seeded random hub pairs as batch rows do (``plan_first``), answers unused:
    for tests that record the searches such rows make."""
    rng = np.random.default_rng(5)
    hubs = sorted(h.id for h in net.hubs if h.kind != "border")
    for _ in range(n):
        o, d = (hubs[int(k)] for k in rng.choice(len(hubs), size=2, replace=False))
        with contextlib.suppress(SilkwayError):
            plan_first(net, make_query({"origin": o, "destination": d, "corridors": corridors}))


def assert_built(core: ModuleType | None, name: str) -> None:
    """The installed package runs ``name`` compiled, unless a run asks for pure Python or the
    machine has no C compiler to build it with (then the test skips, saying which)."""
    if os.environ.get("SILKWAY_PURE_PYTHON", "") not in ("", "0"):
        pytest.skip("SILKWAY_PURE_PYTHON is set: the pure-Python search is asked for")
    if core is None and not shutil.which(sysconfig.get_config_var("CC").split()[0]):
        pytest.skip("no C compiler here, so the install could not build the compiled search")
    assert core is not None, f"pip install -e . did not build {name}"
    assert core.__file__.endswith(sysconfig.get_config_var("EXT_SUFFIX"))
