"""Parse time of every shipped YAML file: bare C loader, the guarded reader, pure-Python loader.

    python tests/fuzz/bench_reader.py      (from the repository root)
"""
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
from redline import yamlio  # noqa: E402

files = sorted([*(ROOT / "src/redline").rglob("*.yaml"), *(ROOT / "examples").glob("*.yaml")])
texts = [(str(p), p.read_text()) for p in files]


def bare_c():
    for _f, t in texts:
        yaml.load(t, Loader=yaml.CSafeLoader)


def guarded():
    for f, t in texts:
        yamlio.parse_yaml(t, f)


def pure():
    for _f, t in texts:
        yaml.load(t, Loader=yaml.SafeLoader)


res: dict = {"bare C loader": [], "yamlio reader": [], "pure Python": []}
for _rep in range(15):
    for name, fn in zip(res, (bare_c, guarded, pure)):
        t0 = time.perf_counter()
        fn()
        res[name].append(time.perf_counter() - t0)
print(f"{len(texts)} shipped YAML files, {sum(len(t) for _, t in texts):,} characters, one pass each:")
for k, v in res.items():
    v.sort()
    print(f"  {k:14s} best {v[0] * 1e3:6.1f} ms  median {v[len(v) // 2] * 1e3:6.1f} ms")
