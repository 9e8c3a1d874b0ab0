"""Type stub of the compiled fastest-path step (``_days_core.pyx``)."""

from typing import Any

def fastest(indptr: Any, heads: Any, starts: Any, rindptr: Any, rtails: Any, perm: Any,
            indptr_arcs: Any, arc_heads: Any, days: Any, refs: Any, ok: Any, source: int,
            glo: int, ghi: int, cut0: int, cut1: int, end_states: Any, end_days: Any,
            budget: float) -> tuple[float, list[int] | None]: ...
def distances(indptr: Any, indices: Any, data: Any, sources: Any, limit: float) -> Any: ...
def tree(indptr: Any, indices: Any, data: Any, source: int) -> tuple[Any, Any] | None: ...
