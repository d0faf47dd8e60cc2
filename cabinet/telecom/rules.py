"""Telecom rules as data and pure functions: money, auto-payment periods and due days, retry
schedule, payment outcomes, labels. No DB, no Reflex."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from cabinet.errors import ValidationFailed
from models.telecom import (
    AutoPayRunStatus,
    PaymentKind,
    PaymentStatus,
    RequestStatus,
    SimStatus,
)

# --------------------------------------------------------------------------- money

TOPUP_MIN_KOPECKS = 10_00  # 10 ₽
TOPUP_MAX_KOPECKS = 15_000_00  # 15 000 ₽ per payment
AUTOPAY_MIN_KOPECKS = 100_00
AUTOPAY_MAX_KOPECKS = 15_000_00

_AMOUNT_RE = re.compile(r"^\d{1,9}([.,]\d{1,2})?$")


def parse_rubles(text: str, *, field: str = "amount") -> int:
    """'500', '500,5', '1 234.56 ₽' → kopecks. Never goes through float."""
    cleaned = (text or "").replace("₽", "").replace("\u00a0", "").replace(" ", "").strip()
    if not cleaned:
        raise ValidationFailed("Укажите сумму.", field=field)
    if not _AMOUNT_RE.match(cleaned):
        raise ValidationFailed("Сумма — число рублей, например 500 или 499,90.", field=field)
    try:
        value = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        raise ValidationFailed("Сумма — число рублей, например 500.", field=field) from None
    return int((value * 100).to_integral_value())


def check_amount(kopecks: int, *, low: int, high: int, field: str = "amount") -> int:
    if kopecks < low:
        raise ValidationFailed(f"Сумма не меньше {format_rub(low)}.", field=field)
    if kopecks > high:
        raise ValidationFailed(f"Сумма не больше {format_rub(high)}.", field=field)
    return kopecks


def format_rub(kopecks: int) -> str:
    """12345 → '123,45 ₽'; -500 → '−5,00 ₽'; thousands separated by a narrow space."""
    sign = "−" if kopecks < 0 else ""
    rub, kop = divmod(abs(int(kopecks)), 100)
    whole = f"{rub:,}".replace(",", "\u202f")
    return f"{sign}{whole},{kop:02d} ₽"


def apply_to_balance(balance: int, kind: str, amount: int) -> int:
    """The balance after a confirmed payment of `kind`: top-ups and auto-payments add,
    refunds subtract. Amounts are positive kopecks."""
    if amount <= 0:
        raise ValueError("amount must be positive")
    if kind == PaymentKind.REFUND:
        return balance - amount
    return balance + amount


# --------------------------------------------------------------------------- payment outcome

OPEN_PAYMENT = frozenset({PaymentStatus.CREATED, PaymentStatus.PENDING})
FINAL_PAYMENT = frozenset(
    {
        PaymentStatus.SUCCEEDED,
        PaymentStatus.DECLINED,
        PaymentStatus.FAILED,
        PaymentStatus.REFUNDED,
    }
)
# A created/pending payment with no outcome after this long is given up as failed.
PAYMENT_EXPIRY = timedelta(hours=24)


def provider_status(status: str) -> str:
    """The provider's word for a payment → our PaymentStatus."""
    return {
        "pending": PaymentStatus.PENDING,
        "waiting_for_capture": PaymentStatus.PENDING,
        "succeeded": PaymentStatus.SUCCEEDED,
        "canceled": PaymentStatus.DECLINED,
        "declined": PaymentStatus.DECLINED,
    }.get(status, PaymentStatus.PENDING)


DECLINE_REASONS: dict[str, str] = {
    "insufficient_funds": "Недостаточно средств на карте.",
    "card_expired": "Срок действия карты истёк.",
    "invalid_card_number": "Неверный номер карты.",
    "invalid_csc": "Неверный код CVC.",
    "issuer_unavailable": "Банк, выпустивший карту, недоступен. Попробуйте позже.",
    "fraud_suspected": "Банк отклонил платёж как подозрительный.",
    "3d_secure_failed": "Не пройдена проверка 3-D Secure.",
    "expired_on_confirmation": "Время на оплату истекло.",
    "canceled_by_user": "Оплата отменена.",
    "general_decline": "Банк отклонил платёж.",
}


def decline_message(code: str) -> str:
    return DECLINE_REASONS.get(code, DECLINE_REASONS["general_decline"])


TIMEOUT_MESSAGE = (
    "Платёжная система не ответила вовремя. Баланс не изменился; мы проверим платёж "
    "и зачислим его, если он прошёл. Не повторяйте оплату сразу."
)
UNAVAILABLE_MESSAGE = "Платёжная система недоступна. Баланс не изменился, попробуйте позже."


# --------------------------------------------------------------------------- auto-payment periods


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(period: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{4})-(\d{2})", period or "")
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"bad period {period!r}")
    return int(m.group(1)), int(m.group(2))


def next_period(period: str) -> str:
    year, month = parse_period(period)
    return f"{year + 1:04d}-01" if month == 12 else f"{year:04d}-{month + 1:02d}"


def due_date(period: str, day_of_month: int) -> date:
    """The charge day of `period`: the chosen day, or the month's last day when the month is
    shorter (31 → 28/29 February, 30 April)."""
    year, month = parse_period(period)
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(max(1, day_of_month), last))


def check_day(day: int) -> int:
    if not 1 <= int(day) <= 31:
        raise ValidationFailed("День списания — число от 1 до 31.", field="day")
    return int(day)


