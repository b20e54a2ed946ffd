"""The digest as plain data: what the templates and charts read. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from dashboard.digest.window import DayWindow

if TYPE_CHECKING:
    from dashboard.digest.what_works import WhatWorks
    from scoring.topics.report import ProductReport

Fmt = Literal["int", "pct", "min"]


@dataclass(frozen=True)
class Headline:
    """One number for the day next to the day before; ``better`` says which way is good."""

    label: str
    today: float | None
    before: float | None
    fmt: Fmt = "int"
    better: Literal["up", "down", "neither"] = "up"

    @property
    def delta(self) -> float | None:
        """Today minus the day before (None when either is unknown)."""
        if self.today is None or self.before is None:
            return None
        return self.today - self.before

    @property
    def tone(self) -> Literal["good", "bad", "flat"]:
        """Whether the change is good news."""
        d = self.delta
        if not d or self.better == "neither":
            return "flat"
        return "good" if (d > 0) == (self.better == "up") else "bad"


@dataclass(frozen=True)
class CriticRow:
    """A critic whose case opened today."""

    case_id: int
    handle: str
    source: str
    topic: str
    priority: float
    followers: int | None
    text: str
    opened_at: datetime


@dataclass(frozen=True)
class Breach:
    """An SLA that ran out today and was escalated."""

    case_id: int
    handle: str
    stage: str
    at: datetime
    reason: str
    assignee: str | None


@dataclass(frozen=True)
class Conversion:
    """A critic who became a fan today, and the path the case took."""

    case_id: int
    handle: str
    path: tuple[str, ...]
    days: float
    goodwill_spent: float
    first_text: str
    last_text: str
    #: What would fix it for them, as staff wrote it on the case (empty when not written).
    one_thing: str = ""


@dataclass(frozen=True)
class IncidentRow:
    """A spike or declared incident that was live during the day."""

    kind: str
    started_at: datetime
    ended_at: datetime | None
    reason: str
    started_by: str
    topic: str = ""
    commander: str = ""
    #: Cases tagged to it (the affected critics).
    affected: int = 0
    root_cause: str = ""
    fix: str = ""


@dataclass(frozen=True)
class CoverageGap:
    """A time range of the day a collector could not read: posts from it may be missing."""

    source: str
    start: datetime
    end: datetime
    reason: str
    backfilled: bool


@dataclass(frozen=True)
class EmergingTopic:
    """A complaint topic beyond its normal range at the day's end, with the evidence."""

    label: str
    volume: int
    reasons: tuple[str, ...]
    example: str


@dataclass(frozen=True)
class Voice:
    """An author who posted today, ranked by reach."""

    handle: str
    source: str
    followers: int
    mentions: int
    mean_sentiment: float | None
    sample_text: str


@dataclass(frozen=True)
class HourBucket:
    """Mentions in one local hour of the day, and in the same hour the day before."""

    hour: int
    mentions: int
    negative: int
    before: int


@dataclass
class Digest:
    """Everything the daily digest shows."""

    brand: str
    window: DayWindow
    generated_at: datetime
    headlines: list[Headline] = field(default_factory=list)
    new_critics: list[CriticRow] = field(default_factory=list)
    new_critics_total: int = 0
    breaches: list[Breach] = field(default_factory=list)
    conversions: list[Conversion] = field(default_factory=list)
    walkaways: dict[str, int] = field(default_factory=dict)
    incidents: list[IncidentRow] = field(default_factory=list)
    gaps: list[CoverageGap] = field(default_factory=list)
    emerging: list[EmergingTopic] = field(default_factory=list)
    voices: list[Voice] = field(default_factory=list)
    hourly: list[HourBucket] = field(default_factory=list)
    what_works: WhatWorks | None = None
    product_report: ProductReport | None = None

    @property
    def quiet(self) -> bool:
        """Nothing happened: no mentions and no case activity."""
        return not any(b.mentions for b in self.hourly) and not (
            self.new_critics_total or self.breaches or self.conversions or self.walkaways
        )
