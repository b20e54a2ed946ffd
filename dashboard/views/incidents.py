"""Incidents: the active incidents, each with its commander (or a loud "no commander"), scope,
affected critics (linked to their cases), holding reply, status updates, root cause and fix.

Leads open an incident here (or from an emerging topic's alert on the Topics page, which brings
its topic along), name the commander, approve status updates and close it. The commander or a
lead writes the holding reply, posts status updates (one outbox row per platform the brand has
an account on), and records the root cause and the fix, which drafts the "it's fixed" follow-ups
for a lead to approve on the Outbox page. Everything staff or critics wrote is shown with
``st.text`` (plain), never as markdown.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from dashboard.auth import Permission
from dashboard.views.common import (
    Board,
    banners,
    board,
    context,
    escape_md,
    page_file,
    plain,
    playbook,
    run_action,
)
from playbooks import incidents
from playbooks.incident_replies import holding_reply
from store.engine import session_scope
from store.incidents import (
    AffectedCritic,
    UpdatePost,
    affected_counts,
    affected_critics,
    open_incidents,
    recently_closed_incidents,
    update_posts,
    updates_of,
)
from store.models import Incident, IncidentUpdate
from store.users import active_staff

FLASH = "incidents_flash"
PLATFORMS = ("x", "reddit", "mastodon", "bluesky")
CRITICS_SHOWN = 50
#: How many closed incidents the page lists.
CLOSED_SHOWN = 10
ANY = "(any)"


def brand_platforms() -> list[str]:
    """The platforms the brand has an account on: a status update goes to each once."""
    accounts = context().brand.accounts
    return [p for p in PLATFORMS if getattr(accounts, p, None)]


def _who(actor: str | None) -> str:
    return (actor or "").removeprefix("user:") or "nobody"


def _do(action: Callable[[], str]) -> None:
    run_action(action, flash_key=FLASH)


def _runs_it(b: Board, incident: Incident) -> bool:
    return incident.commander == b.actor or b.can(Permission.SWITCH_INCIDENT)


def open_form(b: Board) -> None:
    """A lead opens an incident on a scope (a topic from an emerging alert comes prefilled)."""
    topics = ["general", *sorted(playbook().topics)]
    wanted = st.query_params.get("topic")
    index = topics.index(wanted) if wanted in topics else 0
    with st.expander("Open an incident", expanded=wanted is not None):
        topic = st.selectbox("Topic", topics, index=index, key="incident_topic")
        region = st.text_input("Region (optional)", key="incident_region")
        platform = st.selectbox("Platform", [ANY, *PLATFORMS], key="incident_platform")
        reason = st.text_input(
            "What is happening", value=st.query_params.get("reason", ""), key="incident_reason"
        )
        if st.button("Open incident", type="primary", key="incident_open"):
            kind = "emerging" if wanted else "manual"

            def go() -> str:
                row = incidents.open_incident(
                    b.engine,
                    b.actor,
                    b.now(),
                    topic=topic,
                    region=region,
                    platform=None if platform == ANY else platform,
                    reason=reason,
                    kind=kind,
                    role=b.user.role,
                    playbook=playbook(),
                )
                return f"Incident #{row.id} opened."

            _do(go)


def _header(incident: Incident, counts: tuple[int, int]) -> None:
    st.subheader(f"Incident #{incident.id}")
    if incident.commander is None:
        st.error("No commander: a lead must take this incident.", icon=":material/warning:")
    scope = [incident.topic or "every topic"]
    scope += [f"region {incident.region}"] if incident.region else []
    scope += [f"on {incident.platform}"] if incident.platform else []
    plain(
        f"Scope: {', '.join(scope)} · {incident.kind} · since "
        f"{incident.started_at:%Y-%m-%d %H:%M} UTC by {_who(incident.started_by)} · "
        f"commander: {_who(incident.commander)}"
    )
    plain(f"Affected critics: {counts[0]} ({counts[1]} still open)")
    if incident.reason:
        plain(f"What is happening: {incident.reason}")
    if incident.close_proposed_at is not None:
        st.info("Volume is back to its baseline: close the incident?")


def commander_panel(b: Board, incident: Incident) -> None:
    """A lead names the commander, or takes it."""
    if not b.can(Permission.SWITCH_INCIDENT):
        return
    iid = incident.id or 0
    with b.engine.connect() as conn:
        staff = active_staff(conn, roles=("agent", "lead", "admin"))
    c1, c2, c3 = st.columns([2, 1, 1])
    who = c1.selectbox("Commander", staff, key=f"incident_commander_{iid}")
    if c2.button("Assign", key=f"incident_assign_{iid}") and who:
        _do(lambda: _assign(b, iid, who))
    if c3.button("Take it", key=f"incident_take_{iid}"):
        _do(lambda: _assign(b, iid, b.user.username))


def _assign(b: Board, iid: int, who: str) -> str:
    incidents.assign_commander(b.engine, iid, b.actor, who, b.now(), role=b.user.role)
    return f"{who} commands incident #{iid}."


def holding_panel(b: Board, incident: Incident) -> None:
    """What affected critics are told (the incident's own, else the playbook's), and its form."""
    iid = incident.id or 0
    preview = holding_reply(
        playbook(), incident.holding_reply, topic=incident.topic or "", name="Alex"
    )
    st.caption("Holding reply (what an affected critic named Alex is offered):")
    plain(preview)
    if not _runs_it(b, incident):
        return
    text = st.text_area(
        "Holding reply ({{ name }} is the critic's name)",
        value=incident.holding_reply or "",
        key=f"incident_holding_{iid}",
    )
    if st.button("Save holding reply", key=f"incident_holding_save_{iid}"):

        def go() -> str:
            incidents.set_holding_reply(b.engine, iid, b.actor, text, b.now(), role=b.user.role)
            return f"Holding reply of incident #{iid} saved."

        _do(go)


def _post_line(post: UpdatePost) -> str:
    where = f" {post.url}" if post.url else ""
    error = f" ({post.error})" if post.error else ""
    return f"  {post.platform}: {post.state.replace('_', ' ')}{where}{error}"


def updates_panel(b: Board, incident: Incident, updates: list[IncidentUpdate]) -> None:
    """The status updates, where each platform's post stands, and the form for a new one."""
    iid = incident.id or 0
    with b.engine.connect() as conn:
        posts = update_posts(conn, [u.id for u in updates if u.id is not None])
    st.caption(f"Status updates ({len(updates)})")
    for update in updates:
        uid = update.id or 0
        plain(f"{update.at:%Y-%m-%d %H:%M} UTC by {_who(update.author)}: {update.text}")
        mine = posts.get(uid, [])
        for post in mine:
            plain(_post_line(post))
        waiting = any(p.state == "awaiting_approval" for p in mine)
        lead = waiting and b.can(Permission.APPROVE_REPLY)
        if lead and st.button("Approve status update", key=f"incident_update_approve_{uid}"):

            def approve(uid: int = uid) -> str:
                n = incidents.approve_status_update(
                    b.engine, uid, b.actor, b.now(), role=b.user.role
                )
                return f"Status update approved on {n} platforms."

            _do(approve)
    if not _runs_it(b, incident):
        return
    platforms = brand_platforms()
    text = st.text_area("New status update", key=f"incident_update_{iid}")
    st.caption(f"Posted once on the brand's account on: {', '.join(platforms) or 'none'}")
    if st.button("Post status update", key=f"incident_update_post_{iid}"):

        def go() -> str:
            update = incidents.post_status_update(
                b.engine, iid, b.actor, text, b.now(), platforms=platforms, role=b.user.role
            )
            return f"Status update queued on {len(update.outbox_ids)} platforms."

        _do(go)


