"""Reply templates render within limits: size, work, time and depth, everywhere they render."""

from __future__ import annotations

import shutil
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from core.errors import PlaybookError
from playbooks.loader import DEFAULT_DIR, DEFAULT_PLAYBOOK, load_playbook
from playbooks.templates import (
    MAX_REPLY_CHARS,
    SAMPLE_CONTEXT,
    TemplateLimitError,
    render_reply,
    render_template,
)
from tests.cli_helpers import run_cli

NESTED_RANGES = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"
HUGE_STRING = "{{ 'x' * 50000000 }}"
PEAK_BYTES = 30 * 1024 * 1024

HOSTILE = {
    "nested ranges": NESTED_RANGES,
    "huge string": HUGE_STRING,
    "many small loops": "{% for a in range(1000) %}{% for b in range(1000) %}"
    "{% endfor %}{% endfor %}",
    "loops over a long text": "{% set s = 'x' * 9000 %}{% for a in s %}{% for b in s %}"
    "{% endfor %}{% endfor %}",
    "huge list": "{{ ([1] * 5000) * 5000 }}",
    "huge number": "{{ 9 ** 99999999 }}",
    "squaring": "{% set ns = namespace(x=3) %}{% for i in range(40) %}"
    "{% set ns.x = ns.x * ns.x %}{% endfor %}",
    "wide filter": "{{ 'x'|center(999999999) }}",
    "wide method": "{{ 'x'.ljust(999999999) }}",
    "wide format": "{{ '%999999999d'|format(1) }}",
    "wide format method": "{{ '{:{}}'.format(1, 999999999) }}",
    "wide percent": "{{ '%*d' % (999999999, 1) }}",
    "doubling with ~": "{% set a = 'x' * 5000 %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c }}",
    "doubling a namespace": "{% set ns = namespace(s='x') %}{% for i in range(60) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "doubling block sets": "{% set a %}{{ 'x' * 6000 }}{{ 'x' * 6000 }}{% endset %}ok",
    "doubling macro": "{% macro f(n) %}{% if n %}{% set s = f(n - 1) %}{{ s }}{{ s }}"
    "{% endif %}x{% endmacro %}{{ f(30) }}",
    "exponential macro": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}"
    "{% endmacro %}{{ f(40) }}",
    "endless macro": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "endless loop recursion": "{% for x in [1, 2] recursive %}{{ loop([1, 2]) }}{% endfor %}",
    "tabs": "{{ ('\\t' * 5000).expandtabs(5000) }}",
    "replace": "{{ ('a' * 5000)|replace('a', 'b' * 5000) }}",
    "join": "{{ ('x' * 5000).join('y' * 5000) }}",
    "indent": "{{ ('\\n' * 5000)|indent(5000) }}",
    "growing list": "{% set l = [] %}{% for i in range(1000) %}{{ l.append('x' * 9000) }}"
    "{% endfor %}",
    "long output": "{% for i in range(1000) %}{{ 'x' * 100 }}{% endfor %}",
}


@contextmanager
def bounded(seconds: float = 3.0, peak_bytes: int = PEAK_BYTES) -> Iterator[None]:
    """Assert the block finishes within ``seconds`` and allocates at most ``peak_bytes``."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield
    finally:
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert elapsed < seconds, f"took {elapsed:.1f} s"
    assert peak < peak_bytes, f"peak {peak / 2**20:.0f} MiB"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled playbook folder."""
    shutil.copy(DEFAULT_DIR / "facts.yaml", tmp_path / "facts.yaml")
    target = tmp_path / "playbook.yaml"
    shutil.copy(DEFAULT_PLAYBOOK, target)
    return target


