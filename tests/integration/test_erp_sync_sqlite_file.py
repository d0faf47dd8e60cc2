"""The ERP sync on a SQLite file database bound to an engine (production and the bench): it
writes through a connection of its own with the automatic WAL checkpoint off, a thread
checkpoints the committed batches (the last time after the run, in the background), and the
connection's setting is restored afterwards.

Runs on its own temporary SQLite file whatever DATABASE_URL says (the other sync tests run
inside the `db` fixture's rolled-back transaction, where this path does not apply)."""

from __future__ import annotations

import sqlite3
import sys
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


def _wal_frames(database: Path) -> tuple[int, int]:
    """The WAL's frames and how many of them are copied into the database file, from the
    wal-index header (https://www.sqlite.org/walformat.html: mxFrame at byte 16, nBackfill
    at byte 96, native byte order) — read without checkpointing anything."""
    head = Path(f"{database}-shm").read_bytes()[:100]
    return int.from_bytes(head[16:20], sys.byteorder), int.from_bytes(head[96:100], sys.byteorder)


def test_the_last_wal_copy_of_a_run_finishes_in_the_background(file_engine: Engine, tmp_path: Path):
    """The run returns once its last batch is committed; its thread copies the WAL into the
    database file after that, and `settle` (the next run first) waits for it."""
    data = ErpData(orgs=4, orders=10, documents=80)
    with FakeErp(data) as erp, ErpClient(url=erp.url) as client:
        with Session(file_engine) as s:
            report = sync.run_sync(s, client, batch=20)
        assert report is not None and report.status == SyncStatus.OK, report
        sync.settle()
        frames, copied = _wal_frames(tmp_path / "sync.db")
        assert frames > 0 and copied == frames  # the run's last copy took every frame
        data.touch("documents", 5, consignee='ООО "После"')
        with Session(file_engine) as s:
            again = sync.run_sync(s, client, batch=20)  # waits for nothing left over
        assert again is not None and again.rows_in == 1
        sync.settle()
    assert not sync._LATE


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


def test_update_in_place_takes_a_batch_whole_or_leaves_it_to_the_full_path(
    file_engine: Engine,
):
    """`bulk.update_in_place` on its own: True only when every row was stored that way; a
    constant (written as an SQL literal, quotes and all) lands in every row; packed tuples
    whose first columns are `in_place_fields` go to SQLite as they are."""
    from cabinet.erp import bulk, fastrows
    from models.orders import Order

    data = ErpData(orgs=6, orders=20, documents=60)
    with FakeErp(data) as erp, ErpClient(url=erp.url) as client, Session(file_engine) as s:
        assert sync.run_sync(s, client, batch=100) is not None
    table = Certificate.__table__  # type: ignore[attr-defined]
    refs = {"order_id": (Order.__table__, "_order")}  # type: ignore[attr-defined]
    json_text = bulk.bind_processor(table, "disclosed", file_engine.dialect)
    with Session(file_engine) as s:
        pairs = s.exec(select(ErpOrganisation.erp_id, ErpOrganisation.organisation_id)).all()
        org_of: dict[str, int] = dict(pairs)  # type: ignore[arg-type]

    def rows(*indexes: int, **patch: str) -> list[dict[str, object]]:
        out = []
        for i in indexes:
            data.touch("certificates", i, **patch)
            row = fastrows.READERS["certificates"][0](data.current("certificates", i), json_text)
            row["organisation_id"] = org_of[row["_org"]]
            out.append(row)
        return out

    producer = 'АО "Завод O\'Neil" ; DROP TABLE certificates; --'
    with file_engine.begin() as conn:
        plain = rows(1, 2, 3, consignee="ООО 'Новый'")
        assert bulk.update_in_place(conn, table, plain, refs=refs, const={"producer": producer})
        # one new row among stored ones: not taken whole
        conn.exec_driver_sql("DELETE FROM certificates WHERE erp_id = 'CRT-00000005'")
        assert not bulk.update_in_place(
            conn, table, rows(4, 5, consignee="ООО Четвёртый"), refs=refs
        )
        # an indexed column changed: not this way either
        assert not bulk.update_in_place(conn, table, rows(6, batch="П-ДРУГАЯ"), refs=refs)
        # packed tuples, the in-place fields first
        packed = rows(7, 8, consignee="ООО «Упакованный»")
        names = list(packed[0])
        first = bulk.in_place_fields(file_engine.dialect, table, names, refs=refs)
        assert first and "erp_id" in first and "_org" not in first
        columns = first + tuple(c for c in names if c not in first)
        values = [tuple(r[c] for c in columns) for r in packed]
        assert bulk.update_in_place(conn, table, values, refs=refs, columns=columns)
    raw = sqlite3.connect(str(file_engine.url.database))
    try:
        got = dict(
            raw.execute(
                "SELECT erp_id, consignee || ' / ' || producer FROM certificates "
                "WHERE erp_id IN ('CRT-00000001', 'CRT-00000007', 'CRT-00000004')"
            ).fetchall()
        )
    finally:
        raw.close()
    assert got["CRT-00000001"] == f"ООО 'Новый' / {producer}"
    assert got["CRT-00000007"].startswith("ООО «Упакованный» / ")
    # the stored rows of a batch not taken whole are written (the full path writes them
    # again, harmlessly: same version, same values)
    assert got["CRT-00000004"].startswith("ООО Четвёртый / ")
