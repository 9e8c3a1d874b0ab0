"""The compiled label-setting searches (``silkway.routing._pareto_core`` and the country-simple
``silkway.routing._simple_core``), built from Cython.

Optional: where it cannot be compiled (no C compiler), the install goes on and silkway searches
in pure Python (see ``silkway.routing.pareto.CORE`` and ``silkway.routing.simple.CORE``).
Everything else is in pyproject.toml.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = cythonize(
    [Extension("silkway.routing._pareto_core", ["src/silkway/routing/_pareto_core.pyx"]),
     Extension("silkway.routing._simple_core", ["src/silkway/routing/_simple_core.pyx"])],
    compiler_directives={"language_level": 3})
for ext in extensions:
    ext.optional = True  # (cythonize does not carry ``optional`` over from the Extension given)

setup(ext_modules=extensions)
