"""The compiled searches, built from Cython: the label-setting search
(``silkway.routing._pareto_core``), the country-simple one (``silkway.routing._simple_core``) and
a batch row's fastest-path step (``silkway.routing._days_core``).

Optional: where it cannot be compiled (no C compiler), the install goes on and silkway searches
in pure Python (see ``silkway.routing.pareto.CORE``, ``silkway.routing.simple.CORE`` and
``silkway.analysis.fastest.CORE``).
Everything else is in pyproject.toml.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = cythonize(
    [Extension("silkway.routing._pareto_core", ["src/silkway/routing/_pareto_core.pyx"]),
     Extension("silkway.routing._simple_core", ["src/silkway/routing/_simple_core.pyx"]),
     Extension("silkway.routing._days_core", ["src/silkway/routing/_days_core.pyx"])],
    compiler_directives={"language_level": 3})
for ext in extensions:
    ext.optional = True  # (cythonize does not carry ``optional`` over from the Extension given)

setup(ext_modules=extensions)
