"""Troll likelihood: text toxicity fused with the author's behaviour. Pure math, no I/O, no clock.

An insult alone is not trolling (a furious customer swears too), and a troll can be polite.
So the probability rests on several signals, each turned into a bounded, non-negative push on
the log-odds, plus a negative prior. The sum goes through a logistic function, so:

* each hostile signal can only raise the probability (monotonic),
* no single signal saturates it (every term is capped),
* the result stays inside ``[FLOOR, CEILING]``: never certain either way.

The weights were set by hand against the labelled sample personas and are documented, with
their reasoning, in ``docs/scoring.md``. Each term also yields a short human reason; the board
shows the strongest ones first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PRIOR = -3.2
FLOOR = 0.01
CEILING = 0.98
#: A term must push the log-odds at least this much to be given as a reason.
REASON_MIN = 0.35
MAX_REASONS = 3


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


@dataclass(frozen=True)
class TrollVerdict:
    """The probability that the mention is bad-faith, and why (strongest reason first)."""

    probability: float
    reasons: list[str]
    contributions: dict[str, float]


def _cap(value: float, limit: float) -> float:
    return max(0.0, min(value, limit))


def _terms(f: TrollFeatures) -> dict[str, tuple[float, str]]:
    """Each signal's push on the log-odds and its human reason."""
    terms: dict[str, tuple[float, str]] = {}
    tox = _cap(f.toxicity, 1.0)
    terms["toxicity"] = (3.0 * _cap((tox - 0.15) / 0.85, 1.0), f"insulting text ({tox:.0%})")
    hostile = max(0, f.hostile_posts)
    if hostile >= 2:
        terms["repeat_hostile"] = (
            _cap(0.9 * math.log2(hostile), 2.5),
            f"{hostile} hostile posts in {f.window_hours:g} h",
        )
    posts = max(1, f.author_posts)
    share = min(hostile, posts) / posts
    if posts >= 3:
        terms["insult_share"] = (
            1.6 * _cap((share - 0.2) / 0.8, 1.0),
            f"{share:.0%} of {posts} recent posts are insults",
        )
    if f.pileon_posts >= 3 and f.pileon_accounts >= 3:
        terms["pileon"] = (
            _cap(0.8 * math.log2(f.pileon_posts / 2) + 0.3 * math.log2(f.pileon_accounts / 2), 2.5),
            f"{f.pileon_posts} near-identical posts from {f.pileon_accounts} accounts "
            f"within {_minutes(f.pileon_minutes)} (pile-on)",
        )
    if f.posts_last_hour >= 5:
        terms["burst"] = (
            _cap(0.7 * math.log2(f.posts_last_hour / 4), 1.5),
            f"{f.posts_last_hour} posts in the last hour (burst)",
        )
    if f.bait_posts >= 1:
        terms["reply_bait"] = (
            _cap(0.5 * math.log2(1 + f.bait_posts), 1.2),
            f"{f.bait_posts} reply-baiting post{'s' if f.bait_posts > 1 else ''}",
        )
    if f.account_age_days is not None and f.account_age_days < 60:
        age = max(0.0, f.account_age_days)
        terms["new_account"] = (1.2 * (1.0 - age / 60.0), f"account is {age:.0f} days old")
    if f.followers is not None and f.following is not None and f.following >= 20:
        ratio = f.followers / max(1, f.following)
        if ratio < 0.1:
            terms["follower_ratio"] = (
                0.8 * (1.0 - ratio / 0.1),
                f"follows {f.following}, followed by {f.followers}",
            )
    return terms


def _minutes(minutes: float) -> str:
    return f"{minutes / 60:g} h" if minutes >= 60 else f"{minutes:g} min"


def troll_likelihood(features: TrollFeatures) -> TrollVerdict:
    """Fuse text and behaviour into a probability in [FLOOR, CEILING] with its top reasons."""
    terms = _terms(features)
    logit = PRIOR + sum(push for push, _ in terms.values())
    p = 1.0 / (1.0 + math.exp(-logit))
    p = min(CEILING, max(FLOOR, p))
    ranked = sorted(terms.items(), key=lambda kv: (-kv[1][0], kv[0]))
    reasons = [reason for _, (push, reason) in ranked if push >= REASON_MIN][:MAX_REASONS]
    return TrollVerdict(
        probability=p,
        reasons=reasons,
        contributions={name: push for name, (push, _) in terms.items()},
    )