def with_fan_template(path: Path, source: str) -> int:
    """Replace the fan stage's default template with ``source``; return its key's line."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "fan:")
    key = start + 1
    assert lines[key].strip().startswith("default:")
    end = key + 1
    while end < len(lines) and lines[end].startswith("      "):
        end += 1
    quoted = source.replace("'", "''")
    lines[key:end] = [f"    default: '{quoted}'"]
    path.write_text("\n".join(lines) + "\n")
    return key + 1


@pytest.mark.parametrize("source", list(HOSTILE.values()), ids=list(HOSTILE))
def test_render_template__hostile_templates_stop_quickly_with_a_limit(source: str) -> None:
    with bounded(), pytest.raises(TemplateLimitError):
        render_template(source, SAMPLE_CONTEXT)


def test_render_template__names_the_limit_it_hit() -> None:
    with pytest.raises(TemplateLimitError, match=r"range\(\) may hold at most 1,000"):
        render_template(NESTED_RANGES, SAMPLE_CONTEXT)
    with pytest.raises(TemplateLimitError, match="longer than 10,000 characters"):
        render_template(HUGE_STRING, SAMPLE_CONTEXT)
    with pytest.raises(TemplateLimitError, match="too much work"):
        render_template(HOSTILE["many small loops"], SAMPLE_CONTEXT)
    with pytest.raises(TemplateLimitError, match="nest more than"):
        render_template(HOSTILE["endless macro"], SAMPLE_CONTEXT)


def test_render_template__ordinary_jinja_still_works() -> None:
    source = (
        "{% macro hi(who) %}Hi {{ who }}{% endmacro %}{{ hi(name) }}, "
        "{% for i in range(3) %}{{ loop.index }}{% endfor %} "
        "{{ brand|upper }} {{ '%.1f'|format(2.25) }} {{ '{}!'.format(topic) }} "
        "{{ ('ab' * 3) ~ '-' ~ [1, 2]|join(',') }}{% set ns = namespace(n=0) %}"
        "{% for c in 'abc' %}{% set ns.n = ns.n + 1 %}{% endfor %} {{ ns.n }}"
    )
    text = render_template(source, SAMPLE_CONTEXT)
    assert text == "Hi Alex, 123 BRAND 2.2 billing! ababab-1,2 3"


def test_render_template__a_reply_at_the_cap_renders() -> None:
    exact = render_template(f"{{{{ 'x' * {MAX_REPLY_CHARS} }}}}", SAMPLE_CONTEXT)
    assert len(exact) == MAX_REPLY_CHARS
    with pytest.raises(TemplateLimitError):
        render_template(f"{{{{ 'x' * {MAX_REPLY_CHARS} }}}}.", SAMPLE_CONTEXT)


def test_default_playbook__renders_exactly_as_an_unbounded_sandbox_does() -> None:
    plain = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)  # noqa: S701
    pb = load_playbook(None)
    contexts = [SAMPLE_CONTEXT, {**SAMPLE_CONTEXT, "private": True, "fact": "F. " * 50}]
    rendered = 0
    for by_topic in pb.templates.values():
        for source in by_topic.values():
            for context in contexts:
                expected = plain.from_string(source).render(**context)
                assert render_template(source, context) == expected
                rendered += 1
    assert rendered == 2 * sum(len(t) for t in pb.templates.values())


@pytest.mark.parametrize("source", [NESTED_RANGES, HUGE_STRING], ids=["ranges", "string"])
def test_load_playbook__hostile_template_is_an_error_with_its_line(copy: Path, source: str) -> None:
    line = with_fan_template(copy, source)
    with bounded(), pytest.raises(PlaybookError) as info:
        load_playbook(copy)
    assert info.value.line == line and "templates.fan.default" in str(info.value)


@pytest.mark.parametrize(
    ("source", "reason"),
    [(NESTED_RANGES, "range()"), (HUGE_STRING, "longer than 10,000 characters")],
    ids=["ranges", "string"],
)
def test_cli_validate__refuses_hostile_templates_quickly(
    copy: Path, source: str, reason: str
) -> None:
    line = with_fan_template(copy, source)
    with bounded():
        result = run_cli("playbook", "validate", str(copy))
    assert result.code != 0
    assert f"{copy}:{line}:" in result.err and reason in result.err


def test_load_playbook__refuses_a_template_too_long_with_a_full_length_name(copy: Path) -> None:
    # Fine with the short sample name, over the cap with an 80-character one.
    with_fan_template(copy, "{{ name * 130 }}")
    with pytest.raises(PlaybookError, match="longer than 10,000"):
        load_playbook(copy)


def test_load_playbook__a_template_that_cannot_render_is_an_error(copy: Path) -> None:
    line = with_fan_template(copy, "{{ 1 // 0 }}")
    with pytest.raises(PlaybookError, match="cannot render") as info:
        load_playbook(copy)
    assert info.value.line == line


def test_render_reply__over_the_cap_at_run_time_names_the_template() -> None:
    pb = load_playbook(None)
    facts = [f.model_copy(update={"fact": "y" * 500}) for f in pb.facts.facts]
    pb = pb.model_copy(
        update={
            "templates": {**pb.templates, "fan": {"default": "{{ fact * 10 }}"}},
            "facts": pb.facts.model_copy(update={"facts": facts}),
        }
    )
    ids = [f.id for f in facts]
    assert render_reply(pb, "fan", "billing", name="Eve", fact_ids=ids[:1]) == "y" * 5000
    with pytest.raises(PlaybookError, match=r"templates\.fan\.default: .*10,000"):
        render_reply(pb, "fan", "billing", name="Eve", fact_ids=ids)
