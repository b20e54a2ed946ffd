"""Scenario builders: each adds the posts of one part of the sample to a shared list.

What is posted, by whom and when it is scripted comes from ``data/*.yaml``; the random draws
(platforms, times, made-up authors) are here, one seeded stream per scenario.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta

from sample.model import DAYS, END, SPIKE_DAY, Author, Post, at
from sample.people import People
from sample.schema import (
    Account,
    Foreign,
    Question,
    SampleData,
    SpikeFile,
    SpikePost,
    Step,
    ThreadPost,
    TrollPost,
    day_time,
)

#: Relative posting activity per UTC hour (North American audience).
HOUR_WEIGHTS = (6, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 7, 8, 8, 8, 7, 7)
GENERAL_PLATFORMS = (("x", 50), ("bluesky", 20), ("mastodon", 12), ("reddit", 18))
PERSONA_BY_SENTIMENT = {"positive": "fan", "neutral": "neutral", "negative": "casual_critic"}


class Builder:
    """Collects posts; every scenario draws from its own seeded random stream."""

    def __init__(self, people: People, seed: str, data: SampleData) -> None:
        self.people = people
        self.seed = seed
        self.data = data
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
    sub = rng.choice(b.data.everyday.subreddits) if platform == "reddit" else None
    when = random_time(rng, 1, last_day)
    return b.add(author, text, when, sentiment, tags, lang=lang, claim=claim, subreddit=sub)


def _at(value: str) -> datetime:
    day, hhmm, second = day_time(value)
    return at(day, hhmm, second)


def _named(people: People, platform: str, account: Account) -> Author:
    return people.named(
        platform,
        account.handle,
        account.name,
        account.persona,
        followers=account.followers,
        following=account.following,
        created=account.created,
    )


def everyday(b: Builder) -> None:
    """Praise, questions, asides, gripes, sarcasm, emoji, other languages, hostile input."""
    rng = b.rng("everyday")
    texts = b.data.everyday
    for text in texts.praise:
        _root(b, rng, text, "positive", ("praise",), persona="fan")
    for text in texts.neutral:
        _root(b, rng, text, "neutral", (), persona="neutral")
    for text in texts.complaints:
        _root(b, rng, text, "negative", ("complaint",), persona="casual_critic")
    for text in texts.sarcasm:
        _root(b, rng, text, "negative", ("complaint", "sarcasm"), persona="casual_critic")
    for item in texts.questions:
        question = item if isinstance(item, Question) else Question(text=item)
        post = _root(
            b, rng, question.text, "neutral", ("question",), persona="neutral", last_day=DAYS - 1
        )
        if question.answer:
            when = later(rng, post.created, 20, 300)
            b.add(b.brand(post.source), question.answer, when, "neutral", parent=post)
    for false in texts.counterfactual:
        post = _root(
            b,
            rng,
            false.text,
            "negative",
            ("complaint",),
            persona="casual_critic",
            claim=false.claim,
            last_day=DAYS - 1,
        )
        if false.correction:
            when = later(rng, post.created, 25, 400)
            reply = b.add(b.brand(post.source), false.correction, when, "neutral", parent=post)
            if false.follow_up:
                when = later(rng, reply.created, 10, 180)
                b.add(post.author, false.follow_up, when, "neutral", parent=reply)
    for tagged in (*texts.emoji, *texts.foreign, *texts.hostile):
        lang = tagged.lang if isinstance(tagged, Foreign) else "en"
        _root(
            b,
            rng,
            tagged.text,
            tagged.sentiment,
            tagged.tags,
            persona=PERSONA_BY_SENTIMENT[tagged.sentiment],
            locale=lang,
            lang=lang,
            claim=tagged.claim if isinstance(tagged, Foreign) else None,
        )


def community(b: Builder) -> None:
    """Reddit questions answered by other customers."""
    rng = b.rng("community")
    for index, thread in enumerate(b.data.everyday.community_threads):
        root = b.add(
            b.author(rng, "reddit", "neutral"),
            thread.question,
            random_time(rng, 1, DAYS - 2),
            "neutral",
            ("question",),
            subreddit=thread.subreddit,
        )
        parent_time = root.created
        for answer in thread.answers:
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


def _thread(b: Builder, rng: random.Random, post: ThreadPost, parent: Post | None = None) -> None:
    """Add ``post`` (a reply when ``parent`` is given) and, depth first, its replies."""
    platform = parent.source if parent is not None else str(post.platform)
    if post.author == "brand":
        author = b.brand(platform)
    elif post.author == "op":
        assert parent is not None  # the data model allows "op" on replies only
        author = parent.root.author
    elif isinstance(post.author, Account):
        author = _named(b.people, platform, post.author)
    elif post.author.fresh:
        author = b.people.new(platform, post.author.persona, locale=post.author.locale)
    else:
        author = b.author(rng, platform, post.author.persona, locale=post.author.locale)
    if post.after is not None:
        assert parent is not None
        when = later(rng, parent.created, *post.after)
    else:
        when = _at(str(post.at))
    added = b.add(
        author,
        post.text,
        when,
        post.sentiment,
        post.tags,
        lang=post.lang,
        claim=post.claim,
        parent=parent,
        subreddit=post.subreddit,
    )
    for reply in post.replies:
        _thread(b, rng, reply, added)


def long_reads(b: Builder) -> None:
    """Reddit essays: a review, an outage explainer, a farewell, a Spanish review."""
    rng = b.rng("long")
    for post in b.data.threads.long_reads:
        _thread(b, rng, post)


def conversations(b: Builder) -> None:
    """The scripted critics: those who come round, and those who walk away."""
    rng = b.rng("arcs")
    for persona, critics in b.data.conversations.root.items():
        for arc in critics:
            critic = b.people.named(
                arc.platform,
                arc.handle,
                arc.name,
                persona,
                followers=arc.followers,
                created=datetime.combine(arc.created, time(12)),
            )
            previous: Post | None = None
            for step in arc.steps:
                day, hhmm, _ = day_time(step.at)
                when = at(day, hhmm, rng.randrange(60))
                text, sentiment, tags = _step_defaults(step)
                previous = b.add(
                    b.brand(arc.platform) if step.brand is not None else critic,
                    text,
                    when,
                    sentiment,
                    tags,
                    claim=step.claim,
                    parent=None if step.new_post else previous,
                    subreddit=step.subreddit,
                )


def _step_defaults(step: Step) -> tuple[str, str, Sequence[str]]:
    """Text, sentiment and tags: a critic complains, thanks praise, the brand is neutral."""
    if step.brand is not None:
        return step.brand, step.sentiment or "neutral", ()
    if step.thanks is not None:
        return step.thanks, step.sentiment or "positive", ("praise",)
    tags = ("complaint",) if step.tags is None else step.tags
    return str(step.critic), step.sentiment or "negative", tags


def _troll_post(post: str | TrollPost) -> TrollPost:
    return post if isinstance(post, TrollPost) else TrollPost(text=post)


def trolls(b: Builder) -> None:
    """Hostile accounts, several posts each; the brand takes the bait exactly once."""
    rng = b.rng("trolls")
    for troll in b.data.trolls.trolls:
        author = b.people.named(
            troll.platform,
            troll.handle,
            troll.name,
            "troll",
            followers=troll.followers,
            following=troll.following,
            created=troll.created,
        )
        posts = [_troll_post(post) for post in troll.posts]
        days = sorted(rng.sample(range(2, DAYS + 1), len(posts)))
        for index, (day, post) in enumerate(zip(days, posts, strict=True)):
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
                when = later(rng, max(when, parent.created), 5, 600)
                b.add(author, post.text, when, "negative", ("troll",), parent=parent)
                continue
            sub = "Brightloop" if troll.platform == "reddit" else None
            added = b.add(
                author, post.text, when, "negative", ("troll",), subreddit=sub, deleted=post.deleted
            )
            if post.brand_reply is not None:
                when = later(rng, when, 30, 90)
                reply = b.add(
                    b.brand(troll.platform), post.brand_reply, when, "neutral", parent=added
                )
                if post.answer is not None:
                    when = later(rng, reply.created, 2, 20)
                    b.add(author, post.answer, when, "negative", ("troll",), parent=reply)


def pileon(b: Builder) -> None:
    """Fresh accounts posting the same hostile text within one hour on day 12."""
    rng = b.rng("pileon")
    start = at(12, "20:05")
    posts = [_troll_post(post) for post in b.data.trolls.pileon]
    offsets = sorted(rng.uniform(0, 52 * 60) for _ in posts)
    for offset, post in zip(offsets, posts, strict=True):
        author = b.people.new("x", "pileon")
        when = (start + timedelta(seconds=offset)).replace(microsecond=0)
        b.add(author, post.text, when, "negative", ("pileon",), deleted=post.deleted)


def _spike_texts(rng: random.Random, spike: SpikeFile, extra: int) -> list[SpikePost]:
    """The handwritten outage posts, then ``extra`` built from the pieces."""
    rows = [post if isinstance(post, SpikePost) else SpikePost(text=post) for post in spike.posts]
    combos = list(itertools.product(spike.status, spike.places, spike.impact, spike.closers))
    rng.shuffle(combos)
    seen: set[tuple[str, str]] = set()
    for status, place, impact, closer in combos:
        if len(rows) >= len(spike.posts) + extra:
            break
        if (status, place) in seen or (impact, closer) in seen:
            continue
        seen.update({(status, place), (impact, closer)})
        rows.append(SpikePost(text=f"{status.format(place=place)} {impact}{closer}"))
    return rows


def spike(b: Builder) -> None:
    """Monday's regional outage: the brand's status threads and a burst of angry posts."""
    rng = b.rng("spike")
    data = b.data.spike
    status: dict[str, list[Post]] = {}
    for platform in ("x", "bluesky", "mastodon"):
        thread: list[Post] = []
        for update in data.status_thread:
            day, hhmm, _ = day_time(update.at)
            parent = thread[-1] if thread else None
            when = at(day, hhmm, 5 + len(platform))
            thread.append(b.add(b.brand(platform), update.text, when, "neutral", parent=parent))
        status[platform] = thread
    mega = data.megathread
    megathread = b.add(
        b.brand("reddit"), mega.text, _at(mega.at), "neutral", subreddit="Brightloop"
    )
    last_update = data.status_thread[-1].text
    b.add(b.brand("reddit"), last_update, _at(mega.update_at), "neutral", parent=megathread)

    rows = _spike_texts(rng, data, extra=30)
    named = {a.handle: _named(b.people, a.platform, a) for a in data.accounts}
    first, last = at(SPIKE_DAY, "15:03"), at(SPIKE_DAY, "19:00")
    span = (last - first).total_seconds()
    for row in rows:
        when = first + timedelta(seconds=int(span * rng.betavariate(1.6, 2.6)))
        platform = rng.choices(("x", "bluesky", "mastodon", "reddit"), weights=(62, 16, 10, 12))[0]
        if row.lang != "en" or "@brightloop" in row.text:
            platform = "x"
        if row.author is not None:
            author = named[row.author]
            platform = author.platform
        else:
            author = b.people.new(platform, "spike_complainer", locale=row.lang)
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
            row.text,
            when,
            "negative",
            ("spike", "complaint", *row.tags),
            lang=row.lang,
            claim=row.claim,
            parent=parent,
            subreddit=sub,
        )
        if row.brand_reply is not None:
            when = later(rng, when, 8, 40)
            b.add(b.brand(platform), row.brand_reply, when, "neutral", parent=post)


def influencers_and_crossposts(b: Builder) -> None:
    """Big accounts, and people who post the same words on more than one platform."""
    rng = b.rng("cross")
    for post in b.data.threads.influencers:
        _thread(b, rng, post)
    for cross in b.data.threads.crossposts:
        day, hhmm, _ = day_time(cross.at)
        for index, (platform, handle) in enumerate(cross.accounts.items()):
            author = b.people.named(platform, handle, cross.name, cross.persona)
            when = at(day, hhmm, 0) + timedelta(seconds=40 * index + rng.randrange(30))
            b.add(author, cross.text, when, cross.sentiment, cross.tags)


#: Personas whose conversations are scripted, or who are answered their own way: the team's
#: routine acknowledgements leave them alone.
SCRIPTED = frozenset(
    {
        "repeat_critic_converts",
        "critic_agrees_to_disagree",
        "critic_no_answer",
        "cannot_be_pleased",
        "troll",
        "pileon",
        "brand",
    }
)


def _first_name(author: Author) -> str:
    name = (author.name or "").split()
    return name[0] if name and name[0][:1].isalpha() else author.handle.split("@")[0]


def care(b: Builder) -> None:
    """The team's routine: most complaints acknowledged within the hour, some critics say thanks,
    and the pile-on answered with one statement. Runs last: it answers the posts of the others."""
    rng = b.rng("care")
    data = b.data.care
    ack, thanks = data.acknowledge, data.thanks
    quiet_from = END - timedelta(hours=ack.quiet_hours)
    brand_replies = [p for p in b.posts if p.author.is_brand and p.parent is not None]
    answered = {p.root for p in brand_replies} | {p.parent for p in brand_replies}
    complaints = [
        p
        for p in b.posts
        if (p.parent is None or p.parent.author.is_brand)
        and p.sentiment == "negative"
        and p.author.persona not in SCRIPTED
        and p not in answered
        and not p.deleted
    ]
    for post in sorted(complaints, key=lambda p: p.created):
        outage = "spike" in post.tags
        if rng.random() >= (ack.outage_share if outage else ack.share):
            continue
        when = later(rng, post.created, *ack.after_minutes)
        if when >= quiet_from:
            continue
        texts = ack.outage_replies if outage else ack.replies
        text = rng.choice(texts).format(name=_first_name(post.author))
        reply = b.add(b.brand(post.source), text, when, "neutral", parent=post)
        if rng.random() < thanks.share:
            when = later(rng, reply.created, *thanks.after_minutes)
            if when < END:
                b.add(
                    post.author,
                    rng.choice(thanks.texts),
                    when,
                    "positive",
                    ("praise",),
                    parent=reply,
                )
    pileon_posts = [p for p in b.posts if p.author.persona == "pileon" and not p.deleted]
    if pileon_posts:
        first = min(pileon_posts, key=lambda p: p.created)
        last = max(p.created for p in pileon_posts)
        when = later(rng, last, *data.pileon_statement.after_minutes)
        b.add(b.brand(first.source), data.pileon_statement.text, when, "neutral", parent=first)


BUILDERS = (
    everyday,
    community,
    long_reads,
    conversations,
    trolls,
    pileon,
    spike,
    influencers_and_crossposts,
    care,
)
