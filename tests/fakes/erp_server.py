"""A fake ERP on 127.0.0.1: a deterministic generator of realistic Russian data behind the
HTTP API the sync worker reads (Starlette served by uvicorn, in a thread or standalone).

    GET  /api/changes/<entity>?since=<cursor>&limit=N
         -> {"entity", "rows": [...], "next": <cursor>, "has_more": bool}
         rows changed after the cursor, ordered by (updated_at, erp_id); entities:
         organisations, contracts, orders (lines/events/vehicles/services nested), invoices
         (payment schedule and operations nested), documents, certificates
    POST /api/order-requests  {"key", "order", "kind": "change"|"cancel", "payload", "comment"}
         -> {"key", "status": "accepted"|"rejected", "answer": "..."}   (same key: same answer)
    GET  /api/health

Rows are computed from their index on demand (never a list of dicts in memory), so the large
data set (9,000 organisations, 100,000 orders, 2,000,000 documents) costs nothing until read.
Base rows carry fixed change times spread over the year before ANCHOR; `touch()` (and an
accepted request) gives rows a new version with a later time, which the next delta run reads.

It can be told to fail, for tests:

    with FakeErp(ErpData(orgs=20, orders=200, documents=600)) as erp:
        erp.fail_after(150, mode="500")        # after 150 more rows, the next request: HTTP 500
        erp.fail_after(150, mode="drop")       # ... or a connection cut in the middle of a page
        erp.data.malformed["orders"] = {3, 8}  # these rows arrive broken
        erp.fail_requests(2)                   # the next two POSTs answer 500

Standalone (what `make run` starts): `python -m tests.fakes.erp_server --port 8765 [--large]`.
"""

from __future__ import annotations

import argparse
import bisect
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from stdnum.ru import inn as inn_check
from stdnum.ru import ogrn as ogrn_check

ANCHOR = datetime(2026, 11, 1, tzinfo=UTC)  # base rows changed during the year before it
SPAN_US = 365 * 24 * 3600 * 1_000_000
ENTITIES = (
    "organisations",
    "contracts",
    "orders",
    "invoices",
    "documents",
    "certificates",
)
LARGE = {"orgs": 9_000, "orders": 100_000, "documents": 2_000_000}
DEMO = {"orgs": 40, "orders": 800, "documents": 4_000}

