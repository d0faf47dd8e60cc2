"""Every public handler of the support page states, called as an anonymous visitor and as a
customer of another organisation, pointed at a victim organisation's request: refused,
nothing changes, none of the victim's text reaches the state. Then the owner and the
manager walk the same handlers to a reply and a status change.

The handlers are called directly on a state instance (the function the websocket would run);
the caller is whatever the session cookie says, resolved from the database. The rows are
committed (the states open their own sessions) and removed afterwards.
"""

from __future__ import annotations

import asyncio
import inspect
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import reflex as rx
from sqlmodel import Session, col, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import create_session
from cabinet.db import get_engine
from cabinet.support import service
from cabinet.support import state as support_state
from models import (
    AuditEvent,
    ManagerAssignment,
    Membership,
    Notification,
    NotificationDelivery,
    Organisation,
    SupportAttachment,
    SupportCategory,
    SupportDepartment,
    SupportDepartmentMember,
    SupportMessage,
    SupportRequest,
    User,
    UserRole,
    UserSession,
)
from models.base import utcnow
from tests.integration.handler_calls import state_instance

pytestmark = pytest.mark.db

STATES = [
    support_state.SupportListState,
    support_state.SupportNewState,
    support_state.SupportRequestState,
    support_state.SupportQueueState,
    support_state.SupportSettingsState,
]
SECRET_SUBJECT = "Секретная тема обращения"
SECRET_TEXT = "Секретный текст жертвы"


