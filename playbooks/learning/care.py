"""Care by agent: what each person on the team did for critics, for leads to recognise.

Counted from attribution rows (every case, open or not):

- **cases handled**: cases the agent replied on;
- **first replies** and their **median minutes**: cases where the agent's reply came first;
- **fans won**: cases that ended as fans and that the agent replied on (shared credit: a
  case answered by two agents counts for both);
- **walk-aways confirmed**: cases the agent closed as walked away;
- **thanks received**: critic posts that thank, following the agent's reply on the case.

Rows come in alphabetical order: this is recognition, not a speed ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from playbooks.learning.attribution import Attribution


@dataclass(frozen=True)
class AgentCare:
    """One agent's care for critics."""

    agent: str
    cases: int
    first_replies: int
    median_first_reply_minutes: float | None
    fans: int
    walkaways_confirmed: int
    thanks: int


def care_by_agent(rows: Sequence[Attribution]) -> list[AgentCare]:
    """Every agent who replied or closed a walk-away, alphabetically."""
    names: set[str] = set()
    for a in rows:
        names.update(a.agents)
        if a.walkaway_by:
            names.add(a.walkaway_by)
    out = []
    for name in sorted(names, key=str.casefold):
        handled = [a for a in rows if name in a.agents]
        firsts = [
            a.first_reply_minutes
            for a in rows
            if a.agent == name and a.first_reply_minutes is not None
        ]
        out.append(
            AgentCare(
                agent=name,
                cases=len(handled),
                first_replies=len(firsts),
                median_first_reply_minutes=round(median(firsts), 1) if firsts else None,
                fans=sum(a.converted for a in handled),
                walkaways_confirmed=sum(a.walkaway_by == name for a in rows),
                thanks=sum(a.thanked.count(name) for a in rows),
            )
        )
    return out
