"""Users page (being built)."""

from __future__ import annotations

import streamlit as st

from dashboard.views.common import banners, board


def render() -> None:
    """The users page."""
    b = board()
    banners(b)
    st.title("Users")
    st.info("Coming soon.")


if __name__ == "__main__":
    render()
