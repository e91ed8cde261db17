from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from insight.db.migrate import current_revision, head_revision
from insight.db.models import Base


def test_migrations_create_every_table_of_the_model(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_the_models_and_the_migrations_agree(engine: Engine) -> None:
    """A model change without a migration fails here (run ``python -m insight`` revision help)."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
