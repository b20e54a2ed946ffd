"""Validating an untrusted playbook in a child process with CPU-time and memory limits."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

from playbooks.isolated import TOO_BIG, TOO_SLOW, run_checker, validate_isolated
from playbooks.loader import DEFAULT_DIR, DEFAULT_PLAYBOOK, MAX_FILE_BYTES, load_playbook
from tests.playbooks.test_template_limits import HUGE_STRING, NESTED_RANGES, with_fan_template

QUICK_SECONDS = 15.0  # a child interpreter's start included, on a busy machine


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled playbook folder."""
    shutil.copy(DEFAULT_DIR / "facts.yaml", tmp_path / "facts.yaml")
    target = tmp_path / "playbook.yaml"
    shutil.copy(DEFAULT_PLAYBOOK, target)
    return target


def python(code: str) -> list[str]:
    """A child command running ``code`` with this interpreter."""
    return [sys.executable, "-c", code]


def test_validate_isolated__the_bundled_playbook_is_valid_with_its_counts() -> None:
    result = validate_isolated(DEFAULT_PLAYBOOK)
    pb = load_playbook(None)
    assert result.ok, result.message
    assert result.brand == pb.brand.name and result.topics == len(pb.topics)
    assert result.facts == len(pb.facts.facts)
    assert result.templates == sum(len(t) for t in pb.templates.values())


def test_validate_isolated__a_broken_file_names_its_file_and_line(copy: Path) -> None:
    lines = copy.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if "troll_likely: 0.6" in line)
    lines[number] = lines[number].replace("0.6", "6")
    copy.write_text("\n".join(lines) + "\n")
    result = validate_isolated(copy)
    assert not result.ok
    assert result.line == number + 1 and result.path == str(copy)
    assert f"{copy}:{number + 1}:" in result.message and "troll_likely" in result.message


@pytest.mark.parametrize(
    ("source", "reason"),
    [(NESTED_RANGES, "range()"), (HUGE_STRING, "longer than 10,000 characters")],
    ids=["ranges", "string"],
)
def test_validate_isolated__hostile_templates_are_refused_quickly(
    copy: Path, source: str, reason: str
) -> None:
    line = with_fan_template(copy, source)
    started = time.monotonic()
    result = validate_isolated(copy)
    assert time.monotonic() - started < QUICK_SECONDS
    assert not result.ok and reason in result.message
    assert result.line == line and "templates.fan.default" in result.message


def test_validate_isolated__a_file_that_burns_cpu_is_stopped_by_the_cpu_limit(
    copy: Path,
) -> None:
    # Nearly 2 MB of YAML: several seconds of parsing, far past a one-second CPU limit.
    entry = "  t{0:06d}:\n    keywords: [a{0:06d}, b{0:06d}]\n"
    count = (MAX_FILE_BYTES - 2_000) // len(entry.format(0))
    copy.write_text("topics:\n" + "".join(entry.format(i) for i in range(count)))
    assert copy.stat().st_size < MAX_FILE_BYTES
    started = time.monotonic()
    result = validate_isolated(copy, cpu_seconds=1)
    assert time.monotonic() - started < QUICK_SECONDS
    assert not result.ok and result.message == TOO_SLOW == "the playbook took too long to validate"


def test_run_checker__a_child_killed_by_its_cpu_limit_gives_the_clear_message() -> None:
    code = "from playbooks.isolated import limit_self\nlimit_self(1, 2**30)\nwhile True: pass"
    started = time.monotonic()
    result = run_checker(python(code), timeout_s=60)
    assert time.monotonic() - started < QUICK_SECONDS
    assert not result.ok and result.message == TOO_SLOW


def test_run_checker__a_child_over_its_memory_limit_gives_the_clear_message() -> None:
    code = "from playbooks.isolated import limit_self\nlimit_self(5, 300 * 2**20)\n" + (
        "x = bytearray(2**30)"
    )
    result = run_checker(python(code), timeout_s=60)
    assert not result.ok and result.message == TOO_BIG
    assert result.message == "the playbook used too much memory to validate"


def test_run_checker__a_child_past_the_wall_clock_timeout_is_stopped() -> None:
    started = time.monotonic()
    result = run_checker(python("import time; time.sleep(60)"), timeout_s=1)
    assert time.monotonic() - started < QUICK_SECONDS
    assert not result.ok and result.message == TOO_SLOW


def test_run_checker__the_child_gets_no_secrets_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CRITIC2FAN_SECRET_KEY", "sk-very-secret")
    monkeypatch.setenv("CRITIC2FAN_DATABASE_URL", "postgresql://u:pw@db/x")
    code = (
        "import json, os\n"
        "print(json.dumps({'ok': True, 'message': ' '.join(f'{k}={v}' for k, v in "
        "os.environ.items())}))"
    )
    result = run_checker(python(code), timeout_s=60)
    assert result.ok and "PYTHONPATH=" in result.message
    assert "sk-very-secret" not in result.message and "pw@db" not in result.message


def test_run_checker__a_crash_without_a_verdict_is_reported_not_raised() -> None:
    result = run_checker(python("raise SystemExit(3)"), timeout_s=60)
    assert not result.ok and "exit code 3" in result.message
