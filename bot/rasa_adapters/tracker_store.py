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
  session expiration), checked at most every ``purge_interval`` seconds;
* a conversation's tracker, once saved, is kept in memory for its next
  message (:class:`KeptTrackers`): reading it back decoded and replayed every
  stored event of the session on every message, the cost that grew most with
  a conversation's length. A kept tracker is handed out only when the
  database still holds exactly what this store wrote (the count and the
  highest id of the conversation's rows, one indexed query), so a turn handled
  by another server, a purge or an erasure is read from the database as
  before; it is handed to one turn at a time (taken out, put back when that
  turn is saved: a turn that fails is read from the database next time); it is
  never kept across a new session, after an erasure, or longer than the
  session length; and ``kept_events`` (endpoints.yml, or ``B12_KEPT_EVENTS``;
  default 20,000 events per server, 0 turns it off) bounds the memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, TypeVar

import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.rasa_adapters.patches.outage import start_turn
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
DEFAULT_KEPT_EVENTS = 20_000
# Set on a tracker this store read (one session) or saved: how many of its events are
# stored, so that saving it writes the rest without counting the stored rows first.
STORED_EVENTS = "_b12_stored_events"
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


@dataclass
class _Kept:
    tracker: DialogueStateTracker
    stored: tuple[int, int | None]  # (rows, highest id) of the conversation after the save
    kept_at: float


class KeptTrackers:
    """Saved trackers waiting for their conversation's next message, oldest first.

    Used from the server's event loop only. ``take`` removes what it returns, so a
    tracker is never in two turns' hands; entries older than ``max_age`` seconds are
    dropped whenever the cache is used, and the oldest go first when more than
    ``max_events`` events are kept.
    """

    def __init__(self, max_events: int, max_age: Callable[[], float]) -> None:
        self.max_events = max(0, int(max_events))
        self._max_age = max_age
        self._entries: OrderedDict[str, _Kept] = OrderedDict()
        self._events = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def events(self) -> int:
        return self._events

    def take(self, sender_id: str) -> _Kept | None:
        self._expire()
        kept = self._entries.pop(sender_id, None)
        if kept is not None:
            self._events -= len(kept.tracker.events)
            if kept.tracker.sender_id != sender_id:  # never another conversation's
                return None
        return kept

    def put(self, tracker: DialogueStateTracker, stored: tuple[int, int | None]) -> None:
        self.drop(tracker.sender_id)
        size = len(tracker.events)
        if not self.max_events or size > self.max_events:
            return
        self._entries[tracker.sender_id] = _Kept(tracker, stored, time.monotonic())
        self._events += size
        self._expire()
        while self._events > self.max_events and self._entries:
            _sender, oldest = self._entries.popitem(last=False)
            self._events -= len(oldest.tracker.events)

    def drop(self, sender_id: str) -> None:
        kept = self._entries.pop(sender_id, None)
        if kept is not None:
            self._events -= len(kept.tracker.events)

    def clear(self) -> None:
        self._entries.clear()
        self._events = 0

    def _expire(self) -> None:
        limit = time.monotonic() - self._max_age()
        while self._entries:
            sender, oldest = next(iter(self._entries.items()))
            if oldest.kept_at >= limit:
                break
            self.drop(sender)


def _kept_events(configured: int | None) -> int:
    """``kept_events`` from endpoints.yml, else ``B12_KEPT_EVENTS``, else the default."""
    value: Any = configured
    if value is None:
        value = os.environ.get("B12_KEPT_EVENTS") or DEFAULT_KEPT_EVENTS
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        raise StorageStartupError("B12_KEPT_EVENTS must be a whole number") from None


def _same_session_when_read(tracker: DialogueStateTracker, stored_before: int) -> bool:
    """Whether reading the conversation back (Rasa's query: the events from the latest
    ``session_started`` on, by timestamp) gives exactly ``tracker``'s events: no new
    session began in the events not stored before this save, and no event has a
    timestamp before the session's start."""
    events = list(tracker.events)
    if any(isinstance(event, SessionStarted) for event in events[stored_before:]):
        return False
    starts = [e.timestamp for e in events if isinstance(e, SessionStarted)]
    if not starts:
        return True
    start = max(starts)
    return all(event.timestamp >= start for event in events)


class B12TrackerStore(SQLTrackerStore):
    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        erase_action: str = ERASE_ACTION,
        purge_interval: float = DEFAULT_PURGE_INTERVAL,
        kept_events: int | None = None,
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
        self.kept = KeptTrackers(
            _kept_events(kept_events), lambda: self._session_length().total_seconds()
        )
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
        """Rasa's retrieval (same events, same order), reading only the JSON column; the
        session's tracker kept from its last save when the database still holds exactly
        what that save left."""
        if not fetch_events_from_all_sessions:
            kept = self.kept.take(sender_id)
            if kept is not None and (
                await self._in_thread(self._stored_state, sender_id) == kept.stored
            ):
                start_turn(kept.tracker)
                return kept.tracker
        rows = await self._in_thread(self._event_rows, sender_id, fetch_events_from_all_sessions)
        if not rows or not self.domain:
            return None
        events = [json.loads(data) for (data,) in rows]
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            setattr(tracker, STORED_EVENTS, len(rows))
        start_turn(tracker)
        return tracker

    def _stored_state(self, sender_id: str) -> tuple[int, int | None]:
        """How many rows the conversation has (all sessions) and the highest row id:
        any write or deletion by anyone since changes one of them."""
        table = self.SQLEvent.__table__
        query = sa.select(sa.func.count(table.c.id), sa.func.max(table.c.id)).where(
            table.c.sender_id == sender_id
        )
        with self.session_scope() as session:
            count, highest = session.execute(query).one()
        return int(count), (None if highest is None else int(highest))

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
            self.kept.drop(tracker.sender_id)
            gone = await self._in_thread(erase_conversation, self.engine, tracker.sender_id)
            logger.info("Erased a conversation on request (%d events)", gone)
        else:
            self.kept.drop(tracker.sender_id)
            await self.stream_events(tracker)
            stored_before = getattr(tracker, STORED_EVENTS, None)
            stored = await self._in_thread(self._insert_new_events, tracker)
            if stored_before is not None and _same_session_when_read(tracker, stored_before):
                self.kept.put(tracker, stored)
        if time.monotonic() >= self._next_purge:
            await asyncio.to_thread(self._purge_expired)

    def _insert_new_events(self, tracker: DialogueStateTracker) -> tuple[int, int | None]:
        """Rasa's rows for the events not stored yet, written in one statement; returns
        the conversation's stored state afterwards (``_stored_state``).

        Rasa adds one ORM object per event; a plain multi-row insert of the same
        columns skips the unit-of-work bookkeeping on every message. A tracker this
        store read or saved knows how many of its events are stored; any other is
        compared with a count of the stored rows.
        """
        stored = getattr(tracker, STORED_EVENTS, None)
        with self.session_scope() as session:
            if stored is None or stored > len(tracker.events):
                new = self._additional_events(session, tracker)
            else:
                new = itertools.islice(tracker.events, stored, len(tracker.events))
            rows = [event_row(tracker.sender_id, event) for event in new]
            if rows:
                session.execute(self.SQLEvent.__table__.insert(), rows)
            session.commit()
        setattr(tracker, STORED_EVENTS, len(tracker.events))
        return self._stored_state(tracker.sender_id)

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
