"""Hypothesis strategies over the fuzz inputs: a seed file of a type, a mutation, and the randomness it uses.

``inputs(type_, ops)`` draws :class:`~tests.fuzz.mutate.Case` values; Hypothesis picks the seed file,
the operator and the random stream, so its database and ``derandomize`` make a failure replayable.
``hostile_values()`` is the set of values a field should never accept silently, for property tests
of single fields.
"""
from __future__ import annotations

from hypothesis import strategies as st

from .mutate import ALL_OPS, NUMBER_VALUES, STRING_VALUES, Case, mutate
from .targets import TARGETS


def inputs(type_: str, ops: dict | None = None) -> st.SearchStrategy[Case]:
    """Mutated shipped files of ``type_`` ("scenario", "events", "moves", "sweep", "campaign")."""
    ops = ops or ALL_OPS
    seeds = TARGETS[type_].seed_texts()
    return st.builds(lambda op, r: mutate(type_, seeds, r, ops, op),
                     st.sampled_from(sorted(ops)), st.randoms(use_true_random=False))


def hostile_values() -> st.SearchStrategy:
    """Numbers, strings and shapes that the issue found accepted or crashing somewhere."""
    return st.one_of(
        st.sampled_from([v for v, _ in NUMBER_VALUES + STRING_VALUES]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.text(max_size=300),
        st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                     max_leaves=10),
    )
