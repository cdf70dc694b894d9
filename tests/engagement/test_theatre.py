"""Engine features for the whole theatre (issue 10): Pk by threat type with the manoeuvring
penalty, cluster warheads, outcomes by threat type and site, kills by nation and airspace,
doctrine that withholds interceptors by class, participation per raid.

Each check is a closed form or an exact property on a small synthetic scenario.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import redline
from redline.catalog import Quantity, Submunitions
from redline.engagement.compile import compile_scenario
from redline.engagement.runner import run_compiled
from redline.results import Result
from tests.conftest import fixed_params


def _catalog(**threat_fields):
    """The shipped catalog with fields of kheibar-shekan replaced (e.g. a manoeuvre factor)."""
    cat = redline.load_catalog()
    kh = cat.threats["kheibar-shekan"].model_copy(update=threat_fields)
    return cat.model_copy(update={"threats": {**cat.threats, "kheibar-shekan": kh}})


def _q(x: float) -> Quantity:
    return Quantity(value=x, confidence="assumption", range=(x, x), note="test value")


def _run(sc, cat, params, trials, seed=3, engine="fast", **kw):
    c = compile_scenario(sc, cat, params)
    return c, run_compiled(c, params, trials, seed, engine=engine, **kw)


# ---- 2. Pk by threat type, with the manoeuvring penalty -----------------------------------

def test_manoeuvre_factor_multiplies_the_single_shot_pk(build):
    # one shot at Pk 0.8 x factor 0.5: P(leak) = 1 - 0.4
    sc = build(shots=1, sls=False)
    ps = fixed_params(sc, pk={"arrow-3": 0.8})
    cat = _catalog(manoeuvring=True, manoeuvre_pk_factor=_q(0.5))
    c, raw = _run(sc, cat, ps, 20_000)
    pk, *_ = c.param_arrays(ps)
    assert pk.shape == (1, len(c.interceptor_types), len(c.threat_types))
    assert pk[0, 0, 0] == pytest.approx(0.4)
    leak = raw.cls[:, 2, 3].mean()
    assert abs(leak - 0.6) < 4.5 * math.sqrt(0.24 / 20_000)


def test_no_factor_leaves_the_class_pk(build):
    sc = build(shots=1, sls=False)
    ps = fixed_params(sc, pk={"arrow-3": 0.8})
    c = compile_scenario(sc, redline.load_catalog(), ps)
    assert c.param_arrays(ps)[0][0, 0, 0] == 0.8


def test_fast_and_reference_identical_with_a_manoeuvre_factor(build):
    sc = build(n_threats=5, shots=1, sls=True, max_engagements=2, magazine=6, window=(0, 2))
    ps = fixed_params(sc, pk={"arrow-3": 0.7}, reliability=0.9)
    cat = _catalog(manoeuvring=True, manoeuvre_pk_factor=_q(0.6))
    _, a = _run(sc, cat, ps, 50, engine="fast")
    _, b = _run(sc, cat, ps, 50, engine="reference")
    for f in ("cls", "unit_shots", "unit_kills", "site_hits", "fate", "killer"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


# ---- 3. Cluster warheads -----------------------------------------------------------------

@pytest.mark.parametrize("footprint_km", [0.0, 30.0])
def test_cluster_footprint_widens_the_hit_radius_closed_form(build, footprint_km):
    # Circular normal aim error at the site centre: P(hit) = 1 - exp(-R^2 / (2 sigma^2)),
    # R = site radius (50 km) + footprint radius; CEP 100 km -> sigma = 100 / 1.1774 km.
    sc = build(n_threats=2, magazine=0)
    ps = fixed_params(sc, cep_m=100_000.0)
    sub = Submunitions(count=_q(20.0), footprint_radius_km=_q(footprint_km)) if footprint_km else None
    c, raw = _run(sc, _catalog(submunitions=sub), ps, 20_000, seed=5)
    assert c.site_r2.shape == (1, 1) and c.site_r2[0, 0] == pytest.approx(((50 + footprint_km) * 1e3) ** 2)
    sigma = 100e3 / 1.1774
    p = 1 - math.exp(-((50 + footprint_km) * 1e3) ** 2 / (2 * sigma ** 2))
    frac = raw.cls[:, 2, 4].sum() / raw.cls[:, 2, 3].sum()
    assert abs(frac - p) < 4.5 * math.sqrt(p * (1 - p) / 40_000)


def test_fast_and_reference_identical_with_a_cluster_warhead(build):
    sc = build(n_threats=5, shots=1, sls=True, max_engagements=2, magazine=6, window=(0, 2))
    ps = fixed_params(sc, pk={"arrow-3": 0.5}, cep_m=60_000.0)
    cat = _catalog(submunitions=Submunitions(count=_q(20.0), footprint_radius_km=_q(15.0)))
    _, a = _run(sc, cat, ps, 50, engine="fast")
    _, b = _run(sc, cat, ps, 50, engine="reference")
    for f in ("cls", "unit_shots", "unit_kills", "site_hits", "fate", "killer"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


# ---- 4. Outcomes by threat type and site ---------------------------------------------------

def test_type_tallies_add_up_to_the_class_tallies_and_fell_outside_is_leaked_minus_impacted():
    res = redline.run("april-2024", trials=300, seed=4, params="prior")
    c, raw = res.compiled, res.raw
    assert raw.by_type.shape == (300, len(c.threat_types), 5)
    for k in range(raw.cls.shape[1]):
        types = [t for t, name in enumerate(c.threat_types)
                 if c.catalog.threats[name].klass == redline.catalog.THREAT_CLASSES[k]]
        np.testing.assert_array_equal(raw.by_type[:, types, :].sum(axis=1), raw.cls[:, k, :])
    rec = res.record()
    for t in c.threat_types:
        fo = res.type_counts(t, "leaked") - res.type_counts(t, "impacted")
        np.testing.assert_array_equal(res.type_counts(t, "fell_outside"), fo)
        assert (fo >= 0).all()
        assert rec.by_type[t]["fell_outside"]["mean"] == pytest.approx(fo.mean(), abs=1e-6)
    assert set(rec.by_class["ballistic"]) == {"launched", "failed", "intercepted", "leaked", "impacted", "fell_outside"}
    for s, k in zip(c.site_names, range(len(c.site_names))):
        assert rec.p_hit_by_site[s] == pytest.approx((raw.site_hits[:, k] > 0).mean(), abs=1e-6)


def test_p_hit_by_site_closed_form(build):
    # two undefended missiles at the centre, each hits with p = 1 - exp(-R^2 / 2 sigma^2)
    sc = build(n_threats=2, magazine=0)
    ps = fixed_params(sc, cep_m=100_000.0)
    res = redline.run(sc, trials=20_000, seed=9, params=ps)
    p = 1 - math.exp(-(50e3) ** 2 / (2 * (100e3 / 1.1774) ** 2))
    expected = 1 - (1 - p) ** 2
    got = res.record().p_hit_by_site["target"]
    assert abs(got - expected) < 4.5 * math.sqrt(expected * (1 - expected) / 20_000)
    fo = res.record().by_class["ballistic"]["fell_outside"]["mean"]
    assert abs(fo - 2 * (1 - p)) < 0.05


@pytest.mark.parametrize("name,trials", [("april-2024", 25), ("lebanon-launch", 40)])
def test_fast_and_reference_identical_type_tallies(name, trials):
    fast = redline.run(name, trials=trials, seed=12, params="prior")
    ref = redline.run(name, trials=trials, seed=12, params="prior", engine="reference")
    np.testing.assert_array_equal(fast.raw.by_type, ref.raw.by_type)


# ---- 5. Kills by nation and airspace -------------------------------------------------------

def test_kills_by_nation_airspace_add_up_to_the_nations_kills():
    res = redline.run("april-2024", trials=200, seed=6, params="prior")
    c, raw = res.compiled, res.raw
    assert raw.kills_na.shape == (200, len(c.nations), len(c.airspaces))
    assert set(c.airspaces) <= set(c.nations) | {"exo", "sea", "iran", "iraq", "syria", "jordan", "saudi-arabia",
                                                 "palestine", "israel", "lebanon"}
    by_nation = res.intercepts_by_nation()
    for k, n in enumerate(c.nations):
        np.testing.assert_array_equal(raw.kills_na[:, k, :].sum(axis=1), by_nation[n])
    rec = res.record()
    for n, d in rec.kills_by_nation_airspace.items():
        assert sum(s["mean"] for s in d.values()) == pytest.approx(rec.intercepts_by_nation[n]["mean"], abs=1e-5)
    # partner rule: a nation's kills lie in the airspace it may engage over (or above the ceiling)
    allowed = c.scenario.doctrine.airspace
    for n, d in rec.kills_by_nation_airspace.items():
        assert set(d) <= set(allowed[n]) | {"exo"}, n


def test_the_airspace_ceiling_decides_exo(build):
    # Arrow 3 kills a Kheibar above 100 km: all in "exo"; with the ceiling at 5000 km, in a country below
    ps = lambda sc: fixed_params(sc, pk={"arrow-3": 1.0})  # noqa: E731
    sc = build(n_threats=3, window=(0, 1))
    res = redline.run(sc, trials=20, seed=1, params=ps(sc))
    assert res.compiled.airspaces == ["exo"] and (res.raw.kills_na.sum(axis=(1, 2)) == 3).all()
    doc = sc.doctrine.model_copy(update={"airspace_ceiling_km": 5000.0})
    sc2 = sc.model_copy(update={"doctrine": doc})
    res2 = redline.run(sc2, trials=20, seed=1, params=ps(sc2))
    assert "exo" not in res2.compiled.airspaces and (res2.raw.kills_na.sum(axis=(1, 2)) == 3).all()


@pytest.mark.parametrize("name,trials", [("april-2024", 25), ("april-2024-no-partners", 20)])
def test_fast_and_reference_identical_nation_airspace_kills(name, trials):
    fast = redline.run(name, trials=trials, seed=13, params="prior")
    ref = redline.run(name, trials=trials, seed=13, params="prior", engine="reference")
    np.testing.assert_array_equal(fast.raw.kills_na, ref.raw.kills_na)


# ---- 6. Doctrine: interceptors withheld by class -------------------------------------------

def _two_tier(withhold: str = "", far: bool = False, extra: str = ""):
    from redline.scenario import parse_scenario
    from tests.conftest import one_layer_yaml

    at = "at: {lat: 20.0, lon: 20.0}" if far else "site: battery"     # far: out of reach of every threat
    unit = (f"  - {{name: b2, kind: battery, type: arrow-2, owner: israel, {at}, magazine: 100, "
            f"channels: 50, reaction_s: 0}}")
    text = one_layer_yaml(n_threats=4, window=(0, 1), extra_units=unit + extra)
    text = text.replace("doctrine:\n", f"doctrine:\n  withhold: {withhold or '{}'}\n" if withhold else "doctrine:\n")
    return parse_scenario(text, file="<test>")


def test_withheld_type_fires_only_where_no_cheaper_unit_can():
    # arrow-3 (US$3.5 M) withheld from ballistic missiles while arrow-2 (US$3.0 M) can engage them
    sc = _two_tier("{israel: {arrow-3: [ballistic]}}")
    ps = fixed_params(sc, pk={"arrow-3": 0.9, "arrow-2": 0.5})
    res = redline.run(sc, trials=300, seed=2, params=ps)
    c = res.compiled
    b1, b2 = c.unit_names.index("b1"), c.unit_names.index("b2")
    assert not (c.ev_unit == b1).any() and (c.ev_unit == b2).any()
    assert (res.raw.unit_shots[:, b1] == 0).all() and res.raw.unit_shots[:, b2].sum() > 0
    # without the rule both tiers get opportunities
    base = compile_scenario(_two_tier(), redline.load_catalog(), ps)
    assert (base.ev_unit == b1).any()


def test_withholding_needs_a_cheaper_unit_in_reach():
    # arrow-2 far away has no opportunity: arrow-3 engages exactly as with no rule
    cat = redline.load_catalog()
    a = compile_scenario(_two_tier("{israel: {arrow-3: [ballistic]}}", far=True), cat)
    b = compile_scenario(_two_tier(far=True), cat)
    assert a.ev_unit.size > 0
    for f in ("ev_threat", "ev_unit", "ev_L", "ev_t", "grp_ptr"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f), err_msg=f)


def test_withholding_a_class_not_engaged_or_a_cheaper_type_changes_nothing():
    cat = redline.load_catalog()
    base = compile_scenario(_two_tier(), cat)
    for rule in ("{israel: {arrow-3: [drone, cruise]}}", "{israel: {arrow-2: [ballistic]}}"):
        c = compile_scenario(_two_tier(rule), cat)
        np.testing.assert_array_equal(c.ev_unit, base.ev_unit, err_msg=rule)


@pytest.mark.parametrize("rule,field", [
    ("{atlantis: {arrow-3: [ballistic]}}", "doctrine.withhold.atlantis"),
    ("{israel: {arrow-9: [ballistic]}}", "doctrine.withhold.israel.arrow-9"),
    ("{israel: {arrow-3: [balistic]}}", "doctrine.withhold.israel.arrow-3"),
])
def test_withhold_names_are_checked(rule, field):
    from redline.errors import InputError

    with pytest.raises(InputError) as e:
        _two_tier(rule)
    assert field in str(e.value) and "<test>" in str(e.value)


# ---- 7. Participation per raid -------------------------------------------------------------

def _with_participation(name: str, share: dict[str, float]):
    sc = redline.load_scenario(name)
    return sc.model_copy(update={"participation": share})


def test_participation_is_drawn_per_trial_and_does_not_depend_on_workers_or_trials():
    from redline.engagement import runner

    sc = _with_participation("april-2024", {"jordan": 0.5, "united-kingdom": 0.25})
    a = redline.run(sc, trials=5000, seed=8, params="prior", workers=1)
    b = redline.run(sc, trials=5000, seed=8, params="prior", workers=2)
    for f in ("cls", "unit_shots", "took_part", "kills_na"):
        np.testing.assert_array_equal(getattr(a.raw, f), getattr(b.raw, f), err_msg=f)
    # a prefix of the trials draws the same participation (one stream in trial order)
    c = a.compiled
    np.testing.assert_array_equal(runner.participation_draws(c, 8, 100), a.raw.took_part[:100])
    share = a.record().participation
    for n, p in {"jordan": 0.5, "united-kingdom": 0.25, "israel": 1.0}.items():
        assert abs(share[n] - p) < 4.5 * math.sqrt(p * (1 - p) / 5000) + 1e-12, n
    # a nation that sits out fires nothing and kills nothing
    j = c.nations.index("jordan")
    out = ~a.raw.took_part[:, j]
    assert out.any() and (~out).any()
    assert (a.raw.unit_shots[out][:, c.un_nation == j] == 0).all()
    assert (a.raw.kills_na[out, j, :] == 0).all()
    assert a.raw.unit_shots[~out][:, c.un_nation == j].sum() > 0


def test_participation_leaves_the_chunk_streams_alone():
    # everyone takes part with probability 1: identical to no participation block at all
    base = redline.run("april-2024", trials=300, seed=8, params="prior")
    sc = _with_participation("april-2024", {"jordan": 1.0})
    same = redline.run(sc, trials=300, seed=8, params="prior")
    np.testing.assert_array_equal(base.raw.cls, same.raw.cls)
    # a nation that never takes part is the scenario without its units' rounds
    never = redline.run(_with_participation("april-2024", {"jordan": 0.0}), trials=300, seed=8, params="prior")
    c = base.compiled
    mags = np.where(c.un_nation == c.nations.index("jordan"), 0, c.un_mag)
    direct = redline.run("april-2024", trials=300, seed=8, params="prior",
                         magazines=np.broadcast_to(mags, (300, c.n_units)).copy())
    assert never.record().participation["jordan"] == 0.0
    assert (never.raw.unit_shots[:, c.un_nation == c.nations.index("jordan")] == 0).all()
    for f in ("cls", "unit_shots", "kills_na"):
        np.testing.assert_array_equal(getattr(never.raw, f), getattr(direct.raw, f), err_msg=f)


def test_participation_is_checked_at_load():
    from redline.errors import InputError
    from redline.scenario import parse_scenario
    from tests.conftest import one_layer_yaml

    ok = parse_scenario(one_layer_yaml() + "participation: {israel: 0.4}\n", file="<test>")
    assert ok.participation == {"israel": 0.4}
    for bad, field in (("{atlantis: 0.5}", "participation.atlantis"), ("{israel: 1.5}", "participation.israel")):
        with pytest.raises(InputError) as e:
            parse_scenario(one_layer_yaml() + f"participation: {bad}\n", file="<test>")
        assert field in str(e.value)


def test_new_summary_metrics_have_samplers_with_the_same_mean():
    from redline.calibration.metrics import metric_paths, metric_sampler

    res = redline.run("april-2024", trials=300, seed=3, params="prior")
    s = res.summary()
    paths = set(metric_paths(res.compiled))
    n = 0
    for top in ("by_type", "kills_by_nation_airspace"):
        for a, d in s[top].items():
            for b, st_ in d.items():
                path = f"{top}.{a}.{b}"
                assert path in paths, path
                assert metric_sampler(res.compiled, path)(res.raw).mean() == pytest.approx(st_["mean"], abs=1e-5)
                n += 1
    assert n > 20
