"""Reads of finance data (invoices, contracts, schedule, operations), scoped by the caller's
organisations with FINANCE_VIEW (customers) or ORDERS_STAFF (staff); plain dataclasses out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.documents import rules as doc_rules
from cabinet.errors import NotFound
from cabinet.finance import rules as fin
from cabinet.orders import queries as order_queries
from cabinet.orders import rules as order_rules
from cabinet.orders.listing import CodecSortSpec, scoped
from cabinet.pagination import fetch_page
from models import (
    Contract,
    FinanceOperation,
    Invoice,
    Order,
    Organisation,
    PaymentScheduleItem,
)
from models.base import utcnow
from models.finance import InvoiceStatus

PERM = Perm.FINANCE_VIEW
PAGE_SIZE = 20


def scope(actor: Actor) -> frozenset[int] | None:
    return order_rules.org_scope(actor, PERM)


def _today(today: date | None) -> date:
    return today or utcnow().date()


def _d(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


# --------------------------------------------------------------------------- invoices registry


@dataclass(frozen=True)
class InvoiceFilters:
    tab: str = ""  # "", "open", "overdue", "paid", "cancelled"
    org: int | None = None
    contract: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    number: str = ""
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    sort: str = "new"


INVOICE_TABS: dict[str, tuple[str, str]] = {
    "": ("Все", "All"),
    "open": ("К оплате", "To pay"),
    "overdue": ("Просроченные", "Overdue"),
    "paid": ("Оплаченные", "Paid"),
    "cancelled": ("Аннулированные", "Cancelled"),
}
INVOICE_SORTS: dict[str, tuple[str, str]] = {
    "new": ("Сначала новые", "Newest first"),
    "old": ("Сначала старые", "Oldest first"),
    "due": ("По сроку оплаты", "By due date"),
    "amount_desc": ("Сначала крупные", "Largest first"),
}
_SPECS = {
    "new": CodecSortSpec("invoices.new", Invoice.id, Invoice.issued_on, descending=True),
    "old": CodecSortSpec("invoices.old", Invoice.id, Invoice.issued_on, descending=False),
    "due": CodecSortSpec("invoices.due", Invoice.id, Invoice.due_on, descending=False),
    "amount_desc": CodecSortSpec(
        "invoices.amount", Invoice.id, Invoice.amount, descending=True, codec="decimal"
    ),
}


@dataclass
class InvoiceRow:
    id: int
    number: str
    issued_on: str
    due_on: str
    amount: str
    paid: str
    outstanding: str
    status: str
    status_label: str
    status_color: str
    days_overdue: int
    contract: str
    contract_href: str
    order: str
    order_href: str
    organisation: str


@dataclass
class InvoicePage:
    rows: list[InvoiceRow]
    next_after: str
    prev_before: str


def _open_overdue(today: date) -> list[Any]:
    return [
        col(Invoice.status).in_(list(fin.OPEN_STATUSES)),
        col(Invoice.due_on) < today,
        col(Invoice.amount) > col(Invoice.paid_amount),
    ]


def invoice_stmt(actor: Actor, f: InvoiceFilters, today: date) -> Any:
    stmt = (
        select(Invoice, Contract.number, Order.number, Organisation.name)
        .join(Organisation, col(Organisation.id) == Invoice.organisation_id)
        .join(Contract, col(Contract.id) == Invoice.contract_id, isouter=True)
        .join(Order, col(Order.id) == Invoice.order_id, isouter=True)
    )
    stmt = scoped(stmt, Invoice.organisation_id, scope(actor), f.org)
    if f.tab == "open":
        stmt = stmt.where(col(Invoice.status).in_(list(fin.OPEN_STATUSES)))
    elif f.tab == "overdue":
        stmt = stmt.where(*_open_overdue(today))
    elif f.tab == "paid":
        stmt = stmt.where(Invoice.status == InvoiceStatus.PAID)
    elif f.tab == "cancelled":
        stmt = stmt.where(Invoice.status == InvoiceStatus.CANCELLED)
    if f.contract is not None:
        stmt = stmt.where(Invoice.contract_id == f.contract)
    if f.date_from is not None:
        stmt = stmt.where(col(Invoice.issued_on) >= f.date_from)
    if f.date_to is not None:
        stmt = stmt.where(col(Invoice.issued_on) <= f.date_to)
    term = doc_rules.term_range(f.number, exact=False)
    if term.low is not None:
        stmt = stmt.where(col(Invoice.number) >= term.low)
        if term.high is not None:
            stmt = stmt.where(col(Invoice.number) < term.high)
    if f.amount_min is not None:
        stmt = stmt.where(col(Invoice.amount) >= f.amount_min)
    if f.amount_max is not None:
        stmt = stmt.where(col(Invoice.amount) <= f.amount_max)
    if f.sort == "due":
        stmt = stmt.where(col(Invoice.due_on).is_not(None))
    return stmt


def _invoice_row(
    inv: Invoice, contract_no: str | None, order_no: str | None, org: str, today: date
) -> InvoiceRow:
    rest = fin.outstanding(inv.amount, inv.paid_amount)
    status = fin.invoice_display_status(inv.status, inv.due_on, rest, today)
    open_ = inv.status in fin.OPEN_STATUSES
    return InvoiceRow(
        id=inv.id or 0,
        number=inv.number,
        issued_on=_d(inv.issued_on),
        due_on=_d(inv.due_on),
        amount=fin.fmt_money(inv.amount, inv.currency),
        paid=fin.fmt_money(inv.paid_amount, inv.currency),
        outstanding=fin.fmt_money(rest, inv.currency) if open_ else "",
        status=status,
        status_label=fin.INVOICE_STATUS_LABELS.get(status, (status, ""))[0],
        status_color=fin.INVOICE_STATUS_COLORS.get(status, "gray"),
        days_overdue=fin.days_overdue(inv.due_on, today) if status == "overdue" else 0,
        contract=f"№ {contract_no}" if contract_no else "",
        contract_href=routes.contract_url(inv.contract_id) if inv.contract_id else "",
        order=order_no or "",
        order_href=routes.order_url(inv.order_id) if inv.order_id else "",
        organisation=org,
    )


def invoice_registry(
    session: Session,
    actor: Actor,
    f: InvoiceFilters,
    *,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
    today: date | None = None,
) -> InvoicePage:
    today = _today(today)
    sort = f.sort if f.sort in _SPECS else "new"
    spec = _SPECS[sort]
    page = fetch_page(
        session,
        invoice_stmt(actor, f, today),
        spec,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: spec.key_of(row[0]),
    )
    return InvoicePage(
        [_invoice_row(i, c, o, org, today) for i, c, o, org in page.rows],
        page.next_after,
        page.prev_before,
    )


INVOICE_EXPORT_HEADERS = [
    "Номер",
    "Дата",
    "Срок оплаты",
    "Сумма",
    "Оплачено",
    "Остаток",
    "Статус",
    "Дней просрочки",
    "Договор",
    "Заказ",
    "Организация",
]


def invoice_export_rows(
    session: Session, actor: Actor, f: InvoiceFilters, *, today: date | None = None
) -> Iterator[list[str]]:
    after, sent = "", 0
    while True:
        page = invoice_registry(session, actor, f, after=after, limit=200, today=today)
        for r in page.rows:
            yield [
                r.number,
                r.issued_on,
                r.due_on,
                r.amount,
                r.paid,
                r.outstanding,
                r.status_label,
                str(r.days_overdue or ""),
                r.contract,
                r.order,
                r.organisation,
            ]
            sent += 1
        if not page.next_after or sent >= order_queries.EXPORT_MAX:
            return
        after = page.next_after


# --------------------------------------------------------------------------- contracts


@dataclass
class ContractRow:
    id: int
    number: str
    title: str
    organisation: str
    status: str
    status_label: str
    status_color: str
    valid: str
    credit_limit: str
    balance: str
    balance_negative: bool
    month_debt: str
    href: str


def _validity(c: Contract) -> str:
    if c.valid_from and c.valid_to:
        return f"{_d(c.valid_from)} — {_d(c.valid_to)}"
    if c.valid_from:
        return f"с {_d(c.valid_from)}, бессрочно"
    return ""


def _month_debts(session: Session, contract_ids: list[int], today: date) -> dict[int, Decimal]:
    """Per contract: what is still unpaid of the invoices issued since the 1st of this month."""
    if not contract_ids:
        return {}
    rows = session.exec(
        select(col(Invoice.contract_id), col(Invoice.amount), col(Invoice.paid_amount)).where(
            col(Invoice.contract_id).in_(contract_ids),
            col(Invoice.issued_on) >= fin.month_start(today),
            col(Invoice.status).in_(list(fin.OPEN_STATUSES)),
        )
    ).all()
    out: dict[int, Decimal] = {}
    for cid, amount, paid in rows:
        if cid is not None:
            out[cid] = out.get(cid, fin.ZERO) + fin.outstanding(amount, paid)
    return out


def _contract_row(c: Contract, org: str, month_debt: Decimal) -> ContractRow:
    return ContractRow(
        id=c.id or 0,
        number=c.number,
        title=c.title,
        organisation=org,
        status=c.status,
        status_label=fin.CONTRACT_STATUS_LABELS.get(c.status, (c.status, ""))[0],
        status_color=fin.CONTRACT_STATUS_COLORS.get(c.status, "gray"),
        valid=_validity(c),
        credit_limit=fin.fmt_money(c.credit_limit, c.currency),
        balance=fin.fmt_money(c.balance, c.currency),
        balance_negative=c.balance > 0,
        month_debt=fin.fmt_money(month_debt, c.currency),
        href=routes.contract_url(c.id or 0),
    )


def contracts(
    session: Session,
    actor: Actor,
    *,
    org: int | None = None,
    today: date | None = None,
    limit: int = 50,
) -> list[ContractRow]:
    """The organisation's contracts, active first (a customer has a handful)."""
    today = _today(today)
    rows = session.exec(
        scoped(
            select(Contract, Organisation.name)
            .join(Organisation, col(Organisation.id) == Contract.organisation_id)
            .order_by(
                col(Contract.status) != "active",
                col(Contract.valid_from).desc(),
                col(Contract.id).desc(),
            )
            .limit(limit),
            Contract.organisation_id,
            scope(actor),
            org,
        )
    ).all()
    debts = _month_debts(session, [c.id for c, _ in rows if c.id], today)
    return [_contract_row(c, name, debts.get(c.id or 0, fin.ZERO)) for c, name in rows]


