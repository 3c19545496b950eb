"""Storage settings from the environment, and failing fast when a service is missing.

An operator sees these messages when the assistant refuses to start: they must
say which variable or address is wrong and what to do, and never print the
database password (logs are often shared).
"""

from __future__ import annotations

import socket
import threading
import time
import traceback
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import make_url
from storage_helpers import free_port

from bot.storage.config import (
    StorageConfigError,
    StorageUnavailable,
    check_database,
    check_redis,
    connect_timeout,
    database_url,
    describe,
    redis_settings,
    redis_url,
)

SECRET = "s3cretPw"
NON_ROUTABLE = "10.255.255.1"


def printed(error: BaseException) -> str:
    """Everything a log line or an uncaught traceback would show, causes included."""
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and then never answers (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


# -- B12_DATABASE_URL ---------------------------------------------------------------------


def test_unset_database_url_means_the_embedded_sqlite_file() -> None:
    url = database_url({})
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == Path("var") / "b12.db"
    assert describe(url) == f"SQLite file {Path('var') / 'b12.db'}"
    assert database_url({"B12_DATABASE_URL": "   "}) == url


def test_var_dir_moves_the_embedded_sqlite_file(tmp_path) -> None:
    url = database_url({"B12_VAR_DIR": str(tmp_path)})
    assert Path(url.database) == tmp_path / "b12.db"


def test_postgresql_url_is_parsed_and_described_without_its_password() -> None:
    raw = f"postgresql://b12:{SECRET}@db.internal:6543/b12prod"
    url = database_url({"B12_DATABASE_URL": raw})
    assert (url.get_backend_name(), url.host, url.port, url.database, url.username) == (
        "postgresql",
        "db.internal",
        6543,
        "b12prod",
        "b12",
    )
    assert url.password == SECRET
    text = describe(url)
    assert "db.internal:6543" in text and "b12prod" in text
    assert SECRET not in text and "b12:" not in text


def test_description_of_a_postgresql_url_without_port_shows_the_default_port() -> None:
    assert describe(make_url("postgresql://u@db/b12")).endswith("on db:5432")


@pytest.mark.parametrize(
    "raw",
    [
        f"mysql://u:{SECRET}@db/b12",
        f"postgres://u:{SECRET}@db/b12",  # the alias SQLAlchemy 1.4 no longer knows
        f"postgresql+asyncpg://u:{SECRET}@db/b12",  # a driver that is not installed
        f"postgresql://u:{SECRET}@db:port/b12",
        f"postgresql//u:{SECRET}@db/b12",
        "not a url",
    ],
)
def test_bad_database_url_names_the_variable_and_hides_the_password(raw: str) -> None:
    with pytest.raises(StorageConfigError) as caught:
        database_url({"B12_DATABASE_URL": raw})
    assert "B12_DATABASE_URL" in str(caught.value)
    assert SECRET not in printed(caught.value)


# -- B12_REDIS_URL ---------------------------------------------------------------------------


def test_unset_redis_url_means_no_redis() -> None:
    assert redis_url({}) is None
    assert redis_url({"B12_REDIS_URL": " "}) is None


def test_redis_url_gives_the_lock_store_settings() -> None:
    url = redis_url({"B12_REDIS_URL": f"redis://locks:{SECRET}@cache.internal:6380/3"})
    s = redis_settings(url)
    assert (s.host, s.port, s.db, s.username, s.password, s.use_ssl) == (
        "cache.internal",
        6380,
        3,
        "locks",
        SECRET,
        False,
    )
    plain = redis_settings(redis_url({"B12_REDIS_URL": "rediss://cache"}))
    assert (plain.port, plain.db, plain.username, plain.password, plain.use_ssl) == (
        6379,
        0,
        None,
        None,
        True,
    )


@pytest.mark.parametrize(
    "raw",
    [
        "http://cache:6379/0",
        "redis://",
        f"redis://:{SECRET}@cache:port/0",
        f"redis://:{SECRET}@cache:99999/0",
        f"redis://:{SECRET}@cache:6379/first",
    ],
)
def test_bad_redis_url_names_the_variable_and_hides_the_password(raw: str) -> None:
    with pytest.raises(StorageConfigError) as caught:
        redis_url({"B12_REDIS_URL": raw})
    assert "B12_REDIS_URL" in str(caught.value)
    assert SECRET not in printed(caught.value)


# -- B12_DB_CONNECT_TIMEOUT -----------------------------------------------------------------


def test_connect_timeout_defaults_to_five_seconds_and_accepts_fractions() -> None:
    assert connect_timeout({}) == 5.0
    assert connect_timeout({"B12_DB_CONNECT_TIMEOUT": "2.5"}) == 2.5


@pytest.mark.parametrize("raw", ["soon", "", "0", "-1", "301", "nan", "inf"])
def test_unusable_connect_timeout_names_the_variable(raw: str) -> None:
    with pytest.raises(StorageConfigError, match="B12_DB_CONNECT_TIMEOUT"):
        connect_timeout({"B12_DB_CONNECT_TIMEOUT": raw})


# -- failing fast: the database ----------------------------------------------------------------


def test_reachable_database_passes_the_check(database_url: str) -> None:
    check_database(make_url(database_url), timeout=5)


def _assert_clear(message: str, address: str, variable: str) -> None:
    assert address in message, message
    assert variable in message and "start the assistant again" in message, message
    assert SECRET not in message


def test_closed_database_port_fails_within_three_seconds() -> None:
    port = free_port()
    url = make_url(f"postgresql://postgres:{SECRET}@127.0.0.1:{port}/b12")
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        check_database(url, timeout=5)
    assert time.monotonic() - started < 3
    _assert_clear(str(caught.value), f"127.0.0.1:{port}", "B12_DATABASE_URL")
    assert SECRET not in printed(caught.value)


def test_non_routable_database_address_fails_within_a_few_seconds() -> None:
    url = make_url(f"postgresql://postgres:{SECRET}@{NON_ROUTABLE}:5432/b12")
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        check_database(url, timeout=1)
    assert time.monotonic() - started < 5
    _assert_clear(str(caught.value), f"{NON_ROUTABLE}:5432", "B12_DATABASE_URL")


def test_database_that_never_answers_fails_after_the_timeout(silent_port: int) -> None:
    url = make_url(f"postgresql://postgres:{SECRET}@127.0.0.1:{silent_port}/b12")
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        check_database(url, timeout=1)
    elapsed = time.monotonic() - started
    assert 0.5 < elapsed < 4, elapsed
    _assert_clear(str(caught.value), f"127.0.0.1:{silent_port}", "B12_DATABASE_URL")
    assert "timeout" in str(caught.value)


def test_sqlite_file_that_cannot_be_created_is_reported_not_raised(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be")
    url = make_url(f"sqlite:///{blocker / 'b12.db'}")
    with pytest.raises(StorageUnavailable) as caught:
        check_database(url, timeout=1)
    assert "not-a-folder" in str(caught.value) and "B12_DATABASE_URL" in str(caught.value)


# -- failing fast: Redis -----------------------------------------------------------------------


def test_reachable_redis_passes_the_check(redis_url: str) -> None:
    check_redis(redis_url, timeout=3)


def test_closed_redis_port_fails_within_three_seconds() -> None:
    port = free_port()
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        check_redis(f"redis://:{SECRET}@127.0.0.1:{port}/0", timeout=5)
    assert time.monotonic() - started < 3
    _assert_clear(str(caught.value), f"127.0.0.1:{port}", "B12_REDIS_URL")


def test_non_routable_redis_address_fails_within_a_few_seconds() -> None:
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        check_redis(f"redis://:{SECRET}@{NON_ROUTABLE}:6379/0", timeout=1)
    assert time.monotonic() - started < 5
    _assert_clear(str(caught.value), f"{NON_ROUTABLE}:6379", "B12_REDIS_URL")


def test_redis_that_never_answers_fails_after_the_timeout(silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        check_redis(f"redis://127.0.0.1:{silent_port}/0", timeout=1)
    assert 0.5 < time.monotonic() - started < 4
    _assert_clear(str(caught.value), f"127.0.0.1:{silent_port}", "B12_REDIS_URL")


def test_something_else_on_the_redis_port_is_reported_clearly() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def answer_like_a_web_server() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(64)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        thread = threading.Thread(target=answer_like_a_web_server, daemon=True)
        thread.start()
        with pytest.raises(StorageUnavailable) as caught:
            check_redis(f"redis://127.0.0.1:{port}/0", timeout=2)
        thread.join(timeout=2)
    _assert_clear(str(caught.value), f"127.0.0.1:{port}", "B12_REDIS_URL")


def test_rediss_url_needs_redis_to_speak_tls() -> None:
    """``rediss://`` makes the lock store use TLS, so the start-up check must use it too."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def answer_like_a_plain_redis() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(512)
                connection.sendall(b"+PONG\r\n")

        thread = threading.Thread(target=answer_like_a_plain_redis, daemon=True)
        thread.start()
        with pytest.raises(StorageUnavailable) as caught:
            check_redis(f"rediss://127.0.0.1:{port}/0", timeout=2)
        thread.join(timeout=2)
    _assert_clear(str(caught.value), f"127.0.0.1:{port}", "B12_REDIS_URL")
