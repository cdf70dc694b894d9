"""Per-trial arrays <-> Arrow tables (written as Parquet).

A store keeps any number of named arrays per run. Each one is one Arrow
table, hence one Parquet file:

* a pandas ``DataFrame`` or an Arrow ``Table`` is written as it is;
* a NumPy array of shape ``(n, d1, d2, ...)`` becomes ``n`` rows and
  ``d1 * d2 * ...`` columns, named from the axis labels when they are given
  (``"arrow3-central|drone"``) and by index otherwise (``"3_0"``); the shape,
  dtype and labels travel in the schema metadata, so
  :func:`table_to_value` gives back the identical array.

Pass ``(array, labels)`` to label axes 1, 2, ...: ``labels`` is a list with
one list of names per trailing axis.
"""
from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np

__all__ = ["value_to_table", "table_to_value", "labels_of", "result_arrays", "result_context"]

_META_KIND = b"redline.kind"
_META_SHAPE = b"redline.shape"
_META_DTYPE = b"redline.dtype"
_META_LABELS = b"redline.labels"


def _column(v: np.ndarray):
    """A 1-D NumPy array as an Arrow array. Plain numbers are wrapped as they are
    (``Array.from_buffers``): ``pa.array`` asks pyarrow's pandas shim whether the input is a
    pandas object, which imports pandas, about a fifth of a stored run's CPU. Booleans are packed to
    Arrow's bits; other dtypes (strings) go through ``pa.array``."""
    import pyarrow as pa

    a = np.ascontiguousarray(v)
    if a.dtype.kind in "iuf" and a.dtype.isnative:
        return pa.Array.from_buffers(pa.from_numpy_dtype(a.dtype), len(a), [None, pa.py_buffer(a)])
    if a.dtype.kind == "b":                  # Arrow's booleans are bits, least significant first
        return pa.Array.from_buffers(pa.bool_(), len(a), [None, pa.py_buffer(np.packbits(a, bitorder="little"))])
    return pa.array(a)


def value_to_table(value: Any):
    """Convert a DataFrame, a dict of named 1-D columns, an Arrow table, an ndarray or ``(ndarray, labels)`` to an Arrow table."""
    import pyarrow as pa

    labels = None
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], np.ndarray):
        value, labels = value
    if isinstance(value, pa.Table):
        return value
    if type(value).__name__ == "DataFrame":
        return pa.Table.from_pandas(value, preserve_index=False)
    if isinstance(value, dict):         # named 1-D columns (Result.trial_columns): read back as a DataFrame
        return pa.Table.from_arrays([_column(v) for v in value.values()], names=[str(k) for k in value])
    a = np.asarray(value)
    if a.dtype == object:
        raise TypeError("object arrays cannot be stored; convert to a numeric or string dtype")
    shape = list(a.shape)
    flat = a.reshape(1, 1) if a.ndim == 0 else (a.reshape(-1, 1) if a.ndim == 1 else a.reshape(a.shape[0], -1))
    if a.ndim <= 1:
        names = ["value"]
    else:
        axes = []
        for k, n in enumerate(a.shape[1:]):
            lab = labels[k] if labels is not None and k < len(labels) and labels[k] is not None else None
            if lab is not None and len(lab) != n:
                raise ValueError(f"labels for axis {k + 1} have {len(lab)} names but the axis has {n} entries")
            axes.append([str(x) for x in lab] if lab is not None else [str(i) for i in range(n)])
        sep = "|" if labels is not None else "_"
        names = [sep.join(p) for p in itertools.product(*axes)]
        if len(set(names)) != len(names):
            names = ["_".join(str(i) for i in p) for p in itertools.product(*(range(n) for n in a.shape[1:]))]
    cols = [_column(flat[:, j]) for j in range(flat.shape[1])]
    meta = {
        _META_KIND: b"ndarray",
        _META_SHAPE: json.dumps(shape).encode(),
        _META_DTYPE: a.dtype.str.encode(),
        _META_LABELS: json.dumps(labels if labels is None else [list(map(str, x)) if x is not None else None
                                                                  for x in labels]).encode(),
    }
    return pa.Table.from_arrays(cols, names=names).replace_schema_metadata(meta)


def table_to_value(table):
    """Inverse of :func:`value_to_table`: an ndarray if one was stored, else a DataFrame."""
    meta = table.schema.metadata or {}
    if meta.get(_META_KIND) == b"ndarray":
        shape = tuple(json.loads(meta[_META_SHAPE]))
        dtype = np.dtype(meta[_META_DTYPE].decode())
        if table.num_columns == 0:
            return np.zeros(shape, dtype=dtype)
        cols = [np.asarray(c.to_numpy(zero_copy_only=False), dtype=dtype) for c in table.columns]
        flat = np.stack(cols, axis=1) if cols else np.zeros((table.num_rows, 0), dtype)
        return flat.reshape(shape)
    return table.to_pandas()


def labels_of(table) -> list | None:
    """Axis labels stored with an ndarray table, or None."""
    meta = table.schema.metadata or {}
    raw = meta.get(_META_LABELS)
    return json.loads(raw) if raw else None


def result_arrays(result) -> dict[str, Any]:
    """The per-trial arrays of an engagement :class:`~redline.results.Result`, ready for the store.

    ``trials`` is the columns of ``result.to_frame()`` (:meth:`~redline.results.Result.trial_columns`,
    read back as that DataFrame); the others are the raw arrays with
    labelled axes: ``cls`` (trials, class, count), ``unit_shots``,
    ``unit_kills`` (trials, unit, class), ``site_hits``, ``by_type`` (trials, threat type, count), and, for the first
    sample trials, ``fate``, ``t_end`` [s], ``killer``, ``impact_dx`` and
    ``impact_dy`` [m] per threat.
    """
    from ..catalog import THREAT_CLASSES
    from ..results import COUNTS

    c = result.compiled
    raw = result.raw
    threats = [str(i) for i in range(c.n_threats)]
    out: dict[str, Any] = {
        "trials": result.trial_columns(),
        "cls": (raw.cls, [list(THREAT_CLASSES), list(COUNTS)]),
        "unit_shots": (raw.unit_shots, [list(c.unit_names)]),
        "unit_kills": (raw.unit_kills, [list(c.unit_names), list(THREAT_CLASSES)]),
        "site_hits": (raw.site_hits, [list(c.site_names)]),
        "by_type": (raw.by_type, [list(c.threat_types), list(COUNTS)]),
        "kills_na": (raw.kills_na, [list(c.nations), list(c.airspaces)]),
        "took_part": (raw.took_part, [list(c.nations)]),
    }
    for name in ("fate", "t_end", "killer", "impact_dx", "impact_dy"):
        out[name] = (getattr(raw, name), [threats])
    return out


def result_context(result) -> dict[str, Any]:
    """What a report needs to redraw a stored engagement run: the scenario and the catalog entries it used."""
    c = result.compiled
    sc = c.scenario
    cat = c.catalog
    return {
        "scenario": sc.model_dump(mode="json", by_alias=True),
        "catalog": {
            "threats": {k: cat.threats[k].model_dump(mode="json", by_alias=True) for k in c.threat_types},
            "interceptors": {k: cat.interceptors[k].model_dump(mode="json") for k in c.interceptor_types},
            "sensors": {k: cat.sensors[k].model_dump(mode="json") for k in c.sensor_types},
        },
    }
