"""What each case received and how it ended: the rows every "what works" figure counts.

Pure: :func:`attribute` takes a case, its audit trail and the posts around it (as read by
``store.attribution``) and returns one :class:`Attribution`. Nothing here reads the database
or the clock; ``now`` is an argument.

Definitions (docs/learning.md explains them and their limits):

- **template**: the playbook template a staff reply started from, ``<stage>/<key>`` of the
  newest ``suggestion`` event before the reply; the case's template-experiment variant for that
  stage (its ``experiment`` event), if any, is appended: ``<stage>/<key>#<variant>``;
- **edit share**: how much staff changed the suggested text before it went out,
  ``1 − difflib`` similarity of the suggested and the sent text (0: sent as suggested,
  1: nothing of it kept);
- **agent**: the board account that replied; a reply posted from the brand's own account
  (actor not a board account) is credited to the signature it carries (``^AK``, ``— Priya``);
- **staff minutes**: a fixed estimate per staff action (:attr:`LearningPolicy.minutes`), as the
  board records actions, not time spent reading a case;
- **durability**: the label of the critic's newest post within 30 (90) days after becoming a fan.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from playbooks.schema import LearningRules
from store.attribution import GoodwillRow, ScoredPost

#: Case outcomes as attribution names them.
FAN, WALK_AWAY, NO_ANSWER, OPEN = "fan", "walk_away", "no_answer", "open"
#: Durability labels.
STILL_POSITIVE, NEUTRAL, CRITIC_AGAIN = "still positive", "neutral", "critic again"
NO_POSTS, TOO_SOON = "no posts since", "not enough time yet"
DURABILITY_LABELS = (STILL_POSITIVE, NEUTRAL, CRITIC_AGAIN, NO_POSTS, TOO_SOON)
PUBLIC, PRIVATE, NO_REPLY = "public", "private", "no reply"

#: Minutes a staff action is counted as (``CaseEvent.kind`` by a ``user:`` actor). A stage event
#: counts only when staff closed the case as walked away; other stage events follow a reply.
DEFAULT_MINUTES: Mapping[str, float] = {
    "reply": 5.0,
    "reply_approved": 1.0,
    "reply_rejected": 1.0,
    "goodwill": 3.0,
    "goodwill_approved": 1.0,
    "goodwill_declined": 1.0,
    "note": 2.0,
    "one_thing": 2.0,
    "assign": 0.5,
    "walk_away": 1.0,
    "walk_away_rejected": 1.0,
}
#: Reply-time buckets: (upper bound in minutes, label); slower replies are the last label.
DEFAULT_REPLY_BUCKETS: tuple[tuple[float, str], ...] = (
    (15.0, "under 15 min"),
    (60.0, "15–60 min"),
    (240.0, "1–4 h"),
    (1440.0, "4–24 h"),
)
SLOWEST_BUCKET = "over 24 h"

_SIGNATURE = re.compile(r"(?:\^([A-Z]{2,4})|\s[—–]\s?([A-Z][\w'-]{1,30})(?:,[^\n]*)?)\s*$")
_THANKS = re.compile(r"\b(thanks?|thank you|thx|ty|cheers|appreciated?|grateful)\b", re.I)


@dataclass(frozen=True)
class LearningPolicy:
    """The knobs of every learning figure (defaults documented in docs/learning.md)."""

    #: Follower counts where the tiers change: ``<1k``, ``1k–10k``, ``10k–100k``, ``100k+``.
    tier_bounds: tuple[int, ...] = (1_000, 10_000, 100_000)
    #: Below this many decided cases a value is shown but not ranked.
    min_n: int = 10
    minutes: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_MINUTES))
    reply_buckets: tuple[tuple[float, str], ...] = DEFAULT_REPLY_BUCKETS
    #: Days after becoming a fan at which durability is read.
    durability_days: tuple[int, int] = (30, 90)
    #: The loudest fifth is flagged when its goodwill per case is this many times the rest's.
    loud_flag_ratio: float = 1.5

    @classmethod
    def from_rules(cls, rules: LearningRules) -> LearningPolicy:
        """The policy a playbook's ``learning`` section sets (unset minutes keep defaults)."""
        low, high = rules.durability_days
        return cls(
            tier_bounds=tuple(rules.tier_bounds),
            min_n=rules.min_cases,
            minutes={**DEFAULT_MINUTES, **rules.staff_minutes},
            durability_days=(low, high),
            loud_flag_ratio=rules.loud_flag_ratio,
        )

    def tiers(self) -> tuple[str, ...]:
        """The tier names, smallest first."""
        bounds = self.tier_bounds
        names = [f"<{_short(bounds[0])}"]
        names += [f"{_short(a)}–{_short(b)}" for a, b in zip(bounds, bounds[1:], strict=False)]
        return (*names, f"{_short(bounds[-1])}+")

    def tier(self, followers: int | None) -> str:
        """The tier of a follower count (None counts as 0)."""
        n = followers or 0
        names = self.tiers()
        for bound, name in zip(self.tier_bounds, names, strict=False):
            if n < bound:
                return name
        return names[-1]

    def reply_bucket(self, minutes: float | None) -> str:
        """The reply-time bucket of a first reply (``no reply`` when there was none)."""
        if minutes is None:
            return NO_REPLY
        for bound, label in self.reply_buckets:
            if minutes < bound:
                return label
        return SLOWEST_BUCKET

    def bucket_order(self) -> tuple[str, ...]:
        """Reply-time buckets, fastest first."""
        return (*(label for _, label in self.reply_buckets), SLOWEST_BUCKET, NO_REPLY)


