"""Scenario builders: each adds the posts of one part of the sample to a shared list."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from critic2fan.sample import arcs, texts, texts_hostile, texts_long, texts_spike
from critic2fan.sample.model import DAYS, END, SPIKE_DAY, Author, Post, at
from critic2fan.sample.people import People

#: Relative posting activity per UTC hour (North American audience).
HOUR_WEIGHTS = (6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 8, 8, 8, 7, 7)
GENERAL_PLATFORMS = (("x", 50), ("bluesky", 20), ("mastodon", 12), ("reddit", 18))
SUBREDDITS = ("Brightloop", "HomeNetworking", "ISP", "Portland", "Seattle", "NoContract")
PERSONA_BY_SENTIMENT = {"positive": "fan", "neutral": "neutral", "negative": "casual_critic"}


class Builder:
    """Collects posts; every scenario draws from its own seeded random stream."""

    def __init__(self, people: People, seed: str) -> None:
        self.people = people
        self.seed = seed
        self.posts: list[Post] = []
        self._pool: dict[tuple[str, str, str], list[Author]] = {}

    def rng(self, name: str) -> random.Random:
        """A random stream for one scenario, independent of the others."""
        return random.Random(f"{self.seed}:{name}")

    def add(
        self,
        author: Author,
        text: str,
        when: datetime,
        sentiment: str,
        tags: Iterable[str] = (),
        *,
        lang: str = "en",
        claim: str | None = None,
        parent: Post | None = None,
        subreddit: str | None = None,
        deleted: bool = False,
    ) -> Post:
        """Record one post; replies get the mention their platform's clients add."""
        if parent is not None:
            if when <= parent.created:
                raise ValueError(f"reply before its parent: {text[:40]!r}")
            text = _address(parent, author, text)
        post = Post(
            author=author,
            text=text,
            created=when,
            sentiment=sentiment,
            tags=set(tags) | ({"counterfactual"} if claim else set()),
            lang=lang,
            claim_id=claim,
            parent=parent,
            subreddit=subreddit if parent is None else None,
            deleted=deleted,
        )
        self.posts.append(post)
        return post

    def author(
        self, rng: random.Random, platform: str, persona: str, *, locale: str = "en"
    ) -> Author:
        """A made-up author; sometimes one who has posted before with the same persona."""
        pool = self._pool.setdefault((platform, persona, locale), [])
        if pool and rng.random() < 0.3:
            return rng.choice(pool)
        author = self.people.new(platform, persona, locale=locale)
        pool.append(author)
        return author

    def brand(self, platform: str) -> Author:
        """The brand's account on a platform."""
        return self.people.brand[platform]


def _address(parent: Post, author: Author, text: str) -> str:
    if author.platform not in ("x", "mastodon"):
        return text
    if parent.author is author:
        # A follow-up to one's own reply still addresses whoever started the conversation.
        root_author = parent.root.author
        if root_author is author:
            return text
        return text if text.startswith("@") else f"{root_author.mention} {text}"
    if text.startswith("@"):
        return text
    return f"{parent.author.mention} {text}"


def random_time(rng: random.Random, first: int = 1, last: int = DAYS) -> datetime:
    """A time on a day in ``first..last`` at an hour people are awake."""
    day = rng.randint(first, last)
    hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
    return at(day, f"{hour:02d}:{rng.randrange(60):02d}", rng.randrange(60))


def later(rng: random.Random, when: datetime, low_min: int, high_min: int) -> datetime:
    """A moment ``low_min..high_min`` minutes after ``when``, kept inside the window."""
    moment = when + timedelta(minutes=rng.uniform(low_min, high_min))
    moment = moment.replace(microsecond=0)
    if moment >= END:
        moment = when + (END - when) / 2
    return moment.replace(microsecond=0) if moment > when else when + timedelta(seconds=1)


def pick_platform(rng: random.Random, text: str) -> str:
    """A platform for a general post; '@brightloop' does not appear on Reddit."""
    choices = [(name, weight) for name, weight in GENERAL_PLATFORMS]
    if "@brightloop" in text.lower():
        choices = [(name, weight) for name, weight in choices if name != "reddit"]
    names, weights = zip(*choices, strict=True)
    return rng.choices(names, weights=weights)[0]


