"""ERP integration rules: the sync's entity order, row parsing/validation, retry backoff, the
API token format and the rate-limit window. Pure: no DB, no Reflex.

A parsed row is a dict of the target table's columns; references to other ERP rows stay as
ERP keys under `_org`, `_contract`, `_order` for the sync to resolve, and nested children
(order lines, events, ...) under `_children`. A row that cannot be parsed raises
`MalformedRow`: the sync skips and reports it, it is never fatal.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.ru import inn as inn_check

# Dependency order: a row's parents are synced by an earlier entity of the same run.
ENTITIES: tuple[str, ...] = (
    "organisations",
    "contracts",
    "orders",
    "invoices",
    "documents",
    "certificates",
)
# The order a run takes the entities in: each wave needs only the rows of earlier waves
# (contracts need organisations; orders contracts; invoices contracts and orders; documents
# and certificates orders), so the entities of one wave may be synced side by side.
WAVES: tuple[tuple[str, ...], ...] = (
    ("organisations",),
    ("contracts",),
    ("orders",),
    ("invoices", "documents", "certificates"),
)


def waves(entities: Sequence[str]) -> list[tuple[str, ...]]:
    """`entities` grouped into the waves of `WAVES`, in order; an entity no wave names
    (none today) gets a wave of its own at the end."""
    chosen = set(entities)
    out = [tuple(e for e in wave if e in chosen) for wave in WAVES]
    known = {e for wave in WAVES for e in wave}
    out += [(e,) for e in dict.fromkeys(entities) if e not in known]
    return [w for w in out if w]


ENTITY_LABELS: dict[str, tuple[str, str]] = {
    "organisations": ("Организации", "Organisations"),
    "contracts": ("Договоры", "Contracts"),
    "orders": ("Заказы", "Orders"),
    "invoices": ("Счета", "Invoices"),
    "documents": ("Документы", "Documents"),
    "certificates": ("Сертификаты", "Certificates"),
}

LEASE = timedelta(minutes=10)  # a sync run renews it after every batch
OUTBOUND_LEASE = timedelta(minutes=2)  # a claimed change request waits this long for its send
OUTBOUND_MAX_ATTEMPTS = 6
ORDER_STATUSES = frozenset({"placed", "in_progress", "completed", "cancelled"})
CONTRACT_STATUSES = frozenset({"draft", "active", "suspended", "closed"})
INVOICE_STATUSES = frozenset({"issued", "partial", "paid", "cancelled"})
SCHEDULE_STATUSES = frozenset({"planned", "paid", "overdue", "cancelled"})
OPERATION_KINDS = frozenset(
    {"shipment", "invoice", "payment", "prepayment", "credit_note", "adjustment"}
)
DOC_TYPES = frozenset(
    {"invoice", "waybill", "upd", "torg12", "act", "specification", "contract", "packing_list"}
)
DELIVERY_TYPES = frozenset({"", "rail", "road", "pickup", "sea"})

TOKEN_PREFIX = "cab_"
TOKEN_SHOWN = 12  # characters of the secret kept in clear to tell tokens apart


class MalformedRow(ValueError):
    """An ERP row that cannot be stored; `reason` says why (Russian)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


# -- field readers --------------------------------------------------------------------------
def _s(row: dict[str, Any], key: str, max_len: int, *, required: bool = False) -> str:
    value = row.get(key)
    if value.__class__ is str and value:  # the common case first (a sync reads millions)
        text: str = value.strip()
        if len(text) > max_len:
            raise MalformedRow(f"поле {key}: длиннее {max_len} символов")
        return text
    if value is None or value == "":
        if required:
            raise MalformedRow(f"нет поля {key}")
        return ""
    if not isinstance(value, str | int):
        raise MalformedRow(f"поле {key}: ожидается строка")
    text = str(value).strip()
    if len(text) > max_len:
        raise MalformedRow(f"поле {key}: длиннее {max_len} символов")
    return text


def _dec(row: dict[str, Any], key: str, *, required: bool = True) -> Decimal | None:
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise MalformedRow(f"нет поля {key}")
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MalformedRow(f"поле {key}: ожидается число")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise MalformedRow(f"поле {key}: не число ({str(value)[:30]})") from None
    if not number.is_finite() or abs(number) >= Decimal("1e15"):
        raise MalformedRow(f"поле {key}: недопустимое число")
    return number


