"""Type stub of the compiled search (``_pareto_core.pyx``)."""

from collections.abc import Sequence
from typing import Any

class Unsupported(Exception): ...  # noqa: N818 - the core's own name for "not here"

def search(starts: Any, stops: Any, heads: Any, refs: Any, costs: Any, source: int,
           targets: frozenset[int], lower_bound: Sequence[tuple[float, ...]] | None,
           max_labels: int, dim: int, simple_in: Sequence[int] | None, first: bool,
           budget: tuple[float, ...] | None, allowed: Sequence[bool] | None,
           peers: Sequence[int] | None, slack: Sequence[tuple[float, ...]] | None
           ) -> tuple[list[tuple[tuple[float, ...], tuple[int, ...], tuple[int, ...]]], int, bool]: ...
