"""Auction rules as pure functions: amounts, steps, the three forms, soft close, winners.

No database, no Reflex. The service feeds these functions what it read under the lot's
compare-and-set and refuses with their `BidRefused` (a Russian message) before anything is
written; the pages ask the same functions which buttons to show.

- Open bid (ставка): at least the start price for the first one, then at least the current
  best + step; visible to everyone as "Участник N"; open bids always lead over price offers.
- Closed price offer (ценовое предложение): only while the lot has no open bids, strictly
  below the start price; seen by nobody else; may be changed (offer again), withdrawn or
  replaced by an open bid until the end.
- Mixed form allows both. Nothing is accepted outside a running auction or after the lot's
  (extended) end.
- Soft close: a bid in the last N minutes moves the lot's end to M minutes after that bid
  (never earlier than it was).
- Winner: the highest active open bid; with none, the highest active price offer at its own
  price; ties go to the earlier one (lower ledger sequence).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from cabinet.errors import DomainError, ValidationFailed
from models.auctions import AuctionForm, AuctionStatus, BidKind, StepKind

CENT = Decimal("0.01")
NBSP = "\u00a0"
MAX_AMOUNT = Decimal("9999999999999.99")  # fits Numeric(18, 2) with room to spare
MAX_STEP_PERCENT = Decimal(50)
MAX_SOFT_CLOSE_MINUTES = 60


class BidRefused(DomainError):
    default = "Ставка не принята."


FORM_LABELS: dict[str, tuple[str, str]] = {
    AuctionForm.OPEN: ("Открытая", "Open"),
    AuctionForm.CLOSED: ("Закрытая", "Closed"),
    AuctionForm.MIXED: ("Смешанная", "Mixed"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    AuctionStatus.DRAFT: ("Черновик", "Draft"),
    AuctionStatus.ANNOUNCED: ("Объявлен", "Announced"),
    AuctionStatus.RUNNING: ("Идут торги", "Running"),
    AuctionStatus.FINISHED: ("Завершён", "Finished"),
    AuctionStatus.CANCELLED: ("Отменён", "Cancelled"),
}

# Colour scheme for components.data_table.status_badge.
STATUS_COLORS: dict[str, str] = {
    AuctionStatus.DRAFT: "gray",
    AuctionStatus.ANNOUNCED: "blue",
    AuctionStatus.RUNNING: "green",
    AuctionStatus.FINISHED: "violet",
    AuctionStatus.CANCELLED: "red",
}

# What the organiser may do in each status.
EDITABLE = frozenset({AuctionStatus.DRAFT, AuctionStatus.ANNOUNCED})
CANCELLABLE = frozenset({AuctionStatus.DRAFT, AuctionStatus.ANNOUNCED, AuctionStatus.RUNNING})
ANNOUNCEABLE = frozenset({AuctionStatus.DRAFT})
# Statuses a participant can see (drafts are the organiser's own business).
PUBLIC = frozenset(
    {
        AuctionStatus.ANNOUNCED,
        AuctionStatus.RUNNING,
        AuctionStatus.FINISHED,
        AuctionStatus.CANCELLED,
    }
)


def pseudonym(number: int) -> str:
    return f"Участник {number}"


# --------------------------------------------------------------------------- amounts


def parse_amount(value: object, *, field: str = "amount") -> Decimal:
    """A money amount from a form or a handler: positive, finite, at most 2 decimals, bounded.

    Accepts Decimal, int and strings with a comma or spaces ("1 250 000,50"); refuses float
    (binary fractions are not money), NaN, infinities, negatives, zero and huge values.
    """
    if isinstance(value, (bool, float)):
        raise ValidationFailed("Введите сумму числом, например 125000,50.", field=field)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        if not text or len(text) > 40:
            raise ValidationFailed("Введите сумму.", field=field)
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise ValidationFailed(
                "Введите сумму числом, например 125000,50.", field=field
            ) from None
    else:
        raise ValidationFailed("Введите сумму числом, например 125000,50.", field=field)
    if not d.is_finite():
        raise ValidationFailed("Введите сумму числом, например 125000,50.", field=field)
    if d <= 0:
        raise ValidationFailed("Сумма должна быть больше нуля.", field=field)
    if d > MAX_AMOUNT:
        raise ValidationFailed("Слишком большая сумма.", field=field)
    if d != d.quantize(CENT):
        raise ValidationFailed("Не больше двух знаков после запятой (копейки).", field=field)
    return d.quantize(CENT)


def parse_quantity(value: object, *, field: str = "quantity") -> Decimal:
    """A lot quantity: positive, at most 3 decimals, bounded."""
    if isinstance(value, (bool, float)):
        raise ValidationFailed("Введите количество числом.", field=field)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed("Введите количество числом.", field=field) from None
    if not d.is_finite() or d <= 0:
        raise ValidationFailed("Количество должно быть больше нуля.", field=field)
    if d >= Decimal("100000000000"):
        raise ValidationFailed("Слишком большое количество.", field=field)
    if d != d.quantize(Decimal("0.001")):
        raise ValidationFailed("Не больше трёх знаков после запятой.", field=field)
    return d.quantize(Decimal("0.001"))


def step_amount(step_kind: str, step_value: Decimal, base: Decimal) -> Decimal:
    """The bid step in money: a fixed amount, or a percentage of `base` rounded up to kopecks
    (never less than one kopeck)."""
    if step_kind == StepKind.PERCENT:
        amount = (base * step_value / Decimal(100)).quantize(CENT, rounding=ROUND_CEILING)
    else:
        amount = step_value.quantize(CENT)
    return max(amount, CENT)


def min_next_bid(
    *,
    start_price: Decimal,
    best_amount: Decimal | None,
    step_kind: str,
    step_value: Decimal,
) -> Decimal:
    """The least open bid the lot accepts now: the start price while nobody has bid openly,
    then the current best plus one step (a percentage step is taken of the current best)."""
    if best_amount is None:
        return start_price.quantize(CENT)
    return (best_amount + step_amount(step_kind, step_value, best_amount)).quantize(CENT)


def allows(form: str, kind: str) -> bool:
    if kind == BidKind.OPEN:
        return form in (AuctionForm.OPEN, AuctionForm.MIXED)
    if kind == BidKind.OFFER:
        return form in (AuctionForm.CLOSED, AuctionForm.MIXED)
    return False


# --------------------------------------------------------------------------- bid checks


@dataclass(frozen=True)
class LotState:
    """What a bid is checked against, as read under the lot's compare-and-set."""

    form: str
    auction_status: str
    starts_at: datetime
    effective_end: datetime
    closed: bool
    start_price: Decimal
    best_amount: Decimal | None  # the leading active open bid
    best_org_id: int | None  # whose it is
    open_bids: int  # active open bids on the lot
    step_kind: str
    step_value: Decimal


