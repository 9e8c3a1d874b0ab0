"""Model selection for ``silkway calibrate`` by K-fold cross-validation on the training split.

The choices a fit cannot make by itself — how wide a prior is, where a service class's effect
acts (:data:`~.calibrate_fit.STRUCTURES`) — are made here, on the training observations alone:
the held-out split is never read. The training cases are dealt into :data:`FOLDS` folds by a
hash of their id; each fold is predicted by a fit on the others, on the routes the priors
choose (held fixed, as in one round of the fit). A candidate is scored by the mean out-of-fold
robust loss (the fit's own loss of the residual, :data:`~.calibrate_fit.LOSS`), with the share
within range and the median absolute % error beside it.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING, Any

import numpy as np

from silkway.analysis.calibrate_fit import SEED, STRUCTURES, factors_of, fit_factors, form_of

if TYPE_CHECKING:
    from silkway.analysis.calibrate import Case
    from silkway.analysis.plan import Route
    from silkway.network.model import Network

FOLDS = 5
FOLD_SALT = "cv"
TIE = 0.01  # a candidate with fewer class factors within 1 % of the best loss is preferred


def fold_of(obs_id: str, folds: int = FOLDS) -> int:
    """The cross-validation fold of a training observation (by hash of its id)."""
    return int(hashlib.sha256(f"{FOLD_SALT}{obs_id}".encode()).hexdigest()[:8], 16) % folds


@dataclass(frozen=True)
class Score:
    """Out-of-fold figures of one candidate: mean robust loss, % within range, MdAPE %."""

    structure: str
    n: int
    loss: float
    within_pct: float
    mdape_pct: float
    by_service: dict[str, tuple[int, float, float]]  # class -> (n, within %, MdAPE %)

    def as_dict(self) -> dict[str, Any]:
        return {"structure": self.structure, "n": self.n, "loss": round(self.loss, 3),
                "within_pct": round(self.within_pct, 1), "mdape_pct": round(self.mdape_pct, 1),
                "by_service": {k: {"n": n, "within_pct": round(w, 1), "mdape_pct": round(a, 1)}
                               for k, (n, w, a) in self.by_service.items()}}


def training_routes(network_prior: Network, cases: Sequence[Case]) -> list[tuple[Case, Route]]:
    """The training cases (observed and advertised figures of the ``train`` split only) with
    the routes the priors choose; cases without a route are left out."""
    from silkway.analysis.calibrate import FIT_KINDS, route_for

    train = [c for c in cases if c.split == "train" and c.kind in FIT_KINDS]
    pairs = [(c, route_for(network_prior, c)) for c in train]
    return [(c, r) for c, r in pairs if r is not None]


def cross_validate(network_prior: Network, pairs: Sequence[tuple[Case, Route]],
                   structure: str, *, folds: int = FOLDS) -> Score:
    """Out-of-fold figures of the fit with the service effects of ``structure``."""
    from silkway.analysis.calibrate import _on, as_case

    if any(c.split != "train" for c, _ in pairs):
        raise ValueError("cross-validation reads the training split only")
    cs = [c for c, _ in pairs]
    forms = [form_of(_on(as_case(network_prior, c), r), ends=not c.station, service=c.service,
                     structure=structure, kind=c.kind) for c, r in pairs]
    fold = [fold_of(c.id, folds) for c in cs]
    out: list[tuple[str, bool, float, float]] = []
    for k in range(folds):
        fit_idx = [i for i in range(len(cs)) if fold[i] != k]
        fit = fit_factors([cs[i] for i in fit_idx], [forms[i] for i in fit_idx],
                          network_prior.tables, starts=1)
        for i in (i for i in range(len(cs)) if fold[i] == k):
            days = float(np.median(forms[i].days(fit.factors, np.random.default_rng(SEED))))
            lo, hi = cs[i].window()
            r = cs[i].residual(days)
            out.append((cs[i].service, lo <= days <= hi,
                        abs(days - cs[i].target()) / cs[i].target(),
                        2.0 * (math.sqrt(1.0 + r * r) - 1.0)))

    def figures(rows: Sequence[tuple[str, bool, float, float]]) -> tuple[int, float, float]:
        return (len(rows), 100 * sum(w for _, w, _, _ in rows) / len(rows),
                100 * median(a for _, _, a, _ in rows))

    by = {s: figures([x for x in out if x[0] == s])
          for s in sorted({x[0] for x in out})}
    n, within, mdape = figures(out)
    return Score(structure, n, float(np.mean([x[3] for x in out])), within, mdape, by)


def compare_structures(network_prior: Network, cases: Sequence[Case],
                       structures: Sequence[str] = tuple(STRUCTURES), *,
                       progress: Callable[[int, int], None] | None = None) -> list[Score]:
    """Each candidate structure's out-of-fold figures on the training split (``progress(done,
    total)`` after each one, for a progress bar)."""
    pairs = training_routes(network_prior, cases)
    scores = []
    for i, s in enumerate(structures):
        if progress is not None:
            progress(i, len(structures))
        scores.append(cross_validate(network_prior, pairs, s))
    if progress is not None:
        progress(len(structures), len(structures))
    return scores


def size(structure: str) -> int:
    """How many service-class factors a structure fits (a scope is no factor)."""
    return sum(len(factors_of(effects)) for effects in STRUCTURES[structure].values())


def choose(scores: Sequence[Score]) -> str:
    """The rule, stated before the figures were seen: the lowest mean out-of-fold loss; among
    the candidates within :data:`TIE` of it, the one with the fewest class factors (then the
    lower loss)."""
    best = min(s.loss for s in scores)
    near = [s for s in scores if s.loss <= best * (1 + TIE)]
    return min(near, key=lambda s: (size(s.structure), s.loss)).structure


__all__ = ["FOLDS", "FOLD_SALT", "TIE", "Score", "choose", "compare_structures",
           "cross_validate", "fold_of", "size", "training_routes"]
