"""desk session revocations: a logged-out desk cookie is refused, also a copy of it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-16 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "desk_session_revocations",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_desk_session_revocations")),
    )
    with op.batch_alter_table("desk_session_revocations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_desk_session_revocations_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("desk_session_revocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_desk_session_revocations_expires_at"))
    op.drop_table("desk_session_revocations")
