"""conversation handoff: escalation source, emotion confidence, idempotent message delivery

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalation_source", sa.String(length=16), nullable=True))

    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emotion_confidence", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("client_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_conversation_messages_conversation_id"), ["conversation_id", "client_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_conversation_messages_conversation_id"), type_="unique")
        batch_op.drop_column("client_id")
        batch_op.drop_column("emotion_confidence")

    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("escalation_source")
