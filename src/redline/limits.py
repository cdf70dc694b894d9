"""Caps on input sizes that could exhaust time or memory, checked when a file is validated.

Every count a scenario, campaign or sweep file gives is checked against a cap here
*while the file is validated*, before anything is allocated or looped over, so a
salvo of a billion drones is refused in milliseconds with one
:class:`~redline.errors.InputError` line naming the file, the field, the value and
the cap, instead of hanging or running out of memory. Each cap is at least ten
times the largest case Redline ships or its sources report, so that every real
case (a thousand-rocket barrage, the twelve-day war's ~550 ballistic missiles and
~1,000 drones) runs with room to spare.

======================== ============ ============================================ =====================================
cap                      value        largest shipped or sourced case              what it bounds
======================== ============ ============================================ =====================================
MAX_SALVO_COUNT          100,000      160 drones (april-2024); >4,400 Hezbollah    threats in one salvo
                                      projectiles in one month (Oct 2024) [T15];
                                      a thousand-rocket barrage
MAX_RAID_THREATS         100,000      320 (april-2024); ~1,550 in the whole        threats in one raid (one wave),
                                      twelve-day war [C03][C04]                    after campaign scaling
MAX_MAGAZINE             100,000      120 (Iron Dome, april-2024); ~200 Arrow      rounds one fire unit holds
                                      rounds in all [I04]
MAX_AIRCRAFT             1,000        8 per patrol (april-2024); "dozens" [A34]    aircraft of one fighter patrol
MAX_MISSILES_EACH        100          6 (april-2024)                               air-to-air missiles per aircraft
MAX_CHANNELS             1,000        8 (april-2024)                               engagements a unit starts per
                                                                                   decision interval
MAX_SHOTS                100          2 (april-2024)                               interceptors per engagement,
                                                                                   engagements per unit, salvos in
                                                                                   flight
MAX_WINDOW_MIN           10,080       410 min (april-2024): one week               a salvo's launch window [min]
MAX_TRIALS               1,000,000    10,000 (april-2024)                          Monte Carlo trials of a run or a
                                                                                   sweep point
MAX_SEED                 2**63 - 1    20,240,414                                   seeds (kept within int64)
MAX_CAMPAIGN_DAYS        5,000        12 (twelve-day-campaign); ~350 days of the   days of a campaign
                                      Hezbollah front (Oct 2023 - Sep 2024) [T13]
MAX_WAVES_PER_DAY        100          2 (twelve-day-campaign); 8 barrages in four  waves a day
                                      days (June 2025) [C02]
MAX_CAMPAIGN_WAVES       50,000       24 (twelve-day-campaign)                     days x waves a day
MAX_STOCK                100,000,000  1,500 drones (twelve-day-campaign);          missiles or rounds of one stock
                                      >19,000 rockets in eight months [T16]        (initial, depot, resupply, and a
                                                                                   group's total over the campaign)
MAX_PRODUCTION_PER_DAY   100,000      20 drones a day (twelve-day-campaign)        missiles or rounds made per day
MAX_DESIGN_POINTS        100,000      448 (april-2024-pk-sobol)                    points of one sweep design
MAX_SWEEP_PARAMETERS     100          5 (shipped sweeps)                           swept parameters
MAX_LEVELS               1,000        5 grid values, 4 Morris levels (shipped)     grid levels, Morris levels
MAX_RETRIES              100          2 (default)                                  retries of a failed sweep point
MAX_NAME_CHARS           255          37 (shipped file names)                      ``extends`` names and paths'
                                                                                   components (a file-system limit)
MAX_RADIUS_KM            20,000       120 km (patrol radius, april-2024)           site and patrol radii (no place on
                                                                                   Earth is farther than ~20,000 km)
MAX_TIME_S               604,800      30 s (reaction, decision interval)           reaction, look and decision times
                                                                                   [s] (one week)
======================== ============ ============================================ =====================================

Source keys are those of ``docs/sources.md``. The whole table, with the fix for
each cap, is in ``docs/limits.md``; a test checks that the two agree.
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

__all__ = [
    "MAX_SALVO_COUNT", "MAX_RAID_THREATS", "MAX_MAGAZINE", "MAX_AIRCRAFT", "MAX_MISSILES_EACH", "MAX_CHANNELS",
    "MAX_SHOTS", "MAX_WINDOW_MIN", "MAX_TRIALS", "MAX_SEED", "MAX_CAMPAIGN_DAYS", "MAX_WAVES_PER_DAY",
    "MAX_CAMPAIGN_WAVES", "MAX_STOCK", "MAX_PRODUCTION_PER_DAY", "MAX_DESIGN_POINTS", "MAX_SWEEP_PARAMETERS",
    "MAX_LEVELS", "MAX_RETRIES", "MAX_NAME_CHARS", "MAX_RADIUS_KM", "MAX_TIME_S", "CAPS", "cap_message", "capped", "NOT_BOOL",
]

MAX_SALVO_COUNT = 100_000
MAX_RAID_THREATS = 100_000
MAX_MAGAZINE = 100_000
MAX_AIRCRAFT = 1_000
MAX_MISSILES_EACH = 100
MAX_CHANNELS = 1_000
MAX_SHOTS = 100
MAX_WINDOW_MIN = 10_080
MAX_TRIALS = 1_000_000
MAX_SEED = 2**63 - 1
MAX_CAMPAIGN_DAYS = 5_000
MAX_WAVES_PER_DAY = 100
MAX_CAMPAIGN_WAVES = 50_000
MAX_STOCK = 100_000_000
MAX_PRODUCTION_PER_DAY = 100_000
MAX_DESIGN_POINTS = 100_000
MAX_SWEEP_PARAMETERS = 100
MAX_LEVELS = 1_000
MAX_RETRIES = 100
MAX_NAME_CHARS = 255
MAX_RADIUS_KM = 20_000
MAX_TIME_S = 604_800

CAPS: dict[str, int] = {k: v for k, v in globals().items() if k.startswith("MAX_")}
"""Every cap by name."""


def cap_message(name: str, what: str, fix: str) -> str:
    """The fix of a value over cap ``name``: ``"more than the cap of N <what> (redline.limits.NAME); <fix>"``."""
    return f"more than the cap of {CAPS[name]:,} {what} (redline.limits.{name}, docs/limits.md); {fix}"


def capped(name: str, what: str, fix: str) -> Any:
    """A pydantic validator refusing a number above cap ``name`` with :func:`cap_message`.

    Use as ``Annotated[NonNegativeInt, capped("MAX_SALVO_COUNT", "threats in one salvo", "split it")]``.
    """
    cap = CAPS[name]
    msg = cap_message(name, what, fix)

    def check(v: Any) -> Any:
        if v is not None and v > cap:
            raise ValueError(msg)
        return v

    return AfterValidator(check)


def _not_bool(v: Any) -> Any:
    if isinstance(v, bool):
        raise ValueError(f"{str(v).lower()} is not a count; give a whole number")
    return v


NOT_BOOL = BeforeValidator(_not_bool)
"""Refuses ``true``/``false`` where a count is expected (pydantic would read them as 1 and 0)."""
