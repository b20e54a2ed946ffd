"""The export columns: one catalogue shared by every format, the reader and the docs.

Each field has a kind (``int``, ``float``, ``str``, ``bool``, ``ts``) that fixes its Parquet
type, how CSV cells are parsed back, and whether CSV neutralising applies (text kinds only:
numbers we format ourselves are never formulas).
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


FIELDS: tuple[Field, ...] = (
    Field("mention_id", "int", "Internal mention id (stable, ascending).", required=True),
    Field("source", "str", "Platform: x, reddit, bluesky, mastodon, file.", required=True),
    Field("external_id", "str", "The post's id on its platform.", "hash", required=True),
    Field("created_at", "ts", "When the post was published (UTC).", required=True),
    Field("fetched_at", "ts", "When it was collected (UTC).", required=True),
    Field("lang", "str", "Language code, when known."),
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
    Field("score_model", "str", "Model of the latest score."),
    Field("score_model_version", "str", "Model version of the latest score."),
    Field("sentiment_label", "str", "negative, neutral or positive."),
    Field("sentiment", "float", "p_positive - p_negative, in [-1, 1]."),
    Field("p_negative", "float", "Probability of negative sentiment."),
    Field("p_neutral", "float", "Probability of neutral sentiment."),
    Field("p_positive", "float", "Probability of positive sentiment."),
    Field("toxicity", "float", "Toxicity in [0, 1]."),
    Field("troll_likelihood", "float", "Troll likelihood in [0, 1]."),
    Field("troll_reasons", "str", "Why, as a JSON list of strings."),
    Field("scored_at", "ts", "When the latest score was made (UTC)."),
    Field("case_id", "int", "The author's open case, else their latest one."),
    Field("case_stage", "str", "acknowledge, empathize, goodwill, fan or walk_away."),
    Field("case_is_open", "bool", "Whether that case is still open."),
    Field("case_outcome", "str", "fan, walk_away, resolved ... once closed."),
    Field("case_walkaway_reason", "str", "Why staff walked away, if they did."),
)

FIELDS_BY_NAME: dict[str, Field] = {f.name: f for f in FIELDS}
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet")


def resolve_fields(names: Sequence[str] | str | None) -> tuple[Field, ...]:
    """The fields to export, in catalogue order; all of them when ``names`` is empty.

    Accepts a list or one comma-separated string; unknown names are an ``InputError``
    that lists the known ones.
    """
    if names is None:
        return FIELDS
    if isinstance(names, str):
        names = [names]
    wanted = [n.strip() for part in names for n in part.split(",") if n.strip()]
    if not wanted:
        return FIELDS
    unknown = [n for n in wanted if n not in FIELDS_BY_NAME]
    if unknown:
        raise InputError(
            f"unknown export field(s): {', '.join(unknown)}; known: {', '.join(FIELDS_BY_NAME)}"
        )
    chosen = set(wanted)
    return tuple(f for f in FIELDS if f.name in chosen)


def effective_kind(field: Field, *, anonymize: bool) -> Kind:
    """The kind a field has in the output: hashed fields become text."""
    if anonymize and field.anonymize == "hash":
        return "str"
    return field.kind
