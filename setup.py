"""The compiled label-setting search (``silkway.routing._pareto_core``), built from Cython.

Optional: where it cannot be compiled (no C compiler), the install goes on and silkway searches
in pure Python (see ``silkway.routing.pareto.CORE``). Everything else is in pyproject.toml.
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = cythonize(
    [Extension("silkway.routing._pareto_core", ["src/silkway/routing/_pareto_core.pyx"])],
    compiler_directives={"language_level": 3})
for ext in extensions:
    ext.optional = True  # (cythonize does not carry ``optional`` over from the Extension given)

setup(ext_modules=extensions)
