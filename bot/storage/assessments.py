"""The assessments a person chose to keep, and forgetting them.

Used by the action server. Nothing is written for someone who has not said yes
to keeping their answers: the caller decides that from the conversation's
consent, and this module only ever stores under a random record id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.orm import Session

from bot.storage.config import database_url
from bot.storage.conversations import forget_on_disk
from bot.storage.database import migrated_engine
from bot.storage.models import Record, StoredAssessment, as_utc, new_id, utcnow

MAX_FREE_TEXT_ITEMS = 50
MAX_FREE_TEXT_CHARS = 1000


@dataclass(frozen=True)
class SavedAssessment:
    id: str
    record_id: str
    created_at: datetime
    probability: float
    band: str
    triage_level: str
    kb_version: str
    channel: str | None
    free_text: list[str] | None
    tests: list[str]


class AssessmentStore:
    """Records and their assessments in the configured database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, url: URL | str | None = None) -> AssessmentStore:
        """The store for ``url`` (default: the environment's), migrated to the newest schema."""
        url = database_url() if url is None else url
        if not isinstance(url, str):
            url = url.render_as_string(hide_password=False)
        return cls(migrated_engine(url))

    @staticmethod
    def new_record_id() -> str:
        return new_id()

    def save(
        self,
        record_id: str,
        assessment: dict[str, Any],
        findings: dict[str, Any],
        channel: str | None = None,
        free_text: Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> str:
        """Store one assessment under ``record_id`` (creating the record); returns its id."""
        now = as_utc(now or utcnow())
        words = None
        if free_text is not None:
            words = [str(t)[:MAX_FREE_TEXT_CHARS] for t in list(free_text)[-MAX_FREE_TEXT_ITEMS:]]
        triage = assessment.get("triage") or {}
        with Session(self.engine) as session, session.begin():
            record = session.get(Record, record_id)
            if record is None:
                record = Record(id=record_id, created_at=now, updated_at=now, channel=channel)
                session.add(record)
            record.updated_at = now
            row = StoredAssessment(
                id=new_id(),
                record=record,
                created_at=now,
                channel=channel,
                kb_version=str(assessment.get("kb_version", "")),
                probability=float(assessment.get("probability", 0.0)),
                band=str(assessment.get("band", "")),
                triage_level=str(triage.get("level", "")),
                tests=[t.get("id") for t in assessment.get("tests", []) if isinstance(t, dict)],
                findings=findings,
                assessment=assessment,
                free_text=words,
            )
            session.add(row)
            return row.id

    def assessments(self, record_id: str) -> list[SavedAssessment]:
        """Oldest first."""
        with Session(self.engine) as session:
            rows = session.scalars(
                select(StoredAssessment)
                .where(StoredAssessment.record_id == record_id)
                .order_by(StoredAssessment.created_at)
            ).all()
            return [
                SavedAssessment(
                    id=r.id,
                    record_id=r.record_id,
                    created_at=as_utc(r.created_at),
                    probability=r.probability,
                    band=r.band,
                    triage_level=r.triage_level,
                    kb_version=r.kb_version,
                    channel=r.channel,
                    free_text=r.free_text,
                    tests=list(r.tests or []),
                )
                for r in rows
            ]

    def erase(self, record_id: str) -> int:
        """Remove the record and all its assessments; returns how many rows went."""
        with Session(self.engine) as session, session.begin():
            gone = session.execute(
                delete(StoredAssessment).where(StoredAssessment.record_id == record_id)
            ).rowcount
            gone += session.execute(delete(Record).where(Record.id == record_id)).rowcount
        forget_on_disk(self.engine)
        return int(gone)

    def count_older(self, older_than: timedelta, now: datetime | None = None) -> int:
        cutoff = as_utc(now or utcnow()) - older_than
        with Session(self.engine) as session:
            query = select(func.count()).select_from(Record).where(Record.updated_at < cutoff)
            return int(session.scalar(query) or 0)

    def purge(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Remove records (and their assessments) untouched for longer than ``older_than``."""
        cutoff = as_utc(now or utcnow()) - older_than
        with Session(self.engine) as session, session.begin():
            stale = select(Record.id).where(Record.updated_at < cutoff)
            gone = session.execute(
                delete(StoredAssessment).where(StoredAssessment.record_id.in_(stale)),
                execution_options={"synchronize_session": False},
            ).rowcount
            gone += session.execute(
                delete(Record).where(Record.updated_at < cutoff),
                execution_options={"synchronize_session": False},
            ).rowcount
        return int(gone)
