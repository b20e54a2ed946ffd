"""The whole loop in a real browser, against the fake Mastodon of ``tests.fakes.platforms``.

A critic's complaint comes in through the listener's Mastodon normalizer and the writer, the
playbook opens a case, an agent asks for approval, a lead approves on the board's Outbox page,
the sender worker posts it: it arrives once on the fake instance. The listener then reads the
brand's post back (the echo): it is linked to its outbox row and not counted again as a staff
reply. The critic's answer to it moves the case on, and the case page shows the sent reply's
link and the trail with the users' names.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import utcnow
from core.config import BrandSettings, SourcesSettings
from dashboard.auth import add_user
from listener.runner import matcher_for
from listener.sources.mastodon import make_client, normalize_status
from outbound.senders.mastodon import MastodonSender
from outbound.worker import SenderWorker
from playbooks import service
from playbooks.loader import load_playbook
from playbooks.runner import process_pending
from store.engine import make_engine
from store.migrate import upgrade
from store.models import Case, CaseEvent, Mention, OutboxItem, Score
from store.writer import write_batch
from tests.dashboard.board_browser import CHROMIUM, chromium_page, running_board, wait_idle
from tests.dashboard.board_helpers import PASSWORD
from tests.fakes.mastodon import status
from tests.fakes.platforms import FAKE_TOKEN, running

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="needs Debian's chromium at /usr/bin/chromium (apt-get install -y chromium)",
    ),
]

REPLY = "So sorry about your playlist! Our sync fix ships today, could you update the app?"
ANSWER = "Updated and my playlist is back, thanks so much #brightloop"


class Listener:
    """The listener's Mastodon path, one pass at a time: the instance's hashtag timeline,
    normalized, the brand's own posts told apart by ``brand.accounts``, written by the writer."""

    def __init__(self, engine: Engine, base_url: str) -> None:
        self.engine = engine
        self.api = make_client(base_url, FAKE_TOKEN)
        sources = SourcesSettings.model_validate({"mastodon": {"api_base_url": base_url}})
        self.matcher = matcher_for(BrandSettings(), sources)
        self.seen: str | None = None

    def listen(self) -> list[int]:
        """Store what is new on the timeline; the new mentions' ids, oldest first."""
        statuses = self.api.timeline_hashtag("brightloop", min_id=self.seen, limit=40)
        records = []
        for s in sorted(statuses, key=lambda s: int(s["id"])):
            record = normalize_status(s)
            brand = self.matcher.is_brand(record.author)
            author = record.author.model_copy(update={"is_brand": brand})
            records.append(record.model_copy(update={"author": author}))
            self.seen = str(s["id"])
        write_batch(self.engine, records)
        with Session(self.engine) as session:
            ids = [str(r.external_id) for r in records]
            rows = session.exec(select(Mention).where(col(Mention.external_id).in_(ids))).all()
            return sorted(m.id for m in rows if m.id is not None)


def _score(engine: Engine, mention_id: int, *, neg: float, pos: float) -> None:
    """The scorer's verdict (a fixed one: the model is not what this test is about)."""
    neu = max(0.0, 1.0 - neg - pos)
    label = "negative" if neg > pos else "positive"
    with Session(engine) as s:
        s.add(
            Score(
                mention_id=mention_id,
                model_name="fixed",
                model_version="1",
                sentiment_label=label,
                p_negative=neg,
                p_neutral=neu,
                p_positive=pos,
                sentiment=pos - neg,
                toxicity=0.0,
                troll_likelihood=0.0,
                troll_reasons=[],
            )
        )
        s.commit()


def _case(engine: Engine) -> Case:
    with Session(engine) as s:
        return s.exec(select(Case)).one()


def _events(engine: Engine, case_id: int, kind: str) -> list[CaseEvent]:
    with Session(engine) as s:
        q = select(CaseEvent).where(col(CaseEvent.case_id) == case_id, CaseEvent.kind == kind)
        return list(s.exec(q.order_by(col(CaseEvent.id))).all())


def _item(engine: Engine) -> OutboxItem:
    with Session(engine) as s:
        return s.exec(select(OutboxItem)).one()


def _sign_in(page: Any, base: str, user: str) -> None:
    page.goto(base)
    page.get_by_role("textbox", name="Username").fill(user)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Queue").wait_for(timeout=30_000)
    wait_idle(page)


