"""Building and rendering the digest from a day of store rows."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine

from core.errors import ConfigError, InputError
from dashboard.digest import build_digest, day_window, parse_zone, render_digest, yesterday
from dashboard.digest.render import clip, preview_html
from dashboard.digest.window import parse_day

from .conftest import DAY, IMG, SCRIPT, ZONE


def _digest(engine: Engine):  # type: ignore[no-untyped-def]
    return build_digest(
        engine, day_window(DAY, ZONE), brand="Brightloop", now=datetime(2024, 5, 3, 6, tzinfo=UTC)
    )


def test_window__follows_local_midnight_across_dst() -> None:
    spring = day_window(date(2024, 3, 31), ZoneInfo("Europe/Paris"))
    autumn = day_window(date(2024, 10, 27), ZoneInfo("Europe/Paris"))
    assert (spring.hours, autumn.hours) == (23, 25)
    assert spring.start == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert day_window(DAY, ZONE).previous.end == day_window(DAY, ZONE).start


def test_window__default_day_is_yesterday_in_the_zone() -> None:
    now = datetime(2024, 5, 2, 23, 30, tzinfo=UTC)  # already the 3rd in Paris
    assert yesterday(now, ZoneInfo("Europe/Paris")) == date(2024, 5, 2)
    assert yesterday(now, ZoneInfo("UTC")) == date(2024, 5, 1)


def test_window__bad_zone_and_date_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="unknown time zone 'Mars/Base'"):
        parse_zone("Mars/Base")
    with pytest.raises(InputError, match="--date: expected YYYY-MM-DD"):
        parse_day("2024-13-01")


def test_build__headlines_compare_with_the_day_before(day: Engine) -> None:
    d = _digest(day)
    h = {x.label: x for x in d.headlines}
    assert (h["Mentions"].today, h["Mentions"].before) == (4, 2)
    assert h["Negative share"].today == pytest.approx(3 / 4)
    assert h["New critics"].today == 3 and h["New critics"].before == 1
    assert h["Critics turned fans"].today == 1
    assert h["Walk-aways"].today == 2
    assert h["SLA hit rate"].today == pytest.approx(0.5)  # two SLA windows, one breach
    assert h["Median minutes to acknowledge"].today == pytest.approx(45.0)
    assert h["New critics"].tone == "bad" and h["Critics turned fans"].tone == "good"


def test_build__lists_stories_breaches_incidents_and_voices(day: Engine) -> None:
    d = _digest(day)
    assert [c.handle for c in d.new_critics] == [SCRIPT, IMG, "troll_42"]  # by priority
    assert d.new_critics[0].text.startswith("worst brand ever")
    (story,) = d.conversions
    assert story.handle == "fan_to_be"
    assert story.path == ("acknowledge", "empathize", "goodwill", "fan")
    assert story.first_text == "my order never came"
    assert story.last_text == "ok that fix was great, thanks!"
    assert d.walkaways == {"no_answer": 1, "troll": 1}
    assert [b.handle for b in d.breaches] == [SCRIPT] and d.breaches[0].assignee == "lead"
    assert [i.kind for i in d.incidents] == ["spike"]
    assert [v.handle for v in d.voices][:2] == [SCRIPT, IMG]  # by followers
    assert sum(b.mentions for b in d.hourly) == 4
    assert d.hourly[9].negative == 1


def test_build__empty_database_gives_a_quiet_digest(engine: Engine) -> None:
    d = _digest(engine)
    assert d.quiet
    rendered = render_digest(d)
    assert "No new critics." in rendered.text and "Every SLA was met." in rendered.html


def test_render__hostile_text_is_escaped_in_html(day: Engine, tmp_path: Path) -> None:
    rendered = render_digest(_digest(day))
    (tmp_path / "preview.html").write_text(preview_html(rendered), encoding="utf-8")
    html = rendered.html
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert html.count("<img ") == 2  # only our two charts
    for name, chart in rendered.charts.items():
        assert f'src="cid:{chart.cid}"' in html, name
        assert chart.png.startswith(b"\x89PNG\r\n\x1a\n")


def test_render__text_part_keeps_hostile_text_on_one_line(day: Engine) -> None:
    text = render_digest(_digest(day)).text
    assert SCRIPT in text  # plain text: shown as typed, nothing to execute
    line = next(x for x in text.splitlines() if "worst brand ever" in x)
    assert line.startswith("- @")
    assert "Brightloop daily digest: Thursday 02 May 2024" in text


def test_render__clip_flattens_and_cuts() -> None:
    assert clip("a\n\n b\u202e\tc", 50) == "a b c"
    assert clip("x" * 300, 10) == "x" * 9 + "…"


def test_render__subject_counts(day: Engine) -> None:
    subject = render_digest(_digest(day)).subject
    assert subject == ("Brightloop digest 2024-05-02: 3 new critics, 1 turned fan, 1 SLA breach")
