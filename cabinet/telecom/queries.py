"""Subscriber-side reads, scoped: a caller sees the contracts, SIM cards, payments, cards and
requests of the organisations where they hold Perm.TELECOM_USE — and nothing else, whatever id
they send (missing and forbidden both answer "not found")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from cabinet.access.rules import Actor, Perm
from cabinet.errors import NotAuthenticated, NotFound, ValidationFailed
from cabinet.formatting import fmt_date, fmt_dt, local
from cabinet.pagination import Page, SortSpec, fetch_page
from cabinet.settings import settings
from cabinet.telecom import rules
from models import (
    ActivationRequest,
    AutoPayment,
    BlockRequest,
    Organisation,
    Payment,
    SavedCard,
    SimCard,
    Tariff,
    TariffChangeRequest,
    TelecomContract,
)
from models.base import utcnow
from models.telecom import PaymentKind, PaymentStatus, RequestStatus, SimStatus, TariffStatus

# --------------------------------------------------------------------------- scope


def subscriber_org_ids(actor: Actor | None) -> list[int]:
    """Organisations whose telecom data the actor may use (member + Perm.TELECOM_USE there)."""
    if actor is None:
        return []
    return sorted(o for o in actor.member_org_ids if actor.has(Perm.TELECOM_USE, o))


def require_subscriber(actor: Actor | None) -> list[int]:
    if actor is None:
        raise NotAuthenticated()
    return subscriber_org_ids(actor)


def access_sim(session: Session, actor: Actor, sim_id: int, *, lock: bool = False) -> SimCard:
    """The SIM card if it belongs to a contract of the actor's subscriber organisations."""
    orgs = subscriber_org_ids(actor)
    stmt = (
        select(SimCard)
        .join(TelecomContract, col(TelecomContract.id) == SimCard.contract_id)
        .where(SimCard.id == int(sim_id), col(TelecomContract.organisation_id).in_(orgs))
    )
    if lock:
        stmt = stmt.with_for_update()
    sim = session.exec(stmt).first() if orgs else None
    if sim is None:
        raise NotFound("Сим-карта не найдена.")
    return sim


def org_of_sim(session: Session, sim: SimCard) -> int:
    contract = session.get(TelecomContract, sim.contract_id) if sim.contract_id else None
    if contract is None:
        raise NotFound("Сим-карта не найдена.")
    return contract.organisation_id


def access_payment(session: Session, actor: Actor, payment_id: int) -> Payment:
    orgs = subscriber_org_ids(actor)
    pay = session.get(Payment, int(payment_id))
    if pay is None or pay.organisation_id not in orgs:
        raise NotFound("Платёж не найден.")
    return pay


def access_card(session: Session, actor: Actor, card_id: int) -> SavedCard:
    orgs = subscriber_org_ids(actor)
    card = session.get(SavedCard, int(card_id))
    if card is None or not card.is_active or card.organisation_id not in orgs:
        raise NotFound("Карта не найдена.")
    return card


# --------------------------------------------------------------------------- overview


@dataclass
class SimChip:
    id: int
    msisdn: str
    label: str
    status: str
    status_label: str
    color: str


@dataclass
class ContractRow:
    id: int
    number: str
    organisation: str
    signed_on: str
    status: str
    sims: list[SimChip] = field(default_factory=list)


def contracts(session: Session, actor: Actor) -> list[ContractRow]:
    """The caller's contracts with their SIM cards (for the switcher)."""
    orgs = subscriber_org_ids(actor)
    if not orgs:
        return []
    rows = session.exec(
        select(TelecomContract, Organisation.name)
        .join(Organisation, col(Organisation.id) == TelecomContract.organisation_id)
        .where(col(TelecomContract.organisation_id).in_(orgs))
        .order_by(col(TelecomContract.number))
    ).all()
    out = {
        c.id: ContractRow(
            id=c.id or 0,
            number=c.number,
            organisation=name,
            signed_on=c.signed_on.strftime("%d.%m.%Y") if c.signed_on else "",
            status=c.status,
        )
        for c, name in rows
    }
    if out:
        sims = session.exec(
            select(SimCard)
            .where(col(SimCard.contract_id).in_(list(out)))
            .order_by(col(SimCard.msisdn))
        ).all()
        for s in sims:
            out[s.contract_id].sims.append(
                SimChip(
                    id=s.id or 0,
                    msisdn=rules.format_msisdn(s.msisdn),
                    label=s.label,
                    status=s.status,
                    status_label=rules.SIM_STATUS_LABELS.get(s.status, (s.status, ""))[0],
                    color=rules.SIM_STATUS_COLORS.get(s.status, "gray"),
                )
            )
    return list(out.values())


@dataclass
class TariffRow:
    id: int
    name: str
    fee: str
    minutes: str
    sms: str
    internet: str
    description: str


