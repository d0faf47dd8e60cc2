"""The ERP delta sync against the fake ERP server (real HTTP on 127.0.0.1)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet.erp import sync
from cabinet.erp.client import ErpClient, Page
from models.base import utcnow
from models.documents import Certificate, ShippingDocument
from models.erp import ErpOrganisation, ErpWatermark, SyncIssue, SyncLease, SyncRun, SyncStatus
from models.finance import Contract, FinanceOperation, Invoice, PaymentScheduleItem
from models.orders import Order, OrderEvent, OrderLine, OrderService, OrderVehicle
from models.organisations import Organisation
from tests.fakes.erp_server import ErpData, FakeErp

pytestmark = pytest.mark.db

SIZES = {"orgs": 12, "orders": 90, "documents": 240}
TABLES = [
    Contract,
    Order,
    OrderLine,
    OrderEvent,
    Invoice,
    PaymentScheduleItem,
    FinanceOperation,
    ShippingDocument,
    Certificate,
]


CHILDREN_FIRST = [
    OrderLine,
    OrderEvent,
    OrderVehicle,
    OrderService,
    PaymentScheduleItem,
    FinanceOperation,
    ShippingDocument,
    Certificate,
    Invoice,
    Order,
    Contract,
]


@pytest.fixture
def erp() -> Iterator[FakeErp]:
    with FakeErp(ErpData(**SIZES)) as server:
        yield server


@pytest.fixture
def client(erp: FakeErp) -> Iterator[ErpClient]:
    with ErpClient(url=erp.url) as c:
        yield c


def _counts(db: Session) -> dict[str, int]:
    out = {t.__tablename__: db.exec(select(sa.func.count()).select_from(t)).one() for t in TABLES}
    out["erp_organisations"] = db.exec(select(sa.func.count()).select_from(ErpOrganisation)).one()
    return out


def _state(db: Session) -> list[tuple[str, str, str]]:
    """A fingerprint of the synced data: every order's key, status and amount."""
    return [
        (o.erp_id, o.status, str(o.amount))
        for o in db.exec(select(Order).order_by(col(Order.erp_id))).all()
    ]


def test_full_run_loads_every_entity_in_order(db: Session, erp: FakeErp, client: ErpClient):
    report = sync.run_sync(db, client, batch=50)

    assert report is not None and report.status == SyncStatus.OK, report.error
    data = erp.data
    counts = _counts(db)
    assert counts["erp_organisations"] == data.count("organisations")
    assert counts["contracts"] == data.count("contracts")
    assert counts["orders"] == data.count("orders")
    assert counts["invoices"] == data.count("invoices")
    assert counts["shipping_documents"] == data.count("documents")
    assert counts["certificates"] == data.count("certificates")
    assert counts["order_lines"] > counts["orders"] - 1
    assert (
        report.rows_in
        == report.rows_updated
        == sum(
            data.count(e)
            for e in (
                "organisations",
                "contracts",
                "orders",
                "invoices",
                "documents",
                "certificates",
            )
        )
    )
    # the demo organisation (same INN) was mapped, not duplicated
    romashka = db.exec(select(Organisation).where(Organisation.inn == "7707083893")).one()
    orders = db.exec(select(Order).where(Order.organisation_id == romashka.id)).all()
    assert orders and all(o.search_text for o in orders)
    run = db.get(SyncRun, report.run_id)
    assert run is not None and run.finished_at is not None and run.lag_seconds is not None
    assert run.entities and run.entities["orders"]["in"] == data.count("orders")
    lease = db.get(SyncLease, sync.LEASE_NAME)
    assert lease is not None and lease.holder == ""


def test_delta_run_reads_only_changed_rows(db: Session, erp: FakeErp, client: ErpClient):
    sync.run_sync(db, client, batch=100)
    erp.data.touch("orders", 5, status="cancelled")
    erp.data.touch("certificates", 7, consignee='ООО "Новый получатель"')

    report = sync.run_sync(db, client, batch=100)

    assert report is not None and report.status == SyncStatus.OK
    assert report.rows_in == 2
    assert report.entities["orders"].rows_in == 1
    order = db.exec(select(Order).where(Order.erp_id == "ORD-00000005")).one()
    assert order.status == "cancelled"
    cert = db.exec(select(Certificate).where(Certificate.erp_id == "CRT-00000007")).one()
    assert cert.consignee == 'ООО "Новый получатель"'
    assert sync.run_sync(db, client, batch=100).rows_in == 0  # type: ignore[union-attr]


