"""The community board, as :func:`run` draws it on every run of the Streamlit script.

``critic2fan board`` starts that script (``critic2fan/board/app.py``) in a child process; the
script reads the settings and calls :func:`run` with a :class:`~dashboard.context.BoardContext`.
The app signs staff in (or, in demo mode, lets everyone in as ``demo`` and says so on every
page), checks the session on every run (``dashboard.signin``: idle timeout, a disabled account,
a changed role), then offers the pages the current role allows.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from core.errors import Critic2fanError
from dashboard.auth import DEMO_USER, Permission, StaffUser, can
from dashboard.context import BoardContext
from dashboard.signin import address_locked, sign_in, sign_out
from dashboard.views.common import (
    SESSION_NOTICE,
    SESSION_SEEN,
    SESSION_USER,
    client_address,
    context,
    engine,
    forget_session,
    page_file,
    signed_in_user,
    use_context,
)

log = logging.getLogger(__name__)

#: (page script in views/, title, icon, permission needed to see it)
PAGES: tuple[tuple[str, str, str, Permission], ...] = (
    ("queue", "Queue", ":material/inbox:", Permission.READ),
    ("case", "Case", ":material/forum:", Permission.READ),
    ("outbox", "Outbox", ":material/outbox:", Permission.APPROVE_REPLY),
    ("goodwill", "Goodwill", ":material/redeem:", Permission.APPROVE_GOODWILL),
    ("incidents", "Incidents", ":material/emergency:", Permission.READ),
    ("overview", "Overview", ":material/monitoring:", Permission.READ),
    ("topics", "Topics", ":material/topic:", Permission.READ),
    ("product_report", "Product report", ":material/summarize:", Permission.READ),
    ("people", "People", ":material/groups:", Permission.READ),
    ("fairness", "Fairness", ":material/balance:", Permission.READ),
    ("what_works", "What works", ":material/insights:", Permission.READ),
    ("playbook", "Playbook", ":material/menu_book:", Permission.READ),
    ("experiments", "Experiments", ":material/science:", Permission.READ),
    ("export", "Analyst export", ":material/download:", Permission.EXPORT),
    ("users", "Users", ":material/manage_accounts:", Permission.MANAGE_USERS),
)
LOCKED_MESSAGE = (
    "Too many failed sign-ins for this account or from this address. Try again in "
    "{minutes} minutes, or ask an admin."
)


def sign_in_page() -> None:
    """The sign-in form; on success the user is kept in this browser session only."""
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        _sign_in_form()


def _sign_in_form() -> None:
    st.title("critic2fan board")
    ctx = context()
    notice = st.session_state.pop(SESSION_NOTICE, None)
    if notice:
        st.info(notice)
    address = client_address()
    locked = LOCKED_MESSAGE.format(minutes=round(ctx.lockout.window.total_seconds() / 60))
    if address_locked(engine(), address, policy=ctx.lockout, now=ctx.clock.now()):
        st.error(locked)
        st.stop()
    with st.form("sign_in"):
        username = st.text_input("Username", key="sign_in_username")
        password = st.text_input("Password", type="password", key="sign_in_password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if not submitted:
        st.caption("Ask an admin for an account: `critic2fan users add NAME --role agent`.")
        return
    now = ctx.clock.now()
    result = sign_in(engine(), username, password, address=address, policy=ctx.lockout, now=now)
    if result.user is None:
        st.error(
            locked if result.locked else "Wrong username or password, or the account is disabled."
        )
        return
    st.session_state[SESSION_USER] = result.user
    st.session_state[SESSION_SEEN] = now
    st.rerun()


def sidebar(user: StaffUser, demo: bool) -> None:
    """Who is signed in, and a way out."""
    with st.sidebar:
        st.text(f"Signed in as {user.display_name} ({user.username}, {user.role})")
        if demo:
            st.caption("Demo mode: no sign-in needed.")
        elif st.button("Sign out", key="sign_out"):
            ctx = context()
            sign_out(engine(), user, address=client_address(), now=ctx.clock.now())
            forget_session()
            st.rerun()


def run(ctx: BoardContext) -> None:
    """Route to the sign-in form or to the pages the user's role allows."""
    st.set_page_config(page_title="critic2fan board", page_icon="🤝", layout="wide")
    use_context(ctx)
    demo = ctx.demo
    try:
        if demo:
            st.session_state[SESSION_USER] = DEMO_USER
        user = signed_in_user()
        if user is None:
            sign_in_page()
            return
        pages = [
            st.Page(Path(page_file(name)), title=title, icon=icon, default=(name == "queue"))
            for name, title, icon, needed in PAGES
            if can(user.role, needed)
        ]
        nav = st.navigation(pages)
        sidebar(user, demo)
        nav.run()
    except Critic2fanError as exc:
        st.error(f"The board cannot continue: {exc}")
