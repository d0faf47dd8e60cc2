"""The ERP sync on a SQLite file database bound to an engine (production and the bench): it
writes through a connection of its own with the automatic WAL checkpoint off, a thread
checkpoints each committed batch, and the connection's setting is restored afterwards.

Runs on its own temporary SQLite file whatever DATABASE_URL says (the other sync tests run
inside the `db` fixture's rolled-back transaction, where this path does not apply)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import models  # noqa: F401  (every table on the metadata)
from cabinet.db import make_engine
from cabinet.erp import sync
from cabinet.erp.client import ErpClient
from models.documents import Certificate, ShippingDocument
from models.erp import ErpOrganisation, SyncStatus
from models.organisations import Organisation
from tests.fakes.erp_server import ErpData, FakeErp

pytestmark = pytest.mark.db


@pytest.fixture
def file_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'sync.db'}")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _count(engine: Engine, table: type[SQLModel]) -> int:
    with Session(engine) as s:
        return int(s.exec(select(sa.func.count()).select_from(table)).one())


def test_a_sqlite_file_run_commits_through_its_own_connection_and_restores_it(
    file_engine: Engine, tmp_path: Path
):
    data = ErpData(orgs=8, orders=40, documents=300)
    with FakeErp(data) as erp, ErpClient(url=erp.url) as client:
        with Session(file_engine) as s:
            report = sync.run_sync(s, client, batch=40)
        assert report is not None and report.status == SyncStatus.OK, report
        data.touch("certificates", 3, consignee='ООО "После"')
        with Session(file_engine) as s:
            again = sync.run_sync(s, client, batch=40)

    assert again is not None and again.rows_in == 1
    assert _count(file_engine, ShippingDocument) == data.count("documents")
    assert _count(file_engine, Certificate) == data.count("certificates")
    # another connection (not the engine's pool) sees the committed rows
    raw = sqlite3.connect(tmp_path / "sync.db")
    try:
        consignee = raw.execute(
            "SELECT consignee FROM certificates WHERE erp_id = 'CRT-00000003'"
        ).fetchone()
        assert consignee == ('ООО "После"',)
    finally:
        raw.close()
    # the pooled connections keep SQLite's automatic checkpoint
    with file_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000


def test_a_sqlite_file_run_inside_uncommitted_writes_runs_in_the_callers_session(
    file_engine: Engine,
):
    """A caller (the demo loader) with writes not yet committed: the run must see them and
    must not wait for their write lock on a connection of its own."""
    data = ErpData(orgs=4, orders=10, documents=40)
    with FakeErp(data) as erp, ErpClient(url=erp.url) as client, Session(file_engine) as s:
        s.add(Organisation(kind="legal", name='ООО "Ромашка"', inn="7707083893"))
        s.flush()  # written, not committed: the session holds SQLite's write lock

        report = sync.run_sync(s, client, batch=20)

        assert report is not None and report.status == SyncStatus.OK, report
        romashka = s.exec(select(Organisation).where(Organisation.inn == "7707083893")).one()
        mapped = s.exec(
            select(ErpOrganisation).where(ErpOrganisation.organisation_id == romashka.id)
        ).first()
        assert mapped is not None  # the ERP's organisation with that INN was mapped to it