def _tariff_row(t: Tariff) -> TariffRow:
    return TariffRow(
        id=t.id or 0,
        name=t.name,
        fee=rules.format_rub(t.monthly_fee_kopecks) + " / мес.",
        minutes=rules.allowance(t.minutes, "мин"),
        sms=rules.allowance(t.sms, "SMS"),
        internet=rules.allowance(t.internet_gb, "ГБ"),
        description=t.description,
    )


def active_tariffs(session: Session) -> list[TariffRow]:
    rows = session.exec(
        select(Tariff)
        .where(Tariff.status == TariffStatus.ACTIVE)
        .order_by(col(Tariff.sort_order), col(Tariff.name))
    ).all()
    return [_tariff_row(t) for t in rows]


@dataclass
class CardRow:
    id: int
    masked: str
    brand: str
    expires: str


def cards(session: Session, actor: Actor, org_id: int) -> list[CardRow]:
    if org_id not in subscriber_org_ids(actor):
        return []
    rows = session.exec(
        select(SavedCard)
        .where(SavedCard.organisation_id == org_id, col(SavedCard.is_active).is_(True))
        .order_by(col(SavedCard.id))
    ).all()
    return [
        CardRow(
            id=c.id or 0,
            masked=c.masked_pan,
            brand=c.brand.upper(),
            expires=f"{c.exp_month:02d}/{c.exp_year % 100:02d}" if c.exp_month else "",
        )
        for c in rows
    ]


@dataclass
class RequestRow:
    id: int
    kind: str  # "tariff" | "block" | "activation"
    title: str
    status: str
    status_label: str
    created: str
    decision_comment: str


@dataclass
class SimDetail:
    id: int
    org_id: int
    contract_number: str
    msisdn: str
    iccid: str
    label: str
    status: str
    status_label: str
    status_color: str
    balance: str
    balance_negative: bool
    activated: str
    block_reason: str
    tariff: TariffRow | None
    autopay_enabled: bool = False
    autopay_exists: bool = False
    autopay_day: int = 0
    autopay_amount: str = ""
    autopay_card_id: int = 0
    autopay_card: str = ""
    autopay_next: str = ""
    pending_tariff: bool = False
    pending_block: bool = False
    pending_activation: bool = False
    requests: list[RequestRow] = field(default_factory=list)


def today_local(now: datetime | None = None) -> date:
    return local(now or utcnow()).date()


def sim_detail(session: Session, actor: Actor, sim_id: int) -> SimDetail:
    sim = access_sim(session, actor, sim_id)
    contract = session.get(TelecomContract, sim.contract_id)
    assert contract is not None
    tariff = session.get(Tariff, sim.tariff_id) if sim.tariff_id else None
    detail = SimDetail(
        id=sim.id or 0,
        org_id=contract.organisation_id,
        contract_number=contract.number,
        msisdn=rules.format_msisdn(sim.msisdn),
        iccid=sim.iccid,
        label=sim.label,
        status=sim.status,
        status_label=rules.SIM_STATUS_LABELS.get(sim.status, (sim.status, ""))[0],
        status_color=rules.SIM_STATUS_COLORS.get(sim.status, "gray"),
        balance=rules.format_rub(sim.balance_kopecks),
        balance_negative=sim.balance_kopecks < 0,
        activated=fmt_date(sim.activated_at) if sim.activated_at else "",
        block_reason=sim.block_reason if sim.status == SimStatus.BLOCKED else "",
        tariff=_tariff_row(tariff) if tariff else None,
    )
    auto = session.exec(select(AutoPayment).where(AutoPayment.sim_id == sim.id)).first()
    if auto is not None:
        card = session.get(SavedCard, auto.saved_card_id)
        detail.autopay_exists = True
        detail.autopay_enabled = auto.enabled and card is not None and card.is_active
        detail.autopay_day = auto.day_of_month
        detail.autopay_amount = rules.format_rub(auto.amount_kopecks)
        detail.autopay_card_id = auto.saved_card_id
        detail.autopay_card = card.masked_pan if card else ""
        nxt = rules.next_charge_date(
            today_local(), day_of_month=auto.day_of_month, start_period=auto.start_period
        )
        detail.autopay_next = nxt.strftime("%d.%m.%Y")
    detail.requests = sim_requests(session, sim.id or 0)
    pend = {r.kind for r in detail.requests if r.status == RequestStatus.PENDING}
    detail.pending_tariff = "tariff" in pend
    detail.pending_block = "block" in pend
    detail.pending_activation = "activation" in pend
    return detail