def check_running(lot: LotState, now: datetime) -> None:
    if lot.auction_status == AuctionStatus.CANCELLED:
        raise BidRefused("Аукцион отменён — ставки не принимаются.")
    if lot.auction_status in (AuctionStatus.DRAFT, AuctionStatus.ANNOUNCED) or now < lot.starts_at:
        raise BidRefused("Торги по этому аукциону ещё не начались.")
    if lot.auction_status == AuctionStatus.FINISHED or lot.closed or now >= lot.effective_end:
        raise BidRefused("Торги по лоту завершены — ставки больше не принимаются.")
    if lot.auction_status != AuctionStatus.RUNNING:
        raise BidRefused("Торги по этому аукциону не идут.")


def check_open_bid(lot: LotState, *, org_id: int, amount: Decimal, now: datetime) -> None:
    """Raise BidRefused unless `org_id` may place an open bid of `amount` now."""
    check_running(lot, now)
    if not allows(lot.form, BidKind.OPEN):
        raise BidRefused("В закрытой форме торгов принимаются только ценовые предложения.")
    if lot.best_org_id is not None and lot.best_org_id == org_id:
        raise BidRefused("Ваша ставка уже лидирует — перебивать себя не нужно.")
    least = min_next_bid(
        start_price=lot.start_price,
        best_amount=lot.best_amount,
        step_kind=lot.step_kind,
        step_value=lot.step_value,
    )
    if amount < least:
        if lot.best_amount is None:
            raise BidRefused(
                f"Первая ставка — не ниже стартовой цены {fmt_money(least)}.", field="amount"
            )
        raise BidRefused(
            f"Ставка ниже минимальной: текущая цена {fmt_money(lot.best_amount)}, "
            f"шаг {fmt_money(least - lot.best_amount)} — предложите не меньше {fmt_money(least)}.",
            field="amount",
        )


