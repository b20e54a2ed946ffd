"""The X sender against a loopback fake of X's write endpoints (tweepy pointed at it)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.errors import ConfigError, SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingReply, SendRejected
from outbound.senders.x import XSender
from tests.fakes.http import FakeHTTPServer, Reply
from tests.fakes.x_write import (
    BLOCKED,
    CLOSED,
    DELETED,
    DUPLICATE,
    RESTRICTED,
    XWriteFake,
    problem,
    rate_limited,
    serve,
)

SINCE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PARENT = "1000001"


def reply(text: str = "@critic sorry, we are on it", **kw: object) -> OutgoingReply:
    values: dict[str, object] = {
        "idempotency_key": "k1",
        "platform": "x",
        "text": text,
        "private": False,
        "in_reply_to": PARENT,
        "thread_root": None,
        "recipient_id": "100",
        "recipient_handle": "critic",
    }
    values.update(kw)
    return OutgoingReply(**values)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> XWriteFake:
    return XWriteFake()


@pytest.fixture
def server(fake: XWriteFake) -> Iterator[FakeHTTPServer]:
    with serve(fake) as srv:
        yield srv


@pytest.fixture
def sender(server: FakeHTTPServer) -> XSender:
    return XSender(
        consumer_key="ck", consumer_secret="cs", access_token="at", access_token_secret="ats",
        api_base=server.url,
    )  # fmt: skip


def test_send__posts_a_reply_and_returns_its_id_and_link(
    sender: XSender, fake: XWriteFake, server: FakeHTTPServer
) -> None:
    receipt = sender.send(reply())

    assert fake.sent[0]["text"] == "@critic sorry, we are on it"
    assert fake.sent[0]["referenced_tweets"] == [{"type": "replied_to", "id": PARENT}]
    assert receipt.platform_id == fake.sent[0]["id"]
    assert receipt.url == f"https://x.com/i/web/status/{receipt.platform_id}"
    post = server.requests[-1]
    assert post.headers["authorization"].startswith("OAuth ")  # user context, not app-only
    assert fake.tweets[-1]["id"] == receipt.platform_id  # the listener's search sees it again


def test_send__oauth2_user_token_and_handle_shape_the_link(server: FakeHTTPServer) -> None:
    sender = XSender(user_token="u2", handle="@brightloop", api_base=server.url)

    receipt = sender.send(reply())

    assert server.requests[-1].headers["authorization"] == "Bearer u2"
    assert receipt.url == f"https://x.com/brightloop/status/{receipt.platform_id}"


def test_send__private_goes_as_a_message_to_the_author(
    sender: XSender, fake: XWriteFake, server: FakeHTTPServer
) -> None:
    receipt = sender.send(reply("Could you DM us your order number?", private=True))

    assert server.paths()[-1] == "/2/dm_conversations/with/100/messages"
    assert fake.messages[0]["text"] == "Could you DM us your order number?"
    assert receipt.platform_id == fake.messages[0]["id"]
    assert receipt.url == "https://x.com/messages/900-100"
    assert fake.sent == []


def test_send__private_without_the_authors_id_is_refused(sender: XSender) -> None:
    with pytest.raises(SendRejected, match="user id"):
        sender.send(reply(private=True, recipient_id=None))


def test_send__429_carries_the_reset_time(sender: XSender, fake: XWriteFake) -> None:
    fake.write_errors.append(rate_limited(1_772_370_000))

    with pytest.raises(SourceRateLimited) as caught:
        sender.send(reply())

    assert caught.value.reset_at == datetime.fromtimestamp(1_772_370_000, UTC)
    assert fake.sent == []


@pytest.mark.parametrize("status", [500, 503])
def test_send__5xx_is_transient(sender: XSender, fake: XWriteFake, status: int) -> None:
    fake.write_errors.append(problem(status, "Internal Error"))

    with pytest.raises(SourceUnavailable):
        sender.send(reply())


def test_send__unreachable_platform_is_transient() -> None:
    sender = XSender(user_token="u2", api_base="http://127.0.0.1:9", timeout=2)

    with pytest.raises(SourceUnavailable):
        sender.send(reply())


def test_send__refused_credentials(sender: XSender, fake: XWriteFake) -> None:
    fake.write_errors.append(Reply(401, {"title": "Unauthorized", "detail": "Unauthorized"}))

    with pytest.raises(SourceAuthError):
        sender.send(reply())


@pytest.mark.parametrize(
    ("target", "words"),
    [("deleted", DELETED), ("blocked", BLOCKED), ("restricted", RESTRICTED)],
)
def test_send__final_refusals_keep_xs_words(
    sender: XSender, fake: XWriteFake, target: str, words: str
) -> None:
    getattr(fake, target).add(PARENT)

    with pytest.raises(SendRejected) as caught:
        sender.send(reply())

    assert caught.value.reason == words
    assert caught.value.source == "x"
    assert fake.sent == []


def test_send__duplicate_content_is_final(sender: XSender) -> None:
    sender.send(reply())

    with pytest.raises(SendRejected, match="duplicate content") as caught:
        sender.send(reply())
    assert caught.value.reason == DUPLICATE


def test_send__messages_closed_is_final(sender: XSender, fake: XWriteFake) -> None:
    fake.closed.add("100")

    with pytest.raises(SendRejected) as caught:
        sender.send(reply(private=True))
    assert caught.value.reason == CLOSED


def test_find_sent__finds_a_reply_whose_answer_was_lost(
    sender: XSender, fake: XWriteFake, server: FakeHTTPServer
) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply("@critic see https://brightloop.example/help & more"))
    # X shows the text back with t.co links and escaped entities.
    fake.sent[0]["text"] = "@critic see https://t.co/abc123 &amp; more"

    found = sender.find_sent(
        reply("@critic see https://brightloop.example/help & more"), since=SINCE
    )

    assert found is not None and found.platform_id == fake.sent[0]["id"]
    assert (
        found.url == f"https://x.com/brightloop/status/{found.platform_id}"
    )  # handle from users/me
    assert "/2/users/me" in server.paths()
    assert server.requests[-1].arg("start_time") == "2026-03-01T11:58:00Z"  # since less the skew


def test_find_sent__none_when_not_posted_or_posted_elsewhere(
    sender: XSender, fake: XWriteFake
) -> None:
    assert sender.find_sent(reply(), since=SINCE) is None
    sender.send(reply(in_reply_to="1000002"))  # same words, another post
    sender.send(reply("@critic something else"))

    assert sender.find_sent(reply(), since=SINCE) is None


def test_find_sent__private_message(sender: XSender, fake: XWriteFake) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply("DM us", private=True))

    found = sender.find_sent(reply("DM us", private=True), since=SINCE)

    assert found is not None and found.platform_id == fake.messages[0]["id"]
    assert sender.find_sent(reply("other words", private=True), since=SINCE) is None


def test_find_sent__errors_are_translated_too(sender: XSender, fake: XWriteFake) -> None:
    fake.write_errors.append(rate_limited(1_772_370_000))

    with pytest.raises(SourceRateLimited):
        sender.find_sent(reply(), since=SINCE)


def test_constructor__needs_user_context_credentials() -> None:
    with pytest.raises(ConfigError, match="user-context"):
        XSender(consumer_key="ck", consumer_secret="cs")