def _date(row: dict[str, Any], key: str, *, required: bool = True) -> date | None:
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise MalformedRow(f"нет поля {key}")
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise MalformedRow(f"поле {key}: не дата ({str(value)[:30]})") from None


def _dt(row: dict[str, Any], key: str, *, required: bool = True) -> datetime | None:
    value = row.get(key)
    if value is None or value == "":
        if required:
            raise MalformedRow(f"нет поля {key}")
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise MalformedRow(f"поле {key}: не дата и время ({str(value)[:30]})") from None
    if parsed.tzinfo is None:
        raise MalformedRow(f"поле {key}: время без часового пояса")
    return parsed.astimezone(UTC)


def _choice(row: dict[str, Any], key: str, allowed: frozenset[str], default: str) -> str:
    value = row.get(key)
    if value is None or value == "":
        return default
    if value not in allowed:
        raise MalformedRow(f"поле {key}: неизвестное значение {str(value)[:30]}")
    return str(value)


def _json(row: dict[str, Any], key: str) -> dict[str, Any] | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedRow(f"поле {key}: ожидается объект")
    return value


def _list(row: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = row.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise MalformedRow(f"поле {key}: ожидается список объектов")
    return value


def _base(row: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(row, dict):
        raise MalformedRow("строка не является объектом")
    return {
        "erp_id": _s(row, "erp_id", 64, required=True),
        "erp_updated_at": _dt(row, "updated_at"),
    }


def _child(row: dict[str, Any], parent_updated: datetime | None) -> dict[str, Any]:
    return {"erp_id": _s(row, "erp_id", 64, required=True), "erp_updated_at": parent_updated}


def _ref(row: dict[str, Any], key: str, *, required: bool = True) -> str:
    return _s(row, key, 64, required=required)


def _sent(row: dict[str, Any], children: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The nested lists the ERP sent with the row (an empty list included): each is the
    parent's whole list of that kind, so the sync also removes the rows it no longer names.
    A list the row leaves out entirely stays as stored."""
    return {kind: rows for kind, rows in children.items() if row.get(kind) is not None}


# -- entities -------------------------------------------------------------------------------
def parse_organisation(row: dict[str, Any]) -> dict[str, Any]:
    out = _base(row)
    inn = _s(row, "inn", 12, required=True)
    if not inn_check.is_valid(inn):
        raise MalformedRow(f"ИНН {inn} не проходит проверку")
    kpp = _s(row, "kpp", 9)
    if kpp and not (len(kpp) == 9 and kpp[:4].isdigit()):
        raise MalformedRow(f"КПП {kpp} неверной длины")
    kind = "sole" if len(inn) == 12 else "legal"
    out.update(
        name=_s(row, "name", 300, required=True),
        kind=_choice(row, "kind", frozenset({"legal", "sole", "person"}), kind),
        inn=inn,
        kpp=kpp,
        ogrn=_s(row, "ogrn", 15),
        legal_address=_s(row, "legal_address", 500),
    )
    return out


def parse_contract(row: dict[str, Any]) -> dict[str, Any]:
    out = _base(row)
    out.update(
        _org=_ref(row, "organisation"),
        number=_s(row, "number", 40, required=True),
        title=_s(row, "title", 300),
        status=_choice(row, "status", CONTRACT_STATUSES, "active"),
        valid_from=_date(row, "valid_from", required=False),
        valid_to=_date(row, "valid_to", required=False),
        currency=_s(row, "currency", 3) or "RUB",
        credit_limit=_dec(row, "credit_limit", required=False) or Decimal(0),
        balance=_dec(row, "balance", required=False) or Decimal(0),
        payment_terms_days=int(_dec(row, "payment_terms_days", required=False) or 0),
    )
    return out


def order_search_text(values: dict[str, Any]) -> str:
    """What the orders registry's free search looks in (the orders module's own rule)."""
    from cabinet.orders.rules import search_text

    keys = ("number", "route_from", "route_to", "consignee", "product_summary")
    return search_text(*(values.get(k, "") for k in keys))


def parse_order(row: dict[str, Any]) -> dict[str, Any]:
    out = _base(row)
    updated = out["erp_updated_at"]
    out.update(
        _org=_ref(row, "organisation"),
        _contract=_ref(row, "contract", required=False),
        number=_s(row, "number", 40, required=True),
        status=_choice(row, "status", ORDER_STATUSES, "placed"),
        kind=_s(row, "kind", 20) or "supply",
        route_from=_s(row, "route_from", 200),
        route_to=_s(row, "route_to", 200),
        consignee=_s(row, "consignee", 300),
        product_summary=_s(row, "product_summary", 300),
        amount=_dec(row, "amount"),
        currency=_s(row, "currency", 3) or "RUB",
        planned_production_on=_date(row, "planned_production_on", required=False),
        planned_shipment_on=_date(row, "planned_shipment_on", required=False),
        planned_delivery_on=_date(row, "planned_delivery_on", required=False),
        location=_s(row, "location", 300),
        location_at=_dt(row, "location_at", required=False),
        params=_json(row, "params"),
        legal_details=_json(row, "legal_details"),
        created_at=_dt(row, "created_at"),
    )
    out["search_text"] = order_search_text(out)
    lines = []
    for n, line in enumerate(_list(row, "lines")):
        c = _child(line, updated)
        c.update(
            position=int(_dec(line, "position", required=False) or n + 1),
            product_code=_s(line, "product_code", 40),
            product_name=_s(line, "product_name", 300),
            grade=_s(line, "grade", 60),
            dimensions=_s(line, "dimensions", 100),
            standard=_s(line, "standard", 100),
            quantity=_dec(line, "quantity"),
            unit=_s(line, "unit", 10) or "т",
            price=_dec(line, "price", required=False) or Decimal(0),
            amount=_dec(line, "amount", required=False) or Decimal(0),
        )
        lines.append(c)
    events = []
    for ev in _list(row, "events"):
        c = _child(ev, updated)
        c.update(
            status=_choice(ev, "status", ORDER_STATUSES | {""}, ""),
            title=_s(ev, "title", 200, required=True),
            comment=_s(ev, "comment", 1000),
            location=_s(ev, "location", 300),
            at=_dt(ev, "at"),
        )
        events.append(c)
    vehicles = []
    for v in _list(row, "vehicles"):
        c = _child(v, updated)
        c.update(
            number=_s(v, "number", 40, required=True),
            kind=_s(v, "kind", 60),
            status=_s(v, "status", 60),
            location=_s(v, "location", 300),
            weight_t=_dec(v, "weight_t", required=False),
        )
        vehicles.append(c)
    services = []
    for sv in _list(row, "services"):
        c = _child(sv, updated)
        c.update(
            name=_s(sv, "name", 200, required=True),
            quantity=_dec(sv, "quantity", required=False) or Decimal(1),
            amount=_dec(sv, "amount", required=False) or Decimal(0),
            status=_s(sv, "status", 60),
        )
        services.append(c)
    out["_children"] = _sent(
        row, {"lines": lines, "events": events, "vehicles": vehicles, "services": services}
    )
    return out


def parse_invoice(row: dict[str, Any]) -> dict[str, Any]:
    out = _base(row)
    updated = out["erp_updated_at"]
    out.update(
        _org=_ref(row, "organisation"),
        _contract=_ref(row, "contract", required=False),
        _order=_ref(row, "order", required=False),
        number=_s(row, "number", 40, required=True),
        issued_on=_date(row, "issued_on"),
        due_on=_date(row, "due_on", required=False),
        amount=_dec(row, "amount"),
        paid_amount=_dec(row, "paid_amount", required=False) or Decimal(0),
        currency=_s(row, "currency", 3) or "RUB",
        status=_choice(row, "status", INVOICE_STATUSES, "issued"),
        description=_s(row, "description", 500),
    )
    schedule = []
    for item in _list(row, "schedule"):
        c = _child(item, updated)
        c.update(
            due_on=_date(item, "due_on"),
            amount=_dec(item, "amount"),
            currency=_s(item, "currency", 3) or out["currency"],
            status=_choice(item, "status", SCHEDULE_STATUSES, "planned"),
            note=_s(item, "note", 300),
        )
        schedule.append(c)
    operations = []
    for op in _list(row, "operations"):
        c = _child(op, updated)
        c.update(
            op_date=_date(op, "op_date"),
            kind=_choice(op, "kind", OPERATION_KINDS, "adjustment"),
            amount=_dec(op, "amount"),
            currency=_s(op, "currency", 3) or out["currency"],
            document_ref=_s(op, "document_ref", 100),
            description=_s(op, "description", 300),
        )
        operations.append(c)
    out["_children"] = _sent(row, {"schedule": schedule, "operations": operations})
    return out


def parse_document(row: dict[str, Any]) -> dict[str, Any]:
    out = _base(row)
    out.update(
        _org=_ref(row, "organisation"),
        _order=_ref(row, "order", required=False),
        doc_type=_choice(row, "doc_type", DOC_TYPES, "upd"),
        number=_s(row, "number", 40, required=True),
        doc_date=_date(row, "doc_date"),
        delivery_type=_choice(row, "delivery_type", DELIVERY_TYPES, ""),
        consignee=_s(row, "consignee", 300),
        product_code=_s(row, "product_code", 40),
        amount=_dec(row, "amount", required=False),
        currency=_s(row, "currency", 3) or "RUB",
    )
    return out


def parse_certificate(row: dict[str, Any]) -> dict[str, Any]:
    out = _base(row)
    out.update(
        _org=_ref(row, "organisation"),
        _order=_ref(row, "order", required=False),
        number=_s(row, "number", 40, required=True),
        batch=_s(row, "batch", 40),
        heat=_s(row, "heat", 40),
        product_code=_s(row, "product_code", 40),
        product_name=_s(row, "product_name", 300),
        grade=_s(row, "grade", 60),
        dimensions=_s(row, "dimensions", 100),
        standard=_s(row, "standard", 100),
        quantity=_dec(row, "quantity", required=False),
        unit=_s(row, "unit", 10) or "т",
        issued_on=_date(row, "issued_on"),
        consignee=_s(row, "consignee", 300),
        producer=_s(row, "producer", 300),
        disclosed=_json(row, "disclosed"),
    )
    return out


PARSERS = {
    "organisations": parse_organisation,
    "contracts": parse_contract,
    "orders": parse_order,
    "invoices": parse_invoice,
    "documents": parse_document,
    "certificates": parse_certificate,
}


def parse(entity: str, row: Any) -> dict[str, Any]:
    """The row as table columns, or MalformedRow (never another exception)."""
    try:
        return PARSERS[entity](row)
    except MalformedRow:
        raise
    except (TypeError, ValueError, AttributeError, KeyError) as e:
        raise MalformedRow(f"неразборчивая строка: {type(e).__name__}") from None


def erp_id_of(row: Any) -> str:
    if isinstance(row, dict):
        return str(row.get("erp_id") or "")[:64]
    return ""


# -- outbound queue -------------------------------------------------------------------------
def backoff(attempts: int) -> timedelta:
    """Wait before retry `attempts` + 1: 30 s, 1, 2, 4, 8 min … at most 30 min."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 30 * 60))


def should_retry(
    attempts: int, *, transient: bool, max_attempts: int = OUTBOUND_MAX_ATTEMPTS
) -> bool:
    return transient and attempts < max_attempts


# -- scheduling -----------------------------------------------------------------------------
def sync_due(
    *, last_started: datetime | None, now: datetime, interval_seconds: int, requested: bool
) -> bool:
    if requested or last_started is None:
        return True
    return now - last_started >= timedelta(seconds=interval_seconds)


def lag_seconds(newest: datetime | None, now: datetime) -> int | None:
    if newest is None:
        return None
    return max(int((now - newest).total_seconds()), 0)


# -- API tokens -----------------------------------------------------------------------------
@dataclass(frozen=True)
class NewToken:
    secret: str  # shown once
    prefix: str
    token_hash: str


def new_token() -> NewToken:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return NewToken(secret=secret, prefix=secret[:TOKEN_SHOWN], token_hash=hash_token(secret))


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_name_error(name: str) -> str | None:
    name = name.strip()
    if not name:
        return "Назовите токен: например, по системе, которая будет им пользоваться."
    if len(name) > 100:
        return "Название не длиннее 100 символов."
    return None


def rate_window(
    *, window_start: datetime | None, count: int, now: datetime, limit: int
) -> tuple[datetime, int, bool]:
    """The fixed one-minute window after one more request: (start, count, allowed)."""
    if window_start is None or now - window_start >= timedelta(minutes=1):
        return now, 1, limit >= 1
    if count >= limit:
        return window_start, count, False
    return window_start, count + 1, True
