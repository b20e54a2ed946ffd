"""Migration 0014: incident command's tables and columns come and go cleanly."""

from __future__ import annotations

from sqlalchemy import inspect

from store.engine import make_engine
from store.migrate import alembic_config, upgrade


def test_migration_0014__adds_and_drops_incident_command(db_url: str) -> None:
    from alembic import command

    engine = make_engine(db_url)
    upgrade(engine, "0013")
    assert "incidentupdate" not in inspect(engine).get_table_names()
    upgrade(engine, "0014")
    tables = inspect(engine).get_table_names()
    assert {"incidentupdate", "incidentcase"} <= set(tables)
    columns = {c["name"]: c for c in inspect(engine).get_columns("outboxitem")}
    assert columns["case_id"]["nullable"] and "incident_update_id" in columns
    assert "commander" in {c["name"] for c in inspect(engine).get_columns("incident")}
    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0013")
    assert "incidentcase" not in inspect(engine).get_table_names()
    assert "commander" not in {c["name"] for c in inspect(engine).get_columns("incident")}
    engine.dispose()
