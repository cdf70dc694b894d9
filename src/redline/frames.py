"""Data out: tidy (long) frames, xarray datasets, CSV and Excel files, and short displays of results.

Every kind of result is turned into data here, by one set of functions, so that the API, the
CLI (``--csv DIR``, ``--xlsx FILE``) and notebooks agree:

* :func:`quantities` lists an engagement run's per-trial quantities, each a ``(trials, labels)``
  array along one dimension (``class``, ``threat_type``, ``site``, ``nation``, ``layer``, ``unit``,
  ``interceptor``, ``side``); :func:`tidy_frame` stacks them into one long frame with columns
  ``trial, dim, label, metric, value`` and :func:`to_xarray` into a Dataset over ``trial`` and
  each dimension.
* :func:`tables` gives the named tables of any result (engagement run, campaign, crisis,
  compare, diff): one table per section, ready for :func:`write_csv` (one ``.csv`` file per table,
  directly in a folder) and :func:`write_xlsx` (one sheet per table).
* :func:`short_repr` and :func:`html_repr` are the ``repr`` and ``_repr_html_`` of results:
  a few lines and a few small tables, never the arrays.

pandas is a dependency of Redline; xarray and openpyxl are optional (``pip install
'redline[data]'``) and imported only by :func:`to_xarray` and :func:`write_xlsx`.
"""
from __future__ import annotations

import html as _html
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np

from .errors import RedlineError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ExportError",
    "check_csv_dir",
    "Quantity",
    "quantities",
    "stats_table",
    "tables",
    "tidy_frame",
    "to_xarray",
    "write_csv",
    "write_xlsx",
    "short_repr",
    "html_repr",
]

#: Longest ``repr`` of a result [characters]; ``short_repr`` never exceeds it.
MAX_REPR = 2000
#: Rows of each table shown by ``_repr_html_``.
HTML_ROWS = 12


class ExportError(RedlineError):
    """Tables cannot be written where asked (files exist, missing optional package)."""


# ------------------------------------------------------------------ per-trial quantities of a run
@dataclass(frozen=True)
class Quantity:
    """One per-trial quantity of an engagement run along one dimension.

    Attributes
    ----------
    metric : str
        What is counted: ``launched`` ... ``impacted``, ``fell_outside``, ``hits``, ``hit_any``,
        ``intercepts``, ``shots``, ``rounds``, ``cost_usd``.
    dim : str
        The dimension of ``labels``: ``class``, ``threat_type``, ``site``, ``nation``, ``airspace``,
        ``layer``, ``unit``, ``interceptor`` or ``side``.
    labels : tuple of str
    values : (trials, len(labels)) ndarray
    unit : str
        ``count`` or ``usd``.
    """

    metric: str
    dim: str
    labels: tuple[str, ...]
    values: np.ndarray
    unit: str = "count"

    @property
    def name(self) -> str:
        """The variable name in :func:`to_xarray`: ``<metric>_by_<dim>``."""
        return f"{self.metric}_by_{self.dim}"


def _q(metric: str, dim: str, labels: Iterable[str], cols: list[np.ndarray] | np.ndarray, unit: str = "count") -> Quantity:
    labels = tuple(str(x) for x in labels)
    arr = np.asarray(cols).T if isinstance(cols, list) else np.asarray(cols)
    if isinstance(cols, list) and not cols:
        arr = np.zeros((0, 0))
    return Quantity(metric, dim, labels, arr, unit)