def _root(
    b: Builder,
    rng: random.Random,
    text: str,
    sentiment: str,
    tags: Sequence[str],
    *,
    persona: str,
    locale: str = "en",
    lang: str = "en",
    claim: str | None = None,
    last_day: int = DAYS,
) -> Post:
    platform = pick_platform(rng, text)
    author = b.author(rng, platform, persona, locale=locale)
    sub = rng.choice(SUBREDDITS) if platform == "reddit" else None
    when = random_time(rng, 1, last_day)
    return b.add(author, text, when, sentiment, tags, lang=lang, claim=claim, subreddit=sub)


def everyday(b: Builder) -> None:
    """Praise, questions, asides, gripes, sarcasm, emoji, other languages, hostile input."""
    rng = b.rng("everyday")
    for text in texts.PRAISE:
        _root(b, rng, text, "positive", ("praise",), persona="fan")
    for text in texts.NEUTRAL:
        _root(b, rng, text, "neutral", (), persona="neutral")
    for text in texts.COMPLAINTS:
        _root(b, rng, text, "negative", ("complaint",), persona="casual_critic")
    for text in texts.SARCASM:
        _root(b, rng, text, "negative", ("complaint", "sarcasm"), persona="casual_critic")
    for question, answer in texts.QUESTIONS:
        post = _root(
            b, rng, question, "neutral", ("question",), persona="neutral", last_day=DAYS - 1
        )
        if answer:
            b.add(
                b.brand(post.source),
                answer,
                later(rng, post.created, 20, 300),
                "neutral",
                parent=post,
            )
    for claim, text, correction, follow_up in texts.COUNTERFACTUAL:
        post = _root(
            b,
            rng,
            text,
            "negative",
            ("complaint",),
            persona="casual_critic",
            claim=claim,
            last_day=DAYS - 1,
        )
        if correction:
            reply = b.add(
                b.brand(post.source),
                correction,
                later(rng, post.created, 25, 400),
                "neutral",
                parent=post,
            )
            if follow_up:
                b.add(
                    post.author,
                    follow_up,
                    later(rng, reply.created, 10, 180),
                    "neutral",
                    parent=reply,
                )
    for sentiment, tags, text in texts.EMOJI:
        _root(b, rng, text, sentiment, tags, persona=PERSONA_BY_SENTIMENT[sentiment])
    for lang, sentiment, tags, maybe_claim, text in texts.FOREIGN:
        persona = PERSONA_BY_SENTIMENT[sentiment]
        _root(
            b,
            rng,
            text,
            sentiment,
            tags,
            persona=persona,
            locale=lang,
            lang=lang,
            claim=maybe_claim,
        )
    for sentiment, tags, text in texts.HOSTILE:
        _root(b, rng, text, sentiment, tags, persona=PERSONA_BY_SENTIMENT[sentiment])


def community(b: Builder) -> None:
    """Reddit questions answered by other customers."""
    rng = b.rng("community")
    for index, (sub, question, answers) in enumerate(texts.COMMUNITY_THREADS):
        root = b.add(
            b.author(rng, "reddit", "neutral"),
            question,
            random_time(rng, 1, DAYS - 2),
            "neutral",
            ("question",),
            subreddit=sub,
        )
        parent_time = root.created
        for answer in answers:
            helpful = index > 0
            when = later(rng, parent_time, 15, 240)
            b.add(
                b.author(rng, "reddit", "fan" if helpful else "neutral"),
                answer,
                when,
                "positive" if helpful else "neutral",
                ("praise",) if helpful else (),
                parent=root,
            )
            parent_time = when


