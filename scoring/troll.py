"""Troll likelihood: text toxicity fused with the author's behaviour. Pure math, no I/O, no clock.

An insult alone is not trolling (a furious customer swears too), and a troll can be polite.
So the probability rests on several signals. Each is turned into a bounded feature in
``[0, 1]`` (:func:`term_values`); a logistic regression weighs them:
``p = sigmoid(intercept + Σ weight × feature)``. Because every weight is non-negative and every
feature is capped:

* each hostile signal can only raise the probability (monotonic),
* no single signal saturates it (every term is capped),
* the result stays inside ``[FLOOR, CEILING]``: never certain either way.

The shipped weights (:data:`FITTED`) were fitted on the labelled sample personas by
``python -m scoring.fit_troll`` and are read once, at import, from ``heads/troll-fusion.json``
(how they were made is recorded there and in ``docs/model-card.md``). :data:`HAND_WEIGHTS` are
the earlier hand-set weights, kept for comparison. Each term's contribution is weight ×
feature and yields a short human reason; the board shows the strongest ones first.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.pileon import PILEON_MARK

FLOOR = 0.01
CEILING = 0.98
#: A term must push the log-odds at least this much to be given as a reason.
REASON_MIN = 0.35
MAX_REASONS = 3
#: The author's summed text toxicity over the history window counts from here (a critic's
#: complaints add up to well under it), and is full at this much more.
HISTORY_TOXICITY_FROM = 0.2
HISTORY_TOXICITY_SPAN = 1.0
#: The terms, in a fixed order (the columns of the fitted regression).
TERMS = (
    "toxicity",
    "repeat_hostile",
    "insult_share",
    "pileon",
    "burst",
    "reply_bait",
    "new_account",
    "follower_ratio",
    "hostile_history",
)
WEIGHTS_PATH = Path(__file__).parent / "heads" / "troll-fusion.json"


@dataclass(frozen=True)
class TrollFeatures:
    """What we know about one mention and its author over the behaviour window.

    Counts are over the author's own posts in the window up to this mention (itself included);
    ``None`` means the platform does not give the value.
    """

    toxicity: float = 0.0
    author_posts: int = 1
    hostile_posts: int = 0
    window_hours: float = 24.0
    posts_last_hour: int = 1
    pileon_posts: int = 0
    pileon_accounts: int = 0
    pileon_minutes: float = 60.0
    bait_posts: int = 0
    account_age_days: float | None = None
    followers: int | None = None
    following: int | None = None
    #: The author's posts over the longer history window (this one included) and the sum of
    #: their text toxicity: a troll who insults a little every day adds up, a critic does not.
    history_posts: int = 1
    history_toxicity: float = 0.0
    history_days: float = 14.0


@dataclass(frozen=True)
class FusionWeights:
    """The fusion's intercept and one non-negative weight per term (missing terms weigh 0)."""

    intercept: float
    weights: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(TERMS)
        if unknown:
            raise ValueError(f"unknown troll terms: {sorted(unknown)}")
        if any(w < 0 for w in self.weights.values()):
            raise ValueError("troll term weights must be non-negative (monotonic fusion)")


@dataclass(frozen=True)
class TrollVerdict:
    """The probability that the mention is bad-faith, and why (strongest reason first)."""

    probability: float
    reasons: list[str]
    contributions: dict[str, float]


#: The hand-set weights the fusion used before it was fitted (the caps of each term's push).
HAND_WEIGHTS = FusionWeights(
    intercept=-3.2,
    weights={
        "toxicity": 3.0,
        "repeat_hostile": 2.5,
        "insult_share": 1.6,
        "pileon": 2.5,
        "burst": 1.5,
        "reply_bait": 1.2,
        "new_account": 1.2,
        "follower_ratio": 0.8,
        "hostile_history": 2.0,
    },
)


def weights_from_dict(data: Mapping[str, Any]) -> FusionWeights:
    """Weights from the data file's ``intercept`` and ``weights`` entries."""
    return FusionWeights(
        intercept=float(data["intercept"]),
        weights={str(k): float(v) for k, v in dict(data["weights"]).items()},
    )


def _cap(value: float, limit: float) -> float:
    return max(0.0, min(value, limit))


