"""The playbook and facts-library file formats, as pydantic models.

Everything that differs between brands lives here as configuration: thresholds, SLA minutes,
topics and their keywords, reply templates, goodwill budgets, walk-away rules. The loader
(:mod:`playbooks.loader`) maps validation errors back to file lines.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from playbooks.state import ACKNOWLEDGE, EMPATHIZE, GOODWILL, OPEN_STAGES, STAGES

#: Variables a reply template may use.
TEMPLATE_VARIABLES: tuple[str, ...] = ("name", "brand", "topic", "fact", "private", "help")
#: Template sets for moments that are not stages: the one calm public reply to a likely troll,
#: the single public statement that answers a pile-on, the holding reply for a critic affected
#: by an incident, and the "it's fixed" follow-up once its fix is recorded.
REPLY_MOMENTS: tuple[str, ...] = ("high_ground", "pileon", "holding", "fixed")


def _clean_keywords(value: list[str]) -> list[str]:
    cleaned = [k.strip().lower() for k in value]
    if any(not k for k in cleaned):
        raise ValueError("keywords must not be empty")
    for k in cleaned:
        if "*" in k.rstrip("*") or k.count("*") > 1 or not k.rstrip("*").strip():
            raise ValueError(
                f"keyword {k!r}: '*' may only end a keyword, once, after at least one letter "
                "(a prefix: 'throttl*' matches 'throttled')"
            )
    return cleaned


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Brand(_Strict):
    """Who the playbook speaks for."""

    name: str = Field(min_length=1)
    handles: list[str] = Field(default_factory=list)
    help_url: str | None = Field(
        None, description="The help page replies point to (``{{ help }}`` in templates)."
    )


class Thresholds(_Strict):
    """Score cut-offs that decide when cases open, convert and get a walk-away recommendation."""

    open_negativity: float = Field(0.6, ge=0, le=1, description="p_negative that opens a case.")
    praise_sentiment: float = Field(0.3, ge=-1, le=1, description="At/above: praise, no case.")
    fan_sentiment: float = Field(0.4, ge=-1, le=1, description="At/above after a reply: a fan.")
    troll_likely: float = Field(0.7, ge=0, le=1, description="At/above: recommend walking away.")


class SlaMinutes(_Strict):
    """How long staff have to reply in each open stage."""

    acknowledge: int = Field(60, gt=0)
    empathize: int = Field(240, gt=0)
    goodwill: int = Field(1440, gt=0)

    def for_stage(self, stage: str) -> int:
        """Minutes allowed in ``stage`` (an open stage)."""
        return int(getattr(self, stage))


class WalkAwayRules(_Strict):
    """When the engine closes or recommends closing a case without a fan."""

    no_answer_days: float = Field(5, gt=0, description="Critic silent this long: walk away.")
    max_goodwill_rounds: int = Field(
        3, ge=1, description="Still negative after this many goodwill exchanges: recommend."
    )


class PrivateRules(_Strict):
    """When to suggest moving the conversation from public to private messages."""

    after_critic_replies: int = Field(1, ge=0)
    min_followers: int = Field(10_000, ge=0, description="Large audiences move private at once.")


class PriorityWeights(_Strict):
    """Weights of the priority formula (see docs/playbooks.md)."""

    negativity: float = Field(0.5, ge=0)
    reach: float = Field(0.3, ge=0)
    urgency: float = Field(0.2, ge=0)
    troll_discount: float = Field(0.7, ge=0, le=1)
    breach_bonus: float = Field(0.5, ge=0)
    reach_cap_followers: int = Field(1_000_000, gt=1)


class Escalation(_Strict):
    """Who gets a case whose SLA was breached."""

    assign_to: str = Field("lead", min_length=1)


class GoodwillBudget(_Strict):
    """Goodwill staff may spend without asking a lead."""

    currency: str = "USD"
    kinds: list[str] = Field(default_factory=lambda: ["refund", "credit", "gift"], min_length=1)
    per_agent_per_day: float = Field(50, ge=0)
    per_day: float = Field(500, ge=0)
    per_case: float = Field(100, ge=0)


class LearningRules(_Strict):
    """What the "What works" figures count with (docs/learning.md)."""

    tier_bounds: list[int] = Field(
        default_factory=lambda: [1_000, 10_000, 100_000],
        min_length=1,
        description="Follower counts where the follower tiers change, ascending.",
    )
    min_cases: int = Field(10, ge=1, description="Fewer decided cases: shown, not ranked.")
    staff_minutes: dict[str, float] = Field(
        default_factory=dict,
        description="Minutes a staff action counts as, by trail kind (overrides the defaults).",
    )
    durability_days: list[int] = Field(
        default_factory=lambda: [30, 90],
        min_length=2,
        max_length=2,
        description="Days after becoming a fan at which durability is read.",
    )
    loud_flag_ratio: float = Field(
        1.5, gt=1, description="Flag when the loudest fifth gets this many times the goodwill."
    )

    @field_validator("tier_bounds")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        if any(b <= a for a, b in zip(value, value[1:], strict=False)) or value[0] <= 0:
            raise ValueError("tier_bounds must be positive and ascending")
        return value

    @field_validator("staff_minutes")
    @classmethod
    def _non_negative(cls, value: dict[str, float]) -> dict[str, float]:
        if any(v < 0 for v in value.values()):
            raise ValueError("staff_minutes must not be negative")
        return value


class SendingRules(_Strict):
    """Who may send a reply without a lead's approval."""

    agent_may_send: list[str] = Field(
        default_factory=lambda: ["acknowledge", "empathize"],
        description="Stages at which an agent sends a reply directly; elsewhere a lead approves.",
    )

    @field_validator("agent_may_send")
    @classmethod
    def _known_stages(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in OPEN_STAGES]
        if unknown:
            raise ValueError(f"unknown stages {unknown}; expected some of {sorted(OPEN_STAGES)}")
        return value


