"""exchanges: a delivered unit swapped for another variant of its category, or a new defective one

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-18 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchanges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("replacement_product_id", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "size",
                "colour",
                "model",
                "defective",
                name="exchangereason",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("price_difference", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "shipped",
                "completed",
                "cancelled",
                name="exchangestatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_exchanges_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_exchanges_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["replacement_product_id"],
            ["products.id"],
            name=op.f("fk_exchanges_replacement_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchanges")),
    )
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchanges_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exchanges_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchanges_replacement_product_id"),
            ["replacement_product_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("exchanges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchanges_replacement_product_id"))
        batch_op.drop_index(batch_op.f("ix_exchanges_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_exchanges_order_id"))
    op.drop_table("exchanges")
