"""Shared fixtures: the real compiled network, built once per test session."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

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


@pytest.fixture(autouse=True, scope="session")
def _every_plan_validates_against_the_contract() -> Any:
    """Every plan the suite turns into JSON is checked against the published contract model,
    and the API's bytes of it (:func:`silkway.result.plan_json`) against the model's JSON."""
    from silkway.analysis.plan import PlanResult
    from silkway.result import PlanModel, plan_json

    real = PlanResult.to_dict
    checked = {"n": 0}

    def to_dict(self: PlanResult, **kw: Any) -> dict[str, Any]:
        out = real(self, **kw)
        model = PlanModel.model_validate(out)
        assert plan_json(out) == model.model_dump_json(by_alias=True, exclude_unset=True).encode(), \
            "the API's plan JSON differs from the contract model's"
        checked["n"] += 1
        return out

    PlanResult.to_dict = to_dict  # type: ignore[method-assign]
    yield checked
    PlanResult.to_dict = real  # type: ignore[method-assign]
