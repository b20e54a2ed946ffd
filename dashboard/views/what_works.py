"""What works: conversion by template, goodwill kind, reply time, channel, topic and tier, with
sample sizes and Wilson intervals, a case-mix adjusted rate, cost per fan, fan durability and,
for leads, care by agent. Definitions and limits: docs/learning.md."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pandas as pd
import streamlit as st

from core.names import clean_name
from dashboard.views import analytics
from dashboard.views.common import banners, board, window_days
from playbooks.learning.attribution import DURABILITY_LABELS, Attribution, LearningPolicy
from playbooks.learning.care import care_by_agent
from playbooks.learning.cost import cost_per_fan
from playbooks.learning.stats import DIMENSIONS, conversion_table, decided
from store.models import Role


def playbook_policy() -> LearningPolicy:
    """The active playbook's ``learning`` settings as a policy."""
    from dashboard.views.common import playbook

    return LearningPolicy.from_rules(playbook().learning)


SAMPLE_NOTE = (
    "Sample data: these figures come from the bundled demo's scripted critics and replies. "
    "Agents are the sample team's signatures on the brand account's replies (^AK, — Priya)."
)
ADJUSTED_NOTE = (
    "Adjusted: the rate each value would have had over all decided cases, from a regularised "
    "logistic regression on the value and the case mix (topic, follower tier, first "
    "sentiment). It removes the confounding those explain, nothing else: staff choose "
    "templates, timing and goodwill by what they see in a case, so this is a hint, not proof."
)
MINUTES_NOTE = (
    "Staff minutes are estimated, not timed: each staff action on the board counts a fixed "
    "number of minutes (reply 5, goodwill 3, note or one thing 2, approval 1, walk-away 1, "
    "assignment 0.5). Cost per fan spreads the cost of every decided case, walk-aways "
    "included, over the fans won."
)


@st.cache_data(ttl=60, show_spinner="Attributing outcomes…")
def _attributions(url: str, days: int) -> list[Attribution]:
    from dashboard.views.common import context, engine, playbook
    from playbooks.learning.load import attributions

    now = context().clock.now()
    with engine().connect() as conn:
        since, until = analytics.window(conn, days, now)
    policy = playbook_policy()
    return attributions(engine(), since, until, now=now, playbook=playbook(), policy=policy)


def conversion_frame(
    rows: list[Attribution], dimension: str, policy: LearningPolicy
) -> pd.DataFrame:
    """One dimension's conversion table as the page shows it."""
    table = conversion_table(rows, dimension, policy)
    return pd.DataFrame(
        {
            dimension: [r.value for r in table],
            "rank": [str(r.rank) if r.rank else "too few" for r in table],
            "cases": [r.n for r in table],
            "fans": [r.fans for r in table],
            "rate": [r.rate for r in table],
            "95% low": [r.low for r in table],
            "95% high": [r.high for r in table],
            "adjusted": [r.adjusted for r in table],
        }
    )


PERCENT = {
    c: st.column_config.NumberColumn(c, format="percent")
    for c in ("rate", "95% low", "95% high", "adjusted", "conversion", "goodwill share")
}


def _works(rows: list[Attribution], policy: LearningPolicy) -> None:
    st.subheader("Conversion by what the case received")
    st.caption(
        f"Decided cases only (fan, walk-away, no answer). Below {policy.min_n} cases a value "
        "is shown but not ranked. A case counts under every template its replies used."
    )
    tabs = st.tabs([d.capitalize() for d in DIMENSIONS])
    for tab, dimension in zip(tabs, DIMENSIONS, strict=True):
        with tab:
            st.dataframe(
                conversion_frame(rows, dimension, policy),
                hide_index=True,
                width="stretch",
                column_config=PERCENT,
            )
    st.caption(ADJUSTED_NOTE)


def _cost(rows: list[Attribution]) -> None:
    st.subheader("Cost per fan")
    st.caption(MINUTES_NOTE)
    left, right = st.columns(2)
    for col, group in ((left, "topic"), (right, "tier")):
        table = cost_per_fan(rows, group)
        with col:
            st.dataframe(
                pd.DataFrame(
                    {
                        group: [r.value for r in table],
                        "cases": [r.cases for r in table],
                        "fans": [r.fans for r in table],
                        "staff minutes": [r.staff_minutes for r in table],
                        "goodwill": [r.goodwill for r in table],
                        "minutes per fan": [r.minutes_per_fan for r in table],
                        "goodwill per fan": [r.goodwill_per_fan for r in table],
                    }
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    "minutes per fan": st.column_config.NumberColumn(format="%.0f"),
                    "goodwill per fan": st.column_config.NumberColumn(format="%.2f"),
                },
            )


