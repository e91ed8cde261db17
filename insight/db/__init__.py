"""The shop database: ORM models, engine helpers and Alembic migrations."""