class Topic(_Strict):
    """A topic and the words that put a mention in it: whole words or phrases (a plural ``s``
    allowed), or a prefix ending in ``*`` (``core.keywords``)."""

    keywords: list[str] = Field(min_length=1)

    @field_validator("keywords")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return _clean_keywords(value)


class SpikeRules(_Strict):
    """What counts as a spike in volume or negativity against the rolling baseline."""

    bucket_minutes: int = Field(60, gt=0)
    baseline_buckets: int = Field(24, ge=2)
    volume_factor: float = Field(3.0, gt=1)
    min_volume: int = Field(10, ge=1)
    negativity_rise: float = Field(0.25, gt=0, le=1)


class Fact(_Strict):
    """A correction for a common false claim, offered when a mention makes that claim."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    claim: str = Field(min_length=1, description="The false claim, for staff.")
    keywords: list[str] = Field(min_length=1, description="Phrases (any) that signal the claim.")
    fact: str = Field(min_length=1, description="The true statement offered in replies.")
    source: str | None = None

    @field_validator("keywords")
    @classmethod
    def _lower(cls, value: list[str]) -> list[str]:
        return _clean_keywords(value)


class FactsLibrary(_Strict):
    """A brand's facts library (``facts.yaml``)."""

    facts: list[Fact] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_ids(self) -> FactsLibrary:
        seen: set[str] = set()
        for fact in self.facts:
            if fact.id in seen:
                raise ValueError(f"duplicate fact id {fact.id!r}")
            seen.add(fact.id)
        return self


StageTemplates = dict[str, str]

#: A variant's name: lower_case_with_underscores.
VariantName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
#: What an experiment counts as a success: the case closed with a fan.
EXPERIMENT_METRICS: tuple[str, ...] = ("fan",)


