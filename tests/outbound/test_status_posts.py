"""An incident's status update as a standalone post: the senders' ``post`` against the loopback
fakes, and end to end through the outbox and the sender worker, posted once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from unittest.mock import MagicMock

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from core.clock import FixedClock
from outbound.base import OutgoingPost
from outbound.senders.bluesky import BlueskySender, record_key
from outbound.senders.mastodon import MastodonSender
from outbound.senders.reddit import RedditSender
from outbound.senders.x import XSender
from outbound.worker import SenderWorker
from playbooks import incidents
from store.models import OutboxItem
from tests.fakes import mastodon_write, x_write
from tests.fakes.http import FakeHTTPServer
from tests.playbooks.conftest import T0

SINCE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TEXT = "Service is back in the north after a fibre cut. Thank you for your patience."


def _post(key: str = "key-1", platform: str = "x") -> OutgoingPost:
    return OutgoingPost(idempotency_key=key, platform=platform, text=TEXT)


@pytest.fixture
def xfake() -> x_write.XWriteFake:
    return x_write.XWriteFake()


@pytest.fixture
def xserver(xfake: x_write.XWriteFake) -> Iterator[FakeHTTPServer]:
    with x_write.serve(xfake) as srv:
        yield srv


def _x(server: FakeHTTPServer) -> XSender:
    return XSender(
        consumer_key="ck", consumer_secret="cs", access_token="at", access_token_secret="ats",
        api_base=server.url,
    )  # fmt: skip


def test_x_post__a_tweet_answering_nothing_found_again(
    xfake: x_write.XWriteFake, xserver: FakeHTTPServer
) -> None:
    sender = _x(xserver)
    receipt = sender.post(_post())

    assert xfake.sent[0]["text"] == TEXT and "referenced_tweets" not in xfake.sent[0]
    found = sender.find_post(_post(), since=SINCE)
    assert found is not None and found.platform_id == receipt.platform_id


def test_mastodon_post__public_status_with_the_idempotency_key() -> None:
    fake = mastodon_write.MastodonWriteFake()
    with mastodon_write.serve(fake) as server:
        sender = MastodonSender(api_base_url=server.url, access_token="tok")
        receipt = sender.post(_post(platform="mastodon"))
        assert server.requests[-1].headers["idempotency-key"] == "key-1"
        assert sender.find_post(_post(platform="mastodon"), since=SINCE) == receipt
    assert fake.sent[0]["visibility"] == "public" and fake.sent[0]["in_reply_to_id"] is None


def test_reddit_post__a_self_post_on_the_brands_profile() -> None:
    sender = RedditSender.__new__(RedditSender)
    sender.reddit = MagicMock()
    sender.username, sender.status_subreddit, sender.status_title = (
        "brightloop",
        "u_brightloop",
        "Status update",
    )
    sender.clock = FixedClock(SINCE)
    submitted = MagicMock(spec=[])
    submitted.__dict__.update({"name": "t3_abc", "permalink": "/r/u_brightloop/comments/abc/"})
    sender.reddit.subreddit.return_value.submit.return_value = submitted

    receipt = sender.post(_post(platform="reddit"))

    sender.reddit.subreddit.assert_called_once_with("u_brightloop")
    sender.reddit.subreddit.return_value.submit.assert_called_once_with(
        "Status update", selftext=TEXT
    )
    assert receipt.platform_id == "t3_abc"
    assert receipt.url == "https://www.reddit.com/r/u_brightloop/comments/abc/"


def test_bluesky_post__a_record_without_reply_under_the_keys_rkey() -> None:
    sender = BlueskySender.__new__(BlueskySender)
    sender.client = MagicMock()
    sender.did, sender.handle, sender.web = "did:plc:brand", "brightloop.test", "https://bsky.app"
    sender._login = lambda: None  # type: ignore[method-assign]
    made: dict[str, Any] = {}

    def create(did: str, record: Any, *, rkey: str) -> Any:
        made.update(did=did, record=record, rkey=rkey)
        return MagicMock(uri=f"at://{did}/app.bsky.feed.post/{rkey}")

    sender.client.app.bsky.feed.post.create.side_effect = create
    sender.client.get_current_time_iso.return_value = "2026-03-01T12:00:00Z"

    receipt = sender.post(_post(platform="bluesky"))

    assert made["rkey"] == record_key("key-1") and made["record"].reply is None
    assert made["record"].text == TEXT
    assert receipt.platform_id.endswith(record_key("key-1"))


def test_status_update__through_the_outbox_posted_once(
    db: Engine, lead: str, pb, xfake: x_write.XWriteFake, xserver: FakeHTTPServer
) -> None:
    incident = incidents.open_incident(db, lead, T0, topic="outage", playbook=pb)
    update = incidents.post_status_update(db, incident.id or 0, lead, TEXT, T0, platforms=["x"])
    worker = SenderWorker(db, {"x": _x(xserver)}, worker="w1", clock=FixedClock(T0))

    assert worker.step() == 1
    assert worker.step() == 0
    incidents.post_status_update(db, incident.id or 0, lead, TEXT, T0, platforms=["x"])
    assert worker.step() == 0  # the same update again queues nothing

    assert [t["text"] for t in xfake.sent] == [TEXT]
    with Session(db) as s:
        item = s.exec(select(OutboxItem).where(col(OutboxItem.id) == update.outbox_ids["x"])).one()
    assert item.state == "sent" and item.platform_post_id == xfake.sent[0]["id"]
    assert item.case_id is None
