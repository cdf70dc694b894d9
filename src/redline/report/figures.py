"""Static PNG figures of a report view (matplotlib, Agg backend; our own geometries only)."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

__all__ = ["write_figures"]

CLASS_COLOURS = {"drone": "#d35400", "cruise": "#8e44ad", "ballistic": "#c0392b", "rocket": "#2c7fb8"}
NATION_COLOURS = {"israel": "#1f5fbf", "united-states": "#0b3d5c", "united-kingdom": "#b3202a", "france": "#5b3fa8",
                  "jordan": "#1e8449"}
_DPI = 110


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _circle(lat: float, lon: float, r_km: float, n: int = 90) -> tuple[list[float], list[float]]:
    from ..geo.sphere import destination

    la, lo = destination(lat, lon, [360.0 * i / n for i in range(n + 1)], r_km * 1e3)
    return lo.tolist(), la.tolist()


def _map(v: Mapping[str, Any], path: Path) -> None:
    plt = _plt()
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MPath

    m = v["map"]
    x0, y0, x1, y1 = m["bbox"]
    k = math.cos(math.radians((y0 + y1) / 2))
    w = 10.0
    fig, ax = plt.subplots(figsize=(w, w * (y1 - y0) / ((x1 - x0) * k) + 0.4), dpi=_DPI)
    ax.set_facecolor("#dce9f5")
    for c in m["countries"]:
        verts, codes = [], []
        for ring in c["rings"]:
            verts += [tuple(p) for p in ring]
            codes += [MPath.MOVETO] + [MPath.LINETO] * (len(ring) - 2) + [MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor="#f3f1ea", edgecolor="#9aa3ad", lw=0.5))
    for u in m["units"]:
        col = NATION_COLOURS.get(u["owner"], "#16a085")
        if u["kind"] == "fighter":
            ax.fill(*_circle(u["lat"], u["lon"], u["patrol_km"]), color=col, alpha=0.10, lw=0)
            ax.plot(*_circle(u["lat"], u["lon"], u["patrol_km"] + u["range_km"]), color=col, lw=0.6, ls="--", alpha=0.6)
        else:
            ax.plot(*_circle(u["lat"], u["lon"], u["range_km"]), color=col, lw=0.6, alpha=0.6,
                    ls="--" if u["range_km"] > 400 else "-")
        ax.plot(u["lon"], u["lat"], marker={"fighter": "^", "ship": "s"}.get(u["kind"], "o"), color=col, ms=5, mec="w", mew=0.5)
    for t in m["tracks"]:
        ax.plot(t["lon"], t["lat"], color=CLASS_COLOURS[t["class"]], lw=0.8 + math.log2(1 + t["count"]) / 3, alpha=0.6)
    if m["kills"]:
        ax.scatter([q[1] for q in m["kills"]], [q[0] for q in m["kills"]], s=2, c=[CLASS_COLOURS[q[2]] for q in m["kills"]],
                   alpha=0.35, lw=0, label="kill points")
    if m["impacts"]:
        ax.scatter([q[1] for q in m["impacts"]], [q[0] for q in m["impacts"]], s=9, c=["k" if q[3] else "#7f8c8d" for q in m["impacts"]],
                   lw=0.3, edgecolors="w", label="impacts", zorder=5)
    for s in m["sensors"]:
        if s["kind"] != "space":
            ax.plot(s["lon"], s["lat"], marker="D", color=NATION_COLOURS.get(s["owner"], "#16a085"), ms=3.5, mec="w", mew=0.4)
    for s in m["sites"]:
        if s["role"] == "launch":
            ax.plot(s["lon"], s["lat"], marker="^", color="#6e2c00", ms=8, mec="w")
            ax.annotate(s["name"], (s["lon"], s["lat"]), xytext=(6, -3), textcoords="offset points", fontsize=7)
        elif s["role"] == "target":
            ax.plot(s["lon"], s["lat"], marker="o", mfc="none", color="#8e1b1b", ms=7)
            ax.annotate(s["name"], (s["lon"], s["lat"]), xytext=(6, -3), textcoords="offset points", fontsize=7)
    for cl, col in CLASS_COLOURS.items():
        ax.plot([], [], color=col, label=cl)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / k)
    ax.legend(loc="lower left", fontsize=7, framealpha=0.85)
    ax.set_title(f"{v['scenario']['name']}: routes, fire units, kill points and impacts", fontsize=10)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _hists(hists: Mapping[str, Mapping[str, list]], title: str, xlabel: str, path: Path, colours=None) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 3.6), dpi=_DPI)
    keys = list(hists)
    wdt = 0.8 / max(1, len(keys))
    for j, k in enumerate(keys):
        h = hists[k]
        tot = sum(h["n"]) or 1
        ax.bar([x - 0.4 + wdt * (j + 0.5) for x in h["x"]], [n / tot for n in h["n"]], width=wdt, label=k,
               color=(colours or {}).get(k))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("share of trials")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _interceptors(v: Mapping[str, Any], path: Path) -> None:
    plt = _plt()
    it = v["charts"]["interceptors"]
    fig, ax = plt.subplots(figsize=(7.2, 3.8), dpi=_DPI)
    bottom = [0.0] * len(it["types"])
    for j, n in enumerate(it["nations"]):
        y = [row[j] for row in it["mean_rounds"]]
        ax.bar(it["types"], y, bottom=bottom, label=n, color=NATION_COLOURS.get(n))
        bottom = [b + q for b, q in zip(bottom, y)]
    ax.set_title("Interceptors fired per trial (mean), by type and nation", fontsize=10)
    ax.tick_params(axis="x", labelsize=8, rotation=20)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _timeline(v: Mapping[str, Any], path: Path) -> None:
    plt = _plt()
    tl = v["charts"]["timeline"]
    fig, ax = plt.subplots(figsize=(8, 3.6), dpi=_DPI)
    bottom = [0.0] * len(tl["t_min"])
    wdt = tl["bin_s"] / 60 * 0.9
    for k, y in tl["launched"].items():
        ax.bar(tl["t_min"], y, bottom=bottom, width=wdt, align="edge", color=CLASS_COLOURS[k], alpha=0.5, label=f"launched: {k}")
        bottom = [b + q for b, q in zip(bottom, y)]
    for k, col in (("intercepted", "#1f5fbf"), ("impacted", "k"), ("failed", "#aaa")):
        ax.plot([t + tl["bin_s"] / 120 for t in tl["t_min"]], tl[k], color=col, lw=1.5, label=k)
    ax.set_xlabel("minutes after first launch")
    ax.set_ylabel("threats per bin")
    ax.set_title("Raid timeline", fontsize=10)
    ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _pwar(v: Mapping[str, Any], path: Path) -> None:
    plt = _plt()
    rows = [r for r in v["p_war"] if r["mean"] is not None]
    fig, ax = plt.subplots(figsize=(7, 0.8 + 0.45 * max(1, len(rows))), dpi=_DPI)
    y = list(range(len(rows)))
    lo = [r["mean"] - r["p05"] if r["p05"] is not None else 0 for r in rows]
    hi = [r["p95"] - r["mean"] if r["p95"] is not None else 0 for r in rows]
    ax.barh(y, [r["mean"] for r in rows], xerr=[lo, hi], color="#8e1b1b", alpha=0.8, capsize=3)
    ax.set_yticks(y, [r["name"] for r in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("P(regional war), mean with 5–95% interval")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _stocks(v: Mapping[str, Any], path: Path) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.6), dpi=_DPI)
    for s in v["stocks"]:
        ax.plot(s["t"], s["y"], label=s["name"])
        if s.get("lo") and s.get("hi"):
            ax.fill_between(s["t"], s["lo"], s["hi"], alpha=0.2)
    ax.set_xlabel("round")
    ax.set_ylabel("remaining")
    ax.set_title("Stock depletion", fontsize=10)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def write_figures(view: Mapping[str, Any], stem: str | Path) -> list[Path]:
    """Write the view's PNG figures as ``<stem>-<name>.png``; return their paths."""
    stem = Path(stem)
    out: list[Path] = []

    def target(name: str) -> Path:
        p = stem.with_name(f"{stem.name}-{name}.png")
        out.append(p)
        return p

    if view.get("kind") == "run":
        _map(view, target("map"))
        ch = view["charts"]
        if ch.get("leakers"):
            _hists(ch["leakers"], "Leakers per trial, by class", "threats leaked", target("leakers"), CLASS_COLOURS)
        if ch.get("hits"):
            _hists(ch["hits"], "Hits per trial, by site", "hits", target("hits"))
        _interceptors(view, target("interceptors"))
        if ch.get("timeline"):
            _timeline(view, target("timeline"))
    elif view.get("kind") in ("crisis", "compare"):
        if view.get("p_war"):
            _pwar(view, target("p-war"))
        if view.get("stocks"):
            _stocks(view, target("stocks"))
    return out