def test_a_run_leaves_the_heap_it_found_out_of_its_collections(db: Session, client: ErpClient):
    """`gc.freeze` while the run allocates (its full collections skip what the process held
    before), undone when it ends, whatever the outcome."""
    frozen_during: list[int] = []

    report = sync.run_sync(
        db, client, batch=100, progress=lambda *_: frozen_during.append(gc.get_freeze_count())
    )

    assert report is not None and report.status == SyncStatus.OK
    assert frozen_during and min(frozen_during) > 0
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("mode", ["500", "drop"])
def test_failure_in_the_middle_then_rerun_converges_without_duplicates(
    db: Session, erp: FakeErp, client: ErpClient, mode: str
):
    erp.fail_after(80, mode=mode)  # inside the orders (12 + 24 rows before them)

    failed = sync.run_sync(db, client, batch=40)

    assert failed is not None and failed.status == SyncStatus.FAILED
    assert failed.error
    run = db.get(SyncRun, failed.run_id)
    assert run is not None and run.status == SyncStatus.FAILED and run.last_error
    partial = _counts(db)
    assert 0 < partial["orders"] < erp.data.count("orders")
    # committed batches stayed and the watermark matches them
    wm = db.get(ErpWatermark, "orders")
    assert wm is not None and wm.rows_total == partial["orders"]

    again = sync.run_sync(db, client, batch=40)

    assert again is not None and again.status == SyncStatus.OK
    assert again.rows_in == sum(erp.data.count(e) for e in sync.rules.ENTITIES) - failed.rows_in
    after_rerun, state = _counts(db), _state(db)
    assert len({r[0] for r in state}) == len(state) == erp.data.count("orders")
    # the same data synced by one clean run into empty tables gives the same rows
    db.exec(sa.delete(SyncIssue))  # type: ignore[call-overload]
    for t in CHILDREN_FIRST:
        db.exec(sa.delete(t))  # type: ignore[call-overload]
    db.exec(sa.delete(ErpWatermark))  # type: ignore[call-overload]
    assert _state(db) == []
    clean = sync.run_sync(db, client, batch=1000)
    assert clean is not None and clean.status == SyncStatus.OK
    assert _counts(db) == after_rerun
    assert _state(db) == state


def test_malformed_rows_are_skipped_counted_and_reported(
    db: Session, erp: FakeErp, client: ErpClient
):
    erp.data.malformed["orders"] = {3, 4, 5}
    erp.data.malformed["organisations"] = {7}

    report = sync.run_sync(db, client, batch=50)

    assert report is not None and report.status == SyncStatus.PARTIAL
    assert report.entities["orders"].failed >= 3
    assert report.entities["organisations"].failed == 1
    issues = db.exec(select(SyncIssue).where(SyncIssue.run_id == report.run_id)).all()
    keys = {i.erp_id for i in issues}
    assert {"ORD-00000003", "ORD-00000004", "ORD-00000005", "ORG-00000007"} <= keys
    assert all(i.error and i.payload for i in issues)
    assert db.exec(select(Order).where(Order.erp_id == "ORD-00000004")).first() is None
    # the rest arrived, including rows after the broken ones
    assert db.exec(select(Order).where(Order.erp_id == "ORD-00000089")).first() is not None
    # the rows of the organisation that did not arrive are reported too, not lost silently
    assert all(i.error for i in issues if i.entity != "organisations")


def test_an_older_version_never_overwrites_a_newer_one(db: Session, erp: FakeErp, client):
    sync.run_sync(db, client, batch=100)
    erp.data.touch("orders", 9, status="cancelled")
    sync.run_sync(db, client, batch=100)
    # a replay of the old page (e.g. a watermark restored from a backup)
    db.exec(sa.delete(ErpWatermark).where(ErpWatermark.entity == "orders"))  # type: ignore[call-overload]

    sync.run_sync(db, client, batch=100)

    order = db.exec(select(Order).where(Order.erp_id == "ORD-00000009")).one()
    assert order.status == "cancelled"


