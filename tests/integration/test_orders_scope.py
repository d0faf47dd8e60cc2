"""Orders, documents and finance never leak across organisations: by id, by search, by list.
Also the factories the other orders/finance/documents integration tests use."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.documents import queries as dq
from cabinet.errors import NotFound
from cabinet.finance import queries as fq
from cabinet.orders import queries as oq
from cabinet.orders.rules import search_text
from models import (
    Certificate,
    Contract,
    Invoice,
    ManagerAssignment,
    Membership,
    Order,
    Organisation,
    ShippingDocument,
    User,
)

pytestmark = pytest.mark.db

_seq = itertools.count(1)
TODAY = date(2026, 11, 29)


def make_user(db, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Покупатель {n}",
        email=f"buyer{n}@orders.test",
        phone=f"+7907{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    if role:
        grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


def make_org(db, name: str) -> Organisation:
    n = next(_seq)
    org = Organisation(name=name, inn=f"77{n:08d}")
    db.add(org)
    db.flush()
    return org


def make_order(db, org: Organisation, number: str, *, status: str = "placed", **kw) -> Order:
    n = next(_seq)
    o = Order(
        erp_id=f"T-O-{n}",
        organisation_id=org.id,
        number=number,
        status=status,
        route_from=kw.pop("route_from", "Выкса"),
        route_to=kw.pop("route_to", "Сургут"),
        consignee=kw.pop("consignee", org.name),
        product_summary=kw.pop("product", "Труба 530×10"),
        amount=kw.pop("amount", Decimal("1000.00")),
        created_at=kw.pop("created_at", datetime(2026, 11, 1, tzinfo=UTC)),
        **kw,
    )
    o.search_text = search_text(o.number, o.route_from, o.route_to, o.consignee, o.product_summary)
    db.add(o)
    db.flush()
    return o


def make_certificate(db, org: Organisation, number: str, batch: str, **kw) -> Certificate:
    n = next(_seq)
    c = Certificate(
        erp_id=f"T-Q-{n}",
        organisation_id=org.id,
        number=number,
        batch=batch,
        product_name=kw.pop("product_name", "Труба электросварная"),
        grade=kw.pop("grade", "К52"),
        issued_on=kw.pop("issued_on", date(2026, 11, 1)),
        consignee=kw.pop("consignee", org.name),
        producer="АО «ВМЗ»",
        **kw,
    )
    db.add(c)
    db.flush()
    return c


def make_document(db, org: Organisation, number: str, **kw) -> ShippingDocument:
    n = next(_seq)
    d = ShippingDocument(
        erp_id=f"T-D-{n}",
        organisation_id=org.id,
        number=number,
        doc_type=kw.pop("doc_type", "upd"),
        doc_date=kw.pop("doc_date", date(2026, 11, 2)),
        delivery_type=kw.pop("delivery_type", "rail"),
        consignee=kw.pop("consignee", org.name),
        **kw,
    )
    db.add(d)
    db.flush()
    return d


def make_contract(db, org: Organisation, number: str, **kw) -> Contract:
    n = next(_seq)
    c = Contract(
        erp_id=f"T-C-{n}",
        organisation_id=org.id,
        number=number,
        status=kw.pop("status", "active"),
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
        credit_limit=kw.pop("credit_limit", Decimal("100000.00")),
        **kw,
    )
    db.add(c)
    db.flush()
    return c


def make_invoice(db, org: Organisation, number: str, *, due_days_ago: int, **kw) -> Invoice:
    n = next(_seq)
    due = TODAY - timedelta(days=due_days_ago)
    inv = Invoice(
        erp_id=f"T-I-{n}",
        organisation_id=org.id,
        number=number,
        issued_on=kw.pop("issued_on", due - timedelta(days=30)),
        due_on=due,
        amount=kw.pop("amount", Decimal("100.00")),
        paid_amount=kw.pop("paid_amount", Decimal("0.00")),
        status=kw.pop("status", "issued"),
        **kw,
    )
    db.add(inv)
    db.flush()
    return inv


class World:
    def __init__(self, db):
        ensure_builtin_roles(db)
        self.org = make_org(db, "ООО «Ромашка»")
        self.other = make_org(db, "ООО «Чужая»")
        self.client = make_user(db, role=BuiltinRole.CUSTOMER, org=self.org)
        self.stranger = make_user(db, role=BuiltinRole.CUSTOMER, org=self.other)
        self.manager = make_user(db, role=BuiltinRole.MANAGER)
        self.foreign_manager = make_user(db, role=BuiltinRole.MANAGER)
        self.admin = make_user(db, role=BuiltinRole.ADMIN)
        db.add(ManagerAssignment(manager_id=self.manager.id, organisation_id=self.org.id))
        db.add(ManagerAssignment(manager_id=self.foreign_manager.id, organisation_id=self.other.id))
        db.flush()
        self.order = make_order(db, self.org, "З-2026-100001", status="in_progress")
        self.their_order = make_order(
            db, self.other, "З-2026-900001", consignee="ООО «Секретный получатель»"
        )
        self.cert = make_certificate(db, self.org, "СК-2026-000101", "П-2026-0417")
        self.their_cert = make_certificate(db, self.other, "СК-2026-000102", "П-2026-0418")
        self.doc = make_document(db, self.org, "УПД-000101")
        self.their_doc = make_document(db, self.other, "УПД-000102")
        self.contract = make_contract(db, self.org, "РМ-1")
        self.their_contract = make_contract(db, self.other, "ЧЖ-1")
        self.invoice = make_invoice(db, self.org, "СЧ-101", due_days_ago=10)
        self.their_invoice = make_invoice(
            db, self.other, "СЧ-102", due_days_ago=10, amount=Decimal("5000.00")
        )

    def actor(self, db, user: User):
        return load_actor(db, user.id)


@pytest.fixture
def w(db):
    return World(db)


def test_another_organisations_order_by_id_is_not_found(db, w):
    stranger = w.actor(db, w.stranger)
    with pytest.raises(NotFound):
        oq.order_view(db, stranger, w.order.id)
    with pytest.raises(NotFound):
        oq.order_view(db, w.actor(db, w.foreign_manager), w.order.id)
    assert oq.order_view(db, w.actor(db, w.client), w.order.id).number == "З-2026-100001"
    assert oq.order_view(db, w.actor(db, w.manager), w.order.id).number == "З-2026-100001"


@pytest.mark.parametrize("bad_id", ["", "abc", "-1", "0", "99999999999", None, "1 OR 1=1"])
def test_malformed_ids_answer_not_found(db, w, bad_id):
    with pytest.raises(NotFound):
        oq.order_view(db, w.actor(db, w.client), bad_id)


def test_registry_and_search_show_only_own_organisation(db, w):
    client = w.actor(db, w.client)
    rows = oq.order_registry(db, client, oq.Filters()).rows
    assert [r.number for r in rows] == ["З-2026-100001"]
    # Searching for the other organisation's number, consignee or route finds nothing.
    assert oq.order_registry(db, client, oq.Filters(number="З-2026-9")).rows == []
    assert oq.order_registry(db, client, oq.Filters(route="секретный")).rows == []
    assert oq.order_registry(db, client, oq.Filters(q="900001")).rows == []
    # Asking for the other organisation explicitly finds nothing either.
    assert oq.order_registry(db, client, oq.Filters(org=w.other.id)).rows == []
    assert oq.status_counts(db, client) == {"in_progress": 1, "": 1}


def test_certificates_and_documents_search_cannot_leak(db, w):
    client = w.actor(db, w.client)
    assert [
        r.batch for r in dq.certificate_registry(db, client, dq.CertFilters(batch="П-2026-04")).rows
    ] == ["П-2026-0417"]
    assert (
        dq.certificate_registry(db, client, dq.CertFilters(batch="П-2026-0418", exact=True)).rows
        == []
    )
    assert dq.certificate_registry(db, client, dq.CertFilters(number="СК-2026-000102")).rows == []
    assert dq.document_registry(db, client, dq.DocFilters(number="УПД-000102")).rows == []
    assert [
        r.number for r in dq.document_registry(db, client, dq.DocFilters(number="упд")).rows
    ] == ["УПД-000101"]
    for fn, obj in (
        (dq.access_certificate, w.their_cert),
        (dq.access_document, w.their_doc),
        (dq.certificate_download, w.their_cert),
        (dq.document_download, w.their_doc),
    ):
        with pytest.raises(NotFound):
            fn(db, client, obj.id)


def test_staff_see_their_organisations_and_admin_all(db, w):
    manager = w.actor(db, w.manager)
    assert {r.number for r in oq.order_registry(db, manager, oq.Filters()).rows} == {
        "З-2026-100001"
    }
    assert dq.certificate_registry(db, manager, dq.CertFilters(batch="П-2026-0418")).rows == []
    admin = w.actor(db, w.admin)
    numbers = {r.number for r in oq.order_registry(db, admin, oq.Filters()).rows}
    assert {"З-2026-100001", "З-2026-900001"} <= numbers


def test_finance_is_scoped_too(db, w):
    client = w.actor(db, w.client)
    numbers = [
        r.number for r in fq.invoice_registry(db, client, fq.InvoiceFilters(), today=TODAY).rows
    ]
    assert numbers == ["СЧ-101"]
    assert (
        fq.invoice_registry(db, client, fq.InvoiceFilters(number="СЧ-102"), today=TODAY).rows == []
    )
    with pytest.raises(NotFound):
        fq.contract_view(db, client, w.their_contract.id, today=TODAY)
    ov = fq.overview(db, client, today=TODAY)
    assert ov.overdue_total == "100,00 ₽"  # not the other organisation's 5 000
    assert [c.number for c in ov.contracts] == ["РМ-1"]
    stranger = w.actor(db, w.stranger)
    assert fq.overview(db, stranger, org=w.org.id, today=TODAY).amount_due == "0,00 ₽"


def test_user_without_organisation_sees_nothing(db, w):
    lonely = w.actor(db, make_user(db))
    assert oq.order_registry(db, lonely, oq.Filters()).rows == []
    assert dq.certificate_registry(db, lonely, dq.CertFilters()).rows == []
    assert fq.invoice_registry(db, lonely, fq.InvoiceFilters(), today=TODAY).rows == []


def test_exports_hold_only_the_callers_rows(db, w):
    client = w.actor(db, w.client)
    rows = list(oq.export_rows(db, client, oq.Filters()))
    assert [r[0] for r in rows] == ["З-2026-100001"]
    assert len(rows[0]) == len(oq.EXPORT_HEADERS)
    invoices = list(fq.invoice_export_rows(db, client, fq.InvoiceFilters(), today=TODAY))
    assert [r[0] for r in invoices] == ["СЧ-101"]


def test_staff_filter_by_organisation_stays_inside_their_scope(db, w):
    admin = w.actor(db, w.admin)
    assert oq.org_by_inn(db, w.other.inn) == w.other.id
    assert oq.org_by_inn(db, "12") is None
    only_other = oq.order_registry(db, admin, oq.Filters(org=w.other.id)).rows
    assert [r.number for r in only_other] == ["З-2026-900001"]
    manager = w.actor(db, w.manager)  # assigned to the first organisation only
    assert oq.order_registry(db, manager, oq.Filters(org=w.other.id)).rows == []
    assert oq.status_counts(db, manager, w.other.id) == {"": 0}
