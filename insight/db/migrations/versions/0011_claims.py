"""claims: delivery problems a shopper reported (not received, damaged, wrong address)

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-20 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("not_received", "damaged", "wrong_address", name="claimkind",
                                  native_enum=False, length=24), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("carrier_facts", sa.Text(), nullable=False),
        sa.Column("status", sa.Enum("open", "escalated", "resolved", name="claimstatus",
                                    native_enum=False, length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_claims_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claims_order_kind_status", ["order_id", "kind", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_order_kind_status")
    op.drop_table("claims")
