"""``critic2fan listen`` reads Reddit from wherever the settings point: a loopback fake here."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from tests.cli_helpers import run_cli
from tests.fakes.reddit import RedditFake, comment, serve, submission
from tests.listener.conftest import stored


def test_listen__reddit_pointed_at_a_loopback_server_by_settings_alone(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("listener.runner.Runner.install_signal_handlers", lambda self: None)
    fake = RedditFake(
        comments=[
            comment(1),
            comment(2, "unrelated"),
            comment(3, "brightloop in pics", subreddit="pics", author="other"),
        ],
        submissions=[submission(4)],
        search=[comment(5, "brightloops everywhere", subreddit="all_over")],
    )
    with serve(fake) as server:
        env = {
            "API_BASE_URL": server.url,
            "CLIENT_ID": "id",
            "CLIENT_SECRET": "secret",
            "SUBREDDITS": '["r/gadgets", "pics"]',
            "POLL_SECONDS": "1",
            "MIN_POLL_SECONDS": "0.5",
            "REQUESTS_PER_MINUTE": "600",
        }
        for key, value in env.items():
            monkeypatch.setenv(f"CRITIC2FAN_SOURCES__REDDIT__{key}", value)
        result = run_cli(
            "--db", db_url, "listen", "--source", "reddit", "--for", "5", "--no-status"
        )
        paths = sorted({r.path.rstrip("/") for r in fake.listed})
    assert result.code == 0, result.err
    rows = stored(engine)
    assert sorted(rows) == ["t1_c1", "t1_c3", "t1_c5", "t3_p4"]
    assert "reddit:comments:pics: 1 read, 1 matched, 1 stored" in result.out
    assert {"/r/gadgets/comments", "/r/pics/comments", "/r/gadgets/new", "/r/pics/new"} <= set(
        paths
    )
    assert "/r/all/search" in paths
    polls = [r for r in fake.listed if r.path.rstrip("/") == "/r/gadgets/comments"]
    assert len(polls) >= 2  # polled again within the run: poll_seconds took effect
