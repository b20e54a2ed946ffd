"""The critic's "one thing": what would fix it for them, kept on their case.

Staff write it in plain words; every change is a ``one_thing`` ``CaseEvent`` naming the user,
with the new text as its body and the text it replaced in its data, so the trail keeps each
version. The text is user-facing input: it is stored as typed (control characters aside) and
shown as plain text only.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session

from core.errors import InputError
from store.models import Case, CaseEvent

log = logging.getLogger(__name__)

#: Longest one thing kept: a sentence or two, not an essay.
MAX_CHARS = 500


def clean_one_thing(text: str | None) -> str | None:
    """The text as stored: NUL characters out, trimmed; None when nothing is left. Refused
    when longer than :data:`MAX_CHARS`."""
    cleaned = (text or "").replace("\x00", "").strip()
    if len(cleaned) > MAX_CHARS:
        raise InputError(f"the one thing is longer than {MAX_CHARS} characters")
    return cleaned or None


def set_one_thing(
    session: Session, case_id: int, text: str | None, *, actor: str, now: datetime
) -> bool:
    """Set (or, with an empty text, clear) the case's one thing; record the change on the
    case's trail. Returns False, writing nothing, when the text is what the case holds."""
    new = clean_one_thing(text)
    case = session.get(Case, case_id)
    if case is None:
        raise InputError(f"no case #{case_id}")
    old = case.one_thing
    if new == old:
        return False
    case.one_thing = new
    session.add(case)
    session.add(
        CaseEvent(
            case_id=case_id,
            at=now,
            kind="one_thing",
            actor=actor,
            body=new,
            reason=None if new is not None else "cleared",
            data={"before": old} if old is not None else {},
        )
    )
    session.flush()
    log.info("case %d: one thing %s by %s", case_id, "set" if new else "cleared", actor)
    return True
