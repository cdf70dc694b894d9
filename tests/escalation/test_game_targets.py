"""Issue 12, session 5: more than 16 actions per actor, Iran's rung-8 campaign with a chosen target,
the Rafah trigger in the coded history, and the war cost on the opponent's strategic replies.

Directions are checked on paired states of the shipped game with the shipped posterior's mean
parameters (as in test_game_mechanisms.py)."""
from __future__ import annotations

import numpy as np
import pytest

from redline.errors import InputError
from redline.escalation import compile_model, parse_game
from redline.escalation import kernel as K
from redline.escalation.compile import blank_state
from redline.escalation.effects import table_scenarios
from redline.escalation.history import start_state
from redline.escalation.layout import C_FIRSTA, MAX_ACTIONS, NOUT, P_LAM, S_G, S_PR, S_PS
from redline.escalation.kernel import NAUX
from redline.escalation.runner import simulate
from redline.escalation.schema import LeverBook

from .conftest import DYNAMICS, LADDER, action_probs as _probs_of, small_theta


def _wide_game(n_signals: int) -> str:
    sig = "\n".join(f"    signal-{k}: {{rung: 1, target: blue}}" for k in range(n_signals))
    return LADDER + f"""
actors:
  red:  {{role: decide, resolve: 0.2, war_cost: 1.0}}
  blue: {{role: decide, resolve: 0.3, war_cost: 1.5}}
actions:
  red:
    hold:   {{rung: 0}}
{sig}
    strike: {{rung: 3, target: blue, outcome: [0.6, 0.3, 0.1]}}
  blue:
    hold:   {{rung: 0}}
    strike: {{rung: 3, target: red, outcome: [0.6, 0.3, 0.1]}}
""" + DYNAMICS


# ------------------------------------------------------------------ more than 16 actions
def test_an_actor_may_have_more_than_sixteen_actions():
    assert MAX_ACTIONS == 32
    m = compile_model(parse_game(_wide_game(24), "<wide>"), LeverBook(levers={}, packages={}), {"entries": {}})
    th = small_theta()
    p = _probs_of(m, blank_state(), th, "red")
    assert len(p) == 26 and abs(sum(p.values()) - 1.0) < 1e-12
    # 24 identical signals: the same probability, the 24th (index 24 of 26) as the first
    sig = [p[f"signal-{k}"] for k in range(24)]
    assert max(sig) - min(sig) < 1e-15 and sig[0] > 0.0
    # the sampler reaches the actions beyond the old limit of 16
    TH = th[None, :]
    res = simulate(m, blank_state(), TH, 2000, 4, 365.0, np.random.default_rng(5))
    f0 = int(m.tables.actor[m.actor_id("red"), C_FIRSTA])
    assert ((res.moves >= f0 + 16) & (res.moves < f0 + 26)).sum() > 0


def test_more_actions_than_the_kernel_holds_is_one_clear_line():
    with pytest.raises(InputError) as e:
        compile_model(parse_game(_wide_game(MAX_ACTIONS), "<wide>"), LeverBook(levers={}, packages={}), {"entries": {}})
    assert "\n" not in str(e.value) and "actions.red" in str(e.value) and str(MAX_ACTIONS) in str(e.value)


# ------------------------------------------------------------------ Iran's rung-8 target is chosen
def _struck_by(model, S, who, rung=6, grievance=2.0):
    S = S.copy()
    iran = model.actor_id("iran")
    S[S_PR + iran] = rung
    S[S_PS + iran] = model.actor_id(who)
    S[S_G + iran] += grievance
    return S


def test_iran_aims_its_campaign_at_who_struck_it(model, th, s0):
    g = model.game
    assert g.actions["iran"]["regional-war-us"].rung == 8 and g.actions["iran"]["regional-war-us"].target == "united-states"
    assert g.raids[g.actions["iran"]["regional-war-us"].raid].base == "gulf-bases-raid"
    for rung in (5, 6):
        us = _probs_of(model, _struck_by(model, s0, "united-states", rung), th, "iran")
        il = _probs_of(model, _struck_by(model, s0, "israel", rung), th, "iran")
        # after a US strike the US-aimed campaign is the likelier of the two; after an Israeli one, the reverse
        assert us["regional-war-us"] > 2.0 * us["regional-war"], rung
        assert il["regional-war"] > 2.0 * il["regional-war-us"], rung
        assert us["regional-war-us"] > il["regional-war-us"], rung


def test_the_effects_builder_computes_the_us_campaign():
    got = {(rid, vn) for rid, vn, _raid, _sc in table_scenarios() if rid == "iran-campaign-us"}
    assert got == {("iran-campaign-us", "default")}


# ------------------------------------------------------------------ the Rafah trigger in the history
def _replayed(model, mf, day):
    from redline.escalation.history import replay
    return replay(model, mf, until=day).final