def test_a_second_worker_does_not_run_while_the_lease_is_held(db: Session, client: ErpClient):
    assert sync.claim_lease(db, holder="worker-a", now=utcnow())

    assert sync.run_sync(db, client, holder="worker-b") is None
    assert not sync.claim_lease(db, holder="worker-c", now=utcnow())
    # a lapsed lease (dead worker) is taken over
    assert sync.claim_lease(db, holder="worker-c", now=utcnow() + timedelta(hours=1))


def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next(db: Session, client):
    dead = SyncRun(worker="dead:1")
    db.add(dead)
    db.commit()

    report = sync.run_sync(db, client, batch=500)

    assert report is not None and report.status == SyncStatus.OK
    db.refresh(dead)
    assert dead.status == SyncStatus.FAILED and dead.last_error == sync.INTERRUPTED


def test_schedule_is_due_after_the_interval_or_on_request(db: Session, client: ErpClient):
    now = utcnow()
    assert sync.is_due(db, now=now, interval_seconds=1200)
    sync.run_sync(db, client, batch=500)
    assert not sync.is_due(db, now=utcnow(), interval_seconds=1200)
    assert sync.is_due(db, now=utcnow() + timedelta(minutes=21), interval_seconds=1200)


def test_changed_indexed_columns_are_applied_and_an_older_version_still_loses(
    db: Session, erp: FakeErp, client: ErpClient
):
    sync.run_sync(db, client, batch=100)
    cert = db.exec(select(Certificate).where(Certificate.erp_id == "CRT-00000004")).one()
    code, org = cert.public_code, cert.organisation_id
    other_org = erp.data.erp_id("organisations", 5)
    # indexed columns (number, batch, issued_on, organisation) and a plain one change
    erp.data.touch(
        "certificates",
        4,
        number="СК-НОВЫЙ-4",
        batch="П-НОВАЯ",
        issued_on="2026-10-30",
        organisation=other_org,
        consignee='ООО "Другой"',
    )
    erp.data.touch("documents", 6, doc_date="2026-10-29", consignee='ООО "Другой"')
    erp.data.touch("orders", 2, status="cancelled", amount="1.50", consignee='ООО "Другой"')

    report = sync.run_sync(db, client, batch=100)

    assert report is not None and report.status == SyncStatus.OK and report.rows_in == 3
    db.expire_all()
    cert = db.exec(select(Certificate).where(Certificate.erp_id == "CRT-00000004")).one()
    assert (cert.number, cert.batch, cert.issued_on.isoformat(), cert.consignee) == (
        "СК-НОВЫЙ-4",
        "П-НОВАЯ",
        "2026-10-30",
        'ООО "Другой"',
    )
    assert cert.organisation_id != org and cert.public_code == code  # the QR code stays
    doc = db.exec(select(ShippingDocument).where(ShippingDocument.erp_id == "DOC-00000006")).one()
    assert doc.doc_date.isoformat() == "2026-10-29" and doc.consignee == 'ООО "Другой"'
    order = db.exec(select(Order).where(Order.erp_id == "ORD-00000002")).one()
    assert (order.status, str(order.amount)) == ("cancelled", "1.50")
    # the indexes answer with the new values (the rows were re-indexed, not only rewritten)
    assert db.exec(
        select(Certificate.id).where(
            Certificate.organisation_id == cert.organisation_id, Certificate.batch == "П-НОВАЯ"
        )
    ).all() == [cert.id]
    assert db.exec(
        select(Order.id).where(
            Order.organisation_id == order.organisation_id, Order.status == "cancelled"
        )
    ).all()
    # a replay of the old pages (watermarks lost) changes none of it back
    db.exec(sa.delete(ErpWatermark))  # type: ignore[call-overload]
    db.commit()

    sync.run_sync(db, client, batch=100)

    db.expire_all()
    cert = db.exec(select(Certificate).where(Certificate.erp_id == "CRT-00000004")).one()
    assert (cert.number, cert.batch, cert.public_code) == ("СК-НОВЫЙ-4", "П-НОВАЯ", code)
    doc = db.exec(select(ShippingDocument).where(ShippingDocument.erp_id == "DOC-00000006")).one()
    assert doc.doc_date.isoformat() == "2026-10-29"
    order = db.exec(select(Order).where(Order.erp_id == "ORD-00000002")).one()
    assert order.status == "cancelled"


