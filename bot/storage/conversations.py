"""Forgetting conversations in Rasa's SQL tracker store (its ``events`` table).

Rasa has no "delete this conversation" of its own. These functions work on the
table directly with SQLAlchemy Core, so the retention command and the tracker
store share them and neither needs Rasa loaded.

Rasa writes one row per event: ``sender_id``, ``type_name``, ``timestamp``
(Unix seconds), ``action_name`` (for a slot event: the slot's name) and
``data`` (the event as JSON).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import MetaData, Table, delete, func, inspect, select
from sqlalchemy.engine import Connection, Engine

from bot.storage.models import as_utc, utcnow

EVENTS_TABLE = "events"
CONSENT_SLOT = "consent"
CONSENT_YES = "yes"


def _events(connection: Connection) -> Table | None:
    if not inspect(connection).has_table(EVENTS_TABLE):
        return None
    return Table(EVENTS_TABLE, MetaData(), autoload_with=connection)


def erase_conversation(engine: Engine, sender_id: str) -> int:
    """Every event of one conversation; returns how many rows went."""
    with engine.begin() as connection:
        events = _events(connection)
        if events is None:
            return 0
        query = delete(events).where(events.c.sender_id == sender_id)
        gone = int(connection.execute(query).rowcount)
    forget_on_disk(engine)
    return gone


def forget_on_disk(engine: Engine) -> None:
    """After a deletion, leave no copy of the deleted rows in SQLite's files.

    With ``secure_delete`` (set on every connection) freed pages are zeroed in the
    database file, but until a checkpoint the write-ahead log (``b12.db-wal``)
    still holds the pages as they were. A TRUNCATE checkpoint copies the log into
    the file and empties it. PostgreSQL needs nothing here: deleted rows are not
    reachable through it, and its files are the operator's to protect.
    """
    if engine.dialect.name != "sqlite":
        return
    from sqlalchemy import text

    with engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))


def _delete_senders(connection: Connection, events: Table, senders: list[str]) -> int:
    gone = 0
    for start in range(0, len(senders), 500):
        chunk = senders[start : start + 500]
        gone += connection.execute(delete(events).where(events.c.sender_id.in_(chunk))).rowcount
    return int(gone)


def _idle_senders(connection: Connection, events: Table, cutoff: datetime) -> list[str]:
    last = func.max(events.c.timestamp)
    rows = connection.execute(
        select(events.c.sender_id).group_by(events.c.sender_id).having(last < cutoff.timestamp())
    )
    return [row[0] for row in rows]


def consented_senders(connection: Connection, events: Table, senders: list[str]) -> set[str]:
    """Conversations whose latest consent answer is yes."""
    kept: set[str] = set()
    for start in range(0, len(senders), 500):
        chunk = senders[start : start + 500]
        rows = connection.execute(
            select(events.c.sender_id, events.c.data)
            .where(events.c.sender_id.in_(chunk))
            .where(events.c.type_name == "slot")
            .where(events.c.action_name == CONSENT_SLOT)
            .order_by(events.c.sender_id, events.c.timestamp, events.c.id)
        )
        latest: dict[str, object] = {}
        for sender, data in rows:
            try:
                latest[sender] = json.loads(data).get("value")
            except (TypeError, ValueError, AttributeError):
                continue
        kept.update(s for s, value in latest.items() if value == CONSENT_YES)
    return kept


def purge_conversations(engine: Engine, older_than: timedelta, now: datetime | None = None) -> int:
    """Conversations with no event for longer than ``older_than``, whatever their consent."""
    cutoff = as_utc(now or utcnow()) - older_than
    with engine.begin() as connection:
        events = _events(connection)
        if events is None:
            return 0
        gone = _delete_senders(connection, events, _idle_senders(connection, events, cutoff))
    if gone:
        forget_on_disk(engine)
    return gone


def purge_unconsented(engine: Engine, idle_for: timedelta, now: datetime | None = None) -> int:
    """Conversations idle for ``idle_for`` whose person did not say yes to keeping them.

    Without consent nothing outlives the live conversation; a conversation is no
    longer live once Rasa would start a new session (the domain's
    ``session_expiration_time``).
    """
    cutoff = as_utc(now or utcnow()) - idle_for
    with engine.begin() as connection:
        events = _events(connection)
        if events is None:
            return 0
        idle = _idle_senders(connection, events, cutoff)
        keep = consented_senders(connection, events, idle)
        gone = _delete_senders(connection, events, [s for s in idle if s not in keep])
    if gone:
        forget_on_disk(engine)
    return gone


def count_purgeable(
    engine: Engine, older_than: timedelta, unconsented_after: timedelta, now: datetime | None = None
) -> int:
    """How many conversations a purge with these ages would delete (for ``--dry-run``)."""
    now = as_utc(now or utcnow())
    with engine.connect() as connection:
        events = _events(connection)
        if events is None:
            return 0
        old = set(_idle_senders(connection, events, now - older_than))
        idle = _idle_senders(connection, events, now - unconsented_after)
        idle = [s for s in idle if s not in old]
        keep = consented_senders(connection, events, idle)
        return len(old) + len([s for s in idle if s not in keep])
