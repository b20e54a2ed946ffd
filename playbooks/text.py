"""Reading a mention's text against the playbook: topic, claimed falsehoods, thanks.

Kept out of the engine so :func:`playbooks.engine.advance` never touches text; the edge calls
:func:`critic_post` once per mention. Topic keywords match as whole words (``core.keywords``:
"cancel" is not "Cancelled two meetings"; ``throttl*`` is an explicit prefix); facts and thanks
are plain case-insensitive phrase search. Configuration never supplies a regular expression,
so hostile text cannot make matching slow.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.keywords import compile_keywords, count_hits
from playbooks.events import CriticReply, NewMention
from playbooks.schema import Playbook

GENERAL_TOPIC = "general"


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


@lru_cache(maxsize=256)
def _topic_patterns(keywords: tuple[str, ...]) -> list[re.Pattern[str]]:
    return compile_keywords(keywords)


def classify_topic(text: str, playbook: Playbook) -> str:
    """The topic with the most whole-word keyword hits (first defined wins ties); ``general``
    if none."""
    best, best_hits = GENERAL_TOPIC, 0
    for name, topic in playbook.topics.items():
        hits = count_hits(text, _topic_patterns(tuple(topic.keywords)))
        if hits > best_hits:
            best, best_hits = name, hits
    return best


def match_facts(text: str, playbook: Playbook) -> tuple[str, ...]:
    """Ids of the facts whose false claim the text seems to repeat."""
    folded = _folded(text)
    return tuple(f.id for f in playbook.facts.facts if any(k in folded for k in f.keywords))


def is_thanks(text: str, playbook: Playbook) -> bool:
    """True when the text thanks someone (the engine also checks it is not negative)."""
    folded = _folded(text)
    return any(k in folded for k in playbook.thanks_keywords)


def critic_post(
    playbook: Playbook,
    *,
    text: str,
    author_id: int,
    p_negative: float,
    sentiment: float,
    troll: float = 0.0,
    troll_reasons: tuple[str, ...] = (),
    followers: int = 0,
    mention_id: int | None = None,
    reply: bool = False,
    incident: bool = False,
    topic: str | None = None,
) -> NewMention | CriticReply:
    """Build the engine event for a critic's post, deriving topic, facts and thanks from text."""
    cls = CriticReply if reply else NewMention
    return cls(
        author_id=author_id,
        p_negative=p_negative,
        sentiment=sentiment,
        troll=troll,
        troll_reasons=tuple(troll_reasons),
        followers=followers,
        topic=topic or classify_topic(text, playbook),
        fact_ids=match_facts(text, playbook),
        thanked=is_thanks(text, playbook),
        mention_id=mention_id,
        incident=incident,
    )