@dataclass
class OperationRow:
    date: str
    kind: str
    kind_label: str
    amount: str
    incoming: bool  # decreases the debt (payment, credit note)
    document: str
    description: str
    contract: str


@dataclass
class ScheduleRow:
    due_on: str
    amount: str
    status: str
    status_label: str
    note: str
    contract: str
    overdue: bool


@dataclass
class ContractView:
    row: ContractRow
    payment_terms_days: int = 0
    invoices: list[InvoiceRow] = field(default_factory=list)
    operations: list[OperationRow] = field(default_factory=list)
    schedule: list[ScheduleRow] = field(default_factory=list)
    open_total: str = ""
    overdue_total: str = ""


def _operation_rows(ops: Any) -> list[OperationRow]:
    return [
        OperationRow(
            date=_d(op.op_date),
            kind=op.kind,
            kind_label=fin.OPERATION_LABELS.get(op.kind, (op.kind, ""))[0],
            amount=fin.fmt_money(op.amount, op.currency),
            incoming=op.amount < 0,
            document=op.document_ref,
            description=op.description,
            contract=f"№ {cno}" if cno else "",
        )
        for op, cno in ops
    ]


def _schedule_rows(items: Any, today: date) -> list[ScheduleRow]:
    out = []
    for s, cno in items:
        overdue = s.status == "planned" and s.due_on < today
        status = "overdue" if overdue else s.status
        out.append(
            ScheduleRow(
                due_on=_d(s.due_on),
                amount=fin.fmt_money(s.amount, s.currency),
                status=status,
                status_label=fin.SCHEDULE_LABELS.get(status, (status, ""))[0],
                note=s.note,
                contract=f"№ {cno}" if cno else "",
                overdue=overdue,
            )
        )
    return out


