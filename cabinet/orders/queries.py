"""Reads of orders, scoped by the caller's organisations; plain dataclasses out.

Every query goes through `rules.org_scope(actor)`: a customer sees the organisations they
belong to and hold ORDERS_VIEW in; staff with ORDERS_STAFF the organisations they may see.
A record outside the scope answers "not found", exactly as a missing one does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.documents import rules as doc_rules
from cabinet.errors import NotFound
from cabinet.finance import rules as fin
from cabinet.formatting import fmt_date, fmt_dt
from cabinet.orders import rules
from cabinet.orders.listing import CodecSortSpec, day_start, scoped
from cabinet.pagination import SortSpec, fetch_page
from models import (
    Certificate,
    Contract,
    Invoice,
    Order,
    OrderChangeRequest,
    OrderEvent,
    OrderLine,
    OrderService,
    OrderVehicle,
    Organisation,
    ShippingDocument,
    User,
)
from models.base import utcnow

PAGE_SIZE = 20
NOT_FOUND = "Заказ не найден."


# --------------------------------------------------------------------------- scope


def access_order(session: Session, actor: Actor, order_id: object, *, lock: bool = False) -> Order:
    """Fetch and authorise in one call: missing and forbidden both answer NotFound."""
    try:
        oid = int(str(order_id))
    except (TypeError, ValueError):
        raise NotFound(NOT_FOUND) from None
    if not 0 < oid < 2**31:
        raise NotFound(NOT_FOUND)
    stmt = select(Order).where(Order.id == oid)
    if lock:
        stmt = stmt.with_for_update()
    order = session.exec(stmt).first()
    if order is None or not rules.may_see(actor, order.organisation_id):
        raise NotFound(NOT_FOUND)
    return order


def scope_orgs(
    session: Session, actor: Actor, perm: Perm = Perm.ORDERS_VIEW
) -> list[dict[str, str]]:
    """The organisations in the caller's scope for a filter select ([] when it is "all" or
    more than 50: staff then filter by INN)."""
    scope = rules.org_scope(actor, perm)
    if scope is None or not scope or len(scope) > 50:
        return []
    rows = session.exec(
        select(Organisation.id, Organisation.name)
        .where(col(Organisation.id).in_(sorted(scope)))
        .order_by(col(Organisation.name))
    ).all()
    return [{"value": str(i), "label": n} for i, n in rows]


def org_by_inn(session: Session, inn: str) -> int | None:
    inn = "".join(ch for ch in inn if ch.isdigit())[:12]
    if len(inn) not in (10, 12):
        return None
    return session.exec(select(Organisation.id).where(Organisation.inn == inn)).first()


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Filters:
    tab: str = ""  # "" or an OrderStatus
    org: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    route: str = ""  # route or consignee (words)
    product: str = ""
    number: str = ""  # prefix of the order number
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    q: str = ""
    sort: str = "new"


_SPECS: dict[str, SortSpec] = {
    "new": SortSpec("orders.new", Order.id, Order.created_at, descending=True),
    "old": SortSpec("orders.old", Order.id, Order.created_at, descending=False),
    "amount_desc": CodecSortSpec(
        "orders.amount_desc", Order.id, Order.amount, descending=True, codec="decimal"
    ),
    "amount_asc": CodecSortSpec(
        "orders.amount_asc", Order.id, Order.amount, descending=False, codec="decimal"
    ),
}


@dataclass
class OrderRow:
    id: int
    number: str
    status: str
    status_label: str
    status_color: str
    pending_request: bool
    organisation: str
    route: str
    consignee: str
    product: str
    amount: str
    created_at: str
    planned_shipment: str
    location: str
    href: str


@dataclass
class OrderPage:
    rows: list[OrderRow]
    next_after: str
    prev_before: str
    many_orgs: bool = False


def _words(text: str) -> list[str]:
    return [w for w in " ".join(text.split())[:100].lower().split(" ") if w][:5]


def filtered(stmt: Any, f: Filters, actor: Actor) -> Any:
    stmt = scoped(stmt, Order.organisation_id, rules.org_scope(actor), f.org)
    if f.tab in rules.STATUS_LABELS:
        stmt = stmt.where(Order.status == f.tab)
    start, end = day_start(f.date_from), day_start(f.date_to, end=True)
    if start is not None:
        stmt = stmt.where(col(Order.created_at) >= start)
    if end is not None:
        stmt = stmt.where(col(Order.created_at) < end)
    term = doc_rules.term_range(f.number, exact=False)
    if term.low is not None:
        stmt = stmt.where(col(Order.number) >= term.low)
        if term.high is not None:
            stmt = stmt.where(col(Order.number) < term.high)
    for w in _words(f.route) + _words(f.product) + _words(f.q):
        stmt = stmt.where(col(Order.search_text).contains(w, autoescape=True))
    if f.amount_min is not None:
        stmt = stmt.where(col(Order.amount) >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(col(Order.amount) <= f.amount_max)
    return stmt


def _route(o: Order) -> str:
    if o.route_from or o.route_to:
        return f"{o.route_from or '—'} → {o.route_to or '—'}"
    return ""


def _row(o: Order, org: str) -> OrderRow:
    return OrderRow(
        id=o.id or 0,
        number=o.number,
        status=o.status,
        status_label=rules.status_label(o.status),
        status_color=rules.STATUS_COLORS.get(o.status, "gray"),
        pending_request=o.pending_request,
        organisation=org,
        route=_route(o),
        consignee=o.consignee,
        product=o.product_summary,
        amount=fin.fmt_money(o.amount, o.currency),
        created_at=fmt_date(o.created_at),
        planned_shipment=o.planned_shipment_on.strftime("%d.%m.%Y")
        if o.planned_shipment_on
        else "",
        location=o.location,
        href=routes.order_url(o.id or 0),
    )


def order_registry(
    session: Session,
    actor: Actor,
    f: Filters,
    *,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> OrderPage:
    """One keyset page of the orders registry, filtered and scoped."""
    sort = f.sort if f.sort in _SPECS else "new"
    spec = _SPECS[sort]
    stmt = filtered(
        select(Order, Organisation.name).join(
            Organisation, col(Organisation.id) == Order.organisation_id
        ),
        f,
        actor,
    )
    page = fetch_page(
        session,
        stmt,
        spec,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: spec.key_of(row[0]),
    )
    scope = rules.org_scope(actor)
    return OrderPage(
        [_row(o, org) for o, org in page.rows],
        page.next_after,
        page.prev_before,
        many_orgs=scope is None or len(scope) > 1,
    )


EXPORT_HEADERS = [
    "Номер",
    "Статус",
    "Запрос на рассмотрении",
    "Организация",
    "Маршрут",
    "Грузополучатель",
    "Продукция / груз",
    "Сумма",
    "Дата заказа",
    "Плановая отгрузка",
    "Дислокация",
]
EXPORT_MAX = 50_000


def export_rows(session: Session, actor: Actor, f: Filters) -> Iterator[list[str]]:
    """Every registry row matching the filters, read page by page on the keyset (no OFFSET)."""
    after, sent = "", 0
    while True:
        page = order_registry(session, actor, f, after=after, limit=200)
        for r in page.rows:
            yield [
                r.number,
                r.status_label,
                "да" if r.pending_request else "",
                r.organisation,
                r.route,
                r.consignee,
                r.product,
                r.amount,
                r.created_at,
                r.planned_shipment,
                r.location,
            ]
            sent += 1
        if not page.next_after or sent >= EXPORT_MAX:
            return
        after = page.next_after


def status_counts(session: Session, actor: Actor, org: int | None = None) -> dict[str, int]:
    """Orders per status in the caller's scope (the tab badges)."""
    from sqlalchemy import func

    stmt = scoped(
        select(Order.status, func.count()).group_by(col(Order.status)),
        Order.organisation_id,
        rules.org_scope(actor),
        org,
    )
    counts = {str(s): int(n) for s, n in session.exec(stmt).all()}
    counts[""] = sum(counts.values())
    return counts


