"""Figures of a campaign: stock curves and daily leakers (matplotlib, static PNG)."""
from __future__ import annotations

from pathlib import Path

from .result import CampaignResult

__all__ = ["plot_campaign", "sparkline"]

_BARS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[float], top: float) -> str:
    """One character per value, from blank (0) to a full block (``top``)."""
    if top <= 0:
        return " " * len(values)
    out = []
    for v in values:
        k = int(round(max(0.0, min(1.0, v / top)) * (len(_BARS) - 1)))
        out.append(_BARS[k])
    return "".join(out)


def plot_campaign(res: CampaignResult, path: str | Path) -> Path:
    """Save a two-panel PNG: remaining stock by interceptor type as a share of its
    starting stock (mean, 5-95% band), and leakers and impacts per day."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = list(range(1, res.days + 1))
    days0 = [0] + days
    curve = res.stock_curve("type")
    g = res.groups
    start = {t: float(sum(g.initial[k] for k, (_, tt) in enumerate(g.keys) if tt == t)) for t in res.types}
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7.5), sharex=True, height_ratios=(3, 2))
    for t in res.types:
        if start[t] <= 0:
            continue
        m = [1.0] + [s["mean"] / start[t] for s in curve[t]]
        lo = [1.0] + [s["p05"] / start[t] for s in curve[t]]
        hi = [1.0] + [s["p95"] / start[t] for s in curve[t]]
        (line,) = ax1.plot(days0, m, marker="o", ms=3, label=t)
        ax1.fill_between(days0, lo, hi, color=line.get_color(), alpha=0.15, lw=0)
    ax1.set_ylabel("stock left / starting stock")
    ax1.set_ylim(bottom=0)
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize=8, ncol=2)
    title = res.scenario.title or res.scenario.name
    ax1.set_title(("HYPOTHETICAL - " if res.scenario.hypothetical and "HYPOTHETICAL" not in title else "") + title,
                  fontsize=9)
    for metric, label in (("all.leaked", "leaked"), ("all.impacted", "impacted")):
        st = [res.stat(d, metric) for d in days]
        (line,) = ax2.plot(days, [s["mean"] for s in st], marker="o", ms=3, label=f"{label} (mean, 5-95%)")
        ax2.fill_between(days, [s["p05"] for s in st], [s["p95"] for s in st], color=line.get_color(), alpha=0.15, lw=0)
    ax2.set_xlabel("day (0: start)")
    ax2.set_ylabel("threats per day")
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