# The demo organisations of cabinet/demo.py come first, so demo customers see ERP data.
KNOWN_ORGS = [
    (
        'ООО "Ромашка"',
        "7707083893",
        "773601001",
        "1027700132195",
        "117997, г. Москва, ул. Вавилова, д. 19",
    ),
    (
        "ИП Иванов Иван Иванович",
        "500100732259",
        "",
        "304500116000157",
        "141800, Московская обл., г. Дмитров, ул. Советская, д. 1",
    ),
    (
        'АО "Северсталь-Сервис"',
        "7736207543",
        "770401001",
        "1027739850962",
        "119021, г. Москва, ул. Льва Толстого, д. 16",
    ),
]
REGIONS = [
    ("77", "г. Москва", "ул. Тверская"),
    ("78", "г. Санкт-Петербург", "Невский пр."),
    ("50", "Московская обл., г. Подольск", "ул. Кирова"),
    ("52", "г. Нижний Новгород", "ул. Большая Покровская"),
    ("66", "г. Екатеринбург", "ул. Малышева"),
    ("16", "г. Казань", "ул. Баумана"),
    ("02", "г. Уфа", "пр. Октября"),
    ("74", "г. Челябинск", "пр. Ленина"),
    ("54", "г. Новосибирск", "Красный пр."),
    ("86", "г. Сургут", "ул. Ленина"),
    ("89", "г. Новый Уренгой", "ул. Молодёжная"),
    ("72", "г. Тюмень", "ул. Республики"),
]
ORG_FORMS = ["ООО", "АО", "ПАО", "ООО", "ООО"]
ORG_WORDS_A = [
    "Северная",
    "Сибирская",
    "Уральская",
    "Волжская",
    "Западная",
    "Восточная",
    "Приволжская",
    "Балтийская",
    "Арктическая",
    "Южная",
]
ORG_WORDS_B = [
    "трубная компания",
    "нефтегазовая компания",
    "строительная компания",
    "металлоторговая база",
    "буровая компания",
    "энергетическая компания",
    "монтажная компания",
    "газотранспортная компания",
]
PRODUCTS = [
    ("1381", "Труба стальная электросварная прямошовная", "ГОСТ 10704-91"),
    ("1382", "Труба бесшовная горячедеформированная", "ГОСТ 8732-78"),
    ("1383", "Труба обсадная с трапецеидальной резьбой", "ГОСТ 632-80"),
    ("1384", "Труба нефтегазопроводная с наружным покрытием", "ТУ 1381-012-05757848-2005"),
    ("1385", "Лист горячекатаный", "ГОСТ 19903-2015"),
    ("1386", "Колесо цельнокатаное", "ГОСТ 10791-2011"),
]
GRADES = ["К52", "К56", "К60", "17Г1С", "09Г2С", "13ХФА", "Ст3сп", "Ст20"]
DIMENSIONS = ["530×10 мм", "720×12 мм", "1020×14 мм", "1420×21,6 мм", "219×8 мм", "159×6 мм"]
STATIONS = [
    "Выкса (Горьк.)",
    "Сургут (Свердл.)",
    "Новый Уренгой (Свердл.)",
    "Тобольск (Свердл.)",
    "Альметьевск (Куйб.)",
    "Чайковская (Свердл.)",
    "Кинель (Куйб.)",
    "Пурпе (Свердл.)",
]
CONSIGNEES = [
    'ООО "Газпром трансгаз Сургут"',
    'АО "Транснефть — Сибирь"',
    'ООО "Лукойл-Западная Сибирь"',
    'ООО "РН-Юганскнефтегаз"',
    'ООО "НОВАТЭК-Таркосаленефтегаз"',
    'ПАО "Сургутнефтегаз"',
]
PRODUCERS = ['АО "Приокский трубный завод"', 'АО "Волжский металлургический завод"']
SERVICES = ["Сопровождение груза", "Страхование груза", "Хранение на складе", "Входной контроль"]
VEHICLE_KINDS = ["Полувагон", "Платформа", "Автомобиль"]
DOC_TYPES = ["upd", "waybill", "torg12", "invoice", "act", "packing_list"]
DOC_PREFIX = {
    "upd": "УПД",
    "waybill": "ЭН",
    "torg12": "ТН",
    "invoice": "СФ",
    "act": "АКТ",
    "packing_list": "УЛ",
}
DELIVERY = ["rail", "road", "pickup", "rail", "rail"]


def _mix(i: int, k: int) -> int:
    """A cheap deterministic hash of (row index, salt): the generator's only randomness."""
    x = (i * 0x9E3779B1 + k * 0x85EBCA77 + 0x165667B1) & 0xFFFFFFFF
    x ^= x >> 15
    x = (x * 0x2C1B3C6D) & 0xFFFFFFFF
    x ^= x >> 12
    x = (x * 0x297A2D39) & 0xFFFFFFFF
    return x ^ (x >> 15)


def _pick(seq: list[Any], i: int, k: int) -> Any:
    return seq[_mix(i, k) % len(seq)]


def _us(dt: datetime) -> int:
    return int(dt.timestamp()) * 1_000_000 + dt.microsecond


def _iso(t_us: int) -> str:
    return datetime.fromtimestamp(t_us / 1_000_000, UTC).isoformat(timespec="microseconds")


def _day(t_us: int, shift_days: int = 0) -> str:
    d = datetime.fromtimestamp(t_us / 1_000_000, UTC).date() + timedelta(days=shift_days)
    return d.isoformat()


def _money(kopecks: int) -> str:
    return str(Decimal(kopecks) / 100)


def company_inn(i: int) -> tuple[str, str, str]:
    """A valid 10-digit INN, its KPP and a valid 13-digit OGRN for generated organisation i."""
    region = REGIONS[i % len(REGIONS)][0]
    office = f"{(i // len(REGIONS)) % 50 + 1:02d}"
    serial = f"{i // (len(REGIONS) * 50) + 10000:05d}"
    base = region + office + serial
    inn = base + inn_check.calc_company_check_digit(base)
    kpp = f"{region}{office}01001"
    ogrn12 = f"1{(i % 20) + 2:02d}{region}{i + 1000000:07d}"
    return inn, kpp, ogrn12 + ogrn_check.calc_check_digit(ogrn12 + "0")


