"""Which variant of a template experiment a case gets, and when that is recorded.

A case's variant is a hash of the experiment's name and the case's id, so it is random across
cases (nothing about the critic, the agent or the hour steers it), uniform over the variants,
and the same whenever and wherever it is worked out. It is recorded (``store.experiments``,
and an ``experiment`` event on the case's trail) the first time the experiment suggests a
reply for the case: when the engine suggests one (:func:`note_suggestions`, from
``playbooks.persist``) or the board asks for one (:func:`variant_playbook`). The experiment's
results count every recorded case, whatever staff then sent: the comparison is of suggesting
one variant or another, and the random assignment keeps it fair.

Once a lead stops the experiment, cases without a variant get the playbook's own template;
cases already given a variant keep it, so a conversation does not change its voice halfway.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.clock import utcnow
from playbooks.actions import Action, SuggestReply
from playbooks.schema import Experiment, Playbook
from playbooks.templates import template_key
from store import experiments as store
from store.engine import session_scope
from store.models import CaseEvent

log = logging.getLogger(__name__)

#: The case trail's event for an assignment.
EVENT_KIND = "experiment"


@dataclass(frozen=True)
class Assignment:
    """A case's variant in an experiment."""

    experiment: str
    variant: str


def variant_for(experiment: str, case_id: int, variants: Iterable[str]) -> str:
    """The case's variant: ``sha256(experiment, case id)`` over the variants in playbook order
    (deterministic, uniform; another experiment's split is independent of this one's)."""
    names = list(variants)
    if not names:
        raise ValueError("an experiment needs variants")
    digest = hashlib.sha256(f"{experiment}\x00{case_id}".encode()).digest()
    return names[int.from_bytes(digest[:8], "big") % len(names)]


def experiment_for(playbook: Playbook, stage: str, topic: str) -> tuple[str, Experiment] | None:
    """The experiment trying the template a case at ``stage`` on ``topic`` would get."""
    if not playbook.experiments:
        return None
    key = template_key(playbook, stage, topic)
    for name, experiment in playbook.experiments.items():
        if experiment.stage == stage and experiment.topic == key:
            return name, experiment
    return None


def assign(
    session: Session, playbook: Playbook, case_id: int, stage: str, topic: str, *, now: datetime
) -> Assignment | None:
    """The case's variant for a suggestion at ``stage`` on ``topic``, recorded the first time;
    None when no experiment tries that template, or it was stopped before the case got one."""
    found = experiment_for(playbook, stage, topic)
    if found is None:
        return None
    name, experiment = found
    kept = store.assigned_variant(session, name, case_id)
    if kept is not None:
        return Assignment(name, kept) if kept in experiment.variants else None
    if store.stop_of(session, name) is not None:
        return None
    variant = variant_for(name, case_id, experiment.variants)
    if store.record_assignment(session, name, case_id, variant, now=now):
        session.add(
            CaseEvent(
                case_id=case_id,
                at=now,
                kind=EVENT_KIND,
                actor="engine",
                data={"experiment": name, "variant": variant, "stage": stage},
            )
        )
        log.debug("case %d: experiment %s gives variant %s", case_id, name, variant)
    return Assignment(name, variant)


def note_suggestions(
    session: Session,
    playbook: Playbook,
    case_id: int,
    actions: Iterable[Action],
    *,
    now: datetime,
) -> None:
    """Record the case's variant for each reply the engine just suggested (not while replies
    are paused for an incident)."""
    if not playbook.experiments:
        return
    for action in actions:
        if isinstance(action, SuggestReply) and not action.paused:
            assign(session, playbook, case_id, action.stage, action.topic, now=now)


def with_variant(playbook: Playbook, assignment: Assignment) -> Playbook:
    """The playbook with the experiment's template replaced by the case's variant."""
    experiment = playbook.experiments[assignment.experiment]
    templates = dict(playbook.templates)
    templates[experiment.stage] = {
        **templates[experiment.stage],
        experiment.topic: experiment.variants[assignment.variant],
    }
    return playbook.model_copy(update={"templates": templates})


def variant_playbook(
    session: Session, playbook: Playbook, case_id: int, stage: str, topic: str, *, now: datetime
) -> Playbook:
    """The playbook to render the case's suggestion with: its variant's, recorded if new."""
    assignment = assign(session, playbook, case_id, stage, topic, now=now)
    return playbook if assignment is None else with_variant(playbook, assignment)


def playbook_for_case(
    engine: Engine,
    playbook: Playbook,
    case_id: int,
    stage: str,
    topic: str,
    *,
    now: datetime | None = None,
) -> Playbook:
    """:func:`variant_playbook` in its own transaction (the board's suggested reply)."""
    if experiment_for(playbook, stage, topic) is None:
        return playbook
    with session_scope(engine) as session:
        return variant_playbook(session, playbook, case_id, stage, topic, now=now or utcnow())