def long_reads(b: Builder) -> None:
    """Reddit essays: a review, an outage explainer, a farewell, a Spanish review."""
    rng = b.rng("long")
    review = b.add(
        b.people.new("reddit", "fan"),
        texts_long.HONEST_REVIEW,
        at(4, "18:40", 12),
        "positive",
        ("praise",),
        subreddit="HomeNetworking",
    )
    b.add(
        b.author(rng, "reddit", "neutral"),
        "Great write-up. How did you measure bufferbloat?",
        later(rng, review.created, 30, 90),
        "neutral",
        ("question",),
        parent=review,
    )
    b.add(
        b.people.new("reddit", "neutral"),
        texts_long.OUTAGE_PSA,
        at(11, "17:05", 41),
        "neutral",
        (),
        subreddit="Portland",
    )
    b.add(
        b.people.new("reddit", "fan", locale="es"),
        texts_long.SPANISH_REVIEW,
        at(6, "01:15", 9),
        "positive",
        ("praise",),
        lang="es",
        subreddit="Brightloop",
    )
    leaver = b.people.new("reddit", "casual_critic")
    farewell = b.add(
        leaver,
        texts_long.LEAVING,
        at(8, "02:30", 3),
        "negative",
        ("complaint",),
        claim="cancel_fee",
        subreddit="Brightloop",
    )
    reply = b.add(
        b.brand("reddit"),
        "Thank you for four years, and for writing this up; we've shared it with the network "
        "team for your area. One correction so nobody else worries: there's no cancellation fee "
        "and no notice period. You can cancel any day and you're billed only up to that day. "
        "— Priya, Brightloop Community Team",
        at(8, "16:20", 30),
        "neutral",
        parent=farewell,
    )
    b.add(
        leaver,
        "Good to know, thanks. Still leaving, but good to know.",
        at(8, "19:02", 15),
        "neutral",
        parent=reply,
    )


def conversations(b: Builder) -> None:
    """The scripted critics: those who come round, and those who walk away."""
    rng = b.rng("arcs")
    for arc in (*arcs.CONVERTS, *arcs.WALK_AWAYS):
        critic = b.people.named(
            arc.platform,
            arc.handle,
            arc.name,
            arc.persona,
            followers=arc.followers,
            created=f"{arc.created}T12:00:00",
        )
        previous: Post | None = None
        for step in arc.steps:
            author = b.brand(arc.platform) if step.brand else critic
            parent = None if step.root else previous
            when = at(step.day, step.hhmm, rng.randrange(60))
            previous = b.add(
                author,
                step.text,
                when,
                step.sentiment,
                step.tags,
                claim=step.claim,
                parent=parent,
                subreddit=step.subreddit,
            )


def trolls(b: Builder) -> None:
    """Hostile accounts, several posts each; the brand takes the bait exactly once."""
    rng = b.rng("trolls")
    for troll in texts_hostile.TROLLS:
        author = b.people.named(
            troll.platform,
            troll.handle,
            troll.name,
            "troll",
            followers=troll.followers,
            following=troll.following,
            created=troll.created,
        )
        days = sorted(rng.sample(range(2, DAYS + 1), len(troll.posts)))
        for index, (day, text) in enumerate(zip(days, troll.posts, strict=True)):
            when = random_time(rng, day, day)
            if troll.platform == "reddit" and index > 0:
                targets = [
                    p
                    for p in b.posts
                    if p.source == "reddit"
                    and p.parent is None
                    and not p.author.is_brand
                    and p.created < when
                ]
                parent = rng.choice(targets)
                b.add(
                    author,
                    text,
                    later(rng, max(when, parent.created), 5, 600),
                    "negative",
                    ("troll",),
                    parent=parent,
                )
                continue
            sub = "Brightloop" if troll.platform == "reddit" else None
            post = b.add(
                author,
                text,
                when,
                "negative",
                ("troll",),
                subreddit=sub,
                deleted=text.startswith("BREAKING"),
            )
            if "fake reviews" in text:
                reply = b.add(
                    b.brand("x"),
                    texts_hostile.TROLL_BAIT_REPLY,
                    later(rng, when, 30, 90),
                    "neutral",
                    parent=post,
                )
                b.add(
                    author,
                    texts_hostile.TROLL_BAIT_ANSWER,
                    later(rng, reply.created, 2, 20),
                    "negative",
                    ("troll",),
                    parent=reply,
                )


def pileon(b: Builder) -> None:
    """Eighteen fresh accounts posting the same hostile text within one hour on day 12."""
    rng = b.rng("pileon")
    start = at(12, "20:05")
    offsets = sorted(rng.uniform(0, 52 * 60) for _ in texts_hostile.PILEON_TEXTS)
    for index, (offset, text) in enumerate(zip(offsets, texts_hostile.PILEON_TEXTS, strict=True)):
        author = b.people.new("x", "pileon")
        when = (start + timedelta(seconds=offset)).replace(microsecond=0)
        b.add(author, text, when, "negative", ("pileon",), deleted=index == 7)


