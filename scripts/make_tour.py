"""Write examples/tour.ipynb (the notebook tests/test_notebook.py executes). Run from the repository root:

    python scripts/make_tour.py

The notebook is stored without outputs; edit the cells here, not in the .ipynb.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    ("md", """# A tour of Redline

Small sizes throughout (a few hundred trials or paths), so the whole notebook runs in well under a
minute; raise them for real work. Every number comes with its manifest (seed, trials, parameter set,
version), and every result turns into pandas frames, CSV files or Excel workbooks the same way.
The built-in scenarios are public-reporting reconstructions; `hypothetical: true` marks invented ones."""),
    ("code", """import tempfile
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import redline
from redline.diff import diff

OUT = Path(tempfile.mkdtemp(prefix="redline-tour-"))
redline.builtin_scenarios()"""),
    ("md", """## 1. One engagement run

`redline.run` returns a `Result`: a short repr, an HTML summary in notebooks, the typed record, and
per-trial data as a wide or a tidy (long) frame."""),
    ("code", """res = redline.run("april-2024", trials=300, seed=1)
res"""),
    ("code", """print(repr(res))
tidy = res.to_frame(tidy=True)          # trial, dim, label, metric, value
tidy.head()"""),
    ("code", """tabs = res.tables()                     # the tables --csv and --xlsx write
tabs["by_site"]                         # mean = expected hits; hit_any's mean = P(at least one hit)"""),
    ("code", """fig, ax = plt.subplots(figsize=(6, 3))
for k in ("drone", "ballistic"):
    x = res.counts(k, "leaked")
    ax.hist(x, bins=np.arange(x.max() + 2) - 0.5, alpha=0.6, label=k)
ax.set_xlabel("leakers per trial"); ax.set_ylabel("trials"); ax.legend()
fig.savefig(OUT / "leakers.png", dpi=80)"""),
    ("md", """## 2. What changes if Jordan closes its airspace? A paired diff

Both scenarios run with the same seed and trials; the engine's draws are keyed by trial, threat,
fire unit and salvo, so each trial's difference is the effect of the change."""),
    ("code", """d = diff("april-2024", "april-2024-jordan-closed", trials=300, seed=1)
d"""),
    ("code", """t = d.tables()["by_threat_type"]
leak = t[t.metric == "leaked"].set_index("threat type" if "threat type" in t else "threat_type")
leak[["a", "b", "mean", "se", "p05", "p95"]]"""),
    ("code", """fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(leak.index, leak["mean"], xerr=[(leak["mean"] - leak["p05"]).clip(lower=0), (leak["p95"] - leak["mean"]).clip(lower=0)], color="#8e1b1b")
ax.axvline(0, color="k", lw=0.8); ax.set_xlabel("leakers, Jordan closed minus open (5-95% of per-trial differences)")
fig.tight_layout(); fig.savefig(OUT / "diff.png", dpi=80)"""),
    ("md", """## 3. A campaign: stocks carried from day to day"""),
    ("code", """from redline.campaign import load_campaign, run_campaign

sc, camp = load_campaign("twelve-day-campaign")
camp = type(camp).model_validate({**camp.model_dump(), "days": 3, "day_scale": None,
                                  "resupply": tuple(r for r in camp.resupply if r.day <= 3),
                                  "schedule": None if camp.schedule is None else tuple(e for e in camp.schedule if e.day <= 3)})
cres = run_campaign(sc, camp, trials=30, seed=1)
cres"""),
    ("code", """curve = cres.stock_curve("type")
fig, ax = plt.subplots(figsize=(6, 3))
for k, days in curve.items():
    ax.plot(range(1, len(days) + 1), [x["mean"] for x in days], marker="o", label=k)
ax.set_xlabel("day"); ax.set_ylabel("rounds left (mean)"); ax.legend(fontsize=7)
fig.savefig(OUT / "stocks.png", dpi=80)
cres.to_frame(tidy=True).query("dim == 'all'")"""),
    ("md", """## 4. The escalation model: a crisis and a comparison of policy packages"""),
    ("code", """crisis = redline.run_crisis(paths=300, draws=3, horizon_days=60, seed=1)
crisis"""),
    ("code", """crisis.to_frame().query("group == 'outcome'")"""),
    ("code", """cmp = redline.compare_policies(["status-quo", "diplomacy-first"], paths=300, draws=3, horizon_days=60, seed=1)
cmp.to_frame()"""),
    ("md", """## 5. A small sweep

Two values of the ballistic missiles' reliability, 40 trials each (one worker process)."""),
    ("code", """from redline.sweep import parse_sweep_spec, run_sweep

spec = parse_sweep_spec('''
name: tour-sweep
scenario: april-2024
trials: 40
seed: 3
params: prior
design: {method: grid}
parameters:
  - {name: reliability.ballistic, values: [0.6, 0.9]}
outputs: [by_class.ballistic.leaked]
''')
sw = run_sweep(spec, OUT / "sweep", workers=1, no_store=True, plots=False)
sw.table()"""),
    ("md", """## 6. Data out: xarray, CSV, Excel"""),
    ("code", """ds = res.to_xarray()
ds["leaked_by_class"].mean("trial")"""),
    ("code", """written = res.to_csv(OUT / "run-csv") + d.to_csv(OUT / "diff-csv")
book = crisis.to_xlsx(OUT / "crisis.xlsx")
sorted(p.name for p in written)[:6], book.name"""),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    out = Path(__file__).resolve().parents[1] / "examples" / "tour.ipynb"
    nbformat.write(build(), out)
    print(out)
