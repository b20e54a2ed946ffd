"""The Topics page: the list, the emerging topic's alert with its evidence, and staff edits."""

from __future__ import annotations

from core.clock import utcnow
from scoring.topics.cluster import DiscoveryParams
from scoring.topics.service import rediscover
from scoring.worker import score_pending
from tests.dashboard.board_helpers import BoardData, markdown_strings, open_page
from tests.scoring.conftest import BASE_TIME, add_author, add_mention
from tests.scoring.test_topics_store import EmbeddingScorer

OUTAGE = "bad outage *again* [here](http://x.example) {i}"


def with_topics(data: BoardData) -> None:
    """Nine negative outage posts in the last hours (a new topic: an alert) and nine older
    posts about a bill."""
    author = add_author(data.engine, "topics_author")
    minutes_now = (utcnow() - BASE_TIME).total_seconds() / 60
    for i in range(9):
        add_mention(data.engine, author, OUTAGE.format(i=i), minutes=minutes_now - 60 - i)
        add_mention(data.engine, author, f"my bill {i}", minutes=minutes_now - 3 * 1440 - i)
    score_pending(data.engine, EmbeddingScorer())
    rediscover(data.engine, params=DiscoveryParams(min_cluster_size=5), now=utcnow())


def test_topics__lists_them_and_alerts_on_the_emerging_one(board_db: BoardData) -> None:
    with_topics(board_db)
    at = open_page("topics", role="analyst")
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["mentions"]).count(9) == 2  # beside the board data's own topic
    assert any(e.value == "Emerging topic" for e in at.error)
    shown = [t.value for t in at.text]
    assert any("9 mentions in the last 24 h" in t for t in shown)
    assert any("e.g. bad outage *again*" in t for t in shown)  # example posts, as written
    assert not any("outage" in body for body in markdown_strings(at))
    assert not any(b.label == "Rename" for b in at.button)  # analysts do not edit


def test_topics__a_lead_renames_and_splits(board_db: BoardData) -> None:
    with_topics(board_db)
    at = open_page("topics", role="lead")
    table = at.dataframe[0].value
    bill = int(table[table["terms"].str.startswith("bill")]["id"].iloc[0])
    at.selectbox(key="rename_topic").set_value(bill)
    at.text_input[0].input("Billing surprises")
    next(b for b in at.button if b.label == "Rename").click().run()
    assert not at.exception, at.exception
    assert any(f"Topic #{bill} renamed." in s.value for s in at.success)
    labels = set(at.dataframe[0].value["label"])
    assert "Billing surprises" in labels

    at.selectbox(key="split_topic").set_value(bill)
    next(b for b in at.button if b.label == "Split in two").click().run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == len(table) + 1


def test_topics__empty_says_so(board_db: BoardData) -> None:
    at = open_page("topics", role="admin")
    assert not at.exception, at.exception
    assert any("No topics yet" in i.value for i in at.info)
