"""The shape of each sample data file, one pydantic model per file (``sample/data/*.yaml``).

Every model forbids unknown keys, so a misspelt field is an error, not a silent default.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, model_validator

Platform = Literal["x", "reddit", "bluesky", "mastodon"]
Sentiment = Literal["positive", "neutral", "negative"]
Persona = Literal[
    "fan",
    "neutral",
    "repeat_critic_converts",
    "critic_agrees_to_disagree",
    "critic_no_answer",
    "cannot_be_pleased",
    "troll",
    "pileon",
    "spike_complainer",
    "casual_critic",
]
Tag = Literal["praise", "question", "complaint", "sarcasm", "spike", "hostile_markup", "formula"]
Text = Annotated[str, Field(min_length=1)]
#: ``day D HH:MM`` or ``day D HH:MM:SS``: day 1 is 2026-11-07, times are UTC.
DayTime = Annotated[str, Field(pattern=r"^day ([1-9]|1[0-4]) ([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")]
#: The same without seconds, where the generator draws the second.
DayMinute = Annotated[str, Field(pattern=r"^day ([1-9]|1[0-4]) ([01]\d|2[0-3]):[0-5]\d$")]


def day_time(value: str) -> tuple[int, str, int]:
    """``"day 3 17:05:22"`` as ``(3, "17:05", 22)``; seconds default to 0."""
    _, day, clock = value.split()
    return int(day), clock[:5], int(clock[6:] or 0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# claims.yaml


class Claim(_Model):
    """A counter-factual claim, the fact that answers it and the topic it belongs to."""

    claim_id: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    claim: Text
    fact: Text
    topic: Text


class ClaimsFile(_Model):
    claims: list[Claim]


# people.yaml


class BrandAccount(_Model):
    platform: Platform
    followers: int | None = None
    following: int | None = None
    created: datetime


class LocaleNames(_Model):
    first: list[Text]
    last: list[Text]


class PeopleFile(_Model):
    brand_accounts: list[BrandAccount]
    first_names: list[Text]
    last_names: list[Text]
    words: list[Text]
    locale_names: dict[str, LocaleNames]
    arabic_display_names: list[Text]
    japanese_display_names: list[Text]
    display_emoji: list[Text]
    pronouns: list[Text]
    bluesky_domains: list[Text]
    mastodon_instances: list[Text]
    reddit_adjectives: list[Text]
    reddit_nouns: list[Text]
    earliest_account: dict[Platform, date]


# everyday.yaml


class Question(_Model):
    text: Text
    answer: Text | None = None


class Counterfactual(_Model):
    claim: str
    text: Text
    correction: Text | None = None
    follow_up: Text | None = None


class Tagged(_Model):
    sentiment: Sentiment
    tags: list[Tag] = []
    text: Text


class Foreign(Tagged):
    lang: Annotated[str, Field(pattern=r"^[a-z]{2}$")]
    claim: str | None = None


class CommunityThread(_Model):
    subreddit: Text
    question: Text
    answers: list[Text]


class EverydayFile(_Model):
    subreddits: list[Text]
    praise: list[Text]
    neutral: list[Text]
    complaints: list[Text]
    sarcasm: list[Text]
    questions: list[Text | Question]
    counterfactual: list[Counterfactual]
    emoji: list[Tagged]
    foreign: list[Foreign]
    hostile: list[Tagged]
    community_threads: list[CommunityThread]


# conversations.yaml


class Step(_Model):
    """One post in a scripted conversation: the critic's, a thank-you, or the brand's."""

    at: DayMinute
    critic: Text | None = None
    thanks: Text | None = None
    brand: Text | None = None
    sentiment: Sentiment | None = None
    tags: list[Tag] | None = None
    claim: str | None = None
    new_post: bool = False
    subreddit: str | None = None

    @model_validator(mode="after")
    def _one_speaker(self) -> Step:
        if sum(text is not None for text in (self.critic, self.thanks, self.brand)) != 1:
            raise ValueError("a step has exactly one of critic, thanks or brand")
        if self.critic is None and (self.tags is not None or self.claim is not None):
            raise ValueError("only a critic step has tags or a claim")
        if self.brand is not None and (self.new_post or self.subreddit):
            raise ValueError("a brand step always replies to the step before it")
        return self


class Critic(_Model):
    platform: Platform
    handle: Text
    name: Text | None = None
    followers: int | None = None
    created: date
    one_thing: Text | None = None
    steps: list[Step]


class ConversationsFile(RootModel[dict[Persona, list[Critic]]]):
    """Scripted critics by persona, built in file order."""

    model_config = ConfigDict(frozen=True)


# trolls.yaml


class TrollPost(_Model):
    text: Text
    deleted: bool = False
    brand_reply: Text | None = None
    answer: Text | None = None


class Troll(_Model):
    platform: Platform
    handle: Text
    name: Text | None = None
    followers: int | None = None
    following: int | None = None
    created: datetime
    posts: list[Text | TrollPost]


class TrollsFile(_Model):
    trolls: list[Troll]
    pileon: list[Text | TrollPost]


# spike.yaml


class Account(_Model):
    """A named account: handle, display name, persona, audience and creation time."""

    handle: Text
    name: Text | None = None
    persona: Persona
    followers: int | None = None
    following: int | None = None
    created: datetime | None = None


class SpikeAccount(Account):
    platform: Platform


class TimedText(_Model):
    at: DayTime
    text: Text


class Megathread(TimedText):
    update_at: DayTime


class SpikePost(_Model):
    text: Text
    lang: str = "en"
    tags: list[Tag] = []
    claim: str | None = None
    author: str | None = None
    brand_reply: Text | None = None


class SpikeIncident(_Model):
    """What the sample's lead writes on the outage's incident."""

    topic: Text
    holding: Text
    root_cause: Text
    fix: Text


class SpikeFile(_Model):
    incident: SpikeIncident
    status_thread: list[TimedText]
    megathread: Megathread
    accounts: list[SpikeAccount]
    posts: list[Text | SpikePost]
    places: list[Text]
    status: list[Annotated[str, Field(pattern=r"\{place\}")]]
    impact: list[Text]
    closers: list[str]

    @model_validator(mode="after")
    def _authors_are_accounts(self) -> SpikeFile:
        handles = {account.handle for account in self.accounts}
        for post in self.posts:
            if isinstance(post, SpikePost) and post.author and post.author not in handles:
                raise ValueError(f"author {post.author!r} is not one of the accounts")
        return self


# threads.yaml


class NewAuthor(_Model):
    """A made-up person; ``fresh`` means never one who posted before."""

    persona: Persona
    fresh: bool = False
    locale: str = "en"


class ThreadPost(_Model):
    """A post with a fixed time (or minutes after its parent) and the replies it drew."""

    platform: Platform | None = None
    subreddit: str | None = None
    author: Literal["brand", "op"] | Account | NewAuthor
    at: DayTime | None = None
    after: tuple[int, int] | None = None
    sentiment: Sentiment
    tags: list[Tag] = []
    claim: str | None = None
    lang: str = "en"
    text: Text
    replies: list[ThreadPost] = []

    @model_validator(mode="after")
    def _one_time(self) -> ThreadPost:
        if (self.at is None) == (self.after is None):
            raise ValueError("a post has exactly one of at or after")
        if any(reply.platform or reply.subreddit for reply in self.replies):
            raise ValueError("a reply takes its platform and subreddit from its thread")
        return self


class Crosspost(_Model):
    name: Text
    accounts: dict[Platform, Text]
    persona: Persona
    at: DayMinute
    sentiment: Sentiment
    tags: list[Tag] = []
    text: Text


class ThreadsFile(_Model):
    long_reads: list[ThreadPost]
    influencers: list[ThreadPost]
    crossposts: list[Crosspost]

    @model_validator(mode="after")
    def _roots_and_replies(self) -> ThreadsFile:
        for root in (*self.long_reads, *self.influencers):
            if root.platform is None or root.author in ("brand", "op") or root.after:
                raise ValueError(
                    f"a thread's first post needs a platform, a poster and a time: {root.text!r}"
                )
        return self


# care.yaml

Share = Annotated[float, Field(ge=0, le=1)]
Minutes = tuple[Annotated[int, Field(ge=1)], Annotated[int, Field(ge=1)]]


class Acknowledging(_Model):
    """How the team answered complaints nobody scripted: who, how soon, in which words."""

    share: Share
    outage_share: Share
    quiet_hours: Annotated[float, Field(ge=0)]
    after_minutes: Minutes
    replies: list[Annotated[str, Field(pattern=r"\{name\}")]]
    outage_replies: list[Annotated[str, Field(pattern=r"\{name\}")]]


class Thanking(_Model):
    """Which acknowledged critics wrote back to say thanks, how soon, in which words."""

    share: Share
    after_minutes: Minutes
    texts: list[Text]


class Statement(_Model):
    """The one public statement that answered the pile-on, on its first post."""

    after_minutes: Minutes
    text: Text


class CareFile(_Model):
    acknowledge: Acknowledging
    thanks: Thanking
    pileon_statement: Statement


class SampleData(_Model):
    """Everything the generator reads, one attribute per file."""

    claims: ClaimsFile
    people: PeopleFile
    everyday: EverydayFile
    conversations: ConversationsFile
    trolls: TrollsFile
    spike: SpikeFile
    threads: ThreadsFile
    care: CareFile