def test_columns_the_erp_does_not_send_get_their_defaults_and_keep_portal_values(
    db: Session, erp: FakeErp, client: ErpClient
):
    sync.run_sync(db, client, batch=100)
    order = db.exec(select(Order).where(Order.erp_id == "ORD-00000007")).one()
    assert order.pending_request is False  # the model's default, filled on insert
    order.pending_request = True  # the portal's own flag (a change request waits)
    db.add(order)
    db.commit()
    erp.data.touch("orders", 7, location="Сургут (Свердл.)")

    sync.run_sync(db, client, batch=100)

    db.expire_all()
    order = db.exec(select(Order).where(Order.erp_id == "ORD-00000007")).one()
    assert order.location == "Сургут (Свердл.)" and order.pending_request is True


def _keys(db: Session, model: type, parent_col: str, parent_id: int) -> list[str | None]:
    rows = db.exec(select(model.erp_id).where(getattr(model, parent_col) == parent_id)).all()  # type: ignore[attr-defined]
    return sorted(rows, key=lambda k: k or "")


class _Pages:
    """A change feed that serves one page of given rows per entity (the rest empty)."""

    def __init__(self, rows: dict[str, list[dict]]) -> None:
        self.rows = rows

    def changes(self, entity: str, since: str, limit: int) -> Page:
        if since == "":
            return Page(rows=self.rows.get(entity, []), next="done", has_more=False)
        return Page(rows=[], next=since, has_more=False)


def test_child_rows_the_erp_no_longer_lists_are_removed(
    db: Session, erp: FakeErp, client: ErpClient
):
    sync.run_sync(db, client, batch=100)
    data = erp.data
    i = next(k for k in range(SIZES["orders"]) if len(data.current("orders", k)["lines"]) >= 2)
    row = data.current("orders", i)
    order = db.exec(select(Order).where(Order.erp_id == row["erp_id"])).one()
    assert order.id is not None
    lines = sorted(line["erp_id"] for line in row["lines"])
    assert _keys(db, OrderLine, "order_id", order.id) == lines
    # the portal's own timeline line (no ERP key) about a change request
    db.add(
        OrderEvent(
            order_id=order.id,
            organisation_id=order.organisation_id,
            title="Запрос на изменение отправлен",
            at=utcnow(),
        )
    )
    db.commit()
    kept_vehicles = _keys(db, OrderVehicle, "order_id", order.id)
    # the ERP takes the second line off, drops the timeline, and does not send vehicles
    data.touch("orders", i, lines=[row["lines"][0]], events=[], vehicles=None)
    inv = data.current("invoices", 1)
    data.touch("invoices", 1, schedule=inv["schedule"][:0], operations=inv["operations"][:1])

    report = sync.run_sync(db, client, batch=100)

    assert report is not None and report.status == SyncStatus.OK and report.rows_failed == 0
    db.expire_all()
    assert _keys(db, OrderLine, "order_id", order.id) == [row["lines"][0]["erp_id"]]
    assert _keys(db, OrderEvent, "order_id", order.id) == [None]  # only the portal's own
    assert _keys(db, OrderVehicle, "order_id", order.id) == kept_vehicles  # not sent: kept
    invoice = db.exec(select(Invoice).where(Invoice.erp_id == inv["erp_id"])).one()
    assert _keys(db, PaymentScheduleItem, "invoice_id", invoice.id) == []
    assert _keys(db, FinanceOperation, "invoice_id", invoice.id) == [inv["operations"][0]["erp_id"]]
    # other orders keep their lines
    other = data.current("orders", (i + 1) % SIZES["orders"])
    other_id = db.exec(select(Order.id).where(Order.erp_id == other["erp_id"])).one()
    assert _keys(db, OrderLine, "order_id", other_id) == sorted(
        line["erp_id"] for line in other["lines"]
    )

    # An older version of the order arrives late (its full list of lines): the stored newer
    # version wins, and its lines are neither brought back nor removed.
    stale = dict(row, lines=row["lines"][1:])
    db.exec(sa.delete(ErpWatermark).where(col(ErpWatermark.entity) == "orders"))  # type: ignore[call-overload]
    db.commit()
    report = sync.run_sync(db, _Pages({"orders": [stale]}), batch=100, entities=("orders",))
    assert report is not None and report.status == SyncStatus.OK and report.rows_in == 1

    db.expire_all()
    assert _keys(db, OrderLine, "order_id", order.id) == [row["lines"][0]["erp_id"]]


