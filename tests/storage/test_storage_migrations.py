"""The project's schema migrations (Alembic), on SQLite and PostgreSQL.

Every start runs the migrations, and an operator may run ``python -m bot db
upgrade`` as well: running them again must change nothing, and a downgrade
must be reversible.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text

from bot.storage.assessments import AssessmentStore
from bot.storage.database import alembic_config, upgrade
from bot.storage.models import Base

EXPECTED_COLUMNS = {
    "b12_records": {"id", "created_at", "updated_at", "channel"},
    "b12_assessments": {
        "id",
        "record_id",
        "created_at",
        "channel",
        "kb_version",
        "probability",
        "band",
        "triage_level",
        "tests",
        "findings",
        "assessment",
        "free_text",
    },
}


def _columns(engine: Any) -> dict[str, set[str]]:
    inspector = inspect(engine)
    return {
        table: {c["name"] for c in inspector.get_columns(table)}
        for table in inspector.get_table_names()
        if table.startswith("b12_") and table != "b12_alembic_version"
    }


def _version(engine: Any) -> list[str]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version_num FROM b12_alembic_version"))
        return [row[0] for row in rows]


def _store_one(engine: Any) -> str:
    store = AssessmentStore(engine)
    record = store.new_record_id()
    store.save(record, {"band": "low", "triage": {"level": "self_care"}}, {})
    return record


def test_tables_have_the_expected_columns_and_match_the_models(engine: Any) -> None:
    assert _columns(engine) == EXPECTED_COLUMNS
    models = {name: {c.name for c in table.columns} for name, table in Base.metadata.tables.items()}
    assert models == EXPECTED_COLUMNS
    indexes = {i["name"] for i in inspect(engine).get_indexes("b12_assessments")}
    assert "ix_b12_assessments_record_created" in indexes


def test_upgrading_twice_changes_nothing_and_keeps_the_data(engine: Any) -> None:
    record = _store_one(engine)
    upgrade(engine)
    upgrade(engine)
    assert _version(engine) == ["0001"]
    assert _columns(engine) == EXPECTED_COLUMNS
    assert len(AssessmentStore(engine).assessments(record)) == 1


def test_downgrade_to_base_then_upgrade_gives_a_working_schema(engine: Any) -> None:
    from alembic import command

    _store_one(engine)
    command.downgrade(alembic_config(engine), "base")
    assert _columns(engine) == {}
    upgrade(engine)
    assert _columns(engine) == EXPECTED_COLUMNS
    assert _version(engine) == ["0001"]
    record = _store_one(engine)
    assert [a.band for a in AssessmentStore(engine).assessments(record)] == ["low"]


def test_migrations_leave_rasa_conversations_alone(engine: Any) -> None:
    """Rasa owns its ``events`` table; migrating ours must never drop or alter it."""
    from alembic import command
    from rasa.core.tracker_store import SQLTrackerStore

    SQLTrackerStore.Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO events (sender_id, type_name, timestamp) VALUES ('c1', 'user', 1)")
        )
    command.downgrade(alembic_config(engine), "base")
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM events")).scalar() == 1


def test_deleting_a_record_in_the_database_deletes_its_assessments(engine: Any) -> None:
    """The foreign key cascades (SQLite needs its pragma on every connection for that)."""
    record = _store_one(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM b12_records WHERE id = :id"), {"id": record})
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM b12_assessments")).scalar()
    assert left == 0
