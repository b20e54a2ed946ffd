"""Made-up people: handles, display names, audience sizes and account ages per platform."""

from __future__ import annotations

import math
import random
import re
from datetime import datetime, timedelta

from critic2fan.sample.model import BRAND_HANDLE, UTC, Author

FIRST = (  # noqa: SIM905
    "Aaliyah Aaron Abby Adrian Aisha Alex Amara Andre Anika Ben Bianca Brandon Caleb Camila "
    "Carmen Chloe Chris Dana Darius Deb Derek Devon Elena Eli Emeka Erin Ethan Farah Felix "
    "Gabe Grace Hana Hector Imani Isaac Ivy Jada Jamal Jess Joel Jordan Josie Kai Kara Keith "
    "Kiran Kofi Lars Leah Leo Liam Lila Luis Maddie Malik Mara Maya Megan Mei Miguel Mo Nadia "
    "Nate Nia Nico Olga Omar Owen Paige Pat Quinn Rafael Rachel Reza Rhea Rosa Ryan Sam Sana "
    "Seth Shauna Sofia Tariq Tessa Theo Tom Tori Uma Val Vikram Wes Yara Yusuf Zach Zoe"
).split()
LAST = (  # noqa: SIM905
    "Abbott Adeyemi Alvarez Bauer Bell Brennan Castillo Chen Cho Dawson Diaz Dubois Ellis "
    "Erikson Foster Fujita Garcia Gill Greene Hale Hughes Ibrahim Iyer Jensen Kaur Kim "
    "Kowalski Larsen Lee Lopez Mahoney Mbeki Moreno Murphy Nakamura Nguyen Novak Obi Ortiz "
    "Park Patel Price Quint Reyes Rossi Sato Schultz Shah Silva Sorensen Stone Sullivan "
    "Torres Tran Ueda Vance Vargas Walsh Webb Wong Yilmaz Young Zhou"
).split()
WORDS = (  # noqa: SIM905
    "maple river pixel cobalt ember fern harbor juniper lantern moss nova orbit pepper quartz "
    "rust sable thistle tundra velvet willow static router packet byte latency dial modem "
    "backhaul cable fiber signal coffee bagel taco waffle cactus otter heron badger fox moth"
).split()
LOCALE_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "es": (
        ("Lucía", "Carlos", "Mariana", "Javier", "Valentina", "Diego", "Ximena", "Andrés"),
        ("Fernández", "Méndez", "Ríos", "Gutiérrez", "Salazar", "Ortega", "Navarro", "Peña"),
    ),
    "de": (
        ("Jonas", "Lena", "Felix", "Katrin", "Maximilian", "Anja", "Lukas"),
        ("Müller", "Schäfer", "Becker", "Wagner", "Hoffmann", "Krüger", "Vogel"),
    ),
    "fr": (
        ("Camille", "Julien", "Élodie", "Mathieu", "Chloé", "Antoine", "Léa"),
        ("Lefèvre", "Moreau", "Girard", "Bérubé", "Gagnon", "Rousseau", "Tremblay"),
    ),
    "pt": (
        ("João", "Ana", "Thiago", "Beatriz", "Rafael", "Camila", "Lucas"),
        ("Silva", "Souza", "Oliveira", "Costa", "Pereira", "Almeida", "Ribeiro"),
    ),
    "ja": (
        ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Mio", "Daiki"),
        ("Sato", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Kobayashi"),
    ),
    "ar": (
        ("Layla", "Omar", "Yasmin", "Karim", "Huda", "Samir", "Rania"),
        ("Haddad", "Khalil", "Nasser", "Saleh", "Mansour", "Aziz", "Hamdan"),
    ),
}
ARABIC_DISPLAY = ("ليلى", "عمر", "ياسمين", "كريم", "هدى", "سمير", "رانيا")
JAPANESE_DISPLAY = ("はると", "ゆい", "そうた", "あおい", "れん", "みお", "だいき")
MASTODON_INSTANCES = (
    "mastodon.social",
    "fosstodon.org",
    "hachyderm.io",
    "mstdn.social",
    "chaos.social",
    "mastodon.online",
    "infosec.exchange",
    "toot.community",
)
#: The earliest plausible account creation per platform.
EARLIEST = {
    "x": "2008-06-01",
    "reddit": "2008-01-01",
    "bluesky": "2023-05-01",
    "mastodon": "2017-04-01",
}
SUBREDDIT_STYLES = ("Adj_Noun", "words", "throwaway", "name_digits")
ADJECTIVES = (  # noqa: SIM905
    "Quiet Salty Sleepy Brave Grumpy Lucky Fuzzy Cosmic Feral Polite Tired Rural"
).split()
NOUNS = (  # noqa: SIM905
    "Otter Lighthouse Potato Falcon Router Walrus Pancake Cactus Heron Goblin Spoon"
).split()


