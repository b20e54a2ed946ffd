"""``critic2fan send``: configured by settings alone, it posts an approved reply once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from store import outbox
from store.models import Author, Case, Mention, OutboxItem
from tests.cli_helpers import run_cli
from tests.fakes import reddit_write, x_write
from tests.fakes.mastodon_write import MastodonWriteFake, serve

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _approved_reply(
    engine: Engine, text: str, *, platform: str = "mastodon", external_id: str = "7001"
) -> int:
    with Session(engine) as s:
        author = Author(platform=platform, platform_id="7", handle="critic")
        s.add(author)
        s.flush()
        assert author.id is not None
        mention = Mention(
            source=platform, external_id=external_id, author_id=author.id,
            text="#brightloop broke", created_at=T0,
        )  # fmt: skip
        s.add(mention)
        s.flush()
        case = Case(author_id=author.id, source=platform, latest_mention_id=mention.id)
        s.add(case)
        s.flush()
        assert case.id is not None
        item = outbox.create_draft(
            s, case_id=case.id, mention_id=mention.id, platform=platform, text=text,
            private=False, drafted_by="user:ann", now=T0,
        )  # fmt: skip
        assert item.id is not None
        outbox.approve(s, item.id, approved_by="user:lee", now=T0)
        s.commit()
        return item.id


def test_send__posts_an_approved_reply_once_and_records_it(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "@critic sorry about that, a fix is rolling out today"
    item_id = _approved_reply(engine, text)
    fake = MastodonWriteFake()
    with serve(fake) as server:
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__SEND", "true")
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL", server.url)
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN", "tok")
        first = run_cli("--db", db_url, "send", "--for", "2")
        again = run_cli("--db", db_url, "send", "--for", "1")

    assert first.code == 0, first.err
    assert again.code == 0, again.err
    assert "sending on: mastodon" in first.err
    assert "1 sent, 0 failed" in first.out
    assert "0 sent, 0 failed" in again.out
    assert [s["in_reply_to_id"] for s in fake.sent] == ["7001"]
    with Session(engine) as s:
        row = s.get(OutboxItem, item_id)
        assert row is not None
        assert row.state == "sent"
        assert row.platform_post_id == fake.sent[0]["id"]
        assert row.url == fake.sent[0]["url"]


def test_send__x_and_reddit_post_through_their_configured_api_base(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tweet = _approved_reply(engine, "Sorry! A fix ships today.", platform="x", external_id="55")
    comment = _approved_reply(
        engine, "Sorry! A fix ships today, too.", platform="reddit", external_id="t1_c9"
    )
    x_fake, reddit_fake = x_write.XWriteFake(), reddit_write.RedditWriteFake()
    with x_write.serve(x_fake) as x_server, reddit_write.serve(reddit_fake) as reddit_server:
        for name, value in {
            "X__SEND": "true", "X__API_BASE_URL": x_server.url, "X__CONSUMER_KEY": "ck",
            "X__CONSUMER_SECRET": "cs", "X__ACCESS_TOKEN": "at", "X__ACCESS_TOKEN_SECRET": "ats",
            "REDDIT__SEND": "true", "REDDIT__API_BASE_URL": reddit_server.url,
            "REDDIT__CLIENT_ID": "id", "REDDIT__CLIENT_SECRET": "secret",
            "REDDIT__USERNAME": reddit_write.BRAND, "REDDIT__PASSWORD": "pw",
        }.items():  # fmt: skip
            monkeypatch.setenv(f"CRITIC2FAN_SOURCES__{name}", value)
        result = run_cli("--db", db_url, "send", "--for", "2")

    assert result.code == 0, result.err
    assert "2 sent, 0 failed" in result.out
    assert [t["text"] for t in x_fake.sent] == ["Sorry! A fix ships today."]
    assert [c["data"]["parent_id"] for c in reddit_fake.sent] == ["t1_c9"]
    assert "/api/v1/access_token" in reddit_server.paths()  # signed in at the configured base
    with Session(engine) as s:
        rows = [s.get(OutboxItem, tweet), s.get(OutboxItem, comment)]
    assert [r.state if r else None for r in rows] == ["sent", "sent"]


def test_send__a_missing_credential_is_one_line_and_exit_2(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__SEND", "true")
    monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL", "http://127.0.0.1:9")

    result = run_cli("--db", db_url, "send", "--for", "1")

    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "error: sources.mastodon.send is on but sources.mastodon.access_token is not set "
        "(CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN)"
    ]


def test_send__x_with_only_the_bearer_token_is_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_SOURCES__X__SEND", "true")
    monkeypatch.setenv("CRITIC2FAN_SOURCES__X__BEARER_TOKEN", "app-only")

    result = run_cli("--db", db_url, "send")

    assert result.code == 2
    assert "sources.x.consumer_key is not set" in result.err
    assert "not the bearer token" in result.err


def test_send__without_a_platform_sending_says_how_to_turn_one_on(db_url: str) -> None:
    result = run_cli("--db", db_url, "send", "--for", "1")

    assert result.code == 2
    assert "no platform has sending on" in result.err


def test_send__a_platform_named_with_sending_off_is_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__SEND", "true")
    monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN", "tok")

    result = run_cli("--db", db_url, "send", "--source", "reddit")

    assert result.code == 2
    assert "sending is off for reddit" in result.err


@pytest.mark.slow
def test_run__sends_approved_replies_when_a_platform_has_sending_on(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    item_id = _approved_reply(engine, "@critic thanks for your patience")
    fake = MastodonWriteFake()
    with serve(fake) as server:
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__SEND", "true")
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__API_BASE_URL", server.url)
        monkeypatch.setenv("CRITIC2FAN_SOURCES__MASTODON__ACCESS_TOKEN", "tok")
        result = run_cli("--db", db_url, "run", "--no-listen", "--for", "4", "--interval", "1")

    assert result.code == 0, result.err
    assert "sending approved replies on: mastodon" in result.err
    assert len(fake.sent) == 1
    with Session(engine) as s:
        row = s.get(OutboxItem, item_id)
        assert row is not None and row.state == "sent"
