"""Shared fixtures. The database is real: SQLite by default, PostgreSQL when DATABASE_URL says so.

`alembic upgrade head` runs once per test session; each test runs inside a transaction that is
rolled back at the end (services' commits become savepoint releases).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="cabinet-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP / 'test.db'}")
os.environ.setdefault("DATA_DIR", str(_TMP / "data"))
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
os.environ.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")

import pytest  # noqa: E402
from sqlalchemy import Engine, text  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

import models  # noqa: E402, F401
from cabinet.db import get_engine  # noqa: E402
from cabinet.settings import settings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _alembic_config(url: str):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.attributes["database_url"] = url
    return cfg


def _reset_database(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


@pytest.fixture(scope="session")
def migrated_engine() -> Engine:
    from alembic import command

    engine = get_engine()
    _reset_database(engine)
    command.upgrade(_alembic_config(settings.database_url), "head")
    return engine


@pytest.fixture
def db(migrated_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test.

    pysqlite defers BEGIN until the first DML statement, so without an explicit BEGIN the
    session's first SAVEPOINT would open the transaction and its RELEASE (a service's commit)
    would commit for real.
    """
    with migrated_engine.connect() as conn:
        outer = conn.begin()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN")
        session = Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        try:
            yield session
        finally:
            session.close()
            outer.rollback()


@pytest.fixture
def alembic_config():  # type: ignore[no-untyped-def]
    return _alembic_config(settings.database_url)
