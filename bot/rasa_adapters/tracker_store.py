"""Rasa's SQL tracker store, configured from the environment, failing fast, able to forget.

Loaded by the Rasa server from ``endpoints.yml``::

    tracker_store:
      type: bot.rasa_adapters.tracker_store.B12TrackerStore

What it adds to Rasa's ``SQLTrackerStore`` (whose tables and queries it keeps):

* the database comes from ``B12_DATABASE_URL`` (default: the SQLite file
  ``var/b12.db``), so no password is ever written in a file;
* an unreachable database stops the start-up within seconds with a clear
  message, where Rasa 3.6 retries forever in silence;
* a failing query fails that turn only: Rasa's ``session_scope`` takes any
  ``ValueError`` (a conversation id that cannot be encoded, for one) for a
  missing PostgreSQL schema and ends the whole server process;
* a database that is down or stalled fails the turn closed and says so: reads
  and writes raise :class:`~bot.storage.config.StorageOutage`, which Rasa's
  fail-safe wrapper cannot turn into a silently restarted conversation; they
  run in a worker thread with bounded waits (statement and lock timeouts,
  connections checked before use), so a slow database holds up only the turns
  that need it, never the server's event loop or its health check;
* a turn in which ``action_delete_my_data`` ran is not saved, and every
  event the conversation had is deleted;
* a turn whose custom action cannot reach the action server ends with a
  clear "temporarily unavailable" message (:mod:`bot.rasa_adapters.patches.outage`);
* reading a conversation fetches only the stored events' JSON, and saving
  counts the stored events without fetching them and writes the new ones in
  one statement (Rasa's queries build an object for every row on every
  message);
* conversations whose person did not agree to keeping their answers are
  deleted once they are no longer live (idle longer than the domain's
  session expiration), checked at most every ``purge_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.storage.config import (
    StorageConfigError,
    StorageOutage,
    StorageUnavailable,
    check_database,
    connect_timeout,
    database_url,
    describe,
)
from bot.storage.conversations import erase_conversation, purge_unconsented

logger = logging.getLogger(__name__)

ERASE_ACTION = "action_delete_my_data"
DEFAULT_PURGE_INTERVAL = 600.0
DEFAULT_SESSION_MINUTES = 60.0
T = TypeVar("T")


def event_row(sender_id: str, event: Event) -> dict[str, Any]:
    """The columns Rasa's ``SQLTrackerStore.save`` stores for one event."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


class StorageStartupError(RasaException):
    """Raised at start-up; Rasa prints it and the server does not start."""


class B12TrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        erase_action: str = ERASE_ACTION,
        purge_interval: float = DEFAULT_PURGE_INTERVAL,
        **kwargs: Any,
    ) -> None:
        for ignored in ("host", "url", "dialect", "db", "username", "password", "port"):
            if kwargs.pop(ignored, None) is not None:
                logger.warning(
                    "tracker_store.%s in endpoints.yml is ignored: set B12_DATABASE_URL", ignored
                )
        try:
            url = database_url()
            check_database(url, connect_timeout())
        except (StorageConfigError, StorageUnavailable) as error:
            logger.error("%s", error)
            raise StorageStartupError(str(error)) from None
        from bot.rasa_adapters import patches

        if not patches.installed():
            logger.warning(
                "Started without python -m bot.rasa_adapters.server: the fixes in "
                "bot.rasa_adapters.patches are not installed (a failed action-server call "
                "then ends in silence)"
            )
        self.erase_action = erase_action
        self.purge_interval = float(purge_interval)
        self._next_purge = 0.0
        logger.info("Conversations are stored in the %s", describe(url))
        super().__init__(
            domain=domain,
            event_broker=event_broker,
            host=url.render_as_string(hide_password=False),
            **kwargs,
        )
        self._reopen()

    def _reopen(self) -> None:
        """The engine the rest of the project uses, in place of Rasa's.

        The same pragmas and a kept pool for SQLite (Rasa's engine opens and closes
        the file twice per message); statement and lock timeouts and connections
        checked before use for PostgreSQL (see bot.storage.database).
        """
        from bot.storage.database import make_engine

        url = self.engine.url
        self.engine.dispose()
        self.engine = make_engine(url, future=False)
        self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """``work`` in a worker thread; any failure of it fails the turn as an outage."""
        try:
            return await asyncio.to_thread(work, *args)
        except Exception as error:
            logger.error("The database failed during a turn (%s)", type(error).__name__)
            raise StorageOutage(type(error).__name__) from error

    @contextlib.contextmanager
    def session_scope(self) -> Iterator[Any]:
        """Rasa's transactional scope, minus its exit of the process on any ``ValueError``.

        A missing PostgreSQL schema is still reported (as the error it is); the
        start-up check has already proved the database usable.
        """
        session = self.sessionmaker()
        try:
            ensure_schema_exists(session)
            yield session
        finally:
            session.close()

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's retrieval (same events, same order), reading only the JSON column."""
        rows = await self._in_thread(self._event_rows, sender_id, fetch_events_from_all_sessions)
        if not rows or not self.domain:
            return None
        events = [json.loads(data) for (data,) in rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    def _event_rows(self, sender_id: str, fetch_events_from_all_sessions: bool) -> list:
        with self.session_scope() as session:
            return (
                self._event_query(session, sender_id, fetch_events_from_all_sessions)
                .with_entities(self.SQLEvent.data)
                .all()
            )

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The tracker's events not stored yet, found with a count instead of a row fetch."""
        stored = (
            self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False)
            .with_entities(sa.func.count(self.SQLEvent.id))
            .order_by(None)
            .scalar()
        )
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self._erases(tracker):
            gone = await self._in_thread(erase_conversation, self.engine, tracker.sender_id)
            logger.info("Erased a conversation on request (%d events)", gone)
        else:
            await self.stream_events(tracker)
            await self._in_thread(self._insert_new_events, tracker)
        if time.monotonic() >= self._next_purge:
            await asyncio.to_thread(self._purge_expired)

    def _insert_new_events(self, tracker: DialogueStateTracker) -> None:
        """Rasa's rows for the events not stored yet, written in one statement.

        Rasa adds one ORM object per event; a plain multi-row insert of the same
        columns skips the unit-of-work bookkeeping on every message.
        """
        with self.session_scope() as session:
            rows = [
                event_row(tracker.sender_id, event)
                for event in self._additional_events(session, tracker)
            ]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()

    def _erases(self, tracker: DialogueStateTracker) -> bool:
        """Whether the erase action ran in this turn (after the latest user message).

        Rasa saves once per message, so the turn is what follows that message;
        reading the tail of the tracker costs no query on every save.
        """
        for event in reversed(tracker.events):
            if isinstance(event, UserUttered):
                return False
            if isinstance(event, ActionExecuted) and event.action_name == self.erase_action:
                return True
        return False

    def _session_length(self) -> timedelta:
        minutes = DEFAULT_SESSION_MINUTES
        config = getattr(self.domain, "session_config", None)
        if config is not None and config.session_expiration_time:
            minutes = float(config.session_expiration_time)
        return timedelta(minutes=minutes)

    def _purge_expired(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + self.purge_interval
        try:
            gone = purge_unconsented(self.engine, self._session_length())
        except Exception:  # housekeeping must never break a conversation
            logger.exception("Could not remove expired conversations")
            return
        if gone:
            logger.info("Removed %d events of expired conversations kept without consent", gone)
