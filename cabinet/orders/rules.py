"""Orders: statuses and tabs, who sees which organisation's data, change/cancel request rules.
No DB, no Reflex.

Scope (one rule for orders, documents and finance):
- customer side: organisations the actor belongs to and holds the permission in
  (ORDERS_VIEW for orders and documents, FINANCE_VIEW for finance);
- staff with ORDERS_STAFF: organisations they may see (`actor.visible_org_ids()`, None = all).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from cabinet.access.rules import Actor, Perm
from cabinet.errors import DomainError, ValidationFailed
from models.orders import ChangeKind, ChangeStatus, OrderStatus

STATUS_LABELS: dict[str, tuple[str, str]] = {
    OrderStatus.PLACED: ("Оформлен", "Placed"),
    OrderStatus.IN_PROGRESS: ("В работе", "In progress"),
    OrderStatus.COMPLETED: ("Выполнен", "Completed"),
    OrderStatus.CANCELLED: ("Отменён", "Cancelled"),
}
STATUS_COLORS: dict[str, str] = {
    OrderStatus.PLACED: "blue",
    OrderStatus.IN_PROGRESS: "amber",
    OrderStatus.COMPLETED: "green",
    OrderStatus.CANCELLED: "gray",
}
# Registry tabs: "" = all; each other tab is one status.
TABS: dict[str, tuple[str, str]] = {
    "": ("Все", "All"),
    OrderStatus.PLACED: ("Оформлены", "Placed"),
    OrderStatus.IN_PROGRESS: ("В работе", "In progress"),
    OrderStatus.COMPLETED: ("Выполнены", "Completed"),
    OrderStatus.CANCELLED: ("Отменены", "Cancelled"),
}
SORTS: dict[str, tuple[str, str]] = {
    "new": ("Сначала новые", "Newest first"),
    "old": ("Сначала старые", "Oldest first"),
    "amount_desc": ("Сначала дорогие", "Largest amount first"),
    "amount_asc": ("Сначала дешёвые", "Smallest amount first"),
}
FINAL = frozenset({OrderStatus.COMPLETED, OrderStatus.CANCELLED})
OPEN_REQUEST = frozenset({ChangeStatus.PENDING, ChangeStatus.SENT})

CHANGE_KIND_LABELS: dict[str, tuple[str, str]] = {
    ChangeKind.CHANGE: ("Изменение заказа", "Change"),
    ChangeKind.CANCEL: ("Отмена заказа", "Cancellation"),
}
CHANGE_STATUS_LABELS: dict[str, tuple[str, str]] = {
    ChangeStatus.PENDING: ("На рассмотрении", "Under review"),
    ChangeStatus.SENT: ("На рассмотрении", "Under review"),
    ChangeStatus.ACCEPTED: ("Принят", "Accepted"),
    ChangeStatus.REJECTED: ("Отклонён", "Rejected"),
    ChangeStatus.FAILED: ("Не доставлен", "Not delivered"),
}
CHANGE_STATUS_COLORS: dict[str, str] = {
    ChangeStatus.PENDING: "amber",
    ChangeStatus.SENT: "amber",
    ChangeStatus.ACCEPTED: "green",
    ChangeStatus.REJECTED: "red",
    ChangeStatus.FAILED: "gray",
}

# What a customer may ask to change, and how long each value may be.
CHANGE_FIELDS: dict[str, tuple[str, str, int]] = {
    "planned_shipment_on": ("Желаемая дата отгрузки", "Desired shipment date", 10),
    "consignee": ("Грузополучатель", "Consignee", 300),
    "route_to": ("Пункт (станция) назначения", "Destination", 200),
    "quantity": ("Количество / объём", "Quantity", 100),
}
MAX_COMMENT = 2000


class RequestRefused(DomainError):
    default = "Запрос по этому заказу сейчас невозможен."


def org_scope(actor: Actor, perm: Perm = Perm.ORDERS_VIEW) -> frozenset[int] | None:
    """Organisations whose orders/documents (perm ORDERS_VIEW) or finance (FINANCE_VIEW) the
    actor may read; None = every organisation (staff who see all)."""
    own = frozenset(o for o in actor.member_org_ids if perm in actor.org_perms.get(o, ()))
    if Perm.ORDERS_STAFF in actor.global_perms:
        visible = actor.visible_org_ids()
        return None if visible is None else visible | own
    if perm in actor.global_perms:  # a platform-wide holder of a customer permission
        visible = actor.visible_org_ids()
        return None if visible is None else visible | own
    return own


def may_see(actor: Actor, org_id: int, perm: Perm = Perm.ORDERS_VIEW) -> bool:
    scope = org_scope(actor, perm)
    return scope is None or org_id in scope


def request_refusal(status: str, has_open_request: bool) -> str | None:
    """Why a change/cancel request is impossible now; None when it may be made."""
    if status in FINAL:
        return "Заказ уже выполнен или отменён: изменить или отменить его нельзя."
    if has_open_request:
        return "По заказу уже есть запрос на рассмотрении. Дождитесь ответа."
    return None


def may_request(actor: Actor, org_id: int) -> bool:
    return org_id in actor.member_org_ids and actor.has(Perm.ORDERS_REQUEST, org_id)


@dataclass(frozen=True)
class ChangeInput:
    kind: ChangeKind
    payload: dict[str, str]
    comment: str


def _valid_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def clean_request(kind: str, payload: Mapping[str, Any] | None, comment: str) -> ChangeInput:
    """Check a change/cancel request's input; ValidationFailed with the field to fix."""
    try:
        k = ChangeKind(str(kind))
    except ValueError:
        raise ValidationFailed("Неизвестный вид запроса.", field="kind") from None
    text = " ".join(str(comment or "").split()) if k == ChangeKind.CANCEL else str(comment or "")
    text = text.strip()
    if len(text) > MAX_COMMENT:
        raise ValidationFailed(f"Комментарий длиннее {MAX_COMMENT} символов.", field="comment")
    clean: dict[str, str] = {}
    if k == ChangeKind.CHANGE:
        for name, value in (payload or {}).items():
            if name not in CHANGE_FIELDS:
                continue
            v = " ".join(str(value or "").split())
            if not v:
                continue
            if len(v) > CHANGE_FIELDS[name][2]:
                raise ValidationFailed("Слишком длинное значение.", field=name)
            if name == "planned_shipment_on" and not _valid_date(v):
                raise ValidationFailed("Укажите дату в формате ГГГГ-ММ-ДД.", field=name)
            clean[name] = v
        if not clean and not text:
            raise ValidationFailed("Укажите, что изменить, или опишите изменение.", field="comment")
    elif not text:
        raise ValidationFailed("Укажите причину отмены.", field="comment")
    return ChangeInput(kind=k, payload=clean, comment=text)


def search_text(*parts: str | None) -> str:
    """The lower-cased text the registry's free search looks in (number, route, consignee,
    product). The ERP sync fills Order.search_text with this too."""
    return " ".join(" ".join(str(p or "").split()) for p in parts if p).lower()[:1200]


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, (status, status))[0]
