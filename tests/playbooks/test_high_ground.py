"""Trolls are answered once from the high ground, and a pile-on with one public statement."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from core.pileon import PILEON_MARK
from playbooks import service
from playbooks.pileon import find_pileon, in_pileon
from playbooks.runner import process_pending
from store.models import Case, CaseEvent

PILEON = f"4 near-identical posts from 4 accounts within 1 h {PILEON_MARK}"
TEXT = "Brightloop is a SCAM, they steal your money #boycottbrightloop"


def _cases(engine) -> list[Case]:
    with Session(engine) as s:
        return list(s.exec(select(Case).order_by(Case.id)).all())


def test_find_pileon__same_words_from_three_accounts(t0) -> None:
    posts = [
        (1, 10, t0, TEXT),
        (2, 11, t0, "@someone " + TEXT.upper() + " https://x.example/1"),
        (3, 12, t0, "Brightloop is slow today, anyone else?"),
    ]
    assert find_pileon(TEXT, posts) is None  # two accounts only
    posts.append((4, 13, t0, TEXT + "!!!"))
    found = find_pileon(TEXT, posts)
    assert found is not None
    assert found.first_mention_id == 1 and found.accounts == 3 and found.authors() == [10, 11, 13]
    assert find_pileon("lol", [(i, i, t0, "lol") for i in range(5)]) is None  # too short
    assert in_pileon(["insults", PILEON]) and not in_pileon(["insults"])


def test_pileon__one_statement_on_the_first_case_none_on_the_others(engine, feed, pb, t0) -> None:
    first = feed.say("acct1", TEXT, t0, neg=0.95, troll=0.4, reasons=["insulting text"])
    for n in range(2, 5):
        at = t0 + timedelta(minutes=5 * n)
        feed.say(f"acct{n}", TEXT, at, neg=0.95, troll=0.8, reasons=[PILEON])
    process_pending(engine, pb)
    cases = _cases(engine)
    assert len(cases) == 4
    assert {c.state["pileon_of"] for c in cases} == {first}
    assert [c.state["pileon_lead"] for c in cases] == [True, False, False, False]
    assert all(c.state["walkaway_recommended"] == "troll" for c in cases)
    lead, *others = cases
    statement = service.suggested_reply(engine, lead.id or 0, pb)
    assert "one answer for all" in statement and "https://brightloop.example/help" in statement
    assert all(service.suggested_reply(engine, c.id or 0, pb) == "" for c in others)

    feed.say("brightloop", statement, t0 + timedelta(minutes=40), reply_to=first, brand=True)
    process_pending(engine, pb)
    assert service.suggested_reply(engine, lead.id or 0, pb) == ""  # the statement was posted
    for case in cases:
        service.confirm_walk_away(engine, case.id or 0, "lee", t0 + timedelta(hours=1), playbook=pb)
    closed = _cases(engine)
    assert {(c.outcome, c.walkaway_reason) for c in closed} == {("walk_away", "troll")}
    with Session(engine) as s:
        kinds = s.exec(select(CaseEvent.kind).where(CaseEvent.kind == "pileon")).all()
    assert len(kinds) == 4


def test_troll__one_calm_reply_then_silence(engine, feed, pb, t0) -> None:
    post = feed.say("hater", "Brightloop staff are clowns, answer me", t0, neg=0.95, troll=0.9)
    process_pending(engine, pb)
    (case,) = _cases(engine)
    assert case.state["walkaway_recommended"] == "troll"
    calm = service.suggested_reply(engine, case.id or 0, pb)
    assert calm.startswith("Hi Hater, we hear you.") and "brightloop.example/help" in calm
    feed.say("brightloop", calm, t0 + timedelta(minutes=20), reply_to=post, brand=True)
    feed.say("hater", "clowns, all of you", t0 + timedelta(minutes=30), neg=0.95, troll=0.9)
    process_pending(engine, pb)
    (case,) = _cases(engine)
    assert case.is_open and service.suggested_reply(engine, case.id or 0, pb) == ""


def test_process_pending__until_stops_at_later_posts(engine, feed, pb, t0) -> None:
    feed.say("ana", "Brightloop internet is down again", t0, neg=0.9)
    feed.say("bo", "Brightloop billed me twice", t0 + timedelta(hours=2), neg=0.9)
    process_pending(engine, pb, until=t0 + timedelta(hours=1))
    assert len(_cases(engine)) == 1
    process_pending(engine, pb)
    assert len(_cases(engine)) == 2