def quantities(result) -> list[Quantity]:
    """The per-trial quantities of an engagement :class:`~redline.results.Result`, in a fixed order.

    Counts by threat class and by threat type (launched, failed, intercepted, leaked, impacted,
    fell_outside = leaked - impacted), hits by site and ``hit_any`` (1 if the site was hit at all
    in the trial: its mean is P(at least one hit)), intercepts by nation, airspace of the
    intercept point, layer and fire unit, shots by fire unit, rounds and their cost [US$] by
    interceptor type, and cost [US$] by side (defender, attacker).
    """
    from .catalog import THREAT_CLASSES
    from .results import COUNTS

    c = result.compiled
    raw = result.raw
    n = result.trials
    present = sorted({THREAT_CLASSES[k] for k in c.th_class.tolist()}, key=THREAT_CLASSES.index)
    idx = [THREAT_CLASSES.index(k) for k in present]
    out = [_q(w, "class", present, raw.cls[:, idx, j]) for j, w in enumerate(COUNTS)]
    out.append(_q("fell_outside", "class", present, raw.cls[:, idx, 3] - raw.cls[:, idx, 4]))
    by_type = getattr(raw, "by_type", None)      # (trials, threat types, counts)
    if by_type is not None:
        for j, w in enumerate(COUNTS):
            out.append(_q(w, "threat_type", c.threat_types, by_type[:, :, j]))
        out.append(_q("fell_outside", "threat_type", c.threat_types, by_type[:, :, 3] - by_type[:, :, 4]))
    out.append(_q("hits", "site", c.site_names, raw.site_hits))
    out.append(_q("hit_any", "site", c.site_names, (raw.site_hits > 0).astype(np.int32)))
    nat = result.intercepts_by_nation()
    out.append(_q("intercepts", "nation", nat, [nat[k] for k in nat]))
    kna = getattr(raw, "kills_na", None)          # (trials, nations, airspaces)
    if kna is not None:
        out.append(_q("intercepts", "airspace", c.airspaces, kna.sum(axis=1)))
    lay = result.intercepts_by_layer()
    out.append(_q("intercepts", "layer", lay, [lay[k] for k in lay]))
    out.append(_q("intercepts", "unit", c.unit_names, result.unit_kills()))
    out.append(_q("shots", "unit", c.unit_names, raw.unit_shots))
    used = result.interceptors_used()
    out.append(_q("rounds", "interceptor", used, [used[k] for k in used]))
    cost = [used[t] * c.catalog.interceptors[t].cost_usd.value for t in used]
    out.append(_q("cost_usd", "interceptor", used, cost, "usd"))
    out.append(_q("cost_usd", "side", ("defender", "attacker"),
                  [result.defender_cost_usd(), result.attacker_cost_usd()], "usd"))
    return [q if q.values.shape == (n, len(q.labels)) else _fix_empty(q, n) for q in out]


def _fix_empty(q: Quantity, n: int) -> Quantity:
    if len(q.labels) == 0:
        return Quantity(q.metric, q.dim, q.labels, np.zeros((n, 0)), q.unit)
    raise AssertionError(f"quantity {q.name} has shape {q.values.shape}, expected ({n}, {len(q.labels)})")


def tidy_frame(qs: list[Quantity]) -> pd.DataFrame:
    """One long frame: columns ``trial, dim, label, metric, value`` (one row per trial and entry).

    ``dim``, ``label`` and ``metric`` are pandas categoricals; ``value`` is a float (counts are
    whole numbers, costs in US$).
    """
    import pandas as pd

    parts = []
    for q in qs:
        t, k = q.values.shape
        if t == 0 or k == 0:
            continue
        parts.append(pd.DataFrame({
            "trial": np.repeat(np.arange(t), k),
            "dim": q.dim,
            "label": np.tile(np.array(q.labels, dtype=object), t),
            "metric": q.metric,
            "value": q.values.reshape(-1).astype(float),
        }))
    if not parts:
        return pd.DataFrame({"trial": [], "dim": [], "label": [], "metric": [], "value": []})
    df = pd.concat(parts, ignore_index=True)
    for col in ("dim", "label", "metric"):
        df[col] = df[col].astype("category")
    return df


