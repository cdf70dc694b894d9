"""Scenarios: the data model and its reading at the edge."""
from .io import builtin_scenarios, load_scenario, parse_scenario, read_scenario, scenario_catalog, scenario_sha256
from .schema import Doctrine, FireUnit, Patrol, Point, Salvo, Scenario, SensorPlacement, Site

__all__ = [
    "Scenario", "Site", "Point", "SensorPlacement", "Patrol", "FireUnit", "Salvo", "Doctrine",
    "parse_scenario", "read_scenario", "load_scenario", "builtin_scenarios", "scenario_catalog", "scenario_sha256",
]
