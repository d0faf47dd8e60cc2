"""Demo data of orders, finance and documents for ООО «Ромашка» and АО «Северсталь-Сервис».

Rows look as if the ERP sync had brought them (erp_id "DEMO-…"); dates are relative to today
so overdue invoices fall in every ageing bucket whenever the demo is loaded. Idempotent: an
organisation that already has demo contracts is left alone. Fixed numbers the e2e test uses:
certificate batch "П-2026-0417" (Ромашка).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from cabinet.orders.rules import search_text
from models import (
    Certificate,
    Contract,
    FinanceOperation,
    Invoice,
    Order,
    OrderChangeRequest,
    OrderEvent,
    OrderLine,
    OrderService,
    OrderVehicle,
    Organisation,
    PaymentScheduleItem,
    ShippingDocument,
)
from models.base import utcnow

PRODUCER = "АО «Выксунский металлургический завод»"
DEMO_BATCH = "П-2026-0417"

PRODUCTS = [
    ("1020-ТЭС-530", "Труба электросварная прямошовная", "К52", "530×10 мм", "ГОСТ 20295-85"),
    ("1020-ТЭС-720", "Труба электросварная прямошовная", "К60", "720×12 мм", "ГОСТ 20295-85"),
    ("1030-ТБШ-219", "Труба бесшовная горячедеформированная", "09Г2С", "219×8 мм", "ГОСТ 8732-78"),
    ("1040-ЛСТ-12", "Лист толстый горячекатаный", "09Г2С", "12×2000×6000 мм", "ГОСТ 19903-2015"),
    ("1050-ТОК-1420", "Труба газопроводная ОКК", "К65", "1420×21,6 мм", "ТУ 1381-012-2019"),
    ("1060-КЛС-32", "Колесо цельнокатаное", "2", "957 мм", "ГОСТ 10791-2011"),
]
STATIONS = [
    "Выкса (Горьк.)",
    "Череповец-1",
    "Москва-Товарная",
    "Сургут",
    "Новый Уренгой",
    "Екатеринбург-Товарный",
    "Тобольск",
    "Нижневартовск-1",
]
CONSIGNEES = {
    "7707083893": ['ООО "Ромашка"', "ООО «Ромашка-Север»", "АО «СургутСтройГаз»"],
    "7736207543": ['АО "Северсталь-Сервис"', "ООО «ТрубоСклад»", "ПАО «Газпром трансгаз Сургут»"],
}
SERVICES = [
    ("Сопровождение груза", Decimal("18500.00")),
    ("Хранение на складе, сут.", Decimal("2400.00")),
    ("Страхование груза", Decimal("31200.00")),
    ("Антикоррозионное покрытие", Decimal("125000.00")),
]
WAGON_KINDS = ["Полувагон", "Платформа", "Крытый вагон"]
WAGON_STATES = ["Под погрузкой", "В пути", "Прибыл на станцию", "Выгружен"]


def _at(d: date, hour: int = 10) -> datetime:
    return datetime.combine(d, time(hour, 0), tzinfo=UTC)


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low, high) * 100) / 100


def load_orders_demo(session: Session) -> None:
    """Contracts, ~30 orders with lines/events/vehicles/services, invoices (overdue ones in
    every ageing bucket), schedule, operations, certificates and shipping documents."""
    for index, inn in enumerate(("7707083893", "7736207543")):
        org = session.exec(select(Organisation).where(Organisation.inn == inn)).first()
        if org is None or org.id is None:
            continue
        tag = f"DEMO-{inn}"
        if session.exec(select(Contract).where(Contract.erp_id == f"{tag}-C1")).first():
            continue
        _load_org(session, org, tag, random.Random(2026 + index), index)
    session.commit()


def _load_org(
    session: Session, org: Organisation, tag: str, rng: random.Random, index: int
) -> None:
    assert org.id is not None
    oid = org.id
    today = utcnow().date()
    now = utcnow()
    prefix = "РМ" if index == 0 else "СС"
    contracts = []
    for n, (status, limit, terms, start_days, end_days) in enumerate(
        [
            ("active", Decimal("25000000.00"), 30, 400, 330),
            ("active", Decimal("8000000.00"), 45, 200, 530),
            ("closed", Decimal("0.00"), 30, 900, -60),
        ],
        start=1,
    ):
        c = Contract(
            erp_id=f"{tag}-C{n}",
            organisation_id=oid,
            number=f"{prefix}-{['2025/108', '2026/014', '2023/077'][n - 1]}",
            title=[
                "Поставка трубной продукции",
                "Перевозка грузов ж/д транспортом",
                "Поставка листового проката",
            ][n - 1],
            status=status,
            valid_from=today - timedelta(days=start_days),
            valid_to=today + timedelta(days=end_days),
            credit_limit=limit,
            balance=Decimal("0.00"),
            payment_terms_days=terms,
            erp_updated_at=now,
        )
        session.add(c)
        contracts.append(c)
    session.flush()
    consignees = CONSIGNEES.get(org.inn, [org.name])
    statuses = ["placed"] * 4 + ["in_progress"] * 5 + ["completed"] * 4 + ["cancelled"] * 2
    orders: list[Order] = []
    for n, status in enumerate(statuses, start=1):
        created = today - timedelta(days=5 + n * 9 + rng.randint(0, 5))
        contract = contracts[0] if n % 3 else contracts[1]
        picks = rng.sample(PRODUCTS, k=rng.randint(1, 3))
        src, dst = STATIONS[0] if index == 0 else STATIONS[1], rng.choice(STATIONS[2:])
        consignee = rng.choice(consignees)
        lines = []
        total = Decimal("0.00")
        for pos, (code, name, grade, dims, std) in enumerate(picks, start=1):
            qty = Decimal(rng.randint(20, 400))
            price = _money(rng, 85000, 160000)
            amount = (qty * price).quantize(Decimal("0.01"))
            total += amount
            lines.append((pos, code, name, grade, dims, std, qty, price, amount))
        summary = ", ".join(
            f"{name.split()[0]} {dims}" for _, _, name, _, dims, _, _, _, _ in lines
        )
        planned_prod = created + timedelta(days=20)
        planned_ship = created + timedelta(days=35)
        number = f"З-{created.year}-{index + 1}{n:05d}"
        location = {
            "placed": "",
            "in_progress": f"Ст. {rng.choice(STATIONS[2:])}, в пути",
            "completed": f"Ст. {dst}, выгружен",
            "cancelled": "",
        }[status]
        o = Order(
            erp_id=f"{tag}-O{n}",
            organisation_id=oid,
            contract_id=contract.id,
            number=number,
            status=status,
            kind="supply",
            route_from=src,
            route_to=dst,
            consignee=consignee,
            product_summary=summary[:300],
            amount=total,
            planned_production_on=planned_prod,
            planned_shipment_on=planned_ship,
            planned_delivery_on=planned_ship + timedelta(days=12),
            location=location,
            location_at=now - timedelta(hours=rng.randint(1, 30)) if location else None,
            params={
                "quantity_t": str(sum(ln[6] for ln in lines)),
                "wagons": str(len(lines) * 2),
                "incoterms": "FCA станция отправления",
                "etsng": "312015",
            },
            legal_details={
                "supplier": PRODUCER,
                "supplier_inn": "5247004695",
                "customer": org.name,
                "customer_inn": org.inn,
                "payer": org.name,
                "contract": f"№ {contract.number}",
                "specification": f"Спецификация № {n} к договору",
            },
            search_text=search_text(number, src, dst, consignee, summary),
            created_at=_at(created),
            erp_updated_at=now,
            updated_at=now,
        )
        session.add(o)
        session.flush()
        assert o.id is not None
        orders.append(o)
        for pos, code, name, grade, dims, std, qty, price, amount in lines:
            session.add(
                OrderLine(
                    erp_id=f"{tag}-O{n}-L{pos}",
                    organisation_id=oid,
                    order_id=o.id,
                    position=pos,
                    product_code=code,
                    product_name=name,
                    grade=grade,
                    dimensions=dims,
                    standard=std,
                    quantity=qty,
                    unit="т",
                    price=price,
                    amount=amount,
                    erp_updated_at=now,
                )
            )
        steps = [("placed", "Заказ оформлен", created)]
        if status in ("in_progress", "completed"):
            steps += [
                ("in_progress", "Коммерческие условия согласованы", created + timedelta(days=2)),
                ("in_progress", "Запущено производство", planned_prod - timedelta(days=10)),
            ]
            if planned_ship <= today or status == "completed":
                steps.append(("in_progress", "Отгружено, вагоны в пути", planned_ship))
        if status == "completed":
            steps.append(
                ("completed", "Груз получен грузополучателем", planned_ship + timedelta(days=11))
            )
        if status == "cancelled":
            steps.append(
                ("cancelled", "Заказ отменён по согласованию сторон", created + timedelta(days=4))
            )
        for k, (st, title, when) in enumerate(steps, start=1):
            session.add(
                OrderEvent(
                    erp_id=f"{tag}-O{n}-E{k}",
                    organisation_id=oid,
                    order_id=o.id,
                    status=st,
                    title=title,
                    location=src if k == 1 else "",
                    at=_at(min(when, today), 9 + k),
                    erp_updated_at=now,
                )
            )
        if status in ("in_progress", "completed"):
            for w in range(1, 2 + len(lines)):
                session.add(
                    OrderVehicle(
                        erp_id=f"{tag}-O{n}-V{w}",
                        organisation_id=oid,
                        order_id=o.id,
                        number=f"{rng.randint(50000000, 69999999)}",
                        kind=rng.choice(WAGON_KINDS),
                        status="Выгружен"
                        if status == "completed"
                        else rng.choice(WAGON_STATES[:3]),
                        location=location,
                        weight_t=Decimal(rng.randint(55, 69)),
                        erp_updated_at=now,
                    )
                )
        for s_n, (name, price) in enumerate(rng.sample(SERVICES, k=rng.randint(0, 2)), start=1):
            session.add(
                OrderService(
                    erp_id=f"{tag}-O{n}-S{s_n}",
                    organisation_id=oid,
                    order_id=o.id,
                    name=name,
                    amount=price,
                    status="Оказана" if status == "completed" else "Заказана",
                    erp_updated_at=now,
                )
            )
    # One order waits for the ERP's answer to a change request.
    waiting = orders[1]
    waiting.pending_request = True
    session.add(waiting)
    session.add(
        OrderChangeRequest(
            request_key=f"{tag}-R1",
            organisation_id=oid,
            order_id=waiting.id or 0,
            kind="change",
            payload={"planned_shipment_on": str(today + timedelta(days=40))},
            comment="Просим перенести отгрузку: склад грузополучателя на ремонте.",
            status="sent",
            attempts=1,
            sent_at=now - timedelta(hours=3),
            created_at=now - timedelta(hours=3),
        )
    )
    _finance(session, oid, tag, prefix, contracts, orders, rng, today, now)
    _documents(session, org, tag, prefix, orders, rng, today, now, index)


def _finance(
    session: Session,
    oid: int,
    tag: str,
    prefix: str,
    contracts: list[Contract],
    orders: list[Order],
    rng: random.Random,
    today: date,
    now: datetime,
) -> None:
    # (days since issue, terms, share paid, status) — overdue in every ageing bucket, some open
    # and not yet due, some paid.
    plan = [
        (130, 30, Decimal("0"), "issued"),  # ~100 days overdue → 90+
        (110, 30, Decimal("0.4"), "partial"),  # ~80 → 61-90
        (95, 45, Decimal("0"), "issued"),  # ~50 → 31-60
        (75, 30, Decimal("0"), "issued"),  # ~45 → 31-60
        (50, 30, Decimal("0.5"), "partial"),  # ~20 → 1-30
        (40, 30, Decimal("0"), "issued"),  # ~10 → 1-30
        (20, 30, Decimal("0"), "issued"),  # due in 10 days
        (8, 45, Decimal("0"), "issued"),
        (3, 30, Decimal("0"), "issued"),  # this month
        (160, 30, Decimal("1"), "paid"),
        (140, 30, Decimal("1"), "paid"),
        (100, 30, Decimal("1"), "paid"),
        (65, 30, Decimal("1"), "paid"),
        (35, 30, Decimal("1"), "paid"),
        (90, 30, Decimal("0"), "cancelled"),
    ]
    balances = {c.id: Decimal("0.00") for c in contracts}
    op_n = 0
    for n, (age, terms, share, status) in enumerate(plan, start=1):
        contract = contracts[0] if n % 4 else contracts[1]
        order = orders[(n * 2) % len(orders)]
        issued = today - timedelta(days=age)
        amount = _money(rng, 350000, 4800000)
        paid = (amount * share).quantize(Decimal("0.01"))
        inv = Invoice(
            erp_id=f"{tag}-I{n}",
            organisation_id=oid,
            contract_id=contract.id,
            order_id=order.id,
            number=f"{prefix}-СЧ-{issued.year}-{n:05d}",
            issued_on=issued,
            due_on=issued + timedelta(days=terms),
            amount=amount,
            paid_amount=paid,
            status=status,
            description=f"Оплата по заказу {order.number}",
            erp_updated_at=now,
        )
        session.add(inv)
        session.flush()
        if status == "cancelled":
            continue
        op_n += 1
        session.add(
            FinanceOperation(
                erp_id=f"{tag}-F{op_n}",
                organisation_id=oid,
                contract_id=contract.id,
                invoice_id=inv.id,
                op_date=issued,
                kind="shipment",
                amount=amount,
                document_ref=f"УПД № {prefix}-{n:05d} от {issued:%d.%m.%Y}",
                description=f"Отгрузка по заказу {order.number}",
                erp_updated_at=now,
            )
        )
        balances[contract.id] += amount
        if paid > 0:
            op_n += 1
            pay_day = min(issued + timedelta(days=rng.randint(5, terms)), today)
            session.add(
                FinanceOperation(
                    erp_id=f"{tag}-F{op_n}",
                    organisation_id=oid,
                    contract_id=contract.id,
                    invoice_id=inv.id,
                    op_date=pay_day,
                    kind="payment",
                    amount=-paid,
                    document_ref=f"п/п № {rng.randint(100, 9999)} от {pay_day:%d.%m.%Y}",
                    description=f"Оплата счёта № {inv.number}",
                    erp_updated_at=now,
                )
            )
            balances[contract.id] -= paid
        if status in ("issued", "partial"):
            session.add(
                PaymentScheduleItem(
                    erp_id=f"{tag}-P{n}",
                    organisation_id=oid,
                    contract_id=contract.id,
                    invoice_id=inv.id,
                    due_on=issued + timedelta(days=terms),
                    amount=amount - paid,
                    status="planned",
                    note=f"Счёт № {inv.number}",
                    erp_updated_at=now,
                )
            )
    for c in contracts:
        c.balance = balances[c.id]
        session.add(c)


def _documents(
    session: Session,
    org: Organisation,
    tag: str,
    prefix: str,
    orders: list[Order],
    rng: random.Random,
    today: date,
    now: datetime,
    index: int,
) -> None:
    assert org.id is not None
    shipped = [o for o in orders if o.status in ("in_progress", "completed")]
    n = 0
    for o in shipped:
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == o.id)).all()
        for ln in lines:
            for _ in range(2):
                n += 1
                batch = DEMO_BATCH if (index == 0 and n == 1) else f"П-2026-{index + 1}{n:03d}"
                issued = (o.planned_shipment_on or today) - timedelta(days=2)
                session.add(
                    Certificate(
                        erp_id=f"{tag}-Q{n}",
                        organisation_id=org.id,
                        order_id=o.id,
                        number=f"СК-{issued.year}-{index + 1}{n:05d}",
                        batch=batch,
                        heat=f"{rng.randint(10, 99)}-{rng.randint(1000, 9999)}",
                        product_code=ln.product_code,
                        product_name=ln.product_name,
                        grade=ln.grade,
                        dimensions=ln.dimensions,
                        standard=ln.standard,
                        quantity=(ln.quantity / 2).quantize(Decimal("0.001")),
                        unit="т",
                        issued_on=min(issued, today),
                        consignee=o.consignee,
                        producer=PRODUCER,
                        disclosed={
                            "fields": ["grade", "dimensions", "standard", "heat", "number"],
                            "chemistry": {
                                "C": f"0,{rng.randint(8, 12):02d}",
                                "Mn": f"1,{rng.randint(40, 60)}",
                                "Si": f"0,{rng.randint(20, 35)}",
                                "S": f"0,00{rng.randint(2, 5)}",
                                "P": f"0,0{rng.randint(10, 15)}",
                            },
                            "mechanics": {
                                "Временное сопротивление, Н/мм²": str(rng.randint(510, 590)),
                                "Предел текучести, Н/мм²": str(rng.randint(355, 460)),
                                "Относительное удлинение, %": str(rng.randint(20, 26)),
                            },
                        },
                        erp_updated_at=now,
                    )
                )
    kinds = [
        ("upd", "rail"),
        ("waybill", "rail"),
        ("invoice", "rail"),
        ("act", "road"),
        ("torg12", "road"),
        ("specification", ""),
    ]
    m = 0
    for o in orders:
        if o.status == "cancelled":
            continue
        for doc_type, delivery in kinds[: 2 + (o.id or 0) % 4]:
            m += 1
            day = (
                min((o.planned_shipment_on or today), today)
                if o.status != "placed"
                else o.created_at.date()
            )
            session.add(
                ShippingDocument(
                    erp_id=f"{tag}-D{m}",
                    organisation_id=org.id,
                    order_id=o.id,
                    doc_type=doc_type,
                    number=f"{prefix}-{doc_type[:3].upper()}-{index + 1}{m:05d}",
                    doc_date=day,
                    delivery_type=delivery,
                    consignee=o.consignee,
                    product_code=PRODUCTS[m % len(PRODUCTS)][0],
                    amount=(o.amount if doc_type in ("upd", "invoice", "torg12") else None),
                    erp_updated_at=now,
                )
            )
