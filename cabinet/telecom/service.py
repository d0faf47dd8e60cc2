"""Subscriber-side telecom actions and the payment engine: the only writers of this module.

Payments: the row is recorded (status created, a fresh idempotency key) and committed BEFORE
the provider is called; the provider's answer is applied by `apply_outcome`, whose
conditional UPDATE (status still created/pending) lets exactly one caller — the page, the
webhook, the worker's re-check — move the money, and the ledger's unique payment_id backs it
up. A timeout leaves the payment open and the balance untouched; a later re-check (the same
idempotency key, so the provider answers the same payment) applies it once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet import audit, routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.notifications.service import emit
from cabinet.telecom import queries, rules
from cabinet.telecom.payments import (
    PaymentProvider,
    ProviderPayment,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
)
from models import (
    ActivationRequest,
    AutoPayment,
    BalanceEntry,
    BlockRequest,
    Organisation,
    Payment,
    RolePermission,
    SavedCard,
    SimCard,
    Tariff,
    TariffChangeRequest,
    TelecomContract,
    UserRole,
)
from models.base import utcnow
from models.telecom import (
    BalanceEntryKind,
    PaymentKind,
    PaymentStatus,
    RequestSource,
    RequestStatus,
    SimStatus,
    TariffStatus,
)


class PaymentNotCompleted(DomainError):
    """The payment did not go through (declined, timed out, provider down); balance unchanged."""

    default = "Платёж не прошёл. Баланс не изменился."


# --------------------------------------------------------------------------- helpers


def _subscriber(session: Session, actor_id: int) -> Actor:
    actor = load_actor(session, actor_id)
    if not queries.subscriber_org_ids(actor):
        raise PermissionDenied("Нет доступа к услугам связи: попросите администратора организации.")
    return actor


def _sim_for_action(session: Session, actor: Actor, sim_id: int) -> tuple[SimCard, int]:
    sim = queries.access_sim(session, actor, int(sim_id))
    org_id = queries.org_of_sim(session, sim)
    require(actor, Perm.TELECOM_USE, org_id)
    return sim, org_id


def _notify(
    session: Session,
    *,
    event: str,
    recipient_ids: Iterable[int | None],
    context: Mapping[str, object],
    link: str = "",
) -> None:
    ids = sorted({i for i in recipient_ids if i})
    if ids:
        emit(session, event=event, recipient_ids=ids, context=context, link=link)


def telecom_staff_ids(session: Session) -> list[int]:
    """Users holding Perm.TELECOM_ADMIN platform-wide (they decide subscriber requests)."""
    return sorted(
        set(
            session.exec(
                select(UserRole.user_id)
                .join(RolePermission, col(RolePermission.role_id) == UserRole.role_id)
                .where(
                    RolePermission.permission == Perm.TELECOM_ADMIN,
                    col(UserRole.organisation_id).is_(None),
                )
            ).all()
        )
    )


def _org_name(session: Session, org_id: int) -> str:
    org = session.get(Organisation, org_id)
    return org.name if org else ""


def sim_url(sim_id: int) -> str:
    return routes.telecom_sim_url(sim_id)


def new_key(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(16)}"


# --------------------------------------------------------------------------- top-up


def start_topup(
    session: Session,
    *,
    actor_id: int,
    sim_id: int,
    amount: str,
    save_card: bool,
    return_url: str,
    provider: PaymentProvider,
) -> tuple[int, str]:
    """Record a top-up, then ask the provider for its payment page.

    Returns (payment id, confirmation URL). Raises PaymentNotCompleted when the provider could
    not be asked or did not answer (the payment stays open for a re-check; the balance is
    unchanged)."""
    actor = _subscriber(session, actor_id)
    sim, org_id = _sim_for_action(session, actor, sim_id)
    kopecks = rules.check_amount(
        rules.parse_rubles(amount),
        low=rules.TOPUP_MIN_KOPECKS,
        high=rules.TOPUP_MAX_KOPECKS,
    )
    if sim.status == SimStatus.INACTIVE:
        raise ValidationFailed(
            "Сим-карта ещё не активирована: пополнить её можно после активации.", field="amount"
        )
    contract = session.get(TelecomContract, sim.contract_id)
    now = utcnow()
    pay = Payment(
        sim_id=sim.id or 0,
        contract_id=sim.contract_id,
        organisation_id=org_id,
        partner_id=sim.partner_id or (contract.partner_id if contract else None),
        kind=PaymentKind.TOPUP,
        amount_kopecks=kopecks,
        status=PaymentStatus.CREATED,
        idempotency_key=new_key("topup"),
        save_card=bool(save_card),
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(pay)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.topup_started",
        object_type="telecom_payment",
        object_id=pay.id,
        after={"sim_id": sim.id, "amount_kopecks": kopecks},
    )
    session.commit()  # recorded before the provider hears of it
    payment_id = pay.id or 0
    back = return_url.replace("{payment_id}", str(payment_id))
    answer = _call_create(session, pay, provider, return_url=back, msisdn=sim.msisdn)
    if answer is None or not answer.confirmation_url:
        raise PaymentNotCompleted(rules.TIMEOUT_MESSAGE)
    return payment_id, answer.confirmation_url


def _call_create(
    session: Session,
    pay: Payment,
    provider: PaymentProvider,
    *,
    return_url: str,
    msisdn: str,
) -> ProviderPayment | None:
    """Send (or re-send: same idempotency key) the create request and apply the answer.
    None when the provider did not answer (the payment stays open)."""
    try:
        answer = provider.create_payment(
            idempotency_key=pay.idempotency_key,
            amount_kopecks=pay.amount_kopecks,
            description=f"Пополнение баланса {rules.format_msisdn(msisdn)}",
            return_url=return_url,
            save_card=pay.save_card,
            metadata={"payment_id": str(pay.id)},
        )
    except ProviderTimeout:
        _touch(session, pay.id or 0)
        return None
    except ProviderUnavailable as e:
        _touch(session, pay.id or 0)
        if "HTTP" not in str(e):  # nothing reached the provider: this payment is over
            close_payment(session, pay.id or 0, PaymentStatus.FAILED, rules.UNAVAILABLE_MESSAGE)
            raise PaymentNotCompleted(rules.UNAVAILABLE_MESSAGE) from e
        return None
    except ProviderRejected as e:
        close_payment(
            session, pay.id or 0, PaymentStatus.FAILED, "Платёжная система отклонила запрос."
        )
        raise PaymentNotCompleted("Платёжная система отклонила запрос. Баланс не изменился.") from e
    apply_outcome(session, pay.id or 0, answer)
    return answer


def _touch(session: Session, payment_id: int) -> None:
    now = utcnow()
    session.exec(
        sa.update(Payment)
        .where(col(Payment.id) == payment_id)
        .values(attempts=Payment.attempts + 1, last_checked_at=now, updated_at=now)
    )
    session.commit()


def close_payment(session: Session, payment_id: int, status: str, reason: str) -> bool:
    """Move an open payment to a final non-success status; False if it was not open."""
    now = utcnow()
    result = session.exec(
        sa.update(Payment)
        .where(
            col(Payment.id) == payment_id,
            col(Payment.status).in_([PaymentStatus.CREATED, PaymentStatus.PENDING]),
        )
        .values(status=status, decline_reason=reason[:300], confirmed_at=now, updated_at=now)
    )
    session.commit()
    return bool(result.rowcount)


# --------------------------------------------------------------------------- outcome, once


def apply_outcome(session: Session, payment_id: int, answer: ProviderPayment) -> Payment:
    """Apply the provider's word on a payment. Idempotent: only the caller whose conditional
    UPDATE moves it out of created/pending changes the balance or notifies anyone."""
    now = utcnow()
    status = rules.provider_status(answer.status)
    pay = session.get(Payment, payment_id)
    if pay is None:
        raise NotFound("Платёж не найден.")
    if answer.amount_kopecks and answer.amount_kopecks != pay.amount_kopecks:
        status = PaymentStatus.FAILED  # never trust an amount we did not ask for
    open_states = [PaymentStatus.CREATED, PaymentStatus.PENDING]
    if status == PaymentStatus.PENDING:
        session.exec(
            sa.update(Payment)
            .where(col(Payment.id) == payment_id, col(Payment.status).in_(open_states))
            .values(
                status=PaymentStatus.PENDING,
                provider_payment_id=answer.id,
                confirmation_url=answer.confirmation_url[:500],
                attempts=Payment.attempts + 1,
                last_checked_at=now,
                updated_at=now,
            )
        )
        session.commit()
        session.refresh(pay)
        return pay
    values: dict[str, object] = {
        "status": status,
        "provider_payment_id": answer.id,
        "confirmed_at": now,
        "updated_at": now,
        "last_checked_at": now,
        "attempts": Payment.attempts + 1,
    }
    if status == PaymentStatus.DECLINED:
        values["decline_reason"] = rules.decline_message(answer.decline_code)
    elif status == PaymentStatus.FAILED:
        values["decline_reason"] = "Сумма у платёжной системы не совпала с заказанной."
    won = session.exec(
        sa.update(Payment)
        .where(col(Payment.id) == payment_id, col(Payment.status).in_(open_states))
        .values(**values)
    ).rowcount
    if not won:
        session.rollback()
        session.refresh(pay)
        return pay  # someone else applied it already
    session.refresh(pay)
    sim = session.get(SimCard, pay.sim_id)
    assert sim is not None
    if status == PaymentStatus.SUCCEEDED:
        _credit(session, pay, sim)
        if pay.kind == PaymentKind.REFUND and pay.refund_of_id:
            session.exec(
                sa.update(Payment)
                .where(
                    col(Payment.id) == pay.refund_of_id,
                    col(Payment.status) == PaymentStatus.SUCCEEDED,
                )
                .values(status=PaymentStatus.REFUNDED, updated_at=now)
            )
        if answer.card is not None and pay.save_card and pay.organisation_id:
            _save_card(session, pay, answer)
    audit.record(
        session,
        actor_id=None,
        action=f"telecom.payment_{status}",
        object_type="telecom_payment",
        object_id=pay.id,
        after={"status": status, "provider_payment_id": answer.id, "reason": pay.decline_reason},
    )
    _notify_outcome(session, pay, sim)
    session.commit()
    return pay


def _credit(session: Session, pay: Payment, sim: SimCard) -> None:
    """Move the money of a just-succeeded payment (inside apply_outcome's transaction)."""
    delta = -pay.amount_kopecks if pay.kind == PaymentKind.REFUND else pay.amount_kopecks
    session.exec(
        sa.update(SimCard)
        .where(col(SimCard.id) == sim.id)
        .values(balance_kopecks=SimCard.balance_kopecks + delta, updated_at=utcnow())
    )
    session.refresh(sim)
    session.add(
        BalanceEntry(
            sim_id=sim.id or 0,
            payment_id=pay.id,
            kind=BalanceEntryKind.REFUND
            if pay.kind == PaymentKind.REFUND
            else BalanceEntryKind.PAYMENT,
            amount_kopecks=delta,
            balance_after_kopecks=sim.balance_kopecks,
            note=rules.PAYMENT_KIND_LABELS.get(pay.kind, (pay.kind, ""))[0],
        )
    )
    session.flush()  # the ledger's unique payment_id refuses a second credit


def _save_card(session: Session, pay: Payment, answer: ProviderPayment) -> None:
    card = answer.card
    assert card is not None and pay.organisation_id is not None
    exists = session.exec(select(SavedCard).where(SavedCard.provider_token == card.token)).first()
    same = session.exec(
        select(SavedCard).where(
            SavedCard.organisation_id == pay.organisation_id,
            col(SavedCard.is_active).is_(True),
            SavedCard.masked_pan == rules.mask_pan(card.last4),
            SavedCard.exp_month == card.exp_month,
            SavedCard.exp_year == card.exp_year,
        )
    ).first()
    if exists is not None or same is not None:
        return  # this card is saved already (the provider may hand out a new token each time)
    row = SavedCard(
        organisation_id=pay.organisation_id,
        user_id=pay.created_by_id,
        provider_token=card.token,
        masked_pan=rules.mask_pan(card.last4),
        brand=card.brand,
        exp_month=card.exp_month,
        exp_year=card.exp_year,
    )
    session.add(row)
    session.flush()
    pay.saved_card_id = row.id
    session.add(pay)


def _payer_ids(session: Session, pay: Payment) -> list[int]:
    if pay.created_by_id:
        return [pay.created_by_id]
    auto = session.exec(select(AutoPayment).where(AutoPayment.sim_id == pay.sim_id)).first()
    return [auto.created_by_id] if auto and auto.created_by_id else []


def _notify_outcome(session: Session, pay: Payment, sim: SimCard) -> None:
    kind = rules.PAYMENT_KIND_LABELS.get(pay.kind, (pay.kind, ""))[0].lower()
    ctx: dict[str, object] = {
        "msisdn": rules.format_msisdn(sim.msisdn),
        "amount": rules.format_rub(pay.amount_kopecks),
        "kind": kind,
    }
    if pay.status == PaymentStatus.SUCCEEDED and pay.kind != PaymentKind.REFUND:
        _notify(
            session,
            event="telecom.payment_succeeded",
            recipient_ids=_payer_ids(session, pay),
            context={**ctx, "balance": rules.format_rub(sim.balance_kopecks)},
            link=sim_url(sim.id or 0),
        )
    elif (
        pay.status in (PaymentStatus.DECLINED, PaymentStatus.FAILED)
        and pay.kind == PaymentKind.TOPUP
    ):
        # Auto-payment declines are told once per period by the job (telecom.autopay_failed).
        _notify(
            session,
            event="telecom.payment_declined",
            recipient_ids=_payer_ids(session, pay),
            context={**ctx, "reason": pay.decline_reason},
            link=sim_url(sim.id or 0),
        )


# --------------------------------------------------------------------------- re-checks


def refresh_payment(
    session: Session, *, payment_id: int, provider: PaymentProvider, token: str = ""
) -> Payment:
    """Ask the provider about an open payment and apply the answer (system; no actor).

    Without a provider id yet (the create call timed out), the create is re-sent with the
    same idempotency key: the provider answers the payment it made, or makes it now."""
    pay = session.get(Payment, int(payment_id))
    if pay is None:
        raise NotFound("Платёж не найден.")
    if pay.status not in rules.OPEN_PAYMENT:
        return pay
    try:
        if pay.provider_payment_id:
            answer = provider.get_payment(pay.provider_payment_id)
        elif pay.kind == PaymentKind.AUTOPAY:
            card = session.get(SavedCard, pay.saved_card_id) if pay.saved_card_id else None
            if card is None:
                close_payment(session, pay.id or 0, PaymentStatus.FAILED, "Карта удалена.")
                session.refresh(pay)
                return pay
            answer = provider.charge_token(
                idempotency_key=pay.idempotency_key,
                amount_kopecks=pay.amount_kopecks,
                token=token or card.provider_token,
                description="Автоплатёж",
                metadata={"payment_id": str(pay.id)},
            )
        elif pay.kind == PaymentKind.REFUND:
            original = session.get(Payment, pay.refund_of_id) if pay.refund_of_id else None
            if original is None:
                close_payment(session, pay.id or 0, PaymentStatus.FAILED, "Нет исходного платежа.")
                session.refresh(pay)
                return pay
            answer = provider.refund(
                idempotency_key=pay.idempotency_key,
                provider_payment_id=original.provider_payment_id,
                amount_kopecks=pay.amount_kopecks,
            )
        else:
            sim = session.get(SimCard, pay.sim_id)
            answer = provider.create_payment(
                idempotency_key=pay.idempotency_key,
                amount_kopecks=pay.amount_kopecks,
                description=f"Пополнение баланса {rules.format_msisdn(sim.msisdn if sim else '')}",
                return_url=routes.telecom_sim_url(pay.sim_id),
                save_card=pay.save_card,
                metadata={"payment_id": str(pay.id)},
            )
    except (ProviderTimeout, ProviderUnavailable):
        _touch(session, pay.id or 0)
        session.refresh(pay)
        if utcnow() - pay.created_at > rules.PAYMENT_EXPIRY:
            close_payment(
                session, pay.id or 0, PaymentStatus.FAILED, "Платёжная система не ответила."
            )
            session.refresh(pay)
        return pay
    except ProviderRejected:
        close_payment(
            session, pay.id or 0, PaymentStatus.FAILED, "Платёжная система не знает платёж."
        )
        session.refresh(pay)
        return pay
    pay = apply_outcome(session, pay.id or 0, answer)
    if pay.status == PaymentStatus.PENDING and utcnow() - pay.created_at > rules.PAYMENT_EXPIRY:
        close_payment(
            session,
            pay.id or 0,
            PaymentStatus.FAILED,
            rules.decline_message("expired_on_confirmation"),
        )
        session.refresh(pay)
    return pay


def check_my_payment(
    session: Session, *, actor_id: int, payment_id: int, provider: PaymentProvider
) -> Payment:
    """The subscriber came back from the payment page: learn the outcome now."""
    actor = _subscriber(session, actor_id)
    pay = queries.access_payment(session, actor, int(payment_id))
    return refresh_payment(session, payment_id=pay.id or 0, provider=provider)


def payment_by_provider_id(session: Session, provider_payment_id: str) -> int | None:
    if not provider_payment_id:
        return None
    return session.exec(
        select(Payment.id).where(Payment.provider_payment_id == provider_payment_id[:64])
    ).first()


def refund_payment(
    session: Session, *, actor_id: int, payment_id: int, provider: PaymentProvider
) -> Payment:
    """Return a succeeded payment to the card (operator administrators). The refund is its own
    payment row (kind refund), recorded before the call; the balance drops once it succeeds."""
    actor = load_actor(session, actor_id)
    require(actor, Perm.TELECOM_ADMIN)
    original = session.get(Payment, int(payment_id))
    if original is None:
        raise NotFound("Платёж не найден.")
    if original.status != PaymentStatus.SUCCEEDED or original.kind == PaymentKind.REFUND:
        raise ValidationFailed("Вернуть можно только зачисленный платёж.")
    taken = session.exec(
        select(Payment.id).where(
            Payment.refund_of_id == original.id,
            col(Payment.status).in_(
                [PaymentStatus.CREATED, PaymentStatus.PENDING, PaymentStatus.SUCCEEDED]
            ),
        )
    ).first()
    if taken is not None:
        raise ValidationFailed("Возврат по этому платежу уже оформлен.")
    now = utcnow()
    refund = Payment(
        sim_id=original.sim_id,
        contract_id=original.contract_id,
        organisation_id=original.organisation_id,
        partner_id=original.partner_id,
        kind=PaymentKind.REFUND,
        amount_kopecks=original.amount_kopecks,
        status=PaymentStatus.CREATED,
        idempotency_key=new_key("refund"),
        refund_of_id=original.id,
        created_by_id=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(refund)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.refund_started",
        object_type="telecom_payment",
        object_id=original.id,
        after={"refund_id": refund.id},
    )
    session.commit()
    try:
        answer = provider.refund(
            idempotency_key=refund.idempotency_key,
            provider_payment_id=original.provider_payment_id,
            amount_kopecks=refund.amount_kopecks,
        )
    except (ProviderTimeout, ProviderUnavailable) as e:
        raise PaymentNotCompleted(rules.TIMEOUT_MESSAGE) from e
    except ProviderRejected as e:
        close_payment(session, refund.id or 0, PaymentStatus.FAILED, "Платёжная система отказала.")
        raise PaymentNotCompleted("Платёжная система отказала в возврате.") from e
    return apply_outcome(session, refund.id or 0, answer)


# --------------------------------------------------------------------------- cards, auto-payment


def remove_card(session: Session, *, actor_id: int, card_id: int) -> None:
    """Forget a saved card; the auto-payments that used it are turned off."""
    actor = _subscriber(session, actor_id)
    card = queries.access_card(session, actor, int(card_id))
    require(actor, Perm.TELECOM_USE, card.organisation_id)
    card.is_active = False
    card.removed_at = utcnow()
    session.add(card)
    session.exec(
        sa.update(AutoPayment)
        .where(col(AutoPayment.saved_card_id) == card.id)
        .values(enabled=False, updated_at=utcnow())
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.card_removed",
        object_type="telecom_saved_card",
        object_id=card.id,
        after={"masked_pan": card.masked_pan},
    )
    session.commit()


def save_autopay(
    session: Session,
    *,
    actor_id: int,
    sim_id: int,
    card_id: int,
    day: int,
    amount: str,
) -> AutoPayment:
    """Turn on (or change) the SIM's monthly auto-payment from a saved card."""
    actor = _subscriber(session, actor_id)
    sim, org_id = _sim_for_action(session, actor, sim_id)
    if sim.status == SimStatus.INACTIVE:
        raise ValidationFailed("Сим-карта ещё не активирована.", field="card")
    try:
        card = queries.access_card(session, actor, int(card_id))
    except (NotFound, ValueError, TypeError):
        raise ValidationFailed("Выберите сохранённую карту.", field="card") from None
    if card.organisation_id != org_id:
        raise ValidationFailed("Эта карта сохранена для другой организации.", field="card")
    day = rules.check_day(day)
    kopecks = rules.check_amount(
        rules.parse_rubles(amount),
        low=rules.AUTOPAY_MIN_KOPECKS,
        high=rules.AUTOPAY_MAX_KOPECKS,
    )
    start = rules.first_period(queries.today_local(), day)
    auto = session.exec(select(AutoPayment).where(AutoPayment.sim_id == sim.id)).first()
    before = None
    if auto is None:
        auto = AutoPayment(
            sim_id=sim.id or 0,
            organisation_id=org_id,
            saved_card_id=card.id or 0,
            day_of_month=day,
            amount_kopecks=kopecks,
            enabled=True,
            start_period=start,
            created_by_id=actor.id,
        )
    else:
        before = {
            "card": auto.saved_card_id,
            "day": auto.day_of_month,
            "amount": auto.amount_kopecks,
            "enabled": auto.enabled,
        }
        if auto.day_of_month != day or not auto.enabled:
            # A changed day never charges a period a second time: the runs table is per
            # period, so at most the next uncharged period is taken.
            auto.start_period = max(start, auto.start_period)
        auto.saved_card_id, auto.day_of_month, auto.amount_kopecks = card.id or 0, day, kopecks
        auto.enabled = True
        auto.created_by_id = actor.id
        auto.version += 1
        auto.updated_at = utcnow()
    session.add(auto)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.autopay_saved",
        object_type="telecom_autopayment",
        object_id=auto.id,
        before=before,
        after={"card": card.id, "day": day, "amount": kopecks, "enabled": True},
    )
    session.commit()
    return auto