def contract_view(
    session: Session, actor: Actor, contract_id: object, *, today: date | None = None
) -> ContractView:
    today = _today(today)
    try:
        cid = int(str(contract_id))
    except (TypeError, ValueError):
        raise NotFound("Договор не найден.") from None
    c = session.get(Contract, cid) if 0 < cid < 2**31 else None
    if c is None or not order_rules.may_see(actor, c.organisation_id, PERM):
        raise NotFound("Договор не найден.")
    org = session.get(Organisation, c.organisation_id)
    debts = _month_debts(session, [cid], today)
    inv = invoice_registry(
        session, actor, InvoiceFilters(contract=cid, org=c.organisation_id), limit=20, today=today
    )
    ops = session.exec(
        select(FinanceOperation, Contract.number)
        .join(Contract, col(Contract.id) == FinanceOperation.contract_id, isouter=True)
        .where(FinanceOperation.contract_id == cid)
        .order_by(col(FinanceOperation.op_date).desc(), col(FinanceOperation.id).desc())
        .limit(20)
    ).all()
    sched = session.exec(
        select(PaymentScheduleItem, Contract.number)
        .join(Contract, col(Contract.id) == PaymentScheduleItem.contract_id, isouter=True)
        .where(
            PaymentScheduleItem.contract_id == cid,
            col(PaymentScheduleItem.due_on) >= today - timedelta(days=60),
        )
        .order_by(col(PaymentScheduleItem.due_on), col(PaymentScheduleItem.id))
        .limit(20)
    ).all()
    open_rows = session.exec(
        select(col(Invoice.due_on), col(Invoice.amount), col(Invoice.paid_amount)).where(
            Invoice.contract_id == cid, col(Invoice.status).in_(list(fin.OPEN_STATUSES))
        )
    ).all()
    open_total = sum((fin.outstanding(a, p) for _, a, p in open_rows), fin.ZERO)
    overdue_total = sum(
        fin.ageing(((d, fin.outstanding(a, p)) for d, a, p in open_rows), today).values(), fin.ZERO
    )
    return ContractView(
        row=_contract_row(c, org.name if org else "", debts.get(cid, fin.ZERO)),
        payment_terms_days=c.payment_terms_days or 0,
        invoices=inv.rows,
        operations=_operation_rows(ops),
        schedule=_schedule_rows(sched, today),
        open_total=fin.fmt_money(open_total, c.currency),
        overdue_total=fin.fmt_money(overdue_total, c.currency),
    )


