"""conversation messages keep the polarity of the emotion read from them

The gateway's escalation rule (``insight.emotion.EscalationRule``) reads label, confidence and
polarity of the shopper's latest messages; polarity was not stored before.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 08:31:05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("emotion_polarity", sa.Double(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversation_messages", schema=None) as batch_op:
        batch_op.drop_column("emotion_polarity")