def _require(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExportError(f"{what} needs the optional package {module!r}: pip install {module} "
                          f"(or pip install 'redline[data]')") from None


def to_xarray(qs: list[Quantity], manifest=None):
    """An ``xarray.Dataset`` with one variable per quantity (``leaked_by_class``, ``hits_by_site``...)
    over ``trial`` and the quantity's dimension; the manifest is in ``attrs`` (as JSON and a few
    plain fields)."""
    xr = _require("xarray", "to_xarray()")
    data: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    n = qs[0].values.shape[0] if qs else 0
    coords["trial"] = np.arange(n)
    for q in qs:
        if q.dim in coords and list(coords[q.dim]) != list(q.labels):
            raise AssertionError(f"dimension {q.dim} has two label sets")
        coords[q.dim] = list(q.labels)
        data[q.name] = (("trial", q.dim), q.values, {"units": q.unit, "metric": q.metric})
    attrs: dict[str, Any] = {}
    if manifest is not None:
        attrs = {"kind": manifest.kind, "subject": manifest.subject, "seed": -1 if manifest.seed is None else manifest.seed,
                 "version": manifest.version, "params": manifest.params or "",
                 "manifest": json.dumps(manifest.model_dump(mode="json"), sort_keys=True)}
    return xr.Dataset(data, coords=coords, attrs=attrs)


# ------------------------------------------------------------------ summary tables
def _stats_row(x: np.ndarray) -> dict[str, float]:
    x = np.asarray(x, float)
    if x.size == 0:
        return {"mean": math.nan, "p05": math.nan, "p50": math.nan, "p95": math.nan, "p_nonzero": math.nan}
    q = np.quantile(x, [0.05, 0.5, 0.95])
    return {"mean": float(x.mean()), "p05": float(q[0]), "p50": float(q[1]), "p95": float(q[2]),
            "p_nonzero": float(np.mean(x != 0))}


def stats_table(qs: list[Quantity], dim: str) -> pd.DataFrame:
    """Mean, 5/50/95th percentiles and the share of trials with a non-zero value of every quantity
    along ``dim``: columns ``<dim>, metric, mean, p05, p50, p95, p_nonzero`` (for hits on a site,
    ``mean`` is the expected number of hits and ``p_nonzero`` P(at least one hit))."""
    import pandas as pd

    rows = []
    for q in qs:
        if q.dim != dim:
            continue
        for j, lab in enumerate(q.labels):
            rows.append({dim: lab, "metric": q.metric, **_stats_row(q.values[:, j])})
    return pd.DataFrame(rows, columns=[dim, "metric", "mean", "p05", "p50", "p95", "p_nonzero"])


def manifest_table(manifest) -> pd.DataFrame:
    """The manifest as a two-column table (``field``, ``value``; nested fields as JSON)."""
    import pandas as pd

    d = manifest.model_dump(mode="json")
    rows = [{"field": k, "value": v if isinstance(v, (str, int, float)) or v is None else json.dumps(v, sort_keys=True)}
            for k, v in d.items()]
    return pd.DataFrame(rows, columns=["field", "value"])


def _run_tables(result, trials: bool = True) -> dict[str, pd.DataFrame]:
    qs = quantities(result)
    out: dict[str, Any] = {}
    for dim in dict.fromkeys(q.dim for q in qs):
        out[f"by_{dim}"] = stats_table(qs, dim)
    if trials:
        out["trials"] = result.to_frame()
    out["manifest"] = manifest_table(result.manifest)
    return out


def _campaign_tables(res) -> dict[str, pd.DataFrame]:
    import pandas as pd

    rec = res.record()
    out: dict[str, Any] = {"daily": campaign_frame(res, tidy=True), "daily_means": res.to_frame()}
    if getattr(res, "trial_totals", None):
        out["totals"] = campaign_totals(res)
    out["stocks"] = pd.DataFrame([{"stock": k, **v.model_dump()} for k, v in rec.stocks.items()])
    out["reserve_reached"] = pd.DataFrame([
        {"stock": k, "reserve_level": v.reserve_level, "p_within": v.p_within,
         **{f"day_{q}": d for q, d in v.day.items()}} for k, v in rec.reserve_reached.items()])
    out["manifest"] = manifest_table(rec.manifest)
    return out


def campaign_totals(res) -> pd.DataFrame:
    """Per-trial totals over the whole campaign, long: columns ``trial, dim, label, metric, value``
    (counts by class and ``all``, rounds used by interceptor type)."""
    from .results import COUNTS

    qs = [_q(w, "class", res.classes, [res.samples(f"{c}.{w}") for c in res.classes]) for w in COUNTS]
    qs += [_q(w, "all", ("all",), [res.samples(f"all.{w}")]) for w in COUNTS]
    qs.append(_q("rounds", "interceptor", res.types, [res.samples(f"used_type.{t}") for t in res.types]))
    return tidy_frame([q for q in qs if q.values.ndim == 2])


def _split_metric(name: str) -> tuple[str, str, str]:
    """A campaign histogram's name as (dim, label, metric): ``ballistic.leaked`` -> (class, ballistic, leaked)."""
    from .catalog import THREAT_CLASSES

    head, _, rest = name.partition(".")
    if head in THREAT_CLASSES:
        return "class", head, rest
    if head == "all":
        return "all", "all", rest
    dims = {"used": ("stock", "used"), "remaining": ("stock", "remaining"), "used_type": ("interceptor", "used"),
            "remaining_type": ("interceptor", "remaining"), "hits": ("site", "hits")}
    if head in dims:
        return dims[head][0], rest, dims[head][1]
    return head, rest, head


def campaign_frame(res, tidy: bool = False) -> pd.DataFrame:
    """A campaign's per-day outcome. ``tidy=False``: one row per day, the mean of every metric (the
    old :meth:`CampaignResult.to_frame`). ``tidy=True``: one row per day and metric, columns
    ``day, dim, label, metric, mean, p05, p50, p95`` (distributions over trials; exact quantiles)."""
    import pandas as pd

    if not tidy:
        rows = []
        for d in range(1, res.days + 1):
            row: dict[str, Any] = {"day": d}
            row.update({k: v.mean() for k, v in sorted(res.histograms[d - 1].items())})
            rows.append(row)
        return pd.DataFrame(rows)
    rows = []
    for d in range(1, res.days + 1):
        for k, h in sorted(res.histograms[d - 1].items()):
            dim, lab, metric = _split_metric(k)
            rows.append({"day": d, "dim": dim, "label": lab, "metric": metric, **h.stats()})
    return pd.DataFrame(rows, columns=["day", "dim", "label", "metric", "mean", "p05", "p50", "p95"])


def _interval_row(x) -> dict[str, Any]:
    return {k: getattr(x, k, None) for k in ("mean", "p05", "p50", "p95", "mc_se", "param_sd")}


def crisis_frame(rec) -> pd.DataFrame:
    """A crisis's results as one long table: columns ``group, name, mean, p05, p50, p95, mc_se, param_sd``
    (outcome probabilities, moves, days to war, losses, interceptors used, stocks at the horizon,
    first moves and most likely paths; a column a group does not have is empty)."""
    import pandas as pd

    rows = []
    for k in ("p_regional_war", "p_deescalation", "p_neither", "p_direct_strike", "p_major_strike"):
        rows.append({"group": "outcome", "name": k, **_interval_row(getattr(rec, k))})
    rows.append({"group": "summary", "name": "moves", **_interval_row(rec.moves)})
    if rec.days_to_war is not None:
        rows.append({"group": "summary", "name": "days_to_war", **_interval_row(rec.days_to_war)})
    for a, v in rec.losses.items():
        rows.append({"group": "loss_points", "name": a, **_interval_row(v.loss_points)})
        rows.append({"group": "p_severe_hit", "name": a, "mean": v.p_severe_hit})
        rows.append({"group": "defender_cost_usd_bn", "name": a, "mean": v.defender_cost_usd_bn})
    for k, s in rec.interceptors_used.items():
        rows.append({"group": "interceptors_used", "name": k, **_interval_row(s)})
    for k, s in rec.stocks_end.items():
        rows.append({"group": "stocks_end", "name": k, **_interval_row(s)})
    for k, p in rec.first_move.items():
        rows.append({"group": "first_move", "name": k, "mean": p})
    for p in rec.top_paths:
        rows.append({"group": "top_path", "name": " → ".join(p.moves) + f" | {p.end}", "mean": p.probability})
    return pd.DataFrame(rows, columns=["group", "name", "mean", "p05", "p50", "p95", "mc_se", "param_sd"])


def _crisis_tables(rec) -> dict[str, pd.DataFrame]:
    import pandas as pd

    full = crisis_frame(rec)
    out: dict[str, Any] = {}
    for g, name in (("outcome", "outcomes"), ("summary", "summary"), ("interceptors_used", "interceptors_used"),
                    ("stocks_end", "stocks_end"), ("first_move", "first_move"), ("top_path", "top_paths")):
        out[name] = full[full["group"] == g].drop(columns="group").dropna(axis=1, how="all").reset_index(drop=True)
    out["losses"] = pd.DataFrame([{"actor": a, **{f"loss_points_{k}": x for k, x in v.loss_points.model_dump().items()},
                                   "p_severe_hit": v.p_severe_hit, "defender_cost_usd_bn": v.defender_cost_usd_bn}
                                  for a, v in rec.losses.items()])
    rows = []
    for k, s in rec.stocks.series.items():
        for j, day in enumerate(rec.stocks.day):
            rows.append({"stock": k, "day": day, "mean": s.mean[j], "p05": s.p05[j], "p95": s.p95[j]})
    out["stock_series"] = pd.DataFrame(rows, columns=["stock", "day", "mean", "p05", "p95"])
    out["levers"] = pd.DataFrame([{"lever": k, "intensity": v} for k, v in rec.levers.items()], columns=["lever", "intensity"])
    out["manifest"] = manifest_table(rec.manifest)
    return out


def compare_frame(rec) -> pd.DataFrame:
    """A policy comparison as one long table: one row per package and outcome, columns ``policy,
    outcome, mean, p05, p95, mc_se, param_sd, delta_mean, delta_p05, delta_p95, p_lower`` (the
    paired difference to the status quo where the comparison computes one)."""
    import pandas as pd

    deltas = {"p_regional_war": "delta_vs_status_quo", "p_deescalation": "delta_deescalation_vs_status_quo",
              "p_major_strike": "delta_major_strike_vs_status_quo"}
    rows = []
    for p in rec.policies:
        for k in ("p_regional_war", "p_deescalation", "p_direct_strike", "p_major_strike"):
            x = getattr(p, k)
            row = {"policy": p.name, "outcome": k, "mean": x.mean, "p05": x.p05, "p95": x.p95,
                   "mc_se": x.mc_se, "param_sd": x.param_sd}
            if k in deltas:
                d = getattr(p, deltas[k])
                row.update({"delta_mean": d.mean, "delta_p05": d.p05, "delta_p95": d.p95, "p_lower": d.p_lower})
            rows.append(row)
    return pd.DataFrame(rows, columns=["policy", "outcome", "mean", "p05", "p95", "mc_se", "param_sd", "delta_mean",
                                       "delta_p05", "delta_p95", "p_lower"])


def _compare_tables(rec) -> dict[str, pd.DataFrame]:
    import pandas as pd

    levers = sorted({k for p in rec.policies for k in p.levers})
    return {
        "policies": compare_frame(rec),
        "levers": pd.DataFrame([{"policy": p.name, **{k: p.levers.get(k, 0) for k in levers}} for p in rec.policies]),
        "ranking": pd.DataFrame({"rank": range(1, len(rec.ranking) + 1), "policy": rec.ranking}),
        "manifest": manifest_table(rec.manifest),
    }


def tables(obj, trials: bool = True) -> dict[str, pd.DataFrame]:
    """The named tables of a result, for spreadsheets: an engagement ``Result`` (``by_class``,
    ``by_site``... with ``trials``, the per-trial wide frame, unless ``trials=False``), a
    ``CampaignResult``, a crisis or compare record, or a diff; each has a ``manifest`` table."""
    from .records import CompareSummary, CrisisSummary, Record

    if hasattr(obj, "compiled") and hasattr(obj, "raw"):
        return _run_tables(obj, trials=trials)
    if hasattr(obj, "histograms") and hasattr(obj, "campaign"):
        return _campaign_tables(obj)
    if isinstance(obj, CrisisSummary):
        return _crisis_tables(obj)
    if isinstance(obj, CompareSummary):
        return _compare_tables(obj)
    if hasattr(obj, "tables"):
        return obj.tables()
    if isinstance(obj, Record):
        import pandas as pd

        flat = pd.json_normalize(obj.model_dump(mode="json", exclude={"manifest"}), sep=".")
        return {"summary": flat.T.reset_index().set_axis(["field", "value"], axis=1), "manifest": manifest_table(obj.manifest)}
    raise TypeError(f"no tables for a {type(obj).__name__}")


# ------------------------------------------------------------------ files
def _safe_name(name: str) -> str:
    keep = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
    return keep or "table"


def csv_name(name: str) -> str:
    """The file stem a table is written under by :func:`write_csv` (and in the web app's CSV zip)."""
    return _safe_name(name)


def check_csv_dir(directory: str | os.PathLike, force: bool = False) -> None:
    """The rule of ``--csv DIR``: DIR is a folder (or does not exist yet) holding no ``.csv`` file,
    unless ``force``; :class:`ExportError` otherwise. Checked before a run and again before writing."""
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise ExportError(f"--csv {d}: exists and is not a folder; give a folder to write the .csv files in")
    if d.is_dir() and not force:
        have = sorted(p.name for p in d.glob("*.csv"))
        if have:
            more = f" and {len(have) - 4} more" if len(have) > 4 else ""
            raise ExportError(f"--csv {d}: the folder already holds .csv files ({', '.join(have[:4])}{more}); "
                              f"use an empty or new folder, or --force to overwrite")


def write_csv(tabs: Mapping[str, pd.DataFrame], directory: str | os.PathLike, force: bool = False) -> list[Path]:
    """Write each table to ``<directory>/<name>.csv`` (the folder is created if missing).

    If the folder already holds ``.csv`` files the call writes nothing and raises
    :class:`ExportError` (see :func:`check_csv_dir`), unless ``force``: then files of the same
    names are overwritten and other files are left as they are. Returns the paths written, in
    table order.
    """
    d = Path(directory)
    check_csv_dir(d, force)
    paths = [d / f"{_safe_name(k)}.csv" for k in tabs]
    d.mkdir(parents=True, exist_ok=True)
    for p, df in zip(paths, tabs.values()):
        tmp = p.with_name(f".{p.name}.tmp-{os.getpid()}")
        df.to_csv(tmp, index=False)
        os.replace(tmp, p)
    return paths


def write_xlsx(tabs: Mapping[str, pd.DataFrame], path: str | os.PathLike, force: bool = True) -> Path:
    """Write the tables to one Excel workbook, one sheet per table (names cut to Excel's 31 characters).

    Needs openpyxl. An existing file is replaced unless ``force=False``.
    """
    _require("openpyxl", "--xlsx / write_xlsx()")
    import pandas as pd

    p = Path(path)
    if p.suffix.lower() != ".xlsx":
        raise ExportError(f"--xlsx {p}: give a file name ending in .xlsx")
    if p.exists() and not force:
        raise ExportError(f"--xlsx {p}: the file exists; use another name or --force")
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(f".{p.stem}.tmp-{os.getpid()}.xlsx")
    used: set[str] = set()
    try:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            for name, df in tabs.items():
                sheet = _safe_name(name)[:31]
                k = 1
                while sheet in used:
                    k += 1
                    sheet = f"{_safe_name(name)[:28]}_{k}"
                used.add(sheet)
                df.to_excel(xw, sheet_name=sheet, index=False)
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()
    return p


# ------------------------------------------------------------------ displays
def _cut(text: str, limit: int = MAX_REPR) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _manifest_line(m) -> str:
    bits = [f"{m.samples.count:,} {m.samples.unit}", f"seed {m.seed}"]
    if m.params:
        bits.append(f"params {m.params}")
    bits.append(f"redline {m.version}")
    return ", ".join(bits)


def _headline_of(obj) -> tuple[str, str, Any]:
    """(class name, headline, manifest) of a result."""
    if hasattr(obj, "record") and callable(obj.record):
        rec = obj.record()
    else:
        rec = obj
    return type(obj).__name__, rec.headline(), rec.manifest


def short_repr(obj, hint: str = "") -> str:
    """``<Kind subject: headline (samples, seed, params, version)>`` and, on a second line, what to call
    for the data; at most :data:`MAX_REPR` characters."""
    name, head, m = _headline_of(obj)
    text = f"<{name} {m.subject}: {head} ({_manifest_line(m)})>"
    if hint:
        text += f"\n  {hint}"
    return _cut(text)


def _fmt_cell(x: Any) -> str:
    if isinstance(x, float):
        if not math.isfinite(x):
            return str(x)
        return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    return str(x)


def _html_table(df: pd.DataFrame, caption: str, rows: int = HTML_ROWS) -> str:
    head = "".join(f"<th>{_html.escape(str(c))}</th>" for c in df.columns)
    body = []
    for _, r in df.head(rows).iterrows():
        body.append("<tr>" + "".join(f"<td>{_html.escape(_fmt_cell(v))}</td>" for v in r.tolist()) + "</tr>")
    more = f"<tr><td colspan='{len(df.columns)}'>… {len(df) - rows} more rows</td></tr>" if len(df) > rows else ""
    return (f"<table style='border-collapse:collapse;margin:4px 0'><caption style='text-align:left'><b>"
            f"{_html.escape(caption)}</b></caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}{more}</tbody></table>")


def html_repr(obj, show: Iterable[str] = ()) -> str:
    """A small HTML summary for notebooks: the headline, the manifest line and the named tables
    (first rows only)."""
    name, head, m = _headline_of(obj)
    parts = [f"<div class='redline-result'><p><b>{_html.escape(name)}</b> {_html.escape(m.subject)}: "
             f"{_html.escape(head)}<br><small>{_html.escape(_manifest_line(m))}</small></p>"]
    tabs = tables(obj, trials=False) if hasattr(obj, "compiled") else tables(obj)
    for k in show:
        if k in tabs:
            df = tabs[k]
            if "metric" in df.columns and k.startswith("by_"):
                df = df.drop(columns=["p50"], errors="ignore")
            parts.append(_html_table(df, k.replace("_", " ")))
    parts.append("</div>")
    return "".join(parts)
