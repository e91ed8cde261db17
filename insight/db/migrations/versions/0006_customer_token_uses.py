"""customer token uses: a token opens one conversation, also after a restart or on another gateway

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-09 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_token_uses",
        sa.Column("token_id", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_customer_token_uses")),
    )
    with op.batch_alter_table("customer_token_uses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_token_uses_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("customer_token_uses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_token_uses_expires_at"))
    op.drop_table("customer_token_uses")
