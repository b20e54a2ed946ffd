"""The store: SQLModel tables, the engine factory, migrations and batched writers.

Import submodules directly (``store.models``, ``store.engine``); this package stays light.
"""
