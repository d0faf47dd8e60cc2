"""The ERP sync's last wave (invoices, documents, certificates: none needs another's rows)
synced side by side on PostgreSQL, each entity in a thread with a connection of its own.

Needs committed data that other connections can see, so it runs on a PostgreSQL database of
its own (created and dropped here) whatever the `db` fixture does; skipped on SQLite, where a
run stays in one connection."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, col, select

import models  # noqa: F401  (every table on the metadata)
from cabinet.db import make_engine
from cabinet.erp import rules, sync
from cabinet.erp.client import ErpClient
from cabinet.settings import settings
from models.documents import Certificate, ShippingDocument
from models.erp import ErpWatermark, SyncLease, SyncRun, SyncStatus
from models.finance import Contract, Invoice
from models.orders import Order
from tests.fakes.erp_server import ErpData, FakeErp

pytestmark = pytest.mark.db

SIZES = {"orgs": 10, "orders": 80, "documents": 400}
TABLES = {
    "contracts": Contract,
    "orders": Order,
    "invoices": Invoice,
    "documents": ShippingDocument,
    "certificates": Certificate,
}


@pytest.fixture
def pg_engine() -> Iterator[Engine]:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("side-by-side entities run on PostgreSQL only")
    name = f"{url.database}_par_{os.getpid()}"
    admin = make_engine(url.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    SQLModel.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _count(engine: Engine, table: type[SQLModel]) -> int:
    with Session(engine) as s:
        return int(s.exec(select(sa.func.count()).select_from(table)).one())


def _fingerprint(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    with Session(engine) as s:
        return {
            "invoices": [
                (i.erp_id, i.status, str(i.amount))
                for i in s.exec(select(Invoice).order_by(col(Invoice.erp_id))).all()
            ],
            "documents": [
                (d.erp_id, d.number, d.consignee)
                for d in s.exec(
                    select(ShippingDocument).order_by(col(ShippingDocument.erp_id))
                ).all()
            ],
            "certificates": [
                (c.erp_id, c.batch, c.consignee)
                for c in s.exec(select(Certificate).order_by(col(Certificate.erp_id))).all()
            ],
        }


def test_waves_keep_the_dependency_order():
    assert rules.waves(rules.ENTITIES) == [
        ("organisations",),
        ("contracts",),
        ("orders",),
        ("invoices", "documents", "certificates"),
    ]
    assert rules.waves(["certificates", "orders"]) == [("orders",), ("certificates",)]


def test_a_parallel_run_loads_everything_and_a_delta_updates_each_entity(pg_engine: Engine):
    data = ErpData(**SIZES)
    with FakeErp(data) as erp, ErpClient(url=erp.url) as client:
        threads: dict[str, set[str]] = {}

        def progress(entity: str, _rows: int, _seconds: float) -> None:
            threads.setdefault(entity, set()).add(threading.current_thread().name)

        with Session(pg_engine) as s:
            report = sync.run_sync(s, client, batch=60, progress=progress)
        assert report is not None and report.status == SyncStatus.OK, report
        # the last wave ran in threads of its own, one per entity; the others in the caller's
        wave = [threads[e] for e in ("invoices", "documents", "certificates")]
        assert all(len(names) == 1 for names in wave)
        assert len(set.union(*wave)) == 3
        assert all(name.startswith("erp-sync") for name in set.union(*wave))
        assert threads["orders"] == {threading.current_thread().name}
        for entity, table in TABLES.items():
            assert _count(pg_engine, table) == data.count(entity), entity
        with Session(pg_engine) as s:
            run = s.get(SyncRun, report.run_id)
            assert run is not None and run.status == SyncStatus.OK
            assert run.rows_in == sum(data.count(e) for e in rules.ENTITIES)
            assert run.entities is not None
            for entity in ("invoices", "documents", "certificates"):
                assert run.entities[entity]["in"] == data.count(entity)
                wm = s.get(ErpWatermark, entity)
                assert wm is not None and wm.rows_total == data.count(entity)
            lease = s.get(SyncLease, sync.LEASE_NAME)
            assert lease is not None and lease.holder == ""

        data.touch("invoices", 2, status="paid")
        data.touch("documents", 11, consignee='ООО "После"')
        data.touch("certificates", 5, consignee='АО "После"')
        with Session(pg_engine) as s:
            delta = sync.run_sync(s, client, batch=60)

    assert delta is not None and delta.status == SyncStatus.OK and delta.rows_in == 3
    with Session(pg_engine) as s:
        doc = s.exec(select(ShippingDocument).where(ShippingDocument.erp_id == "DOC-00000011"))
        assert doc.one().consignee == 'ООО "После"'
        cert = s.exec(select(Certificate).where(Certificate.erp_id == "CRT-00000005"))
        assert cert.one().consignee == 'АО "После"'
        inv = s.exec(select(Invoice).where(Invoice.erp_id == data.erp_id("invoices", 2)))
        assert inv.one().status == "paid"


@pytest.mark.parametrize("mode", ["500", "drop"])
def test_a_failure_in_the_parallel_wave_stops_the_run_and_a_rerun_converges(
    pg_engine: Engine, mode: str
):
    data = ErpData(**SIZES)
    before_wave = sum(data.count(e) for e in ("organisations", "contracts", "orders"))
    with FakeErp(data) as erp, ErpClient(url=erp.url) as client:
        erp.fail_after(before_wave + 200, mode=mode)  # inside the last wave
        with Session(pg_engine) as s:
            failed = sync.run_sync(s, client, batch=40)
        assert failed is not None and failed.status == SyncStatus.FAILED and failed.error
        with Session(pg_engine) as s:
            for entity in ("invoices", "documents", "certificates"):
                wm = s.get(ErpWatermark, entity)
                stored = _count(pg_engine, TABLES[entity])
                # committed batches stayed, and each watermark matches its own rows
                assert (wm.rows_total if wm is not None else 0) == stored, entity
        assert sum(
            _count(pg_engine, TABLES[e]) for e in ("invoices", "documents", "certificates")
        ) < (data.count("invoices") + data.count("documents") + data.count("certificates"))

        with Session(pg_engine) as s:
            again = sync.run_sync(s, client, batch=40)
        assert again is not None and again.status == SyncStatus.OK, again
        rerun = _fingerprint(pg_engine)

        # the same data synced serially, in one clean run into empty tables: the same rows
        with pg_engine.begin() as conn:
            for table in [*sync.CHILD_TABLES.values(), ShippingDocument, Certificate, Invoice]:
                conn.execute(sa.delete(table))
            conn.execute(
                sa.delete(ErpWatermark).where(
                    col(ErpWatermark.entity).in_(["invoices", "documents", "certificates"])
                )
            )
        with Session(pg_engine) as s:
            clean = sync.run_sync(s, client, batch=1000, parallel=False)
        assert clean is not None and clean.status == SyncStatus.OK, clean

    assert _fingerprint(pg_engine) == rerun
    for entity in ("invoices", "documents", "certificates"):
        assert _count(pg_engine, TABLES[entity]) == data.count(entity)