def check_offer(lot: LotState, *, amount: Decimal, now: datetime) -> None:
    """Raise BidRefused unless a closed price offer of `amount` is allowed now."""
    check_running(lot, now)
    if not allows(lot.form, BidKind.OFFER):
        raise BidRefused("В открытой форме торгов ценовые предложения не принимаются.")
    if lot.open_bids > 0:
        raise BidRefused(
            "По лоту уже есть открытые ставки — ценовое предложение больше не принимается. "
            "Сделайте открытую ставку."
        )
    if amount >= lot.start_price:
        raise BidRefused(
            f"Ценовое предложение должно быть строго ниже стартовой цены "
            f"{fmt_money(lot.start_price)}. Чтобы предложить больше, сделайте открытую ставку.",
            field="amount",
        )


def check_withdraw(lot: LotState, now: datetime) -> None:
    check_running(lot, now)


def soft_close_end(
    *, now: datetime, effective_end: datetime, window_minutes: int, extension_minutes: int
) -> datetime:
    """The lot's end after a bid accepted at `now`: a bid in the last `window_minutes` moves
    the end to `extension_minutes` after the bid, never earlier than it was."""
    if window_minutes <= 0 or extension_minutes <= 0:
        return effective_end
    if effective_end - now <= timedelta(minutes=window_minutes):
        return max(effective_end, now + timedelta(minutes=extension_minutes))
    return effective_end


# --------------------------------------------------------------------------- winner


@dataclass(frozen=True)
class BidInfo:
    id: int
    seq: int
    kind: str
    amount: Decimal
    organisation_id: int
    user_id: int
    active: bool = True


def decide_winner(bids: Iterable[BidInfo]) -> BidInfo | None:
    """The winning ledger row of a lot, or None when nobody has an active bid or offer."""
    active = [b for b in bids if b.active]
    opens = [b for b in active if b.kind == BidKind.OPEN]
    pool = opens or [b for b in active if b.kind == BidKind.OFFER]
    if not pool:
        return None
    return min(pool, key=lambda b: (-b.amount, b.seq))


def best_open(bids: Iterable[BidInfo]) -> BidInfo | None:
    """The leading active open bid (used to recompute the lot after an annulment)."""
    opens = [b for b in bids if b.active and b.kind == BidKind.OPEN]
    if not opens:
        return None
    return min(opens, key=lambda b: (-b.amount, b.seq))


# --------------------------------------------------------------------------- auction form


@dataclass(frozen=True)
class AuctionFields:
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    form: str
    step_kind: str
    step_value: Decimal
    soft_close_minutes: int
    extension_minutes: int


