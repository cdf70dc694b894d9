"""Tests of the shipped catalog data (src/redline/data/catalog/*.yaml).

Authorities: the reference tables in shared/reference (systems.md, april-2024.md) and the
source index copied into docs/sources.md. Values checked against a named source carry the
source key in the test.
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
from pydantic import BaseModel

from redline.catalog import THREAT_CLASSES, Catalog, Quantity, load_catalog, parse_catalog
from redline.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DOCS_SOURCES = ROOT / "docs" / "sources.md"
KEY = re.compile(r"\[([A-Z]\d{2})\]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

REQUIRED = {
    "threats": {"shahed-136", "paveh", "emad", "ghadr", "kheibar-shekan", "houthi-palestine-2", "samad-3",
                # issue 10 (common.md "Shared names")
                "fateh-110", "fateh-313", "zolfaghar", "dezful", "qiam-1", "haj-qasem", "fattah-1",
                "khorramshahr-4", "khorramshahr-4-cluster", "shahed-238", "houthi-toufan", "houthi-yafa",
                "grad-122", "fajr-5", "burkan", "m-600", "rampage", "rocks", "blue-sparrow", "delilah",
                "jassm-er", "tomahawk", "gbu-39"},
    "interceptors": {"arrow-3", "arrow-2", "davids-sling", "iron-dome", "patriot-pac-3", "thaad",
                     "sm-3", "sm-2", "fighter-aam",
                     "patriot-pac-3-mse", "patriot-gem-t", "sm-6", "c-ram", "skynex", "coyote",
                     "fighter-apkws", "s-300pmu2", "bavar-373", "khordad-15", "tor-m1"},
    "sensors": {"green-pine", "an-tpy-2", "spy-1", "aew", "sbirs",
                "an-mpq-65", "an-fps-132", "s-300-radar", "bavar-radar", "khordad-radar", "tor-radar",
                "iran-ew-radar"},
    "aircraft": {"f-35i", "f-15i", "f-16i", "b-2", "f-15e"},
}
TABLES = ("threats", "interceptors", "sensors", "aircraft")


def _walk(path: str, value):
    if isinstance(value, Quantity):
        yield path, value
    elif isinstance(value, dict):
        for sub, v in value.items():
            yield from _walk(f"{path}.{sub}", v)
    elif isinstance(value, BaseModel):
        for field in type(value).model_fields:
            yield from _walk(f"{path}.{field}", getattr(value, field))


def _quantities(cat: Catalog):
    """Yield (dotted path, Quantity) for every number in the catalog, nested ones included."""
    for table_name in TABLES:
        for key, entry in getattr(cat, table_name).items():
            yield from _walk(f"{table_name}.{key}", entry)


def _catalog_text() -> str:
    root = resources.files("redline") / "data" / "catalog"
    return "".join((root / n).read_text(encoding="utf-8")
                   for n in sorted(p.name for p in root.iterdir() if p.name.endswith(".yaml")))


def _doc_keys() -> set[str]:
    return set(re.findall(r"^- `\[([A-Z]\d{2})\]`", DOCS_SOURCES.read_text(encoding="utf-8"), re.M))


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


# --- loading and shape -----------------------------------------------------------------

def test_catalog_loads_with_required_entries(cat):
    for table, ids in REQUIRED.items():
        missing = ids - set(getattr(cat, table))
        assert not missing, f"{table} lacks {sorted(missing)}"


def test_ids_are_lowercase_slugs(cat):
    for table in TABLES:
        for key in getattr(cat, table):
            assert SLUG.match(key), f"{table} id {key!r} is not a lowercase slug"


def test_each_file_has_one_top_key_and_a_conventions_comment():
    root = resources.files("redline") / "data" / "catalog"
    for name, top in (("threats.yaml", "threats"), ("interceptors.yaml", "interceptors"),
                      ("sensors.yaml", "sensors"), ("aircraft.yaml", "aircraft")):
        text = (root / name).read_text(encoding="utf-8")
        assert text.startswith("#"), f"{name} should open with a conventions comment"
        assert "assumption" in text.split(f"\n{top}:")[0], f"{name}: comment should explain 'assumption'"
        assert re.search(rf"^{top}:\s*$", text, re.M), f"{name} lacks top key {top}:"


# --- sourcing rules --------------------------------------------------------------------

def test_sourced_quantities_cite_keys_listed_in_docs(cat):
    listed = _doc_keys()
    for path, q in _quantities(cat):
        if q.confidence in ("assumption", "derived"):
            continue
        assert q.source, f"{path} is tagged {q.confidence} but has no source"
        assert re.fullmatch(r"(\[[A-Z]\d{2}\])+", q.source), f"{path}: malformed source {q.source!r}"
        unknown = set(KEY.findall(q.source)) - listed
        assert not unknown, f"{path} cites {sorted(unknown)}, not listed in docs/sources.md"


def test_docs_list_exactly_the_keys_the_catalog_uses():
    used = set(KEY.findall(_catalog_text()))
    listed = _doc_keys()
    assert used - listed == set(), f"used but not in docs/sources.md: {sorted(used - listed)}"
    assert listed - used == set(), f"in docs/sources.md but unused: {sorted(listed - used)}"


def test_docs_entries_carry_a_url_or_an_explanation():
    for line in DOCS_SOURCES.read_text(encoding="utf-8").splitlines():
        if line.startswith("- `["):
            assert "http" in line or "no URL" in line, f"docs entry without URL: {line}"


def test_every_assumption_has_range_and_note(cat):
    for path, q in _quantities(cat):
        if q.confidence == "assumption":
            assert q.range is not None, f"{path}: assumption without range"
            assert q.note and len(q.note.strip()) > 10, f"{path}: assumption without a reason"


def test_every_derived_quantity_explains_itself(cat):
    for path, q in _quantities(cat):
        if q.confidence == "derived":
            assert q.note and KEY.search(q.note), f"{path}: derived value must name its sources in the note"


# --- interceptors ----------------------------------------------------------------------

def test_every_interceptor_has_pk_for_all_classes_within_unit_interval(cat):
    for key, it in cat.interceptors.items():
        assert set(it.pk) == set(THREAT_CLASSES), key
        for klass, q in it.pk.items():
            assert 0.0 <= q.low <= q.value <= q.high <= 1.0, f"{key}.pk.{klass} outside [0, 1]"


def test_classes_an_interceptor_cannot_engage_are_zero_with_reason(cat):
    for key, it in cat.interceptors.items():
        for klass, q in it.pk.items():
            if q.high == 0.0:
                assert q.confidence == "assumption" and "cannot engage" in q.note.lower(), f"{key}.pk.{klass}"


@pytest.mark.parametrize("key,zero", [
    ("arrow-3", ("drone", "cruise", "rocket")), ("thaad", ("drone", "cruise", "rocket")),
    ("sm-3", ("drone", "cruise", "rocket")), ("sm-2", ("ballistic", "rocket")),
    ("fighter-aam", ("ballistic", "rocket")),
    # issue 10: real roles
    ("iron-dome", ("ballistic",)), ("davids-sling", ()), ("sm-6", ("rocket",)),
    ("c-ram", ("ballistic",)), ("skynex", ("ballistic",)), ("coyote", ("cruise", "ballistic", "rocket")),
    ("fighter-apkws", ("cruise", "ballistic", "rocket")),
    ("s-300pmu2", ("rocket",)), ("bavar-373", ("rocket",)), ("khordad-15", ("rocket",)), ("tor-m1", ("rocket",)),
    ("patriot-pac-3-mse", ("rocket",)), ("patriot-gem-t", ("rocket",)),
])
def test_interceptors_that_do_not_engage_a_class(cat, key, zero):
    for klass in zero:
        assert cat.interceptors[key].pk[klass].high == 0.0
    for klass in set(THREAT_CLASSES) - set(zero):
        assert cat.interceptors[key].pk[klass].value > 0.0


def test_envelopes_are_ordered(cat):
    for key, it in cat.interceptors.items():
        assert it.min_range_km.value < it.max_range_km.value, key
        assert it.min_alt_km.value < it.max_alt_km.value, key
        assert it.flyout_speed_mps.low > 0, key


def test_iron_dome_cost_spans_35k_to_100k():
    """[I05][I09] $35-50k (2010-11), [I11] $62k (2012), [I12] $100k (Ya'alon, 2014)."""
    q = load_catalog().interceptors["iron-dome"].cost_usd
    assert q.low <= 35_000 and q.high >= 100_000
    assert q.confidence == "D"
    for k in ("I05", "I11", "I12"):
        assert f"[{k}]" in q.source


def test_thaad_cost_and_envelope():
    """[I15]: ~$12.7 M per interceptor; [I15][I16]: ~200 km range, ~150 km altitude."""
    t = load_catalog().interceptors["thaad"]
    assert t.cost_usd.value == pytest.approx(12.7e6)
    assert "[I15]" in t.cost_usd.source
    assert t.max_range_km.value == 200 and t.max_alt_km.value == 150


def test_arrow_3_is_exo_above_100_km():
    """[I01]: Arrow 3 intercepts at more than 100 km; [A09]: ~$3.5 M."""
    a = load_catalog().interceptors["arrow-3"]
    assert a.layer == "exo" and a.min_alt_km.value >= 100
    assert a.cost_usd.value == pytest.approx(3.5e6) and "[A09]" in a.cost_usd.source


def test_patriot_cost_is_derived_from_contract():
    """[I26]: $9.8 bn for 1,970 PAC-3 MSE and equipment -> ~$5.0 M each."""
    q = load_catalog().interceptors["patriot-pac-3"].cost_usd
    assert q.confidence == "derived"
    assert q.value == pytest.approx(9.8e9 / 1970, rel=0.01)


# --- threats ---------------------------------------------------------------------------

def test_drone_and_cruise_speeds_reproduce_april_2024_flight_times(cat):
    """[A21][A22]: drones up to ~9 h, cruise missiles ~2 h; [G01] ~1,000 km, [A05] ~1,800 km."""
    for key, hours in (("shahed-136", 9.0), ("paveh", 2.0)):
        v = cat.threats[key].speed_kmh
        assert v.low * hours <= 1000 + 1e-6 and v.high * hours >= 1500, key
    assert cat.threats["shahed-136"].speed_kmh.high <= 185  # top speed [W12][W13]


# Israeli and US strike weapons (issue 10): not Iranian or proxy missiles, so the April 2024
# failure fraction [A04] says nothing about them; their reliability priors sit higher.
STRIKE_WEAPONS = {"rampage", "rocks", "blue-sparrow", "delilah", "jassm-er", "tomahawk", "gbu-39"}


def test_ballistic_reliability_is_a_broad_prior_not_the_target(cat):
    """[A04] 'about half' failed: the calibration target must lie inside, not be typed in."""
    for key, t in cat.threats.items():
        if t.klass == "ballistic" and key not in STRIKE_WEAPONS:
            q = t.reliability
            assert q.low <= 0.5 <= q.high and q.high - q.low >= 0.4, key


def test_claimed_ranges(cat):
    """C-tagged ranges from the reference: Paveh 1,650 [W10], Ghadr 1,800 [W04],
    Kheibar Shekan 1,450 [W05], Palestine-2 2,040 [W20]."""
    for key, km in (("paveh", 1650), ("ghadr", 1800), ("kheibar-shekan", 1450),
                    ("houthi-palestine-2", 2040)):
        q = cat.threats[key].range_km
        assert q.value == km and q.confidence == "C", key


def test_shahed_cost_range():
    """[W12] ~$20k, [W14] ~$35k."""
    q = load_catalog().threats["shahed-136"].cost_usd
    assert (q.low, q.high) == (20_000, 35_000) and q.confidence == "E"


# --- sensors ---------------------------------------------------------------------------

def test_radar_ranges(cat):
    """[I21] Green Pine ~960 km; [I21][I22] AN/TPY-2 ~1,900 to >2,000 km."""
    assert cat.sensors["green-pine"].range_km.value == 960
    tpy = cat.sensors["an-tpy-2"].range_km
    assert tpy.low <= 1900 and tpy.high >= 2000


def test_space_sensor_sees_the_whole_theatre(cat):
    s = cat.sensors["sbirs"]
    assert s.kind == "space" and s.detects == ("ballistic",)
    # beyond the slant range from geosynchronous altitude to Earth's limb
    r, h = 6371.0, s.antenna_height_m.value / 1e3
    assert s.range_km.low > ((r + h) ** 2 - r ** 2) ** 0.5


def test_sensor_fields_are_plausible(cat):
    for key, s in cat.sensors.items():
        assert 0.0 < s.pd.low <= s.pd.high <= 1.0, key
        assert s.latency_s.low > 0, key
        assert s.detects, key


# --- user overrides and malformed files -------------------------------------------------

OVERRIDE = """
interceptors:
  iron-dome:
    name: Iron Dome (test override)
    layer: lower
    min_range_km: {value: 4, confidence: assumption, range: [4, 4], note: "test override"}
    max_range_km: {value: 40, source: "[I09]", confidence: S}
    min_alt_km: {value: 0.02, range: [0.01, 0.05], confidence: assumption, note: "test override"}
    max_alt_km: {value: 10, source: "[I09]", confidence: S}
    flyout_speed_mps: {value: 700, range: [500, 1000], confidence: assumption, note: "test override"}
    pk:
      drone: {value: 0.9, range: [0.8, 0.95], confidence: assumption, note: "test override"}
      cruise: {value: 0.9, range: [0.8, 0.95], confidence: assumption, note: "test override"}
      ballistic: {value: 0, range: [0, 0], confidence: assumption, note: "cannot engage this class"}
      rocket: {value: 0.6, range: [0.5, 0.8], confidence: assumption, note: "test override"}
    cost_usd: {value: 40000, source: "[I05]", confidence: E}
"""


def test_user_file_replaces_one_entry(tmp_path):
    path = tmp_path / "my-catalog.yaml"
    path.write_text(OVERRIDE, encoding="utf-8")
    base = load_catalog()
    cat = load_catalog(path)
    assert cat.interceptors["iron-dome"].max_range_km.value == 40
    assert cat.interceptors["iron-dome"].cost_usd.value == 40_000
    assert cat.interceptors["arrow-3"] == base.interceptors["arrow-3"]
    assert set(cat.threats) == set(base.threats) and set(cat.sensors) == set(base.sensors)
    # the shipped catalog is not changed by loading an override
    assert load_catalog().interceptors["iron-dome"].max_range_km.value == 70


def test_missing_source_on_sourced_quantity_raises_input_error(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(OVERRIDE.replace('cost_usd: {value: 40000, source: "[I05]", confidence: E}',
                                     "cost_usd: {value: 40000, confidence: E}"), encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_catalog(path)
    assert exc.value.file == str(path)
    assert "cost_usd" in exc.value.field
    assert "source" in str(exc.value)


def test_assumption_without_range_raises_input_error():
    text = OVERRIDE.replace('min_range_km: {value: 4, confidence: assumption, range: [4, 4], note: "test override"}',
                            "min_range_km: {value: 4, confidence: assumption}")
    with pytest.raises(InputError) as exc:
        parse_catalog(text, "inline.yaml")
    assert "min_range_km" in exc.value.field


def test_yaml_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("threats:\n  x: {name: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_catalog(path)
    assert exc.value.file == str(path)
    assert str(path) in str(exc.value)


# --- issue 10: rockets, manoeuvre, submunitions, aircraft, dated sources ------------------

DATED_SECTION = "## Added for issue 10"
DATE = re.compile(r"date (\d{4})-(\d{2})(?:-(\d{2}))?")
WINDOW_END = (2025, 6, 24)


def _dated_entries() -> dict[str, str]:
    text = DOCS_SOURCES.read_text(encoding="utf-8")
    assert DATED_SECTION in text
    section = text.split(DATED_SECTION, 1)[1]
    return {m.group(1): m.group(0) for m in re.finditer(r"^- `\[([A-Z]\d{2})\]`.*$", section, re.M)}


def test_threat_classes_order():
    assert THREAT_CLASSES == ("drone", "cruise", "ballistic", "rocket")


def test_new_sources_are_dated_inside_the_calibration_window():
    entries = _dated_entries()
    assert len(entries) >= 40
    for key, line in entries.items():
        m = DATE.search(line)
        assert m, f"[{key}] in docs/sources.md lacks 'date YYYY-MM[-DD]'"
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
        assert 1 <= mo <= 12 and 1 <= d <= 31, line
        assert (y, mo, d) <= WINDOW_END, f"[{key}] is dated after 24 June 2025: {line}"
        assert " — " in line, f"[{key}] needs a title and publisher after the URL"


def test_keys_cited_only_by_new_entries_are_dated(cat):
    """Every key first cited for issue 10 (in an entry not in the original catalog) is in the dated section."""
    base = {"A01", "A02", "A03", "A04", "A05", "A09", "A10", "A21", "A22", "A28", "W01", "W04", "W05", "W06",
            "W10", "W11", "W12", "W13", "W14", "W17", "W18", "W19", "W20", "W21", "I01", "I02", "I03", "I04",
            "I05", "I06", "I08", "I09", "I11", "I12", "I13", "I15", "I16", "I19", "I20", "I21", "I22", "I23",
            "I25", "I26", "I28", "I29", "I30", "I31", "G01", "T35", "T38"}
    listed = _doc_keys()
    dated = set(_dated_entries())
    # I24 left the catalog (session 4): its stored page is from after the calibration window
    assert base <= listed
    undated_new = (listed - base) - dated
    assert not undated_new, f"keys added without a date: {sorted(undated_new)}"


def test_dated_entries_are_not_also_listed_undated():
    text = DOCS_SOURCES.read_text(encoding="utf-8")
    head = text.split(DATED_SECTION, 1)[0]
    for key in _dated_entries():
        assert f"`[{key}]`" not in head, f"[{key}] is listed twice"


def test_manoeuvring_types_have_a_factor_in_unit_interval(cat):
    flagged = {k for k, t in cat.threats.items() if t.manoeuvring}
    assert {"emad", "kheibar-shekan", "fattah-1"} <= flagged
    for key in flagged:
        q = cat.threats[key].manoeuvre_pk_factor
        assert q is not None, key
        assert 0.0 < q.low <= q.value <= q.high <= 1.0, key
        assert q.high == 1.0, f"{key}: no public figure, so 'no effect' must stay inside the range"
        assert q.low < 1.0, f"{key}: a factor that is always 1 changes nothing"
    for key, t in cat.threats.items():
        if not t.manoeuvring:
            assert t.manoeuvre_pk_factor is None, key


def _threat_yaml(extra: str, klass: str = "ballistic") -> str:
    q = '{value: 1, range: [0.5, 1], confidence: assumption, note: "test figure"}'
    return f"""
threats:
  t:
    name: T
    class: {klass}
    range_km: {{value: 100, range: [50, 100], confidence: assumption, note: "test figure"}}
    reliability: {{value: 0.9, range: [0.8, 1], confidence: assumption, note: "test figure"}}
    cep_m: {q}
    warhead_kg: {q}
    cost_usd: {q}
{extra}"""


def test_manoeuvring_without_factor_is_one_clear_line():
    with pytest.raises(InputError) as exc:
        parse_catalog(_threat_yaml("    boost_s: {value: 10, range: [5, 10], confidence: assumption, note: \"x test\"}\n"
                                   "    manoeuvring: true\n"), "m.yaml")
    msg = str(exc.value)
    assert "\n" not in msg and "manoeuvre_pk_factor" in msg and exc.value.file == "m.yaml"


def test_factor_outside_unit_interval_or_on_a_non_manoeuvring_threat_is_refused():
    boost = "    boost_s: {value: 10, range: [5, 10], confidence: assumption, note: \"x test\"}\n"
    bad = "    manoeuvring: true\n    manoeuvre_pk_factor: {value: 1.5, range: [1, 1.5], confidence: assumption, note: \"x test\"}\n"
    with pytest.raises(InputError) as exc:
        parse_catalog(_threat_yaml(boost + bad), "m.yaml")
    assert "manoeuvre_pk_factor" in exc.value.field
    stray = "    manoeuvre_pk_factor: {value: 0.8, range: [0.5, 1], confidence: assumption, note: \"x test\"}\n"
    with pytest.raises(InputError) as exc:
        parse_catalog(_threat_yaml(boost + stray), "m.yaml")
    assert "manoeuvring" in str(exc.value)


def test_rocket_needs_boost_s():
    with pytest.raises(InputError) as exc:
        parse_catalog(_threat_yaml("", klass="rocket"), "r.yaml")
    assert "boost_s" in str(exc.value) and "rocket" in str(exc.value)


def test_submunitions_are_sourced_and_positive(cat):
    sub = cat.threats["khorramshahr-4-cluster"].submunitions
    assert sub is not None
    assert sub.count.low >= 1 and sub.footprint_radius_km.low > 0
    # [W42]: 'about 20 bomblets over a five-mile radius' (19 June 2025)
    assert sub.count.value == 20 and sub.footprint_radius_km.value == pytest.approx(8, abs=0.1)
    assert "[W42]" in sub.count.source
    assert all(t.submunitions is None for k, t in cat.threats.items() if k != "khorramshahr-4-cluster")
    plain = cat.threats["khorramshahr-4"]
    assert plain.submunitions is None and plain.warhead_kg.value == 1500  # [W09] claim


def test_srbm_mrbm_rocket_ranges_are_ordered(cat):
    """Rockets shortest, then SRBMs, then MRBMs (sources in each entry)."""
    rockets = ["burkan", "grad-122", "fajr-5"]
    srbm = ["fateh-110", "m-600", "fateh-313", "zolfaghar", "qiam-1"]
    mrbm = ["dezful", "haj-qasem", "fattah-1", "kheibar-shekan", "emad", "ghadr", "khorramshahr-4",
            "houthi-palestine-2", "houthi-toufan"]
    r = {k: cat.threats[k].range_km for k in rockets + srbm + mrbm}
    assert all(cat.threats[k].klass == "rocket" for k in rockets)
    assert all(cat.threats[k].klass == "ballistic" for k in srbm + mrbm)
    assert max(r[k].high for k in rockets) < min(r[k].low for k in srbm)
    assert max(r[k].value for k in srbm) < min(r[k].value for k in mrbm)
    assert max(r[k].value for k in srbm) <= 1000 and min(r[k].value for k in mrbm) >= 1000
    assert r["burkan"].value < r["grad-122"].value < r["fajr-5"].value
    # Iran's stated 2,000 km cap [W11][G01]: no Iranian missile beyond it
    assert all(r[k].high <= 2000 for k in mrbm if k != "houthi-palestine-2")


def test_rockets_and_ballistic_missiles_fly_the_ballistic_profile(cat):
    """kinematics.ballistic_profile at rocket ranges: drag-free minimum-energy flight,
    apogee ~ range/4 and time ~ sqrt(2 R / g) on a flat Earth (check of the short-range regime)."""
    from redline.kinematics import ballistic_profile
    for key in ("burkan", "grad-122", "fajr-5"):
        t = cat.threats[key]
        assert t.boost_s is not None and t.speed_kmh is None
        R = t.range_km.value * 1e3
        p = ballistic_profile(R, 400, boost_s=t.boost_s.value, boost_frac=0.03)
        free = p.flight_time_s - t.boost_s.value
        assert p.apogee_m == pytest.approx(R * 0.97 / 4, rel=0.05), key
        assert free == pytest.approx((2 * R * 0.97 / 9.81) ** 0.5, rel=0.05), key


def test_interceptor_altitude_bands_follow_layers(cat):
    ints = cat.interceptors
    for key, it in ints.items():
        if it.layer == "exo":
            assert it.min_alt_km.value >= 100, key
        if it.layer == "lower":
            assert it.max_alt_km.value <= 40, key
    assert ints["thaad"].min_alt_km.value > ints["patriot-pac-3-mse"].max_alt_km.value
    assert ints["arrow-3"].min_alt_km.value >= ints["thaad"].min_alt_km.value
    # point-defence guns and counter-drone weapons are the shortest reach
    for k in ("c-ram", "skynex", "coyote", "fighter-apkws"):
        assert ints[k].max_range_km.value < ints["iron-dome"].max_range_km.value, k
    # Iranian layers: S-300PMU2 / Bavar-373 outreach Khordad-15, which outreaches Tor-M1 [I40][I41][I46][I47]
    assert ints["tor-m1"].max_range_km.value < ints["khordad-15"].max_range_km.value \
        < ints["bavar-373"].max_range_km.value <= ints["s-300pmu2"].max_range_km.high


def test_iron_dome_rocket_pk_is_derived_from_the_2012_record(cat):
    """[I13] ~86 % of 421 engaged rockets; [I14] usually two interceptors per target."""
    q = cat.interceptors["iron-dome"].pk["rocket"]
    assert q.confidence == "derived"
    assert q.value == pytest.approx(1 - (1 - 0.86) ** 0.5, abs=0.01)
    assert q.high == pytest.approx(0.86)


def test_real_roles(cat):
    ints = cat.interceptors
    # SM-2 air defence only, SM-6 also terminal BMD [I43][I44], SM-3 exo BMD only
    assert ints["sm-2"].pk["ballistic"].high == 0 and ints["sm-6"].pk["ballistic"].value > 0
    assert ints["sm-6"].pk["cruise"].value > 0 and ints["sm-3"].pk["cruise"].high == 0
    # counter-drone: coyote drones only; c-ram drones and rockets
    assert [c for c in THREAT_CLASSES if ints["coyote"].pk[c].high > 0] == ["drone"]
    assert ints["c-ram"].pk["drone"].value > 0 and ints["c-ram"].pk["rocket"].value > 0
    # rockets: Iron Dome and David's Sling engage them, upper tiers do not
    for k in ("iron-dome", "davids-sling"):
        assert ints[k].pk["rocket"].value > 0, k
    for k in ("arrow-3", "arrow-2", "thaad", "sm-3"):
        assert ints[k].pk["rocket"].high == 0, k
    # Iranian SAMs engage cruise and (air-launched) ballistic threats
    for k in ("s-300pmu2", "bavar-373", "khordad-15", "tor-m1"):
        assert ints[k].pk["cruise"].value > 0 and ints[k].pk["ballistic"].high > 0, k


def test_sensors_for_rockets_and_iran(cat):
    s = cat.sensors
    assert s["an-fps-132"].range_km.value > s["green-pine"].range_km.value
    assert s["tor-radar"].range_km.low > cat.interceptors["tor-m1"].max_range_km.value
    assert s["khordad-radar"].range_km.value >= cat.interceptors["khordad-15"].max_range_km.value
    assert s["bavar-radar"].range_km.value >= cat.interceptors["bavar-373"].max_range_km.value


def test_aircraft_weapons_are_threats_and_radii_plausible(cat):
    for key, ac in cat.aircraft.items():
        assert ac.weapons, key
        assert set(ac.weapons) <= set(cat.threats), key
        assert 300 <= ac.combat_radius_km.low <= ac.combat_radius_km.high <= 12000, key
    assert cat.aircraft["b-2"].combat_radius_km.value > max(
        cat.aircraft[k].combat_radius_km.value for k in ("f-35i", "f-15i", "f-16i", "f-15e"))
    strike = {w for ac in cat.aircraft.values() for w in ac.weapons}
    assert {"rampage", "rocks", "blue-sparrow", "delilah", "jassm-er", "gbu-39"} <= strike


def test_gbu_39_is_a_documented_cruise_approximation(cat):
    t = cat.threats["gbu-39"]
    assert t.klass == "cruise" and "approximation" in t.description


def test_user_catalog_without_aircraft_or_rocket_tables_loads(tmp_path):
    """A pre-issue-10 file with only threats loads; the shipped aircraft stay."""
    path = tmp_path / "old.yaml"
    path.write_text(_threat_yaml("    boost_s: {value: 10, range: [5, 10], confidence: assumption, note: \"x test\"}\n"),
                    encoding="utf-8")
    cat = load_catalog(path)
    assert "t" in cat.threats and set(cat.aircraft) == REQUIRED["aircraft"]
    assert parse_catalog(path.read_text(encoding="utf-8"), "old.yaml").aircraft == {}


def test_user_interceptor_without_rocket_pk_is_one_clear_line(tmp_path):
    path = tmp_path / "old-interceptor.yaml"
    path.write_text(OVERRIDE.replace(
        '      rocket: {value: 0.6, range: [0.5, 0.8], confidence: assumption, note: "test override"}\n', ""),
        encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_catalog(path)
    msg = str(exc.value)
    assert "\n" not in msg and "rocket" in msg and "give 0" in msg
    assert exc.value.file == str(path) and "pk" in exc.value.field


def test_aircraft_with_unknown_weapon_names_the_field(tmp_path):
    path = tmp_path / "ac.yaml"
    path.write_text("""
aircraft:
  x:
    name: X
    role: bomber
    combat_radius_km: {value: 1000, range: [800, 1200], confidence: assumption, note: "test figure"}
    weapons: [gbu-39, no-such-bomb]
""", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_catalog(path)
    assert exc.value.field == "aircraft.x.weapons.1" and "no-such-bomb" in str(exc.value)


def test_unknown_top_level_table_is_refused():
    with pytest.raises(InputError) as exc:
        parse_catalog("planes: {}\n", "p.yaml")
    assert "aircraft" in str(exc.value) and exc.value.file == "p.yaml"


def test_existing_april_2024_values_are_unchanged(cat):
    """Issue 10 adds the rocket pk and the manoeuvre factor; April 2024 figures stay as they were."""
    assert cat.threats["emad"].range_km.value == 1700 and cat.threats["emad"].cep_m.value == 500
    assert cat.threats["kheibar-shekan"].boost_s.value == 70
    assert cat.interceptors["iron-dome"].pk["drone"].value == 0.7
    assert cat.interceptors["davids-sling"].pk["ballistic"].value == 0.6
    assert cat.interceptors["patriot-pac-3"].max_range_km.value == 40


def test_docs_catalog_reference_is_current():
    """docs/catalog.md is generated by reference_markdown; regenerate it when the catalog changes."""
    from redline.catalog import reference_markdown
    doc = (ROOT / "docs" / "catalog.md").read_text(encoding="utf-8")
    assert doc == reference_markdown(load_catalog()), "docs/catalog.md is stale; see its header to regenerate"
    for table in TABLES:
        for key in REQUIRED[table]:
            assert f"### `{key}`" in doc, key


def test_submunition_count_below_one_is_refused():
    boost = '    boost_s: {value: 10, range: [5, 10], confidence: assumption, note: "x test"}\n'
    sub = ('    submunitions:\n'
           '      count: {value: 0, range: [0, 1], confidence: assumption, note: "x test"}\n'
           '      footprint_radius_km: {value: 2, range: [1, 3], confidence: assumption, note: "x test"}\n')
    with pytest.raises(InputError) as exc:
        parse_catalog(_threat_yaml(boost + sub), "s.yaml")
    assert "submunitions" in exc.value.field and "count" in str(exc.value)


def test_manoeuvre_factor_of_zero_is_refused():
    boost = '    boost_s: {value: 10, range: [5, 10], confidence: assumption, note: "x test"}\n'
    bad = '    manoeuvring: true\n    manoeuvre_pk_factor: {value: 0, range: [0, 1], confidence: assumption, note: "x test"}\n'
    with pytest.raises(InputError) as exc:
        parse_catalog(_threat_yaml(boost + bad), "m.yaml")
    assert "manoeuvre_pk_factor" in exc.value.field and "(0, 1]" in str(exc.value)


def test_every_engaged_class_has_a_sensor(cat):
    """An interceptor can only fire at what some sensor tracks: without a sensor that detects
    rockets, Iron Dome would see none (found by a scratch run: 0 of 80 rockets engaged)."""
    for c in THREAT_CLASSES:
        engaged = [k for k, it in cat.interceptors.items() if it.pk[c].high > 0]
        if engaged:
            assert any(c in s.detects for s in cat.sensors.values()), c
    assert "rocket" in cat.sensors["elm-2084"].detects
