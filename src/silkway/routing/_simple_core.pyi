"""Type stub of the compiled country-simple search (``_simple_core.pyx``)."""

from collections.abc import Callable, Mapping, Sequence
from typing import Any

class Unsupported(Exception): ...  # noqa: N818 - the core's own name for "not here"

class Arcs: ...

def arcs_for(n: int) -> Arcs: ...
def search(arcs: Arcs, prepared: Any, source: int, ends: Mapping[int, float],
           before: Sequence[float], after: Sequence[float], limit: float, watched: int,
           asking: bool, ask: int, max_labels: int, hopeless: Callable[[int], bool] | None,
           asked: int,
           source_group: int, source_place: int, shift: int
           ) -> tuple[int, int, float | None, tuple[int, ...] | None, tuple[int, ...] | None]: ...