def set_autopay_enabled(session: Session, *, actor_id: int, sim_id: int, enabled: bool) -> None:
    actor = _subscriber(session, actor_id)
    sim, _org = _sim_for_action(session, actor, sim_id)
    auto = session.exec(select(AutoPayment).where(AutoPayment.sim_id == sim.id)).first()
    if auto is None:
        raise ValidationFailed("Автоплатёж ещё не настроен.")
    if enabled:
        card = session.get(SavedCard, auto.saved_card_id)
        if card is None or not card.is_active:
            raise ValidationFailed("Карта автоплатежа удалена — выберите другую.", field="card")
        if not auto.enabled:
            auto.start_period = max(
                rules.first_period(queries.today_local(), auto.day_of_month), auto.start_period
            )
    auto.enabled = bool(enabled)
    auto.version += 1
    auto.updated_at = utcnow()
    session.add(auto)
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.autopay_" + ("enabled" if enabled else "disabled"),
        object_type="telecom_autopayment",
        object_id=auto.id,
    )
    session.commit()


# --------------------------------------------------------------------------- requests


def _announce(session: Session, *, request: str, org_id: int, comment: str) -> None:
    _notify(
        session,
        event="telecom.request_created",
        recipient_ids=telecom_staff_ids(session),
        context={
            "request": request,
            "organisation": _org_name(session, org_id),
            "comment": comment,
        },
        link=routes.TELECOM,
    )


