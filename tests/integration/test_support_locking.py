"""Two staff members press "take" on one new request at once: the row lock lets one win, the
other waits and then finds it already in progress.

Needs real row locks (SELECT ... FOR UPDATE), so it runs on PostgreSQL only. The data is
committed (two connections must see it) and deleted again at the end.
"""

from __future__ import annotations

import secrets
import threading
import time

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.support import service
from cabinet.support.rules import InvalidTransition
from models import (
    AuditEvent,
    Membership,
    Notification,
    NotificationDelivery,
    Organisation,
    SupportCategory,
    SupportMessage,
    SupportRequest,
    User,
    UserRole,
)

pytestmark = pytest.mark.db


@pytest.fixture
def committed(migrated_engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    tag = secrets.token_hex(3)
    with Session(migrated_engine, expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        org = Organisation(name=f"Замок {tag}", inn="")
        s.add(org)
        users = [
            User(
                full_name=f"Очередь {tag} {n}",
                email=f"queue{n}-{tag}@test.local",
                phone=f"+7903{secrets.randbelow(10**7):07d}",
                password_hash="x",
            )
            for n in range(3)
        ]
        s.add_all(users)
        s.flush()
        client, a, b = users
        s.add(Membership(user_id=client.id, organisation_id=org.id))
        s.flush()
        grant_role(s, user_id=client.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        for admin in (a, b):
            grant_role(s, user_id=admin.id, role_code=BuiltinRole.ADMIN)
        cat = SupportCategory(name=f"Замок {tag}", response_hours=4)
        s.add(cat)
        s.commit()
        req = SupportRequest(
            organisation_id=org.id,
            author_id=client.id,
            category_id=cat.id,
            subject="Кто возьмёт?",
        )
        s.add(req)
        s.commit()
        ids = {"org": org.id, "client": client.id, "a": a.id, "b": b.id, "req": req.id}
        ids["cat"] = cat.id
    yield ids
    with Session(migrated_engine) as s:
        user_ids = [ids["client"], ids["a"], ids["b"]]
        s.exec(delete(SupportMessage).where(col(SupportMessage.request_id) == ids["req"]))
        s.exec(delete(SupportRequest).where(col(SupportRequest.id) == ids["req"]))
        s.exec(delete(SupportCategory).where(col(SupportCategory.id) == ids["cat"]))
        s.exec(delete(NotificationDelivery).where(col(NotificationDelivery.user_id).in_(user_ids)))
        s.exec(delete(Notification).where(col(Notification.user_id).in_(user_ids)))
        s.exec(delete(AuditEvent).where(col(AuditEvent.actor_id).in_(user_ids)))
        s.exec(delete(UserRole).where(col(UserRole.user_id).in_(user_ids)))
        s.exec(delete(Membership).where(col(Membership.user_id).in_(user_ids)))
        s.exec(delete(User).where(col(User.id).in_(user_ids)))
        s.exec(delete(Organisation).where(col(Organisation.id) == ids["org"]))
        s.commit()


def test_second_taker_waits_for_the_lock_and_then_finds_it_taken(migrated_engine, committed):
    outcome: dict[str, object] = {}

    def staff_b() -> None:
        with Session(migrated_engine) as sb:
            try:
                service.apply_action(
                    sb, actor_id=committed["b"], request_id=committed["req"], action="take"
                )
                outcome["b"] = "took"
            except InvalidTransition as e:
                outcome["b"] = e

    with Session(migrated_engine) as sa:
        # staff A is mid-action: the request row is locked in A's transaction
        sa.exec(
            select(SupportRequest).where(SupportRequest.id == committed["req"]).with_for_update()
        ).one()
        thread = threading.Thread(target=staff_b)
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "staff B must wait for A's lock"
        service.apply_action(
            sa, actor_id=committed["a"], request_id=committed["req"], action="take"
        )
    thread.join(timeout=10)
    assert isinstance(outcome.get("b"), InvalidTransition)
    with Session(migrated_engine) as s:
        req = s.get(SupportRequest, committed["req"])
        assert req.status == "in_progress" and req.assignee_id == committed["a"]
        events = s.exec(
            select(SupportMessage.status_to).where(
                SupportMessage.request_id == req.id, SupportMessage.kind == "event"
            )
        ).all()
        assert list(events) == ["in_progress"]