def test_the_coded_history_sets_the_rafah_trigger_and_ends_it(model, th):
    import datetime as dt

    from redline.escalation.io import load_history
    from redline.escalation.layout import S_GAZA
    from redline.escalation.schema import ContextRow

    mf = load_history()
    rafah = [m for m in mf.moves if isinstance(m, ContextRow) and m.context.gaza_offensive is not None]
    assert [(m.date, m.context.gaza_offensive) for m in rafah] == [(dt.date(2024, 5, 7), True), (dt.date(2025, 1, 19), False)]
    assert all(m.sources and set(m.sources) <= set(mf.sources) for m in rafah)
    without = mf.model_copy(update={"moves": tuple(m for m in mf.moves if m not in rafah[:1])})
    intensity = model.game.dynamics.gaza_offensive["intensity"]
    day = dt.date(2024, 7, 18)                       # the day before the next coded move
    S, S0 = _replayed(model, mf, day), _replayed(model, without, day)
    assert S[S_GAZA] == intensity and S0[S_GAZA] == 1.0
    assert _replayed(model, mf, dt.date(2025, 1, 19))[S_GAZA] == 0.0          # ended by the ceasefire
    assert _replayed(model, mf, dt.date(2025, 3, 18))[S_GAZA] == 1.0          # the resumption: the war as usual
    # the documented direction: proxies' hostile moves up, the partners' participation down
    for proxy in ("hezbollah", "houthis", "iraqi-militias"):
        hostile = {a for a in model.game.actions[proxy] if model.game.actions[proxy][a].rung >= 3}
        p, p0 = _probs_of(model, S, th, proxy), _probs_of(model, S0, th, proxy)
        assert sum(p[a] for a in hostile) > sum(p0[a] for a in hostile) + 0.01, proxy
    from .test_game_mechanisms import _part
    part, part0 = _part(model, S), _part(model, S0)
    for partner in ("jordan", "gulf-states"):
        assert part[partner] < part0[partner] - 0.01, partner


# ------------------------------------------------------------------ the forward-perch lever in a package
def test_the_drift_package_has_the_forward_perches(model):
    pk = model.book.packages
    assert pk["arms-race-drift"].levers.get("israeli-forward-perches") == 1.0
    assert "israeli-forward-perches" not in pk["diplomacy-first"].levers


# ------------------------------------------------------------------ war cost on strategic moves
def _variant(game, risk=None, war_cost_x=1.0):
    from redline.escalation.io import load_levers
    upd = {}
    if risk is not None:
        upd["dynamics"] = game.dynamics.model_copy(update={"war_risk": risk})
    if war_cost_x != 1.0:
        upd["actors"] = {k: v.model_copy(update={"war_cost": v.war_cost * war_cost_x}) for k, v in game.actors.items()}
    g = game.model_copy(update=upd)
    return compile_model(g, load_levers(game=g))


def test_a_strategic_strike_pays_its_war_risk_in_closed_form(model, th, s0):
    """A strike whose target does not reply (a partner) pays exactly war_risk[rung] x W_i: the odds
    of Iran's rung-6 strike on Gulf energy against restraint fall by exp(-lambda w6 W_iran)."""
    w6 = model.game.dynamics.war_risk[6]
    assert 0.0 < w6 < 1.0 and model.game.dynamics.war_risk[7] > w6
    off = _variant(model.game, risk={})
    p_on, p_off = _probs_of(model, s0, th, "iran"), _probs_of(off, s0, th, "iran")
    T = model.tables
    A = T.action.shape[0]
    aux = np.empty(NAUX)
    K.prepare(s0, th, T, -1, np.empty(A), np.empty(A), np.empty(A), aux, np.empty(NOUT))
    W = aux[K.AUX_WARC + model.actor_id("iran")]
    got = (p_on["strike-gulf-energy"] / p_on["restraint"]) / (p_off["strike-gulf-energy"] / p_off["restraint"])
    np.testing.assert_allclose(got, np.exp(-th[P_LAM] * w6 * W), rtol=1e-9)


def test_the_war_cost_now_moves_strategic_choices(model, th):
    """Issue 12 item 3: actors weigh what a war would cost them. Before session 5 only a rung-8
    move carried war risk, so doubling every war cost left the choices below rung 8 unchanged
    (a rung-8 move has probability ~1e-7); with dynamics.war_risk, doubling it lowers the chance
    of strategic and leadership strikes, from April 2024 and from June 2025."""
    off, off2 = _variant(model.game, risk={}), _variant(model.game, risk={}, war_cost_x=2.0)
    on2 = _variant(model.game, war_cost_x=2.0)

    def strategic(m, S, actor):
        p = _probs_of(m, S, th, actor)
        return sum(v for a, v in p.items() if 6 <= m.game.actions[actor][a].rung <= 7)

    for start in ("april-2024", "june-2025"):
        S, _ = start_state(model, start)
        for actor in ("iran", "israel"):
            # the old term: inert below rung 8 (a relative change below 1e-4; it acts only through the
            # chance of a rung-8 reply)
            base = strategic(off, S, actor)
            assert abs(strategic(off2, S, actor) - base) < 1e-4 * base, (start, actor)
            # the new one: strategic strikes rarer with the risk, rarer still with dearer wars
            assert strategic(model, S, actor) < 0.8 * strategic(off, S, actor), (start, actor)
            assert strategic(on2, S, actor) < 0.8 * strategic(model, S, actor), (start, actor)


def test_a_bad_war_risk_is_one_clear_line():
    from .conftest import SMALL_GAME
    for bad in ("{8: 0.5}", "{6: 1.5}"):
        text = SMALL_GAME.replace("  precedent: {half_life_days: 365}", f"  precedent: {{half_life_days: 365}}\n  war_risk: {bad}")
        assert "war_risk" in text
        with pytest.raises(InputError) as e:
            parse_game(text, "<game>")
        assert "\n" not in str(e.value) and "war_risk" in str(e.value)