def _ascii(text: str) -> str:
    table = str.maketrans("áàâäãçéèêëíîïñóôöõúùûüÁÉÍÓÚÇ", "aaaaaceeeeiiinoooouuuuAEIOUC")
    return re.sub(r"[^A-Za-z0-9]", "", text.translate(table))


class People:
    """Hands out authors with unique handles per platform; deterministic for one seed."""

    def __init__(self, seed: str) -> None:
        self.rng = random.Random(seed)
        self.authors: list[Author] = []
        self._taken: set[tuple[str, str]] = set()
        self.brand: dict[str, Author] = {}
        for platform, followers, following, created, instance in (
            ("x", 182_400, 1_204, "2014-03-11T16:20:00", "mastodon.social"),
            ("reddit", None, None, "2019-06-02T09:12:00", "mastodon.social"),
            ("bluesky", 23_950, 310, "2023-08-29T14:03:00", "mastodon.social"),
            ("mastodon", 8_770, 96, "2022-11-08T18:45:00", "mastodon.social"),
        ):
            brand = Author(
                platform=platform,
                handle=BRAND_HANDLE,
                name=None if platform == "reddit" else "Brightloop",
                followers=followers,
                following=following,
                created=datetime.fromisoformat(created).replace(tzinfo=UTC),
                persona="brand",
                instance=instance,
            )
            self._add(brand)
            self.brand[platform] = brand

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
        created: str | None = None,
    ) -> Author:
        """An author whose handle and name are written out in the scenario."""
        rng = self.rng
        if followers is None and platform != "reddit":
            followers = self._audience(persona)
        if following is None and platform != "reddit":
            following = int(rng.uniform(60, 900))
        when = (
            datetime.fromisoformat(created).replace(tzinfo=UTC)
            if created
            else self._created(persona, platform)
        )
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
        rng = self.rng
        if locale in LOCALE_NAMES:
            firsts, lasts = LOCALE_NAMES[locale]
            index = rng.randrange(len(firsts))
            first, last = firsts[index], rng.choice(lasts)
            display = f"{first} {last}"
            if locale == "ar" and rng.random() < 0.6:
                display = ARABIC_DISPLAY[index % len(ARABIC_DISPLAY)]
            if locale == "ja" and rng.random() < 0.6:
                display = JAPANESE_DISPLAY[index % len(JAPANESE_DISPLAY)]
            return _ascii(first), _ascii(last), display
        first, last = rng.choice(FIRST), rng.choice(LAST)
        style = rng.random()
        if style < 0.55:
            display = f"{first} {last}"
        elif style < 0.7:
            display = first
        elif style < 0.8:
            display = f"{first} {last[0]}."
        elif style < 0.88:
            display = f"{first} {rng.choice('🌻🌿☕🎧🚲📚🐈🌊')}"
        elif style < 0.94:
            display = f"{first} ({rng.choice(('she/her', 'he/him', 'they/them'))})"
        else:
            display = f"{first.lower()} {rng.choice(WORDS)}"
        return first, last, display

    def _handle(self, platform: str, first: str, last: str, persona: str) -> str:
        rng = self.rng
        f, la, word = first.lower(), last.lower(), rng.choice(WORDS)
        if persona == "pileon":
            base = rng.choice((f"{f}{la}", f"{f}_{la[:4]}", f"{word}{f}", f"real{f}"))
            return f"{base[:9]}{rng.randrange(1000, 99999)}"[:15]
        if platform == "reddit":
            style = rng.choice(SUBREDDIT_STYLES)
            if style == "Adj_Noun":
                return f"{rng.choice(ADJECTIVES)}_{rng.choice(NOUNS)}_{rng.randrange(10, 9999)}"
            if style == "throwaway":
                return f"throwaway_{word}{rng.randrange(10, 999)}"
            if style == "words":
                return f"{word}{rng.choice(NOUNS).lower()}"
            return f"{f}_{la}{rng.randrange(1, 99)}"
        options = [f"{f}{la}", f"{f}_{la}", f"{f}{rng.randrange(1, 9999)}", f"{f}_{word}"]
        options += [f"{word}{f}", f"{f[0]}{la}", f"the{f}{la[:3]}", f"{f}.{la}"]
        base = rng.choice(options)
        if platform == "x":
            return base.replace(".", "_")[:15]
        if platform == "bluesky":
            base = base.replace("_", "-")
            if rng.random() < 0.12:
                return f"{f}{la}.{rng.choice(('com', 'net', 'dev', 'me', 'xyz'))}"
            return f"{base}.bsky.social"
        user = base.replace(".", "_")
        instance = rng.choice(MASTODON_INSTANCES)
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
        start = datetime.fromisoformat(EARLIEST[platform]).replace(tzinfo=UTC)
        span = (datetime(2026, 10, 1, tzinfo=UTC) - start).total_seconds()
        return start + timedelta(seconds=int(span * rng.random() ** 0.8))
