"""Issue 12: the game that can express what happened, war as an outcome, the change-point,
the nuclear choice, the override files and the essays' mechanisms.

Each mechanism is checked in its documented direction on paired states (the same state with and
without the cause) of the shipped game, with the shipped posterior's mean parameters.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from redline.errors import InputError
from redline.escalation import kernel as K
from redline.escalation.compile import blank_state, model_from_files, parse_war_rule, with_war_rule
from redline.escalation.fit import (
    _LogPost,
    change_point,
    load_posterior,
    load_priors,
    n_free,
    posterior_matrix,
    theta,
)
from redline.escalation.history import replay, start_state
from redline.escalation.io import load_history
from redline.escalation.layout import (
    C_FIRSTA,
    C_WARC,
    DECISION_PARAMS,
    NA,
    NCOMBO,
    NDUR,
    NOUT,
    P_BREAK,
    P_ESC,
    P_TAU,
    S_G,
    S_GAZA as S_GAZA_,
    S_LEV,
    S_NUC,
    S_NUCHIT,
    S_PG,
    S_STANCE,
    S_STATUS,
    ST_WAR,
)
from redline.escalation.kernel import NAUX
from redline.escalation.runner import simulate

from .conftest import action_probs as _probs


def _part(model, S):
    out = np.empty(NCOMBO)
    K.partner_probs(S, model.tables, out)
    return {"jordan": out[1] + out[3], "gulf-states": out[2] + out[3]}


def _lever(model, S, name, x=1.0):
    S = S.copy()
    S[S_LEV + model.levers.index(name)] = x
    return S


# ------------------------------------------------------------------ war as an outcome
def test_the_war_rule_is_a_report_no_choice_reads_it(model, th, s0):
    other = with_war_rule(model, "count=1,window=30,min-rung=4")
    assert other.tables.glob is not model.tables.glob
    for actor in ("iran", "israel", "united-states", "hezbollah", "gulf-states", "iraq"):
        assert _probs(model, s0, th, actor) == _probs(other, s0, th, actor), actor
    # and on whole paths: the same moves, only the reported end state differs
    TH = posterior_matrix(load_posterior(), model, 20)
    a = simulate(model, s0, TH, 400, 40, 365.0, np.random.default_rng(3))
    b = simulate(other, s0, TH, 400, 40, 365.0, np.random.default_rng(3))
    assert np.array_equal(a.moves, b.moves)
    assert (b.states[:, S_STATUS] == ST_WAR).sum() > (a.states[:, S_STATUS] == ST_WAR).sum()


def test_war_rule_bad_input_is_one_clear_line():
    assert parse_war_rule("count=2,window=60,min-rung=6") == {"count": 2.0, "window_days": 60.0, "min_rung": 6.0}
    for bad, field in (("count=x", "count"), ("bogus=3", "bogus"), ("count=9", "count"), ("min-rung=0", "min-rung"),
                       ("window=-5", "window")):
        with pytest.raises(InputError) as e:
            parse_war_rule(bad)
        assert "\n" not in str(e.value) and field in str(e.value) and "--war-rule" in str(e.value)


def test_override_files_with_bad_input_fail_in_one_line(tmp_path):
    g = tmp_path / "game.yaml"
    g.write_text("version: 1\nactors: {iran: {role: decide, resolv: 1}}\n")
    with pytest.raises(InputError) as e:
        model_from_files(game=str(g))
    assert "\n" not in str(e.value) and "game.yaml" in str(e.value)
    lv = tmp_path / "levers.yaml"
    lv.write_text("levers: {x: {essay: first, argument: a, effects: [{type: utility, actors: [nobody], rungs: [0, 1], delta: 1}]}}\npackages: {}\n")
    with pytest.raises(InputError) as e:
        model_from_files(levers=str(lv))
    assert "\n" not in str(e.value) and "levers.yaml" in str(e.value) and "nobody" in str(e.value)


def test_actors_weigh_what_a_war_would_cost_them(model, th):
    T = model.tables
    iran, israel = model.actor_id("iran"), model.actor_id("israel")
    # the campaigns aimed at Iran include the US one (third-party entry): more than Israel's alone
    assert T.war_loss[iran] > 0 and T.war_loss[israel] > 0
    b = blank_state()
    assert K.war_cost(b, iran, th, T) > T.actor[iran, C_WARC]     # more than the residual alone


# ------------------------------------------------------------------ change-point
def test_change_point_recovers_a_known_break_on_a_synthetic_history(model):
    """Actions drawn from the model with the cost of climbing cut to exp(-2) from 2021-01-01
    (the coded history's states, three times over): the profile, fitting the break at each
    candidate date with the other parameters at their true values, picks that date and a
    negative break, and the likelihood ratio keeps it; on actions drawn without a break it does not."""
    rp = replay(model, load_history())
    priors = load_priors()
    tau0 = dt.date(2021, 1, 1)
    z = np.zeros(n_free(model) + 1)
    for k, name in enumerate(DECISION_PARAMS):
        z[k] = np.log(priors["decision"][name]["median"])
    z[-1] = -2.0
    th0 = theta(z, model, 0.1, np.full(NDUR, 1 / NDUR), np.full(NDUR, 1 / NDUR), tau0)
    rng = np.random.default_rng(7)
    reps = 3
    rp.states = np.concatenate([rp.states] * reps)
    rp.movers = np.concatenate([rp.movers] * reps)
    rp.moves = rp.moves * reps

    def draw_actions(th_):
        """One action per replayed move, drawn from the model's probabilities under ``th_``."""
        acts = []
        for S, i in zip(rp.states, rp.movers):
            p = _probs(model, S, th_, model.actors[i])
            f0 = int(model.tables.actor[i, C_FIRSTA])
            acts.append(f0 + rng.choice(len(p), p=np.array(list(p.values())) / sum(p.values())))
        return np.array(acts, np.int64)

    rp.actions = draw_actions(th0)
    rp.moves = sorted(rp.moves, key=lambda m: m.date)
    z_nb = z[:-1]
    grid = [dt.date(2019, 7, 1), dt.date(2020, 4, 1), dt.date(2021, 1, 1), dt.date(2021, 10, 1), dt.date(2022, 10, 1)]
    cp = change_point(model, rp, priors, z_nb, _LogPost(model, rp, priors)(z_nb), grid=grid, only_break=True)
    assert cp["tau"] == tau0, cp["profile"]
    assert -3.5 < cp["z"][-1] < -1.0 and cp["kept"], cp["profile"]
    # no break in the data: none kept
    th1 = theta(z_nb, model, 0.1, np.full(NDUR, 1 / NDUR), np.full(NDUR, 1 / NDUR))
    rp.actions = draw_actions(th1)
    cp = change_point(model, rp, priors, z_nb, _LogPost(model, rp, priors)(z_nb), grid=grid, only_break=True)
    assert not cp["kept"], cp["profile"]


def test_the_break_multiplies_the_cost_of_climbing_from_its_date(model, th):
    from redline.escalation.kernel.choice import esc_weight
    S, _ = start_state(model, "april-2024")
    t = th.copy()
    t[P_BREAK] = -1.0
    t[P_TAU] = float(dt.date(2024, 1, 1).toordinal())
    assert esc_weight(S, t) == pytest.approx(t[P_ESC] * np.exp(-1.0))
    t[P_TAU] = float(dt.date(2024, 6, 1).toordinal())
    assert esc_weight(S, t) == t[P_ESC]


# ------------------------------------------------------------------ nuclear choice
def test_breakout_is_a_decision_moved_by_strikes_on_the_programme_and_the_arms_race(model, th, s0):
    S = s0.copy()
    S[S_NUC] = 1.0
    p0 = _probs(model, S, th, "iran")["breakout"]
    hit = S.copy()
    hit[S_NUCHIT] = 4.0                       # one severe strike on the programme
    assert _probs(model, hit, th, "iran")["breakout"] > p0
    assert _probs(model, _lever(model, S, "arms-race"), th, "iran")["breakout"] > p0
    done = S.copy()
    done[S_NUC] = 2.0
    assert _probs(model, done, th, "iran")["breakout"] == 0.0   # only from enrichment
    # the move itself: status 1 -> 2; a nuclear-flagged strike damages the programme
    T, acc = model.tables, np.zeros(len(model.interceptor_types))
    S2 = S.copy()
    K.apply_move(S2, model.actor_id("iran"), model.action_index["iran:breakout"], 0.0, NCOMBO - 1, 0, T, acc)
    assert S2[S_NUC] == 2.0
    S3 = S.copy()
    K.apply_move(S3, model.actor_id("united-states"), model.action_index["united-states:strike-iran-nuclear"],
                 0.0, NCOMBO - 1, 2, T, acc)
    assert S3[S_NUCHIT] == S[S_NUCHIT] + 4.0


def test_crisis_reports_p_breakout():
    from redline.escalation import run_crisis
    s = run_crisis(paths=300, seed=2, horizon_days=180, draws=6)
    assert s.p_breakout is not None and 0.0 <= s.p_breakout.mean <= 1.0
    assert s.war_rule == {"count": 3, "window_days": 90.0, "min_rung": 5}


# ------------------------------------------------------------------ partners and Iraq decide
def test_partner_decisions_move_their_participation(model, s0):
    S = s0.copy()
    S[S_STANCE:S_STANCE + 2] = 0.0
    p0 = _part(model, S)
    T, acc = model.tables, np.zeros(len(model.interceptor_types))
    j = S.copy()
    K.apply_move(j, model.actor_id("jordan"), model.action_index["jordan:join-defence"], 0.0, NCOMBO - 1, 0, T, acc)
    o = S.copy()
    K.apply_move(o, model.actor_id("gulf-states"), model.action_index["gulf-states:stay-out"], 0.0, NCOMBO - 1, 0, T, acc)
    assert _part(model, j)["jordan"] > p0["jordan"] and _part(model, j)["gulf-states"] == p0["gulf-states"]
    assert _part(model, o)["gulf-states"] < p0["gulf-states"]


def test_fear_of_iranian_retaliation_pushes_a_partner_to_stay_out(model, th, s0):
    S = s0.copy()
    S[S_PG:S_PG + 2] = 0.0
    p0 = _probs(model, S, th, "jordan")["join-defence"]
    S[S_PG] = 1.0                              # Iran holds a grievance for Jordan's last participation
    assert _probs(model, S, th, "jordan")["join-defence"] < p0


def test_defence_pact_makes_the_gulf_a_target_and_a_participant(model, th, s0):
    S = s0.copy()
    pact = _lever(model, S, "us-gulf-defence-pact")
    assert _part(model, pact)["gulf-states"] > _part(model, S)["gulf-states"]
    assert _part(model, pact)["jordan"] == pytest.approx(_part(model, S)["jordan"])
    assert _probs(model, pact, th, "iran")["strike-gulf-states"] > _probs(model, S, th, "iran")["strike-gulf-states"]


def test_us_strikes_in_iraq_and_iranian_sway_push_iraq_to_press_for_us_exit(model, th, s0):
    T, acc = model.tables, np.zeros(len(model.interceptor_types))
    iraq = model.actor_id("iraq")
    S = s0.copy()
    S[S_G:S_G + NA] = 0.0
    p0 = _probs(model, S, th, "iraq")["press-us-exit"]
    hit = S.copy()
    K.apply_move(hit, model.actor_id("united-states"), model.action_index["united-states:strike-militias"],
                 0.0, NCOMBO - 1, 2, T, acc)
    assert hit[S_G + iraq] > 0.0                          # the host is aggrieved
    assert _probs(model, hit, th, "iraq")["press-us-exit"] > p0
    sway = S.copy()
    sway[S_G + model.actor_id("iran")] = 3.0              # Iran's grievance (against the US) it partly shares
    assert _probs(model, sway, th, "iraq")["press-us-exit"] > p0
    # pressure (and restricted basing) make US strikes flown from regional bases costlier
    pr = S.copy()
    K.apply_move(pr, iraq, model.action_index["iraq:press-us-exit"], 0.0, NCOMBO - 1, 0, T, acc)
    u0, u1 = _probs(model, S, th, "united-states"), _probs(model, pr, th, "united-states")
    assert u1["limited-strike-iran"] < u0["limited-strike-iran"]
    assert u1["strike-iran-nuclear"] >= u0["strike-iran-nuclear"]    # B-2s from the United States: not base-flown


# ------------------------------------------------------------------ lever-ranking robustness
def test_lever_robustness_designs_change_what_they_say():
    from redline.sweep.escalation import lever_robustness

    r = lever_robustness(["status-quo", "diplomacy-first"], designs=(("baseline", "none", None),
                         ("war count=1", "war", "count=1"), ("levers x 2", "levers", 2.0)), paths=200, seed=5)
    b, w, x2 = (r["designs"][k]["packages"] for k in ("baseline", "war count=1", "levers x 2"))
    # the war rule is a report: major strikes identical, war at least as frequent under the looser rule
    assert all(b[p]["p_major_strike"] == w[p]["p_major_strike"] for p in b)
    assert all(w[p]["p_regional_war"] >= b[p]["p_regional_war"] for p in b)
    # scaling the levers leaves the status quo (no levers but the history's) close and moves the package
    assert x2["diplomacy-first"]["p_major_strike"] != b["diplomacy-first"]["p_major_strike"]
    assert {"lower", "higher", "holds_in", "of", "fails_in"} <= set(r["pairwise"][0])


# ------------------------------------------------------------------ pre-notification (item 9)
def _eloss(model, S, th, actor):
    T = model.tables
    A = T.action.shape[0]
    lut, eloss, st, aux, ob = np.empty(A), np.empty(A), np.empty(A), np.empty(NAUX), np.empty(NOUT)
    K.prepare(S, th, T, model.actor_id(actor), lut, eloss, st, aux, ob)
    return eloss


def test_pre_notification_warns_the_defence_and_lowers_the_damage_expected(model, th, s0):
    """The notified raid is the April 2024 raid against the `warned` posture (fighter patrols x1.5),
    computed by the engine: at least as many raids contained under every partner/lever variant, and
    more with Jordan out (the patrols carry more of the defence); so Iran expects to inflict less."""
    from redline.escalation.effects import load_table, table_effect

    table = load_table()
    for v in ("default", "no-jordan", "forward", "integrated", "arms-race"):
        plain = table_effect(table, "iran-april-2024", v).severity
        warned = table_effect(table, "iran-april-2024-notified", v).severity
        assert warned[0] >= plain[0] - 0.01, v           # contained: within MC noise or higher
        assert warned[2] <= plain[2] + 0.005, v
    # more contained with Jordan out, beyond Monte Carlo noise (4,000 paired trials: SE of the
    # difference below 0.007, so 0.02 is about 3 SE)
    assert table_effect(table, "iran-april-2024-notified", "no-jordan").severity[0] > \
        table_effect(table, "iran-april-2024", "no-jordan").severity[0] + 0.02
    el = _eloss(model, s0, th, "iran")
    assert el[model.action_index["iran:major-strike-israel-notified"]] < el[model.action_index["iran:major-strike-israel"]]
    p = _probs(model, s0, th, "iran")
    assert 0.0 < p["major-strike-israel-notified"] < 1.0


# ------------------------------------------------------------------ Gaza: the Rafah trigger (item 9)
def test_a_rafah_offensive_raises_the_proxies_motives_and_lowers_partner_participation(model, th, s0):
    from redline.escalation.compile import apply_context

    S = s0.copy()
    apply_context(S, model, gaza_war=True)
    raf = S.copy()
    apply_context(raf, model, gaza_offensive=True)
    assert raf[S_GAZA_] == model.game.dynamics.gaza_offensive["intensity"] > 1.0

    def hostile(St, actor):
        p = _probs(model, St, th, actor)
        return sum(v for a, v in p.items() if model.game.actions[actor][a].rung >= 3)

    for proxy in ("hezbollah", "houthis"):
        assert hostile(raf, proxy) > hostile(S, proxy), proxy
    p0, p1 = _part(model, S), _part(model, raf)
    assert p1["jordan"] < p0["jordan"] and p1["gulf-states"] < p0["gulf-states"]
    assert _probs(model, raf, th, "jordan")["join-defence"] < _probs(model, S, th, "jordan")["join-defence"]
    # the offensive's end is the war as usual; a ceasefire context ends both
    end = raf.copy()
    apply_context(end, model, gaza_offensive=False)
    assert end[S_GAZA_] == 1.0 and _part(model, end) == pytest.approx(p0)


# ------------------------------------------------------------------ Israeli forward perches (item 9)
def test_forward_perches_move_the_israeli_strike_geometry_and_its_damage(model, th, s0):
    """Lever israeli-forward-perches: variant perch releases half of each salvo of the Israeli
    templates on the 26 October 2024 defence over Iraqi Kurdistan (engine-computed, HYPOTHETICAL
    geometry). It applies to those templates only, not to Iranian raids; Iran contains fewer of
    Israel's major strikes, so Israel expects to inflict more."""
    from redline.escalation.effects import build_scenario, load_table, table_effect
    from redline.escalation.io import load_game

    g = load_game()
    sc = build_scenario(g.raids["israel-major"], [g.variants["perch"]], "t")
    assert "kurdistan-perch" in sc.sites and sc.sites["kurdistan-perch"].kind == "air_launch"
    # round(count/2) (half to even) of each salvo whose aim is in range of the perch: 2 ROCKS at Ilam,
    # 3 + 3 + 3 Blue Sparrow at Tehran, Parchin and Khojir; the ROCKS at Khuzestan are out of range
    fwd = [s for s in sc.raid if s.launch == "kurdistan-perch"]
    assert sum(s.count for s in fwd) == 11 and all("ad-khuzestan" not in s.aim for s in fwd)
    table = load_table()
    assert "perch" not in table["entries"]["iran-april-2024"]
    assert table_effect(table, "israel-major", "perch").severity[0] < table_effect(table, "israel-major", "default").severity[0]
    a = model.action_index["israel:major-strike-iran"]
    e0 = _eloss(model, s0, th, "israel")[a]
    e1 = _eloss(model, _lever(model, s0, "israeli-forward-perches"), th, "israel")[a]
    assert e1 > e0
    b = model.action_index["iran:major-strike-israel"]        # Iranian raids: unchanged
    assert _eloss(model, _lever(model, s0, "israeli-forward-perches"), th, "iran")[b] == \
        pytest.approx(_eloss(model, s0, th, "iran")[b])
