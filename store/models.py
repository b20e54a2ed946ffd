"""The tables. Times are aware UTC (``UTCDateTime``); JSON columns hold raw payloads and extras.

``table=True`` models skip pydantic validation, so records are validated at the edge
(``core.records``) before they become rows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow
from core.stages import Stage
from store.types import UTCDateTime


class Role(StrEnum):
    """What a staff member may do on the board."""

    AGENT = "agent"
    LEAD = "lead"
    ANALYST = "analyst"
    ADMIN = "admin"


class Author(SQLModel, table=True):
    """A person or account on one platform."""

    __table_args__ = (UniqueConstraint("platform", "platform_id", name="uq_author_platform_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=32)
    platform_id: str = Field(max_length=255)
    handle: str = Field(max_length=255, index=True)
    display_name: str | None = None
    followers: int | None = None
    following: int | None = None
    account_created: datetime | None = Field(default=None, sa_type=UTCDateTime)
    is_brand: bool = False
    first_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Mention(SQLModel, table=True):
    """One public post that mentions the brand. Unique per (source, external id)."""

    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_mention_source_external_id"),
        Index("ix_mention_author_created", "author_id", "created_at"),
        Index("ix_mention_source_created", "source", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=32)
    external_id: str = Field(max_length=512)
    #: None when the platform did not say who wrote it: such a post is scored but opens no case.
    author_id: int | None = Field(default=None, foreign_key="author.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    lang: str | None = Field(default=None, max_length=16)
    #: The detector's confidence in ``lang`` (0 to 1); NULL when the platform tagged it.
    lang_confidence: float | None = None
    url: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    fetched_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    in_reply_to: str | None = Field(default=None, max_length=512)
    thread_id: str | None = Field(default=None, max_length=512, index=True)
    deleted: bool = False
    edited_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    raw: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class Score(SQLModel, table=True):
    """A model's reading of one mention. New model versions add rows; history stays."""

    __table_args__ = (
        UniqueConstraint("mention_id", "model_name", "model_version", name="uq_score_model"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int = Field(foreign_key="mention.id", index=True)
    model_name: str = Field(max_length=128)
    model_version: str = Field(max_length=64)
    sentiment_label: str = Field(max_length=16)
    p_negative: float
    p_neutral: float
    p_positive: float
    sentiment: float = Field(description="p_positive - p_negative, in [-1, 1]")
    toxicity: float
    troll_likelihood: float
    troll_reasons: list[str] = Field(default_factory=list, sa_type=JSON)
    language_supported: bool = True
    scored_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class DiscoveredTopic(SQLModel, table=True):
    """A complaint topic found by clustering the mentions' vectors (``scoring.topics``).

    Re-discovery keeps a topic's id (and a label staff gave it) when its new cluster lies
    close to the old centroid; a merged topic stays as a row pointing at where it went.
    """

    __tablename__ = "discovered_topic"

    id: int | None = Field(default=None, primary_key=True)
    label: str = Field(max_length=128)
    #: The most distinctive terms (c-TF-IDF), most distinctive first.
    terms: list[str] = Field(default_factory=list, sa_type=JSON)
    #: Ids of a few mentions closest to the centroid.
    examples: list[int] = Field(default_factory=list, sa_type=JSON)
    #: The unit centroid, float16 bytes (``scoring.topics.vectors``).
    centroid: bytes = Field(sa_type=LargeBinary)
    #: The configured topic this one grew from or matches, if any.
    seed: str | None = Field(default=None, max_length=64)
    size: int = 0
    #: Staff named it: re-discovery keeps the label.
    named_by_staff: bool = False
    active: bool = True
    merged_into: int | None = Field(default=None, foreign_key="discovered_topic.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class MentionTopic(SQLModel, table=True):
    """A mention's compact vector and the topic it was assigned (None: no topic near enough)."""

    __tablename__ = "mention_topic"
    __table_args__ = (Index("ix_mention_topic_topic", "topic_id"),)

    mention_id: int = Field(primary_key=True, foreign_key="mention.id")
    #: The encoder's unit vector as float16 bytes.
    vector: bytes = Field(sa_type=LargeBinary)
    topic_id: int | None = Field(default=None, foreign_key="discovered_topic.id")
    #: Cosine similarity to the topic's centroid when assigned.
    similarity: float | None = None
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Case(SQLModel, table=True):
    """One critic's case on one topic: the unit staff work on."""

    __table_args__ = (
        # covers choosing a page of the queue: its filters, then its order at any now
        Index(
            "ix_case_queue",
            *("is_open", "stage", "source", "topic", "assignee"),
            *("priority", "urgency_weight", "sla_due", "sla_minutes"),
        ),
        Index("ix_case_open_stage", "is_open", "stage"),
        Index("ix_case_open_assignee", "is_open", "assignee"),
        Index("ix_case_author_topic", "author_id", "topic", "is_open"),
        Index("ix_case_timer", "is_open", "timer_due"),
    )

    id: int | None = Field(default=None, primary_key=True)
    author_id: int = Field(foreign_key="author.id")
    topic: str = Field(default="general", max_length=64)
    source: str = Field(max_length=32, description="Where the opening mention came from.")
    stage: str = Field(default=Stage.ACKNOWLEDGE.value, max_length=16)
    is_open: bool = True
    priority: float = Field(
        default=0.0, description="The priority without its time term (the queue adds that)."
    )
    urgency_weight: float = Field(
        default=0.0, description="Priority added when the running SLA window is used up."
    )
    sla_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sla_minutes: int | None = Field(default=None, description="Length of the running SLA window.")
    timer_due: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assignee: str | None = Field(default=None, max_length=255)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: str | None = Field(default=None, max_length=32)
    walkaway_reason: str | None = Field(default=None, max_length=64)
    goodwill_spent: float = 0.0
    incident: bool = False
    latest_mention_id: int | None = Field(default=None, foreign_key="mention.id")
    state: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    #: What would fix it for this critic, in their words or staff's (plain text, staff edit it).
    one_thing: str | None = Field(default=None, sa_column=Column(Text))


class CaseEvent(SQLModel, table=True):
    """The append-only audit trail of a case: who did what, when and why."""

    __table_args__ = (Index("ix_caseevent_case_at", "case_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    kind: str = Field(max_length=32)
    actor: str = Field(max_length=255, description="'engine' or 'user:<username>'")
    stage_from: str | None = Field(default=None, max_length=16)
    stage_to: str | None = Field(default=None, max_length=16)
    mention_id: int | None = Field(default=None, foreign_key="mention.id", index=True)
    body: str | None = Field(default=None, sa_column=Column(Text))
    reason: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class SourceCursor(SQLModel, table=True):
    """How far a source, or a pipeline stage (``stage:<name>``), has got."""

    name: str = Field(primary_key=True, max_length=255)
    value: str
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Tombstone(SQLModel, table=True):
    """A platform's deletion notice for a post not stored yet: the post, when it comes, is
    stored deleted with its text purged."""

    source: str = Field(primary_key=True, max_length=32)
    external_id: str = Field(primary_key=True, max_length=512)
    deleted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class SourceGap(SQLModel, table=True):
    """A time range a collector could not read (``store.gaps``): shown on the board and in
    the digest until a backfill covers it."""

    __table_args__ = (Index("ix_sourcegap_end", "gap_end"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=255, description="the collector's name, e.g. 'x:mentions'")
    gap_start: datetime = Field(sa_type=UTCDateTime)
    gap_end: datetime = Field(sa_type=UTCDateTime)
    reason: str = Field(max_length=255)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    backfilled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class User(SQLModel, table=True):
    """A staff member who signs in to the board."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str
    email: str | None = None
    role: str = Field(default=Role.AGENT.value, max_length=16)
    password_hash: str
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SignInKind(StrEnum):
    """What happened at the board's door."""

    SIGNED_IN = "signed_in"
    FAILED = "failed"
    LOCKED = "locked"
    SIGNED_OUT = "signed_out"
    EXPIRED = "expired"
    ENDED = "ended"


class SignInEvent(SQLModel, table=True):
    """The board's sign-in audit trail: sign-ins, failures, refusals while locked, sign-outs,
    sessions ended by the idle timeout or a disabled account. Failures counted here lock a
    username or a client address, so a reload does not reset them."""

    __table_args__ = (
        Index("ix_signinevent_username_at", "username", "at"),
        Index("ix_signinevent_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: str = Field(max_length=16, description="a SignInKind")
    username: str = Field(max_length=64, description="as typed, lower-case (may not exist)")
    address: str = Field(max_length=64, description="the client's IP address, or 'local'")
    detail: str | None = Field(default=None, max_length=255)


class GoodwillLedger(SQLModel, table=True):
    """Every goodwill spend: refund, credit or gift, by whom, on which case."""

    __table_args__ = (Index("ix_goodwill_user_at", "actor", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    actor: str = Field(max_length=255)
    kind: str = Field(max_length=32, description="refund, credit, gift, ...")
    amount: float
    currency: str = Field(default="USD", max_length=8)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    note: str | None = None
    approved_by: str | None = Field(default=None, max_length=255)


class GoodwillRequestState(StrEnum):
    """Where goodwill asked for over the budgets stands (``store.goodwill`` decides it)."""

    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class GoodwillRequest(SQLModel, table=True):
    """Goodwill an agent asked to give over the budgets: pending until a lead approves it (it is
    then given, a ``GoodwillLedger`` row) or declines it with a reason (nothing is spent)."""

    __table_args__ = (Index("ix_goodwillrequest_state_at", "state", "requested_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case.id", index=True)
    requested_by: str = Field(max_length=255)
    kind: str = Field(max_length=32)
    amount: float
    currency: str = Field(default="USD", max_length=8)
    note: str | None = None
    #: The budgets it goes over when asked, e.g. ``["per case 100"]``.
    over: list[str] = Field(default_factory=list, sa_type=JSON)
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    state: str = Field(default=GoodwillRequestState.PENDING.value, max_length=16)
    decided_by: str | None = Field(default=None, max_length=255)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    #: A lead's reason for declining.
    reason: str | None = None


class Incident(SQLModel, table=True):
    """A crisis worked as one object: opened from a spike, an emerging topic or by a lead;
    scoped to a topic (and a region or platform when given); a commander; a holding reply for
    the critics it affects; status updates; a root cause and a fix; closed by a lead."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, description="'manual', 'spike' or 'emerging'")
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    started_by: str = Field(max_length=255)
    reason: str | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    topic: str | None = Field(
        default=None, max_length=64, description="the scope's topic: only its cases are tagged"
    )
    close_proposed_at: datetime | None = Field(
        default=None,
        sa_type=UTCDateTime,
        description="when the topic's volume was back at its baseline (closing is proposed)",
    )
    region: str | None = Field(
        default=None, max_length=64, description="the region the incident is in, as staff name it"
    )
    platform: str | None = Field(
        default=None, max_length=32, description="the one platform in scope (None: all of them)"
    )
    commander: str | None = Field(
        default=None, max_length=255, description="'user:<name>' running it (None: nobody yet)"
    )
    holding_reply: str | None = Field(
        default=None,
        sa_column=Column(Text),
        description="what affected critics are told while it lasts ({{ name }} and the like)",
    )
    root_cause: str | None = Field(default=None, sa_column=Column(Text))
    fix: str | None = Field(default=None, sa_column=Column(Text))
    fixed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    fixed_by: str | None = Field(default=None, max_length=255)
    ended_by: str | None = Field(default=None, max_length=255)


class IncidentCase(SQLModel, table=True):
    """A case tagged to an incident: its critic is affected. Kept after the incident closes;
    ``followup_id`` is the "it's fixed" draft, made once."""

    incident_id: int = Field(primary_key=True, foreign_key="incident.id")
    case_id: int = Field(primary_key=True, foreign_key="case.id", index=True)
    tagged_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    followup_id: int | None = Field(default=None, foreign_key="outboxitem.id")


class IncidentUpdate(SQLModel, table=True):
    """A status update posted once on each of the brand's platform accounts (the outbox rows
    whose ``incident_update_id`` is this one)."""

    __table_args__ = (Index("ix_incidentupdate_incident_at", "incident_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(foreign_key="incident.id")
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    author: str = Field(max_length=255, description="'user:<name>'")
    text: str = Field(sa_column=Column(Text, nullable=False))
    #: The outbox row's id per platform: ``{"x": 12, "mastodon": 13}``.
    outbox_ids: dict[str, int] = Field(default_factory=dict, sa_type=JSON)


class OutboxState(StrEnum):
    """Where a reply stands on its way to the platform (``store.outbox`` moves it)."""

    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxItem(SQLModel, table=True):
    """One reply on its way to a platform, from draft to sent (or failed, or cancelled).

    ``idempotency_key`` is minted once per approval. A row is ``sending`` from the committed
    moment before the platform call until its result is recorded; ``uncertain`` says the
    platform may hold the post already, so it is looked up (reconciled) before any retry.
    """

    __table_args__ = (
        Index("ix_outboxitem_state_next", "state", "next_attempt_at"),
        Index("ix_outboxitem_platform_post", "platform", "platform_post_id"),
        Index("ix_outboxitem_case", "case_id", "id"),
        UniqueConstraint("incident_update_id", "platform", name="uq_outboxitem_update_platform"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: The case answered; None for a standalone post on the brand's own channel.
    case_id: int | None = Field(default=None, foreign_key="case.id")
    #: The incident status update this standalone post carries (one row per platform).
    incident_update_id: int | None = Field(default=None, foreign_key="incidentupdate.id")
    #: The post answered (its author receives a private message).
    mention_id: int | None = Field(default=None, foreign_key="mention.id")
    platform: str = Field(max_length=32)
    #: The platform's id of the post answered, kept for the echo's match.
    in_reply_to: str | None = Field(default=None, max_length=512)
    private: bool = False
    text: str = Field(sa_column=Column(Text, nullable=False))
    state: str = Field(default=OutboxState.DRAFT.value, max_length=20)
    drafted_by: str = Field(max_length=255)
    drafted_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, max_length=255)
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by: str | None = Field(default=None, max_length=255)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    idempotency_key: str | None = Field(default=None, max_length=64, unique=True)
    attempts: int = 0
    first_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    uncertain: bool = False
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    platform_post_id: str | None = Field(default=None, max_length=512)
    url: str | None = None
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, sa_column=Column(Text))
    echo_mention_id: int | None = Field(default=None, foreign_key="mention.id")
    #: The case counted this reply as the staff reply (once, by the playbook runner).
    counted: bool = False


class WorkLease(SQLModel, table=True):
    """A worker's claim on a unit of work, expiring so a dead worker's work is retried."""

    __table_args__ = (Index("ix_worklease_queue_expires", "queue", "expires_at"),)

    queue: str = Field(primary_key=True, max_length=64)
    item_id: int = Field(primary_key=True)
    worker: str = Field(max_length=128)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    """One human behind accounts staff linked (``store.people``): their cases read as one
    relationship, across platforms."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str = Field(max_length=255)


class PersonAccount(SQLModel, table=True):
    """An account linked to a person. An account belongs to one person at most, so links
    are transitive: linking two accounts joins their people."""

    author_id: int = Field(primary_key=True, foreign_key="author.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    linked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    linked_by: str = Field(max_length=255)


class PersonEvent(SQLModel, table=True):
    """The append-only audit of linking: who linked or unlinked which accounts, and when."""

    __table_args__ = (Index("ix_personevent_person_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor: str = Field(max_length=255, description="'user:<username>'")
    kind: str = Field(max_length=16, description="'linked' or 'unlinked'")
    #: The person the accounts belong to (or belonged to); kept when the person is gone.
    person_id: int
    author_id: int = Field(foreign_key="author.id", index=True)
    other_author_id: int | None = Field(default=None, foreign_key="author.id")


class ExperimentAssignment(SQLModel, table=True):
    """The variant of a template experiment a case was given, the first time the experiment
    suggested a reply for it; never changed afterwards (a stopped experiment keeps its rows)."""

    __tablename__ = "experiment_assignment"

    experiment: str = Field(primary_key=True, max_length=64)
    case_id: int = Field(primary_key=True, foreign_key="case.id", index=True)
    variant: str = Field(max_length=64)
    assigned_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ExperimentStop(SQLModel, table=True):
    """A lead stopped a template experiment: who, when and why. New cases get the playbook's
    own template from then on."""

    __tablename__ = "experiment_stop"

    experiment: str = Field(primary_key=True, max_length=64)
    stopped_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    stopped_by: str = Field(max_length=255, description="'user:<name>'")
    reason: str = Field(sa_column=Column(Text, nullable=False))


__all__ = [
    "Author",
    "Case",
    "CaseEvent",
    "DiscoveredTopic",
    "ExperimentAssignment",
    "ExperimentStop",
    "GoodwillLedger",
    "Incident",
    "IncidentCase",
    "IncidentUpdate",
    "Mention",
    "MentionTopic",
    "OutboxItem",
    "OutboxState",
    "Person",
    "PersonAccount",
    "PersonEvent",
    "Role",
    "Score",
    "SignInEvent",
    "SignInKind",
    "SourceCursor",
    "SourceGap",
    "Stage",
    "Tombstone",
    "User",
    "WorkLease",
]