# --------------------------------------------------------------------------- overview


@dataclass
class BucketRow:
    key: str
    label: str
    label_en: str
    short: str
    amount: str
    value: float  # for the chart
    color: str


@dataclass
class MonthPoint:
    month: str
    month_en: str
    shipped: float
    paid: float


@dataclass
class Overview:
    credit_limit: str
    credit_unused: str
    credit_used_percent: int
    amount_due: str
    overdue_total: str
    month_debt: str
    has_overdue: bool
    buckets: list[BucketRow] = field(default_factory=list)
    months: list[MonthPoint] = field(default_factory=list)
    schedule: list[ScheduleRow] = field(default_factory=list)
    operations: list[OperationRow] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    attention: list[order_queries.AttentionRow] = field(default_factory=list)


_MONTHS = ["янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _month_series(session: Session, actor: Actor, org: int | None, today: date) -> list[MonthPoint]:
    """Shipped (debt added) and paid per month over the last six months."""
    first = fin.month_start(today)
    starts = [first]
    for _ in range(5):
        starts.insert(0, (starts[0] - timedelta(days=1)).replace(day=1))
    rows = session.exec(
        scoped(
            select(col(FinanceOperation.op_date), col(FinanceOperation.amount)).where(
                col(FinanceOperation.op_date) >= starts[0]
            ),
            FinanceOperation.organisation_id,
            scope(actor),
            org,
        )
    ).all()
    shipped = dict.fromkeys(starts, fin.ZERO)
    paid = dict.fromkeys(starts, fin.ZERO)
    for op_date, amount in rows:
        key = op_date.replace(day=1)
        if key not in shipped:
            continue
        if amount >= 0:
            shipped[key] += amount
        else:
            paid[key] += -amount
    return [
        MonthPoint(
            month=f"{_MONTHS[s.month - 1]} {s.year % 100:02d}",
            month_en=f"{_MONTHS_EN[s.month - 1]} {s.year % 100:02d}",
            shipped=fin.to_float(shipped[s]),
            paid=fin.to_float(paid[s]),
        )
        for s in starts
    ]


def overview(
    session: Session, actor: Actor, *, org: int | None = None, today: date | None = None
) -> Overview:
    """The organisation's (or every organisation in scope's) financial position today."""
    today = _today(today)
    sc = scope(actor)
    limit_total = session.exec(
        scoped(
            select(func.coalesce(func.sum(Contract.credit_limit), 0)).where(
                Contract.status == "active"
            ),
            Contract.organisation_id,
            sc,
            org,
        )
    ).one()
    open_rows = session.exec(
        scoped(
            select(
                col(Invoice.due_on),
                col(Invoice.amount),
                col(Invoice.paid_amount),
                col(Invoice.issued_on),
            ).where(col(Invoice.status).in_(list(fin.OPEN_STATUSES))),
            Invoice.organisation_id,
            sc,
            org,
        )
    ).all()
    due = sum((fin.outstanding(a, p) for _, a, p, _ in open_rows), fin.ZERO)
    month = sum(
        (
            fin.outstanding(a, p)
            for _, a, p, issued in open_rows
            if issued >= fin.month_start(today)
        ),
        fin.ZERO,
    )
    buckets = fin.ageing(((d, fin.outstanding(a, p)) for d, a, p, _ in open_rows), today)
    overdue_total = sum(buckets.values(), fin.ZERO)
    limit_dec = Decimal(limit_total or 0)
    sched = session.exec(
        scoped(
            select(PaymentScheduleItem, Contract.number)
            .join(Contract, col(Contract.id) == PaymentScheduleItem.contract_id, isouter=True)
            .where(
                col(PaymentScheduleItem.status).in_(["planned", "overdue"]),
                col(PaymentScheduleItem.due_on) >= today - timedelta(days=90),
            )
            .order_by(col(PaymentScheduleItem.due_on), col(PaymentScheduleItem.id))
            .limit(12),
            PaymentScheduleItem.organisation_id,
            sc,
            org,
        )
    ).all()
    ops = session.exec(
        scoped(
            select(FinanceOperation, Contract.number)
            .join(Contract, col(Contract.id) == FinanceOperation.contract_id, isouter=True)
            .order_by(col(FinanceOperation.op_date).desc(), col(FinanceOperation.id).desc())
            .limit(15),
            FinanceOperation.organisation_id,
            sc,
            org,
        )
    ).all()
    return Overview(
        credit_limit=fin.fmt_money(limit_dec),
        credit_unused=fin.fmt_money(fin.credit_unused(limit_dec, due)),
        credit_used_percent=fin.credit_used_percent(limit_dec, due),
        amount_due=fin.fmt_money(due),
        overdue_total=fin.fmt_money(overdue_total),
        month_debt=fin.fmt_money(month),
        has_overdue=overdue_total > 0,
        buckets=[
            BucketRow(
                key=b.key,
                label=b.ru,
                label_en=b.en,
                short=b.ru.replace(" дней", "").replace("Более 90", "90+"),
                amount=fin.fmt_money(buckets[b.key]),
                value=fin.to_float(buckets[b.key]),
                color=fin.BUCKET_COLORS[b.key],
            )
            for b in fin.BUCKETS
        ],
        months=_month_series(session, actor, org, today),
        schedule=_schedule_rows(sched, today),
        operations=_operation_rows(ops),
        contracts=contracts(session, actor, org=org, today=today),
        attention=order_queries.attention_orders(session, actor, org=org, today=today),
    )
