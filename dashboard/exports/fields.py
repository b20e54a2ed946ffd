"""The export columns: one catalogue per dataset, shared by every format, the reader and the docs.

Each field has a kind (``int``, ``float``, ``str``, ``bool``, ``ts``) that fixes its Arrow and
Parquet type, how CSV cells are parsed back, and whether CSV neutralising applies (text kinds
only: numbers we format ourselves are never formulas).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from core.errors import InputError

Kind = Literal["int", "float", "str", "bool", "ts"]


@dataclass(frozen=True)
class Field:
    """One export column."""

    name: str
    kind: Kind
    help: str
    #: Replaced by a salted hash (``hash``) or dropped to empty (``drop``) when anonymizing.
    anonymize: Literal["keep", "hash", "drop"] = "keep"
    #: Never empty in the store (an empty CSV cell then means an empty string, not None).
    required: bool = False
    #: Few distinct values (a platform, a stage, a label): dictionary-encoded in Parquet.
    categorical: bool = False


MENTION_FIELDS: tuple[Field, ...] = (
    Field("mention_id", "int", "Internal mention id (stable, ascending).", required=True),
    Field(
        "source",
        "str",
        "Platform: x, reddit, bluesky, mastodon, file.",
        required=True,
        categorical=True,
    ),
    Field("external_id", "str", "The post's id on its platform.", "hash", required=True),
    Field("created_at", "ts", "When the post was published (UTC).", required=True),
    Field("fetched_at", "ts", "When it was collected (UTC).", required=True),
    Field("lang", "str", "Language code, when known.", categorical=True),
    Field("url", "str", "Link to the post.", "drop"),
    Field("text", "str", "The post's text (hostile input: neutralised in CSV).", required=True),
    Field("in_reply_to", "str", "External id of the post it replies to.", "hash"),
    Field("thread_id", "str", "External id of the thread's root.", "hash"),
    Field("deleted", "bool", "The platform reported the post deleted.", required=True),
    Field("author_id", "int", "Internal author id.", "hash", required=True),
    Field("author_platform_id", "str", "The author's id on the platform.", "hash", required=True),
    Field("author_handle", "str", "The author's handle.", "hash", required=True),
    Field("author_display_name", "str", "The author's display name.", "drop"),
    Field("author_followers", "int", "Follower count when last seen."),
    Field("score_model", "str", "Model of the latest score.", categorical=True),
    Field("score_model_version", "str", "Model version of the latest score.", categorical=True),
    Field("sentiment_label", "str", "negative, neutral or positive.", categorical=True),
    Field("sentiment", "float", "p_positive - p_negative, in [-1, 1]."),
    Field("p_negative", "float", "Probability of negative sentiment."),
    Field("p_neutral", "float", "Probability of neutral sentiment."),
    Field("p_positive", "float", "Probability of positive sentiment."),
    Field("toxicity", "float", "Toxicity in [0, 1]."),
    Field("troll_likelihood", "float", "Troll likelihood in [0, 1]."),
    Field("troll_reasons", "str", "Why, as a JSON list of strings.", categorical=True),
    Field("scored_at", "ts", "When the latest score was made (UTC)."),
    Field("case_id", "int", "The author's open case, else their latest one."),
    Field(
        "case_stage", "str", "acknowledge, empathize, goodwill, fan or walk_away.", categorical=True
    ),
    Field("case_is_open", "bool", "Whether that case is still open."),
    Field("case_outcome", "str", "fan, walk_away, resolved ... once closed.", categorical=True),
    Field("case_walkaway_reason", "str", "Why staff walked away, if they did.", categorical=True),
)

CASE_FIELDS: tuple[Field, ...] = (
    Field("case_id", "int", "Internal case id (stable, ascending).", required=True),
    Field("author_id", "int", "The critic's internal author id.", "hash", required=True),
    Field("author_platform_id", "str", "The critic's id on the platform.", "hash", required=True),
    Field("author_handle", "str", "The critic's handle.", "hash", required=True),
    Field(
        "topic",
        "str",
        "What the case is about (one case per author and topic).",
        required=True,
        categorical=True,
    ),
    Field(
        "source", "str", "Platform of the mention that opened it.", required=True, categorical=True
    ),
    Field(
        "stage",
        "str",
        "acknowledge, empathize, goodwill, fan or walk_away.",
        required=True,
        categorical=True,
    ),
    Field("is_open", "bool", "Whether the case is still open.", required=True),
    Field("priority", "float", "Priority without the queue's time term.", required=True),
    Field("assignee", "str", "Staff member working it, if any.", categorical=True),
    Field("opened_at", "ts", "When it was opened (UTC).", required=True),
    Field("updated_at", "ts", "Last change (UTC).", required=True),
    Field("sla_due", "ts", "When the running SLA window ends (UTC)."),
    Field("closed_at", "ts", "When it was closed (UTC)."),
    Field("outcome", "str", "fan, walk_away, resolved ... once closed.", categorical=True),
    Field("walkaway_reason", "str", "Why staff walked away, if they did.", categorical=True),
    Field("goodwill_spent", "float", "Goodwill spent on it so far.", required=True),
    Field("incident", "bool", "Tagged by an incident (templated replies paused).", required=True),
    Field("latest_mention_id", "int", "The critic's newest mention on it."),
)

#: What a case event's or a goodwill row's case is: its critic, platform and topic.
CASE_OF_ROW_FIELDS: tuple[Field, ...] = (
    Field("case_author_id", "int", "The case's critic.", "hash", required=True),
    Field("case_source", "str", "The case's platform.", required=True, categorical=True),
    Field("case_topic", "str", "The case's topic.", required=True, categorical=True),
)

CASE_EVENT_FIELDS: tuple[Field, ...] = (
    Field("event_id", "int", "Internal event id (stable, ascending).", required=True),
    Field("case_id", "int", "The case it belongs to.", required=True),
    Field("at", "ts", "When it happened (UTC).", required=True),
    Field(
        "kind",
        "str",
        "What happened: opened, a stage change, a note, a reply ...",
        required=True,
        categorical=True,
    ),
    Field("actor", "str", "'engine' or 'user:<username>'.", required=True, categorical=True),
    Field("stage_from", "str", "Stage before, for a stage change.", categorical=True),
    Field("stage_to", "str", "Stage after, for a stage change.", categorical=True),
    Field("mention_id", "int", "The mention it answers or was triggered by."),
    Field("body", "str", "Reply or note text (neutralised in CSV)."),
    Field("reason", "str", "Why, in the actor's words or the rule's name."),
    Field("data", "str", "Details, as a JSON object."),
    *CASE_OF_ROW_FIELDS,
)

GOODWILL_FIELDS: tuple[Field, ...] = (
    Field("goodwill_id", "int", "Internal ledger id (stable, ascending).", required=True),
    Field("case_id", "int", "The case it was spent on.", required=True),
    Field("at", "ts", "When it was spent (UTC).", required=True),
    Field("actor", "str", "Who spent it.", required=True, categorical=True),
    Field("kind", "str", "refund, credit, gift, ...", required=True, categorical=True),
    Field("amount", "float", "How much.", required=True),
    Field("currency", "str", "ISO currency code.", required=True, categorical=True),
    Field("note", "str", "Staff note."),
    Field("approved_by", "str", "Lead who approved an over-budget spend.", categorical=True),
    *CASE_OF_ROW_FIELDS,
)

TOPIC_FIELDS: tuple[Field, ...] = (
    Field("topic_id", "int", "Internal topic id (kept across re-discovery).", required=True),
    Field("label", "str", "Its name (staff's, else from its terms).", required=True),
    Field("terms", "str", "Most distinctive terms, as a JSON list.", required=True),
    Field("seed", "str", "The configured topic it grew from, if any.", categorical=True),
    Field("size", "int", "Mentions in its cluster at the last discovery.", required=True),
    Field("mentions", "int", "Mentions assigned to it now.", required=True),
    Field("example_mention_ids", "str", "Mentions closest to its centre, as a JSON list."),
    Field("named_by_staff", "bool", "Staff named it (re-discovery keeps it).", required=True),
    Field("active", "bool", "False once merged into another.", required=True),
    Field("merged_into", "int", "The topic it was merged into."),
    Field("created_at", "ts", "When it was first found (UTC).", required=True),
    Field("updated_at", "ts", "Last change (UTC).", required=True),
)

CASE_TOPIC_FIELDS: tuple[Field, ...] = (
    Field("topic", "str", "Case topic.", required=True),
    Field("cases", "int", "Cases opened under it.", required=True),
    Field("open_cases", "int", "Of which still open.", required=True),
    Field("fans", "int", "Closed as fans.", required=True),
    Field("walk_aways", "int", "Closed as walk-aways.", required=True),
    Field("goodwill_spent", "float", "Goodwill spent on its cases.", required=True),
    Field("first_opened_at", "ts", "First case opened (UTC).", required=True),
    Field("last_updated_at", "ts", "Last case change (UTC).", required=True),
)

#: The mention catalogue (the default dataset's), under its historical name.
FIELDS = MENTION_FIELDS
FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")


def resolve_fields(
    names: Sequence[str] | str | None, catalogue: Sequence[Field] = FIELDS
) -> tuple[Field, ...]:
    """The fields to export, in catalogue order; all of them when ``names`` is empty.

    Accepts a list or one comma-separated string; unknown names are an ``InputError``
    that lists the known ones.
    """
    catalogue = tuple(catalogue)
    by_name = {f.name: f for f in catalogue}
    if names is None:
        return catalogue
    if isinstance(names, str):
        names = [names]
    wanted = [n.strip() for part in names for n in part.split(",") if n.strip()]
    if not wanted:
        return catalogue
    unknown = [n for n in wanted if n not in by_name]
    if unknown:
        raise InputError(
            f"unknown export field(s): {', '.join(unknown)}; known: {', '.join(by_name)}"
        )
    chosen = set(wanted)
    return tuple(f for f in catalogue if f.name in chosen)


def effective_kind(field: Field, *, anonymize: bool) -> Kind:
    """The kind a field has in the output: hashed fields become text."""
    if anonymize and field.anonymize == "hash":
        return "str"
    return field.kind
