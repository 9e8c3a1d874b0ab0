# cython: language_level=3
"""Memory helpers shared by the compiled searches (``_pareto_core``, ``_simple_core``)."""

from libc.stdlib cimport realloc


cdef inline void* resized(void* p, size_t size) except NULL:
    """``realloc(p, size)``, raising MemoryError where it fails (``p`` is then left as it was)."""
    cdef void* q = realloc(p, size)
    if q == NULL:
        raise MemoryError()
    return q