def test_browser__approved_on_the_board_sent_once_echo_counted_once_answer_moves_the_case_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pb = load_playbook()
    url = f"sqlite:///{tmp_path / 'loop.db'}"
    engine = make_engine(url)
    upgrade(engine)
    add_user(engine, username="alice", password=PASSWORD, role="agent", display_name="Alice")
    add_user(engine, username="lena", password=PASSWORD, role="lead", display_name="Lena")
    monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__SEND", "true")
    monkeypatch.chdir(tmp_path)

    with running(0) as fakes:
        mastodon = fakes.fakes["mastodon"]
        base_url = fakes.urls["mastodon"]
        listener = Listener(engine, base_url)

        # the critic's complaint comes in and opens a case
        (complaint,) = listener.listen()
        _score(engine, complaint, neg=0.9, pos=0.0)
        process_pending(engine, pb)
        case = _case(engine)
        assert case.source == "mastodon" and case.stage == "acknowledge"
        assert case.id is not None
        stage_before = case.stage

        # an agent asks for approval (the board's case page does the same; see the AppTests)
        draft = service.draft_reply(engine, case.id, "alice", REPLY, utcnow())
        assert draft.id is not None
        service.submit_reply(engine, draft.id, "alice", utcnow())

        with (
            running_board(url, demo=False, log_path=tmp_path / "board.log") as board,
            chromium_page() as page,
        ):
            _sign_in(page, board, "lena")
            page.get_by_role("link", name="Outbox").click()
            page.get_by_role("heading", name="Outbox").wait_for()
            wait_idle(page)
            assert page.get_by_text("Awaiting approval (1)").is_visible()
            page.get_by_role("button", name="Approve").click()
            page.get_by_text(re.compile("approved; it goes to Mastodon shortly")).wait_for(
                timeout=30_000
            )
            wait_idle(page)

            item = _item(engine)
            assert item.state == "approved" and item.approved_by == "user:lena"
            assert item.text == f"@critic {REPLY}"  # Mastodon delivers it to whom it mentions

            # the sender worker posts it: once, even when it runs again
            sender = MastodonSender(api_base_url=base_url, access_token=FAKE_TOKEN)
            worker = SenderWorker(engine, {"mastodon": sender}, worker="test")
            assert worker.step() == 1
            assert worker.step() == 0
            assert len(mastodon.sent) == 1
            posted = mastodon.sent[0]
            assert posted["in_reply_to_id"] == "1" and REPLY in posted["content"]
            item = _item(engine)
            assert item.state == "sent" and item.platform_post_id == posted["id"]

            # the echo: the listener reads the brand's post back; it counts once
            (echo,) = listener.listen()
            process_pending(engine, pb)
            replies = _events(engine, case.id, "reply")
            assert len(replies) == 1 and (replies[0].data or {}).get("outbox_id") == item.id
            item = _item(engine)
            assert item.echo_mention_id == echo and item.counted
            stage_after_reply = _case(engine).stage
            assert stage_after_reply != stage_before

            # the critic answers the brand's post, pleased: the case moves on
            answer = status(int(posted["id"]) + 1000, ANSWER)
            answer.update(created_at=posted["created_at"], in_reply_to_id=posted["id"])
            mastodon.statuses.append(answer)
            (answered,) = listener.listen()
            _score(engine, answered, neg=0.0, pos=0.9)
            process_pending(engine, pb)
            after = _case(engine)
            assert after.stage != stage_after_reply
            assert len(_events(engine, case.id, "reply")) == 1  # still one staff reply
            assert len(mastodon.sent) == 1

            # the case page shows the sent reply, its link, and the trail with the names
            page.get_by_role("link", name="Queue").click()
            page.get_by_role("heading", name="Queue").wait_for()
            wait_idle(page)
            page.get_by_role("link", name="Case").click()
            wait_idle(page)
            page.get_by_label("Case number").fill(str(case.id))
            page.get_by_label("Case number").press("Enter")
            page.get_by_role("heading", name=f"Case #{case.id}").wait_for(timeout=30_000)
            wait_idle(page)
            link = page.get_by_role("link", name="Open the sent public reply")
            assert link.get_attribute("href") == posted["url"]
            assert page.get_by_text(re.compile(r"reply_approved · user:lena")).first.is_visible()
            assert page.get_by_text(re.compile(r"reply_pending · user:alice")).first.is_visible()
            assert page.get_by_text(ANSWER).first.is_visible()
            assert page.get_by_text(f"Stage: {after.stage}").first.is_visible()
    engine.dispose()
