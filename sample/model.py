"""The records the sample is built from, before they are written out as import rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

UTC = UTC

#: The sample covers 14 whole days: 2026-11-07 00:00 UTC up to (not including) 2026-11-21.
START = datetime(2026, 11, 7, tzinfo=UTC)
END = datetime(2026, 11, 21, tzinfo=UTC)
DAYS = 14
#: Day 10 of the window: the regional outage.
SPIKE_DAY = 10

PLATFORMS = ("x", "reddit", "bluesky", "mastodon")
BRAND_HANDLE = "brightloop"

#: The outcome the product should reach for each persona ("none": no scripted arc).
OUTCOMES: dict[str, str] = {
    "fan": "none",
    "neutral": "none",
    "repeat_critic_converts": "fan",
    "critic_agrees_to_disagree": "walk_away:agreed_to_disagree",
    "critic_no_answer": "walk_away:no_answer",
    "cannot_be_pleased": "walk_away:cannot_be_pleased",
    "troll": "walk_away:troll",
    "pileon": "walk_away:troll",
    "brand": "none",
    "spike_complainer": "none",
    "casual_critic": "none",
}


def at(day: int, hhmm: str, second: int = 0) -> datetime:
    """The instant on sample day ``day`` (1 = 2026-11-07) at ``hhmm`` UTC."""
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return START + timedelta(days=day - 1, hours=hours, minutes=minutes, seconds=second)


@dataclass(eq=False)
class Author:
    """One account on one platform; the same person on two platforms is two authors."""

    platform: str
    handle: str
    name: str | None
    followers: int | None
    following: int | None
    created: datetime
    persona: str
    author_id: str = ""
    instance: str = "mastodon.social"

    @property
    def is_brand(self) -> bool:
        """True for the brand's own account."""
        return self.persona == "brand"

    @property
    def mention(self) -> str:
        """How a reply addresses this account on its platform."""
        if self.platform == "reddit":
            return f"u/{self.handle}"
        return f"@{self.handle}"


@dataclass(eq=False)
class Post:
    """One public post or comment, with its ground truth."""

    author: Author
    text: str
    created: datetime
    sentiment: str
    tags: set[str] = field(default_factory=set)
    lang: str = "en"
    claim_id: str | None = None
    parent: Post | None = None
    subreddit: str | None = None
    deleted: bool = False
    id: str = ""
    url: str | None = None

    @property
    def source(self) -> str:
        """The platform the post lives on."""
        return self.author.platform

    @property
    def root(self) -> Post:
        """The first post of this post's thread."""
        post = self
        while post.parent is not None:
            post = post.parent
        return post

    @property
    def sub(self) -> str:
        """The subreddit of this post's thread (Reddit only)."""
        return self.root.subreddit or "Brightloop"
