"""Troll fusion math: monotonic in every hostile signal, bounded, reasons strongest first."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from scoring.troll import CEILING, FLOOR, TrollFeatures, troll_likelihood

features = st.builds(
    TrollFeatures,
    toxicity=st.floats(0, 1),
    author_posts=st.integers(1, 200),
    hostile_posts=st.integers(0, 200),
    posts_last_hour=st.integers(1, 100),
    pileon_posts=st.integers(0, 100),
    pileon_accounts=st.integers(0, 100),
    bait_posts=st.integers(0, 50),
    account_age_days=st.one_of(st.none(), st.floats(0, 5000)),
    followers=st.one_of(st.none(), st.integers(0, 10**6)),
    following=st.one_of(st.none(), st.integers(0, 10**5)),
)

HOSTILE_UP = {
    "toxicity": lambda f: min(1.0, f.toxicity + 0.2),
    "hostile_posts": lambda f: f.hostile_posts + 3,
    "posts_last_hour": lambda f: f.posts_last_hour + 5,
    "pileon_posts": lambda f: f.pileon_posts + 4,
    "pileon_accounts": lambda f: f.pileon_accounts + 4,
    "bait_posts": lambda f: f.bait_posts + 2,
}


@given(features)
def test_troll__probability_stays_in_calibrated_range(f: TrollFeatures) -> None:
    verdict = troll_likelihood(f)
    assert FLOOR <= verdict.probability <= CEILING


@given(features, st.sampled_from(sorted(HOSTILE_UP)))
def test_troll__more_hostile_signal_never_lowers_probability(f: TrollFeatures, name: str) -> None:
    worse = replace(f, **{name: HOSTILE_UP[name](f)})
    assert troll_likelihood(worse).probability >= troll_likelihood(f).probability


@given(features, st.floats(0, 5000))
def test_troll__younger_account_never_lowers_probability(f: TrollFeatures, age: float) -> None:
    older = replace(f, account_age_days=age + 10)
    younger = replace(f, account_age_days=age)
    assert troll_likelihood(younger).probability >= troll_likelihood(older).probability


@given(features)
def test_troll__reasons_are_ordered_by_contribution(f: TrollFeatures) -> None:
    verdict = troll_likelihood(f)
    pushes = []
    for reason in verdict.reasons:
        matches = [v for k, v in verdict.contributions.items() if _reason_of(f, k) == reason]
        pushes.append(max(matches))
    assert pushes == sorted(pushes, reverse=True)
    assert len(verdict.reasons) <= 3


def _reason_of(f: TrollFeatures, key: str) -> str | None:
    from scoring.troll import _terms

    term = _terms(f).get(key)
    return term[1] if term else None


def test_troll__polite_regular_is_unlikely_and_has_no_reasons() -> None:
    verdict = troll_likelihood(TrollFeatures(toxicity=0.02, author_posts=2, account_age_days=900))
    assert verdict.probability < 0.1
    assert verdict.reasons == []


def test_troll__pileon_of_insults_is_likely_with_pileon_reason_first_or_second() -> None:
    f = TrollFeatures(
        toxicity=0.9,
        author_posts=6,
        hostile_posts=6,
        posts_last_hour=6,
        pileon_posts=12,
        pileon_accounts=15,
        account_age_days=3,
    )
    verdict = troll_likelihood(f)
    assert verdict.probability > 0.9
    assert any(
        r == "12 near-identical posts from 15 accounts within 1 h (pile-on)"
        for r in verdict.reasons
    )


def test_troll__one_angry_insult_alone_stays_below_half() -> None:
    verdict = troll_likelihood(TrollFeatures(toxicity=0.95, account_age_days=2000))
    assert 0.1 < verdict.probability < 0.5
    assert verdict.reasons[0].startswith("insulting text")
