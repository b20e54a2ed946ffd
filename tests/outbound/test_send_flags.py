"""Sending is off by default on every platform."""

from __future__ import annotations

from core.config import SourcesSettings


def test_send__is_off_by_default_on_every_platform() -> None:
    sources = SourcesSettings()
    flags = {name: getattr(sources, name).send for name in ("x", "reddit", "bluesky", "mastodon")}

    assert flags == {"x": False, "reddit": False, "bluesky": False, "mastodon": False}


def test_send__is_switched_on_per_platform() -> None:
    sources = SourcesSettings.model_validate({"mastodon": {"send": True}})

    assert sources.mastodon.send and not sources.x.send