def validate_auction(f: AuctionFields) -> AuctionFields:
    """Check the organiser's auction form; raise ValidationFailed naming the field."""
    title = " ".join(f.title.split())
    if not title:
        raise ValidationFailed("Введите название аукциона.", field="title")
    if len(title) > 300:
        raise ValidationFailed("Название — не длиннее 300 символов.", field="title")
    if len(f.description) > 10000:
        raise ValidationFailed("Описание — не длиннее 10 000 символов.", field="description")
    if f.starts_at.tzinfo is None or f.ends_at.tzinfo is None:
        raise ValidationFailed("Укажите дату и время.", field="starts_at")
    if f.ends_at <= f.starts_at:
        raise ValidationFailed("Окончание должно быть позже начала.", field="ends_at")
    if f.ends_at - f.starts_at > timedelta(days=90):
        raise ValidationFailed("Аукцион не может длиться дольше 90 дней.", field="ends_at")
    if f.form not in FORM_LABELS:
        raise ValidationFailed("Выберите форму торгов.", field="form")
    if f.step_kind not in (StepKind.AMOUNT, StepKind.PERCENT):
        raise ValidationFailed("Выберите вид шага.", field="step_value")
    step = parse_amount(f.step_value, field="step_value")
    if f.step_kind == StepKind.PERCENT and step > MAX_STEP_PERCENT:
        raise ValidationFailed("Шаг — не больше 50 %.", field="step_value")
    for name, minutes in (
        ("soft_close_minutes", f.soft_close_minutes),
        ("extension_minutes", f.extension_minutes),
    ):
        if not 0 <= minutes <= MAX_SOFT_CLOSE_MINUTES:
            raise ValidationFailed("От 0 до 60 минут.", field=name)
    return AuctionFields(
        title=title,
        description=f.description.strip(),
        starts_at=f.starts_at,
        ends_at=f.ends_at,
        form=f.form,
        step_kind=f.step_kind,
        step_value=step,
        soft_close_minutes=int(f.soft_close_minutes),
        extension_minutes=int(f.extension_minutes),
    )


@dataclass(frozen=True)
class LotFields:
    product: str
    quantity: Decimal
    unit: str
    start_price: Decimal
    currency: str
    delivery_terms: str


CURRENCIES = ("RUB", "USD", "EUR", "CNY")


def validate_lot(
    product: object,
    quantity: object,
    unit: object,
    start_price: object,
    currency: object,
    delivery_terms: object,
) -> LotFields:
    """One lot from the form or a CSV/XLSX row; raise ValidationFailed naming the field."""
    name = " ".join(str(product or "").split())
    if not name:
        raise ValidationFailed("Укажите продукцию.", field="product")
    if len(name) > 300:
        raise ValidationFailed("Продукция — не длиннее 300 символов.", field="product")
    qty = parse_quantity(quantity)
    u = " ".join(str(unit or "").split()) or "т"
    if len(u) > 20:
        raise ValidationFailed("Единица измерения — не длиннее 20 символов.", field="unit")
    price = parse_amount(
        start_price if not isinstance(start_price, float) else str(start_price),
        field="start_price",
    )
    cur = str(currency or "RUB").strip().upper() or "RUB"
    if cur in ("РУБ", "РУБ.", "RUR", "₽"):
        cur = "RUB"
    if cur not in CURRENCIES:
        raise ValidationFailed(f"Валюта — одна из: {', '.join(CURRENCIES)}.", field="currency")
    terms = " ".join(str(delivery_terms or "").split())
    if len(terms) > 500:
        raise ValidationFailed(
            "Условия поставки — не длиннее 500 символов.", field="delivery_terms"
        )
    return LotFields(name, qty, u, price, cur, terms)


def search_text(*parts: str) -> str:
    return " ".join(" ".join(p.split()) for p in parts if p).lower()[:1200]


# --------------------------------------------------------------------------- formatting


def fmt_money(amount: Decimal | None, currency: str = "") -> str:
    """1234567.5 -> "1 234 567,50" (+ " ₽" for RUB when a currency is given)."""
    if amount is None:
        return "—"
    q = amount.quantize(CENT)
    sign = "-" if q < 0 else ""
    whole, frac = f"{abs(q):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = f"{sign}{NBSP.join(groups)},{frac}"
    if currency:
        text += " " + {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥"}.get(currency, currency)
    return text
