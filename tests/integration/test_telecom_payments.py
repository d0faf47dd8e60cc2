"""Telecom payments and auto-payments against the sandbox provider served on 127.0.0.1:
top-up through the payment page, declines, a provider timeout in the middle, exactly-once
outcomes, auto-payment periods with several workers and retries, scope."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.telecom import autopay, queries, rules, service
from cabinet.telecom.payments import PaymentProvider
from cabinet.telecom.sandbox import SandboxServer
from models import (
    AutoPayment,
    AutoPayRun,
    BalanceEntry,
    Membership,
    Notification,
    Organisation,
    Payment,
    SavedCard,
    SimCard,
    Tariff,
    TelecomContract,
    User,
)
from models.telecom import AutoPayRunStatus, PaymentStatus, SimStatus

pytestmark = pytest.mark.db

_seq = itertools.count(1)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def provider(sandbox: SandboxServer) -> PaymentProvider:
    sandbox.sandbox.delay = 0
    sandbox.sandbox.decline_next = 0
    sandbox.sandbox.fail_next = 0
    return PaymentProvider(
        base_url=sandbox.url, shop_id="sandbox", secret="sandbox-secret", timeout=3.0
    )


def make_user(db, org: Organisation | None, role: str = BuiltinRole.CUSTOMER) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Абонент {n}",
        email=f"tel{n}@test.local",
        phone=f"+7906{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


def make_sim(db, contract: TelecomContract | None, tariff: Tariff, **kw) -> SimCard:
    n = next(_seq)
    sim = SimCard(
        iccid=f"8970199{n:012d}",
        msisdn=f"+7999{n:07d}",
        status=kw.pop("status", SimStatus.ACTIVE),
        contract_id=contract.id if contract else None,
        tariff_id=tariff.id,
        **kw,
    )
    db.add(sim)
    db.flush()
    return sim


@pytest.fixture
def w(db):
    ensure_builtin_roles(db)
    n = next(_seq)
    org = Organisation(name=f"ООО Связь {n}", inn=f"77{n:08d}")
    other = Organisation(name=f"ООО Чужие {n}", inn=f"78{n:08d}")
    db.add(org)
    db.add(other)
    db.flush()
    tariff = Tariff(name=f"Тариф {n}", monthly_fee_kopecks=45000, minutes=500, internet_gb=30)
    tariff2 = Tariff(name=f"Тариф Макс {n}", monthly_fee_kopecks=90000)
    db.add(tariff)
    db.add(tariff2)
    db.flush()
    contract = TelecomContract(number=f"Д-{n}", organisation_id=org.id)
    other_contract = TelecomContract(number=f"Д-Ч-{n}", organisation_id=other.id)
    db.add(contract)
    db.add(other_contract)
    db.flush()

    class W:
        pass

    x = W()
    x.org, x.other, x.tariff, x.tariff2 = org, other, tariff, tariff2
    x.contract, x.other_contract = contract, other_contract
    x.client = make_user(db, org)
    x.stranger = make_user(db, other)
    x.admin = make_user(db, None, BuiltinRole.ADMIN)
    x.sim = make_sim(db, contract, tariff, balance_kopecks=10000)
    x.sim2 = make_sim(db, contract, tariff, status=SimStatus.INACTIVE)
    x.other_sim = make_sim(db, other_contract, tariff)
    db.commit()
    return x


def pay_on_page(url: str, card: str = "4242 4242 4242 4242") -> httpx.Response:
    """What the payer does on the provider's page."""
    return httpx.post(url, data={"number": card, "exp": "12/30", "cvc": "123", "action": "pay"})


def balance(db, sim: SimCard) -> int:
    db.expire_all()
    fresh = db.get(SimCard, sim.id)
    assert fresh is not None
    return fresh.balance_kopecks


# --------------------------------------------------------------------------- top-up