def request_tariff_change(
    session: Session, *, actor_id: int, sim_id: int, tariff_id: int, comment: str = ""
) -> TariffChangeRequest:
    actor = _subscriber(session, actor_id)
    sim, org_id = _sim_for_action(session, actor, sim_id)
    comment = rules.check_comment(comment, required=False)
    tariff = session.get(Tariff, int(tariff_id)) if tariff_id else None
    if tariff is None or tariff.status != TariffStatus.ACTIVE:
        raise ValidationFailed("Выберите тариф из списка.", field="tariff")
    if tariff.id == sim.tariff_id:
        raise ValidationFailed("Этот тариф уже подключён.", field="tariff")
    if sim.status == SimStatus.BLOCKED:
        raise ValidationFailed("Сим-карта заблокирована: тариф сменить нельзя.", field="tariff")
    pending = session.exec(
        select(TariffChangeRequest.id).where(
            TariffChangeRequest.sim_id == sim.id,
            TariffChangeRequest.status == RequestStatus.PENDING,
        )
    ).first()
    if pending is not None:
        raise ValidationFailed("Заявка на смену тарифа уже на рассмотрении.", field="tariff")
    req = TariffChangeRequest(
        sim_id=sim.id or 0,
        organisation_id=org_id,
        from_tariff_id=sim.tariff_id,
        to_tariff_id=tariff.id or 0,
        comment=comment,
        requested_by_id=actor.id,
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.tariff_change_requested",
        object_type="telecom_tariff_request",
        object_id=req.id,
        after={"sim_id": sim.id, "to_tariff_id": tariff.id},
    )
    _announce(
        session,
        request=f"смена тарифа {rules.format_msisdn(sim.msisdn)} на «{tariff.name}»",
        org_id=org_id,
        comment=comment,
    )
    session.commit()
    return req


