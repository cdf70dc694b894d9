"""Priors for the engine's uncertain parameters, read from the catalog.

Every uncertain parameter of :class:`~redline.engagement.params.ParamSet`
(kill probability per interceptor type and threat class, reliability and
CEP per threat type, detection probability per sensor type) is a catalog
:class:`~redline.catalog.Quantity` with a best value ``v``, a range
``[lo, hi]`` and a confidence tag. Its prior follows the tag:

- ``assumption`` (no public figure: the catalog gives a broad range and
  says why): **uniform** on ``[lo, hi]``. The best value of such an entry
  is a placeholder, so the prior does not favour it.
- any sourced tag (W, S, E, C, D, derived): **PERT** on ``[lo, hi]`` with
  mode ``v``, a Beta(a, b) stretched over the range with

      a = 1 + 4 (v - lo) / (hi - lo),    b = 1 + 4 (hi - v) / (hi - lo).

A quantity without a range, or with ``lo == hi`` (e.g. ``pk = 0`` for a
class an interceptor cannot engage), is fixed. Either way the prior's
support is the catalog range: the fit cannot leave it, and a posterior
piled against a bound says the data pull beyond the catalog's range.

Latent coordinates. The fit works on a unit cube: each fitted parameter is
``theta = lo + (hi - lo) * I^-1(u; a, b)`` for a latent ``u ~ U(0, 1)``, so
the prior on the cube is uniform. Parameters that observations cannot tell
apart share one latent coordinate (they are comonotone: the same prior
quantile):

- reliability of all threat types of one class that appear in the fitted
  events (event reports give failures per class, not per type);
- CEP of all threat types of one class that appear in the fitted events;
- each (interceptor type, threat class) kill probability and each sensor
  type's detection probability has its own coordinate.

Parameters of types that appear in no fitted event are *free*: the data
say nothing about them, so their posterior is their prior and they are
drawn from it independently.

References
----------
Vose, D. (2008). *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley, §10.3.3 (PERT distribution).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..catalog import THREAT_CLASSES, Catalog, Quantity
from ..engagement.compile import Compiled
from ..engagement.params import ParamSet

__all__ = ["ParamSpec", "PriorModel", "catalog_specs", "build_prior"]

_DECIMALS = {"pk": 6, "reliability": 6, "pd": 6, "cep_m": 2}
"""Decimals kept in posterior files (and so in every draw the fit uses)."""


@dataclass(frozen=True)
class ParamSpec:
    """One uncertain parameter with its PERT prior."""

    table: str                      # "pk", "reliability", "cep_m" or "pd"
    key: str | tuple[str, str]      # threat/sensor id, or (interceptor, class)
    value: float
    low: float
    high: float
    dist: str = "pert"              # "pert" or "uniform" (see module notes)

    @property
    def name(self) -> str:
        k = ".".join(self.key) if isinstance(self.key, tuple) else self.key
        return f"{self.table}.{k}"

    @property
    def fixed(self) -> bool:
        return not self.high > self.low

    @property
    def ab(self) -> tuple[float, float]:
        w = self.high - self.low
        return 1.0 + 4.0 * (self.value - self.low) / w, 1.0 + 4.0 * (self.high - self.value) / w

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Prior quantile function at ``u`` (rounded as stored in posterior files)."""
        u = np.asarray(u, dtype=float)
        if self.fixed:
            return np.full(u.shape, self.value)
        if self.dist == "uniform":
            x = self.low + (self.high - self.low) * u
        else:
            from scipy.special import betaincinv  # here: scipy.special costs 0.3 s, and `redline run` never needs it

            a, b = self.ab
            x = self.low + (self.high - self.low) * betaincinv(a, b, u)
        return np.round(x, _DECIMALS[self.table])

    def prior_moments(self) -> tuple[float, float]:
        """Prior mean and standard deviation."""
        if self.fixed:
            return self.value, 0.0
        w = self.high - self.low
        if self.dist == "uniform":
            return 0.5 * (self.low + self.high), w / np.sqrt(12.0)
        a, b = self.ab
        mean = self.low + w * a / (a + b)
        sd = w * np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
        return float(mean), float(sd)

    def spec(self) -> dict:
        return {"value": self.value, "range": [self.low, self.high], "dist": "fixed" if self.fixed else self.dist}


