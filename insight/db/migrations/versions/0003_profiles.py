"""customer insight: profiles, segments, review insights, product and brand insights, topics

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_profiles",
        sa.Column("customer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("segment_id", sa.SmallInteger(), nullable=False),
        sa.Column("segment", sa.String(length=40), nullable=False),
        sa.Column("churn_risk", sa.Float(), nullable=True),
        sa.Column("predicted_value_12m", sa.Float(), nullable=False),
        sa.Column("expected_orders_12m", sa.Float(), nullable=False),
        sa.Column("recency_days", sa.Float(), nullable=True),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary", sa.Float(), nullable=False),
        sa.Column("avg_order_value", sa.Float(), nullable=True),
        sa.Column("tenure_days", sa.Float(), nullable=False),
        sa.Column("price_band", sa.String(length=16), nullable=True),
        sa.Column("views_per_order", sa.Float(), nullable=True),
        sa.Column("return_rate", sa.Float(), nullable=True),
        sa.Column("days_since_contact", sa.Float(), nullable=True),
        sa.Column("top_categories", sa.JSON(), nullable=False),
        sa.Column("top_brands", sa.JSON(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("top_topics", sa.JSON(), nullable=False),
        sa.Column("last_order_number", sa.String(length=32), nullable=True),
        sa.Column("last_order_at", sa.DateTime(), nullable=True),
        sa.Column("vector", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_customer_profiles_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_customer_profiles")),
    )
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_customer_profiles_segment_id"), ["segment_id"], unique=False
        )
    op.create_table(
        "customer_segments",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("centroid", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_segments")),
        sa.UniqueConstraint("name", name=op.f("uq_customer_segments_name")),
    )
    op.create_table(
        "review_insights",
        sa.Column("review_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("polarity", sa.Float(), nullable=False),
        sa.Column("topic_id", sa.SmallInteger(), nullable=True),
        sa.Column("scorer", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_insights_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_insights")),
    )
    op.create_table(
        "product_insights",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("mean_rating", sa.Float(), nullable=True),
        sa.Column("top_topics", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_product_insights_product_id_products"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_insights")),
    )
    op.create_table(
        "brand_insights",
        sa.Column("brand", sa.String(length=80), nullable=False),
        sa.Column("review_count", sa.Integer(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("mean_rating", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("brand", name=op.f("pk_brand_insights")),
    )
    op.create_table(
        "review_topics",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_topics")),
    )
    op.create_table(
        "profile_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("scorer", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_models")),
    )


def downgrade() -> None:
    op.drop_table("profile_models")
    op.drop_table("review_topics")
    op.drop_table("brand_insights")
    op.drop_table("product_insights")
    op.drop_table("review_insights")
    op.drop_table("customer_segments")
    with op.batch_alter_table("customer_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_profiles_segment_id"))
    op.drop_table("customer_profiles")