def request_block(
    session: Session, *, actor_id: int, sim_id: int, reason_code: str, comment: str = ""
) -> BlockRequest:
    actor = _subscriber(session, actor_id)
    sim, org_id = _sim_for_action(session, actor, sim_id)
    if reason_code not in rules.BLOCK_REASONS:
        raise ValidationFailed("Выберите причину блокировки.", field="reason")
    comment = rules.check_comment(comment, required=reason_code == "other", field="comment")
    if sim.status == SimStatus.BLOCKED:
        raise ValidationFailed("Сим-карта уже заблокирована.", field="reason")
    pending = session.exec(
        select(BlockRequest.id).where(
            BlockRequest.sim_id == sim.id, BlockRequest.status == RequestStatus.PENDING
        )
    ).first()
    if pending is not None:
        raise ValidationFailed("Заявка на блокировку уже на рассмотрении.", field="reason")
    req = BlockRequest(
        sim_id=sim.id or 0,
        organisation_id=org_id,
        reason_code=reason_code,
        reason=comment,
        requested_by_id=actor.id,
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.block_requested",
        object_type="telecom_block_request",
        object_id=req.id,
        after={"sim_id": sim.id, "reason_code": reason_code},
    )
    _announce(
        session,
        request=f"блокировка {rules.format_msisdn(sim.msisdn)}",
        org_id=org_id,
        comment=rules.BLOCK_REASONS[reason_code][0] + (f": {comment}" if comment else ""),
    )
    session.commit()
    return req


