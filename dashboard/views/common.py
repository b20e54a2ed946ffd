"""What every board page shares: the database, who is signed in, what they may do, the banners.

User-supplied strings (mention text, names, handles, notes) are never given to ``st.markdown`` or
``st.write``: pages show them with :func:`plain` (``st.text``), ``st.code`` or ``st.dataframe``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import streamlit as st
from sqlalchemy.engine import Engine

from core.clock import SYSTEM_CLOCK, Clock
from core.errors import Critic2fanError
from dashboard.auth import Permission, StaffUser, can
from dashboard.context import DEFAULT_REFRESH_SECONDS, BoardContext
from dashboard.signin import LOCAL_ADDRESS, check_session
from playbooks.schema import Playbook
from store.models import Incident, SignInKind

log = logging.getLogger(__name__)

SESSION_USER = "board_user"
#: When the signed-in user last clicked (a full run of the board; self-refreshes do not count).
SESSION_SEEN = "board_seen_at"
#: Why the last session ended, shown once above the sign-in form.
SESSION_NOTICE = "board_notice"
SESSION_CONTEXT = "board_context"
#: The folder of the page scripts (``st.switch_page`` resolves names against the main script's
#: folder, which is the shell's, so pages are named by absolute path).
VIEWS_DIR = Path(__file__).resolve().parent
#: The time windows the analysis pages offer, in days.
WINDOWS = {"7 days": 7, "30 days": 30, "90 days": 90, "1 year": 365}


def use_context(ctx: BoardContext) -> None:
    """Make ``ctx`` the context of this browser session's pages (the app does, on every run)."""
    st.session_state[SESSION_CONTEXT] = ctx


def context() -> BoardContext:
    """What the board was started with; stops the page when it was not started by the app."""
    ctx = st.session_state.get(SESSION_CONTEXT)
    if not isinstance(ctx, BoardContext):
        st.error("The board was started without its settings: start it with `critic2fan board`.")
        st.stop()
    return ctx


def page_file(name: str) -> str:
    """The absolute path of the page script ``name`` (e.g. ``case``), for ``st.switch_page``."""
    return str(VIEWS_DIR / f"{name}.py")


def demo_mode() -> bool:
    """True when the board was started in demo mode (no login)."""
    return context().demo


def refresh_interval() -> timedelta:
    """How often self-refreshing tables rerun (``board.refresh_seconds``)."""
    ctx = st.session_state.get(SESSION_CONTEXT)
    seconds = ctx.refresh_seconds if isinstance(ctx, BoardContext) else DEFAULT_REFRESH_SECONDS
    return timedelta(seconds=seconds)


@st.cache_resource(show_spinner=False)
def _engine_for(url: str) -> Engine:
    from store.engine import make_engine
    from store.migrate import ensure_current

    engine = make_engine(url)
    ensure_current(engine, auto_upgrade=False)
    return engine


@st.cache_resource(show_spinner=False)
def _playbook_for(path: str | None, facts: str | None) -> Playbook:
    from playbooks.loader import load_active_playbook

    return load_active_playbook(path, facts)


def playbook() -> Playbook:
    """The active playbook (the configured file, else the bundled default), loaded once."""
    ctx = context()
    return _playbook_for(
        str(ctx.playbook_path) if ctx.playbook_path else None,
        str(ctx.facts_path) if ctx.facts_path else None,
    )


def engine() -> Engine:
    """The board's engine, created once per process and database URL."""
    return _engine_for(context().database_url)


def client_address() -> str:
    """The client's IP address as Streamlit saw the connection (``local`` on loopback or
    when unknown). Behind a reverse proxy it is the proxy's, shared by every visitor."""
    address = st.context.ip_address
    return address if isinstance(address, str) and address else LOCAL_ADDRESS


#: What the sign-in form says after a session ended on its own.
END_NOTICES = {
    SignInKind.EXPIRED: "Your session ended after a long time without activity. Please sign "
    "in again.",
    SignInKind.ENDED: "Your session ended: your account was disabled or removed.",
}


def signed_in_user(*, activity: bool = True) -> StaffUser | None:
    """The signed-in user as their account is now, or None (nobody, or the session just
    ended: idle too long, account disabled). ``activity`` marks this run as a click, which
    keeps the session alive; a self-refresh passes False."""
    ctx = context()
    user = st.session_state.get(SESSION_USER)
    if not isinstance(user, StaffUser):
        return None
    if ctx.demo:
        return user
    now = ctx.clock.now()
    seen = st.session_state.get(SESSION_SEEN)
    check = check_session(
        engine(),
        user,
        last_seen=seen if isinstance(seen, datetime) else now,
        now=now,
        idle_timeout=ctx.idle_timeout,
        address=client_address(),
    )
    if check.user is None:
        forget_session()
        if check.ended is not None:
            st.session_state[SESSION_NOTICE] = END_NOTICES[check.ended]
        return None
    st.session_state[SESSION_USER] = check.user
    if activity or not isinstance(seen, datetime):
        st.session_state[SESSION_SEEN] = now
    return check.user


