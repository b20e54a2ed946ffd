"""Made-up people: handles, display names, audience sizes and account ages per platform.

The name pools come from ``data/people.yaml``; how they are combined is here.
"""

from __future__ import annotations

import math
import random
import re
from datetime import datetime, time, timedelta
from typing import cast

from sample.model import BRAND_HANDLE, UTC, Author
from sample.schema import PeopleFile, Platform

SUBREDDIT_STYLES = ("Adj_Noun", "words", "throwaway", "name_digits")


def _ascii(text: str) -> str:
    table = str.maketrans("áàâäãçéèêëíîïñóôöõúùûüÁÉÍÓÚÇ", "aaaaaceeeeiiinoooouuuuAEIOUC")
    return re.sub(r"[^A-Za-z0-9]", "", text.translate(table))


class People:
    """Hands out authors with unique handles per platform; deterministic for one seed."""

    def __init__(self, seed: str, pools: PeopleFile) -> None:
        self.rng = random.Random(seed)
        self.pools = pools
        self.authors: list[Author] = []
        self._taken: set[tuple[str, str]] = set()
        self.brand: dict[str, Author] = {}
        for account in pools.brand_accounts:
            brand = Author(
                platform=account.platform,
                handle=BRAND_HANDLE,
                name=None if account.platform == "reddit" else "Brightloop",
                followers=account.followers,
                following=account.following,
                created=account.created.replace(tzinfo=UTC),
                persona="brand",
            )
            self._add(brand)
            self.brand[account.platform] = brand

    def _add(self, author: Author) -> Author:
        key = (author.platform, author.handle.lower())
        if key in self._taken:
            raise ValueError(f"handle taken: {key}")
        self._taken.add(key)
        self.authors.append(author)
        return author

    def named(
        self,
        platform: str,
        handle: str,
        name: str | None,
        persona: str,
        *,
        followers: int | None = None,
        following: int | None = None,
        created: datetime | None = None,
    ) -> Author:
        """An author whose handle and name are written out in the scenario (times in UTC)."""
        rng = self.rng
        if followers is None and platform != "reddit":
            followers = self._audience(persona)
        if following is None and platform != "reddit":
            following = int(rng.uniform(60, 900))
        when = created.replace(tzinfo=UTC) if created else self._created(persona, platform)
        instance = "mastodon.social"
        if platform == "mastodon" and "@" in handle:
            instance = handle.split("@", 1)[1]
        return self._add(
            Author(
                platform=platform,
                handle=handle,
                name=None if platform == "reddit" else name,
                followers=None if platform == "reddit" else followers,
                following=None if platform == "reddit" else following,
                created=when,
                persona=persona,
                instance=instance,
            )
        )

    def new(self, platform: str, persona: str, *, locale: str = "en") -> Author:
        """A fresh, made-up author for a persona."""
        rng = self.rng
        first, last, display = self._name(locale)
        for _ in range(200):
            handle = self._handle(platform, first, last, persona)
            if (platform, handle.lower()) not in self._taken:
                break
        else:  # pragma: no cover - the pools are far larger than the sample
            raise RuntimeError("ran out of handles")
        instance = "mastodon.social"
        if platform == "mastodon" and "@" in handle:
            instance = handle.split("@", 1)[1]
        reddit = platform == "reddit"
        following = int(rng.uniform(300, 2500)) if persona in ("pileon", "troll") else None
        return self._add(
            Author(
                platform=platform,
                handle=handle,
                name=None if reddit else display,
                followers=None if reddit else self._audience(persona),
                following=None if reddit else following or int(math.exp(rng.gauss(5.3, 0.8))),
                created=self._created(persona, platform),
                persona=persona,
                instance=instance,
            )
        )

    def _name(self, locale: str) -> tuple[str, str, str]:
        rng, pools = self.rng, self.pools
        if locale in pools.locale_names:
            firsts, lasts = pools.locale_names[locale].first, pools.locale_names[locale].last
            index = rng.randrange(len(firsts))
            first, last = firsts[index], rng.choice(lasts)
            display = f"{first} {last}"
            scripts = {"ar": pools.arabic_display_names, "ja": pools.japanese_display_names}
            if locale in scripts and rng.random() < 0.6:
                display = scripts[locale][index % len(scripts[locale])]
            return _ascii(first), _ascii(last), display
        first, last = rng.choice(pools.first_names), rng.choice(pools.last_names)
        style = rng.random()
        if style < 0.55:
            display = f"{first} {last}"
        elif style < 0.7:
            display = first
        elif style < 0.8:
            display = f"{first} {last[0]}."
        elif style < 0.88:
            display = f"{first} {rng.choice(pools.display_emoji)}"
        elif style < 0.94:
            display = f"{first} ({rng.choice(pools.pronouns)})"
        else:
            display = f"{first.lower()} {rng.choice(pools.words)}"
        return first, last, display

    def _handle(self, platform: str, first: str, last: str, persona: str) -> str:
        rng, pools = self.rng, self.pools
        f, la, word = first.lower(), last.lower(), rng.choice(pools.words)
        if persona == "pileon":
            base = rng.choice((f"{f}{la}", f"{f}_{la[:4]}", f"{word}{f}", f"real{f}"))
            return f"{base[:9]}{rng.randrange(1000, 99999)}"[:15]
        if platform == "reddit":
            style = rng.choice(SUBREDDIT_STYLES)
            if style == "Adj_Noun":
                adjective, noun = (
                    rng.choice(pools.reddit_adjectives),
                    rng.choice(pools.reddit_nouns),
                )
                return f"{adjective}_{noun}_{rng.randrange(10, 9999)}"
            if style == "throwaway":
                return f"throwaway_{word}{rng.randrange(10, 999)}"
            if style == "words":
                return f"{word}{rng.choice(pools.reddit_nouns).lower()}"
            return f"{f}_{la}{rng.randrange(1, 99)}"
        options = [f"{f}{la}", f"{f}_{la}", f"{f}{rng.randrange(1, 9999)}", f"{f}_{word}"]
        options += [f"{word}{f}", f"{f[0]}{la}", f"the{f}{la[:3]}", f"{f}.{la}"]
        base = rng.choice(options)
        if platform == "x":
            return base.replace(".", "_")[:15]
        if platform == "bluesky":
            base = base.replace("_", "-")
            if rng.random() < 0.12:
                return f"{f}{la}.{rng.choice(pools.bluesky_domains)}"
            return f"{base}.bsky.social"
        user = base.replace(".", "_")
        instance = rng.choice(pools.mastodon_instances)
        return user if instance == "mastodon.social" else f"{user}@{instance}"

    def _audience(self, persona: str) -> int:
        rng = self.rng
        if persona == "pileon":
            return rng.randrange(0, 45)
        if persona == "troll":
            return rng.randrange(0, 300)
        return max(0, int(math.exp(rng.gauss(5.6, 1.3))))

    def _created(self, persona: str, platform: str) -> datetime:
        rng = self.rng
        if persona == "pileon":
            days_before = rng.randrange(2, 60)
            return datetime(2026, 11, 18, tzinfo=UTC) - timedelta(
                days=days_before, seconds=rng.randrange(86_400)
            )
        earliest = self.pools.earliest_account[cast(Platform, platform)]
        start = datetime.combine(earliest, time(), UTC)
        span = (datetime(2026, 10, 1, tzinfo=UTC) - start).total_seconds()
        return start + timedelta(seconds=int(span * rng.random() ** 0.8))