def test_topup_is_recorded_before_the_provider_and_credited_once_after_paying(db, w, provider):
    pid, url = service.start_topup(
        db,
        actor_id=w.client.id,
        sim_id=w.sim.id,
        amount="500",
        save_card=False,
        return_url="http://cabinet.test/telecom?paid={payment_id}",
        provider=provider,
    )
    pay = db.get(Payment, pid)
    assert pay.status == PaymentStatus.PENDING and pay.provider_payment_id
    assert url.endswith("/pay/" + pay.provider_payment_id)
    assert balance(db, w.sim) == 10000  # nothing moves before the outcome

    answer = pay_on_page(url)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"http://cabinet.test/telecom?paid={pid}"

    first = service.check_my_payment(db, actor_id=w.client.id, payment_id=pid, provider=provider)
    assert first.status == PaymentStatus.SUCCEEDED
    assert balance(db, w.sim) == 60000
    # The webhook, the return page and the worker may all ask again: nothing more moves.
    service.refresh_payment(db, payment_id=pid, provider=provider)
    again = provider.get_payment(pay.provider_payment_id)
    service.apply_outcome(db, pid, again)
    assert balance(db, w.sim) == 60000
    entries = db.exec(select(BalanceEntry).where(BalanceEntry.payment_id == pid)).all()
    assert [(e.amount_kopecks, e.balance_after_kopecks) for e in entries] == [(50000, 60000)]
    notes = db.exec(
        select(Notification).where(
            Notification.user_id == w.client.id, Notification.event == "telecom.payment_succeeded"
        )
    ).all()
    assert len(notes) == 1


def test_declined_card_leaves_the_balance_and_says_why(db, w, provider):
    pid, url = service.start_topup(
        db,
        actor_id=w.client.id,
        sim_id=w.sim.id,
        amount="300",
        save_card=True,
        return_url="http://cabinet.test/back",
        provider=provider,
    )
    pay_on_page(url, "4000 0000 0000 0002")
    pay = service.check_my_payment(db, actor_id=w.client.id, payment_id=pid, provider=provider)
    assert pay.status == PaymentStatus.DECLINED
    assert pay.decline_reason == "Недостаточно средств на карте."
    assert balance(db, w.sim) == 10000
    assert db.exec(select(SavedCard).where(SavedCard.organisation_id == w.org.id)).all() == []
    row = queries.payment_outcome(db, load_actor(db, w.client.id), pid)
    assert row.status_label == "Отклонён" and row.reason == "Недостаточно средств на карте."


def test_saved_card_keeps_only_the_token_and_a_masked_number(db, w, provider):
    pid, url = service.start_topup(
        db,
        actor_id=w.client.id,
        sim_id=w.sim.id,
        amount="100",
        save_card=True,
        return_url="http://cabinet.test/back",
        provider=provider,
    )
    pay_on_page(url, "4242424242424242")
    service.refresh_payment(db, payment_id=pid, provider=provider)
    [card] = db.exec(select(SavedCard).where(SavedCard.organisation_id == w.org.id)).all()
    assert card.masked_pan == "•••• 4242" and card.provider_token.startswith("pm_")
    assert (card.exp_month, card.exp_year) == (12, 2030)
    stored = " ".join(str(v) for v in card.model_dump().values())
    assert "4242424242424242" not in stored
    # Paying with the same card and "remember" again keeps one saved card.
    pid2, url2 = service.start_topup(
        db,
        actor_id=w.client.id,
        sim_id=w.sim.id,
        amount="100",
        save_card=True,
        return_url="http://cabinet.test/back",
        provider=provider,
    )
    pay_on_page(url2, "4242424242424242")
    service.refresh_payment(db, payment_id=pid2, provider=provider)
    assert len(db.exec(select(SavedCard).where(SavedCard.organisation_id == w.org.id)).all()) == 1


def test_provider_timeout_in_the_middle_keeps_the_balance_and_a_recheck_applies_it_once(
    db, w, provider, sandbox
):
    slow = PaymentProvider(
        base_url=sandbox.url, shop_id="sandbox", secret="sandbox-secret", timeout=0.3
    )
    sandbox.sandbox.delay = 1.0  # the provider makes the payment, then answers too late
    with pytest.raises(service.PaymentNotCompleted) as e:
        service.start_topup(
            db,
            actor_id=w.client.id,
            sim_id=w.sim.id,
            amount="250",
            save_card=False,
            return_url="http://cabinet.test/back",
            provider=slow,
        )
    assert "не ответила вовремя" in e.value.message
    pay = db.exec(select(Payment).where(Payment.sim_id == w.sim.id)).one()
    assert pay.status == PaymentStatus.CREATED and pay.provider_payment_id == ""
    assert balance(db, w.sim) == 10000

    sandbox.sandbox.delay = 0
    rechecked = service.refresh_payment(db, payment_id=pay.id, provider=provider)
    assert rechecked.status == PaymentStatus.PENDING and rechecked.provider_payment_id
    # The re-sent create found the payment the provider had made, not a second one.
    created = provider.create_payment(
        idempotency_key=pay.idempotency_key,
        amount_kopecks=25000,
        description="",
        return_url="",
    )
    assert created.id == rechecked.provider_payment_id
    pay_on_page(rechecked.confirmation_url)
    for _ in range(3):
        service.refresh_payment(db, payment_id=pay.id, provider=provider)
    assert balance(db, w.sim) == 35000


