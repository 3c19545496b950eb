"""Conversation locks: in memory for one Rasa server, in Redis for several.

Two Rasa replicas behind a load balancer must never handle two messages of one
conversation at once; with ``B12_REDIS_URL`` set they share their locks.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from storage_helpers import free_port

from bot.rasa_adapters.lock_store import B12LockStore
from bot.rasa_adapters.tracker_store import StorageStartupError

SECRET = "s3cretPw"


def test_without_redis_locks_are_kept_in_memory() -> None:
    store = B12LockStore()
    assert isinstance(store.inner, InMemoryLockStore)
    ticket = store.issue_ticket("alice")
    assert store.get_lock("alice") is not None
    store.cleanup("alice", ticket)
    assert store.get_lock("alice") is None


@pytest.mark.asyncio
async def test_replicas_see_each_others_tickets_and_locks(redis_url: str, test_token: str) -> None:
    one, two = B12LockStore(), B12LockStore()
    assert isinstance(one.inner, RedisLockStore)
    conversation = f"conv-{test_token}"

    first = one.issue_ticket(conversation)
    assert two.get_lock(conversation) is not None
    second = two.issue_ticket(conversation)
    assert second == first + 1  # the second replica queues behind the first
    assert one.is_someone_waiting(conversation)
    assert two.get_lock(conversation).is_locked(second)

    one.cleanup(conversation, first)
    assert not two.get_lock(conversation).is_locked(second)
    two.cleanup(conversation, second)
    assert one.get_lock(conversation) is None and two.get_lock(conversation) is None
    assert not one.is_someone_waiting(conversation)


def _tickets_issued_at_once(stores: list, conversation: str, rounds: int) -> list[int]:
    import threading

    tickets: list[int] = []
    for _ in range(rounds):
        start = threading.Barrier(len(stores))
        got: list[int] = []

        def issue(store, start=start, got=got) -> None:  # noqa: ANN001
            start.wait()
            got.append(store.issue_ticket(conversation))

        threads = [threading.Thread(target=issue, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        tickets += got
        for ticket in got:
            stores[0].cleanup(conversation, ticket)
    return tickets


def test_replicas_issuing_tickets_at_the_same_instant_never_share_one(
    redis_url: str, test_token: str
) -> None:
    """Two servers receiving one conversation's messages at once must queue them.

    Rasa's own Redis store issues tickets by read-modify-write, so replicas racing
    here can both get ticket 1 and both run (one turn is then lost); this store
    serialises the change.
    """
    stores = [B12LockStore() for _ in range(4)]
    conversation = f"conv-{test_token}"
    for rounds_done in range(25):
        tickets = _tickets_issued_at_once(stores, conversation, 1)
        assert len(tickets) == len(set(tickets)) == 4, (rounds_done, tickets)
    assert stores[0].get_lock(conversation) is None


@pytest.mark.asyncio
async def test_a_second_replica_waits_until_the_first_has_finished_the_turn(
    redis_url: str, test_token: str
) -> None:
    one, two = B12LockStore(), B12LockStore()
    conversation = f"conv-{test_token}"
    order: list[str] = []

    async def turn(store: B12LockStore, name: str, hold: float) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.02):
            order.append(f"{name} starts")
            await asyncio.sleep(hold)
            order.append(f"{name} ends")

    first = asyncio.create_task(turn(one, "one", 0.3))
    await asyncio.sleep(0.05)  # replica one holds the lock
    await asyncio.gather(first, turn(two, "two", 0))
    assert order == ["one starts", "one ends", "two starts", "two ends"]
    assert one.get_lock(conversation) is None


@pytest.mark.asyncio
async def test_other_conversations_are_not_held_up(redis_url: str, test_token: str) -> None:
    one, two = B12LockStore(), B12LockStore()
    async with one.lock(f"alice-{test_token}"):
        started = time.monotonic()
        async with two.lock(f"bob-{test_token}", wait_time_in_seconds=0.02):
            pass
        assert time.monotonic() - started < 0.5


def test_unreachable_redis_stops_the_start_within_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("B12_REDIS_URL", f"redis://:{SECRET}@127.0.0.1:{port}/0")
    started = time.monotonic()
    with pytest.raises(StorageStartupError) as caught:
        B12LockStore()
    assert time.monotonic() - started < 3
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "B12_REDIS_URL" in message
    assert SECRET not in message


@pytest.mark.parametrize("raw", ["redis://cache:port/0", "redis://cache:6379/locks", "cache:6379"])
def test_malformed_redis_url_stops_the_start_naming_the_variable(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("B12_REDIS_URL", raw)
    with pytest.raises(StorageStartupError, match="B12_REDIS_URL"):
        B12LockStore()


def test_rasa_loads_the_lock_store_by_its_module_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    port = free_port()
    config = EndpointConfig(type="bot.rasa_adapters.lock_store.B12LockStore")
    assert isinstance(LockStore.create(config), B12LockStore)
    monkeypatch.setenv("B12_REDIS_URL", f"redis://127.0.0.1:{port}/0")
    with pytest.raises(StorageStartupError):
        LockStore.create(config)
