"""Rasa's lock store chosen from the environment.

``B12_REDIS_URL`` set: Rasa's ``RedisLockStore``, which several Rasa servers
sharing one database need so that one conversation's turns never interleave.
Unset: Rasa's in-memory lock store (one server). Loaded from ``endpoints.yml``::

    lock_store:
      type: bot.storage.lock_store.B12LockStore
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore

from bot.storage.config import (
    StorageConfigError,
    StorageUnavailable,
    check_redis,
    connect_timeout,
    redis_settings,
    redis_url,
)
from bot.storage.tracker_store import StorageStartupError

logger = logging.getLogger(__name__)


class B12LockStore(LockStore):
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
            )
            logger.info("Conversation locks are kept in Redis on %s:%d", s.host, s.port)
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        return self.inner.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        self.inner.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        self.inner.save_lock(lock)