def test_unreachable_provider_fails_the_payment_with_a_clear_message(db, w):
    dead = PaymentProvider(base_url="http://127.0.0.1:9", shop_id="s", secret="s", timeout=1)
    with pytest.raises(service.PaymentNotCompleted) as e:
        service.start_topup(
            db,
            actor_id=w.client.id,
            sim_id=w.sim.id,
            amount="100",
            save_card=False,
            return_url="http://cabinet.test/back",
            provider=dead,
        )
    assert e.value.message == rules.UNAVAILABLE_MESSAGE
    pay = db.exec(select(Payment).where(Payment.sim_id == w.sim.id)).one()
    assert pay.status == PaymentStatus.FAILED
    assert balance(db, w.sim) == 10000


def test_topup_input_is_checked(db, w, provider):
    kw = {"save_card": False, "return_url": "http://x/", "provider": provider}
    with pytest.raises(ValidationFailed):
        service.start_topup(db, actor_id=w.client.id, sim_id=w.sim.id, amount="5", **kw)
    with pytest.raises(ValidationFailed, match="не активирована"):
        service.start_topup(db, actor_id=w.client.id, sim_id=w.sim2.id, amount="100", **kw)
    assert db.exec(select(func.count()).select_from(Payment)).one() == 0


def test_refund_returns_money_once(db, w, provider):
    pid, url = service.start_topup(
        db,
        actor_id=w.client.id,
        sim_id=w.sim.id,
        amount="200",
        save_card=False,
        return_url="http://cabinet.test/back",
        provider=provider,
    )
    pay_on_page(url)
    service.refresh_payment(db, payment_id=pid, provider=provider)
    assert balance(db, w.sim) == 30000
    with pytest.raises(PermissionDenied):
        service.refund_payment(db, actor_id=w.client.id, payment_id=pid, provider=provider)
    refund = service.refund_payment(db, actor_id=w.admin.id, payment_id=pid, provider=provider)
    assert refund.status == PaymentStatus.SUCCEEDED
    assert db.get(Payment, pid).status == PaymentStatus.REFUNDED
    assert balance(db, w.sim) == 10000
    with pytest.raises(ValidationFailed):
        service.refund_payment(db, actor_id=w.admin.id, payment_id=pid, provider=provider)


# --------------------------------------------------------------------------- scope


def test_a_subscriber_never_reaches_another_contracts_sims_or_payments(db, w, provider):
    stranger = load_actor(db, w.stranger.id)
    with pytest.raises(NotFound):
        queries.sim_detail(db, stranger, w.sim.id)
    with pytest.raises(NotFound):
        queries.payments(db, stranger, w.sim.id, queries.PaymentFilters())
    with pytest.raises(NotFound):
        service.start_topup(
            db,
            actor_id=w.stranger.id,
            sim_id=w.sim.id,
            amount="100",
            save_card=False,
            return_url="http://x/",
            provider=provider,
        )
    with pytest.raises(NotFound):
        service.request_block(db, actor_id=w.stranger.id, sim_id=w.sim.id, reason_code="lost")
    pid, _ = service.start_topup(
        db,
        actor_id=w.client.id,
        sim_id=w.sim.id,
        amount="100",
        save_card=False,
        return_url="http://x/",
        provider=provider,
    )
    with pytest.raises(NotFound):
        service.check_my_payment(db, actor_id=w.stranger.id, payment_id=pid, provider=provider)
    numbers = [s.msisdn for c in queries.contracts(db, stranger) for s in c.sims]
    assert numbers == [rules.format_msisdn(w.other_sim.msisdn)]
    staff = make_user(db, None, BuiltinRole.ADMIN)
    assert queries.contracts(db, load_actor(db, staff.id)) == []


