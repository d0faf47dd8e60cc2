"""The payment webhook over HTTP: the provider's notice is only a hint (the status is asked from
the provider), a payment is credited once however many notices arrive at once, an unknown or
malformed notice changes nothing.

The webhook opens its own database sessions, so the rows here are committed and removed
afterwards (like the state tests)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from cabinet.db import get_engine
from cabinet.settings import Settings
from cabinet.telecom.payments import PaymentProvider, http_routes
from cabinet.telecom.sandbox import SandboxServer
from models import AuditEvent, BalanceEntry, Organisation, Payment, SimCard, TelecomContract
from models.telecom import PaymentStatus, SimStatus

pytestmark = pytest.mark.db


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, int]]:  # type: ignore[no-untyped-def]
    tag = secrets.token_hex(4)
    with Session(get_engine()) as s:
        org = Organisation(name=f"ООО Вебхук {tag}")
        s.add(org)
        s.flush()
        contract = TelecomContract(number=f"WH-{tag}", organisation_id=org.id or 0)
        s.add(contract)
        s.flush()
        sim = SimCard(
            iccid=f"89701{int(tag, 16):014d}",
            msisdn=f"+7955{int(tag, 16) % 10**7:07d}",
            status=SimStatus.ACTIVE,
            contract_id=contract.id,
            balance_kopecks=1000,
        )
        s.add(sim)
        s.commit()
        ids = {"org": org.id or 0, "contract": contract.id or 0, "sim": sim.id or 0}
    yield ids
    with Session(get_engine()) as s:
        pay_ids = list(s.exec(select(Payment.id).where(Payment.sim_id == ids["sim"])).all())
        s.exec(delete(BalanceEntry).where(col(BalanceEntry.sim_id) == ids["sim"]))  # type: ignore[call-overload]
        s.exec(  # type: ignore[call-overload]
            delete(AuditEvent).where(
                AuditEvent.object_type == "telecom_payment",
                col(AuditEvent.object_id).in_([str(i) for i in pay_ids]),
            )
        )
        s.exec(delete(Payment).where(col(Payment.sim_id) == ids["sim"]))  # type: ignore[call-overload]
        s.exec(delete(SimCard).where(col(SimCard.id) == ids["sim"]))  # type: ignore[call-overload]
        s.exec(delete(TelecomContract).where(col(TelecomContract.id) == ids["contract"]))  # type: ignore[call-overload]
        s.exec(delete(Organisation).where(col(Organisation.id) == ids["org"]))  # type: ignore[call-overload]
        s.commit()


def test_webhook_asks_the_provider_and_credits_once(world) -> None:  # type: ignore[no-untyped-def]
    with SandboxServer() as sandbox:
        config = Settings(
            payment_provider_url=sandbox.url,
            payment_shop_id="sandbox",
            payment_secret="sandbox-secret",
            payment_sandbox=False,
        )
        provider = PaymentProvider(
            base_url=sandbox.url, shop_id="sandbox", secret="sandbox-secret", timeout=5
        )
        key = "wh-" + secrets.token_hex(8)
        answer = provider.create_payment(
            idempotency_key=key, amount_kopecks=25000, description="", return_url=""
        )
        with Session(get_engine()) as s:
            pay = Payment(
                sim_id=world["sim"],
                contract_id=world["contract"],
                organisation_id=world["org"],
                amount_kopecks=25000,
                status=PaymentStatus.PENDING,
                idempotency_key=key,
                provider_payment_id=answer.id,
            )
            s.add(pay)
            s.commit()
            pay_id = pay.id
        client = TestClient(Starlette(routes=http_routes(config)))
        hook = "/api/telecom/payment-webhook"
        notice = {"event": "payment.succeeded", "object": {"id": answer.id}}

        # A forged "succeeded" before the payer paid: the provider says pending; nothing moves.
        assert client.post(hook, json=notice).json() == {"status": "pending"}
        httpx.post(
            answer.confirmation_url,
            data={"number": "4242424242424242", "exp": "12/30", "cvc": "1", "action": "pay"},
        )
        results: list[str] = []

        def send() -> None:
            results.append(client.post(hook, json=notice).json()["status"])

        threads = [threading.Thread(target=send) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results == ["succeeded"] * 4
        assert client.post(hook, json={"object": {"id": "sp_nobody"}}).status_code == 404
        assert client.post(hook, content=b"not json").status_code == 400
        with Session(get_engine()) as s:
            sim = s.get(SimCard, world["sim"])
            assert sim is not None and sim.balance_kopecks == 1000 + 25000
            entries = s.exec(select(BalanceEntry).where(BalanceEntry.payment_id == pay_id)).all()
            assert len(entries) == 1


def test_two_workers_at_once_charge_a_period_once(world) -> None:  # type: ignore[no-untyped-def]
    """Several processes run the auto-payment job at the same moment (threads here, each with
    its own database session): one run, one charge, one credit."""
    from datetime import UTC, datetime

    from cabinet.db import session_scope
    from cabinet.telecom import autopay
    from models import AutoPayment, AutoPayRun, SavedCard

    token = "pm_test_" + secrets.token_hex(6)
    with SandboxServer() as sandbox:
        sandbox.sandbox.register_card(token, "4242424242424242")
        sandbox.sandbox.delay = 0.3  # keep the charges in flight together
        provider = PaymentProvider(
            base_url=sandbox.url, shop_id="sandbox", secret="sandbox-secret", timeout=5
        )
        with Session(get_engine()) as s:
            card = SavedCard(
                organisation_id=world["org"], provider_token=token, masked_pan="•••• 4242"
            )
            s.add(card)
            s.flush()
            auto = AutoPayment(
                sim_id=world["sim"],
                organisation_id=world["org"],
                saved_card_id=card.id or 0,
                day_of_month=31,
                amount_kopecks=40000,
                start_period="2026-01",
            )
            s.add(auto)
            s.commit()
            card_id, auto_id = card.id, auto.id
        now = datetime(2026, 2, 28, 9, tzinfo=UTC)
        reports: list[autopay.Report] = []
        barrier = threading.Barrier(3)

        def worker(name: str) -> None:
            barrier.wait()
            with session_scope() as s:
                reports.append(autopay.run_once(s, provider=provider, now=now, worker=name))

        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            assert sum(len(r.succeeded) for r in reports) == 1
            assert sum(len(r.claimed) for r in reports) == 1
            with Session(get_engine()) as s:
                runs = s.exec(select(AutoPayRun).where(AutoPayRun.autopayment_id == auto_id)).all()
                assert [(r.period, r.status) for r in runs] == [("2026-02", "succeeded")]
                sim = s.get(SimCard, world["sim"])
                assert sim is not None and sim.balance_kopecks == 1000 + 40000
                charges = s.exec(select(Payment).where(Payment.sim_id == world["sim"])).all()
                assert len(charges) == 1
        finally:
            with Session(get_engine()) as s:
                s.exec(delete(AutoPayRun).where(col(AutoPayRun.autopayment_id) == auto_id))  # type: ignore[call-overload]
                s.exec(delete(AutoPayment).where(col(AutoPayment.id) == auto_id))  # type: ignore[call-overload]
                s.commit()
            with Session(get_engine()) as s:
                pay_ids = s.exec(select(Payment.id).where(Payment.sim_id == world["sim"])).all()
                s.exec(  # type: ignore[call-overload]
                    delete(AuditEvent).where(
                        AuditEvent.object_type == "telecom_payment",
                        col(AuditEvent.object_id).in_([str(i) for i in pay_ids]),
                    )
                )
                s.exec(delete(BalanceEntry).where(col(BalanceEntry.sim_id) == world["sim"]))  # type: ignore[call-overload]
                s.exec(delete(Payment).where(col(Payment.sim_id) == world["sim"]))  # type: ignore[call-overload]
                s.exec(delete(SavedCard).where(col(SavedCard.id) == card_id))  # type: ignore[call-overload]
                s.commit()
