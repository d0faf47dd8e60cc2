"""Two managers deciding one link request at once: the row lock lets only one of them win.

Needs real row locks (SELECT ... FOR UPDATE), so it runs on PostgreSQL only. The data is
committed (two connections must see it) and deleted again at the end.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.organisations import service
from cabinet.organisations.rules import InvalidTransition
from models import (
    AuditEvent,
    LinkRequest,
    LinkRequestEvent,
    Membership,
    Organisation,
    OutboxMessage,
    User,
    UserRole,
)

pytestmark = pytest.mark.db


@pytest.fixture
def committed(migrated_engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    ids: dict[str, int] = {}
    with Session(migrated_engine) as s:
        ensure_builtin_roles(s)
        org = Organisation(name="Замок", inn="7710140679", is_active=True)
        s.add(org)
        users = [
            User(
                full_name=f"Лок {n}",
                email=f"lock{n}@test.local",
                phone=f"+7902000000{n}",
                password_hash="x",
            )
            for n in range(3)
        ]
        s.add_all(users)
        s.flush()
        for admin in users[1:]:
            grant_role(s, user_id=admin.id, role_code=BuiltinRole.ADMIN)
        req = LinkRequest(user_id=users[0].id, organisation_id=org.id)
        s.add(req)
        s.commit()
        ids = {
            "org": org.id,
            "client": users[0].id,
            "a": users[1].id,
            "b": users[2].id,
            "req": req.id,
        }
    yield ids
    with Session(migrated_engine) as s:
        user_ids = [ids["client"], ids["a"], ids["b"]]
        s.exec(delete(LinkRequestEvent).where(col(LinkRequestEvent.request_id) == ids["req"]))
        s.exec(delete(LinkRequest).where(col(LinkRequest.id) == ids["req"]))
        s.exec(delete(AuditEvent).where(col(AuditEvent.actor_id).in_(user_ids)))
        s.exec(delete(OutboxMessage).where(OutboxMessage.recipient == "lock0@test.local"))
        s.exec(delete(UserRole).where(col(UserRole.user_id).in_(user_ids)))
        s.exec(delete(Membership).where(col(Membership.user_id).in_(user_ids)))
        s.exec(delete(User).where(col(User.id).in_(user_ids)))
        s.exec(delete(Organisation).where(col(Organisation.id) == ids["org"]))
        s.commit()


def test_second_decider_waits_for_the_lock_and_then_finds_it_decided(migrated_engine, committed):
    outcome: dict[str, object] = {}

    def manager_b() -> None:
        with Session(migrated_engine) as sb:
            try:
                service.decide_link_request(
                    sb,
                    actor_id=committed["b"],
                    request_id=committed["req"],
                    approve=False,
                    comment="Нет",
                )
                outcome["b"] = "decided"
            except InvalidTransition as e:
                outcome["b"] = e

    with Session(migrated_engine) as sa:
        # manager A is mid-decision: the request row is locked in A's transaction
        sa.exec(
            select(LinkRequest).where(LinkRequest.id == committed["req"]).with_for_update()
        ).one()
        thread = threading.Thread(target=manager_b)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "manager B must wait for A's lock"
        service.decide_link_request(
            sa, actor_id=committed["a"], request_id=committed["req"], approve=True
        )
    thread.join(timeout=10)
    assert isinstance(outcome.get("b"), InvalidTransition)
    with Session(migrated_engine) as s:
        req = s.get(LinkRequest, committed["req"])
        assert req.status == "approved" and req.decided_by_id == committed["a"]
        events = s.exec(
            select(LinkRequestEvent.action).where(LinkRequestEvent.request_id == req.id)
        ).all()
        assert list(events) == ["approve"]