def test_payment_history_filters_and_pages(db, w, provider):
    now = datetime.now(UTC)
    for i in range(7):
        db.add(
            Payment(
                sim_id=w.sim.id,
                organisation_id=w.org.id,
                amount_kopecks=1000 * (i + 1),
                status=PaymentStatus.SUCCEEDED if i % 2 else PaymentStatus.DECLINED,
                kind="topup" if i < 5 else "autopay",
                idempotency_key=f"hist-{w.sim.id}-{i}",
                created_at=now - timedelta(days=i),
                updated_at=now,
            )
        )
    db.commit()
    actor = load_actor(db, w.client.id)
    first = queries.payments(db, actor, w.sim.id, queries.PaymentFilters(), limit=3)
    assert [r.amount for r in first.rows] == ["10,00 ₽", "20,00 ₽", "30,00 ₽"]
    second = queries.payments(
        db, actor, w.sim.id, queries.PaymentFilters(), after=first.next_after, limit=3
    )
    assert [r.amount for r in second.rows] == ["40,00 ₽", "50,00 ₽", "60,00 ₽"]
    ok = queries.payments(db, actor, w.sim.id, queries.PaymentFilters(status="succeeded"))
    assert len(ok.rows) == 3
    auto = queries.payments(db, actor, w.sim.id, queries.PaymentFilters(kind="autopay"))
    assert len(auto.rows) == 2
    day = (now - timedelta(days=2)).astimezone(UTC).date()
    ranged = queries.payments(
        db,
        actor,
        w.sim.id,
        queries.PaymentFilters(
            date_from=(day - timedelta(days=1)).isoformat(), date_to=day.isoformat()
        ),
    )
    assert 1 <= len(ranged.rows) <= 3
    with pytest.raises(ValidationFailed):
        queries.payments(db, actor, w.sim.id, queries.PaymentFilters(date_from="31.12.2026"))


# --------------------------------------------------------------------------- requests


def test_requests_one_pending_of_each_kind_and_staff_hear_of_them(db, w):
    operator_admin = w.admin
    req = service.request_tariff_change(
        db, actor_id=w.client.id, sim_id=w.sim.id, tariff_id=w.tariff2.id, comment="Нужно больше ГБ"
    )
    assert req.from_tariff_id == w.tariff.id and req.status == "pending"
    with pytest.raises(ValidationFailed, match="уже на рассмотрении"):
        service.request_tariff_change(
            db, actor_id=w.client.id, sim_id=w.sim.id, tariff_id=w.tariff2.id
        )
    with pytest.raises(ValidationFailed, match="уже подключён"):
        service.request_tariff_change(
            db, actor_id=w.client.id, sim_id=w.sim2.id, tariff_id=w.tariff.id
        )
    with pytest.raises(ValidationFailed, match="Опишите"):
        service.request_block(db, actor_id=w.client.id, sim_id=w.sim.id, reason_code="other")
    service.request_block(db, actor_id=w.client.id, sim_id=w.sim.id, reason_code="lost")
    with pytest.raises(ValidationFailed):
        service.request_activation(db, actor_id=w.client.id, sim_id=w.sim.id)
    service.request_activation(
        db, actor_id=w.client.id, sim_id=w.sim2.id, comment="Вставил в роутер"
    )
    detail = queries.sim_detail(db, load_actor(db, w.client.id), w.sim.id)
    assert detail.pending_tariff and detail.pending_block and not detail.pending_activation
    assert {r.kind for r in detail.requests} == {"tariff", "block"}
    events = db.exec(
        select(Notification.event).where(Notification.user_id == operator_admin.id)
    ).all()
    assert events.count("telecom.request_created") == 3
    service.cancel_request(db, actor_id=w.client.id, kind="tariff", request_id=req.id)
    with pytest.raises(ValidationFailed, match="уже рассмотрена"):
        service.cancel_request(db, actor_id=w.client.id, kind="tariff", request_id=req.id)
    with pytest.raises(NotFound):
        service.cancel_request(db, actor_id=w.stranger.id, kind="block", request_id=1)


