"""Models and migrations do not drift: autogenerate finds nothing to add."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

pytestmark = pytest.mark.db


def test_models_match_migrations(migrated_engine):
    with migrated_engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(ctx, SQLModel.metadata)
    assert diff == [], f"models differ from migrations: {diff}"


def test_every_table_has_a_migration(migrated_engine):
    from sqlalchemy import inspect

    tables = set(inspect(migrated_engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
