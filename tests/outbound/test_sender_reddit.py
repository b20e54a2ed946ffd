"""The Reddit sender against a loopback fake of Reddit's write endpoints (praw pointed at it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from core.clock import FixedClock
from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingReply, SendRejected
from outbound.senders.reddit import RedditSender
from tests.fakes.http import FakeHTTPServer, Reply
from tests.fakes.reddit_write import (
    CLOSED,
    DELETED,
    LOCKED,
    RATELIMIT,
    RedditWriteFake,
    api_error,
    serve,
)

NOW = datetime(2026, 3, 1, 12, 29, tzinfo=UTC)
SINCE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PARENT = "t1_c1"


def reply(text: str = "Sorry about the fee, we are on it.", **kw: object) -> OutgoingReply:
    values: dict[str, object] = {
        "idempotency_key": "key-1",
        "platform": "reddit",
        "text": text,
        "private": False,
        "in_reply_to": PARENT,
        "thread_root": None,
        "recipient_id": "t2_critic",
        "recipient_handle": "critic",
    }
    values.update(kw)
    return OutgoingReply(**values)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> RedditWriteFake:
    return RedditWriteFake()


@pytest.fixture
def server(fake: RedditWriteFake) -> Iterator[FakeHTTPServer]:
    with serve(fake) as srv:
        yield srv


def make(url: str, **kw: object) -> RedditSender:
    values: dict[str, object] = {
        "client_id": "id", "client_secret": "secret", "user_agent": "critic2fan-test",
        "username": "brightloop", "password": "pw", "oauth_url": url, "reddit_url": url,
        "clock": FixedClock(NOW),
    }  # fmt: skip
    values.update(kw)
    return RedditSender(**values)  # type: ignore[arg-type]


@pytest.fixture
def sender(server: FakeHTTPServer) -> RedditSender:
    return make(server.url)


@pytest.mark.parametrize("parent", ["t1_c1", "t3_p1"])
def test_send__replies_to_a_comment_or_a_post(
    sender: RedditSender, fake: RedditWriteFake, server: FakeHTTPServer, parent: str
) -> None:
    receipt = sender.send(reply(in_reply_to=parent))

    assert "/api/comment/" in server.paths()
    assert fake.sent[0]["data"]["parent_id"] == parent
    assert fake.sent[0]["data"]["body"] == "Sorry about the fee, we are on it."
    assert receipt.platform_id == fake.sent[0]["data"]["name"]
    assert receipt.url == "https://www.reddit.com" + fake.sent[0]["data"]["permalink"]
    assert fake.comments[-1] is fake.sent[0]  # the listener's listing sees it again


def test_send__refresh_token_works_too(server: FakeHTTPServer, fake: RedditWriteFake) -> None:
    sender = make(server.url, password=None, refresh_token="rt")

    sender.send(reply())

    token = server.requests[0]
    assert token.path == "/api/v1/access_token"
    assert b"grant_type=refresh_token" in token.body


def test_send__not_a_reddit_fullname_is_refused(sender: RedditSender) -> None:
    with pytest.raises(SendRejected, match="t1_"):
        sender.send(reply(in_reply_to="c1"))


def test_send__private_is_a_message_to_the_author(
    sender: RedditSender, fake: RedditWriteFake, server: FakeHTTPServer
) -> None:
    receipt = sender.send(reply("Could you message us your order number?", private=True))

    message = fake.messages[0]["data"]
    assert (message["dest"], message["subject"]) == ("critic", "About your post")
    assert message["body"] == "Could you message us your order number?"
    assert receipt.platform_id == message["name"]  # found again in the sent box
    assert receipt.url == "https://www.reddit.com/message/messages/" + message["id"]
    assert fake.sent == []


def test_send__private_without_a_username_is_refused(sender: RedditSender) -> None:
    with pytest.raises(SendRejected, match="username"):
        sender.send(reply(private=True, recipient_handle=None))


def test_send__429_carries_the_reset_time(sender: RedditSender, fake: RedditWriteFake) -> None:
    fake.write_errors.append(
        Reply(429, {"message": "Too Many Requests"}, headers={"x-ratelimit-reset": "42"})
    )

    with pytest.raises(SourceRateLimited) as caught:
        sender.send(reply())

    assert caught.value.reset_at == NOW + timedelta(seconds=42)
    assert fake.sent == []


def test_send__reddits_ratelimit_answer_carries_its_wait(
    sender: RedditSender, fake: RedditWriteFake
) -> None:
    fake.write_errors.append(api_error(RATELIMIT))

    with pytest.raises(SourceRateLimited) as caught:
        sender.send(reply())

    assert caught.value.reset_at == NOW + timedelta(minutes=5)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_send__5xx_is_one_attempt_and_transient(
    sender: RedditSender, fake: RedditWriteFake, server: FakeHTTPServer, status: int
) -> None:
    fake.write_errors.append(Reply(status, {"message": "oops", "error": status}))
    fake.write_errors.append(Reply(status, {"message": "oops", "error": status}))

    with pytest.raises(SourceUnavailable):
        sender.send(reply())

    assert server.paths().count("/api/comment/") == 1  # prawcore's own retries are off
    assert len(fake.write_errors) == 1


def test_send__lost_answer_is_not_retried_inside(
    sender: RedditSender, fake: RedditWriteFake, server: FakeHTTPServer
) -> None:
    fake.lose_replies = 1

    with pytest.raises(SourceUnavailable):
        sender.send(reply())

    assert len(fake.sent) == 1  # posted once; the worker reconciles before any retry
    found = sender.find_sent(reply(), since=SINCE)
    assert found is not None and found.platform_id == fake.sent[0]["data"]["name"]


def test_send__unreachable_reddit_is_transient() -> None:
    sender = make("http://127.0.0.1:9", timeout=2)

    with pytest.raises(SourceUnavailable):
        sender.send(reply())


def test_send__refused_credentials(sender: RedditSender, fake: RedditWriteFake) -> None:
    refused = {"www-authenticate": 'Bearer realm="reddit", error="invalid_token"'}
    fake.write_errors.append(Reply(401, {"message": "Unauthorized", "error": 401}, refused))

    with pytest.raises(SourceAuthError):
        sender.send(reply())


@pytest.mark.parametrize(("target", "words"), [("deleted", DELETED), ("locked", LOCKED)])
def test_send__final_refusals_keep_reddits_words(
    sender: RedditSender, fake: RedditWriteFake, target: str, words: tuple[str, str, str]
) -> None:
    getattr(fake, target).add(PARENT)

    with pytest.raises(SendRejected) as caught:
        sender.send(reply())

    assert caught.value.reason == f"{words[1]} ({words[0]})"
    assert fake.sent == []


def test_send__forbidden_is_final(sender: RedditSender, fake: RedditWriteFake) -> None:
    fake.write_errors.append(Reply(403, {"message": "Forbidden", "error": 403}))

    with pytest.raises(SendRejected, match="403"):
        sender.send(reply())


def test_send__messages_closed_is_final(sender: RedditSender, fake: RedditWriteFake) -> None:
    fake.closed.add("critic")

    with pytest.raises(SendRejected) as caught:
        sender.send(reply(private=True))

    assert caught.value.reason == f"{CLOSED[1]} ({CLOSED[0]})"


def test_send__an_empty_answer_is_found_in_the_history(
    sender: RedditSender, fake: RedditWriteFake
) -> None:
    fake.empty_answer = True

    receipt = sender.send(reply())

    assert receipt.platform_id == fake.sent[0]["data"]["name"]


def test_find_sent__none_for_another_parent_text_or_time(
    sender: RedditSender, fake: RedditWriteFake
) -> None:
    assert sender.find_sent(reply(), since=SINCE) is None
    sender.send(reply(in_reply_to="t1_c2"))
    sender.send(reply("Other words."))

    assert sender.find_sent(reply(), since=SINCE) is None
    assert sender.find_sent(reply(in_reply_to="t1_c2"), since=SINCE) is not None
    assert sender.find_sent(reply(in_reply_to="t1_c2"), since=NOW + timedelta(hours=1)) is None


def test_find_sent__private_message_in_the_sent_box(
    sender: RedditSender, fake: RedditWriteFake
) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply("DM us", private=True))

    found = sender.find_sent(reply("DM us", private=True), since=SINCE)

    assert found is not None and found.platform_id == fake.messages[0]["data"]["name"]
    assert (
        sender.find_sent(reply("DM us", private=True, recipient_handle="ann"), since=SINCE) is None
    )
