"""``silkway calibrate``: the report reproduced from the shipped calibrated values, the split,
the provenance of every calibrated row, and a quick fit on fixed routes."""

from __future__ import annotations

import json
from importlib import resources

import numpy as np
import pytest

import silkway
from silkway.analysis import calibrate as cal
from silkway.data.tables import load_observations, load_tables
from silkway.network.model import reassemble


def fastest(net, o, d, **kw) -> silkway.Route:
    return min(silkway.plan(net, o, d, thin=0, max_routes=100, **kw).routes,
               key=lambda r: r.expected_days)


@pytest.fixture(scope="module")
def shipped_report() -> dict:
    text = resources.files("silkway.data").joinpath("calibration.json").read_text("utf-8")
    return json.loads(text)


@pytest.fixture(scope="module")
def outcome(net) -> cal.Outcome:
    return cal.run(net, load_observations())


def test_shipped_values_reproduce_the_shipped_report(outcome, shipped_report):
    for model in ("before", "after"):
        assert outcome.report[model] == shipped_report[model], model
    assert outcome.report["cases"] == shipped_report["cases"]


def test_held_out_figures_and_the_split_rule(outcome):
    rep = outcome.report
    test = [c for c in rep["cases"] if c["split"] == "test"]
    assert test and all(cal.split_of(c["id"]) == "test" for c in test)
    live = [c for c in test if c["p50"] is not None]
    share = round(100 * sum(c["within"] for c in live) / len(live), 1)
    assert share == rep["after"]["test"]["within_pct"]
    # calibrated values fit the held-out observations no worse than the sourced priors
    assert rep["after"]["test"]["mdape_pct"] <= rep["before"]["test"]["mdape_pct"]


def test_every_calibrated_row_is_applied_and_names_its_observations():
    text = resources.files("silkway.data").joinpath("calibrated.csv").read_text("utf-8")
    rows = text.strip().splitlines()[1:]
    tables = load_tables()
    assert len(tables.calibrated) == len(rows)  # none stale
    ids = {o.id for o in load_observations()}
    prior = load_tables(calibrated=False)
    for c in tables.calibrated:
        assert c.provenance.source == "calibrated" and c.fitted_on in c.provenance.estimate
        assert c.observations and set(c.observations) <= ids
        assert all(cal.split_of(o) == "train" for o in c.observations)
        if c.target_type == "tariff":
            assert tables.tariffs[c.key].speed_kmh == c.fitted
            assert prior.tariffs[c.key].speed_kmh == c.prior


def test_a_fit_on_fixed_routes_moves_predictions_towards_the_published_range(net):
    prior = reassemble(net, load_tables(calibrated=False))
    cases, _ = cal.cases_from(load_observations(), prior)
    train = [c for c in cases if c.split == "train" and c.kind in cal.FIT_KINDS][:8]
    pairs = [(c, cal.route_for(prior, c)) for c in train]
    pairs = [(c, r) for c, r in pairs if r is not None]
    forms = [cal.form_of(r) for _, r in pairs]
    factors = cal.fit_factors([c for c, _ in pairs], forms, prior.tables)
    for (kind, _), f in factors.items():
        lo, hi = cal.BOUNDS[kind]
        assert lo - 1e-9 <= f <= hi + 1e-9
    rng = np.random.default_rng(cal.SEED)

    def loss(fac: dict) -> float:
        total = 0.0
        for (c, _), form in zip(pairs, forms, strict=True):
            smp = form.samples(rng)
            days = sum(d / fac.get(p, 1.0) for p, d in form.moving.items()) + sum(
                fac.get(p, 1.0) * smp[i] for i, (p, _) in enumerate(form.parts))
            total += c.residual(float(np.median(days))) ** 2
        return total

    assert loss(factors) < loss({})
