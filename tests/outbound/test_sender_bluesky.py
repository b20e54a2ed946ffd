"""The Bluesky sender against a loopback fake PDS and chat service (atproto pointed at it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingReply, SendRejected
from outbound.senders.bluesky import BlueskySender, record_key
from tests.fakes.bluesky import did
from tests.fakes.bluesky_write import (
    BRAND_DID,
    CID,
    CLOSED,
    BlueskyWriteFake,
    post_uri,
    rate_limited,
    serve,
    xrpc_error,
)
from tests.fakes.http import FakeHTTPServer

SINCE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROOT = post_uri("ann", 1)
PARENT = post_uri("critic", 2)


def reply(text: str = "@critic.bsky.social sorry, we are on it", **kw: object) -> OutgoingReply:
    values: dict[str, object] = {
        "idempotency_key": "key-1",
        "platform": "bluesky",
        "text": text,
        "private": False,
        "in_reply_to": PARENT,
        "thread_root": ROOT,
        "recipient_id": did("critic"),
        "recipient_handle": "critic.bsky.social",
    }
    values.update(kw)
    return OutgoingReply(**values)  # type: ignore[arg-type]


def ref(strong: dict[str, str]) -> tuple[str, str]:
    return strong["uri"], strong["cid"]


@pytest.fixture
def fake() -> BlueskyWriteFake:
    f = BlueskyWriteFake()
    f.add_post(ROOT, "is brightloop down?")
    root = {"uri": ROOT, "cid": CID}
    f.add_post(PARENT, "brightloop broke again", reply={"root": root, "parent": root})
    return f


@pytest.fixture
def server(fake: BlueskyWriteFake) -> Iterator[FakeHTTPServer]:
    with serve(fake) as srv:
        yield srv


@pytest.fixture
def sender(server: FakeHTTPServer) -> BlueskySender:
    return BlueskySender(handle="brightloop.bsky.social", app_password="app-pw", pds_url=server.url)


def test_record_key__a_valid_tid_fixed_by_the_idempotency_key() -> None:
    key = record_key("key-1")

    assert re.fullmatch(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}", key)
    assert record_key("key-1") == key
    assert record_key("key-2") != key


def test_send__replies_in_the_thread_under_the_derived_key(
    sender: BlueskySender, fake: BlueskyWriteFake, server: FakeHTTPServer
) -> None:
    receipt = sender.send(reply())

    rkey = record_key("key-1")
    record = fake.records[rkey]
    assert record["text"] == "@critic.bsky.social sorry, we are on it"
    assert ref(record["reply"]["root"]) == (ROOT, CID)  # the thread's root, from the parent
    assert ref(record["reply"]["parent"]) == (PARENT, CID)
    assert receipt.platform_id == f"at://{BRAND_DID}/app.bsky.feed.post/{rkey}"
    assert receipt.url == f"https://bsky.app/profile/brightloop.bsky.social/post/{rkey}"
    create = next(r for r in server.requests if r.path.endswith("createRecord"))
    assert create.headers["authorization"].startswith("Bearer ")


def test_send__a_top_level_post_is_its_own_root(
    sender: BlueskySender, fake: BlueskyWriteFake
) -> None:
    sender.send(reply(in_reply_to=ROOT))

    record = fake.records[record_key("key-1")]
    assert ref(record["reply"]["root"]) == ref(record["reply"]["parent"]) == (ROOT, CID)


def test_send__a_retry_after_a_lost_answer_never_posts_twice(
    sender: BlueskySender, fake: BlueskyWriteFake
) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply())

    receipt = sender.send(reply())

    assert list(fake.records) == [record_key("key-1")]
    assert receipt.platform_id.endswith(record_key("key-1"))


def test_send__private_goes_through_the_chat_proxy(
    sender: BlueskySender, fake: BlueskyWriteFake, server: FakeHTTPServer
) -> None:
    receipt = sender.send(reply("Could you DM us your order number?", private=True))

    assert fake.messages[0]["text"] == "Could you DM us your order number?"
    assert receipt.platform_id == fake.messages[0]["id"]
    assert receipt.url == f"https://bsky.app/messages/{fake.messages[0]['convo']}"
    send = next(r for r in server.requests if r.path.endswith("sendMessage"))
    assert send.headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert fake.records == {}


def test_send__messages_closed_is_final(sender: BlueskySender, fake: BlueskyWriteFake) -> None:
    fake.closed.add(did("critic"))

    with pytest.raises(SendRejected) as caught:
        sender.send(reply(private=True))

    assert caught.value.reason == CLOSED
    assert fake.messages == []


def test_send__deleted_post_is_final(sender: BlueskySender, fake: BlueskyWriteFake) -> None:
    fake.deleted.add(PARENT)

    with pytest.raises(SendRejected, match="deleted"):
        sender.send(reply())

    assert fake.records == {}


def test_send__not_an_at_uri_is_refused(sender: BlueskySender) -> None:
    with pytest.raises(SendRejected, match="at://"):
        sender.send(reply(in_reply_to="https://bsky.app/profile/x/post/y"))


def test_send__429_carries_the_reset_time(sender: BlueskySender, fake: BlueskyWriteFake) -> None:
    fake.write_errors.append(rate_limited(1_772_370_000))

    with pytest.raises(SourceRateLimited) as caught:
        sender.send(reply())

    assert caught.value.reset_at == datetime.fromtimestamp(1_772_370_000, UTC)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_send__5xx_is_transient(sender: BlueskySender, fake: BlueskyWriteFake, status: int) -> None:
    fake.write_errors.append(xrpc_error(status, "InternalServerError", "Internal Server Error"))

    with pytest.raises(SourceUnavailable):
        sender.send(reply())


def test_send__unreachable_pds_is_transient() -> None:
    sender = BlueskySender(handle="b", app_password="p", pds_url="http://127.0.0.1:9", timeout=2)

    with pytest.raises(SourceUnavailable):
        sender.send(reply())


def test_send__refused_credentials(sender: BlueskySender, fake: BlueskyWriteFake) -> None:
    fake.write_errors.append(xrpc_error(401, "AuthMissing", "Authentication Required"))

    with pytest.raises(SourceAuthError, match="Authentication Required"):
        sender.send(reply())


def test_send__other_refusals_keep_the_services_words(
    sender: BlueskySender, fake: BlueskyWriteFake
) -> None:
    fake.write_errors.append(xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post record"))

    with pytest.raises(SendRejected) as caught:
        sender.send(reply())

    assert caught.value.reason == "Invalid app.bsky.feed.post record"
    assert caught.value.source == "bluesky"


def test_find_sent__finds_the_post_by_its_record_key(
    sender: BlueskySender, fake: BlueskyWriteFake
) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply())

    found = sender.find_sent(reply(), since=SINCE)

    assert found is not None and found.platform_id.endswith(record_key("key-1"))
    assert sender.find_sent(reply(idempotency_key="key-2"), since=SINCE) is None


def test_find_sent__private_message_in_the_conversation(
    sender: BlueskySender, fake: BlueskyWriteFake
) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply("DM us", private=True))

    found = sender.find_sent(reply("DM us", private=True), since=SINCE)

    assert found is not None and found.platform_id == fake.messages[0]["id"]
    assert sender.find_sent(reply("other words", private=True), since=SINCE) is None
