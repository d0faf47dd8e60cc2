"""Writes of the orders module: a customer's change/cancel request and the ERP's answer to it.

The order itself belongs to the ERP (the sync worker upserts it); the portal only records the
request (OrderChangeRequest, status pending), marks the order `pending_request` so every page
shows "запрос на рассмотрении", and leaves the sending to the outbound queue (cabinet/erp).
When the ERP answers, `record_erp_answer` closes the request and clears the mark.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cabinet import audit
from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import NotFound
from cabinet.orders import queries, rules
from cabinet.orders.rules import RequestRefused
from models import Order, OrderChangeRequest, OrderEvent
from models.base import utcnow
from models.orders import ChangeKind, ChangeStatus


def request_change(
    session: Session,
    *,
    actor_id: int,
    order_id: int,
    kind: str,
    payload: Mapping[str, Any] | None = None,
    comment: str = "",
    ip: str = "",
) -> OrderChangeRequest:
    """A customer asks to change or cancel an order: one pending request per order, never on
    a completed or cancelled order. Commits."""
    actor = load_actor(session, actor_id)
    order = queries.access_order(session, actor, order_id, lock=True)
    require(actor, Perm.ORDERS_REQUEST, order.organisation_id)
    if not rules.may_request(actor, order.organisation_id):
        raise RequestRefused("Запросы по заказам отправляют сотрудники организации-заказчика.")
    data = rules.clean_request(kind, payload, comment)
    has_open = (
        session.exec(
            select(OrderChangeRequest.id).where(
                OrderChangeRequest.order_id == order.id,
                col(OrderChangeRequest.status).in_(list(rules.OPEN_REQUEST)),
            )
        ).first()
        is not None
    )
    refusal = rules.request_refusal(order.status, has_open or order.pending_request)
    if refusal:
        raise RequestRefused(refusal)
    now = utcnow()
    req = OrderChangeRequest(
        request_key=uuid.uuid4().hex,
        organisation_id=order.organisation_id,
        order_id=order.id or 0,
        kind=data.kind,
        payload=data.payload or None,
        comment=data.comment,
        status=ChangeStatus.PENDING,
        next_attempt_at=now,
        created_by=actor.id,
        created_at=now,
    )
    session.add(req)
    order.pending_request = True
    order.updated_at = now
    session.add(order)
    title = (
        "Запрос на отмену отправлен"
        if data.kind == ChangeKind.CANCEL
        else ("Запрос на изменение отправлен")
    )
    session.add(
        OrderEvent(
            organisation_id=order.organisation_id,
            order_id=order.id or 0,
            title=title,
            comment=data.comment[:1000],
            at=now,
        )
    )
    try:
        session.flush()
    except IntegrityError:
        # Another request for this order won the race (the partial unique index).
        session.rollback()
        raise RequestRefused(
            "По заказу уже есть запрос на рассмотрении. Дождитесь ответа."
        ) from None
    audit.record(
        session,
        actor_id=actor.id,
        action=f"order.request_{data.kind}",
        object_type="order",
        object_id=order.id,
        after={"request_id": req.id, "payload": data.payload, "comment": data.comment},
        ip=ip,
    )
    session.commit()
    session.refresh(req)
    return req


def record_erp_answer(
    session: Session, *, request_id: int, accepted: bool, answer: str = ""
) -> OrderChangeRequest:
    """The ERP decided on a request (called by the outbound worker): close it, clear the
    order's mark, add a timeline line and tell the requester. Idempotent: an already answered
    request is returned unchanged. Commits."""
    from cabinet.notifications.service import emit

    req = session.exec(
        select(OrderChangeRequest).where(OrderChangeRequest.id == request_id).with_for_update()
    ).first()
    if req is None:
        raise NotFound("Запрос не найден.")
    if req.status not in rules.OPEN_REQUEST:
        return req
    now = utcnow()
    req.status = ChangeStatus.ACCEPTED if accepted else ChangeStatus.REJECTED
    req.erp_answer = (answer or "")[:2000]
    req.answered_at = now
    session.add(req)
    order = session.get(Order, req.order_id)
    if order is not None:
        order.pending_request = False
        order.updated_at = now
        session.add(order)
        kind = rules.CHANGE_KIND_LABELS.get(req.kind, (req.kind, ""))[0].lower()
        verdict = "принят" if accepted else "отклонён"
        session.add(
            OrderEvent(
                organisation_id=req.organisation_id,
                order_id=req.order_id,
                title=f"Запрос ({kind}) {verdict}",
                comment=req.erp_answer[:1000],
                at=now,
            )
        )
    audit.record(
        session,
        actor_id=None,
        action="order.request_answered",
        object_type="order_change_request",
        object_id=req.id,
        after={"status": req.status, "answer": req.erp_answer},
    )
    if req.created_by and order is not None:
        from cabinet import routes

        emit(
            session,
            event="orders.request_decided",
            recipient_ids=[req.created_by],
            context={
                "order_number": order.number,
                "decision": "принят" if accepted else "отклонён",
                "answer": req.erp_answer,
            },
            link=routes.order_url(order.id or 0),
        )
    session.commit()
    return req
