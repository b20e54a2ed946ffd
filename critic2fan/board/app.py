"""The Streamlit script behind ``critic2fan board``: Streamlit runs this file on every rerun."""

from critic2fan.board import run_script

run_script()
