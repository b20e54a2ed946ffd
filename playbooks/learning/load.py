"""The edge of learning: read a window's cases and what surrounds them, and attribute each.

The suggested text a reply started from is not stored; it is rendered again from the playbook
given here (the one in use now), with the critic's name as the board would have shown it.
A template changed since the reply makes that reply's edit share overstate the edit.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import PlaybookError
from core.names import clean_name
from playbooks.learning.attribution import Attribution, LearningPolicy, attribute
from playbooks.schema import Playbook
from playbooks.templates import render_reply, template_key
from store import attribution as reads
from store.cases import cases_opened_between, events_for_cases
from store.digest import authors_by_id

log = logging.getLogger(__name__)


def attributions(
    engine: Engine,
    since: datetime,
    until: datetime,
    *,
    now: datetime,
    playbook: Playbook,
    policy: LearningPolicy | None = None,
) -> list[Attribution]:
    """One attribution per case opened in ``[since, until)``, durability read at ``now``."""
    policy = policy or LearningPolicy()
    with Session(engine) as session:
        cases = [c for c in cases_opened_between(session, since, until) if c.id is not None]
        ids = [c.id for c in cases if c.id is not None]
        events = events_for_cases(session, ids)
        by_case: dict[int, list[Any]] = {}
        for e in events:
            by_case.setdefault(e.case_id, []).append(e)
        authors = authors_by_id(session, [c.author_id for c in cases])
        posts = reads.scored_posts(session, [e.mention_id for e in events])
        goodwill: dict[int, list[reads.GoodwillRow]] = {}
        for g in reads.goodwill_for_cases(session, ids):
            goodwill.setdefault(g.case_id, []).append(g)
        outbox_ids = [e.data.get("outbox_id") for e in events if e.kind == "reply" and e.data]
        private = reads.private_outbox_items(session, [i for i in outbox_ids if isinstance(i, int)])
        fans = [c for c in cases if c.stage == "fan" and c.closed_at is not None]
        first_fan = min((c.closed_at for c in fans if c.closed_at), default=until)
        later = reads.posts_after(session, {c.author_id for c in fans}, first_fan)
        loud = reads.post_counts(session, [c.author_id for c in cases], since, until)
        staff = reads.staff_usernames(session)
    keys = _template_keys(playbook)
    out = []
    for c in cases:
        assert c.id is not None
        author = authors.get(c.author_id)
        name = ""
        if author is not None:
            name = clean_name(author.display_name) or f"@{clean_name(author.handle)}"
        out.append(
            attribute(
                c,
                by_case.get(c.id, []),
                handle=author.handle if author else "?",
                followers=author.followers if author else None,
                posts=posts,
                later_posts=later.get(c.author_id, []),
                goodwill=goodwill.get(c.id, []),
                private_outbox=private,
                staff=staff,
                template_key=keys,
                render=_renderer(playbook, name),
                now=now,
                policy=policy,
                loudness_posts=loud.get(c.author_id, 0),
            )
        )
    log.debug("attributed %d cases opened %s to %s", len(out), since, until)
    return out


def _template_keys(playbook: Playbook) -> Any:
    def key(stage: str, topic: str) -> str | None:
        return template_key(playbook, stage, topic)

    return key


def _renderer(playbook: Playbook, name: str) -> Any:
    def render(data: Mapping[str, Any]) -> str:
        try:
            return render_reply(
                playbook,
                str(data.get("stage") or ""),
                str(data.get("topic") or ""),
                name=name,
                fact_ids=list(data.get("fact_ids") or ()),
                private=bool(data.get("private")),
            )
        except PlaybookError as exc:
            log.warning("suggested reply not rendered again: %s", exc)
            return ""

    return render
