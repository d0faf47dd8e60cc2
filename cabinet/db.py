"""The database engine and sessions. Services take a Session; pages never touch SQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from cabinet.settings import settings


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


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
            # SQLite's own lower() folds ASCII only: "Трубы" stayed "Трубы", so every
            # case-insensitive search through lower() (auctions, journals, roles, e-mails)
            # missed Cyrillic capitals. Python's folds all of Unicode, as PostgreSQL does.
            dbapi_conn.create_function("lower", 1, _unicode_lower, deterministic=True)

        return eng
    # Connections are kept for the threads that use them at once (event handlers, the
    # auction bid and live-read pools, background jobs): an overflow connection is opened
    # and closed per use, and a new PostgreSQL connection costs a server process (ms of CPU).
    return create_engine(url, pool_pre_ping=True, pool_size=16, max_overflow=8)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(settings.database_url)


@lru_cache(maxsize=1)
def get_read_engine() -> Engine:
    """The engine of hot, idempotent reads that never write (the auction's bid refusals and
    live reads: hundreds a second on a hot lot). On PostgreSQL: autocommit (no BEGIN and
    ROLLBACK round trips around the statements; each statement reads committed data, as in
    the default READ COMMITTED) and no ping per checkout (a dropped connection is retried
    once by `read_only` instead). SQLite: the main engine (reads there cost no round trips)."""
    main = get_engine()
    if main.dialect.name == "sqlite":
        return main
    return create_engine(
        settings.database_url,
        isolation_level="AUTOCOMMIT",
        pool_size=8,
        max_overflow=8,
        pool_recycle=600,
    )


T = TypeVar("T")


def read_only(fn: Callable[[Session], T]) -> T:
    """`fn(session)` on the read engine (see get_read_engine); `fn` must only read. Run once
    more when the connection turned out dead (a database restart, an idle connection cut):
    SQLAlchemy then drops the pool's old connections and the retry opens a fresh one."""
    for attempt in (0, 1):
        try:
            with Session(get_read_engine(), expire_on_commit=False) as session:
                return fn(session)
        except DBAPIError as e:
            if attempt or not e.connection_invalidated:
                raise
    raise AssertionError("unreachable")


async def in_thread(action: Callable[[Session], T]) -> T:
    """`action(session)` in a worker thread with a session of its own (`session_scope`),
    awaited. For event handlers whose work is slow by nature — argon2 and scrypt, big exports,
    PDFs: a handler runs on its worker's event loop, and every other page of that worker
    waits while it works. Decide who the caller is and what they may touch before."""

    def run() -> T:
        with session_scope() as s:
            return action(s)

    return await asyncio.to_thread(run)


@contextmanager
def session_scope() -> Iterator[Session]:
    """One session for one user action; the service inside commits."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session