def first_period(today: date, day_of_month: int) -> str:
    """The first period an auto-payment turned on `today` charges: this month if its day is
    still ahead (or today), else next month."""
    this = period_of(today)
    return this if today <= due_date(this, day_of_month) else next_period(this)


def is_due(today: date, *, day_of_month: int, start_period: str) -> str | None:
    """The period to charge on `today`, or None. Only the current month is charged: a month
    missed entirely (the service was down) is not charged later."""
    this = period_of(today)
    if start_period and this < start_period:
        return None
    return this if today >= due_date(this, day_of_month) else None


def next_charge_date(today: date, *, day_of_month: int, start_period: str) -> date:
    """When the next auto-payment will be made (for the page)."""
    period = max(period_of(today), start_period or period_of(today))
    when = due_date(period, day_of_month)
    if when < today:
        when = due_date(next_period(period), day_of_month)
    return when


# Retries after a declined or failed auto-payment charge: after 1 h, 6 h, then 24 h; at most
# MAX_AUTOPAY_ATTEMPTS attempts in all, then the run fails and the subscriber is told.
RETRY_DELAYS: tuple[timedelta, ...] = (timedelta(hours=1), timedelta(hours=6), timedelta(hours=24))
MAX_AUTOPAY_ATTEMPTS = 4
RUN_LEASE = timedelta(minutes=5)


def next_retry(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed attempts; None = give up."""
    if attempts >= MAX_AUTOPAY_ATTEMPTS:
        return None
    if attempts <= 0:
        return now
    return now + RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]


# Decline reasons where retrying the same card cannot help.
FINAL_DECLINES = frozenset({"card_expired", "invalid_card_number", "fraud_suspected"})


# --------------------------------------------------------------------------- requests

BLOCK_REASONS: dict[str, tuple[str, str]] = {
    "lost": ("Сим-карта утеряна", "SIM card lost"),
    "stolen": ("Телефон или сим-карта украдены", "Stolen"),
    "not_needed": ("Больше не нужна", "No longer needed"),
    "other": ("Другое", "Other"),
}
REQUEST_COMMENT_MAX = 1000


def check_comment(text: str, *, required: bool, field: str = "comment") -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationFailed("Опишите причину.", field=field)
    if len(text) > REQUEST_COMMENT_MAX:
        raise ValidationFailed(
            f"Не длиннее {REQUEST_COMMENT_MAX} символов.",
            field=field,
        )
    return text


# --------------------------------------------------------------------------- labels

SIM_STATUS_LABELS: dict[str, tuple[str, str]] = {
    SimStatus.ACTIVE: ("Активна", "Active"),
    SimStatus.INACTIVE: ("Не активна", "Inactive"),
    SimStatus.BLOCKED: ("Заблокирована", "Blocked"),
}
SIM_STATUS_COLORS: dict[str, str] = {
    SimStatus.ACTIVE: "green",
    SimStatus.INACTIVE: "gray",
    SimStatus.BLOCKED: "red",
}
PAYMENT_STATUS_LABELS: dict[str, tuple[str, str]] = {
    PaymentStatus.CREATED: ("Создан", "Created"),
    PaymentStatus.PENDING: ("Ожидает оплаты", "Pending"),
    PaymentStatus.SUCCEEDED: ("Зачислен", "Succeeded"),
    PaymentStatus.DECLINED: ("Отклонён", "Declined"),
    PaymentStatus.FAILED: ("Не прошёл", "Failed"),
    PaymentStatus.REFUNDED: ("Возвращён", "Refunded"),
}
PAYMENT_STATUS_COLORS: dict[str, str] = {
    PaymentStatus.CREATED: "gray",
    PaymentStatus.PENDING: "amber",
    PaymentStatus.SUCCEEDED: "green",
    PaymentStatus.DECLINED: "red",
    PaymentStatus.FAILED: "red",
    PaymentStatus.REFUNDED: "blue",
}
PAYMENT_KIND_LABELS: dict[str, tuple[str, str]] = {
    PaymentKind.TOPUP: ("Пополнение", "Top-up"),
    PaymentKind.AUTOPAY: ("Автоплатёж", "Auto-payment"),
    PaymentKind.REFUND: ("Возврат", "Refund"),
}
REQUEST_STATUS_LABELS: dict[str, tuple[str, str]] = {
    RequestStatus.PENDING: ("На рассмотрении", "Pending"),
    RequestStatus.APPROVED: ("Одобрена", "Approved"),
    RequestStatus.REJECTED: ("Отклонена", "Rejected"),
    RequestStatus.CANCELLED: ("Отозвана", "Cancelled"),
}
RUN_STATUS_LABELS: dict[str, tuple[str, str]] = {
    AutoPayRunStatus.CLAIMED: ("Выполняется", "Running"),
    AutoPayRunStatus.RETRY: ("Повтор", "Will retry"),
    AutoPayRunStatus.SUCCEEDED: ("Оплачено", "Paid"),
    AutoPayRunStatus.FAILED: ("Не удалось", "Failed"),
    AutoPayRunStatus.SKIPPED: ("Пропущено", "Skipped"),
}


def allowance(value: int | None, unit_ru: str) -> str:
    return "без ограничений" if value is None else f"{value} {unit_ru}"


def format_msisdn(msisdn: str) -> str:
    """'+79161234567' → '+7 916 123-45-67' (other numbers as stored)."""
    m = re.fullmatch(r"\+7(\d{3})(\d{3})(\d{2})(\d{2})", msisdn or "")
    if not m:
        return msisdn
    return f"+7 {m.group(1)} {m.group(2)}-{m.group(3)}-{m.group(4)}"


def mask_pan(pan_last4: str) -> str:
    return f"•••• {pan_last4[-4:]}"