def cause_and_fix(b: Board, incident: Incident) -> None:
    """The root cause and the fix; recording the fix drafts the "it's fixed" follow-ups."""
    iid = incident.id or 0
    if incident.root_cause:
        plain(f"Root cause: {incident.root_cause}")
    if incident.fix:
        plain(f"Fix ({incident.fixed_at:%Y-%m-%d %H:%M} UTC): {incident.fix}")
    if not _runs_it(b, incident):
        return
    cause = st.text_area("Root cause", value=incident.root_cause or "", key=f"incident_cause_{iid}")
    if st.button("Save root cause", key=f"incident_cause_save_{iid}"):

        def save() -> str:
            incidents.record_root_cause(b.engine, iid, b.actor, cause, b.now(), role=b.user.role)
            return f"Root cause of incident #{iid} saved."

        _do(save)
    fix = st.text_area("Fix (what changed)", value=incident.fix or "", key=f"incident_fix_{iid}")
    if st.button("Record fix", key=f"incident_fix_save_{iid}"):

        def record() -> str:
            done = incidents.record_fix(
                b.engine, iid, b.actor, fix, b.now(), role=b.user.role, playbook=playbook()
            )
            return f'Fix recorded; {done.drafted} "it\'s fixed" follow-ups wait for approval.'

        _do(record)


