"""The sample's community lead: the board decisions the demo replays beside the sample's posts.

The sample's posts carry what the team wrote on the platforms; what a lead decides on the board
(confirming or rejecting a walk-away, agreeing to disagree, closing an incident) is not a post,
so the demo plays it here, at the sample's own times. The lead knows each author's persona
from the sample's ground truth, as a lead who read the thread would: a recommendation for a
troll or a pile-on account is confirmed, one for a genuine critic rejected. Every decision is
on the case's trail as ``user:sample-lead``. Once a scripted critic has given the details, the
lead also writes down their "one thing" (``conversations.yaml``), which fan stories quote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy.engine import Engine

from playbooks import incidents, service
from playbooks.persist import state_of
from playbooks.schema import Playbook
from playbooks.state import CRITIC
from sample import TRUTH_PATH
from sample.data import load
from store.engine import session_scope
from store.incidents import newest_open_incident
from store.one_thing import set_one_thing
from store.open_cases import open_cases_with_authors

#: Who the sample's decisions are recorded as.
LEAD = "sample-lead"
#: How long a recommendation or a proposal waits before the lead gets to it.
REVIEW_AFTER = timedelta(hours=1)
#: Personas whose walk-away recommendation for ``troll`` the lead confirms.
TROLLS = frozenset({"troll", "pileon"})
#: A critic of this persona and the team agree to disagree once both have had their say.
AGREES_TO_DISAGREE = "critic_agrees_to_disagree"


@cache
def personas() -> Mapping[tuple[str, str], str]:
    """Each sample author's persona by ``(platform, handle)``, from the ground truth."""
    found: dict[tuple[str, str], str] = {}
    with TRUTH_PATH.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row.get("kind") == "author":
                found[(row["platform"], row["handle"])] = row["persona"]
    return found


@cache
def one_things() -> Mapping[tuple[str, str], str]:
    """What would fix it, by ``(platform, handle)``, for the scripted critics that say."""
    return {
        (critic.platform, critic.handle): critic.one_thing
        for critics in load().conversations.root.values()
        for critic in critics
        if critic.one_thing
    }


@dataclass
class SampleLead:
    """Makes the lead's decisions that are due at a moment of the replay."""

    engine: Engine
    playbook: Playbook
    seen: dict[int, datetime] = field(default_factory=dict)

    def act(self, now: datetime) -> int:
        """Decide what has waited ``REVIEW_AFTER`` by ``now``; returns how many decisions."""
        decided = self._cases(now)
        return decided + self._incident(now) + self._one_things(now)

    def _one_things(self, now: datetime) -> int:
        written = 0
        with session_scope(self.engine) as session:
            for row, author in open_cases_with_authors(session):
                thing = one_things().get((author.platform, author.handle))
                state = state_of(row)
                if thing is None or row.one_thing or state is None or not state.critic_replies:
                    continue
                assert row.id is not None
                written += set_one_thing(session, row.id, thing, actor=f"user:{LEAD}", now=now)
        return written

    def _cases(self, now: datetime) -> int:
        with session_scope(self.engine) as session:
            rows = [
                (row.id, state_of(row), personas().get((author.platform, author.handle), ""))
                for row, author in open_cases_with_authors(session)
            ]
        decided = 0
        for case_id, state, persona in rows:
            if case_id is None or state is None:
                continue
            recommended = state.walkaway_recommended
            if recommended is not None:
                first_seen = self.seen.setdefault(case_id, now)
                if now - first_seen < REVIEW_AFTER:
                    continue
                if recommended != "troll" or persona in TROLLS:
                    service.confirm_walk_away(
                        self.engine, case_id, LEAD, now, playbook=self.playbook
                    )
                else:
                    service.reject_walk_away(
                        self.engine,
                        case_id,
                        LEAD,
                        now,
                        reason="a genuine critic having a bad day: keep working the case",
                        playbook=self.playbook,
                    )
                decided += 1
            elif (
                persona == AGREES_TO_DISAGREE
                and state.waiting_on == CRITIC
                and state.staff_replies >= 2
                and now - state.updated_at >= REVIEW_AFTER
            ):
                service.walk_away(
                    self.engine, case_id, LEAD, "agreed_to_disagree", now, playbook=self.playbook
                )
                decided += 1
        return decided

    def _incident(self, now: datetime) -> int:
        """The outage's incident gets its holding reply at once; any spike's incident is
        closed an hour after closing is proposed, the outage's with its root cause and fix
        recorded first (which drafts the "it's fixed" follow-ups)."""
        with session_scope(self.engine) as session:
            incident = newest_open_incident(session)
            if incident is None or incident.id is None:
                return 0
            incident_id, topic = incident.id, incident.topic
            holding, proposed = incident.holding_reply, incident.close_proposed_at
        story = load().spike.incident
        outage = topic == story.topic
        acted = 0
        if outage and not holding:
            incidents.set_holding_reply(
                self.engine, incident_id, LEAD, story.holding, now, role="lead"
            )
            acted += 1
        if proposed is None or now - proposed < REVIEW_AFTER:
            return acted
        if outage:
            incidents.record_root_cause(
                self.engine, incident_id, LEAD, story.root_cause, now, role="lead"
            )
            incidents.record_fix(
                self.engine, incident_id, LEAD, story.fix, now, role="lead", playbook=self.playbook
            )
        reason = "volume back at its baseline; the outage is fixed"
        service.set_incident(self.engine, False, LEAD, reason, now, playbook=self.playbook)
        return acted + 1
