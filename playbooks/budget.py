"""Goodwill budget math, pure: what is left of each budget (per case, per agent per day, per
team per day) and which of them an amount goes over. The store reads what was spent
(``store.goodwill``); the day is the UTC day of the clock's ``now``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.clock import as_utc
from playbooks.schema import GoodwillBudget
from store.goodwill import GoodwillSpent


@dataclass(frozen=True)
class Allowance:
    """One budget: its limit and what was spent against it."""

    name: str
    limit: float
    spent: float

    @property
    def left(self) -> float:
        """What can still be given without a lead (never below zero)."""
        return max(0.0, self.limit - self.spent)

    def exceeded_by(self, amount: float) -> bool:
        """Whether giving ``amount`` more goes over the limit."""
        return self.spent + amount > self.limit


@dataclass(frozen=True)
class BudgetLeft:
    """The three budgets as they stand for one case, one agent and the team today."""

    currency: str
    case: Allowance
    agent: Allowance
    team: Allowance

    @property
    def allowances(self) -> tuple[Allowance, Allowance, Allowance]:
        """Per case, per agent per day, per team per day."""
        return (self.case, self.agent, self.team)

    @property
    def left(self) -> float:
        """The most one more gift can be without a lead's approval."""
        return min(a.left for a in self.allowances)

    def over(self, amount: float) -> list[str]:
        """The budgets ``amount`` goes over, as ``"per case 100"`` (empty: within budget)."""
        return [f"{a.name} {a.limit:g}" for a in self.allowances if a.exceeded_by(amount)]


def budget_left(budget: GoodwillBudget, spent: GoodwillSpent) -> BudgetLeft:
    """The playbook's budgets less what was spent against each."""
    return BudgetLeft(
        currency=budget.currency,
        case=Allowance("per case", budget.per_case, spent.case),
        agent=Allowance("per agent per day", budget.per_agent_per_day, spent.agent),
        team=Allowance("per team per day", budget.per_day, spent.team),
    )


def budget_day(now: datetime) -> tuple[datetime, datetime]:
    """The day the daily budgets count: ``[midnight, next midnight)`` UTC around ``now``."""
    start = as_utc(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)
