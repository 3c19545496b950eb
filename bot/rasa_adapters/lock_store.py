"""Rasa's lock store chosen from the environment.

``B12_REDIS_URL`` set: Rasa's ``RedisLockStore``, which several Rasa servers
sharing one database need so that one conversation's turns never interleave.
Unset: Rasa's in-memory lock store (one server). Loaded from ``endpoints.yml``::

    lock_store:
      type: bot.rasa_adapters.lock_store.B12LockStore
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from contextlib import asynccontextmanager, contextmanager
from typing import Any, AsyncIterator, Iterator

from rasa.core.lock import TicketLock
from rasa.core.lock_store import (
    LOCK_LIFETIME,
    InMemoryLockStore,
    LockError,
    LockStore,
    RedisLockStore,
)

from bot.rasa_adapters.tracker_store import StorageStartupError
from bot.storage.config import (
    StorageConfigError,
    StorageUnavailable,
    check_redis,
    connect_timeout,
    redis_settings,
    redis_url,
)

logger = logging.getLogger(__name__)


# Deletes the mutex only if it is still ours (it may have expired and been taken).
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
MUTEX_TTL_MS = 2000
MUTEX_WAIT_S = 10.0
# A turn's ticket lives this long unless renewed; it is renewed every third of
# that while the turn runs or waits. Rasa's default is 60 s without renewal, so a
# server killed mid-turn left that person waiting a minute for their next reply.
TICKET_SECONDS = 3.0
RENEW_EVERY_S = TICKET_SECONDS / 3
WAIT_POLL_S = 0.2
# A Redis that stops answering fails the turn in seconds (Rasa's default is 10 s).
REDIS_SOCKET_TIMEOUT_S = 2.0


class B12LockStore(LockStore):
    """Rasa's lock stores, with ticket changes made atomic across servers.

    Rasa's ticket lock is a read-modify-write of one Redis value (read the lock,
    add a ticket, write it back). Two servers receiving messages of the same
    conversation at the same instant both read "no lock", both take ticket 1
    and both run, and the tracker store then keeps only one of the two turns.
    Every change of a conversation's lock here runs under a short Redis mutex
    (SET NX with an expiry), so tickets are issued one at a time.
    """

    def __init__(self, endpoint_config: Any = None) -> None:
        try:
            url = redis_url()
            if url is not None:
                check_redis(url, connect_timeout())
        except (StorageConfigError, StorageUnavailable) as error:
            logger.error("%s", error)
            raise StorageStartupError(str(error)) from None
        if url is None:
            self.inner: LockStore = InMemoryLockStore()
            logger.info("Conversation locks are kept in memory (one Rasa server)")
        else:
            s = redis_settings(url)
            self.inner = RedisLockStore(
                host=s.host,
                port=s.port,
                db=s.db,
                username=s.username,
                password=s.password,
                use_ssl=s.use_ssl,
                socket_timeout=REDIS_SOCKET_TIMEOUT_S,
            )
            logger.info("Conversation locks are kept in Redis on %s:%d", s.host, s.port)
        super().__init__()

    @contextmanager
    def _mutex(self, conversation_id: str) -> Iterator[None]:
        red = getattr(self.inner, "red", None)
        if red is None:  # one process: Rasa's in-memory store needs no mutex
            yield
            return
        key = f"{getattr(self.inner, 'key_prefix', 'lock:')}mutex:{conversation_id}"
        token = secrets.token_hex(8)
        deadline = time.monotonic() + MUTEX_WAIT_S
        while not red.set(key, token, nx=True, px=MUTEX_TTL_MS):
            if time.monotonic() > deadline:
                raise LockError(f"Could not change the lock of conversation {conversation_id}")
            time.sleep(0.005)
        try:
            yield
        finally:
            red.eval(_RELEASE, 1, key, token)

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = TICKET_SECONDS,
        wait_time_in_seconds: float = WAIT_POLL_S,
    ) -> AsyncIterator[TicketLock]:
        """Rasa's ticket lock with a short ticket life, renewed while the turn runs.

        A server that dies mid-turn stops renewing, so the next server serves that
        conversation within seconds instead of after Rasa's fixed minute.
        """
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.create_task(self._keep_alive(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _keep_alive(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        while True:
            await asyncio.sleep(lifetime / 3)
            try:
                self.renew_ticket(conversation_id, ticket, lifetime)
            except Exception as error:  # noqa: BLE001 - the turn itself reports a lost store
                logger.warning("Could not renew a conversation lock (%s)", type(error).__name__)

    def renew_ticket(self, conversation_id: str, ticket: int, lifetime: float) -> None:
        with self._mutex(conversation_id):
            lock = self.get_lock(conversation_id)
            if lock is None:
                return
            for held in lock.tickets:
                if held.number == ticket:
                    held.expires = time.time() + lifetime
            self.save_lock(lock)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._mutex(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        with self._mutex(conversation_id):
            super().update_lock(conversation_id)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            super().finish_serving(conversation_id, ticket_number)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        with self._mutex(conversation_id):
            # The base class's steps, unguarded: the mutex is not re-entrant.
            LockStore.finish_serving(self, conversation_id, ticket_number)
            if not self.is_someone_waiting(conversation_id):
                self.delete_lock(conversation_id)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.inner.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.inner.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.inner.save_lock(lock)
