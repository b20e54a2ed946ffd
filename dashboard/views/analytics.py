"""Aggregates behind the Overview, People and Fairness pages, as pandas frames.

Windows end at the newest stored mention (not the wall clock) so an imported archive still
shows its last weeks. Case figures (time to first answer, SLA hits, the funnel, walk-aways)
use ``playbooks.metrics``, the same definitions as the daily digest.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from playbooks import metrics
from store import analytics
from store.cases import cases_opened_between, events_for_cases

FUNNEL = ("acknowledge", "empathize", "goodwill", "fan")
TIERS = ("<1k", "1k–10k", "10k–100k", "100k+")


def tier(followers: int | None) -> str:
    """A follower tier, so charts can compare small and large voices."""
    n = followers or 0
    for bound, name in ((1_000, TIERS[0]), (10_000, TIERS[1]), (100_000, TIERS[2])):
        if n < bound:
            return name
    return TIERS[3]


def window(conn: Connection, days: int, now: datetime) -> tuple[datetime, datetime]:
    """``(since, until)``: the ``days`` up to the newest mention (or ``now``, with none)."""
    newest = analytics.newest_mention_time(conn)
    until = newest if newest is not None else now
    return until - timedelta(days=days), until + timedelta(seconds=1)


def volume_by_day(conn: Connection, since: datetime, until: datetime) -> pd.DataFrame:
    """Mentions per day and source, with the mean sentiment of their newest scores."""
    rows = analytics.volume_by_day(conn, since, until)
    df = pd.DataFrame(rows, columns=["day", "source", "mentions", "sentiment"])
    df["day"] = pd.to_datetime(df["day"])
    return df


def _quantile(values: list[float], q: float) -> float | None:
    return float(np.quantile(values, q)) if values else None


def case_figures(engine: Engine, since: datetime, until: datetime) -> dict[str, Any]:
    """Response times, SLA hits, the funnel and walk-aways of the cases opened in the window.

    The definitions are ``playbooks.metrics``' (shared with the digest).
    """
    with Session(engine) as session:
        cases = cases_opened_between(session, since, until)
        events = events_for_cases(session, [c.id for c in cases if c.id is not None])
    minutes = metrics.minutes_to_acknowledge(cases)
    reached = metrics.funnel(cases)
    walks = metrics.walkaways_by_reason(cases)
    return {
        "cases": len(cases),
        "p50": _quantile(minutes, 0.5),
        "p90": _quantile(minutes, 0.9),
        "sla": metrics.sla_hit_rate(events),
        "conversion": metrics.conversion_rate(cases),
        "funnel": pd.DataFrame({"stage": list(FUNNEL), "cases": [reached[s] for s in FUNNEL]}),
        "walkaways": pd.DataFrame(
            sorted(walks.items(), key=lambda kv: -kv[1]), columns=["reason", "cases"]
        ),
    }


def fairness(engine: Engine, since: datetime, until: datetime) -> pd.DataFrame:
    """Reply rate and time to first answer by follower tier, for cases opened in the window."""
    with Session(engine) as session:
        cases = cases_opened_between(session, since, until)
        authors = [c.author_id for c in cases]
        followers = analytics.followers_by_author(session.connection(), authors)
    by_tier: dict[str, list[Any]] = {t: [] for t in TIERS}
    for c in cases:
        by_tier[tier(followers.get(c.author_id))].append(c)
    out = []
    for name, group in by_tier.items():
        minutes = metrics.minutes_to_acknowledge(group)
        out.append(
            {
                "tier": name,
                "cases": len(group),
                "reply_rate": len(minutes) / len(group) if group else None,
                "median_minutes": _quantile(minutes, 0.5),
                "p90_minutes": _quantile(minutes, 0.9),
            }
        )
    return pd.DataFrame(out)


def authors_in_window(conn: Connection, since: datetime, until: datetime) -> pd.DataFrame:
    """Every author who mentioned the brand in the window, with volume and mean sentiment."""
    rows = analytics.authors_in_window(conn, since, until)
    cols = ["author_id", "handle", "name", "platform", "followers", "mentions", "sentiment"]
    df = pd.DataFrame(rows, columns=cols)
    df["followers"] = df["followers"].fillna(0).astype(int)
    return df


def top_contributors(authors: pd.DataFrame, share: float = 0.01) -> pd.DataFrame:
    """The top ``share`` of authors by mentions (at least one), with their share of volume."""
    if authors.empty:
        return authors.assign(volume_share=[])
    n = max(1, math.ceil(len(authors) * share))
    top = authors.sort_values(["mentions", "followers"], ascending=False).head(n)
    return top.assign(volume_share=top["mentions"] / authors["mentions"].sum())


def repeat_critics(conn: Connection, *, min_cases: int = 2, limit: int = 100) -> pd.DataFrame:
    """Authors with ``min_cases`` or more cases, open or closed, most cases first."""
    rows = analytics.repeat_critics(conn, min_cases=min_cases, limit=limit)
    cols = ["author_id", "handle", "platform", "followers", "cases", "open", "last_opened"]
    return pd.DataFrame(rows, columns=cols)
