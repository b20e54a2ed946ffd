"""What differs between brands in the learning figures lives in the playbook's ``learning``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.errors import PlaybookError
from playbooks.learning.attribution import DEFAULT_MINUTES, LearningPolicy
from playbooks.loader import DEFAULT_DIR, load_playbook


def _playbook_with(tmp_path: Path, section: str) -> Path:
    shutil.copy(DEFAULT_DIR / "facts.yaml", tmp_path / "facts.yaml")
    target = tmp_path / "playbook.yaml"
    text = (DEFAULT_DIR / "playbook.yaml").read_text(encoding="utf-8")
    target.write_text(text + "\n" + section, encoding="utf-8")
    return target


def test_policy__from_the_playbooks_learning_section(tmp_path: Path) -> None:
    path = _playbook_with(
        tmp_path,
        "learning:\n"
        "  tier_bounds: [500, 50000]\n"
        "  min_cases: 25\n"
        "  staff_minutes: {reply: 8}\n"
        "  durability_days: [14, 60]\n",
    )
    policy = LearningPolicy.from_rules(load_playbook(path).learning)

    assert policy.tiers() == ("<500", "500–50k", "50k+")
    assert policy.tier(700) == "500–50k" and policy.tier(None) == "<500"
    assert policy.min_n == 25 and policy.durability_days == (14, 60)
    assert policy.minutes["reply"] == 8
    assert policy.minutes["goodwill"] == DEFAULT_MINUTES["goodwill"]  # unset: the default


def test_policy__the_default_playbook_keeps_the_documented_defaults() -> None:
    policy = LearningPolicy.from_rules(load_playbook().learning)
    assert policy == LearningPolicy()


def test_learning_section__bad_tiers_name_their_line(tmp_path: Path) -> None:
    path = _playbook_with(tmp_path, "learning:\n  tier_bounds: [10000, 1000]\n")
    with pytest.raises(PlaybookError, match="ascending") as err:
        load_playbook(path)
    assert err.value.line is not None
