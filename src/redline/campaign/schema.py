"""Campaign data model (re-exported from :mod:`redline.scenario.campaign`).

The models of a scenario's ``campaign:`` block live with the scenario data
model, which carries the block typed (``Scenario.campaign``); they are
re-exported here under the names campaign code has always used.
"""
from __future__ import annotations

from ..scenario.campaign import Adapt, Campaign, Conserve, MissileStock, Plan, Resupply

__all__ = ["Campaign", "MissileStock", "Resupply", "Conserve", "Plan", "Adapt"]
