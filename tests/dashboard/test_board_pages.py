"""Overview, People, Fairness, Playbook, Analyst export and Users pages."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from core.clock import utcnow
from dashboard.auth import authenticate
from dashboard.signin import LockoutPolicy, sign_in
from dashboard.views import analytics
from playbooks.loader import DEFAULT_PLAYBOOK
from tests.dashboard.board_helpers import (
    HOSTILE,
    PASSWORD,
    SPIKE_REASON,
    VIEWS,
    BoardData,
    allows_html,
    markdown_strings,
    open_page,
    start_spike,
)


@pytest.mark.parametrize(
    "page", ["case", "overview", "people", "fairness", "playbook", "export", "users"]
)
def test_pages__render_without_user_text_in_markdown_or_secrets(
    board_db: BoardData, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    secret = "sk-very-secret-7f3a"
    monkeypatch.setenv("CRITIC2FAN_SECRET_KEY", secret)
    monkeypatch.setenv("CRITIC2FAN_SMTP__PASSWORD", secret)
    start_spike(board_db)
    query = {"case": str(board_db.hostile_case_id)} if page == "case" else None
    at = open_page(page, role="admin", query=query)
    assert not at.exception, at.exception
    assert not allows_html(at)
    for body in markdown_strings(at):
        assert not any(h in body for h in HOSTILE), body
    shown = [*markdown_strings(at), *(t.value for t in at.text), *(c.value for c in at.code)]
    shown += [df.value.to_csv() for df in at.dataframe]
    assert not any(secret in str(s) for s in shown)


def test_overview__shows_counts_from_the_data(board_db: BoardData) -> None:
    start_spike(board_db)
    at = open_page("overview", role="analyst")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Mentions"] == "18"  # 9 authors x 2 mentions
    assert metrics["Cases opened"] == "9"
    assert len(at.get("vega_lite_chart")) == 4  # volume, sentiment, funnel, walk-aways
    assert any("An incident is open" in e.value for e in at.error)
    assert any(SPIKE_REASON in t.value for t in at.text)  # the reason, as plain text


def test_people__lists_influencers_first_and_the_top_contributors(board_db: BoardData) -> None:
    at = open_page("people", role="analyst")
    influencers = at.dataframe[0].value
    assert list(influencers["followers"]) == sorted(influencers["followers"], reverse=True)
    assert influencers.iloc[0]["followers"] == 500_000
    assert len(at.dataframe[1].value) == 1  # 1% of 9 authors, rounded up


def test_top_contributors__takes_the_top_percent() -> None:
    authors = pd.DataFrame(
        {
            "handle": [f"a{i}" for i in range(250)],
            "mentions": list(range(250)),
            "followers": [0] * 250,
        }
    )
    top = analytics.top_contributors(authors)
    assert len(top) == 3 and list(top["mentions"]) == [249, 248, 247]
    assert top["volume_share"].iloc[0] == pytest.approx(249 / sum(range(250)))


def test_fairness__reports_every_tier(board_db: BoardData) -> None:
    at = open_page("fairness", role="analyst")
    df = at.dataframe[0].value
    assert list(df["tier"]) == list(analytics.TIERS)
    assert int(df["cases"].sum()) == 9


def test_tier__bounds() -> None:
    assert [analytics.tier(n) for n in (None, 999, 1_000, 99_999, 100_000)] == [
        "<1k",
        "<1k",
        "1k–10k",
        "10k–100k",
        "100k+",
    ]


def test_playbook__shows_the_active_file_and_validates_uploads(board_db: BoardData) -> None:
    at = open_page("playbook", role="analyst")
    assert any(str(DEFAULT_PLAYBOOK) in t.value for t in at.text)
    assert any("brand:" in c.value for c in at.code)


def test_export__prepares_a_csv_download_of_the_mentions(board_db: BoardData) -> None:
    at = open_page("export", role="analyst")
    at.button[0].click().run()  # the form's "Prepare export"
    assert not at.exception
    name, data = at.session_state["export_file"]
    assert name.endswith(".csv")
    df = pd.read_csv(io.BytesIO(data))
    assert len(df) == 18


def test_export__agents_may_not_export(board_db: BoardData) -> None:
    at = open_page("queue", role="agent")
    with pytest.raises(ValueError):
        at.switch_page(str(VIEWS / "export.py"))


def test_users__admin_adds_a_user_who_can_then_sign_in(board_db: BoardData) -> None:
    at = open_page("users", role="admin")
    at.text_input[0].input("zoe")
    at.text_input[1].input("Zoe")
    at.text_input[3].input(PASSWORD)
    next(b for b in at.button if b.label == "Add user").click().run()
    assert not at.exception and not at.error
    assert authenticate(board_db.engine, "zoe", PASSWORD) is not None


def test_users__admin_changes_a_role_and_sees_the_sign_in_trail(board_db: BoardData) -> None:
    sign_in(
        board_db.engine,
        HOSTILE[0],
        "wrong",
        address="203.0.113.5",
        policy=LockoutPolicy(),
        now=utcnow(),
    )
    at = open_page("users", role="admin")
    at.selectbox(key="role_user").set_value("bob")
    at.selectbox(key="role_new").set_value("lead")
    next(b for b in at.button if b.label == "Change role").click().run()

    assert not at.exception and not at.error
    user = authenticate(board_db.engine, "bob", PASSWORD)
    assert user is not None and user.role == "lead"
    trail = at.dataframe[-1].value
    assert list(trail["event"]) == ["failed"]
    assert list(trail["username"]) == [HOSTILE[0][:64]]
    assert list(trail["address"]) == ["203.0.113.5"]


def test_export__a_single_day_exports_that_day(board_db: BoardData) -> None:
    from sqlalchemy import select

    from store.models import Mention

    with board_db.engine.connect() as conn:
        days = [t.date() for t in conn.execute(select(Mention.created_at)).scalars()]
    day = max(days)
    at = open_page("export", role="analyst")
    at.date_input(key="export_dates").set_value((day,))
    at.button[0].click().run()
    assert not at.exception
    _, data = at.session_state["export_file"]
    assert len(pd.read_csv(io.BytesIO(data))) == days.count(day)


def test_export__the_cases_dataset_downloads_every_case(board_db: BoardData) -> None:
    from datetime import date

    from sqlalchemy import func, select

    from store.models import Case

    with board_db.engine.connect() as conn:
        cases = conn.execute(select(func.count()).select_from(Case)).scalar_one()
    at = open_page("export", role="analyst")
    at.selectbox(key="export_dataset").set_value("cases")
    at.date_input(key="export_dates").set_value((date(2000, 1, 1), date(2100, 1, 1)))
    at.button[0].click().run()
    assert not at.exception
    name, data = at.session_state["export_file"]
    assert name.startswith("critic2fan-cases-") and name.endswith(".csv")
    frame = pd.read_csv(io.BytesIO(data))
    assert cases and len(frame) == cases
    assert list(frame.columns)[:2] == ["case_id", "author_id"]
