"""Platform-shaped identifiers and links, derived from the time a post or account was made.

- X: snowflakes, ``((ms - 1288834974657) << 22) | worker | sequence``, as decimal strings.
- Reddit: base-36 fullnames, ``t3_`` for submissions, ``t1_`` for comments, ``t2_`` for accounts.
- Bluesky: ``at://did:plc:<24 base32>/app.bsky.feed.post/<13-char TID>`` URIs.
- Mastodon: snowflake-like ``(ms << 16) | sequence`` decimal strings.
"""

from __future__ import annotations

import random
import re
from datetime import datetime

from sample.model import Author, Post

TWITTER_EPOCH_MS = 1288834974657
_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
_B32_DID = "abcdefghijklmnopqrstuvwxyz234567"
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
#: Rough Reddit counters at the start of the sample window and their growth per second.
_REDDIT_T3_BASE, _REDDIT_T3_RATE = int("1qa0000", 36), 12
_REDDIT_T1_BASE, _REDDIT_T1_RATE = int("o4k0000", 36), 95
_REDDIT_EPOCH = datetime.fromisoformat("2026-11-07T00:00:00+00:00")


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _base36(value: int) -> str:
    digits = ""
    while value:
        value, rem = divmod(value, 36)
        digits = _B36[rem] + digits
    return digits or "0"


def x_snowflake(when: datetime, rng: random.Random) -> str:
    """An X post or account id minted at ``when``."""
    return str(((_ms(when) - TWITTER_EPOCH_MS) << 22) | rng.getrandbits(22))


def mastodon_id(when: datetime, rng: random.Random) -> str:
    """A Mastodon status or account id minted at ``when``."""
    return str((_ms(when) << 16) | rng.getrandbits(16))


def bluesky_tid(when: datetime, rng: random.Random) -> str:
    """A 13-character, time-sortable record key."""
    value = (int(when.timestamp() * 1_000_000) << 10) | rng.getrandbits(10)
    return "".join(_B32_SORT[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def bluesky_did(rng: random.Random) -> str:
    """A did:plc identifier."""
    return "did:plc:" + "".join(rng.choice(_B32_DID) for _ in range(24))


def reddit_fullname(kind: str, when: datetime, rng: random.Random) -> str:
    """A ``t3_`` (submission) or ``t1_`` (comment) fullname minted at ``when``."""
    seconds = max(0, int((when - _REDDIT_EPOCH).total_seconds()))
    if kind == "t3":
        value = _REDDIT_T3_BASE + seconds * _REDDIT_T3_RATE + rng.randrange(_REDDIT_T3_RATE)
    else:
        value = _REDDIT_T1_BASE + seconds * _REDDIT_T1_RATE + rng.randrange(_REDDIT_T1_RATE)
    return f"{kind}_{_base36(value)}"


def author_id(author: Author, rng: random.Random) -> str:
    """The platform's own id for an account, shaped by when it was created."""
    created = author.created
    if author.platform == "x":
        if created.year < 2011:
            span = (created - datetime.fromisoformat("2006-03-21T00:00:00+00:00")).days
            return str(12 + span * 140_000 + rng.randrange(140_000))
        return x_snowflake(created, rng)
    if author.platform == "mastodon":
        if created.year < 2018:
            return str(rng.randrange(1, 400_000))
        return mastodon_id(created, rng)
    if author.platform == "bluesky":
        return bluesky_did(rng)
    length = 5 if created.year < 2012 else 7 if created.year < 2020 else 9
    first = rng.choice(_B36[1:])
    return "t2_" + first + "".join(rng.choice(_B36) for _ in range(length - 1))


def post_id(post: Post, rng: random.Random) -> str:
    """The platform's id for a post."""
    if post.source == "x":
        return x_snowflake(post.created, rng)
    if post.source == "mastodon":
        return mastodon_id(post.created, rng)
    if post.source == "bluesky":
        return f"at://{post.author.author_id}/app.bsky.feed.post/{bluesky_tid(post.created, rng)}"
    return reddit_fullname("t3" if post.parent is None else "t1", post.created, rng)


def _slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.split("\n", 1)[0].lower())
    return "_".join(words[:8]) or "post"


def post_url(post: Post) -> str:
    """The public web address of a post."""
    handle = post.author.handle
    if post.source == "x":
        return f"https://x.com/{handle}/status/{post.id}"
    if post.source == "bluesky":
        profile = post.author.author_id if post.author.is_brand else handle
        return f"https://bsky.app/profile/{profile}/post/{post.id.rsplit('/', 1)[1]}"
    if post.source == "mastodon":
        user = handle.split("@", 1)[0]
        return f"https://{post.author.instance}/@{user}/{post.id}"
    root = post.root
    base = f"https://www.reddit.com/r/{post.sub}/comments/{root.id[3:]}/{_slug(root.text)}/"
    return base if post.parent is None else f"{base}{post.id[3:]}/"
