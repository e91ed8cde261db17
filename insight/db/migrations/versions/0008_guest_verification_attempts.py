"""guest verification attempts: failed tries are capped per order number and email, everywhere

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-16 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "guest_verification_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("email_digest", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_verification_attempts")),
    )
    with op.batch_alter_table("guest_verification_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guest_verification_attempts_at"), ["at"], unique=False)
        batch_op.create_index(
            "ix_guest_verification_attempts_email_digest_at", ["email_digest", "at"], unique=False
        )
        batch_op.create_index(
            "ix_guest_verification_attempts_order_number_at", ["order_number", "at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("guest_verification_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_guest_verification_attempts_order_number_at")
        batch_op.drop_index("ix_guest_verification_attempts_email_digest_at")
        batch_op.drop_index(batch_op.f("ix_guest_verification_attempts_at"))
    op.drop_table("guest_verification_attempts")
