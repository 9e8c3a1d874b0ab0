"""Shared fixtures: the real compiled network, built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import silkway

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    env = os.environ.get("SILKWAY_CACHE_DIR")
    return Path(env) if env else tmp_path_factory.mktemp("silkway-cache")


@pytest.fixture(scope="session")
def net(cache_dir: Path) -> silkway.Network:
    return silkway.load_network(cache_dir)
