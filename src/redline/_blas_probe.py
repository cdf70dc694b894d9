"""Numba's start-up check for SciPy's BLAS, answered without importing ``scipy.linalg`` (issue 14: start-up).

When numba first builds its CPU target (the first call of any compiled function, even one loaded
from the cache) it imports ``numba.np.arraymath``, whose module body runs
``_HAVE_BLAS = _check_blas()``; that calls ``numba.np.linalg.ensure_blas()``, which imports
``scipy.linalg.cython_blas`` and so all of ``scipy.linalg`` (0.17-0.23 s of CPU, most of it SciPy's
array-API layer touching every lazy NumPy submodule) only to learn that the module exists.
``redline run`` never uses BLAS, so that is a fifth of its CPU spent on nothing.

:func:`install` puts a one-shot import hook on ``sys.meta_path`` that, while ``numba.np.arraymath``'s
module body runs (and only then), swaps ``ensure_blas`` for :func:`_blas_present`: the same
decision (is SciPy installed with a ``scipy/linalg/cython_blas`` extension module, of the Fortran
integer width this numba was built for; numba's own width check, which raises as before on a
mismatch), found on disk instead of by importing it. The real ``ensure_blas`` is put back as soon as
the module body has run, so every later use (numba compiling ``np.dot``, ``np.linalg.*``) imports
SciPy's BLAS as usual, and ``import scipy.linalg`` later in the process is the ordinary import.
Nothing is faked in ``sys.modules`` and the import order of numba's registries is unchanged.

The one difference: an installation whose ``cython_blas`` file exists but cannot be loaded makes
numba's ``_HAVE_BLAS`` true where it was false, so compiling ``np.dot`` raises numba's own
ImportError ("scipy 0.16+ is required") instead of falling back to a plain loop. If numba's
internals are not as expected (another version), the hook does nothing.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from typing import Any

_TARGET = "numba.np.arraymath"


def _blas_present() -> None:
    """``numba.np.linalg.ensure_blas`` without the import: raise ImportError unless SciPy's cython BLAS is installed."""
    linalg = sys.modules["numba.np.linalg"]
    if "scipy.linalg.cython_blas" not in sys.modules:
        try:
            import scipy                                   # numba itself imports it first (its version check)
        except ImportError:
            raise ImportError("scipy 0.16+ is required for linear algebra") from None
        dirs = [os.path.join(p, "linalg") for p in getattr(scipy, "__path__", ())]
        if importlib.machinery.PathFinder.find_spec("cython_blas", dirs) is None:
            raise ImportError("scipy 0.16+ is required for linear algebra")
    linalg._check_lapack_int_width()                        # numba's own LP64/ILP64 check (scipy.__config__ only)


class _Loader(importlib.machinery.SourceFileLoader):
    """The ordinary loader of ``numba.np.arraymath`` (source, cached bytecode), with the check swapped while it runs."""

    def exec_module(self, module: Any) -> None:
        import numba.np.linalg as linalg                   # arraymath imports it before its check anyway

        real = getattr(linalg, "ensure_blas", None)
        if real is None or not hasattr(linalg, "_check_lapack_int_width"):
            super().exec_module(module)
            return
        linalg.ensure_blas = _blas_present
        try:
            super().exec_module(module)
        finally:
            linalg.ensure_blas = real
            if getattr(module, "ensure_blas", None) is _blas_present:
                module.ensure_blas = real


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != _TARGET:
            return None
        _remove()
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or type(spec.loader) is not importlib.machinery.SourceFileLoader:
            return spec                                    # not numba's plain source layout: leave it alone
        spec.loader = _Loader(spec.loader.name, spec.loader.path)
        return spec


_FINDER = _Finder()


def _remove() -> None:
    try:
        sys.meta_path.remove(_FINDER)
    except ValueError:
        pass


def install() -> None:
    """Put the hook in place unless numba's CPU target is already built (then there is nothing to save)."""
    if _TARGET in sys.modules or "scipy.linalg" in sys.modules or _FINDER in sys.meta_path:
        return
    sys.meta_path.insert(0, _FINDER)
