"""Typed summaries of the escalation model's commands: crisis, compare, backtest."""
from __future__ import annotations

from typing import Any, Optional

from pydantic import SerializerFunctionWrapHandler, model_serializer

from .base import Interval, Num, Record, Stats, _Frozen

__all__ = ["BacktestSummary", "CompareSummary", "CrisisSummary", "Delta", "MonteCarlo", "PolicyRow", "TopPath"]


class Delta(Interval):
    """A paired difference to the status quo; ``p_lower`` is the probability that the policy lowers it."""

    p_lower: float


class MonteCarlo(_Frozen):
    """How many paths a run used and the Monte Carlo error it reached (adaptive paths, issue 12)."""

    paths_requested: int
    paths_run: int
    batches: int
    paths_per_draw: int
    target_rel_se: float
    met: bool
    rel_se: dict[str, Optional[float]]


class TopPath(_Frozen):
    moves: list[str]
    end: str
    probability: float


class Loss(_Frozen):
    loss_points: Stats
    p_severe_hit: float
    defender_cost_usd_bn: float


class Series(_Frozen):
    mean: list[float]
    p05: list[float]
    p95: list[float]


class StockSeries(_Frozen):
    day: list[float]
    series: dict[str, Series]


class CrisisSummary(Record):
    """``redline crisis --json``: outcome probabilities with intervals, likely paths, losses, stocks."""

    kinds = ("crisis",)
    omit_if_none = ("days_to_war", "p_breakout", "war_rule", "monte_carlo")   # unset in results saved before issue 12

    start: str
    policy: str
    levers: dict[str, float]
    horizon_days: Num
    paths: int
    draws: int
    p_regional_war: Interval
    p_deescalation: Interval
    p_neither: Interval
    p_direct_strike: Interval
    p_major_strike: Interval
    p_breakout: Optional[Interval] = None           # Iran's nuclear breakout within the horizon (issue 12)
    war_rule: Optional[dict[str, Num]] = None       # the reported war rule (count, window_days, min_rung)
    days_to_war: Optional[Stats] = None
    moves: Stats
    top_paths: list[TopPath]
    first_move: dict[str, float]
    losses: dict[str, Loss]
    interceptors_used: dict[str, Stats]
    stocks_end: dict[str, Stats]
    stocks: StockSeries
    monte_carlo: Optional[MonteCarlo] = None

    def outcomes(self) -> dict[str, Interval]:
        """The outcome probabilities other than regional war, by field name."""
        return {"p_deescalation": self.p_deescalation, "p_neither": self.p_neither,
                "p_direct_strike": self.p_direct_strike, "p_major_strike": self.p_major_strike}

    def headline(self) -> str:
        p = self.p_regional_war
        return f"{self.policy}: P(regional war) {p.mean:.3f} [{p.p05:.3f}–{p.p95:.3f}]"


class PolicyRow(_Frozen):
    name: str
    description: str
    levers: dict[str, Num]
    p_regional_war: Interval
    p_deescalation: Interval
    p_direct_strike: Interval
    p_major_strike: Interval
    p_breakout: Optional[Interval] = None
    delta_vs_status_quo: Delta
    delta_deescalation_vs_status_quo: Delta
    delta_major_strike_vs_status_quo: Delta

    @model_serializer(mode="wrap")
    def _omit(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out = handler(self)
        if out.get("p_breakout", 0) is None:       # unset in results saved before issue 12
            del out["p_breakout"]
        return out

    def outcomes(self) -> dict[str, Interval]:
        return {"p_deescalation": self.p_deescalation, "p_direct_strike": self.p_direct_strike,
                "p_major_strike": self.p_major_strike}


class CompareSummary(Record):
    """``redline compare --json``: packages side by side on common random numbers, differences to status quo."""

    kinds = ("compare",)
    omit_if_none = ("war_rule", "monte_carlo")      # unset in results saved before issue 12

    start: str
    horizon_days: Num
    paths: int
    draws: int
    policies: list[PolicyRow]
    war_rule: Optional[dict[str, Num]] = None       # the reported war rule (issue 12)
    ranking: list[str]
    monte_carlo: Optional[MonteCarlo] = None

    def headline(self) -> str:
        parts = [f"{p.name} {p.p_regional_war.mean:.3f}" for p in self.policies[:4]]
        return "P(regional war): " + ", ".join(parts) + ("…" if len(self.policies) > 4 else "")


class Score(_Frozen):
    model: float
    uniform: float


class MoveScore(_Frozen):
    actor: str
    action: str
    p: float
    p_rung: float
    p_mover: float
    top: list[list[Any]]
    date: str


class BacktestSummary(Record):
    """``redline backtest --json``: log and Brier scores of next-move predictions against the uniform reference."""

    kinds = ("backtest",)

    file: str
    moves: int
    in_sample: int
    out_of_sample: int
    log_score: Score
    brier: Score
    rung_log_score: Score
    rung_brier: Score
    mover_log_score: Score
    per_move: list[MoveScore]

    def headline(self) -> str:
        return (f"{self.moves} moves: log score {self.log_score.model:.3f} (uniform {self.log_score.uniform:.3f}), "
                f"Brier {self.brier.model:.3f} (uniform {self.brier.uniform:.3f})")
