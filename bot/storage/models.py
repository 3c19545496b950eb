"""Tables the action server owns (Rasa owns its ``events`` table).

A *record* is what a person who said yes to keeping their answers can come back
to. Its id is random (never a phone number, user name or channel id), carried
in the conversation's ``record_id`` slot; the conversation is the only link
between the person and the record, so erasing both leaves nothing behind.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, Float, ForeignKey, Index, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


def new_id() -> str:
    """128 random bits, URL-safe: unguessable and meaningless."""
    return secrets.token_hex(16)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC, for every value written, compared or read back.

    SQLite keeps no time zone: it stores the wall-clock digits it is given and
    returns them naive. Converting to UTC on the way in and marking naive values
    as UTC on the way out keeps SQLite and PostgreSQL answering alike.
    """
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


class Record(Base):
    __tablename__ = "b12_records"

    id = Column(String(32), primary_key=True, default=new_id)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    channel = Column(String(40), nullable=True)

    assessments = relationship(
        "StoredAssessment",
        back_populates="record",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="StoredAssessment.created_at",
    )


class StoredAssessment(Base):
    __tablename__ = "b12_assessments"
    __table_args__ = (Index("ix_b12_assessments_record_created", "record_id", "created_at"),)

    id = Column(String(32), primary_key=True, default=new_id)
    record_id = Column(
        String(32), ForeignKey("b12_records.id", ondelete="CASCADE"), nullable=False
    )
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    channel = Column(String(40), nullable=True)
    kb_version = Column(String(40), nullable=False)
    probability = Column(Float, nullable=False)
    band = Column(String(16), nullable=False)
    triage_level = Column(String(16), nullable=False)
    tests = Column(JSON, nullable=False)
    findings = Column(JSON, nullable=False)
    assessment = Column(JSON, nullable=False)
    # The person's own words; kept only because they agreed to keep their answers.
    free_text = Column(JSON, nullable=True)

    record = relationship("Record", back_populates="assessments")
