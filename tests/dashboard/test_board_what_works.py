"""The What works page, through Streamlit's AppTest on the board's test database."""

from __future__ import annotations

from tests.dashboard.board_helpers import BoardData, allows_html, open_page


def test_what_works__renders_tables_with_intervals_and_care_for_leads(board_db: BoardData) -> None:
    at = open_page("what_works", role="lead")
    assert not at.exception, at.exception
    assert not allows_html(at)
    titles = [t.value for t in at.title]
    assert titles == ["What works"]
    subheaders = [s.value for s in at.subheader]
    assert "Care by agent" in subheaders
    assert "Cost per fan" in subheaders
    frames = [df.value for df in at.dataframe]
    template = frames[0]
    assert {"cases", "fans", "rate", "95% low", "95% high", "adjusted", "rank"} <= set(template)
    # the board's test data has few decided cases: nothing reaches the minimum, nothing ranked
    assert set(template["rank"]) == {"too few"}


def test_what_works__care_by_agent_is_for_leads_only(board_db: BoardData) -> None:
    at = open_page("what_works", role="agent")
    assert not at.exception, at.exception
    assert "Care by agent" not in [s.value for s in at.subheader]


def test_fairness__adds_goodwill_and_conversion_by_tier_and_loudness(board_db: BoardData) -> None:
    at = open_page("fairness", role="analyst")
    assert not at.exception, at.exception
    assert "Goodwill and conversion by tier and loudness" in [s.value for s in at.subheader]
    frames = [df.value for df in at.dataframe]
    loudness = next(f for f in frames if "loudness" in f.columns)
    assert {"conversion", "goodwill per case", "goodwill share", "fan share"} <= set(loudness)
    assert set(loudness["loudness"]) <= {"quietest", "quiet", "middle", "loud", "loudest"}
