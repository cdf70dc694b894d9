"""Results of an engagement run: per-trial arrays, summaries, manifest."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .catalog import THREAT_CLASSES
from .engagement.compile import Compiled
from .engagement.runner import RawOutcome
from .manifest import Manifest

if TYPE_CHECKING:
    from .records import RunSummary

__all__ = ["Result", "stats", "COUNTS", "OUTCOMES"]

COUNTS = ("launched", "failed", "intercepted", "leaked", "impacted")
OUTCOMES = COUNTS + ("fell_outside",)
"""The summary's counts per class and per type: :data:`COUNTS` and ``fell_outside``, the leakers
that hit no site (at sea or on open ground): ``leaked - impacted``."""


def stats(x: np.ndarray, p50: bool = True) -> dict[str, float]:
    """Mean and 5th/50th/95th percentiles of a per-trial array."""
    x = np.asarray(x, dtype=float)
    q = np.quantile(x, [0.05, 0.5, 0.95]) if x.size else [math.nan] * 3
    out = {"mean": float(x.mean()) if x.size else math.nan, "p05": float(q[0])}
    if p50:
        out["p50"] = float(q[1])
    out["p95"] = float(q[2])
    return {k: round(v, 6) for k, v in out.items()}


@dataclass
class Result:
    """What a run produced.

    Attributes
    ----------
    compiled : Compiled
        The scenario's geometry and bookkeeping.
    raw : RawOutcome
        Per-trial arrays (``raw.cls`` is (trials, classes, 5): launched, failed,
        intercepted, leaked, impacted per class).
    manifest : Manifest
        Kind ``run`` (or ``sweep-point``): scenario name and hash, seed, trials, parameters,
        version, elapsed time; ``details`` holds the engine and the number of parameter draws.
    """

    compiled: Compiled
    raw: RawOutcome
    manifest: Manifest
    _cache: dict = field(default_factory=dict, repr=False)

    # ---- per-trial derived arrays
    @property
    def trials(self) -> int:
        return int(self.raw.cls.shape[0])

    def counts(self, klass: str, what: str) -> np.ndarray:
        """Per-trial count of ``what`` (launched, failed, ..., fell_outside) for threat class ``klass``."""
        k = THREAT_CLASSES.index(klass)
        if what == "fell_outside":
            return self.raw.cls[:, k, 3] - self.raw.cls[:, k, 4]
        return self.raw.cls[:, k, COUNTS.index(what)]

    def type_counts(self, threat: str, what: str) -> np.ndarray:
        """Per-trial count of ``what`` (as :meth:`counts`) for threat type ``threat``."""
        t = self.compiled.threat_types.index(threat)
        if what == "fell_outside":
            return self.raw.by_type[:, t, 3] - self.raw.by_type[:, t, 4]
        return self.raw.by_type[:, t, COUNTS.index(what)]

    def p_hit_by_site(self) -> dict[str, float]:
        """P(at least one hit) per site: the share of trials with a hit on it."""
        hit = (self.raw.site_hits > 0).mean(axis=0) if self.trials else np.zeros(len(self.compiled.site_names))
        return {s: round(float(hit[k]), 6) for k, s in enumerate(self.compiled.site_names)}

    def unit_kills(self) -> np.ndarray:
        """(trials, units) threats killed by each fire unit, all classes."""
        if "unit_kills" not in self._cache:
            self._cache["unit_kills"] = self.raw.unit_kills.sum(axis=2)
        return self._cache["unit_kills"]

    def intercepts_by_nation(self) -> dict[str, np.ndarray]:
        c = self.compiled
        k_all = self.unit_kills()
        return {n: k_all[:, c.un_nation == k].sum(axis=1) for k, n in enumerate(c.nations)}

    def intercepts_by_layer(self) -> dict[str, np.ndarray]:
        from .scenario.schema import LAYERS
        c = self.compiled
        k_all = self.unit_kills()
        return {LAYERS[l]: k_all[:, c.un_layer == l].sum(axis=1) for l in sorted(set(c.un_layer.tolist()))}

    def intercepts_detail(self) -> dict[str, dict[str, dict[str, np.ndarray]]]:
        """Kills per trial by nation, then layer, then threat class (combinations with any kill)."""
        from .scenario.schema import LAYERS
        c = self.compiled
        out: dict = {}
        for k, n in enumerate(c.nations):
            for l in sorted(set(c.un_layer[c.un_nation == k].tolist())):
                sel = (c.un_nation == k) & (c.un_layer == l)
                for ci, cl in enumerate(THREAT_CLASSES):
                    x = self.raw.unit_kills[:, sel, ci].sum(axis=1)
                    if x.any():
                        out.setdefault(n, {}).setdefault(LAYERS[l], {})[cl] = x
        return out

    def kills_by_nation_airspace(self) -> dict[str, dict[str, np.ndarray]]:
        """Kills per trial by the killing unit's nation, then the airspace of the intercept point
        (a country, ``sea``, or ``exo`` above the doctrine's airspace ceiling); combinations with any kill."""
        c = self.compiled
        out: dict[str, dict[str, np.ndarray]] = {}
        for k, n in enumerate(c.nations):
            for a, air in enumerate(c.airspaces):
                x = self.raw.kills_na[:, k, a]
                if x.any():
                    out.setdefault(n, {})[air] = x
        return out

    def participation(self) -> dict[str, float]:
        """Share of trials each nation with fire units took part in (``Scenario.participation``; 1 if not drawn)."""
        share = self.raw.took_part.mean(axis=0) if self.trials else np.ones(len(self.compiled.nations))
        return {n: round(float(share[k]), 6) for k, n in enumerate(self.compiled.nations)}

    def interceptors_used(self) -> dict[str, np.ndarray]:
        c = self.compiled
        return {t: self.raw.unit_shots[:, c.un_type == k].sum(axis=1) for k, t in enumerate(c.interceptor_types)}

    def defender_cost_usd(self) -> np.ndarray:
        c = self.compiled
        unit_cost = np.array([c.catalog.interceptors[c.interceptor_types[k]].cost_usd.value for k in c.un_type])
        return self.raw.unit_shots @ unit_cost

    def attacker_cost_usd(self) -> np.ndarray:
        c = self.compiled
        total = sum(c.catalog.threats[c.threat_types[t]].cost_usd.value for t in c.th_type)
        return np.full(self.trials, float(total))

    def routes(self) -> list[dict[str, Any]]:
        """One row per distinct route: threat type, launch and aim sites, length, flight time,
        apogee and the countries overflown (Natural Earth boundaries shipped with the package)."""
        from .geo.countries import countries_along

        c = self.compiled
        counts = np.bincount(c.th_track, minlength=len(c.tracks))
        out = []
        for k, trk in enumerate(c.tracks):
            out.append({
                "threat": trk.threat,
                "launch": trk.launch,
                "aim": trk.aim,
                "via": [w if isinstance(w, str) else [w.lat, w.lon] for w in trk.waypoints],
                "threats": int(counts[k]),
                "length_km": round(trk.length_m / 1e3, 1),
                "flight_time_min": round(trk.flight_time_s / 60.0, 2),
                "apogee_km": round(float(trk.alt_m.max()) / 1e3, 1),
                "countries": countries_along(trk.lat, trk.lon),
            })
        return out

    # ---- summaries
    def summary(self) -> dict[str, Any]:
        """The JSON-ready summary printed by ``redline run --json`` (:meth:`record` as JSON)."""
        if "summary" not in self._cache:
            self._cache["summary"] = self.record().to_json()
        return self._cache["summary"]

    def record(self) -> RunSummary:
        """The typed summary: counts by class, intercepts, interceptors used, costs, site hits, routes."""
        from .records import RunSummary  # here: `import redline` stays light

        if "record" in self._cache:
            return self._cache["record"]
        c = self.compiled
        present = sorted({THREAT_CLASSES[k] for k in c.th_class.tolist()}, key=THREAT_CLASSES.index)
        by_class = {k: {w: stats(self.counts(k, w)) for w in OUTCOMES} for k in present}
        by_type = {t: {w: stats(self.type_counts(t, w)) for w in OUTCOMES} for t in c.threat_types}
        d_cost = self.defender_cost_usd()
        a_cost = self.attacker_cost_usd()
        ratio = float(d_cost.mean() / a_cost.mean()) if a_cost.mean() > 0 else math.inf
        out = {
            "scenario": c.scenario.name,
            "by_class": by_class,
            "intercepts_by_nation": {k: stats(v, p50=False) for k, v in self.intercepts_by_nation().items()},
            "intercepts_by_layer": {k: stats(v, p50=False) for k, v in self.intercepts_by_layer().items()},
            "intercepts_by_unit": {n: stats(self.unit_kills()[:, k], p50=False) for k, n in enumerate(c.unit_names)},
            "intercepts_detail": {n: {l: {cl: stats(x, p50=False) for cl, x in d2.items()} for l, d2 in d1.items()}
                                  for n, d1 in self.intercepts_detail().items()},
            "interceptors_used": {k: stats(v, p50=False) for k, v in self.interceptors_used().items()},
            "cost_usd": {
                "defender": stats(d_cost, p50=False),
                "attacker": stats(a_cost, p50=False),
                "exchange_ratio": round(ratio, 6),
            },
            "hits_by_site": {s: stats(self.raw.site_hits[:, k], p50=False) for k, s in enumerate(c.site_names)},
            "by_type": by_type,
            "p_hit_by_site": self.p_hit_by_site(),
            "kills_by_nation_airspace": {n: {a: stats(x) for a, x in d.items()}
                                         for n, d in self.kills_by_nation_airspace().items()},
            "participation": self.participation(),
            "routes": self.routes(),
            "manifest": self.manifest,
        }
        rec = RunSummary.model_validate(out)
        self._cache["record"] = rec
        return rec

    def to_frame(self, tidy: bool = False):
        """Per-trial table (pandas).

        ``tidy=False``: one row per trial, one column per count (``ballistic.leaked``, ``hits.<site>``...).
        ``tidy=True``: one long frame with columns ``trial, dim, label, metric, value`` holding every
        per-trial quantity of :func:`redline.frames.quantities` (by class, site, nation, layer, unit,
        interceptor type and side).
        """
        import pandas as pd

        if tidy:
            from .frames import quantities, tidy_frame

            return tidy_frame(quantities(self))
        return pd.DataFrame(self.trial_columns())

    def trial_columns(self) -> dict[str, np.ndarray]:
        """The columns of :meth:`to_frame` (``tidy=False``), in order, as NumPy arrays: what the run
        store writes, without importing pandas (a third of a stored run's start-up)."""
        cols: dict[str, np.ndarray] = {"trial": np.arange(self.trials)}
        c = self.compiled
        for k in sorted({THREAT_CLASSES[x] for x in c.th_class.tolist()}, key=THREAT_CLASSES.index):
            for w in COUNTS:
                cols[f"{k}.{w}"] = self.counts(k, w)
        for k, v in self.intercepts_by_nation().items():
            cols[f"intercepts.{k}"] = v
        for k, v in self.interceptors_used().items():
            cols[f"used.{k}"] = v
        for j, s in enumerate(c.site_names):
            cols[f"hits.{s}"] = self.raw.site_hits[:, j]
        cols["cost_usd.defender"] = self.defender_cost_usd()
        cols["cost_usd.attacker"] = self.attacker_cost_usd()
        return cols

    # ---- data out and display (redline.frames)
    def to_xarray(self):
        """The per-trial quantities as an ``xarray.Dataset`` (``leaked_by_class``, ``hits_by_site``...,
        over ``trial`` and each dimension); needs xarray."""
        from .frames import quantities, to_xarray

        return to_xarray(quantities(self), self.manifest)

    def tables(self, trials: bool = True) -> dict:
        """Named summary tables (``by_class``, ``by_site``, ..., ``trials``, ``manifest``) as pandas frames."""
        from .frames import tables

        return tables(self, trials=trials)

    def to_csv(self, directory, force: bool = False) -> list:
        """Write :meth:`tables` as ``.csv`` files directly in ``directory``; see :func:`redline.frames.write_csv`."""
        from .frames import write_csv

        return write_csv(self.tables(), directory, force=force)

    def to_xlsx(self, path) -> Any:
        """Write :meth:`tables` to one Excel workbook, one sheet per table (needs openpyxl)."""
        from .frames import write_xlsx

        return write_xlsx(self.tables(), path)

    def __repr__(self) -> str:
        from .frames import short_repr

        return short_repr(self, "summary(), record(), to_frame(tidy=True), to_xarray(), tables(), to_csv(dir), to_xlsx(file)")

    def _repr_html_(self) -> str:
        from .frames import html_repr

        return html_repr(self, show=("by_class", "by_site", "by_nation", "by_interceptor", "by_side"))
