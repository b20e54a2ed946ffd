"""The sample's content, read from the YAML files in ``sample/data/`` and checked on load.

Each file has one shape, a pydantic model below; a malformed file fails with a ``SampleDataError``
that names the file and the entry (``spike.yaml: posts[3].lang: ...``), never half a sample.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

from core.errors import InputError

DATA_DIR = Path(__file__).resolve().parent / "data"

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


class SampleDataError(InputError):
    """A sample data file is missing, not YAML, or does not have its shape."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(f"{path.name}: {message}")
        self.path = path


def day_time(value: str) -> tuple[int, str, int]:
    """``"day 3 17:05:22"`` as ``(3, "17:05", 22)``; seconds default to 0."""
    _, day, clock = value.split()
    return int(day), clock[:5], int(clock[6:] or 0)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


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


class SpikeFile(_Model):
    status_thread: list[TimedText]
    megathread: Megathread
    accounts: list[SpikeAccount]
    posts: list[Text | SpikePost]
    places: list[Text]
    status: list[Annotated[str, Field(pattern=r"\{place\}")]]
    impact: list[Text]
    closers: list[str]


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
    def _roots_have_platforms(self) -> ThreadsFile:
        for root in (*self.long_reads, *self.influencers):
            if root.platform is None or root.author in ("brand", "op"):
                raise ValueError(
                    f"a thread's first post needs a platform and a poster: {root.text!r}"
                )
        return self


class SampleData(_Model):
    """Everything the generator reads, one attribute per file."""

    claims: ClaimsFile
    people: PeopleFile
    everyday: EverydayFile
    conversations: ConversationsFile
    trolls: TrollsFile
    spike: SpikeFile
    threads: ThreadsFile


FILES: dict[str, type[BaseModel]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in SampleData.model_fields.items()
}


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not re.fullmatch(r"[a-z_]+", part) or part in ("str", "int", "bool"):
            continue  # the union member pydantic tried, not a place in the file
        else:
            out += f".{part}" if out else part
    return out or "(top)"


def _entry(raw: Any, loc: tuple[int | str, ...]) -> str:
    """The start of the text of the innermost list entry on ``loc``, to find it by eye."""
    node, found = raw, None
    for part in loc:
        if isinstance(node, str):
            break
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(part, int):
            found = node
    if isinstance(found, dict):
        found = next((found[k] for k in ("text", "handle", "question") if k in found), None)
    if not isinstance(found, str):
        return ""
    return f" ({found[:40]!r}{'…' if len(found) > 40 else ''})"


def load_file(path: Path, model: type[BaseModel]) -> Any:
    """Read one data file and check it has ``model``'s shape."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SampleDataError(f"cannot read: {exc.strerror}", path=path) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        raise SampleDataError(f"{where}not valid YAML: {exc}", path=path) from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        # Of a union's failed members, the one that got furthest names the real mistake.
        error = max(exc.errors(), key=lambda e: len(e["loc"]))
        where = _where(error["loc"])
        entry = _entry(raw, error["loc"])
        raise SampleDataError(f"{where}{entry}: {error['msg']}", path=path) from exc


@cache
def load(data_dir: Path = DATA_DIR) -> SampleData:
    """Every sample data file, checked, with claim ids cross-checked against ``claims.yaml``."""
    files = {name: load_file(data_dir / f"{name}.yaml", model) for name, model in FILES.items()}
    data = SampleData(**files)
    known = {claim.claim_id for claim in data.claims.claims}
    for name, claim in _claims_named(data):
        if claim not in known:
            raise SampleDataError(f"unknown claim {claim!r}", path=data_dir / f"{name}.yaml")
    return data


def _claims_named(data: SampleData) -> list[tuple[str, str]]:
    named: list[tuple[str, str | None]] = []
    named += [("everyday", c.claim) for c in data.everyday.counterfactual]
    named += [("everyday", f.claim) for f in data.everyday.foreign]
    named += [
        ("conversations", step.claim)
        for critics in data.conversations.root.values()
        for critic in critics
        for step in critic.steps
    ]
    named += [("spike", p.claim) for p in data.spike.posts if isinstance(p, SpikePost)]

    def walk(posts: list[ThreadPost]) -> None:
        for post in posts:
            named.append(("threads", post.claim))
            walk(post.replies)

    walk([*data.threads.long_reads, *data.threads.influencers])
    return [(name, claim) for name, claim in named if claim is not None]
