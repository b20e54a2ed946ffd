"""Topics: the complaint topics found in the mentions, the ones growing beyond their normal
range (with the evidence), and the staff edits: rename, merge, split, re-discover.

Labels, terms and example posts come from what people wrote, so they are shown only as plain
text or dataframe cells, never through markdown.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.auth import Permission
from dashboard.views.common import (
    Board,
    banners,
    board,
    page_file,
    plain,
    playbook,
    run_action,
)
from scoring.topics.service import (
    TopicSummary,
    merge_topics,
    rediscover,
    rename_topic,
    split_topic,
    summaries,
)

FLASH = "topics_flash"


def _table(listed: list[TopicSummary]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "id": s.id,
                "label": s.label,
                "mentions": s.mentions,
                "negative_share": s.negative_share,
                "last_24h": s.trend.volume,
                "normal_up_to": round(s.trend.normal_high, 1),
                "trend": s.trend.trend,
                "terms": ", ".join(s.terms),
            }
            for s in listed
        ]
    )


def _alerts(listed: list[TopicSummary], *, lead: bool) -> None:
    rising = [s for s in listed if s.trend.alert]
    if not rising:
        st.success("No topic is beyond its normal range in the last 24 hours.")
        return
    for s in rising:
        st.error("Emerging topic", icon=":material/trending_up:")
        plain(f"{s.label}: " + "; ".join(s.trend.reasons))
        for text in s.examples[:2]:
            plain(f"  e.g. {text}")
        if lead and st.button("Open an incident", key=f"topic_incident_{s.id}"):
            query = {"topic": s.seed or "general", "reason": f"Emerging topic: {s.label}"}
            st.switch_page(page_file("incidents"), query_params=query)


def _names(listed: list[TopicSummary]) -> dict[int, str]:
    return {s.id: f"#{s.id} {s.label}" for s in listed}


def _edits(b: Board, listed: list[TopicSummary]) -> None:
    names = _names(listed)
    ids = list(names)
    st.subheader("Edit topics")
    with st.form("topic_rename"):
        chosen = st.selectbox("Topic", ids, format_func=names.__getitem__, key="rename_topic")
        label = st.text_input("New name", max_chars=128)
        if st.form_submit_button("Rename") and chosen is not None:
            run_action(
                lambda: (
                    f"Topic #{chosen} renamed."
                    if rename_topic(b.engine, chosen, label, now=b.now())
                    else "Nothing renamed: give a name."
                ),
                flash_key=FLASH,
            )
    with st.form("topic_merge"):
        source = st.selectbox("Merge", ids, format_func=names.__getitem__, key="merge_source")
        target = st.selectbox("into", ids, format_func=names.__getitem__, key="merge_target")
        if st.form_submit_button("Merge") and source is not None and target is not None:
            if source == target:
                st.warning("Choose two different topics.")
            else:
                run_action(lambda: _merge(b, source, target), flash_key=FLASH)
    with st.form("topic_split"):
        chosen = st.selectbox("Split", ids, format_func=names.__getitem__, key="split_topic")
        if st.form_submit_button("Split in two") and chosen is not None:
            run_action(lambda: _split(b, chosen), flash_key=FLASH)


def _merge(b: Board, source: int, target: int) -> str:
    merge_topics(b.engine, source, target, now=b.now())
    return f"Topic #{source} merged into #{target}."


def _split(b: Board, topic_id: int) -> str:
    new = split_topic(b.engine, topic_id, now=b.now())
    return (
        "Too few mentions to split." if new is None else f"Topic #{topic_id} split: #{new} is new."
    )


def _discover(b: Board) -> str:
    seeds = {name: t.keywords for name, t in playbook().topics.items()}
    report = rediscover(b.engine, seeds=seeds, now=b.now())
    return (
        f"{report.topics} topics in {report.mentions} mentions "
        f"({report.kept} kept, {report.new} new)."
    )


def render() -> None:
    """The topics page."""
    b = board()
    banners(b)
    st.title("Topics")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(flash)
    listed = summaries(b.engine, now=b.now())
    editor = b.can(Permission.VALIDATE_PLAYBOOK)
    if not listed:
        st.info("No topics yet: they are found in scored mentions by a discovery run.")
    else:
        st.caption(
            "Found by clustering the mentions' vectors, the playbook's topics as seeds; a new "
            "mention joins the nearest topic as it is scored. The last 24 hours are compared "
            "with each topic's own daily baseline."
        )
        _alerts(listed, lead=b.can(Permission.SWITCH_INCIDENT))
        st.dataframe(
            _table(listed),
            hide_index=True,
            width="stretch",
            column_config={
                "negative_share": st.column_config.NumberColumn("negative", format="percent"),
                "last_24h": st.column_config.NumberColumn("last 24 h"),
                "normal_up_to": st.column_config.NumberColumn("normal up to"),
            },
        )
        names = _names(listed)
        shown = st.selectbox("Example posts of", list(names), format_func=names.__getitem__)
        chosen = next(s for s in listed if s.id == shown)
        for text in chosen.examples:
            plain(text)
        if editor:
            _edits(b, listed)
    if editor and st.button("Re-discover topics"):
        run_action(lambda: _discover(b), flash_key=FLASH)


if __name__ == "__main__":
    render()
