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

from redline.catalog import THREAT_CLASSES, Catalog, Quantity, load_catalog, parse_catalog
from redline.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
DOCS_SOURCES = ROOT / "docs" / "sources.md"
KEY = re.compile(r"\[([A-Z]\d{2})\]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

REQUIRED = {
    "threats": {"shahed-136", "paveh", "emad", "ghadr", "kheibar-shekan", "houthi-palestine-2", "samad-3"},
    "interceptors": {"arrow-3", "arrow-2", "davids-sling", "iron-dome", "patriot-pac-3", "thaad",
                     "sm-3", "sm-2", "fighter-aam"},
    "sensors": {"green-pine", "an-tpy-2", "spy-1", "aew", "sbirs"},
}


def _quantities(cat: Catalog):
    """Yield (dotted path, Quantity) for every number in the catalog."""
    for table_name in ("threats", "interceptors", "sensors"):
        for key, entry in getattr(cat, table_name).items():
            for field in type(entry).model_fields:
                value = getattr(entry, field)
                if isinstance(value, Quantity):
                    yield f"{table_name}.{key}.{field}", value
                elif isinstance(value, dict):
                    for sub, q in value.items():
                        if isinstance(q, Quantity):
                            yield f"{table_name}.{key}.{field}.{sub}", q


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
    for table in ("threats", "interceptors", "sensors"):
        for key in getattr(cat, table):
            assert SLUG.match(key), f"{table} id {key!r} is not a lowercase slug"


def test_each_file_has_one_top_key_and_a_conventions_comment():
    root = resources.files("redline") / "data" / "catalog"
    for name, top in (("threats.yaml", "threats"), ("interceptors.yaml", "interceptors"),
                      ("sensors.yaml", "sensors")):
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
    ("arrow-3", ("drone", "cruise")), ("thaad", ("drone", "cruise")), ("sm-3", ("drone", "cruise")),
    ("sm-2", ("ballistic",)), ("fighter-aam", ("ballistic",)),
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


def test_ballistic_reliability_is_a_broad_prior_not_the_target(cat):
    """[A04] 'about half' failed: the calibration target must lie inside, not be typed in."""
    for key, t in cat.threats.items():
        if t.klass == "ballistic":
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
