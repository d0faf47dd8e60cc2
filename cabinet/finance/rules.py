"""Finance arithmetic: outstanding amounts, overdue days, ageing buckets, credit headroom,
money formatting. Pure: dates and Decimals in, values out. No DB, no Reflex."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from models.finance import ContractStatus, InvoiceStatus, OperationKind, ScheduleStatus

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Bucket:
    key: str
    ru: str
    en: str
    low: int  # days overdue, inclusive
    high: int | None  # inclusive; None: no upper end


# Receivables ageing, by days past the due date (computed against today, not stored).
BUCKETS: tuple[Bucket, ...] = (
    Bucket("d1_30", "1–30 дней", "1–30 days", 1, 30),
    Bucket("d31_60", "31–60 дней", "31–60 days", 31, 60),
    Bucket("d61_90", "61–90 дней", "61–90 days", 61, 90),
    Bucket("d90_plus", "Более 90 дней", "Over 90 days", 91, None),
)
BUCKET_COLORS: dict[str, str] = {
    "d1_30": "#f5a524",
    "d31_60": "#f97316",
    "d61_90": "#e5484d",
    "d90_plus": "#8e1b1b",
}

OPEN_STATUSES = frozenset({InvoiceStatus.ISSUED, InvoiceStatus.PARTIAL})


def outstanding(amount: Decimal, paid: Decimal) -> Decimal:
    """What is still to pay on an invoice (never negative)."""
    rest = Decimal(amount or 0) - Decimal(paid or 0)
    return rest if rest > 0 else ZERO


def days_overdue(due_on: date | None, today: date) -> int:
    """Whole days past the due date; 0 on the due date itself or without one."""
    if due_on is None:
        return 0
    return max(0, (today - due_on).days)


def bucket_of(days: int) -> str | None:
    """The ageing bucket key for `days` overdue; None when not overdue."""
    for b in BUCKETS:
        if days >= b.low and (b.high is None or days <= b.high):
            return b.key
    return None


def is_overdue(status: str, due_on: date | None, rest: Decimal, today: date) -> bool:
    return status in OPEN_STATUSES and rest > 0 and days_overdue(due_on, today) > 0


def ageing(items: Iterable[tuple[date | None, Decimal]], today: date) -> dict[str, Decimal]:
    """Sum of outstanding amounts per bucket, from (due date, outstanding) of open invoices."""
    out = {b.key: ZERO for b in BUCKETS}
    for due_on, rest in items:
        key = bucket_of(days_overdue(due_on, today))
        if key is not None and rest > 0:
            out[key] += rest
    return out


def month_start(today: date) -> date:
    return today.replace(day=1)


def credit_unused(limit: Decimal, debt: Decimal) -> Decimal:
    """The part of the credit limit still free: limit minus current debt, not below zero."""
    free = Decimal(limit or 0) - max(Decimal(debt or 0), ZERO)
    return free if free > 0 else ZERO


def credit_used_percent(limit: Decimal, debt: Decimal) -> int:
    if not limit or limit <= 0:
        return 0
    used = max(Decimal(debt or 0), ZERO) / Decimal(limit) * 100
    return int(min(used, Decimal(100)).to_integral_value(ROUND_HALF_UP))


_CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥"}


def fmt_money(value: Decimal | int | None, currency: str = "RUB") -> str:
    """1234567.8 → "1 234 567,80 ₽" (non-breaking thin spaces kept simple: plain spaces)."""
    if value is None:
        return ""
    q = Decimal(value).quantize(CENT, ROUND_HALF_UP)
    sign = "−" if q < 0 else ""
    whole, frac = f"{abs(q):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups)},{frac} {_CURRENCY_SIGNS.get(currency, currency)}".strip()


def to_float(value: Decimal) -> float:
    """For charts only (they draw numbers); amounts shown as text use fmt_money."""
    return float(Decimal(value).quantize(CENT, ROUND_HALF_UP))


INVOICE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    InvoiceStatus.ISSUED: ("Выставлен", "Issued"),
    InvoiceStatus.PARTIAL: ("Оплачен частично", "Partly paid"),
    InvoiceStatus.PAID: ("Оплачен", "Paid"),
    InvoiceStatus.CANCELLED: ("Аннулирован", "Cancelled"),
    "overdue": ("Просрочен", "Overdue"),
}
INVOICE_STATUS_COLORS: dict[str, str] = {
    InvoiceStatus.ISSUED: "blue",
    InvoiceStatus.PARTIAL: "amber",
    InvoiceStatus.PAID: "green",
    InvoiceStatus.CANCELLED: "gray",
    "overdue": "red",
}
CONTRACT_STATUS_LABELS: dict[str, tuple[str, str]] = {
    ContractStatus.DRAFT: ("На согласовании", "Being agreed"),
    ContractStatus.ACTIVE: ("Действует", "Active"),
    ContractStatus.SUSPENDED: ("Приостановлен", "Suspended"),
    ContractStatus.CLOSED: ("Закрыт", "Closed"),
}
CONTRACT_STATUS_COLORS: dict[str, str] = {
    ContractStatus.DRAFT: "amber",
    ContractStatus.ACTIVE: "green",
    ContractStatus.SUSPENDED: "orange",
    ContractStatus.CLOSED: "gray",
}
OPERATION_LABELS: dict[str, tuple[str, str]] = {
    OperationKind.SHIPMENT: ("Отгрузка", "Shipment"),
    OperationKind.INVOICE: ("Счёт", "Invoice"),
    OperationKind.PAYMENT: ("Оплата", "Payment"),
    OperationKind.PREPAYMENT: ("Предоплата", "Prepayment"),
    OperationKind.CREDIT_NOTE: ("Корректировка (в вашу пользу)", "Credit note"),
    OperationKind.ADJUSTMENT: ("Корректировка", "Adjustment"),
}
SCHEDULE_LABELS: dict[str, tuple[str, str]] = {
    ScheduleStatus.PLANNED: ("Запланирован", "Planned"),
    ScheduleStatus.PAID: ("Оплачен", "Paid"),
    ScheduleStatus.OVERDUE: ("Просрочен", "Overdue"),
    ScheduleStatus.CANCELLED: ("Отменён", "Cancelled"),
}


def invoice_display_status(status: str, due_on: date | None, rest: Decimal, today: date) -> str:
    """The status a person reads: an open invoice past its due date is "overdue"."""
    return "overdue" if is_overdue(status, due_on, rest, today) else status
