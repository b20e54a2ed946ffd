"""Against the real platforms: run with ``pytest -m live`` and credentials in the environment.

Each test is skipped unless its credentials (or, for Bluesky, ``CRITIC2FAN_LIVE_BLUESKY=1``)
are set, so the default run never touches the internet.
"""

from __future__ import annotations

import itertools
import os
import threading

import pytest

from core.records import MentionRecord
from critic2fan.settings import load_settings
from listener.runner import plan_sources

pytestmark = pytest.mark.live

NEEDS = {
    "x": ("CRITIC2FAN_LIVE_X_BEARER_TOKEN",),
    "reddit": ("CRITIC2FAN_LIVE_REDDIT_CLIENT_ID", "CRITIC2FAN_LIVE_REDDIT_CLIENT_SECRET"),
    "mastodon": ("CRITIC2FAN_LIVE_MASTODON_URL", "CRITIC2FAN_LIVE_MASTODON_TOKEN"),
    "bluesky": ("CRITIC2FAN_LIVE_BLUESKY",),
}
SETTINGS = {
    "x": lambda env: {"x": {"enabled": True, "bearer_token": env[0], "use_stream": False}},
    "reddit": lambda env: {
        "reddit": {"enabled": True, "client_id": env[0], "client_secret": env[1]}
    },
    "mastodon": lambda env: {
        "mastodon": {"enabled": True, "api_base_url": env[0], "access_token": env[1]}
    },
    "bluesky": lambda env: {"bluesky": {"enabled": True}},
}


@pytest.mark.parametrize("platform", sorted(NEEDS))
def test_live__source_yields_valid_mentions(platform: str) -> None:
    values = [os.environ.get(name) for name in NEEDS[platform]]
    if not all(values):
        pytest.skip(f"set {', '.join(NEEDS[platform])} to run against the real {platform}")
    settings = load_settings(
        sources=SETTINGS[platform](values),
        brand={"keywords": ["the"], "handles": []},  # common enough to see posts quickly
    )
    plan = plan_sources(settings.sources, settings.brand, [platform])
    assert plan.problems == [] and plan.sources
    source = plan.sources[0]
    timer = threading.Timer(60, source.close)
    timer.start()
    try:
        items = list(itertools.islice(source.fetch(None), 5))
    finally:
        timer.cancel()
        source.close()

    records = [item.record for item in items if item.record is not None]
    assert records, f"{platform} yielded nothing in 60 s"
    assert all(isinstance(r, MentionRecord) and r.source == platform for r in records)