# --------------------------------------------------------------------------- one order


@dataclass
class Pair:
    label: str
    value: str


@dataclass
class LineRow:
    position: int
    product_code: str
    product_name: str
    grade: str
    dimensions: str
    standard: str
    quantity: str
    price: str
    amount: str


@dataclass
class EventRow:
    at: str
    title: str
    comment: str
    location: str
    status: str


@dataclass
class VehicleRow:
    number: str
    kind: str
    status: str
    location: str
    weight: str


@dataclass
class ServiceRow:
    name: str
    quantity: str
    amount: str
    status: str


@dataclass
class DocRow:
    kind: str  # "certificate" | "document" | "invoice"
    id: int
    title: str
    number: str
    date: str
    extra: str


@dataclass
class RequestRow:
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    status_color: str
    comment: str
    changes: str
    answer: str
    created_at: str
    author: str


@dataclass
class OrderView:
    id: int
    number: str
    status: str
    status_label: str
    status_color: str
    pending_request: bool
    organisation: str
    contract: str
    contract_id: int
    kind: str
    route_from: str
    route_to: str
    consignee: str
    product: str
    amount: str
    created_at: str
    planned_production: str
    planned_shipment: str
    planned_delivery: str
    location: str
    location_at: str
    synced_at: str
    can_request: bool
    request_refusal: str
    params: list[Pair] = field(default_factory=list)
    legal: list[Pair] = field(default_factory=list)
    lines: list[LineRow] = field(default_factory=list)
    lines_total: str = ""
    events: list[EventRow] = field(default_factory=list)
    vehicles: list[VehicleRow] = field(default_factory=list)
    services: list[ServiceRow] = field(default_factory=list)
    documents: list[DocRow] = field(default_factory=list)
    requests: list[RequestRow] = field(default_factory=list)


