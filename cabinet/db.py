"""The database engine and sessions. Services take a Session; pages never touch SQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from cabinet.settings import settings


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database
        file_db = bool(database) and database != ":memory:"
        if file_db:
            Path(str(database)).parent.mkdir(parents=True, exist_ok=True)
        # A file database keeps the thread pools' connections open (see below).
        pool = {"pool_size": 16, "max_overflow": 8} if file_db else {}
        eng = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit is not fsynced (checkpoints are). Survives any crash of
            # the application; an OS crash or power cut may lose the last commits, never
            # corrupts. Deployments that need more run on PostgreSQL.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return eng
    # Connections are kept for the threads that use them at once (event handlers, the
    # auction bid and live-read pools, background jobs): an overflow connection is opened
    # and closed per use, and a new PostgreSQL connection costs a server process (ms of CPU).
    return create_engine(url, pool_pre_ping=True, pool_size=16, max_overflow=8)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(settings.database_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One session for one user action; the service inside commits."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session
