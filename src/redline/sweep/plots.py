"""Sweep figures (matplotlib, static PNG): sensitivity bars and response curves."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np

__all__ = ["plot_sweep", "slug"]


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def _bars(ax, s: dict, output: str) -> None:
    names = s["names"]
    key = s["importance"]
    vals = np.array([np.nan if v is None else v for v in s[key]], dtype=float)
    order = np.argsort(-np.nan_to_num(vals, nan=-np.inf))
    y = np.arange(len(names))
    if s["method"] == "sobol":
        st = vals[order]
        s1 = np.array([np.nan if v is None else v for v in s["S1"]])[order]
        err = np.array([np.nan if v is None else v for v in s["ST_conf"]])[order]
        ax.barh(y + 0.2, st, height=0.4, xerr=err, label="total (ST)", color="tab:red", alpha=0.8)
        ax.barh(y - 0.2, s1, height=0.4, label="first order (S1)", color="tab:blue", alpha=0.8)
        ax.legend(fontsize=8)
        ax.set_xlabel("Sobol index (share of output variance)")
    elif s["method"] == "morris":
        err = np.array([np.nan if v is None else v for v in s["mu_star_conf"]])[order]
        ax.barh(y, vals[order], xerr=err, color="tab:red", alpha=0.8)
        ax.set_xlabel("Morris mu* (mean |elementary effect|)")
    elif s["method"] == "lhs":
        ax.barh(y, vals[order], color="tab:red", alpha=0.8)
        ax.set_xlabel("|standardised regression coefficient|")
    else:
        ax.barh(y, vals[order], color="tab:red", alpha=0.8)
        ax.set_xlabel("main effect (max - min of the mean over levels)")
    ax.set_yticks(y, [names[i] for i in order], fontsize=8)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(f"Which parameters matter for {output}", fontsize=10)


def plot_sweep(res, folder: str | Path) -> list[Path]:
    """Write ``sensitivity-<output>.png`` and ``response-<output>.png`` for every output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    written = []
    idx = sorted(res.records)
    X = res.X[idx]
    for o in res.spec.outputs:
        s = res.sensitivity.get(o)
        if s:
            fig, ax = plt.subplots(figsize=(7, 0.5 * len(s["names"]) + 1.8))
            _bars(ax, s, o)
            fig.tight_layout()
            p = folder / f"sensitivity-{slug(o)}.png"
            fig.savefig(p, dpi=110)
            plt.close(fig)
            written.append(p)
        y = res.outputs(o)[idx]
        D = X.shape[1]
        cols = min(D, 3)
        rows = (D + cols - 1) // cols
        fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.2 * rows), squeeze=False, sharey=True)
        for j in range(D):
            ax = axes[j // cols][j % cols]
            x = X[:, j]
            ax.scatter(x, y, s=6, alpha=0.35, color="tab:gray")
            levels = np.unique(x)
            centres: list[float]
            if len(levels) <= 12:
                centres = [float(v) for v in levels]
                means = [y[x == v].mean() for v in levels]
            else:
                edges = np.linspace(x.min(), x.max(), 9)
                k = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, 7)
                centres = [(edges[b] + edges[b + 1]) / 2 for b in range(8) if (k == b).any()]
                means = [y[k == b].mean() for b in range(8) if (k == b).any()]
            ax.plot(centres, means, color="tab:red", marker="o", ms=3, label="mean")
            ax.set_xlabel(res.names[j], fontsize=8)
            ax.grid(alpha=0.3)
            if j % cols == 0:
                ax.set_ylabel(o, fontsize=8)
        for j in range(D, rows * cols):
            axes[j // cols][j % cols].set_visible(False)
        fig.suptitle(f"Response of {o} ({res.spec.name})", fontsize=10)
        fig.tight_layout()
        p = folder / f"response-{slug(o)}.png"
        fig.savefig(p, dpi=110)
        plt.close(fig)
        written.append(p)
    return written
