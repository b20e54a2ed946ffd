"""Users (admins only): staff accounts, their roles, adding and disabling them, and the sign-in
audit trail. A disabled account's open sessions end, and a changed role takes effect, at their
next click (``dashboard.signin``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import Critic2fanError
from dashboard.auth import (
    ROLE_PERMISSIONS,
    Permission,
    add_user,
    list_users,
    set_active,
    set_role,
)
from dashboard.views.common import Board, banners, board, require, show_error
from store.signins import recent_sign_in_events

#: How many sign-in events the page shows (the full trail stays in ``signinevent``).
AUDIT_ROWS = 200


def render() -> None:
    """The users page."""
    b = board()
    banners(b)
    require(b, Permission.MANAGE_USERS)
    st.title("Users")
    flash = st.session_state.pop("users_flash", None)
    if flash:
        st.success(flash)
    users = list_users(b.engine)
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "username": u.username,
                    "name": u.display_name,
                    "role": u.role,
                    "email": u.email or "",
                    "active": u.active,
                }
                for u in users
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    left, right = st.columns(2)
    with left, st.form("add_user", clear_on_submit=True):
        st.subheader("Add a user")
        username = st.text_input("Username")
        name = st.text_input("Name")
        email = st.text_input("E-mail (optional)")
        role = st.selectbox("Role", list(ROLE_PERMISSIONS))
        password = st.text_input("Initial password", type="password")
        if st.form_submit_button("Add user"):
            try:
                add_user(
                    b.engine,
                    username=username,
                    password=password,
                    role=str(role),
                    display_name=name,
                    email=email,
                )
            except Critic2fanError as exc:
                show_error(exc)
            else:
                st.session_state["users_flash"] = "User added."
                st.rerun()
    with right, st.form("toggle_user"):
        st.subheader("Disable or enable")
        names = [u.username for u in users if u.username != b.user.username]
        who = st.selectbox("User", names)
        active = st.radio("Account", ["disable", "enable"], horizontal=True)
        if st.form_submit_button("Apply") and who:
            set_active(b.engine, str(who), active=active == "enable")
            st.session_state["users_flash"] = f"{active.capitalize()}d."
            st.rerun()
    with st.form("user_role"):
        st.subheader("Change a role")
        names = [u.username for u in users if u.username != b.user.username]
        who = st.selectbox("User", names, key="role_user")
        role = st.selectbox("New role", list(ROLE_PERMISSIONS), key="role_new")
        if st.form_submit_button("Change role") and who:
            set_role(b.engine, str(who), str(role))
            st.session_state["users_flash"] = "Role changed."
            st.rerun()
    sign_in_trail(b)


def sign_in_trail(b: Board) -> None:
    """The newest sign-in events: who signed in, failed, was locked out or ended a session."""
    st.subheader("Sign-in activity")
    with b.engine.connect() as conn:
        events = recent_sign_in_events(conn, limit=AUDIT_ROWS)
    if not events:
        st.caption("No sign-ins recorded yet.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "at": e.at,
                    "event": e.kind.replace("_", " "),
                    "username": e.username,
                    "address": e.address,
                    "detail": e.detail or "",
                }
                for e in events
            ]
        ),
        hide_index=True,
        width="stretch",
    )


if __name__ == "__main__":
    render()
