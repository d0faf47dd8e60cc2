"""Change/cancel requests: rules (not on completed/cancelled orders, one open at a time, only
the customer's own people), the pending mark, and the ERP's answer closing the request."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from cabinet.access.service import load_actor
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.orders import queries as oq
from cabinet.orders import service
from cabinet.orders.rules import RequestRefused
from models import AuditEvent, Notification, Order, OrderChangeRequest, OrderEvent
from tests.integration.test_orders_scope import World, make_order

pytestmark = pytest.mark.db


@pytest.fixture
def w(db):
    return World(db)


def _requests(db, order: Order) -> list[OrderChangeRequest]:
    return list(
        db.exec(select(OrderChangeRequest).where(OrderChangeRequest.order_id == order.id)).all()
    )


def test_customer_asks_to_change_and_the_order_shows_it_pending(db, w):
    req = service.request_change(
        db,
        actor_id=w.client.id,
        order_id=w.order.id,
        kind="change",
        payload={"planned_shipment_on": "2026-12-20"},
        comment="Склад закрыт до 20 декабря",
    )
    assert req.status == "pending"
    assert req.payload == {"planned_shipment_on": "2026-12-20"}
    assert req.request_key and req.next_attempt_at is not None
    db.refresh(w.order)
    assert w.order.pending_request is True
    view = oq.order_view(db, load_actor(db, w.client.id), w.order.id)
    assert view.pending_request and not view.can_request
    assert "рассмотрении" in view.request_refusal
    assert view.requests[0].status_label == "На рассмотрении"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "order.request_change")).first()


def test_only_one_open_request_per_order(db, w):
    service.request_change(
        db, actor_id=w.client.id, order_id=w.order.id, kind="cancel", comment="Не нужен"
    )
    with pytest.raises(RequestRefused):
        service.request_change(
            db, actor_id=w.client.id, order_id=w.order.id, kind="change", comment="Другое"
        )
    assert len(_requests(db, w.order)) == 1


def test_the_database_refuses_a_second_open_request_even_past_the_checks(db, w):
    service.request_change(
        db, actor_id=w.client.id, order_id=w.order.id, kind="cancel", comment="x"
    )
    from sqlalchemy.exc import IntegrityError

    db.add(
        OrderChangeRequest(
            request_key="race",
            organisation_id=w.org.id,
            order_id=w.order.id,
            kind="change",
            status="sent",
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_no_request_on_finished_orders(db, w, status):
    order = make_order(db, w.org, f"З-FIN-{status}", status=status)
    with pytest.raises(RequestRefused):
        service.request_change(
            db, actor_id=w.client.id, order_id=order.id, kind="cancel", comment="x"
        )
    assert _requests(db, order) == []
    db.refresh(order)
    assert order.pending_request is False


def test_strangers_and_staff_cannot_ask(db, w):
    with pytest.raises(NotFound):
        service.request_change(
            db, actor_id=w.stranger.id, order_id=w.order.id, kind="cancel", comment="x"
        )
    with pytest.raises((PermissionDenied, RequestRefused)):
        service.request_change(
            db, actor_id=w.manager.id, order_id=w.order.id, kind="cancel", comment="x"
        )
    assert _requests(db, w.order) == []


def test_bad_input_changes_nothing(db, w):
    with pytest.raises(ValidationFailed):
        service.request_change(
            db,
            actor_id=w.client.id,
            order_id=w.order.id,
            kind="change",
            payload={"planned_shipment_on": "завтра"},
        )
    with pytest.raises(ValidationFailed):
        service.request_change(
            db, actor_id=w.client.id, order_id=w.order.id, kind="cancel", comment="  "
        )
    assert _requests(db, w.order) == []
    db.refresh(w.order)
    assert w.order.pending_request is False


@pytest.mark.parametrize("accepted", [True, False])
def test_the_erp_answer_closes_the_request_and_clears_the_mark(db, w, accepted):
    req = service.request_change(
        db, actor_id=w.client.id, order_id=w.order.id, kind="cancel", comment="x"
    )
    service.record_erp_answer(db, request_id=req.id, accepted=accepted, answer="Решение ERP")
    db.refresh(req)
    db.refresh(w.order)
    assert req.status == ("accepted" if accepted else "rejected")
    assert req.erp_answer == "Решение ERP" and req.answered_at is not None
    assert w.order.pending_request is False
    titles = [
        e.title
        for e in db.exec(
            select(OrderEvent).where(OrderEvent.order_id == w.order.id).order_by(col(OrderEvent.id))
        ).all()
    ]
    assert titles[-1].endswith("принят" if accepted else "отклонён")
    assert db.exec(select(Notification).where(Notification.user_id == w.client.id)).first()
    # A repeated answer changes nothing; a new request may now be made.
    service.record_erp_answer(db, request_id=req.id, accepted=not accepted, answer="again")
    db.refresh(req)
    assert req.erp_answer == "Решение ERP"
    service.request_change(
        db, actor_id=w.client.id, order_id=w.order.id, kind="change", comment="ещё"
    )
