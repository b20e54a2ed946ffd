"""Replies on the board: send or send for approval from the case page, the platform's rules
before anything goes, the copy box while sending is off, and the leads' Outbox page."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from dashboard.links import safe_url
from playbooks.state import state_from_json, state_to_json
from store import outbox
from store.engine import session_scope
from store.models import Author, Case, CaseEvent, Mention, OutboxItem
from tests.dashboard.board_helpers import BoardData, open_page, texts

POST_URL = "https://fake.social/@critic3/4242"
# In the fixture, case i is on ("x", "reddit", "bluesky", "mastodon")[i % 4] at stage
# ("acknowledge", "empathize", "goodwill")[i % 3].
X_CASE, MASTODON_CASE, REDDIT_GOODWILL_CASE = 4, 3, 5


def _button(at: AppTest, label: str) -> Any:
    return next(b for b in at.button if b.label == label)


def _unescaped(shown: str) -> str:
    """A message as the reader sees it (the board escapes markdown in messages)."""
    return shown.replace("\\", "")


def _links(at: AppTest) -> dict[str, str]:
    return {str(e.proto.label): str(e.proto.url) for e in at.get("link_button")}


def _events(data: BoardData, case_id: int) -> list[CaseEvent]:
    with session_scope(data.engine) as s:
        return list(
            s.scalars(
                select(CaseEvent)
                .where(col(CaseEvent.case_id) == case_id)
                .order_by(col(CaseEvent.id))
            )
        )


def _items(data: BoardData, case_id: int | None = None) -> list[OutboxItem]:
    with session_scope(data.engine) as s:
        stmt = select(OutboxItem).order_by(col(OutboxItem.id))
        if case_id is not None:
            stmt = stmt.where(col(OutboxItem.case_id) == case_id)
        rows = list(s.scalars(stmt))
        for r in rows:
            s.expunge(r)
        return rows


def _set_url(data: BoardData, case_id: int, url: str) -> None:
    with session_scope(data.engine) as s:
        case = s.get(Case, case_id)
        assert case is not None
        mention = s.get(Mention, case.latest_mention_id)
        assert mention is not None
        mention.url = url


def _suggest_private(data: BoardData, case_id: int) -> None:
    with session_scope(data.engine) as s:
        case = s.get(Case, case_id)
        assert case is not None
        state = dataclasses.replace(state_from_json(case.state or {}), private_suggested=True)
        case.state = state_to_json(state)


def _sending(monkeypatch: pytest.MonkeyPatch, *platforms: str) -> None:
    for p in platforms:
        monkeypatch.setenv(f"CRITIC2FAN_SOURCES__{p.upper()}__SEND", "true")


def _handle(data: BoardData, case_id: int) -> str:
    with session_scope(data.engine) as s:
        case = s.get(Case, case_id)
        assert case is not None
        author = s.get(Author, case.author_id)
        assert author is not None
        return author.handle


# -- links ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://x.com/critic/status/1", True),
        ("http://127.0.0.1:9100/@critic/1", True),
        ("javascript:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https:///no-host", False),
        ("https://x.com/a b", False),
        ("https://x.com/\nevil", False),
        ("//x.com/no-scheme", False),
        (None, False),
    ],
)
def test_safe_url__only_plain_http_links_with_a_host(url: str | None, ok: bool) -> None:
    assert (safe_url(url) == url) is ok if ok else safe_url(url) is None


# -- the case page ----------------------------------------------------------------------------


def test_case__links_the_original_post(board_db: BoardData) -> None:
    case_id = board_db.case_ids[MASTODON_CASE]
    _set_url(board_db, case_id, POST_URL)
    at = open_page("case", query={"case": str(case_id)})
    assert not at.exception
    assert _links(at)["Open the post on Mastodon"] == POST_URL


def test_case__an_unsafe_post_url_is_not_a_link(board_db: BoardData) -> None:
    case_id = board_db.case_ids[MASTODON_CASE]
    _set_url(board_db, case_id, "javascript:alert(1)")
    at = open_page("case", query={"case": str(case_id)})
    assert not at.exception
    assert not any("javascript" in u for u in _links(at).values())
    assert any("No link to the original post" in c.value for c in at.caption)


def test_case__sending_off_offers_the_copy_box_and_the_link(board_db: BoardData) -> None:
    case_id = board_db.case_ids[MASTODON_CASE]
    _set_url(board_db, case_id, POST_URL)
    at = open_page("case", query={"case": str(case_id)})
    reply = "We are sorry: the sync fix ships today."
    at.text_area[0].set_value(reply).run()
    assert any("Sending on Mastodon is off" in i.value for i in at.info)
    assert reply in [c.value for c in at.code]  # st.code carries the copy icon
    urls = [str(e.proto.url) for e in at.get("link_button")]
    assert urls.count(POST_URL) == 2  # in the header and beside the copy box
    assert not [b for b in at.button if b.label in {"Send", "Send for approval"}]
    _button(at, "Record reply").click().run()
    assert not at.exception and not at.error
    assert _items(board_db, case_id) == []  # recorded as typed by hand; nothing to send
    assert [e.body for e in _events(board_db, case_id) if e.kind == "reply"][-1] == reply


def test_case__an_agent_sends_where_the_playbook_allows(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sending(monkeypatch, "mastodon")
    case_id = board_db.case_ids[MASTODON_CASE]  # acknowledge: an agent may send
    at = open_page("case", query={"case": str(case_id)})
    at.text_area[0].set_value("Sorry about that, a fix is on its way.").run()
    handle = _handle(board_db, case_id)
    shown = [c.value for c in at.code]
    assert f"@{handle} Sorry about that, a fix is on its way." in shown  # as Mastodon gets it
    assert not [b for b in at.button if b.label == "Record reply"]
    _button(at, "Send").click().run()
    assert not at.exception and not at.error
    (item,) = _items(board_db, case_id)
    assert item.state == "approved" and item.approved_by == "user:alice"
    assert item.text == f"@{handle} Sorry about that, a fix is on its way."
    assert item.idempotency_key and not item.private
    kinds = [(e.kind, e.actor) for e in _events(board_db, case_id)]
    assert ("reply_drafted", "user:alice") in kinds and ("reply_approved", "user:alice") in kinds
    assert any("goes to Mastodon shortly" in s.value for s in at.success)
    assert any("approved" in t for t in texts(at))  # the case's outbox rows


def test_case__elsewhere_an_agent_sends_for_approval(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sending(monkeypatch, "reddit")
    case_id = board_db.case_ids[REDDIT_GOODWILL_CASE]  # goodwill: a lead approves
    at = open_page("case", query={"case": str(case_id)})
    assert not [b for b in at.button if b.label == "Send"]
    at.text_area[0].set_value("We have credited your account.").run()
    _button(at, "Send for approval").click().run()
    assert not at.exception and not at.error
    (item,) = _items(board_db, case_id)
    assert item.state == "awaiting_approval" and item.approved_by is None
    assert any(
        e.kind == "reply_pending" and e.actor == "user:alice" for e in _events(board_db, case_id)
    )
    # a lead sends at any stage
    lead = open_page("case", role="lead", query={"case": str(case_id)})
    assert [b for b in lead.button if b.label == "Send"]


def test_case__a_too_long_x_reply_is_refused_with_x_s_count(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sending(monkeypatch, "x")
    case_id = board_db.case_ids[X_CASE]
    at = open_page("case", query={"case": str(case_id)})
    at.text_area[0].set_value("a" * 300).run()
    assert any(
        "X counts this reply as 300 of 280 characters: 20 too long" in _unescaped(w.value)
        for w in at.warning
    )
    assert _button(at, "Send").disabled
    assert not [c for c in at.code if c.value == "a" * 300]  # no preview of what cannot go
    assert _items(board_db, case_id) == []


def test_case__the_suggested_private_message_is_shown_and_the_choice_is_explicit(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sending(monkeypatch, "mastodon")
    case_id = board_db.case_ids[MASTODON_CASE]
    _suggest_private(board_db, case_id)
    at = open_page("case", query={"case": str(case_id)})
    assert any("suggests moving this conversation to private" in i.value for i in at.info)
    choice = next(r for r in at.radio if r.label == "Send as")
    assert choice.value is None
    assert _button(at, "Send").disabled  # nothing goes before the choice
    at.text_area[0].set_value("Could you send us your order number?")
    choice.set_value("Private message").run()
    handle = _handle(board_db, case_id)
    assert f"@{handle} Could you send us your order number?" in [c.value for c in at.code]
    assert any("private message as Mastodon will get it" in c.value for c in at.caption)
    _button(at, "Send").click().run()
    assert not at.exception and not at.error
    (item,) = _items(board_db, case_id)
    assert item.private and item.state == "approved"


def test_case__an_agent_cancels_their_own_reply(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sending(monkeypatch, "reddit")
    case_id = board_db.case_ids[REDDIT_GOODWILL_CASE]
    at = open_page("case", query={"case": str(case_id)})
    at.text_area[0].set_value("We have credited your account.").run()
    _button(at, "Send for approval").click().run()
    _button(at, "Cancel this reply").click().run()
    assert not at.exception and not at.error
    (item,) = _items(board_db, case_id)
    assert item.state == "cancelled"
    assert any(
        e.kind == "reply_cancelled" and e.actor == "user:alice" for e in _events(board_db, case_id)
    )


# -- the Outbox page ----------------------------------------------------------------------------


def _awaiting(data: BoardData, case_index: int, text: str, *, private: bool = False) -> int:
    from playbooks import service

    case_id = data.case_ids[case_index]
    item = service.draft_reply(data.engine, case_id, "alice", text, utcnow(), private=private)
    assert item.id is not None
    service.submit_reply(data.engine, item.id, "alice", utcnow())
    return item.id


def _claimed(data: BoardData, item_id: int) -> None:
    with session_scope(data.engine) as s:
        outbox.approve(s, item_id, approved_by="user:lena", now=utcnow())
    claims = outbox.claim(
        data.engine, worker="w1", limit=10, lease=timedelta(minutes=2), now=utcnow()
    )
    assert [c.id for c in claims] == [item_id]


def test_outbox__only_leads_see_it(board_db: BoardData) -> None:
    with pytest.raises(ValueError):  # not among an agent's pages
        open_page("outbox")
    lead = open_page("outbox", role="lead")
    assert not lead.exception
    assert [t.value for t in lead.title] == ["Outbox"]
    assert any(t.label.startswith("Awaiting approval (0)") for t in lead.tabs)


def test_outbox__a_lead_approves_with_an_edit(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sending(monkeypatch, "reddit")
    item_id = _awaiting(board_db, REDDIT_GOODWILL_CASE, "We have credited your account.")
    at = open_page("outbox", role="lead")
    assert not at.exception
    assert any(t.label.startswith("Awaiting approval (1)") for t in at.tabs)
    box = next(t for t in at.text_area if t.key == f"outbox_text_{item_id}")
    box.set_value("We have credited your account with 20 EUR.").run()
    _button(at, "Approve").click().run()
    assert not at.exception and not at.error
    (item,) = _items(board_db, board_db.case_ids[REDDIT_GOODWILL_CASE])
    assert item.state == "approved" and item.approved_by == "user:lena"
    assert item.text == "We have credited your account with 20 EUR."
    approved = [e for e in _events(board_db, item.case_id) if e.kind == "reply_approved"]
    assert approved[-1].actor == "user:lena" and (approved[-1].data or {}).get("edited") is True


def test_outbox__an_approval_breaking_the_rules_is_refused_with_the_reason(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch
) -> None:
    _sending(monkeypatch, "x")
    item_id = _awaiting(board_db, X_CASE, "Short and fine.")
    at = open_page("outbox", role="lead")
    box = next(t for t in at.text_area if t.key == f"outbox_text_{item_id}")
    box.set_value("b" * 290).run()
    assert any(
        "X counts this reply as 290 of 280 characters: 10 too long" in _unescaped(w.value)
        for w in at.warning
    )
    assert _button(at, "Approve").disabled
    (item,) = _items(board_db, board_db.case_ids[X_CASE])
    assert item.state == "awaiting_approval" and item.text == "Short and fine."


def test_outbox__a_lead_rejects_with_a_reason(board_db: BoardData) -> None:
    item_id = _awaiting(board_db, REDDIT_GOODWILL_CASE, "We have credited your account.")
    at = open_page("outbox", role="lead")
    at.text_input(key=f"outbox_reason_{item_id}").input("say how much")
    _button(at, "Reject").click().run()
    assert not at.exception and not at.error
    (item,) = _items(board_db)
    assert item.state == "draft" and "say how much" in (item.error or "")
    rejected = [e for e in _events(board_db, item.case_id) if e.kind == "reply_rejected"]
    assert rejected[-1].actor == "user:lena" and rejected[-1].reason == "say how much"
    # while sending is off for the platform, the lead is told so
    assert not any("Sending on Reddit is off" in i.value for i in at.info)  # nothing awaits now


def test_outbox__failed_shows_the_platform_s_words_then_retry_and_cancel(
    board_db: BoardData,
) -> None:
    first = _awaiting(board_db, REDDIT_GOODWILL_CASE, "We have credited your account.")
    second = _awaiting(board_db, MASTODON_CASE, "Sorry, @critic3, we are on it.")
    for item_id in (first, second):
        _claimed(board_db, item_id)
        assert outbox.mark_failed(
            board_db.engine,
            item_id,
            worker="w1",
            reason="<b>That comment is deleted</b>",
            now=utcnow(),
        )
    at = open_page("outbox", role="lead")
    assert any(t.label.startswith("Failed (2)") for t in at.tabs)
    assert "<b>That comment is deleted</b>" in texts(at)  # the platform's words, plain
    next(b for b in at.button if b.key == f"outbox_retry_{first}").click().run()
    assert not at.exception and not at.error
    next(b for b in at.button if b.key == f"outbox_cancel_{second}").click().run()
    assert not at.exception and not at.error
    by_id = {i.id: i for i in _items(board_db)}
    assert by_id[first].state == "approved" and by_id[first].uncertain  # looked up first
    assert by_id[second].state == "cancelled"
    retried = [e for e in _events(board_db, by_id[first].case_id) if e.kind == "reply_retried"]
    cancelled = [e for e in _events(board_db, by_id[second].case_id) if e.kind == "reply_cancelled"]
    assert retried[-1].actor == "user:lena" and cancelled[-1].actor == "user:lena"


def test_outbox__sent_replies_link_to_the_post_and_what_it_answered(board_db: BoardData) -> None:
    case_id = board_db.case_ids[MASTODON_CASE]
    _set_url(board_db, case_id, POST_URL)
    item_id = _awaiting(board_db, MASTODON_CASE, "Sorry, @critic3, we are on it.")
    _claimed(board_db, item_id)
    sent_url = "https://fake.social/@brightloop/110000"
    assert outbox.mark_sent(
        board_db.engine, item_id, worker="w1", platform_post_id="110000", url=sent_url, now=utcnow()
    )
    at = open_page("outbox", role="lead")
    assert any(t.label.startswith("Sent (1)") for t in at.tabs)
    links = _links(at)
    assert links["Open the sent public reply"] == sent_url
    assert links["Open the post it answers"] == POST_URL
    assert "Sorry, @critic3, we are on it." in [c.value for c in at.code]


# -- the fake platforms beside the demo ---------------------------------------------------------


def test_fake_platforms__take_a_reply_once_and_the_critic_answers_it() -> None:
    from outbound.base import OutgoingReply
    from outbound.senders.mastodon import MastodonSender
    from tests.fakes.platforms import CRITIC_ANSWER, FAKE_TOKEN, running, settings_env

    with running(0, answer=True) as run:
        env = settings_env(run.urls)
        assert env["CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL"] == run.urls["mastodon"]
        assert env["CRITIC2FAN_SOURCES__MASTODON__SEND"] == "true"
        fake = run.fakes["mastodon"]
        (critic_post,) = fake.statuses
        sender = MastodonSender(api_base_url=run.urls["mastodon"], access_token=FAKE_TOKEN)
        reply = OutgoingReply(
            idempotency_key="k1",
            platform="mastodon",
            text="@critic We are on it.",
            private=False,
            in_reply_to=critic_post["id"],
            thread_root=None,
            recipient_id=None,
            recipient_handle="critic",
        )
        receipt = sender.send(reply)
        assert sender.send(reply) == receipt  # the same key: no second post
        assert len(fake.sent) == 1 and fake.sent[0]["id"] == receipt.platform_id
        answers = [s for s in fake.statuses if s.get("in_reply_to_id") == receipt.platform_id]
        assert len(answers) == 1 and CRITIC_ANSWER.split(",")[0] in answers[0]["content"]