def still_signed_in() -> None:
    """For a self-refreshing fragment: rerun the whole board (to the sign-in form) when the
    session has ended since, without counting the refresh as activity. A full run of the
    board has checked already, so only a fragment's own rerun checks."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = get_script_run_ctx()
    if run is None or not run.fragment_ids_this_run:
        return
    if st.session_state.get(SESSION_USER) is not None and signed_in_user(activity=False) is None:
        st.rerun()


def forget_session() -> None:
    """Forget everything this browser session held but the board's context."""
    for key in list(st.session_state.keys()):
        if key != SESSION_CONTEXT:
            del st.session_state[key]


@dataclass(frozen=True)
class Board:
    """The signed-in staff member (or the demo user) and the engine."""

    user: StaffUser
    demo: bool
    engine: Engine
    clock: Clock = SYSTEM_CLOCK

    def now(self) -> datetime:
        """The current time by the board's clock."""
        return self.clock.now()

    @property
    def actor(self) -> str:
        """How this person is named in the audit trail."""
        return f"user:{self.user.username}"

    def can(self, permission: Permission) -> bool:
        """Whether this person may do ``permission``."""
        return can(self.user.role, permission)


def board() -> Board:
    """The current board context; stops the page if nobody is signed in (the app signs in)."""
    user = st.session_state.get(SESSION_USER)
    if not isinstance(user, StaffUser):
        st.error("Please sign in.")
        st.stop()
    return Board(user=user, demo=demo_mode(), engine=engine(), clock=context().clock)


def banners(b: Board) -> None:
    """The banners every page carries: demo mode, and an open incident."""
    if b.demo:
        st.warning(
            "Demo mode: anyone who can reach this board can use it without signing in, "
            "and actions are recorded as user:demo.",
            icon=":material/science:",
        )
    incident = open_incident(b.engine)
    if incident is not None:
        st.error(
            "An incident is open: its critics are offered its holding reply. Reply with care "
            "and check the Incidents page before promising anything.",
            icon=":material/emergency:",
        )
        plain(
            f"Since {incident.started_at:%Y-%m-%d %H:%M} UTC ({incident.kind}, "
            f"{incident.topic or 'every topic'}, commander: "
            f"{(incident.commander or 'nobody').removeprefix('user:')}): "
            f"{incident.reason or 'no reason given'}"
        )


def open_incident(eng: Engine) -> Incident | None:
    """The incident in progress, if any (newest first)."""
    from store.engine import session_scope
    from store.incidents import newest_open_incident

    with session_scope(eng) as session:
        row = newest_open_incident(session)
        if row is not None:
            session.expunge(row)
        return row


def window_days(key: str) -> int:
    """A window picker (7 days to a year, 30 days by default); returns its length in days."""
    label = st.segmented_control("Window", list(WINDOWS), default="30 days", key=key)
    return WINDOWS[label or "30 days"]


def require(b: Board, permission: Permission) -> None:
    """Stop the page with a clear message when the user lacks ``permission``."""
    if not b.can(permission):
        st.error(f"Your role ({b.user.role}) may not {permission.value.replace('_', ' ')}.")
        st.stop()


def plain(text: str | None) -> None:
    """Show user-supplied text exactly as written, never interpreted as markdown or HTML."""
    st.text(text if text else "")


_MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:"


def escape_md(text: str) -> str:
    """``text`` with every markdown-special character escaped, for messages that may quote
    user input inside ``st.error`` and friends (which render markdown)."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in text)


def run_action(action: Callable[[], str], *, flash_key: str) -> None:
    """Run a staff action; keep its outcome for the next run under ``flash_key`` and rerun, or
    show the clear reason it was refused (a product error, never a traceback)."""
    try:
        message = action()
    except Critic2fanError as exc:
        show_error(exc)
        return
    st.session_state[flash_key] = message
    st.rerun()


def show_error(exc: Exception) -> None:
    """Show a product error's message, never interpreted as markdown."""
    st.error(escape_md(str(exc)))


def countdown(due: datetime | None, now: datetime) -> str:
    """An SLA countdown such as ``2h 05m`` or ``overdue 12m`` (``—`` without an SLA)."""
    if due is None:
        return "—"
    seconds = int((due - now).total_seconds())
    label = "overdue " if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{label}{days}d {hours:02d}h"
    if hours:
        return f"{label}{hours}h {minutes:02d}m"
    return f"{label}{minutes}m"