def sim_requests(session: Session, sim_id: int, limit: int = 10) -> list[RequestRow]:
    """The SIM's latest requests of all kinds (call only after access_sim)."""
    out: list[tuple[datetime, RequestRow]] = []
    names = {t.id: t.name for t in session.exec(select(Tariff)).all()}

    def label(status: str) -> str:
        return rules.REQUEST_STATUS_LABELS.get(status, (status, ""))[0]

    for r in session.exec(
        select(TariffChangeRequest)
        .where(TariffChangeRequest.sim_id == sim_id)
        .order_by(col(TariffChangeRequest.id).desc())
        .limit(limit)
    ).all():
        out.append(  # noqa: PERF401
            (
                r.created_at,
                RequestRow(
                    r.id or 0,
                    "tariff",
                    f"Смена тарифа на «{names.get(r.to_tariff_id, '?')}»",
                    r.status,
                    label(r.status),
                    fmt_dt(r.created_at),
                    r.decision_comment,
                ),
            )
        )
    for b in session.exec(
        select(BlockRequest)
        .where(BlockRequest.sim_id == sim_id)
        .order_by(col(BlockRequest.id).desc())
        .limit(limit)
    ).all():
        reason = rules.BLOCK_REASONS.get(b.reason_code, ("", ""))[0]
        out.append(
            (
                b.created_at,
                RequestRow(
                    b.id or 0,
                    "block",
                    f"Блокировка: {reason.lower()}",
                    b.status,
                    label(b.status),
                    fmt_dt(b.created_at),
                    b.decision_comment,
                ),
            )
        )
    for a in session.exec(
        select(ActivationRequest)
        .where(ActivationRequest.sim_id == sim_id)
        .order_by(col(ActivationRequest.id).desc())
        .limit(limit)
    ).all():
        out.append(  # noqa: PERF401
            (
                a.created_at,
                RequestRow(
                    a.id or 0,
                    "activation",
                    "Активация сим-карты",
                    a.status,
                    label(a.status),
                    fmt_dt(a.created_at),
                    a.decision_comment,
                ),
            )
        )
    out.sort(key=lambda p: p[0], reverse=True)
    return [r for _, r in out[:limit]]


# --------------------------------------------------------------------------- payments


@dataclass
class PaymentRow:
    id: int
    created: str
    kind: str
    kind_label: str
    amount: str
    status: str
    status_label: str
    color: str
    reason: str


@dataclass
class PaymentFilters:
    date_from: str = ""  # "YYYY-MM-DD"
    date_to: str = ""
    kind: str = ""
    status: str = ""


PAYMENTS_SPEC = SortSpec(
    "telecom-sim-payments",
    Payment.id,
    Payment.created_at,
    descending=True,
)


def _day_bound(text: str, *, end: bool, field: str) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed("Дата — в виде ГГГГ-ММ-ДД.", field=field) from None
    from zoneinfo import ZoneInfo

    start = datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.display_timezone))
    return start + timedelta(days=1) if end else start


def payment_row(p: Payment) -> PaymentRow:
    return PaymentRow(
        id=p.id or 0,
        created=fmt_dt(p.created_at),
        kind=p.kind,
        kind_label=rules.PAYMENT_KIND_LABELS.get(p.kind, (p.kind, ""))[0],
        amount=rules.format_rub(
            -p.amount_kopecks if p.kind == PaymentKind.REFUND else p.amount_kopecks
        ),
        status=p.status,
        status_label=rules.PAYMENT_STATUS_LABELS.get(p.status, (p.status, ""))[0],
        color=rules.PAYMENT_STATUS_COLORS.get(p.status, "gray"),
        reason=p.decline_reason,
    )


def payments(
    session: Session,
    actor: Actor,
    sim_id: int,
    filters: PaymentFilters,
    *,
    after: str = "",
    before: str = "",
    limit: int = 20,
) -> Page[PaymentRow]:
    """The SIM's payments, newest first, keyset-paged, filtered by dates, kind and status."""
    sim = access_sim(session, actor, sim_id)
    stmt = select(Payment).where(Payment.sim_id == sim.id)
    lo = _day_bound(filters.date_from, end=False, field="date_from")
    hi = _day_bound(filters.date_to, end=True, field="date_to")
    if lo is not None:
        stmt = stmt.where(col(Payment.created_at) >= lo)
    if hi is not None:
        stmt = stmt.where(col(Payment.created_at) < hi)
    if filters.kind in {k.value for k in PaymentKind}:
        stmt = stmt.where(Payment.kind == filters.kind)
    if filters.status in {s.value for s in PaymentStatus}:
        stmt = stmt.where(Payment.status == filters.status)
    page = fetch_page(
        session, stmt, PAYMENTS_SPEC, after=after, before=before, limit=limit, scalars=True
    )
    return Page(
        rows=[payment_row(p) for p in page.rows],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


def payment_outcome(session: Session, actor: Actor, payment_id: int) -> PaymentRow:
    return payment_row(access_payment(session, actor, payment_id))
