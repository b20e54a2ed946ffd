"""The board's pages; each file is a Streamlit page script with a ``render()`` function."""
