"""The digest's product report section: the week's largest complaint topics, each with its
trend against the week before, negative share, reach, fans won back and one example post.

Small on purpose: the board's Product report page and the ``product_report`` export have every
topic and more examples (docs/topics.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Engine

from scoring.topics.report import ProductReport, ReportWindow

#: The section covers the days before the digest day's end ...
DAYS = 7
#: ... and lists this many topics, those with mentions in the window, largest first.
TOP = 5


def product_report_section(
    engine: Engine, *, now: datetime, days: int = DAYS, top: int = TOP
) -> ProductReport:
    """The product report over the ``days`` before ``now``, cut to the ``top`` topics that
    had mentions."""
    from scoring.topics.service import report

    full = report(engine, ReportWindow.ending(now, days=days))
    return replace(full, topics=[t for t in full.topics if t.mentions][:top])
