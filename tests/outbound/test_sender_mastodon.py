"""The Mastodon sender against a loopback fake instance (Mastodon.py pointed at it)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.errors import SourceAuthError, SourceRateLimited, SourceUnavailable
from outbound.base import OutgoingReply, SendRejected
from outbound.senders.mastodon import MastodonSender
from tests.fakes.http import FakeHTTPServer
from tests.fakes.mastodon_write import (
    NOT_FOUND,
    TOO_LONG,
    MastodonWriteFake,
    error,
    rate_limited,
    serve,
)

SINCE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PARENT = "7"


def reply(text: str = "@critic sorry, we are on it", **kw: object) -> OutgoingReply:
    values: dict[str, object] = {
        "idempotency_key": "key-1",
        "platform": "mastodon",
        "text": text,
        "private": False,
        "in_reply_to": PARENT,
        "thread_root": None,
        "recipient_id": "7",
        "recipient_handle": "critic",
    }
    values.update(kw)
    return OutgoingReply(**values)  # type: ignore[arg-type]


@pytest.fixture
def fake() -> MastodonWriteFake:
    return MastodonWriteFake()


@pytest.fixture
def server(fake: MastodonWriteFake) -> Iterator[FakeHTTPServer]:
    with serve(fake) as srv:
        yield srv


@pytest.fixture
def sender(server: FakeHTTPServer) -> MastodonSender:
    return MastodonSender(api_base_url=server.url, access_token="tok")


def test_send__posts_in_the_thread_with_the_idempotency_key(
    sender: MastodonSender, fake: MastodonWriteFake, server: FakeHTTPServer
) -> None:
    receipt = sender.send(reply())

    post = server.requests[-1]
    assert (post.method, post.path) == ("POST", "/api/v1/statuses")
    assert post.headers["idempotency-key"] == "key-1"
    assert post.headers["authorization"] == "Bearer tok"
    assert fake.sent[0]["in_reply_to_id"] == PARENT
    assert fake.sent[0]["visibility"] == "public"
    assert receipt.platform_id == fake.sent[0]["id"]
    assert receipt.url == f"https://fake.social/@brightloop/{receipt.platform_id}"
    assert fake.statuses[-1]["id"] == receipt.platform_id  # the listener's timeline sees it again


def test_send__private_is_a_direct_mention(sender: MastodonSender, fake: MastodonWriteFake) -> None:
    sender.send(reply("@critic could you DM us your order number?", private=True))

    assert fake.sent[0]["visibility"] == "direct"
    assert fake.sent[0]["in_reply_to_id"] == PARENT


def test_send__a_retry_with_the_same_key_never_posts_twice(
    sender: MastodonSender, fake: MastodonWriteFake
) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply())

    receipt = sender.send(reply())

    assert len(fake.sent) == 1
    assert receipt.platform_id == fake.sent[0]["id"]
    other = sender.send(reply(idempotency_key="key-2"))
    assert len(fake.sent) == 2 and other.platform_id != receipt.platform_id


def test_send__429_carries_the_reset_time(sender: MastodonSender, fake: MastodonWriteFake) -> None:
    reset = int(time.time()) + 120
    iso = datetime.fromtimestamp(reset, UTC).isoformat().replace("+00:00", "Z")
    fake.write_errors.append(rate_limited(iso))

    with pytest.raises(SourceRateLimited) as caught:
        sender.send(reply())

    assert caught.value.reset_at is not None
    assert abs(caught.value.reset_at.timestamp() - reset) < 5  # Mastodon.py corrects for Date
    assert fake.sent == []


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_send__5xx_is_transient(
    sender: MastodonSender, fake: MastodonWriteFake, status: int
) -> None:
    fake.write_errors.append(error(status, "oops"))

    with pytest.raises(SourceUnavailable):
        sender.send(reply())


def test_send__unreachable_instance_is_transient() -> None:
    sender = MastodonSender(api_base_url="http://127.0.0.1:9", access_token="t", timeout=2)

    with pytest.raises(SourceUnavailable):
        sender.send(reply())


def test_send__refused_token(sender: MastodonSender, fake: MastodonWriteFake) -> None:
    fake.write_errors.append(error(401, "The access token is invalid"))

    with pytest.raises(SourceAuthError, match="access token is invalid"):
        sender.send(reply())


def test_send__deleted_post_is_final_in_the_instances_words(
    sender: MastodonSender, fake: MastodonWriteFake
) -> None:
    fake.deleted.add(PARENT)

    with pytest.raises(SendRejected) as caught:
        sender.send(reply())

    assert caught.value.reason.startswith(NOT_FOUND)
    assert "deleted" in caught.value.reason
    assert fake.sent == []


def test_send__validation_failure_is_final(sender: MastodonSender) -> None:
    with pytest.raises(SendRejected) as caught:
        sender.send(reply("x" * 501))
    assert caught.value.reason == TOO_LONG


def test_send__forbidden_is_final(sender: MastodonSender, fake: MastodonWriteFake) -> None:
    fake.write_errors.append(error(403, "This action is not allowed"))

    with pytest.raises(SendRejected, match="not allowed"):
        sender.send(reply())


def test_find_sent__finds_the_status_from_the_brands_own_list(
    sender: MastodonSender, fake: MastodonWriteFake, server: FakeHTTPServer
) -> None:
    fake.lose_replies = 1
    with pytest.raises(SourceUnavailable):
        sender.send(reply("@critic sorry & see https://brightloop.example/help"))
    sender.send(reply("@critic another", idempotency_key="key-2"))

    found = sender.find_sent(
        reply("@critic sorry & see https://brightloop.example/help"), since=SINCE
    )

    assert found is not None and found.platform_id == fake.sent[0]["id"]
    assert "/api/v1/accounts/verify_credentials" in server.paths()
    assert server.paths()[-1] == "/api/v1/accounts/42/statuses"


def test_find_sent__none_for_another_parent_visibility_or_text(
    sender: MastodonSender, fake: MastodonWriteFake
) -> None:
    sender.send(reply(in_reply_to="8"))
    sender.send(reply(idempotency_key="k2", private=True))

    assert sender.find_sent(reply(), since=SINCE) is None
    assert sender.find_sent(reply("@critic other words", private=True), since=SINCE) is None
    assert sender.find_sent(reply(private=True), since=SINCE) is not None


def test_find_sent__older_than_since_is_not_ours(
    sender: MastodonSender, fake: MastodonWriteFake
) -> None:
    sender.send(reply())

    assert sender.find_sent(reply(), since=datetime(2026, 3, 1, 13, 0, tzinfo=UTC)) is None
