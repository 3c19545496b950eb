"""Operator commands for the stored data.

    python -m bot purge --older-than 30d [--dry-run]
    python -m bot db check      # can the assistant reach its database (and Redis)?
    python -m bot db upgrade    # apply the project's migrations (Alembic)

``purge`` deletes conversations (Rasa's events) and kept assessments with no
activity for longer than the given age, and every conversation kept without
consent that is no longer live. Run it from cron; it prints what it removed.
"""

from __future__ import annotations

import argparse
import re
from datetime import timedelta
from typing import TextIO

from bot.storage.config import (
    StorageConfigError,
    StorageUnavailable,
    check_database,
    check_redis,
    connect_timeout,
    database_url,
    describe,
    redis_url,
)

EXIT_FAILED = 1
_AGE = re.compile(r"^\s*(\d+)\s*([dhm])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def parse_age(text: str) -> timedelta:
    """``30d``, ``12h`` or ``90m``; at least one minute."""
    match = _AGE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age like 30d, 12h or 90m")
    age = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if age < timedelta(minutes=1):
        raise argparse.ArgumentTypeError("the age must be at least one minute")
    return age


def add_commands(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001 - argparse's type
    p_purge = sub.add_parser("purge", help="delete stored data older than an age, e.g. 30d")
    p_purge.add_argument("--older-than", type=parse_age, required=True, metavar="AGE",
                         help="30d, 12h or 90m: no activity for longer than this")
    p_purge.add_argument("--unconsented-after", type=parse_age, default=timedelta(minutes=60),
                         metavar="AGE", help="conversations kept without consent (default 60m, "
                         "the session length)")
    p_purge.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    p_purge.set_defaults(func=cmd_purge)
    p_db = sub.add_parser("db", help="check or migrate the database")
    p_db.add_argument("action", choices=["check", "upgrade"])
    p_db.set_defaults(func=cmd_db)


def _fail(message: str) -> int:
    import sys

    sys.stderr.write(f"error: {message}\n")
    return EXIT_FAILED


def cmd_db(args: argparse.Namespace, out: TextIO, _stdin: TextIO) -> int:
    try:
        url = database_url()
        check_database(url, connect_timeout())
        redis = redis_url()
        if redis is not None:
            check_redis(redis, connect_timeout())
    except (StorageConfigError, StorageUnavailable) as error:
        return _fail(str(error))
    if args.action == "upgrade":
        from bot.storage.database import make_engine, upgrade

        engine = make_engine(url)
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        out.write(f"The {describe(url)} is at the newest schema.\n")
        return 0
    out.write(f"The {describe(url)} is reachable")
    out.write(" and so is Redis.\n" if redis_url() else ".\n")
    return 0


def cmd_purge(args: argparse.Namespace, out: TextIO, _stdin: TextIO) -> int:
    from bot.storage.assessments import AssessmentStore
    from bot.storage.conversations import count_purgeable, purge_conversations, purge_unconsented

    try:
        url = database_url()
        check_database(url, connect_timeout())
    except (StorageConfigError, StorageUnavailable) as error:
        return _fail(str(error))
    store = AssessmentStore.open(url)
    try:
        if args.dry_run:
            conversations = count_purgeable(store.engine, args.older_than, args.unconsented_after)
            out.write(
                f"Would delete {conversations} conversations and "
                f"{store.count_older(args.older_than)} kept records from the {describe(url)}.\n"
            )
            return 0
        events = purge_conversations(store.engine, args.older_than)
        events += purge_unconsented(store.engine, args.unconsented_after)
        rows = store.purge(args.older_than)
    finally:
        store.engine.dispose()
    out.write(
        f"Deleted {events} conversation events and {rows} record rows from the {describe(url)}.\n"
    )
    return 0
