"""Demo telecom data: tariffs, two partners, Ромашка's contract with three SIM cards (active,
negative balance, not activated), some payments with their ledger, a saved card and an
auto-payment, a few SIM cards in stock. Idempotent: skipped when the contract exists."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select
from stdnum import luhn

from cabinet.telecom import queries, rules
from cabinet.telecom.payments import sandbox_enabled
from models import (
    AutoPayment,
    BalanceEntry,
    Organisation,
    Partner,
    Payment,
    SavedCard,
    SimCard,
    Tariff,
    TariffChangeRequest,
    TelecomContract,
    User,
)
from models.base import utcnow
from models.telecom import (
    BalanceEntryKind,
    PaymentKind,
    PaymentStatus,
    RequestStatus,
    SimStatus,
    TariffStatus,
)

CONTRACT = "PS-2024-000117"
ROMASHKA_INN = "7707083893"
DEMO_CARD_TOKEN = "pm_demo_romashka_4242"

TARIFFS = [
    # name, fee (kopecks), minutes, sms, GB, description, status
    ("Старт", 35000, 300, 100, 10, "Для звонков и мессенджеров.", TariffStatus.ACTIVE),
    ("Интернет 4G", 65000, 100, 50, 50, "Для роутера и планшета.", TariffStatus.ACTIVE),
    (
        "Безлимит",
        120000,
        1000,
        300,
        None,
        "Интернет без ограничений по объёму.",
        TariffStatus.ACTIVE,
    ),
    ("Офис 2019", 50000, 500, 100, 15, "Архивный тариф.", TariffStatus.ARCHIVED),
]
PARTNERS = [
    ("ООО «СимТорг»", "7714000009", "Петрова Анна", "sales@simtorg.example", Decimal("12.50")),
    ("ООО «Связь-Регион»", "7810000001", "Орлов Игорь", "partner@sregion.example", Decimal("8.00")),
]


def iccid(serial: int) -> str:
    body = f"897010{serial:012d}"
    return body + luhn.calc_check_digit(body)


def _tariffs(session: Session) -> dict[str, Tariff]:
    out: dict[str, Tariff] = {}
    for pos, (name, fee, minutes, sms, gb, desc, status) in enumerate(TARIFFS):
        row = session.exec(select(Tariff).where(Tariff.name == name)).first()
        if row is None:
            row = Tariff(
                name=name,
                monthly_fee_kopecks=fee,
                minutes=minutes,
                sms=sms,
                internet_gb=gb,
                description=desc,
                status=status,
                sort_order=pos * 10,
                archived_at=utcnow() if status == TariffStatus.ARCHIVED else None,
            )
            session.add(row)
            session.flush()
        out[name] = row
    return out


def _partners(session: Session) -> list[Partner]:
    out = []
    for name, inn, contact, email, share in PARTNERS:
        row = session.exec(select(Partner).where(Partner.inn == inn)).first()
        if row is None:
            row = Partner(
                name=name,
                inn=inn,
                contact_name=contact,
                contact_email=email,
                profit_share_percent=share,
            )
            session.add(row)
            session.flush()
        out.append(row)
    return out


def load_telecom_demo(session: Session) -> None:
    tariffs = _tariffs(session)
    partners = _partners(session)
    org = session.exec(select(Organisation).where(Organisation.inn == ROMASHKA_INN)).first()
    if (
        org is None
        or session.exec(select(TelecomContract).where(TelecomContract.number == CONTRACT)).first()
    ):
        session.commit()
        return
    client = session.exec(select(User).where(User.email == "client@demo.local")).first()
    client_id = client.id if client else None
    now = utcnow()
    contract = TelecomContract(
        number=CONTRACT,
        organisation_id=org.id or 0,
        partner_id=partners[0].id,
        signed_on=date(2024, 3, 15),
    )
    session.add(contract)
    session.flush()
    sims = [
        SimCard(
            iccid=iccid(1001),
            msisdn="+79161234501",
            status=SimStatus.ACTIVE,
            contract_id=contract.id,
            partner_id=partners[0].id,
            tariff_id=tariffs["Интернет 4G"].id,
            label="Роутер, офис",
            activated_at=now - timedelta(days=400),
        ),
        SimCard(
            iccid=iccid(1002),
            msisdn="+79161234502",
            status=SimStatus.ACTIVE,
            contract_id=contract.id,
            partner_id=partners[0].id,
            tariff_id=tariffs["Старт"].id,
            label="Телефон директора",
            activated_at=now - timedelta(days=200),
        ),
        SimCard(
            iccid=iccid(1003),
            msisdn="+79161234503",
            status=SimStatus.INACTIVE,
            contract_id=contract.id,
            partner_id=partners[0].id,
            tariff_id=tariffs["Интернет 4G"].id,
            label="Планшет",
        ),
    ]
    # Stock: not yet sold, two with the partners.
    for i, partner in enumerate([partners[0], partners[1], None, None]):
        sims.append(
            SimCard(
                iccid=iccid(2001 + i),
                msisdn=f"+7916123460{i}",
                status=SimStatus.INACTIVE,
                partner_id=partner.id if partner else None,
                tariff_id=tariffs["Старт"].id,
            )
        )
    for sim in sims:
        sim.search_text = f"{sim.iccid} {sim.msisdn} {sim.label}".lower()
        session.add(sim)
    session.flush()
    card = SavedCard(
        organisation_id=org.id or 0,
        user_id=client_id,
        provider_token=DEMO_CARD_TOKEN,
        masked_pan=rules.mask_pan("4242"),
        brand="visa",
        exp_month=12,
        exp_year=2030,
    )
    session.add(card)
    session.flush()

    # Payment history of the first two SIMs: top-ups, auto-payments, a decline; monthly fees.
    history = [
        (sims[0], 150, PaymentKind.TOPUP, 100000, PaymentStatus.SUCCEEDED, ""),
        (sims[0], 120, PaymentKind.AUTOPAY, 65000, PaymentStatus.SUCCEEDED, ""),
        (sims[0], 90, PaymentKind.AUTOPAY, 65000, PaymentStatus.SUCCEEDED, ""),
        (sims[0], 61, PaymentKind.TOPUP, 50000, PaymentStatus.DECLINED, "insufficient_funds"),
        (sims[0], 60, PaymentKind.AUTOPAY, 65000, PaymentStatus.SUCCEEDED, ""),
        (sims[0], 30, PaymentKind.AUTOPAY, 65000, PaymentStatus.SUCCEEDED, ""),
        (sims[0], 12, PaymentKind.TOPUP, 30000, PaymentStatus.SUCCEEDED, ""),
        (sims[1], 100, PaymentKind.TOPUP, 50000, PaymentStatus.SUCCEEDED, ""),
        (sims[1], 40, PaymentKind.TOPUP, 20000, PaymentStatus.SUCCEEDED, ""),
        (sims[1], 5, PaymentKind.TOPUP, 40000, PaymentStatus.DECLINED, "card_expired"),
    ]
    balances = {sim.id: 0 for sim in sims[:2]}
    for n, (sim, days_ago, kind, amount, status, code) in enumerate(
        sorted(history, key=lambda h: -h[1])
    ):
        at = now - timedelta(days=days_ago, hours=n % 5)
        pay = Payment(
            sim_id=sim.id or 0,
            contract_id=contract.id,
            organisation_id=org.id,
            partner_id=partners[0].id,
            kind=kind,
            amount_kopecks=amount,
            status=status,
            idempotency_key=f"demo-{CONTRACT}-{n}",
            provider_payment_id=f"sp_demo_{n:04d}",
            decline_reason=rules.decline_message(code) if code else "",
            saved_card_id=card.id if kind == PaymentKind.AUTOPAY else None,
            created_by_id=client_id if kind == PaymentKind.TOPUP else None,
            attempts=1,
            created_at=at,
            updated_at=at,
            confirmed_at=at + timedelta(minutes=2),
        )
        session.add(pay)
        session.flush()
        if status == PaymentStatus.SUCCEEDED:
            balances[sim.id] += amount
            session.add(
                BalanceEntry(
                    sim_id=sim.id or 0,
                    payment_id=pay.id,
                    kind=BalanceEntryKind.PAYMENT,
                    amount_kopecks=amount,
                    balance_after_kopecks=balances[sim.id],
                    note=rules.PAYMENT_KIND_LABELS[kind][0],
                    created_at=at + timedelta(minutes=2),
                )
            )
    # Monthly fees taken so far (the ledger explains the balance).
    for sim, months in ((sims[0], 5), (sims[1], 4)):
        fee = tariffs["Интернет 4G" if sim is sims[0] else "Старт"].monthly_fee_kopecks
        for m in range(months):
            balances[sim.id] -= fee
            session.add(
                BalanceEntry(
                    sim_id=sim.id or 0,
                    kind=BalanceEntryKind.FEE,
                    amount_kopecks=-fee,
                    balance_after_kopecks=balances[sim.id],
                    note="Абонентская плата",
                    created_at=now - timedelta(days=30 * (months - m)),
                )
            )
    for sim in sims[:2]:
        sim.balance_kopecks = balances[sim.id]
        session.add(sim)
    today = queries.today_local(now)
    session.add(
        AutoPayment(
            sim_id=sims[0].id or 0,
            organisation_id=org.id or 0,
            saved_card_id=card.id or 0,
            day_of_month=25,
            amount_kopecks=65000,
            enabled=True,
            # Next month at the earliest: loading the demo never triggers a charge at once.
            start_period=rules.next_period(rules.period_of(today)),
            created_by_id=client_id,
        )
    )
    session.add(
        TariffChangeRequest(
            sim_id=sims[1].id or 0,
            organisation_id=org.id or 0,
            from_tariff_id=tariffs["Офис 2019"].id,
            to_tariff_id=tariffs["Старт"].id or 0,
            comment="Старый тариф в архиве.",
            status=RequestStatus.APPROVED,
            requested_by_id=client_id,
            decided_at=now - timedelta(days=190),
            decision_comment="Тариф сменён с 1-го числа.",
            created_at=now - timedelta(days=195),
        )
    )
    session.commit()
    if sandbox_enabled():
        from cabinet.telecom.sandbox import mounted_sandbox

        box = mounted_sandbox()
        box.register_card(DEMO_CARD_TOKEN, "4242424242424242")
        box.close()
