"""The outbound queue: customers' change/cancel requests sent to the fake ERP with retries,
the answer written back (request closed, order's mark cleared, timeline, notification)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.erp import outbound, sync
from cabinet.erp.client import ErpClient
from cabinet.orders import service as orders_service
from models import Membership, Notification, Organisation, User
from models.base import utcnow
from models.orders import ChangeStatus, Order, OrderChangeRequest, OrderEvent
from tests.fakes.erp_server import ErpData, FakeErp

pytestmark = pytest.mark.db
_seq = itertools.count(1)


@dataclass
class World:
    db: Session
    erp: FakeErp
    client: ErpClient
    customer: User
    org: Organisation

    def order(self, status: str) -> Order:
        return self.db.exec(
            select(Order)
            .where(Order.organisation_id == self.org.id, Order.status == status)
            .order_by(col(Order.id))
        ).first()  # type: ignore[return-value]

    def ask(self, order: Order, kind: str, **payload: str) -> OrderChangeRequest:
        return orders_service.request_change(
            self.db,
            actor_id=self.customer.id,
            order_id=order.id,
            kind=kind,
            payload=payload or None,
            comment="Просим рассмотреть",
        )


@pytest.fixture
def world(db: Session) -> Iterator[World]:
    with FakeErp(ErpData(orgs=6, orders=80, documents=60)) as erp, ErpClient(url=erp.url) as c:
        assert sync.run_sync(db, c, batch=500).status == "ok"  # type: ignore[union-attr]
        ensure_builtin_roles(db)
        org = db.exec(select(Organisation).where(Organisation.inn == "7707083893")).one()
        n = next(_seq)
        user = User(
            full_name=f"Заказчик {n}",
            email=f"out{n}@test.local",
            phone=f"+7908{n:07d}",
            password_hash="x",
        )
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
        grant_role(db, user_id=user.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        yield World(db, erp, c, user, org)


def test_cancel_request_is_retried_after_erp_errors_then_answered(world: World):
    order = world.order("in_progress")
    req = world.ask(order, "cancel")
    world.erp.fail_requests(2)
    now = utcnow()

    first = outbound.send_due(world.db, world.client, now=now)
    world.db.refresh(req)
    assert first.retrying == [req.id] and req.status == ChangeStatus.PENDING
    assert req.attempts == 1 and req.last_error and req.next_attempt_at > now
    # not due again before its backoff
    assert outbound.send_due(world.db, world.client, now=now).worked == 0
    second = outbound.send_due(world.db, world.client, now=now + timedelta(minutes=1))
    assert second.retrying == [req.id]
    third = outbound.send_due(world.db, world.client, now=now + timedelta(minutes=5))

    assert third.answered == [req.id]
    world.db.refresh(req)
    world.db.refresh(order)
    assert req.status == ChangeStatus.ACCEPTED and req.erp_answer and req.attempts == 3
    assert order.pending_request is False
    assert len(world.erp.request_log) == 1  # the failures never reached the ERP's logic
    assert world.db.exec(
        select(Notification).where(Notification.user_id == world.customer.id)
    ).first()
    titles = [
        e.title for e in world.db.exec(select(OrderEvent).where(OrderEvent.order_id == order.id))
    ]
    assert any("принят" in t for t in titles)
    # the ERP cancelled the order: the next delta sync brings the new status
    delta = sync.run_sync(world.db, world.client, batch=500)
    assert delta is not None and delta.rows_in == 1
    world.db.refresh(order)
    assert order.status == "cancelled"


def test_change_request_the_erp_rejects_is_closed_as_rejected(world: World):
    order = world.order("in_progress")  # the ERP changes only orders not yet in work
    req = world.ask(order, "change", consignee='ООО "Другой получатель"')

    report = outbound.send_due(world.db, world.client)

    assert report.answered == [req.id]
    world.db.refresh(req)
    world.db.refresh(order)
    assert req.status == ChangeStatus.REJECTED and "в работе" in req.erp_answer
    assert order.pending_request is False


def test_request_gives_up_after_the_last_attempt(world: World):
    order = world.order("placed")
    req = world.ask(order, "change", consignee='ООО "Новый"')
    world.erp.fail_requests(10)
    now = utcnow()

    outbound.send_due(world.db, world.client, now=now, max_attempts=2)
    last = outbound.send_due(world.db, world.client, now=now + timedelta(minutes=5), max_attempts=2)

    assert last.failed == [req.id]
    world.db.refresh(req)
    world.db.refresh(order)
    assert req.status == ChangeStatus.FAILED and req.last_error
    assert order.pending_request is False
    assert world.erp.request_log == []


def test_a_claimed_request_is_not_sent_by_a_second_worker(world: World):
    order = world.order("placed")
    req = world.ask(order, "cancel")
    now = utcnow()
    assert outbound.claim(world.db, req.id, now=now)

    assert not outbound.claim(world.db, req.id, now=now)
    assert outbound.send_due(world.db, world.client, now=now).worked == 0
    # the first worker died: after the lease the request is sent (same key, once at the ERP)
    later = outbound.send_due(world.db, world.client, now=now + timedelta(minutes=3))
    assert later.answered == [req.id]


def test_the_erp_answers_a_repeated_key_the_same_and_applies_it_once(world: World):
    order = world.order("placed")
    index = world.erp.data.index_of(order.erp_id)
    first = world.client.send_request(
        key="k-1", order=order.erp_id, kind="cancel", payload={}, comment=""
    )
    again = world.client.send_request(
        key="k-1", order=order.erp_id, kind="cancel", payload={}, comment=""
    )

    assert first == again and first.status == "accepted"
    assert len(world.erp.data._changes["orders"]) == 1
    assert world.erp.data.current("orders", index)["status"] == "cancelled"
