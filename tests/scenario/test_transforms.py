"""The scenario transforms: closed-form cases, invariants, and the callers that use them."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from redline.errors import InputError
from redline.geo.sphere import destination
from redline.scenario import load_scenario, parse_scenario, scenario_catalog, scenario_sha256
from redline.scenario import transforms as T
from redline.scenario.io import _builtin_root
from redline.scenario.schema import Campaign, Scenario, Site

SRC = Path(__file__).resolve().parents[2] / "src" / "redline"


@pytest.fixture(scope="module")
def april() -> Scenario:
    return load_scenario("april-2024")


@pytest.fixture(scope="module")
def cat(april):
    return scenario_catalog(april)


def _klass(sc, cat, k):
    return sum(s.count for s in sc.raid if cat.threats[s.threat].klass == k)


# ------------------------------------------------------------------------------ the raid
def test_scale_classes_rounds_half_to_even_and_drops_empty_salvos(april, cat):
    out = T.scale_classes(april, {"drone": 0.0, "ballistic": 0.5}, cat)
    assert _klass(out, cat, "drone") == 0 and all(cat.threats[s.threat].klass != "drone" for s in out.raid)
    assert _klass(out, cat, "cruise") == _klass(april, cat, "cruise")
    want = [round(s.count * 0.5) for s in april.raid if cat.threats[s.threat].klass == "ballistic"]
    assert [s.count for s in out.raid if cat.threats[s.threat].klass == "ballistic"] == [n for n in want if n > 0]
    assert T.scale_classes(april, {}, cat) == april


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["drone", "cruise", "ballistic"]), st.integers(0, 400)))
def test_set_class_totals_gives_the_totals_asked_for(april, cat, totals):
    out = T.set_class_totals(april, totals, cat)
    for k in ("drone", "cruise", "ballistic"):
        assert _klass(out, cat, k) == totals.get(k, _klass(april, cat, k))
    # launch areas, windows and aims stay; only counts change
    assert [(s.threat, s.launch, s.window_min, s.aim) for s in out.raid] == [(s.threat, s.launch, s.window_min, s.aim) for s in april.raid]


def test_set_class_totals_needs_a_salvo_of_the_class(april, cat):
    no_drones = T.scale_classes(april, {"drone": 0.0}, cat)
    with pytest.raises(InputError, match=r"f\.yaml: raid\.drone = 5: the scenario has no drone salvo"):
        T.set_class_totals(no_drones, {"drone": 5}, cat, "f.yaml")
    assert T.set_class_totals(no_drones, {"drone": 0}, cat) == no_drones


def test_retarget_reaims_only_salvos_in_range(april, cat):
    # a point 1,500 km west of Nevatim: beyond drones and cruise missiles launched from Iran
    lat, lon = destination(april.sites["nevatim"].lat, april.sites["nevatim"].lon, 270.0, 1.5e6)
    site = Site(lat=float(lat), lon=float(lon), kind="city", value=3.0)
    out = T.retarget(april, "far-west", site, cat)
    assert out.sites["far-west"] == site
    for old, new in zip(april.raid, out.raid):
        if T.reaches(old.threat, april.sites[old.launch], site, cat):
            assert new.aim == {"far-west": 1.0} and new.waypoints == ()
        else:
            assert new == old
    assert any(new.aim == {"far-west": 1.0} for new in out.raid) and any(new == old for old, new in zip(april.raid, out.raid))


@settings(max_examples=25, deadline=None)
@given(st.floats(0.05, 1.0))
def test_forward_launch_keeps_every_munition(april, cat, fraction):
    area = Site(lat=33.27, lon=35.40, kind="launch_area", radius_km=20.0)
    out = T.forward_launch(april, "south-lebanon", area, fraction, cat)
    assert sum(s.count for s in out.raid) == sum(s.count for s in april.raid)
    for s in out.raid:
        if s.launch == "south-lebanon":
            assert s.waypoints == () and all(T.reaches(s.threat, area, out.sites[a], cat) for a in s.aim)


def test_reaches_uses_the_top_of_the_range_interval(april, cat):
    a = april.sites["nevatim"]
    r_m = cat.threats["emad"].range_km.high * 1e3
    inside = Site(**dict(zip(("lat", "lon"), map(float, destination(a.lat, a.lon, 90.0, r_m - 1.0)))))
    outside = Site(**dict(zip(("lat", "lon"), map(float, destination(a.lat, a.lon, 90.0, r_m + 1.0)))))
    assert T.reaches("emad", a, inside, cat) and not T.reaches("emad", a, outside, cat)


# ------------------------------------------------------------------------------ the defence
def test_exclude_owners_and_units(april):
    out = T.exclude_owners(april, ["jordan"])
    assert {u.owner for u in out.fire_units} == {u.owner for u in april.fire_units} - {"jordan"}
    assert all(s.owner != "jordan" for s in out.sensors)
    assert T.exclude_owners(april, ["mars"]) == april and T.exclude_owners(april, []) is april
    with pytest.raises(InputError, match="owners are: "):
        T.check_owners(april, ["mars"], "k")
    one = april.fire_units[0].name
    out = T.exclude_units(april, [one])
    assert [u.name for u in out.fire_units] == [u.name for u in april.fire_units[1:]]
    with pytest.raises(InputError, match=r"s\.yaml: exclude_units = 'nope': no fire unit or sensor has this name"):
        T.exclude_units(april, ["nope"], "s.yaml")


def test_scale_magazines_and_fighters(april):
    out = T.scale_magazines(april, {"israel": 1.5})
    for old, new in zip(april.fire_units, out.fire_units):
        if old.owner == "israel" and old.kind != "fighter":
            assert new.magazine == max(1, round(old.magazine * 1.5))
        else:
            assert new == old
    out = T.scale_fighters(april, {"jordan": 2.0, "israel": 0.01})
    for old, new in zip(april.fire_units, out.fire_units):
        if old.kind == "fighter" and old.owner in ("jordan", "israel"):
            f = 2.0 if old.owner == "jordan" else 0.01
            assert new.channels == max(1, round(old.channels * f))
            assert new.aircraft == (None if old.aircraft is None else max(1, round(old.aircraft * f)))
            assert new.rounds >= 1
        else:
            assert new == old


def test_close_airspace_with_and_without_rules(april):
    out = T.close_airspace(april, ["jordan"])
    assert all("jordan" not in v for v in out.doctrine.airspace.values()) and "jordan" in out.doctrine.airspace
    down = T.close_airspace(april, ["jordan"], stand_down=True)
    assert "jordan" not in down.doctrine.airspace
    assert set(down.doctrine.airspace) == set(april.doctrine.airspace) - {"jordan"}
    open_sky = april.model_copy(update={"doctrine": april.doctrine.model_copy(update={"airspace": None})})
    assert T.close_airspace(open_sky, ["syria"]) is open_sky
    ruled = T.close_airspace(open_sky, ["syria"], everywhere=["iraq", "jordan", "syria", "sea"])
    assert ruled.doctrine.airspace == {n: ("iraq", "jordan", "sea") for n in sorted({u.owner for u in april.fire_units})}


def test_set_doctrine_merges_shots_and_names_a_bad_value(april):
    out = T.set_doctrine(april, {"shots": {"exo": 3}, "shoot_look_shoot": False})
    assert out.doctrine.shots == {**april.doctrine.shots, "exo": 3} and not out.doctrine.shoot_look_shoot
    with pytest.raises(InputError, match=r"^k: doctrine\.look_s = -1"):
        T.set_doctrine(april, {"look_s": -1}, "k")


# ------------------------------------------------------------------------------ paths
def test_set_paths_by_name_index_and_star(april):
    out = T.set_paths(april, [("scenario.fire_units[arrow3-central].magazine", 40.6), ("scenario.raid[*].count", 3.0),
                              ("scenario.doctrine.look_s", 12)])
    assert next(u for u in out.fire_units if u.name == "arrow3-central").magazine == 41
    assert {s.count for s in out.raid} == {3} and out.doctrine.look_s == 12.0
    with pytest.raises(InputError, match=r"parameters\.scenario\.doctrine\.nope = 'nope': no such field"):
        T.set_paths(april, [("scenario.doctrine.nope", 1.0)])
    with pytest.raises(InputError, match="only numeric fields can be swept"):
        T.set_paths(april, [("scenario.doctrine.shoot_look_shoot", 1.0)])
    with pytest.raises(InputError, match=r"the scenario is invalid at this point \(doctrine\.look_s: Input should be") as e:
        T.set_paths(april, [("scenario.doctrine.look_s", -5.0)])
    assert "\n" not in str(e.value)


# ------------------------------------------------------------------------------ extends
def _old_resolve(raw: dict, base_dir: Path) -> dict:
    """The extends resolution of commit 8e7c6ad (raw dicts), kept as the oracle."""
    def merge(base: Any, over: Any) -> Any:
        if isinstance(base, dict) and isinstance(over, dict):
            out = dict(base)
            for k, v in over.items():
                out[k] = merge(base[k], v) if k in base else v
            return out
        return over

    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    p = base_dir / parent if (base_dir / parent).is_file() else _builtin_root() / f"{parent}.yaml"
    praw = _old_resolve(yaml.safe_load(p.read_text()), base_dir)
    exclude = raw.pop("exclude_owners", None) or []
    merged = merge(praw, raw)
    if exclude:
        merged["fire_units"] = [u for u in merged.get("fire_units", []) if u.get("owner") not in exclude]
        merged["sensors"] = [s for s in merged.get("sensors", []) if s.get("owner") not in exclude]
    return merged


CHAINS = {
    "one": ["extends: april-2024\nname: one\nexclude_owners: [france, jordan]\n"],
    "two levels": ["extends: april-2024\nname: mid\nexclude_owners: [jordan]\ndoctrine: {look_s: 25}\n",
                   "extends: mid.yaml\nname: top\nexclude_owners: [united-kingdom]\n"],
    "child gives its own units": [
        "extends: april-2024\nname: mid\nexclude_owners: [jordan]\n",
        "extends: mid.yaml\nname: top\nfire_units:\n"
        "  - {name: jo-pat, kind: battery, type: patriot-pac-3, owner: jordan, site: nevatim, magazine: 8}\n"],
    "child gives its own units and excludes": [
        "extends: april-2024\nname: mid\nexclude_owners: [israel]\n",
        "extends: mid.yaml\nname: top\nexclude_owners: [france]\nfire_units:\n"
        "  - {name: jo-pat, kind: battery, type: patriot-pac-3, owner: jordan, site: nevatim, magazine: 8}\n"
        "  - {name: fr-pat, kind: battery, type: patriot-pac-3, owner: france, site: nevatim, magazine: 8}\n"],
}


@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_extends_means_what_it_meant(tmp_path, chain):
    *parents, top = CHAINS[chain]
    for text in parents:
        (tmp_path / "mid.yaml").write_text(text)
    (tmp_path / "top.yaml").write_text(top)
    now = parse_scenario((tmp_path / "top.yaml").read_text(), "top.yaml", tmp_path)
    then = Scenario.model_validate(_old_resolve(yaml.safe_load((tmp_path / "top.yaml").read_text()), tmp_path))
    assert now == then and scenario_sha256(now) == scenario_sha256(then)


# ------------------------------------------------------------------------------ the campaign block
def test_campaign_block_is_typed_and_hashes_as_written():
    sc = load_scenario("twelve-day-campaign")
    assert isinstance(sc.campaign, Campaign) and sc.campaign.days == 12
    assert sc.campaign.missile_stocks["emad"].production_per_day == 1.0
    # numbers as the file wrote them (the hash was taken over the untyped mapping)
    assert sc.model_dump(mode="json")["campaign"]["missile_stocks"]["emad"] == {"initial": 150, "production_per_day": 1}
    assert Scenario.model_validate(sc.model_dump(mode="json")) == sc
    edited = sc.model_copy(update={"campaign": sc.campaign.model_copy(update={"days": 3})})
    assert edited.model_dump(mode="json")["campaign"]["days"] == 3


def test_campaign_block_errors_name_the_field():
    with pytest.raises(InputError, match=r"s\.yaml: campaign\.days = 0: "):
        parse_scenario("extends: april-2024\nname: s\ncampaign: {days: 0}\n", "s.yaml")
    with pytest.raises(InputError, match=r"campaign\.warp = 9: unknown field"):
        parse_scenario("extends: april-2024\nname: s\ncampaign: {warp: 9}\n", "s.yaml")


def test_campaign_file_merges_its_block_into_the_parents(tmp_path):
    from redline.campaign import parse_campaign

    # issue 10: a file extending a campaign inherits its block (merged; docs/campaigns.md)
    sc, camp = parse_campaign("extends: twelve-day-campaign\nname: child\n", "c.yaml")
    assert camp == load_scenario("twelve-day-campaign").campaign and sc.campaign is None
    sc, camp = parse_campaign("extends: april-2024\nname: c\ncampaign: {days: 2}\n", "c.yaml")
    assert camp.days == 2 and sc.campaign is None


# ------------------------------------------------------------------------------ one home
def test_no_earth_radius_or_haversine_outside_geo_sphere():
    pattern = re.compile(r"6[_ ]?371|haversine|\basin\(", re.IGNORECASE)
    found = [f"{p.relative_to(SRC)}:{i}" for p in sorted(SRC.rglob("*.py")) if p.name != "sphere.py"
             for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, f"distances and the Earth radius belong to redline.geo.sphere: {found}"


def test_callers_do_not_edit_scenario_dicts():
    """The four callers that used to edit scenario dumps now call the transforms."""
    for mod in ("escalation/effects.py", "web/knobs.py", "sweep/apply.py", "campaign/io.py"):
        text = (SRC / mod).read_text(encoding="utf-8")
        assert "model_dump(" not in text and "safe_dump" not in text, mod
