"""Users (admins only): staff accounts, their roles, adding and disabling them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from core.errors import Critic2fanError
from dashboard.auth import ROLE_PERMISSIONS, Permission, add_user, list_users, set_active
from dashboard.views.common import banners, board, require, show_error


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


if __name__ == "__main__":
    render()