def request_activation(
    session: Session, *, actor_id: int, sim_id: int, comment: str = ""
) -> ActivationRequest:
    actor = _subscriber(session, actor_id)
    sim, org_id = _sim_for_action(session, actor, sim_id)
    comment = rules.check_comment(comment, required=False)
    if sim.status != SimStatus.INACTIVE:
        raise ValidationFailed("Сим-карта уже активна или заблокирована.")
    pending = session.exec(
        select(ActivationRequest.id).where(
            ActivationRequest.sim_id == sim.id,
            ActivationRequest.status == RequestStatus.PENDING,
        )
    ).first()
    if pending is not None:
        raise ValidationFailed("Заявка на активацию уже на рассмотрении.")
    req = ActivationRequest(
        source=RequestSource.SUBSCRIBER,
        sim_id=sim.id,
        iccid=sim.iccid,
        organisation_id=org_id,
        contract_id=sim.contract_id,
        tariff_id=sim.tariff_id,
        comment=comment,
        requested_by_id=actor.id,
    )
    session.add(req)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="telecom.activation_requested",
        object_type="telecom_activation_request",
        object_id=req.id,
        after={"sim_id": sim.id},
    )
    _announce(
        session,
        request=f"активация {rules.format_msisdn(sim.msisdn)}",
        org_id=org_id,
        comment=comment,
    )
    session.commit()
    return req