def _user(s: Session, key: str, tag: str) -> User:
    now = utcnow()
    u = User(
        full_name=f"{key} {tag}",
        email=f"{key}-{tag}@support.test",
        phone=f"+7907{secrets.randbelow(10**7):07d}",
        password_hash="x",
        email_confirmed_at=now,
        phone_confirmed_at=now,
    )
    s.add(u)
    s.flush()
    return u


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    tag = secrets.token_hex(4)
    with Session(get_engine(), expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        org = Organisation(name=f"Жертва {tag}", inn="")
        other = Organisation(name=f"Чужая {tag}", inn="")
        s.add_all([org, other])
        s.flush()
        victim = _user(s, "victim", tag)
        stranger = _user(s, "stranger", tag)
        manager = _user(s, "manager", tag)
        admin = _user(s, "admin", tag)
        s.add(Membership(user_id=victim.id, organisation_id=org.id))
        s.add(Membership(user_id=stranger.id, organisation_id=other.id))
        s.add(ManagerAssignment(manager_id=manager.id, organisation_id=org.id))
        s.flush()
        grant_role(s, user_id=victim.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        grant_role(s, user_id=stranger.id, role_code=BuiltinRole.CUSTOMER, organisation_id=other.id)
        grant_role(s, user_id=manager.id, role_code=BuiltinRole.MANAGER)
        grant_role(s, user_id=admin.id, role_code=BuiltinRole.ADMIN)
        s.commit()
        dept = service.save_department(
            s, actor_id=admin.id, name=f"Отдел {tag}", member_ids=[manager.id]
        )
        cat = service.save_category(
            s,
            actor_id=admin.id,
            name=f"Категория {tag}",
            response_hours=8,
            default_department_id=dept.id,
        )
        req = service.create_request(
            s,
            actor_id=victim.id,
            organisation_id=org.id,
            category_id=cat.id,
            subject=SECRET_SUBJECT,
            text=SECRET_TEXT,
            recipient=f"user:{manager.id}",
        )
        tokens = {
            "stranger": create_session(s, user_id=stranger.id),
            "victim": create_session(s, user_id=victim.id),
            "manager": create_session(s, user_id=manager.id),
        }
        s.commit()
        users = [victim, stranger, manager, admin]
        yield {
            "org": org,
            "other": other,
            "victim": victim,
            "stranger": stranger,
            "manager": manager,
            "dept": dept,
            "cat": cat,
            "req": req,
            "tokens": tokens,
        }
    with Session(get_engine()) as s:
        ids = [u.id for u in users]
        req_ids = list(
            s.exec(
                select(SupportRequest.id).where(
                    col(SupportRequest.organisation_id).in_([org.id, other.id])
                )
            ).all()
        )
        for model, column, values in [
            (SupportAttachment, SupportAttachment.request_id, req_ids),
            (SupportMessage, SupportMessage.request_id, req_ids),
            (SupportRequest, SupportRequest.id, req_ids),
            (SupportDepartmentMember, SupportDepartmentMember.department_id, [dept.id]),
            (SupportCategory, SupportCategory.id, [cat.id]),
            (SupportDepartment, SupportDepartment.id, [dept.id]),
            (NotificationDelivery, NotificationDelivery.user_id, ids),
            (Notification, Notification.user_id, ids),
            (UserSession, UserSession.user_id, ids),
            (UserRole, UserRole.user_id, ids),
            (Membership, Membership.user_id, ids),
            (ManagerAssignment, ManagerAssignment.manager_id, ids),
            (AuditEvent, AuditEvent.actor_id, ids),  # test clean-up only
        ]:
            for row in s.exec(select(model).where(col(column).in_(values))).all():
                s.delete(row)
            s.flush()
        for row in [*users, org, other]:
            s.delete(s.get(type(row), row.id))
        s.commit()


def _count(s: Session, model: Any) -> int:
    return s.exec(select(func.count()).select_from(model)).one()


def _snapshot(w: dict[str, Any]) -> dict[str, Any]:
    with Session(get_engine()) as s:
        req = s.get(SupportRequest, w["req"].id)
        assert req is not None
        return {
            "requests": _count(s, SupportRequest),
            "messages": _count(s, SupportMessage),
            "attachments": _count(s, SupportAttachment),
            "departments": _count(s, SupportDepartment),
            "categories": _count(s, SupportCategory),
            "members": _count(s, SupportDepartmentMember),
            "notifications": _count(s, Notification),
            "req": (req.status, req.assignee_id, req.subject, req.due_at),
        }


def _args(w: dict[str, Any], handler: Any) -> list[Any]:
    """The most damaging value for each parameter name."""
    vid, mid = w["victim"].id, w["manager"].id
    by_name = {
        "form_data": {"status": "new", "q": SECRET_SUBJECT, "assignee": str(mid)},
        "value": f"user:{mid}",
        "file_id": "1",
        "files": "not files",
        "action": "resolve",
        "dept_id": w["dept"].id,
        "cat_id": w["cat"].id,
        "user_id": str(vid),
        "checked": True,
    }
    params = list(inspect.signature(handler.fn).parameters)[1:]
    return [by_name[p] for p in params]


def _public_handlers(cls: type[rx.State]) -> list[str]:
    own = set(SessionState.event_handlers)
    return sorted(n for n in cls.event_handlers if not n.startswith("_") and n not in own)


def _instance(cls: type[rx.State], token: str, w: dict[str, Any], path: str) -> Any:
    return state_instance(cls, path, token)


def _call(st: Any, handler: Any, args: list[Any]) -> Any:
    out = handler.fn(st, *args)
    if inspect.iscoroutine(out):
        out = asyncio.run(out)
    return out


def _state_text(st: Any, cls: type[rx.State]) -> str:
    return " ".join(repr(getattr(st, v)) for v in cls.vars if hasattr(st, v))


def test_every_support_handler_is_covered():
    names = {f"{c.__name__}.{n}" for c in STATES for n in _public_handlers(c)}
    assert {"SupportRequestState.send_reply", "SupportSettingsState.save"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("who", ["anonymous", "stranger"])
@pytest.mark.parametrize(
    ("cls", "name"), [(c, n) for c in STATES for n in _public_handlers(c)], ids=str
)
def test_support_handler_refuses_and_changes_nothing(world, who, cls, name):
    token = "" if who == "anonymous" else world["tokens"]["stranger"]
    st = _instance(cls, token, world, f"/support/view?id={world['req'].id}")
    if name not in ("load",) and "load" in cls.event_handlers and who == "stranger":
        _call(st, cls.event_handlers["load"], [])  # a real tab loads the page first
    handler = cls.event_handlers[name]
    before = _snapshot(world)
    _call(st, handler, _args(world, handler))
    assert _snapshot(world) == before
    text = _state_text(st, cls)
    assert SECRET_SUBJECT not in text and SECRET_TEXT not in text


def test_owner_and_manager_walk_the_same_handlers(world):
    path = f"/support/view?id={world['req'].id}"
    cls = support_state.SupportRequestState
    h = cls.event_handlers
    manager = _instance(cls, world["tokens"]["manager"], world, path)
    _call(manager, h["load"], [])
    assert manager.has_view and manager.view.side == "staff"
    assert "take" in manager.view.buttons
    _call(manager, h["set_reply_text"], ["Ответ менеджера"])
    _call(manager, h["send_reply"], [])
    assert manager.view.status == "waiting"

    owner = _instance(cls, world["tokens"]["victim"], world, path)
    _call(owner, h["load"], [])
    assert owner.view.side == "customer"
    assert [m.body for m in owner.view.thread if m.kind == "message"] == [
        SECRET_TEXT,
        "Ответ менеджера",
    ]
    _call(owner, h["set_reply_internal"], [True])
    assert owner.reply_internal is False  # customers cannot write internal notes
    _call(owner, h["do_action"], ["close"])
    assert owner.view.status == "closed"
    with Session(get_engine()) as s:
        assert s.exec(
            select(Notification.event).where(Notification.user_id == world["victim"].id)
        ).all() == ["support.message_added"]


def test_queue_filters_go_to_the_url():
    st = rx.State(_reflex_internal_init=True).get_substate(
        support_state.SupportQueueState.get_full_name().split(".")[1:]
    )
    fn = support_state.SupportQueueState.event_handlers["apply_filters"].fn
    form = {"status": "waiting", "dept": "3", "overdue": "on", "q": " акт  сверки "}
    path = str(fn(st, form).args[0][1]).strip('"')
    assert path.startswith("/admin/support?")
    assert "status=waiting" in path and "dept=3" in path and "overdue=1" in path
    bad = str(fn(st, {"status": "hacked", "dept": "1 OR 1=1", "assignee": "x"}).args[0][1])
    assert bad.strip('"') == "/admin/support"