def _spike_texts(
    rng: random.Random, extra: int
) -> list[tuple[tuple[str, ...], str | None, str, str]]:
    rows = list(texts_spike.SPIKE)
    combos = list(
        itertools.product(
            texts_spike.STATUS, texts_spike.PLACES, texts_spike.IMPACT, texts_spike.CLOSERS
        )
    )
    rng.shuffle(combos)
    seen: set[tuple[str, str]] = set()
    for status, place, impact, closer in combos:
        if len(rows) >= len(texts_spike.SPIKE) + extra:
            break
        if (status, place) in seen or (impact, closer) in seen:
            continue
        seen.update({(status, place), (impact, closer)})
        rows.append(((), None, "en", f"{status.format(place=place)} {impact}{closer}"))
    return rows


def spike(b: Builder) -> None:
    """Monday's regional outage: the brand's status threads and a burst of angry posts."""
    rng = b.rng("spike")
    day = SPIKE_DAY
    status: dict[str, list[Post]] = {}
    for platform in ("x", "bluesky", "mastodon"):
        thread: list[Post] = []
        for hhmm, text in texts_spike.STATUS_THREAD:
            parent = thread[-1] if thread else None
            when = at(day, hhmm, 5 + len(platform))
            thread.append(b.add(b.brand(platform), text, when, "neutral", parent=parent))
        status[platform] = thread
    megathread = b.add(
        b.brand("reddit"),
        "Megathread: Oregon and Washington outage, Monday 16 November\n\nWe're aware of an "
        "outage affecting home internet and mobile data in Oregon and Washington since about "
        "7:00 PT. Updates will be posted here as we have them. Outages of 4 hours or more are "
        "credited automatically. — Brightloop Community Team",
        at(day, "15:55", 20),
        "neutral",
        subreddit="Brightloop",
    )
    b.add(
        b.brand("reddit"),
        texts_spike.STATUS_THREAD[-1][1],
        at(day, "20:50", 4),
        "neutral",
        parent=megathread,
    )

    rows = _spike_texts(rng, extra=30)
    influencer = b.people.named(
        "x",
        "kaitlyn_reviews",
        "Kaitlyn Moore",
        "spike_complainer",
        followers=145_200,
        following=812,
        created="2012-05-19T18:30:00",
    )
    first, last = at(day, "15:03"), at(day, "19:00")
    span = (last - first).total_seconds()
    for tags, claim, lang, text in rows:
        when = first + timedelta(seconds=int(span * rng.betavariate(1.6, 2.6)))
        platform = rng.choices(("x", "bluesky", "mastodon", "reddit"), weights=(62, 16, 10, 12))[0]
        if lang != "en" or "@brightloop" in text:
            platform = "x"
        author = (
            influencer
            if "job interview" in text
            else b.people.new(platform, "spike_complainer", locale=lang)
        )
        if author is influencer:
            platform = "x"
        parent = None
        sub = None
        if platform == "reddit":
            if when > megathread.created:
                parent = megathread
            else:
                sub = rng.choice(("Portland", "Seattle"))
        elif platform == "x" and rng.random() < 0.2:
            earlier = [p for p in status["x"] if p.created < when]
            parent = earlier[-1] if earlier else None
        post = b.add(
            author,
            text,
            when,
            "negative",
            ("spike", "complaint", *tags),
            lang=lang,
            claim=claim,
            parent=parent,
            subreddit=sub,
        )
        answer = _spike_answer(text)
        if answer is not None:
            b.add(b.brand(platform), answer, later(rng, when, 8, 40), "neutral", parent=post)


def _spike_answer(text: str) -> str | None:
    keys = ("job interview", "medical alert", "REGIONAL", "how many people", "credit us")
    for key, answer in zip(keys, texts_spike.SPIKE_REPLIES, strict=True):
        if key in text:
            return answer
    return None