@dataclass
class ErpData:
    """The ERP's data: counts, fixed base change times, and later versions (touches)."""

    orgs: int = DEMO["orgs"]
    orders: int = DEMO["orders"]
    documents: int = DEMO["documents"]
    anchor: datetime = ANCHOR
    # entity -> indices whose rows arrive malformed
    malformed: dict[str, set[int]] = field(default_factory=dict)
    _changes: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # (t_us, index)
    _latest: dict[str, dict[int, tuple[int, dict[str, Any]]]] = field(default_factory=dict)
    _last_t: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.orgs = max(self.orgs, len(KNOWN_ORGS))
        self.orders = max(self.orders, 1)
        self._anchor_us = _us(self.anchor)
        self._last_t = self._anchor_us

    # -- sizes and times ------------------------------------------------------------------
    def count(self, entity: str) -> int:
        return {
            "organisations": self.orgs,
            "contracts": self.orgs * 2,
            "orders": self.orders,
            "invoices": self.orders,
            "documents": self.documents - self.documents // 2,
            "certificates": self.documents // 2,
        }[entity]

    def _step(self, entity: str) -> int:
        return max(SPAN_US // max(self.count(entity), 1), 1)

    def base_time(self, entity: str, i: int) -> int:
        return self._anchor_us - (self.count(entity) - i) * self._step(entity)

    def erp_id(self, entity: str, i: int) -> str:
        prefix = {
            "organisations": "ORG",
            "contracts": "CTR",
            "orders": "ORD",
            "invoices": "INV",
            "documents": "DOC",
            "certificates": "CRT",
        }[entity]
        return f"{prefix}-{i:08d}"

    # -- the change feed ------------------------------------------------------------------
    def changes(
        self, entity: str, since: str = "", limit: int = 1000
    ) -> tuple[list[dict[str, Any]], str, bool]:
        """Rows changed after cursor `since` (`"<t_us>:<erp_id>"`, "" = from the start),
        ordered by (updated_at, erp_id); the next cursor; whether more may follow."""
        since_t = -1
        if since:
            head = since.split(":", 1)[0]
            since_t = int(head) if head.isdigit() else _us(datetime.fromisoformat(since))
        rows: list[dict[str, Any]] = []
        next_cursor = since
        for t_us, i in self._feed(entity, since_t):
            if len(rows) >= limit:
                return rows, next_cursor, True
            rows.append(self.row(entity, i, t_us))
            next_cursor = f"{t_us}:{self.erp_id(entity, i)}"
        return rows, next_cursor, False

    def _feed(self, entity: str, since_t: int) -> Iterator[tuple[int, int]]:
        n, step = self.count(entity), self._step(entity)
        with self._lock:
            latest = dict(self._latest.get(entity, {}))
            changes = list(self._changes.get(entity, []))
        # base rows: t_i = anchor - (n - i) * step, strictly increasing with i
        start = 0
        if since_t >= 0:
            start = max(0, (since_t - self._anchor_us) // step + n)
            while start > 0 and self.base_time(entity, start - 1) > since_t:
                start -= 1
            while start < n and self.base_time(entity, start) <= since_t:
                start += 1
        for i in range(start, n):
            if i not in latest:
                yield self.base_time(entity, i), i
        pos = bisect.bisect_right(changes, (since_t, 1 << 62))
        for t_us, i in changes[pos:]:
            if latest[i][0] == t_us:  # an older version of a row touched again is skipped
                yield t_us, i

    def touch(self, entity: str, index: int, **patch: Any) -> str:
        """Give row `index` a new version (changed now, with `patch` applied); its erp_id."""
        with self._lock:
            self._last_t = max(self._last_t + 1, _us(datetime.now(UTC)))
            prev = self._latest.setdefault(entity, {}).get(index, (0, {}))[1]
            self._latest[entity][index] = (self._last_t, {**prev, **patch})
            self._changes.setdefault(entity, []).append((self._last_t, index))
        return self.erp_id(entity, index)

    def current(self, entity: str, index: int) -> dict[str, Any]:
        t_us = self._latest.get(entity, {}).get(index, (self.base_time(entity, index), {}))[0]
        return self.row(entity, index, t_us)

    def index_of(self, erp_id: str) -> int:
        return int(erp_id.rsplit("-", 1)[-1])

    # -- rows -----------------------------------------------------------------------------
    def row(self, entity: str, i: int, t_us: int) -> dict[str, Any]:
        row: dict[str, Any] = getattr(self, f"_{entity}")(i, t_us)
        row["erp_id"] = self.erp_id(entity, i)
        row["updated_at"] = _iso(t_us)
        patch = self._latest.get(entity, {}).get(i)
        if patch is not None and patch[0] == t_us:
            row.update(patch[1])
        if i in self.malformed.get(entity, set()):
            row = self._break(entity, i, row)
        return row

    def _break(self, entity: str, i: int, row: dict[str, Any]) -> dict[str, Any]:
        broken = dict(row)
        kind = i % 3
        if entity == "organisations":
            broken["inn"] = "7707083890" if kind else ""  # wrong check digit / missing
        elif kind == 0:
            broken.pop("number", None)
        elif kind == 1:
            key = "organisation" if "organisation" in broken else "number"
            broken[key] = "ORG-99999999" if key == "organisation" else None
        else:
            for key in ("amount", "issued_on", "doc_date", "valid_from", "created_at"):
                if key in broken:
                    broken[key] = "тридцать второе"
                    break
        return broken

    def org_of_order(self, i: int) -> int:
        if i % 10 == 0:  # the demo organisations get a tenth of all orders
            return (i // 10) % len(KNOWN_ORGS)
        return _mix(i, 1) % self.orgs

    def order_date_us(self, i: int) -> int:
        return self.base_time("orders", i) - (_mix(i, 2) % (20 * 86400)) * 1_000_000

    def order_status(self, i: int) -> str:
        f = i / self.orders
        if f < 0.7:
            return "cancelled" if _mix(i, 3) % 12 == 0 else "completed"
        return "in_progress" if f < 0.9 else "placed"

    def _organisations(self, i: int, t_us: int) -> dict[str, Any]:
        if i < len(KNOWN_ORGS):
            name, inn, kpp, ogrn, address = KNOWN_ORGS[i]
            kind = "sole" if len(inn) == 12 else "legal"
        else:
            inn, kpp, ogrn = company_inn(i)
            form = _pick(ORG_FORMS, i, 4)
            name = f'{form} "{_pick(ORG_WORDS_A, i, 5)} {_pick(ORG_WORDS_B, i, 6)} № {i}"'
            _, city, street = REGIONS[i % len(REGIONS)]
            address = f"{city}, {street}, д. {_mix(i, 7) % 150 + 1}"
            kind = "legal"
        return {
            "name": name,
            "kind": kind,
            "inn": inn,
            "kpp": kpp,
            "ogrn": ogrn,
            "legal_address": address,
        }

    def _contracts(self, i: int, t_us: int) -> dict[str, Any]:
        org = i % self.orgs
        start = self.base_time("contracts", i) - (_mix(i, 8) % 300) * 86400 * 1_000_000
        limit = (_mix(i, 9) % 50 + 5) * 1_000_000_00
        return {
            "organisation": self.erp_id("organisations", org),
            "number": f"Д-{2024 + i % 3}/{i + 1:05d}",
            "title": "Поставка трубной продукции" if i % 2 == 0 else "Транспортные услуги",
            "status": "active" if _mix(i, 10) % 10 else "closed",
            "valid_from": _day(start),
            "valid_to": _day(start, 365 * 2),
            "currency": "RUB",
            "credit_limit": _money(limit),
            "balance": _money(limit * (_mix(i, 11) % 90) // 100),
            "payment_terms_days": [0, 15, 30, 45, 60][_mix(i, 12) % 5],
        }

    def _orders(self, i: int, t_us: int) -> dict[str, Any]:
        org = self.org_of_order(i)
        status = self.order_status(i)
        created = self.order_date_us(i)
        eid = self.erp_id("orders", i)
        lines = []
        total = 0
        for n in range(1 + _mix(i, 13) % 3):
            code, name, standard = _pick(PRODUCTS, i, 14 + n)
            qty_kg = (_mix(i, 20 + n) % 400 + 20) * 1000
            price = (_mix(i, 30 + n) % 40_000 + 70_000) * 100  # kopecks per tonne
            amount = qty_kg * price // 1000
            total += amount
            lines.append(
                {
                    "erp_id": f"{eid}-L{n + 1}",
                    "position": n + 1,
                    "product_code": f"{code}{_mix(i, 40 + n) % 1000:03d}",
                    "product_name": name,
                    "grade": _pick(GRADES, i, 50 + n),
                    "dimensions": _pick(DIMENSIONS, i, 60 + n),
                    "standard": standard,
                    "quantity": str(Decimal(qty_kg) / 1000),
                    "unit": "т",
                    "price": _money(price),
                    "amount": _money(amount),
                }
            )
        steps = [("placed", "Заказ оформлен", 0)]
        if status in ("in_progress", "completed"):
            steps += [
                ("in_progress", "Согласованы коммерческие условия", 3),
                ("", "Запущен в производство", 10),
            ]
        if status == "completed":
            steps += [("", "Отгружен", 25), ("completed", "Доставлен грузополучателю", 32)]
        if status == "cancelled":
            steps.append(("cancelled", "Заказ отменён", 5))
        src, dst = _pick(STATIONS[:2], i, 70), _pick(STATIONS[2:], i, 71)
        events = [
            {
                "erp_id": f"{eid}-E{n + 1}",
                "status": st,
                "title": title,
                "location": src if n < 3 else dst,
                "at": _iso(created + days * 86400 * 1_000_000),
            }
            for n, (st, title, days) in enumerate(steps)
        ]
        vehicles = []
        if status in ("in_progress", "completed"):
            for n in range(1 + _mix(i, 72) % 2):
                kind = _pick(VEHICLE_KINDS, i, 73)
                number = (
                    f"{6_000_0000 + _mix(i, 74 + n) % 9_999_999}"
                    if kind != "Автомобиль"
                    else f"А{_mix(i, 75) % 900 + 100}ВС 77"
                )
                vehicles.append(
                    {
                        "erp_id": f"{eid}-V{n + 1}",
                        "number": number,
                        "kind": kind,
                        "status": "прибыл" if status == "completed" else "в пути",
                        "location": dst if status == "completed" else _pick(STATIONS, i, 76),
                        "weight_t": str(Decimal(_mix(i, 77 + n) % 40 + 30)),
                    }
                )
        services = []
        if _mix(i, 78) % 3 == 0:
            services.append(
                {
                    "erp_id": f"{eid}-S1",
                    "name": _pick(SERVICES, i, 79),
                    "quantity": "1",
                    "amount": _money((_mix(i, 80) % 50 + 5) * 100_000),
                    "status": "оказана" if status == "completed" else "заказана",
                }
            )
        weight = sum(Decimal(ln["quantity"]) for ln in lines)
        return {
            "organisation": self.erp_id("organisations", org),
            "contract": self.erp_id("contracts", org + self.orgs * (i % 2)),
            "number": f"{4500000000 + i}",
            "status": status,
            "kind": "supply",
            "route_from": src,
            "route_to": dst,
            "consignee": _pick(CONSIGNEES, i, 81),
            "product_summary": lines[0]["product_name"]
            + (f" и ещё {len(lines) - 1}" if len(lines) > 1 else ""),
            "amount": _money(total),
            "currency": "RUB",
            "created_at": _iso(created),
            "planned_production_on": _day(created, 10),
            "planned_shipment_on": _day(created, 25),
            "planned_delivery_on": _day(created, 32),
            "location": events[-1]["location"],
            "location_at": events[-1]["at"],
            "params": {"weight_t": str(weight), "wagons": len(vehicles)},
            "legal_details": {
                "supplier": PRODUCERS[i % 2],
                "supplier_inn": "5247004695" if i % 2 == 0 else "3435900186",
                "payer": self._organisations(org, 0)["name"],
            },
            "lines": lines,
            "events": events,
            "vehicles": vehicles,
            "services": services,
        }

    def _invoices(self, i: int, t_us: int) -> dict[str, Any]:
        order = self._orders(i, 0)
        created = self.order_date_us(i)
        terms = [0, 15, 30, 45, 60][_mix(i, 90) % 5]
        status = self.order_status(i)
        amount = int(Decimal(order["amount"]) * 100)
        issued = _day(created, 2)
        due = _day(created, 2 + terms)
        if status == "cancelled":
            paid, inv_status = 0, "cancelled"
        elif status == "completed" and _mix(i, 91) % 5:
            paid, inv_status = amount, "paid"
        elif _mix(i, 92) % 3 == 0:
            paid, inv_status = amount // 2, "partial"
        else:
            paid, inv_status = 0, "issued"
        eid = self.erp_id("invoices", i)
        operations = [
            {
                "erp_id": f"{eid}-O1",
                "op_date": issued,
                "kind": "invoice",
                "amount": _money(amount),
                "document_ref": f"Счёт № {3_000_000 + i} от {issued}",
                "description": f"Счёт по заказу {order['number']}",
            }
        ]
        if paid:
            operations.append(
                {
                    "erp_id": f"{eid}-O2",
                    "op_date": _day(created, 2 + terms // 2),
                    "kind": "payment",
                    "amount": _money(-paid),
                    "document_ref": f"п/п № {_mix(i, 93) % 9000 + 1000}",
                    "description": "Оплата от покупателя",
                }
            )
        schedule = [
            {
                "erp_id": f"{eid}-P1",
                "due_on": due,
                "amount": _money(amount - paid),
                "status": "paid" if paid == amount else "planned",
                "note": f"Оплата по счёту № {3_000_000 + i}",
            }
        ]
        return {
            "organisation": order["organisation"],
            "contract": order["contract"],
            "order": self.erp_id("orders", i),
            "number": f"{3_000_000 + i}",
            "issued_on": issued,
            "due_on": due,
            "amount": _money(amount),
            "paid_amount": _money(paid),
            "currency": "RUB",
            "status": inv_status,
            "description": f"Поставка по заказу {order['number']}",
            "schedule": [] if inv_status == "cancelled" else schedule,
            "operations": operations,
        }

    def _order_ref(self, i: int) -> tuple[int, int]:
        return i, self.org_of_order(i)

    def _documents(self, k: int, t_us: int) -> dict[str, Any]:
        order, org = self._order_ref(k % self.orders)
        doc_type = DOC_TYPES[k % len(DOC_TYPES)]
        created = self.order_date_us(order)
        code, _, _ = _pick(PRODUCTS, order, 14)
        return {
            "organisation": self.erp_id("organisations", org),
            "order": self.erp_id("orders", order),
            "doc_type": doc_type,
            "number": f"{DOC_PREFIX[doc_type]}-{k + 1:08d}",
            "doc_date": _day(created, 25 + k % 7),
            "delivery_type": _pick(DELIVERY, order, 82),
            "consignee": _pick(CONSIGNEES, order, 81),
            "product_code": f"{code}{_mix(order, 40) % 1000:03d}",
            "amount": _money((_mix(k, 83) % 5_000_000 + 10_000) * 100),
            "currency": "RUB",
        }

    def _certificates(self, k: int, t_us: int) -> dict[str, Any]:
        order, org = self._order_ref((k * 7 + 3) % self.orders)
        created = self.order_date_us(order)
        code, name, standard = _pick(PRODUCTS, order, 14)
        grade = _pick(GRADES, order, 50)
        c = _mix(k, 84)
        return {
            "organisation": self.erp_id("organisations", org),
            "order": self.erp_id("orders", order),
            "number": f"СК-{k + 1:08d}",
            "batch": f"П{26 - k % 2}-{k // 3 + 100000:07d}",
            "heat": f"{k // 6 + 200000:07d}",
            "product_code": f"{code}{_mix(order, 40) % 1000:03d}",
            "product_name": name,
            "grade": grade,
            "dimensions": _pick(DIMENSIONS, order, 60),
            "standard": standard,
            "quantity": str(Decimal(c % 60 + 20)),
            "unit": "т",
            "issued_on": _day(created, 20),
            "consignee": _pick(CONSIGNEES, order, 81),
            "producer": PRODUCERS[order % 2],
            "disclosed": {
                "fields": ["product_name", "grade", "dimensions", "standard", "batch", "heat"],
                "chemistry": {
                    "C": f"0,{c % 8 + 12}",
                    "Mn": f"1,{c % 30 + 20}",
                    "Si": f"0,{c % 20 + 20}",
                    "S": f"0,00{c % 5 + 3}",
                    "P": f"0,0{c % 9 + 10}",
                },
                "mechanics": {
                    "Временное сопротивление, Н/мм²": str(510 + c % 80),
                    "Предел текучести, Н/мм²": str(355 + c % 60),
                    "Относительное удлинение, %": str(20 + c % 8),
                },
            },
        }

    # -- order requests -------------------------------------------------------------------
    def decide(self, order_erp_id: str, kind: str, payload: dict[str, Any]) -> tuple[str, str]:
        """The ERP's answer to a change/cancel request, applied to the data when accepted."""
        try:
            index = self.index_of(order_erp_id)
        except ValueError:
            return "rejected", "Заказ не найден в ERP."
        if not 0 <= index < self.orders:
            return "rejected", "Заказ не найден в ERP."
        status = self.current("orders", index)["status"]
        if kind == "cancel":
            if status in ("completed", "cancelled"):
                return "rejected", "Заказ уже выполнен или отменён: отмена невозможна."
            self.touch("orders", index, status="cancelled")
            return "accepted", "Заказ отменён."
        if status != "placed":
            return "rejected", "Заказ уже в работе: изменения согласуйте с менеджером."
        allowed = {"consignee", "planned_shipment_on", "route_to"}
        patch = {k: str(v) for k, v in (payload or {}).items() if k in allowed}
        if patch:
            self.touch("orders", index, **patch)
        return "accepted", "Изменения приняты."


class DirectFeed:
    """The change feed read straight from the generator, without HTTP (demo loading, benches):
    the same pages the server would send, as `cabinet.erp.client.Page`s."""

    def __init__(self, data: ErpData) -> None:
        self.data = data

    def changes(self, entity: str, since: str, limit: int) -> Any:
        from cabinet.erp.client import Page

        rows, nxt, more = self.data.changes(entity, since, limit)
        return Page(rows=rows, next=nxt, has_more=more)


class FakeErp:
    """The HTTP server around ErpData, in a thread on a free port (or a given one)."""

    def __init__(
        self,
        data: ErpData | None = None,
        *,
        port: int = 0,
        token: str = "",
        host: str = "127.0.0.1",
    ) -> None:
        from tests.fakes.smtp_server import free_port

        self.data = data or ErpData()
        self.token = token
        self.host = host
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.requests: dict[str, dict[str, Any]] = {}  # key -> answer
        self.request_log: list[dict[str, Any]] = []
        self.pages_served = 0
        self._fail_rows: int | None = None
        self._fail_mode = "500"
        self._served_since_arm = 0
        self._post_failures = 0
        self._lock = threading.Lock()
        self.app = Starlette(
            routes=[
                Route("/api/health", self._health),
                Route("/api/changes/{entity}", self._changes, methods=["GET"]),
                Route("/api/order-requests", self._order_request, methods=["POST"]),
            ]
        )
        self.server: Any = None
        self.thread: threading.Thread | None = None

    # -- failure switches -----------------------------------------------------------------
    def fail_after(self, rows: int, *, mode: str = "500") -> None:
        """After `rows` more rows, fail once: `500` answers the next page with HTTP 500,
        `drop` cuts the connection in the middle of the page that would pass the count."""
        with self._lock:
            self._fail_rows, self._fail_mode, self._served_since_arm = rows, mode, 0

    def fail_requests(self, n: int) -> None:
        with self._lock:
            self._post_failures = n

    # -- handlers -------------------------------------------------------------------------
    def _authorised(self, request: Request) -> bool:
        return not self.token or request.headers.get("authorization") == f"Bearer {self.token}"

    async def _health(self, _request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def _changes(self, request: Request) -> Response:
        if not self._authorised(request):
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        entity = request.path_params["entity"]
        if entity not in ENTITIES:
            return JSONResponse({"error": f"unknown entity {entity}"}, status_code=404)
        try:
            limit = min(max(int(request.query_params.get("limit", "1000")), 1), 10_000)
        except ValueError:
            return JSONResponse({"error": "limit must be a number"}, status_code=400)
        since = request.query_params.get("since", "")
        try:
            rows, nxt, more = self.data.changes(entity, since, limit)
        except ValueError:
            return JSONResponse({"error": "bad cursor"}, status_code=400)
        body = json.dumps(
            {"entity": entity, "rows": rows, "next": nxt, "has_more": more},
            ensure_ascii=False,
        ).encode()
        with self._lock:
            self.pages_served += 1
            armed = self._fail_rows is not None
            if armed:
                assert self._fail_rows is not None
                if self._served_since_arm >= self._fail_rows and self._fail_mode == "500":
                    self._fail_rows = None
                    return JSONResponse({"error": "ERP internal error"}, status_code=500)
                if (
                    self._served_since_arm + len(rows) > self._fail_rows
                    and self._fail_mode == "drop"
                ):
                    self._fail_rows = None
                    return StreamingResponse(_cut(body), media_type="application/json")
                self._served_since_arm += len(rows)
        return Response(body, media_type="application/json")

    async def _order_request(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return JSONResponse({"error": "unauthorised"}, status_code=401)
        with self._lock:
            if self._post_failures > 0:
                self._post_failures -= 1
                return JSONResponse({"error": "ERP unavailable"}, status_code=500)
        try:
            data = await request.json()
        except ValueError:
            return JSONResponse({"error": "JSON expected"}, status_code=400)
        if (
            not isinstance(data, dict)
            or not data.get("key")
            or data.get("kind") not in ("change", "cancel")
            or not data.get("order")
        ):
            return JSONResponse({"error": "key, order and kind are required"}, status_code=400)
        key = str(data["key"])
        with self._lock:
            self.request_log.append(data)
            known = self.requests.get(key)
        if known is not None:
            return JSONResponse(known)
        status, answer = self.data.decide(str(data["order"]), data["kind"], data.get("payload"))
        result = {"key": key, "status": status, "answer": answer}
        with self._lock:
            self.requests.setdefault(key, result)
        return JSONResponse(self.requests[key])

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> FakeErp:
        import uvicorn

        self.server = uvicorn.Server(
            uvicorn.Config(self.app, host=self.host, port=self.port, log_level="error")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("fake ERP did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)

    def __enter__(self) -> FakeErp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


async def _cut(body: bytes) -> AsyncIterator[bytes]:
    """Half a page, then the connection drops (the client sees an incomplete body)."""
    yield body[: len(body) // 2]
    raise ConnectionResetError("fake ERP dropped the connection")


def _live(data: ErpData, interval: float) -> None:
    """Standalone mode: every `interval` seconds a few orders move on (status, location)."""
    n = 0
    while True:
        time.sleep(interval)
        n += 1
        for k in range(3):
            i = data.orders - 1 - (_mix(n, k) % max(data.orders // 10, 1))
            status = data.current("orders", i)["status"]
            nxt = {"placed": "in_progress", "in_progress": "completed"}.get(status, status)
            data.touch(
                "orders",
                i,
                status=nxt,
                location=_pick(STATIONS, n, k),
                location_at=datetime.now(UTC).isoformat(timespec="microseconds"),
            )


def main() -> None:
    parser = argparse.ArgumentParser(description="The fake ERP for `make run` and tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="")
    parser.add_argument("--large", action="store_true", help="9,000 orgs, 100,000 orders, 2M docs")
    parser.add_argument("--orgs", type=int, default=None)
    parser.add_argument("--orders", type=int, default=None)
    parser.add_argument("--documents", type=int, default=None)
    parser.add_argument("--live", type=float, default=60.0, help="seconds between live changes")
    args = parser.parse_args()
    sizes = dict(LARGE if args.large else DEMO)
    for key in ("orgs", "orders", "documents"):
        if getattr(args, key) is not None:
            sizes[key] = getattr(args, key)
    data = ErpData(**sizes)
    erp = FakeErp(data, port=args.port, token=args.token, host=args.host)
    if args.live > 0:
        threading.Thread(target=_live, args=(data, args.live), daemon=True).start()
    print(f"fake ERP on {erp.url} ({sizes})", flush=True)
    import uvicorn

    uvicorn.run(erp.app, host=args.host, port=erp.port, log_level="warning")


if __name__ == "__main__":
    main()


__all__ = [
    "ANCHOR",
    "DEMO",
    "ENTITIES",
    "LARGE",
    "DirectFeed",
    "ErpData",
    "FakeErp",
    "company_inn",
]
