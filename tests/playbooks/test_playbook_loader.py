"""Playbook files: the bundled one loads; broken ones fail with the right file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.errors import PlaybookError
from playbooks.loader import DEFAULT_DIR, DEFAULT_PLAYBOOK, load_active_playbook, load_playbook
from playbooks.templates import render_reply
from tests.cli_helpers import run_cli


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled playbook folder."""
    shutil.copy(DEFAULT_DIR / "facts.yaml", tmp_path / "facts.yaml")
    target = tmp_path / "playbook.yaml"
    shutil.copy(DEFAULT_PLAYBOOK, target)
    return target


def _replace_line(path: Path, old: str, new: str) -> int:
    """Replace the line containing ``old``; return its 1-based number."""
    lines = path.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if old in line)
    lines[number] = lines[number].replace(old, new)
    path.write_text("\n".join(lines) + "\n")
    return number + 1


def test_load_playbook__default_has_brand_topics_and_facts() -> None:
    pb = load_playbook(None)
    assert pb.brand.name == "Brightloop"
    assert {f.id for f in pb.facts.facts} >= {"no_cancellation_fees", "unthrottled"}
    assert "billing" in pb.topics


def test_load_playbook__out_of_range_value_names_its_line(copy: Path) -> None:
    line = _replace_line(copy, "troll_likely: 0.6", "troll_likely: 7")
    with pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.line == line and "troll_likely" in str(info.value)
    assert info.value.path == copy


def test_load_playbook__unknown_key_names_its_line(copy: Path) -> None:
    line = _replace_line(copy, "  empathize: 240", "  empathise: 240")
    with pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.line == line and "empathise" in str(info.value)


def test_load_playbook__undefined_template_variable_names_its_line(copy: Path) -> None:
    line = _replace_line(copy, "Thanks {{ name }}, glad", "Thanks {{ nme }}, glad")
    with pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.line == line - 1 and "nme" in str(info.value)


def test_load_playbook__template_syntax_error_names_its_line(copy: Path) -> None:
    line = _replace_line(copy, "Thanks {{ name }}, glad", "Thanks {{ name }, glad")
    with pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.line == line and "syntax" in str(info.value)


def test_load_playbook__template_code_execution_is_refused(copy: Path) -> None:
    evil = "{{ name.__class__.__mro__[1].__subclasses__() }}"
    _replace_line(copy, "Thanks {{ name }}, glad", evil)
    with pytest.raises(PlaybookError, match="not allowed|undefined"):
        load_playbook(copy)


def test_load_playbook__bad_yaml_names_its_line(copy: Path) -> None:
    line = _replace_line(copy, "  acknowledge: 60", "  acknowledge: [60")
    with pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.line is not None and info.value.line >= line


def test_load_playbook__template_for_unknown_topic_names_its_line(copy: Path) -> None:
    line = _replace_line(copy, "    outage: >-", "    outages: >-")
    with pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.line == line and "outages" in str(info.value)


def test_load_playbook__broken_facts_file_names_its_line(copy: Path) -> None:
    facts = copy.with_name("facts.yaml")
    line = _replace_line(facts, "id: unthrottled", "id: Unthrottled!")
    with pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.path == facts and info.value.line == line


def test_load_playbook__missing_file_is_a_playbook_error(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="no such file"):
        load_playbook(tmp_path / "nope.yaml")


def test_load_playbook__not_a_mapping_is_a_playbook_error(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(PlaybookError, match="mapping"):
        load_playbook(path)


def test_render_reply__hostile_name_is_plain_text() -> None:
    pb = load_playbook(None)
    text = render_reply(pb, "fan", "general", name="{{ 7*7 }} <b>x</b>\n\nEve")
    assert "{{ 7*7 }} <b>x</b> Eve" in text and "49" not in text


def test_cli_validate__good_file_exits_zero() -> None:
    result = run_cli("playbook", "validate", str(DEFAULT_PLAYBOOK))
    assert result.code == 0 and "ok" in result.out


def test_cli_validate__broken_file_exits_nonzero_with_line(copy: Path) -> None:
    line = _replace_line(copy, "troll_likely: 0.6", "troll_likely: high")
    result = run_cli("playbook", "validate", str(copy))
    assert result.code != 0 and f"{copy}:{line}:" in result.err


def test_load_active_playbook__default_without_paths() -> None:
    pb = load_active_playbook(None, None)
    assert pb == load_playbook(None)


def test_load_active_playbook__configured_facts_replace_the_playbooks_own(copy: Path) -> None:
    facts = copy.parent / "other-facts.yaml"
    text = (DEFAULT_DIR / "facts.yaml").read_text()
    facts.write_text(text.replace("Brightloop has no cancellation fees", "Leaving is free"))
    own = load_active_playbook(str(copy), None)
    configured = load_active_playbook(copy, str(facts))
    assert "Leaving is free" in configured.facts.model_dump_json()
    assert "Leaving is free" not in own.facts.model_dump_json()
    facts.write_text("facts: [not, a, fact]\n")
    with pytest.raises(PlaybookError) as err:
        load_active_playbook(copy, facts)
    assert "other-facts.yaml" in str(err.value)