def _statements(db: Session) -> list[str]:
    """The SQL the session's connection runs from now on (the test's connection)."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(db.connection(), "before_cursor_execute", record)
    return seen


def test_a_delta_of_plain_changes_is_written_in_place(db: Session, erp: FakeErp, client):
    """SQLite: stored rows with a newer version and the same indexed values and parents take
    one conditional UPDATE each (`bulk.update_in_place`): no probe, no upsert."""
    sync.run_sync(db, client, batch=100)
    for i in (3, 40, 77):
        erp.data.touch("certificates", i, consignee=f'ООО "Получатель {i}"', quantity="7.5")
        erp.data.touch("documents", i, consignee=f'ООО "Получатель {i}"', amount="10.25")
    seen = _statements(db)

    report = sync.run_sync(db, client, batch=100)

    assert report is not None and report.status == SyncStatus.OK and report.rows_in == 6
    db.expire_all()
    for i in (3, 40, 77):
        cert = db.exec(select(Certificate).where(Certificate.erp_id == f"CRT-{i:08d}")).one()
        assert (cert.consignee, float(cert.quantity or 0)) == (f'ООО "Получатель {i}"', 7.5)
        doc = db.exec(
            select(ShippingDocument).where(ShippingDocument.erp_id == f"DOC-{i:08d}")
        ).one()
        assert (doc.consignee, str(doc.amount)) == (f'ООО "Получатель {i}"', "10.25")
    if db.get_bind().dialect.name != "sqlite":
        return
    writes = [s for s in seen if s.startswith(("UPDATE certificates", "UPDATE shipping_documents"))]
    assert len(writes) == 2 and all("WHERE erp_id = ?" in s for s in writes)
    assert not [
        s for s in seen if s.startswith(("INSERT INTO certificates", "INSERT INTO shipping"))
    ]


def test_a_batch_the_in_place_update_cannot_take_whole_goes_the_full_way(
    db: Session, erp: FakeErp, client: ErpClient
):
    """A new row, a changed indexed value, a moved order and an unknown order in one batch
    with plain changes: the rows land as the full path writes them, the unknown order is
    reported, and the next plain batch goes in place again."""
    sync.run_sync(db, client, batch=100)
    db.exec(sa.delete(Certificate).where(col(Certificate.erp_id) == "CRT-00000009"))  # type: ignore[call-overload]
    db.commit()
    other_order = erp.data.erp_id("orders", 11)
    erp.data.touch("certificates", 9, consignee='ООО "Снова"')  # not stored: inserted
    erp.data.touch("certificates", 10, consignee='ООО "Простое"')  # plain
    erp.data.touch("certificates", 12, batch="П-ИНАЯ")  # an indexed column
    erp.data.touch("certificates", 13, order=other_order)  # another stored order
    erp.data.touch("certificates", 14, order="ORD-99999999", consignee='ООО "Нет"')  # unknown

    report = sync.run_sync(db, client, batch=100)

    assert report is not None and report.status == SyncStatus.PARTIAL
    assert (report.rows_in, report.rows_failed) == (5, 1)
    issue = db.exec(select(SyncIssue).where(SyncIssue.run_id == report.run_id)).one()
    assert (issue.erp_id, issue.error) == ("CRT-00000014", "нет заказа ORD-99999999")
    db.expire_all()

    def cert(i: int) -> Certificate:
        return db.exec(select(Certificate).where(Certificate.erp_id == f"CRT-{i:08d}")).one()

    assert cert(9).consignee == 'ООО "Снова"' and cert(9).public_code
    assert cert(10).consignee == 'ООО "Простое"'
    assert cert(12).batch == "П-ИНАЯ"
    moved = db.exec(select(Order).where(Order.erp_id == other_order)).one()
    assert cert(13).order_id == moved.id
    assert cert(14).consignee != 'ООО "Нет"'  # the failed row is left as it was
    assert db.exec(select(Certificate.id).where(Certificate.batch == "П-ИНАЯ")).all() == [
        cert(12).id
    ]  # re-indexed

    erp.data.touch("certificates", 15, consignee='ООО "Дальше"')
    seen = _statements(db)
    again = sync.run_sync(db, client, batch=100)
    assert again is not None and again.status == SyncStatus.OK and again.rows_in == 1
    db.expire_all()
    assert cert(15).consignee == 'ООО "Дальше"'
    if db.get_bind().dialect.name == "sqlite":
        assert not [s for s in seen if s.startswith("INSERT INTO certificates")]