def critics_panel(critics: list[AffectedCritic], iid: int) -> None:
    """The affected critics, each linked to their case."""
    st.caption(f"Affected critics ({len(critics)})")
    for critic in critics[:CRITICS_SHOWN]:
        follow = (
            f" · follow-up {critic.followup_state.replace('_', ' ')}"
            if critic.followup_state
            else ""
        )
        c1, c2 = st.columns([4, 1])
        with c1:
            plain(
                f"#{critic.case_id} @{critic.handle} ({critic.platform}) · {critic.stage}"
                f"{'' if critic.is_open else ' (closed)'}{follow}"
            )
        if c2.button("Open case", key=f"incident_{iid}_case_{critic.case_id}"):
            st.switch_page(page_file("case"), query_params={"case": str(critic.case_id)})
    if len(critics) > CRITICS_SHOWN:
        st.caption(f"The first {CRITICS_SHOWN} are shown.")


def close_panel(b: Board, incident: Incident) -> None:
    """A lead closes the incident."""
    if not b.can(Permission.SWITCH_INCIDENT):
        return
    iid = incident.id or 0
    reason = st.text_input("How it ended", key=f"incident_close_reason_{iid}")
    if st.button("Close incident", key=f"incident_close_{iid}"):

        def go() -> str:
            n = incidents.close_incident(
                b.engine,
                iid,
                b.actor,
                b.now(),
                reason=reason,
                role=b.user.role,
                playbook=playbook(),
            )
            return f"Incident #{iid} closed; {n} open cases untagged."

        _do(go)


def render() -> None:
    """The Incidents page: the active incidents and their command."""
    b = board()
    banners(b)
    st.title("Incidents")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        st.success(escape_md(flash))
    if b.can(Permission.SWITCH_INCIDENT):
        open_form(b)
    with session_scope(b.engine) as session:
        active = open_incidents(session)
        updates = {i.id: updates_of(session, i.id or 0) for i in active}
        closed = recently_closed_incidents(session, CLOSED_SHOWN)
        session.expunge_all()
    if not active:
        st.caption("No incident is open.")
    render_active(b, active, updates)
    closed_list(b, closed)


def render_active(
    b: Board, active: list[Incident], updates: dict[int | None, list[IncidentUpdate]]
) -> None:
    """Each open incident with its command panels."""
    if not active:
        return
    ids = [i.id or 0 for i in active]
    with b.engine.connect() as conn:
        counts = affected_counts(conn, ids)
        critics = {i: affected_critics(conn, i) for i in ids}
    for incident in sorted(active, key=lambda i: i.started_at, reverse=True):
        iid = incident.id or 0
        with st.container(border=True):
            _header(incident, counts.get(iid, (0, 0)))
            commander_panel(b, incident)
            holding_panel(b, incident)
            updates_panel(b, incident, updates.get(iid, []))
            cause_and_fix(b, incident)
            critics_panel(critics.get(iid, []), iid)
            close_panel(b, incident)


def closed_list(b: Board, closed: list[Incident]) -> None:
    """The incidents that ended last: what happened, what was wrong, what changed."""
    if not closed:
        return
    with b.engine.connect() as conn:
        counts = affected_counts(conn, [i.id for i in closed if i.id is not None])
    st.subheader("Recently closed")
    for incident in closed:
        ended = incident.ended_at
        with st.expander(
            f"#{incident.id} · {incident.topic or 'every topic'} · {incident.kind} · "
            f"{incident.started_at:%Y-%m-%d %H:%M} to {ended:%Y-%m-%d %H:%M} UTC"
            if ended is not None
            else f"#{incident.id}"
        ):
            affected = counts.get(incident.id or -1, (0, 0))[0]
            plain(
                f"Commander: {_who(incident.commander)} · closed by {_who(incident.ended_by)} · "
                f"affected critics: {affected}"
            )
            if incident.reason:
                plain(f"What happened: {incident.reason}")
            plain(f"Root cause: {incident.root_cause or 'not recorded'}")
            plain(f"Fix: {incident.fix or 'not recorded'}")


if __name__ == "__main__":
    render()