_REQUEST_MODELS: dict[
    str, type[TariffChangeRequest] | type[BlockRequest] | type[ActivationRequest]
] = {
    "tariff": TariffChangeRequest,
    "block": BlockRequest,
    "activation": ActivationRequest,
}


def cancel_request(session: Session, *, actor_id: int, kind: str, request_id: int) -> None:
    """The subscriber withdraws their own organisation's pending request."""
    actor = _subscriber(session, actor_id)
    model: Any = _REQUEST_MODELS.get(kind)
    if model is None:
        raise NotFound("Заявка не найдена.")
    req = session.get(model, int(request_id))
    if req is None or req.organisation_id not in queries.subscriber_org_ids(actor):
        raise NotFound("Заявка не найдена.")
    won = session.exec(
        sa.update(model)
        .where(col(model.id) == req.id, col(model.status) == RequestStatus.PENDING)
        .values(status=RequestStatus.CANCELLED, decided_at=utcnow(), decided_by_id=actor.id)
    ).rowcount
    if not won:
        session.rollback()
        raise ValidationFailed("Заявка уже рассмотрена.")
    audit.record(
        session,
        actor_id=actor.id,
        action=f"telecom.{kind}_request_cancelled",
        object_type="telecom_request",
        object_id=req.id,
    )
    session.commit()


def rename_sim(session: Session, *, actor_id: int, sim_id: int, label: str) -> None:
    actor = _subscriber(session, actor_id)
    sim, _org = _sim_for_action(session, actor, sim_id)
    label = (label or "").strip()
    if len(label) > 60:
        raise ValidationFailed("Не длиннее 60 символов.", field="label")
    sim.label = label
    sim.updated_at = utcnow()
    session.add(sim)
    session.commit()


__all__ = [
    "PaymentNotCompleted",
    "apply_outcome",
    "cancel_request",
    "check_my_payment",
    "refresh_payment",
    "refund_payment",
    "remove_card",
    "request_activation",
    "request_block",
    "request_tariff_change",
    "save_autopay",
    "set_autopay_enabled",
    "start_topup",
]
