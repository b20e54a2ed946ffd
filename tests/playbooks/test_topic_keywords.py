"""Case topics: the playbook's keywords match whole words, and ``*`` is an explicit prefix."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import PlaybookError
from playbooks.loader import DEFAULT_DIR, DEFAULT_PLAYBOOK, load_playbook
from playbooks.schema import Playbook
from playbooks.text import classify_topic


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("I want to cancel my contract", "cancellation"),
        ("Cancelled my old cable plan, moved to Brightloop", "cancellation"),
        ("Hit with a $150 early termination fee when I tried to cancel", "cancellation"),
        ("They are throttling me after 6pm, 3 mbps", "speed"),
        ("Overcharged again on this month's bill", "billing"),
        ("Thanks for flagging this, we're checking what went wrong", "general"),
        ("Simply the best eSIM setup I've had", "mobile"),
    ],
)
def test_classify_topic__whole_words_and_prefixes(pb: Playbook, text: str, topic: str) -> None:
    assert classify_topic(text, pb) == topic


def test_classify_topic__cancelled_meetings_are_not_a_cancellation(pb: Playbook) -> None:
    text = "Brightloop still down in Renton. Cancelled two meetings already. Fix it."

    assert classify_topic(text, pb) == "outage"
    assert classify_topic("Cancelled two meetings already.", pb) == "general"


def _with_keywords(tmp_path: Path, line: str) -> Path:
    (tmp_path / "facts.yaml").write_text((DEFAULT_DIR / "facts.yaml").read_text())
    text = DEFAULT_PLAYBOOK.read_text()
    start = text.index("  speed:\n    keywords: [")
    end = text.index("\n", start + len("  speed:\n"))
    target = tmp_path / "playbook.yaml"
    target.write_text(text[:start] + "  speed:\n    keywords: " + line + text[end:])
    return target


def test_load_playbook__accepts_a_prefix_keyword(tmp_path: Path) -> None:
    pb = load_playbook(_with_keywords(tmp_path, "[slow*, buffer*]"))

    assert pb.topics["speed"].keywords == ["slow*", "buffer*"]
    assert classify_topic("Endless BUFFERING tonight", pb) == "speed"


@pytest.mark.parametrize("bad", ["[sl*ow]", '["*"]', "[slow**]"])
def test_load_playbook__refuses_a_star_that_is_not_a_prefix(tmp_path: Path, bad: str) -> None:
    with pytest.raises(PlaybookError) as info:
        load_playbook(_with_keywords(tmp_path, bad))
    assert "'*' may only end a keyword" in str(info.value)