# --------------------------------------------------------------------------- auto-payment


def _card(db, w, provider, sandbox, number: str = "4242424242424242") -> SavedCard:
    pid, url = service.start_topup(
        db,
        actor_id=w.client.id,
        sim_id=w.sim.id,
        amount="10",
        save_card=True,
        return_url="http://cabinet.test/back",
        provider=provider,
    )
    pay_on_page(url, number)
    service.refresh_payment(db, payment_id=pid, provider=provider)
    return db.exec(
        select(SavedCard)
        .where(SavedCard.organisation_id == w.org.id)
        .order_by(col(SavedCard.id).desc())
    ).first()


def _autopay(db, w, card: SavedCard, *, day: int, start: str) -> AutoPayment:
    service.save_autopay(
        db, actor_id=w.client.id, sim_id=w.sim.id, card_id=card.id, day=day, amount="500"
    )
    auto = db.exec(select(AutoPayment).where(AutoPayment.sim_id == w.sim.id)).one()
    auto.start_period = start  # as if it had been turned on earlier
    db.add(auto)
    db.commit()
    return auto


def _at(d: date, hour: int = 9) -> datetime:
    return datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


def test_autopay_charges_once_per_period_with_two_workers_and_restarts(db, w, provider, sandbox):
    card = _card(db, w, provider, sandbox)
    auto = _autopay(db, w, card, day=31, start="2026-01")
    start = balance(db, w.sim)
    before_day = autopay.run_once(db, provider=provider, now=_at(date(2026, 2, 27)), worker="A")
    assert before_day.claimed == []
    # 28 February is the last day: a "31st" auto-payment is due.
    a = autopay.run_once(db, provider=provider, now=_at(date(2026, 2, 28)), worker="A")
    b = autopay.run_once(db, provider=provider, now=_at(date(2026, 2, 28), 10), worker="B")
    assert len(a.succeeded) == 1 and b.claimed == []
    # A restart on the same day, or the next day of March before the 31st: nothing.
    assert (
        autopay.run_once(db, provider=provider, now=_at(date(2026, 3, 1)), worker="C").claimed == []
    )
    runs = db.exec(select(AutoPayRun).where(AutoPayRun.autopayment_id == auto.id)).all()
    assert [(r.period, r.status, r.attempts) for r in runs] == [("2026-02", "succeeded", 1)]
    assert balance(db, w.sim) == start + 50000
    # A second insert of the same period is refused by the database itself.
    db.add(AutoPayRun(autopayment_id=auto.id, period="2026-02"))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    march = autopay.run_once(db, provider=provider, now=_at(date(2026, 3, 31)), worker="A")
    assert len(march.succeeded) == 1
    assert balance(db, w.sim) == start + 100000


def test_autopay_retries_a_declined_charge_then_succeeds(db, w, provider, sandbox):
    card = _card(db, w, provider, sandbox)
    _autopay(db, w, card, day=10, start="2026-03")
    start = balance(db, w.sim)
    sandbox.sandbox.decline_next = 1
    t0 = _at(date(2026, 3, 10))
    first = autopay.run_once(db, provider=provider, now=t0, worker="A")
    assert len(first.retrying) == 1 and balance(db, w.sim) == start
    assert autopay.run_once(db, provider=provider, now=t0 + timedelta(minutes=30)).claimed == []
    second = autopay.run_once(db, provider=provider, now=t0 + timedelta(hours=1, minutes=1))
    assert len(second.succeeded) == 1
    assert balance(db, w.sim) == start + 50000
    statuses = db.exec(
        select(Payment.status).where(Payment.kind == "autopay").order_by(col(Payment.id))
    ).all()
    assert statuses == ["declined", "succeeded"]


