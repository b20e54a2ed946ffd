"""Template experiments as the board shows them, and a lead's stop.

Each experiment's counts come from the store (cases recorded for each variant, closed, fans),
and the verdict from :mod:`playbooks.experiments.stats`: every challenger against the control
at ``alpha / (variants - 1)``, with the stop rule's "winner clear" or "keep running", or
"stopped" once a lead stopped it. Experiments removed from the playbook still show, from their
recorded cases, as retired.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.errors import InputError
from playbooks.experiments import stats
from playbooks.schema import Experiment, Playbook
from store import experiments as store
from store.engine import session_scope
from store.models import Role
from store.users import user_named

log = logging.getLogger(__name__)

#: The verdict of an experiment the playbook no longer has.
RETIRED = "retired"
STOPPER_ROLES = frozenset({Role.LEAD.value, Role.ADMIN.value})
MAX_REASON_CHARS = 1_000

CAVEAT = (
    "Cases are given a variant at random, so the variants' critics are alike on average and a "
    "difference in fans comes from the reply, or from chance. The interval and the p-value stay "
    "valid however often this page is looked at: when no variant is really better, a winner is "
    "declared at most {alpha:.0%} of the time. Only closed cases count; open ones are not yet "
    "a success or a failure, and a variant that closes cases faster has more counted so far. "
    "The uplift is in points of the fan rate; the estimate is pulled towards 0 because a test "
    "that stops early tends to stop on a lucky streak."
)


@dataclass(frozen=True)
class VariantRow:
    """A variant's cases so far."""

    name: str
    assigned: int
    closed: int
    fans: int
    template: str | None = None

    @property
    def rate(self) -> float | None:
        """Fans among closed cases (None before any closed)."""
        return self.fans / self.closed if self.closed else None


@dataclass(frozen=True)
class ExperimentResult:
    """One experiment's page: variants, comparisons with the control, verdict, stop."""

    name: str
    stage: str | None
    topic: str | None
    control: str | None
    alpha: float
    min_sample: int
    variants: list[VariantRow]
    comparisons: dict[str, stats.Comparison] = field(default_factory=dict)
    verdict: stats.Verdict = stats.Verdict(stats.KEEP_RUNNING)
    stop: store.StopRecord | None = None

    @property
    def caveat(self) -> str:
        """The plain-language warning the page shows with the figures."""
        return CAVEAT.format(alpha=self.alpha)


def experiment_results(engine: Engine, playbook: Playbook) -> list[ExperimentResult]:
    """Every experiment in the playbook, then any retired one that recorded cases."""
    with engine.connect() as conn:
        names = list(playbook.experiments)
        names += [n for n in store.experiments_with_assignments(conn) if n not in names]
        counted = {name: store.variant_counts(conn, name) for name in names}
        stops = {name: store.stop_of(conn, name) for name in names}
    return [
        _result(name, playbook.experiments.get(name), counted[name], stops[name]) for name in names
    ]


def _result(
    name: str,
    experiment: Experiment | None,
    counts: list[store.VariantCounts],
    stop: store.StopRecord | None,
) -> ExperimentResult:
    by_name = {c.variant: c for c in counts}
    if experiment is None:
        rows = [VariantRow(c.variant, c.assigned, c.closed, c.fans) for c in counts]
        return ExperimentResult(
            name, None, None, None, 0.05, 0, rows, verdict=stats.Verdict(RETIRED), stop=stop
        )
    rows = []
    for variant, source in experiment.variants.items():
        c = by_name.get(variant, store.VariantCounts(variant, 0, 0, 0))
        rows.append(VariantRow(variant, c.assigned, c.closed, c.fans, source))
    control = experiment.control_variant
    alpha = experiment.alpha / (len(experiment.variants) - 1)
    base = next(r for r in rows if r.name == control)
    comparisons = {
        r.name: stats.compare(
            base.fans, base.closed, r.fans, r.closed, alpha=alpha, tau=experiment.mixture_sd
        )
        for r in rows
        if r.name != control
    }
    verdict = stats.verdict(
        control, comparisons, min_sample=experiment.min_sample, stopped=stop is not None
    )
    return ExperimentResult(
        name,
        experiment.stage,
        experiment.topic,
        control,
        experiment.alpha,
        experiment.min_sample,
        rows,
        comparisons,
        verdict,
        stop,
    )


def stop_experiment(
    engine: Engine,
    name: str,
    user: str,
    reason: str,
    now: datetime,
    *,
    playbook: Playbook,
    role: str | None = None,
) -> store.StopRecord:
    """Stop an experiment (leads and admins only, with a reason): its cases keep their
    variants, new cases get the playbook's own template."""
    actor = f"user:{user.strip().removeprefix('user:')}"
    reason = reason.replace("\x00", "").strip()
    if not reason:
        raise InputError("say why the experiment stops")
    if len(reason) > MAX_REASON_CHARS:
        raise InputError(f"the reason is longer than {MAX_REASON_CHARS} characters")
    with session_scope(engine) as session:
        if _role(session, actor, role) not in STOPPER_ROLES:
            raise InputError(f"{actor.removeprefix('user:')!r} is not a lead and cannot stop it")
        known = name in playbook.experiments or name in store.experiments_with_assignments(session)
        if not known:
            raise InputError(f"no experiment {name!r}")
        if not store.record_stop(session, name, actor=actor, reason=reason, now=now):
            raise InputError(f"the experiment {name!r} is already stopped")
        stop = store.stop_of(session, name)
    assert stop is not None
    return stop


def _role(session: Session, actor: str, role: str | None) -> str:
    if role is not None:
        return role
    found = user_named(session, actor.removeprefix("user:"))
    return found.role if found is not None and found.active else Role.AGENT.value
