"""Records and assessments.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "b12_records",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(40), nullable=True),
    )
    op.create_index("ix_b12_records_updated_at", "b12_records", ["updated_at"])
    op.create_table(
        "b12_assessments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "record_id",
            sa.String(32),
            sa.ForeignKey("b12_records.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(40), nullable=True),
        sa.Column("kb_version", sa.String(40), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("band", sa.String(16), nullable=False),
        sa.Column("triage_level", sa.String(16), nullable=False),
        sa.Column("tests", sa.JSON(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("free_text", sa.JSON(), nullable=True),
    )
    op.create_index(
        "ix_b12_assessments_record_created", "b12_assessments", ["record_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_b12_assessments_record_created", table_name="b12_assessments")
    op.drop_table("b12_assessments")
    op.drop_index("ix_b12_records_updated_at", table_name="b12_records")
    op.drop_table("b12_records")