def _spec(table: str, key, q: Quantity) -> ParamSpec:
    dist = "uniform" if q.confidence == "assumption" else "pert"
    return ParamSpec(table, key, float(q.value), float(q.low), float(q.high), dist)


def catalog_specs(cat: Catalog) -> list[ParamSpec]:
    """Every parameter of ``cat`` as a :class:`ParamSpec`, in a fixed order."""
    out = []
    for k in sorted(cat.interceptors):
        pk: dict = dict(cat.interceptors[k].pk)
        for cl in THREAT_CLASSES:
            out.append(_spec("pk", (k, cl), pk[cl]))
    for k in sorted(cat.threats):
        out.append(_spec("reliability", k, cat.threats[k].reliability))
    for k in sorted(cat.threats):
        out.append(_spec("cep_m", k, cat.threats[k].cep_m))
    for k in sorted(cat.sensors):
        out.append(_spec("pd", k, cat.sensors[k].pd))
    return out


@dataclass(frozen=True)
class PriorModel:
    """The catalog's parameters split into fitted (latent), free and fixed ones.

    Attributes
    ----------
    specs : tuple of ParamSpec
        All parameters of the catalog.
    latent : tuple of str
        Names of the latent coordinates (``reliability.ballistic``, ``pk.arrow-3.ballistic``...).
    coord : dict
        Parameter name -> latent index, for fitted parameters.
    """

    specs: tuple[ParamSpec, ...]
    latent: tuple[str, ...]
    coord: dict[str, int]

    @property
    def dim(self) -> int:
        return len(self.latent)

    def fitted(self) -> list[ParamSpec]:
        return [s for s in self.specs if s.name in self.coord]

    def free(self) -> list[ParamSpec]:
        return [s for s in self.specs if s.name not in self.coord and not s.fixed]

    def values(self, U: np.ndarray) -> dict[str, np.ndarray]:
        """Fitted parameters' values for latent rows ``U`` (N, dim)."""
        return {s.name: s.ppf(U[:, self.coord[s.name]]) for s in self.fitted()}

    def paramset(self, U: np.ndarray, label: str = "calibration", free: dict[str, np.ndarray] | None = None) -> ParamSet:
        """A ParamSet with one draw per latent row; free parameters from ``free`` or the catalog value."""
        n = U.shape[0]
        vals = self.values(U)
        tables: dict[str, dict] = {"pk": {}, "reliability": {}, "cep_m": {}, "pd": {}}
        for s in self.specs:
            if s.name in vals:
                x = vals[s.name]
            elif free is not None and s.name in free:
                x = np.asarray(free[s.name], dtype=float)
            else:
                x = np.full(n, s.value)
            tables[s.table][s.key] = x
        return ParamSet(**tables, label=label)


def build_prior(cat: Catalog, compiled: list[Compiled], family: dict[str, str] | None = None) -> PriorModel:
    """Split ``cat``'s parameters for a fit to events whose scenarios compiled to ``compiled``.

    Parameters that can act in the compiled scenarios are fitted (see the
    module notes for which share a coordinate); the others are free. With
    ``family`` (threat id -> family name), reliabilities share a coordinate per
    (class, family) instead of per class: ``reliability.ballistic.solid``
    (the hierarchical fit's missile families; a type without a family keeps
    its class's coordinate).
    """
    threats = {t for c in compiled for t in c.threat_types}
    classes = {cat.threats[t].klass for t in threats}
    interceptors = {t for c in compiled for t in c.interceptor_types}
    sensors = {t for c in compiled for t in c.sensor_types}
    latent: list[str] = []
    coord: dict[str, int] = {}

    def assign(spec: ParamSpec, group: str) -> None:
        if group not in latent:
            latent.append(group)
        coord[spec.name] = latent.index(group)

    specs = catalog_specs(cat)
    for s in specs:
        if s.fixed:
            continue
        if s.table == "pk" and s.key[0] in interceptors and s.key[1] in classes:
            assign(s, s.name)
        elif s.table == "reliability" and s.key in threats and family and s.key in family:
            assign(s, f"reliability.{cat.threats[s.key].klass}.{family[s.key]}")
        elif s.table in ("reliability", "cep_m") and s.key in threats:
            assign(s, f"{s.table}.{cat.threats[s.key].klass}")
        elif s.table == "pd" and s.key in sensors:
            assign(s, s.name)
    return PriorModel(tuple(specs), tuple(latent), coord)
