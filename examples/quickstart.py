"""Quick start with the Python API: run April 2024 and a what-if, and compare them.

Run: python examples/quickstart.py
"""
import redline

base = redline.run("april-2024", trials=4000, seed=1)
alone = redline.run("april-2024-no-partners", trials=4000, seed=1)

for name, res in (("with partners", base), ("Israel alone", alone)):
    s = res.summary()
    leaked = {k: round(v["leaked"]["mean"], 1) for k, v in s["by_class"].items()}
    cost = s["cost_usd"]["defender"]["mean"] / 1e6
    print(f"{name:14s} leaked per class {leaked}  defence cost ${cost:,.0f} M")

df = base.to_frame()
print(f"P(at least one ballistic missile lands on a base) = {(df['ballistic.impacted'] > 0).mean():.2f}")