def term_values(f: TrollFeatures) -> dict[str, tuple[float, str]]:
    """Each signal that applies, as a feature in ``[0, 1]`` and its human reason."""
    terms: dict[str, tuple[float, str]] = {}
    tox = _cap(f.toxicity, 1.0)
    terms["toxicity"] = (_cap((tox - 0.15) / 0.85, 1.0), f"insulting text ({tox:.0%})")
    hostile = max(0, f.hostile_posts)
    if hostile >= 2:
        terms["repeat_hostile"] = (
            _cap(0.9 * math.log2(hostile), 2.5) / 2.5,
            f"{hostile} hostile posts in {f.window_hours:g} h",
        )
    posts = max(1, f.author_posts)
    share = min(hostile, posts) / posts
    if posts >= 3:
        terms["insult_share"] = (
            _cap((share - 0.2) / 0.8, 1.0),
            f"{share:.0%} of {posts} recent posts are insults",
        )
    if f.pileon_posts >= 3 and f.pileon_accounts >= 3:
        push = 0.8 * math.log2(f.pileon_posts / 2) + 0.3 * math.log2(f.pileon_accounts / 2)
        terms["pileon"] = (
            _cap(push, 2.5) / 2.5,
            f"{f.pileon_posts} near-identical posts from {f.pileon_accounts} accounts "
            f"within {_minutes(f.pileon_minutes)} {PILEON_MARK}",
        )
    if f.posts_last_hour >= 5:
        terms["burst"] = (
            _cap(0.7 * math.log2(f.posts_last_hour / 4), 1.5) / 1.5,
            f"{f.posts_last_hour} posts in the last hour (burst)",
        )
    if f.bait_posts >= 1:
        terms["reply_bait"] = (
            _cap(0.5 * math.log2(1 + f.bait_posts), 1.2) / 1.2,
            f"{f.bait_posts} reply-baiting post{'s' if f.bait_posts > 1 else ''}",
        )
    if f.account_age_days is not None and f.account_age_days < 60:
        age = max(0.0, f.account_age_days)
        terms["new_account"] = (1.0 - age / 60.0, f"account is {age:.0f} days old")
    if f.followers is not None and f.following is not None and f.following >= 20:
        ratio = f.followers / max(1, f.following)
        if ratio < 0.1:
            terms["follower_ratio"] = (
                1.0 - ratio / 0.1,
                f"follows {f.following}, followed by {f.followers}",
            )
    if f.history_posts >= 2 and f.history_toxicity >= HISTORY_TOXICITY_FROM:
        terms["hostile_history"] = (
            _cap((f.history_toxicity - HISTORY_TOXICITY_FROM) / HISTORY_TOXICITY_SPAN, 1.0),
            f"hostile tone across {f.history_posts} posts in {f.history_days:g} days",
        )
    return terms


def feature_vector(f: TrollFeatures) -> list[float]:
    """The term features in :data:`TERMS` order (0 for a term that does not apply)."""
    values = term_values(f)
    return [values[name][0] if name in values else 0.0 for name in TERMS]


def _terms(f: TrollFeatures, weights: FusionWeights | None = None) -> dict[str, tuple[float, str]]:
    """Each signal's push on the log-odds (weight × feature) and its human reason."""
    w = (weights or FITTED).weights
    return {name: (w.get(name, 0.0) * x, why) for name, (x, why) in term_values(f).items()}


def _minutes(minutes: float) -> str:
    return f"{minutes / 60:g} h" if minutes >= 60 else f"{minutes:g} min"


def troll_likelihood(features: TrollFeatures, weights: FusionWeights | None = None) -> TrollVerdict:
    """Fuse text and behaviour into a probability in [FLOOR, CEILING] with its top reasons.

    ``weights`` defaults to the shipped fitted ones (:data:`FITTED`).
    """
    w = weights or FITTED
    terms = _terms(features, w)
    logit = w.intercept + sum(push for push, _ in terms.values())
    p = 1.0 / (1.0 + math.exp(-logit))
    p = min(CEILING, max(FLOOR, p))
    ranked = sorted(terms.items(), key=lambda kv: (-kv[1][0], kv[0]))
    reasons = [reason for _, (push, reason) in ranked if push >= REASON_MIN][:MAX_REASONS]
    return TrollVerdict(
        probability=p,
        reasons=reasons,
        contributions={name: push for name, (push, _) in terms.items()},
    )


def _load_shipped() -> FusionWeights:
    """The fitted weights beside this module; read once, at import."""
    return weights_from_dict(json.loads(WEIGHTS_PATH.read_text(encoding="utf-8")))


#: The shipped weights, fitted by ``python -m scoring.fit_troll`` (see the file's ``made_by``).
FITTED = _load_shipped()
