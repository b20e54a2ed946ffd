"""The senders are built from the settings, the Reddit status channel included."""

from __future__ import annotations

from typing import Any

import pytest

from critic2fan.senders import build_senders
from critic2fan.settings import load_settings


def _reddit(**extra: Any) -> Any:
    sources = {
        "reddit": {
            "send": True,
            "client_id": "cid",
            "client_secret": "secret",
            "username": "brightloop",
            "password": "pw",
            **extra,
        }
    }
    return build_senders(load_settings(sources=sources), only=["reddit"])["reddit"]


def test_reddit_sender__status_updates_go_where_the_settings_say() -> None:
    sender = _reddit(status_subreddit="r/BrightloopStatus", status_title="Service status")
    assert (sender.status_subreddit, sender.status_title) == ("BrightloopStatus", "Service status")


def test_reddit_sender__status_updates_default_to_the_accounts_profile() -> None:
    sender = _reddit()
    assert (sender.status_subreddit, sender.status_title) == ("u_brightloop", "Status update")


def test_reddit_settings__an_empty_status_title_is_refused() -> None:
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="status_title"):
        _reddit(status_title="")