def influencers_and_crossposts(b: Builder) -> None:
    """Big accounts, and people who post the same words on more than one platform."""
    rng = b.rng("cross")
    people = b.people
    tamsin = people.named(
        "x",
        "techwithtamsin",
        "Tamsin Reyes | Tech",
        "fan",
        followers=312_000,
        following=640,
        created="2011-02-14T09:00:00",
    )
    b.add(
        tamsin,
        "Spent a month testing Brightloop Home Gig for the channel. Short version: "
        "symmetric gig that holds at peak hours, no equipment fee, no contract. Full review "
        "Thursday.",
        at(3, "17:05", 22),
        "positive",
        ("praise",),
    )
    steve = people.named(
        "x",
        "netspeedsteve",
        "Steve Okonkwo",
        "neutral",
        followers=88_500,
        following=1_020,
        created="2013-08-01T10:00:00",
    )
    b.add(
        steve,
        "Running a week-long latency test on Brightloop vs two cable providers. Early "
        "numbers are interesting. Thread on Friday.",
        at(4, "16:20", 8),
        "neutral",
        (),
    )
    nerd = people.named(
        "mastodon",
        "gadgetnerd",
        "Gadget Nerd",
        "neutral",
        followers=57_200,
        following=310,
        created="2017-04-20T08:00:00",
    )
    b.add(
        nerd,
        "Does anyone know whether Brightloop's Loop Hub is wifi 7 or still wifi 6? The "
        "spec sheet is oddly quiet. #brightloop",
        at(7, "14:45", 51),
        "neutral",
        ("question",),
    )

    claim_text = (
        "Money tip: before signing up with Brightloop, know they charge a cancellation "
        "fee if you leave in the first year. Budget for it."
    )
    correction = (
        "Correction: Brightloop confirmed there's no cancellation fee at all, it's "
        "month-to-month. I mixed them up with my old provider. Leaving this up so the "
        "correction is visible."
    )
    for platform, handle, followers in (
        ("bluesky", "thefrugaldad.com", 61_400),
        ("x", "thefrugaldad", 97_300),
    ):
        dad = people.named(
            platform,
            handle,
            "The Frugal Dad",
            "casual_critic",
            followers=followers,
            following=410,
            created="2024-01-08T12:00:00" if platform == "bluesky" else "2014-06-30T12:00:00",
        )
        offset = 0 if platform == "bluesky" else 3
        post = b.add(
            dad, claim_text, at(6, "15:12", offset), "negative", ("complaint",), claim="cancel_fee"
        )
        reply = b.add(
            b.brand(platform),
            "No cancellation fee on any plan, we promise: every "
            "Brightloop plan is month-to-month and you can cancel any day.",
            at(6, "15:58", offset * 7),
            "neutral",
            parent=post,
        )
        b.add(dad, correction, at(6, "17:30", offset), "neutral", (), parent=reply)

    crossposts = (
        (
            "Maya Chen",
            ("x:mayachen_", "bluesky:mayachen.bsky.social", "mastodon:maya@hachyderm.io"),
            "fan",
            "positive",
            ("praise",),
            5,
            "18:20",
            "Three weeks on Brightloop and my upload is finally faster than my patience. Photo "
            "backups done overnight, video calls crisp. Recommend.",
        ),
        (
            "Dev Okoro",
            ("x:dev_okoro", "bluesky:devokoro.bsky.social"),
            "casual_critic",
            "negative",
            ("complaint",),
            9,
            "20:40",
            "Brightloop support closed my ticket as 'resolved' while the problem is very much "
            "unresolved. Reopening it for the third time.",
        ),
        (
            "Rowan Pike",
            ("x:rowanpike", "mastodon:rowan@mastodon.online"),
            "spike_complainer",
            "negative",
            ("complaint", "spike"),
            SPIKE_DAY,
            "16:20",
            "Brightloop outage in Portland, hour 3. Home and mobile both down. Working from the "
            "library like it's 2009.",
        ),
        (
            "Inés Álvarez",
            ("bluesky:ines-alvarez.bsky.social", "mastodon:ines_a"),
            "neutral",
            "neutral",
            ("question",),
            12,
            "02:10",
            "Is it worth moving my parents to Brightloop mobile, or is coverage still patchy out "
            "past the river? Asking before the holidays.",
        ),
    )
    for name, accounts, persona, sentiment, tags, day, hhmm, text in crossposts:
        for index, account in enumerate(accounts):
            platform, handle = account.split(":", 1)
            author = people.named(platform, handle, name, persona)
            when = at(day, hhmm, 0) + timedelta(seconds=40 * index + rng.randrange(30))
            b.add(author, text, when, sentiment, tags)


BUILDERS = (
    everyday,
    community,
    long_reads,
    conversations,
    trolls,
    pileon,
    spike,
    influencers_and_crossposts,
)