def test_autopay_gives_up_after_the_last_attempt_and_tells_the_subscriber_once(
    db, w, provider, sandbox
):
    card = _card(db, w, provider, sandbox, "4000000000000002")  # saved, then declines
    card_ok = db.exec(select(SavedCard).where(SavedCard.organisation_id == w.org.id)).all()
    assert card_ok == []  # a declined top-up saves no card
    # save the card with a good top-up, then make every charge decline
    card = _card(db, w, provider, sandbox)
    _autopay(db, w, card, day=5, start="2026-03")
    start = balance(db, w.sim)
    sandbox.sandbox.decline_next = 99
    now = _at(date(2026, 3, 5))
    for _ in range(rules.MAX_AUTOPAY_ATTEMPTS + 2):
        autopay.run_once(db, provider=provider, now=now)
        now += timedelta(hours=25)
    run = db.exec(select(AutoPayRun)).one()
    assert run.status == AutoPayRunStatus.FAILED and run.attempts == rules.MAX_AUTOPAY_ATTEMPTS
    assert balance(db, w.sim) == start
    failed = db.exec(
        select(Notification).where(Notification.event == "telecom.autopay_failed")
    ).all()
    assert len(failed) == 1 and "Недостаточно средств" in failed[0].body


def test_autopay_timeout_in_the_middle_is_rechecked_not_charged_again(db, w, provider, sandbox):
    card = _card(db, w, provider, sandbox)
    _autopay(db, w, card, day=15, start="2026-03")
    start = balance(db, w.sim)
    slow = PaymentProvider(
        base_url=sandbox.url, shop_id="sandbox", secret="sandbox-secret", timeout=0.3
    )
    sandbox.sandbox.delay = 1.0
    t0 = _at(date(2026, 3, 15))
    first = autopay.run_once(db, provider=slow, now=t0, worker="A")
    assert first.unknown == [first.claimed[0]]
    assert balance(db, w.sim) == start  # charged at the provider, but we did not hear it
    sandbox.sandbox.delay = 0
    later = autopay.run_once(db, provider=provider, now=t0 + timedelta(minutes=6), worker="B")
    assert later.succeeded == first.claimed
    assert balance(db, w.sim) == start + 50000
    pays = db.exec(select(Payment).where(Payment.kind == "autopay")).all()
    assert len(pays) == 1 and pays[0].status == PaymentStatus.SUCCEEDED


def test_a_crashed_workers_claim_is_taken_over_after_its_lease(db, w, provider, sandbox):
    card = _card(db, w, provider, sandbox)
    _autopay(db, w, card, day=3, start="2026-03")
    t0 = _at(date(2026, 3, 3))
    [run_id] = autopay.claim_new_periods(db, now=t0, worker="dead")  # then the worker died
    assert autopay.run_once(db, provider=provider, now=t0 + timedelta(minutes=1)).claimed == []
    later = autopay.run_once(db, provider=provider, now=t0 + timedelta(minutes=6), worker="B")
    assert later.succeeded == [run_id]


def test_autopay_settings_are_checked_and_removing_the_card_turns_it_off(db, w, provider, sandbox):
    card = _card(db, w, provider, sandbox)
    with pytest.raises(ValidationFailed):
        service.save_autopay(
            db, actor_id=w.client.id, sim_id=w.sim.id, card_id=card.id, day=0, amount="500"
        )
    with pytest.raises(ValidationFailed):
        service.save_autopay(
            db, actor_id=w.client.id, sim_id=w.sim.id, card_id=card.id, day=5, amount="1"
        )
    with pytest.raises(ValidationFailed):
        service.save_autopay(
            db, actor_id=w.stranger.id, sim_id=w.other_sim.id, card_id=card.id, day=5, amount="500"
        )
    auto = service.save_autopay(
        db, actor_id=w.client.id, sim_id=w.sim.id, card_id=card.id, day=31, amount="750,50"
    )
    assert auto.enabled and auto.amount_kopecks == 75050
    assert re.fullmatch(r"\d{4}-\d{2}", auto.start_period)
    service.set_autopay_enabled(db, actor_id=w.client.id, sim_id=w.sim.id, enabled=False)
    assert not db.get(AutoPayment, auto.id).enabled
    service.set_autopay_enabled(db, actor_id=w.client.id, sim_id=w.sim.id, enabled=True)
    service.remove_card(db, actor_id=w.client.id, card_id=card.id)
    db.expire_all()
    assert not db.get(AutoPayment, auto.id).enabled
    with pytest.raises(ValidationFailed, match="удалена"):
        service.set_autopay_enabled(db, actor_id=w.client.id, sim_id=w.sim.id, enabled=True)
    with pytest.raises(NotFound):
        service.remove_card(db, actor_id=w.stranger.id, card_id=card.id)