class Experiment(_Strict):
    """Several variants of one reply template, tried on cases assigned at random.

    ``stage`` and ``topic`` name the template the variants stand in for (``topic`` is the
    template's key: a topic with its own template, or ``default`` for the topics without one).
    The first variant (or ``control``) is the control every other variant is compared with.
    """

    stage: str
    topic: str = "default"
    variants: dict[VariantName, str] = Field(min_length=2, max_length=6)
    control: str | None = Field(None, description="The variant others are compared with.")
    metric: str = Field("fan", description="What counts as a success: the case became a fan.")
    min_sample: int = Field(
        100, ge=10, description="Closed cases each variant needs before any verdict."
    )
    alpha: float = Field(0.05, gt=0, le=0.2, description="The chance of a false winner, at most.")
    mixture_sd: float = Field(
        0.03, gt=0, le=1, description="The test's prior scale of the uplift (a few points)."
    )

    @field_validator("variants")
    @classmethod
    def _variant_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, source in value.items():
            if not source or not source.strip():
                raise ValueError(f"variant {name!r} has an empty template")
        return value

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        if value not in EXPERIMENT_METRICS:
            known = list(EXPERIMENT_METRICS)
            raise ValueError(f"unknown metric {value!r}; expected one of {known}")
        return value

    @model_validator(mode="after")
    def _control_is_a_variant(self) -> Experiment:
        if self.control is not None and self.control not in self.variants:
            raise ValueError(f"control {self.control!r} is not one of the variants")
        return self

    @property
    def control_variant(self) -> str:
        """The variant the others are compared with."""
        return self.control or next(iter(self.variants))


class Playbook(_Strict):
    """A brand's playbook (``playbook.yaml``) with its facts library attached."""

    version: int = Field(1, ge=1, le=1)
    brand: Brand
    facts_file: str = "facts.yaml"
    thresholds: Thresholds = Field(default_factory=Thresholds)
    sla_minutes: SlaMinutes = Field(default_factory=SlaMinutes)
    walk_away: WalkAwayRules = Field(default_factory=WalkAwayRules)
    private: PrivateRules = Field(default_factory=PrivateRules)
    priority: PriorityWeights = Field(default_factory=PriorityWeights)
    escalation: Escalation = Field(default_factory=Escalation)
    goodwill: GoodwillBudget = Field(default_factory=GoodwillBudget)
    sending: SendingRules = Field(default_factory=SendingRules)
    spike: SpikeRules = Field(default_factory=SpikeRules)
    learning: LearningRules = Field(default_factory=LearningRules)
    thanks_keywords: list[str] = Field(default_factory=lambda: ["thank", "thanks", "thx"])
    topics: dict[str, Topic] = Field(default_factory=dict)
    templates: dict[str, StageTemplates]
    experiments: dict[str, Experiment] = Field(default_factory=dict)
    facts: FactsLibrary = Field(default_factory=FactsLibrary)

    @field_validator("thanks_keywords")
    @classmethod
    def _lower_thanks(cls, value: list[str]) -> list[str]:
        return [k.strip().lower() for k in value if k.strip()]

    @field_validator("topics")
    @classmethod
    def _topic_names(cls, value: dict[str, Topic]) -> dict[str, Topic]:
        for name in value:
            if not name.isidentifier() or name != name.lower():
                raise ValueError(f"topic name {name!r} must be lower_case_with_underscores")
        if "general" in value:
            raise ValueError("'general' is the built-in fallback topic; do not define it")
        return value

    @field_validator("templates")
    @classmethod
    def _template_stages(cls, value: dict[str, StageTemplates]) -> dict[str, StageTemplates]:
        for stage, by_topic in value.items():
            if stage not in STAGES and stage not in REPLY_MOMENTS:
                known = [*STAGES, *REPLY_MOMENTS]
                raise ValueError(f"unknown stage {stage!r}; expected one of {known}")
            if "default" not in by_topic:
                raise ValueError(f"templates.{stage} needs a 'default' template")
        for stage in (ACKNOWLEDGE, EMPATHIZE, GOODWILL):
            if stage not in value:
                raise ValueError(f"templates for the open stage {stage!r} are missing")
        return value

    @field_validator("experiments")
    @classmethod
    def _experiment_names(cls, value: dict[str, Experiment]) -> dict[str, Experiment]:
        for name in value:
            if not name.isidentifier() or name != name.lower() or len(name) > 64:
                raise ValueError(f"experiment name {name!r} must be lower_case_with_underscores")
        return value

    @property
    def open_stages(self) -> frozenset[str]:
        """The stages in which a case is open."""
        return OPEN_STAGES