PARAM_LABELS = {
    "weight_t": "Вес, т",
    "volume_m3": "Объём, м³",
    "cargo_class": "Класс груза",
    "packing": "Упаковка",
    "etsng": "Код ЕТСНГ",
    "wagons": "Количество вагонов",
    "quantity_t": "Количество, т",
    "incoterms": "Условия поставки",
}
LEGAL_LABELS = {
    "supplier": "Поставщик / перевозчик",
    "supplier_inn": "ИНН поставщика",
    "customer": "Заказчик",
    "customer_inn": "ИНН заказчика",
    "payer": "Плательщик",
    "contract": "Договор",
    "specification": "Спецификация",
    "basis": "Основание",
}


def _pairs(data: dict[str, Any] | None, labels: dict[str, str]) -> list[Pair]:
    if not isinstance(data, dict):
        return []
    return [
        Pair(labels.get(str(k), str(k))[:100], str(v)[:300])
        for k, v in list(data.items())[:30]
        if v not in (None, "")
    ]


def _num(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


def _d(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


def _change_value(key: str, value: object) -> str:
    if key == "planned_shipment_on":
        try:
            return _d(date.fromisoformat(str(value)))
        except ValueError:
            pass
    return str(value)


def order_view(session: Session, actor: Actor, order_id: object) -> OrderView:
    o = access_order(session, actor, order_id)
    org = session.get(Organisation, o.organisation_id)
    contract = session.get(Contract, o.contract_id) if o.contract_id else None
    lines = session.exec(
        select(OrderLine)
        .where(OrderLine.order_id == o.id)
        .order_by(col(OrderLine.position), col(OrderLine.id))
    ).all()
    events = session.exec(
        select(OrderEvent)
        .where(OrderEvent.order_id == o.id)
        .order_by(col(OrderEvent.at), col(OrderEvent.id))
    ).all()
    vehicles = session.exec(
        select(OrderVehicle).where(OrderVehicle.order_id == o.id).order_by(col(OrderVehicle.id))
    ).all()
    services = session.exec(
        select(OrderService).where(OrderService.order_id == o.id).order_by(col(OrderService.id))
    ).all()
    certs = session.exec(
        select(Certificate)
        .where(Certificate.order_id == o.id, Certificate.organisation_id == o.organisation_id)
        .order_by(col(Certificate.issued_on), col(Certificate.id))
        .limit(200)
    ).all()
    ship = session.exec(
        select(ShippingDocument)
        .where(
            ShippingDocument.order_id == o.id,
            ShippingDocument.organisation_id == o.organisation_id,
        )
        .order_by(col(ShippingDocument.doc_date), col(ShippingDocument.id))
        .limit(200)
    ).all()
    invoices = session.exec(
        select(Invoice)
        .where(Invoice.order_id == o.id, Invoice.organisation_id == o.organisation_id)
        .order_by(col(Invoice.issued_on), col(Invoice.id))
        .limit(50)
    ).all()
    docs = [
        DocRow(
            "certificate",
            c.id or 0,
            "Сертификат качества",
            c.number,
            _d(c.issued_on),
            f"партия {c.batch}" if c.batch else "",
        )
        for c in certs
    ]
    docs += [
        DocRow(
            "document",
            d.id or 0,
            doc_rules.DOC_TYPE_LABELS.get(d.doc_type, (d.doc_type, ""))[0],
            d.number,
            _d(d.doc_date),
            doc_rules.DELIVERY_LABELS.get(d.delivery_type, (d.delivery_type, ""))[0],
        )
        for d in ship
    ]
    docs += [
        DocRow(
            "invoice",
            inv.id or 0,
            "Счёт на оплату",
            inv.number,
            _d(inv.issued_on),
            fin.fmt_money(inv.amount, inv.currency),
        )
        for inv in invoices
    ]
    reqs = session.exec(
        select(OrderChangeRequest, User.full_name)
        .join(User, col(User.id) == OrderChangeRequest.created_by, isouter=True)
        .where(OrderChangeRequest.order_id == o.id)
        .order_by(col(OrderChangeRequest.created_at).desc(), col(OrderChangeRequest.id).desc())
        .limit(20)
    ).all()
    has_open = any(r.status in rules.OPEN_REQUEST for r, _ in reqs)
    refusal = rules.request_refusal(o.status, has_open or o.pending_request)
    lines_total = sum((ln.amount for ln in lines), Decimal("0"))
    return OrderView(
        id=o.id or 0,
        number=o.number,
        status=o.status,
        status_label=rules.status_label(o.status),
        status_color=rules.STATUS_COLORS.get(o.status, "gray"),
        pending_request=o.pending_request or has_open,
        organisation=org.name if org else "",
        contract=f"№ {contract.number}" if contract else "",
        contract_id=(contract.id or 0) if contract else 0,
        kind=o.kind,
        route_from=o.route_from,
        route_to=o.route_to,
        consignee=o.consignee,
        product=o.product_summary,
        amount=fin.fmt_money(o.amount, o.currency),
        created_at=fmt_date(o.created_at),
        planned_production=_d(o.planned_production_on),
        planned_shipment=_d(o.planned_shipment_on),
        planned_delivery=_d(o.planned_delivery_on),
        location=o.location,
        location_at=fmt_dt(o.location_at),
        synced_at=fmt_dt(o.erp_updated_at),
        can_request=refusal is None and rules.may_request(actor, o.organisation_id),
        request_refusal=refusal or "",
        params=_pairs(o.params, PARAM_LABELS),
        legal=_pairs(o.legal_details, LEGAL_LABELS),
        lines=[
            LineRow(
                position=ln.position,
                product_code=ln.product_code,
                product_name=ln.product_name,
                grade=ln.grade,
                dimensions=ln.dimensions,
                standard=ln.standard,
                quantity=f"{_num(ln.quantity)} {ln.unit}".strip(),
                price=fin.fmt_money(ln.price, o.currency),
                amount=fin.fmt_money(ln.amount, o.currency),
            )
            for ln in lines
        ],
        lines_total=fin.fmt_money(lines_total, o.currency) if lines else "",
        events=[
            EventRow(
                at=fmt_dt(e.at),
                title=e.title,
                comment=e.comment,
                location=e.location,
                status=e.status,
            )
            for e in events
        ],
        vehicles=[
            VehicleRow(
                number=v.number,
                kind=v.kind,
                status=v.status,
                location=v.location,
                weight=_num(v.weight_t),
            )
            for v in vehicles
        ],
        services=[
            ServiceRow(
                name=s.name,
                quantity=_num(s.quantity),
                amount=fin.fmt_money(s.amount, o.currency),
                status=s.status,
            )
            for s in services
        ],
        documents=docs,
        requests=[
            RequestRow(
                id=r.id or 0,
                kind=r.kind,
                kind_label=rules.CHANGE_KIND_LABELS.get(r.kind, (r.kind, ""))[0],
                status=r.status,
                status_label=rules.CHANGE_STATUS_LABELS.get(r.status, (r.status, ""))[0],
                status_color=rules.CHANGE_STATUS_COLORS.get(r.status, "gray"),
                comment=r.comment,
                changes="; ".join(
                    f"{rules.CHANGE_FIELDS.get(k, (k,))[0]}: {_change_value(k, v)}"
                    for k, v in (r.payload or {}).items()
                ),
                answer=r.erp_answer,
                created_at=fmt_dt(r.created_at),
                author=name or "",
            )
            for r, name in reqs
        ],
    )


# --------------------------------------------------------------------------- attention


@dataclass
class AttentionRow:
    id: int
    number: str
    status_label: str
    status_color: str
    reason: str
    href: str
    reason_en: str = ""


def attention_orders(
    session: Session,
    actor: Actor,
    *,
    org: int | None = None,
    today: date | None = None,
    limit: int = 10,
    perm: Perm = Perm.FINANCE_VIEW,
) -> list[AttentionRow]:
    """Open orders that need the customer: an overdue invoice, a missed planned shipment date,
    a rejected change request."""
    today = today or utcnow().date()
    scope = rules.org_scope(actor, perm)
    open_status = [s for s in rules.STATUS_LABELS if s not in rules.FINAL]
    reasons: dict[int, tuple[Order, str, str]] = {}
    overdue = session.exec(
        scoped(
            select(Order, Invoice.number)
            .join(Invoice, col(Invoice.order_id) == Order.id)
            .where(
                col(Invoice.status).in_(list(fin.OPEN_STATUSES)),
                col(Invoice.due_on) < today,
                col(Invoice.amount) > col(Invoice.paid_amount),
            )
            .order_by(col(Invoice.due_on))
            .limit(limit),
            Invoice.organisation_id,
            scope,
            org,
        )
    ).all()
    for o, inv_no in overdue:
        reasons.setdefault(
            o.id or 0,
            (o, f"Просрочена оплата по счёту № {inv_no}", f"Invoice No. {inv_no} is overdue"),
        )
    late = session.exec(
        scoped(
            select(Order)
            .where(
                col(Order.status).in_(open_status),
                col(Order.planned_shipment_on) < today,
            )
            .order_by(col(Order.planned_shipment_on))
            .limit(limit),
            Order.organisation_id,
            scope,
            org,
        )
    ).all()
    for o in late:
        day = _d(o.planned_shipment_on)
        reasons.setdefault(
            o.id or 0,
            (o, f"Плановая дата отгрузки {day} прошла", f"Planned shipment date {day} has passed"),
        )
    rejected = session.exec(
        scoped(
            select(Order)
            .join(OrderChangeRequest, col(OrderChangeRequest.order_id) == Order.id)
            .where(
                OrderChangeRequest.status == "rejected",
                col(Order.status).in_(open_status),
                col(Order.pending_request).is_(False),
            )
            .limit(limit),
            Order.organisation_id,
            scope,
            org,
        )
    ).all()
    for o in rejected:
        reasons.setdefault(
            o.id or 0, (o, "Запрос на изменение отклонён", "Change request rejected")
        )
    return [
        AttentionRow(
            id=oid,
            number=o.number,
            status_label=rules.status_label(o.status),
            status_color=rules.STATUS_COLORS.get(o.status, "gray"),
            reason=reason,
            href=routes.order_url(oid),
            reason_en=reason_en,
        )
        for oid, (o, reason, reason_en) in list(reasons.items())[:limit]
    ]
