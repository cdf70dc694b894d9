"""The five file types the fuzz suite feeds, each through the real loader and a little of the run.

Each target takes the path of one input file (written by the worker) and does what a user's
command does with it, on a small budget: a scenario is read, compiled and run for a few trials;
an event file is read and its scenario run; a moves file is read against the game; a sweep spec
is read, its design built, its targets checked and its first point run; a campaign is read and
flown for a few trials. The seeds are the shipped files of each type.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "redline" / "data"
TRIALS = 4


def _scenario(path: Path) -> None:
    import redline

    sc = redline.read_scenario(path)
    redline.run(sc, trials=TRIALS, seed=1, workers=1)


def _events(path: Path) -> None:
    import redline
    from redline.calibration.events import event_scenario, read_events

    le = read_events(path)
    sc, _cat = event_scenario(le)
    redline.run(sc, trials=TRIALS, seed=1, workers=1)


def _moves(path: Path) -> None:
    from redline.escalation.io import load_history, read_moves

    read_moves(path, extra_sources=load_history().sources)


def _sweep(path: Path) -> None:
    from redline.sweep.runner import prepare
    from redline.sweep.spec import read_sweep_spec
    from redline.sweep.worker import Point, SweepBase, point_seed, run_point

    from redline.sweep.escalation import EscalationSweepSpec, check_escalation_spec

    spec = read_sweep_spec(path)
    if isinstance(spec, EscalationSweepSpec):          # escalation designs: the checks run before any path
        check_escalation_spec(spec)
        return
    sc, camp, cat, ps, names, X = prepare(spec)        # the same loading and checks as run_sweep
    if len(X):
        base = SweepBase(sweep=spec.name, sweep_sha256="fuzz", scenario=sc, catalog=cat, params=ps, names=names,
                         outputs=tuple(spec.outputs), trials=min(spec.trials, TRIALS), file=str(path), campaign=camp)
        run_point(base, Point(0, tuple(float(v) for v in X[0]), point_seed(spec.seed, 0)))


def _campaign(path: Path) -> None:
    from redline.campaign.io import read_campaign
    from redline.campaign.runner import run_campaign

    sc, camp = read_campaign(path)
    run_campaign(sc, camp, trials=TRIALS, seed=1)


@dataclass(frozen=True)
class Target:
    """One file type: its loader and the shipped files mutations start from."""

    name: str
    load: Callable[[Path], None]
    seeds: tuple[Path, ...]

    def seed_texts(self) -> list[tuple[str, bytes]]:
        return [(p.name, p.read_bytes()) for p in self.seeds]


TARGETS: dict[str, Target] = {
    "scenario": Target("scenario", _scenario, tuple(sorted(
        p for p in (DATA / "scenarios").glob("*.yaml") if p.name != "twelve-day-campaign.yaml"))
        + (ROOT / "examples" / "small-raid.yaml",)),
    "events": Target("events", _events, tuple(sorted((DATA / "events").glob("*.yaml")))),
    "moves": Target("moves", _moves, (DATA / "escalation" / "history.yaml",)),
    "sweep": Target("sweep", _sweep, tuple(sorted((DATA / "sweeps").glob("*.yaml")))),
    "campaign": Target("campaign", _campaign, (DATA / "scenarios" / "twelve-day-campaign.yaml",)),
}


def warm_up() -> None:
    """Load every target once on its first seed in this process, so forked workers start warm (no JIT)."""
    import tempfile

    for t in TARGETS.values():
        name, text = t.seed_texts()[0]
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / name
            p.write_bytes(text)
            t.load(p)