def _short(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


@dataclass(frozen=True)
class ReplyUse:
    """One staff reply on a case."""

    at: datetime
    agent: str
    template: str | None
    edit_share: float | None
    private: bool


@dataclass(frozen=True)
class Attribution:
    """One case: what it received, from whom, and how it ended."""

    case_id: int
    author_id: int
    handle: str
    topic: str
    tier: str
    followers: int
    first_sentiment: float | None
    opened_at: datetime
    closed_at: datetime | None
    outcome: str
    walkaway_reason: str | None
    replies: tuple[ReplyUse, ...]
    goodwill_kinds: tuple[str, ...]
    goodwill_amount: float
    first_reply_minutes: float | None
    reply_bucket: str
    channel: str
    agent: str | None
    staff_minutes: float
    #: Agents thanked: one entry per critic post that thanked them after their reply.
    thanked: tuple[str, ...]
    #: Staff who closed the case as walked away (confirming the engine or on their own).
    walkaway_by: str | None
    #: Durability at the policy's two windows (None for cases that did not end as fans).
    durability: tuple[str, str] | None
    posts: int = 0

    @property
    def decided(self) -> bool:
        """True when the case has an outcome (it counts in conversion figures)."""
        return self.outcome != OPEN

    @property
    def converted(self) -> bool:
        """True when the critic became a fan."""
        return self.outcome == FAN

    @property
    def templates(self) -> tuple[str, ...]:
        """The distinct templates its replies started from, first use first."""
        return tuple(dict.fromkeys(r.template for r in self.replies if r.template))

    @property
    def edit_share(self) -> float | None:
        """Mean edit share over its templated replies (None without one)."""
        shares = [r.edit_share for r in self.replies if r.edit_share is not None]
        return sum(shares) / len(shares) if shares else None

    @property
    def agents(self) -> tuple[str, ...]:
        """Everyone who replied on the case, first reply first."""
        return tuple(dict.fromkeys(r.agent for r in self.replies))


def signature_of(text: str) -> str | None:
    """The agent's sign-off at the end of a reply (``^AK`` → ``AK``, ``— Priya`` → ``Priya``)."""
    m = _SIGNATURE.search(text.strip())
    if m is None:
        return None
    return m.group(1) or m.group(2)


def is_thanks(text: str) -> bool:
    """Whether a critic's post thanks someone."""
    return bool(_THANKS.search(text))


def edit_share(suggested: str, sent: str) -> float:
    """How much of the suggested text was changed before sending, 0 (none) to 1 (all)."""
    a, b = " ".join(suggested.split()), " ".join(sent.split())
    if not a and not b:
        return 0.0
    return round(1.0 - difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 4)


def _user(actor: str) -> str | None:
    return actor.removeprefix("user:") if actor.startswith("user:") else None


def agent_of(actor: str, text: str, staff: set[str]) -> str:
    """Who gets credit for a reply: the board account, else the reply's signature, else the
    account it was posted from."""
    name = _user(actor) or actor
    if name in staff:
        return name
    return signature_of(text) or name


#: Renders the suggested text of a ``suggestion`` event's data ("" when unknown).
Renderer = Callable[[Mapping[str, Any]], str]


def _template_of(
    data: Mapping[str, Any], keys: Callable[[str, str], str | None], variants: Mapping[str, str]
) -> str | None:
    stage, topic = str(data.get("stage") or ""), str(data.get("topic") or "")
    if not stage or data.get("paused"):
        return None
    key = keys(stage, topic)
    if key is None:
        return None
    variant = data.get("variant") or variants.get(stage)
    return f"{stage}/{key}" + (f"#{variant}" if variant else "")


def _durability(closed_at: datetime, later: Sequence[ScoredPost], now: datetime, days: int) -> str:
    end = closed_at + timedelta(days=days)
    if now < end:
        return TOO_SOON
    inside = [p for p in later if closed_at < p.created_at <= end and p.sentiment_label]
    if not inside:
        return NO_POSTS
    label = inside[-1].sentiment_label
    return {"positive": STILL_POSITIVE, "negative": CRITIC_AGAIN}.get(label or "", NEUTRAL)


def _minutes(events: Iterable[Any], policy: LearningPolicy) -> float:
    total = 0.0
    for e in events:
        if _user(e.actor) is None:
            continue
        kind = e.kind
        if kind == "stage":
            kind = "walk_away" if e.stage_to == WALK_AWAY else ""
        total += policy.minutes.get(kind, 0.0)
    return total


def attribute(
    case: Any,
    events: Sequence[Any],
    *,
    handle: str,
    followers: int | None,
    posts: Mapping[int, ScoredPost],
    later_posts: Sequence[ScoredPost],
    goodwill: Sequence[GoodwillRow],
    private_outbox: set[int],
    staff: set[str],
    template_key: Callable[[str, str], str | None],
    render: Renderer,
    now: datetime,
    policy: LearningPolicy,
    loudness_posts: int = 0,
) -> Attribution:
    """One case's attribution from its row, its audit trail (oldest first) and the posts the
    trail points at (``posts``: by mention id, with their newest scores)."""
    opened = next((e for e in events if e.kind == "opened"), None)
    first_post = posts.get(opened.mention_id) if opened and opened.mention_id else None
    suggestion: Mapping[str, Any] | None = None
    replies: list[ReplyUse] = []
    thanked: list[str] = []
    walkaway_by: str | None = None
    variants: dict[str, str] = {}
    for e in events:
        data = e.data or {}
        if e.kind == "experiment" and data.get("stage") and data.get("variant"):
            variants[str(data["stage"])] = str(data["variant"])
        elif e.kind == "suggestion":
            suggestion = data
        elif e.kind == "reply":
            text = e.body or ""
            template = _template_of(suggestion, template_key, variants) if suggestion else None
            share = None
            if template is not None and suggestion is not None:
                suggested = str(suggestion.get("text") or render(suggestion))
                share = edit_share(suggested, text) if suggested else None
            private = data.get("outbox_id") in private_outbox
            replies.append(ReplyUse(e.at, agent_of(e.actor, text, staff), template, share, private))
        elif e.kind in ("critic_reply", "mention") and replies:
            post = posts.get(e.mention_id) if e.mention_id else None
            if post is not None and is_thanks(post.text):
                thanked.append(replies[-1].agent)
        elif e.kind == "stage" and e.stage_to == WALK_AWAY and _user(e.actor):
            walkaway_by = _user(e.actor)
    outcome = _outcome(case)
    first_minutes = (replies[0].at - case.opened_at).total_seconds() / 60.0 if replies else None
    durability = None
    if outcome == FAN and case.closed_at is not None:
        d30, d90 = policy.durability_days
        durability = (
            _durability(case.closed_at, later_posts, now, d30),
            _durability(case.closed_at, later_posts, now, d90),
        )
    return Attribution(
        case_id=case.id,
        author_id=case.author_id,
        handle=handle,
        topic=case.topic,
        tier=policy.tier(followers),
        followers=followers or 0,
        first_sentiment=first_post.sentiment if first_post else None,
        opened_at=case.opened_at,
        closed_at=case.closed_at,
        outcome=outcome,
        walkaway_reason=case.walkaway_reason if outcome in (WALK_AWAY, NO_ANSWER) else None,
        replies=tuple(replies),
        goodwill_kinds=tuple(dict.fromkeys(g.kind for g in goodwill)),
        goodwill_amount=round(sum(g.amount for g in goodwill), 2),
        first_reply_minutes=None if first_minutes is None else round(first_minutes, 1),
        reply_bucket=policy.reply_bucket(first_minutes),
        channel=NO_REPLY if not replies else (PRIVATE if replies[0].private else PUBLIC),
        agent=replies[0].agent if replies else None,
        staff_minutes=_minutes(events, policy),
        thanked=tuple(thanked),
        walkaway_by=walkaway_by,
        durability=durability,
        posts=loudness_posts,
    )


def _outcome(case: Any) -> str:
    if case.is_open:
        return OPEN
    if case.stage == FAN:
        return FAN
    if case.walkaway_reason == NO_ANSWER:
        return NO_ANSWER
    return WALK_AWAY