def _durability(rows: list[Attribution], policy: LearningPolicy) -> None:
    fans = [a for a in rows if a.durability is not None]
    st.subheader("Fan durability")
    d30, d90 = policy.durability_days
    st.caption(
        f"What fans posted next: the label of their newest post within {d30} and {d90} days "
        "of becoming a fan. Fans who stay quiet are not known to be happy."
    )
    if not fans:
        st.info("No case in this window ended with a fan yet.")
        return
    at30 = Counter(a.durability[0] for a in fans if a.durability)
    at90 = Counter(a.durability[1] for a in fans if a.durability)
    st.dataframe(
        pd.DataFrame(
            {
                "after": [f"{d30} days", f"{d90} days"],
                **{label: [at30[label], at90[label]] for label in DURABILITY_LABELS},
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _care(rows: list[Attribution]) -> None:
    st.subheader("Care by agent")
    st.caption(
        "Recognition, not a race: alphabetical. Fans are shared by everyone who replied on "
        "the case; thanks are critics' posts thanking the agent after their reply."
    )
    care = care_by_agent(rows)
    if not care:
        st.info("Nobody has replied to a case in this window yet.")
        return
    st.dataframe(
        pd.DataFrame(
            {
                "agent": [clean_name(c.agent) for c in care],
                "cases handled": [c.cases for c in care],
                "first replies": [c.first_replies for c in care],
                "median first reply (min)": [c.median_first_reply_minutes for c in care],
                "fans won": [c.fans for c in care],
                "walk-aways confirmed": [c.walkaways_confirmed for c in care],
                "thanks received": [c.thanks for c in care],
            }
        ),
        hide_index=True,
        width="stretch",
    )


def case_frame(rows: list[Attribution]) -> pd.DataFrame:
    """Every case's attribution, one row each."""
    return pd.DataFrame(
        {
            "case": [a.case_id for a in rows],
            "critic": [clean_name(a.handle) for a in rows],
            "topic": [a.topic for a in rows],
            "tier": [a.tier for a in rows],
            "first sentiment": [a.first_sentiment for a in rows],
            "templates": [", ".join(a.templates) for a in rows],
            "edit share": [a.edit_share for a in rows],
            "goodwill": [
                f"{a.goodwill_amount:.2f} ({', '.join(a.goodwill_kinds)})"
                if a.goodwill_kinds
                else ""
                for a in rows
            ],
            "first reply (min)": [a.first_reply_minutes for a in rows],
            "channel": [a.channel for a in rows],
            "agent": [clean_name(a.agent) if a.agent else "" for a in rows],
            "outcome": [
                f"{a.outcome} ({a.walkaway_reason})" if a.walkaway_reason else a.outcome
                for a in rows
            ],
            "after 30 days": [a.durability[0] if a.durability else "" for a in rows],
            "after 90 days": [a.durability[1] if a.durability else "" for a in rows],
        }
    )


def render() -> None:
    """The what-works page."""
    b = board()
    banners(b)
    st.title("What works")
    st.caption("What the cases that ended well received, and what each fan cost.")
    if b.demo:
        st.info(SAMPLE_NOTE, icon=":material/science:")
    days = window_days("what_works_window")
    configured = playbook_policy()
    min_n = st.number_input(
        "Fewest cases to rank a value", min_value=1, max_value=1000, value=configured.min_n
    )
    policy = replace(configured, min_n=int(min_n))
    rows = _attributions(str(b.engine.url), days)
    done = decided(rows)
    if not done:
        st.info("No case opened in this window has an outcome yet.")
        return
    fans = sum(a.converted for a in done)
    cols = st.columns(3)
    cols[0].metric("Cases with an outcome", len(done))
    cols[1].metric("Fans", fans)
    cols[2].metric("Still open", len(rows) - len(done))
    _works(rows, policy)
    _cost(rows)
    _durability(rows, policy)
    if b.user.role in (Role.LEAD.value, Role.ADMIN.value):
        _care(rows)
    with st.expander(f"Every case ({len(rows)})"):
        st.dataframe(case_frame(rows), hide_index=True, width="stretch")


if __name__ == "__main__":
    render()
