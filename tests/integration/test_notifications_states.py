"""The notifications page states, called directly the way the websocket would run them.

Staff handlers (templates, statistics, resend) as an anonymous visitor and as a customer:
refused, nothing changes, no data. The in-app handlers touch only the caller's own rows.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, col, delete, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import create_session
from cabinet.db import get_engine
from cabinet.notifications import state as nstate
from cabinet.notifications.service import emit, save_preferences
from models import (
    AuditEvent,
    Notification,
    NotificationAttempt,
    NotificationChannelSwitch,
    NotificationContact,
    NotificationDelivery,
    NotificationPreference,
    NotificationTemplate,
    User,
    UserRole,
    UserSession,
)
from models.base import utcnow
from models.notifications import NotifyStatus

pytestmark = pytest.mark.db

STAFF_STATES = [nstate.TemplatesState, nstate.StatsState]


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    """Committed rows (the states open their own sessions), removed afterwards."""
    tag = secrets.token_hex(4)
    now = utcnow()
    with Session(get_engine(), expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        users = {}
        for key in ("admin", "customer", "victim"):
            u = User(
                full_name=f"{key} {tag}",
                email=f"n-{key}-{tag}@test.local",
                phone=f"+79{secrets.randbelow(10**9):09d}",
                password_hash="x",
                email_confirmed_at=now,
                phone_confirmed_at=now,
            )
            s.add(u)
            s.flush()
            users[key] = u
        grant_role(s, user_id=users["admin"].id, role_code=BuiltinRole.ADMIN)
        save_preferences(s, actor_id=users["victim"].id, choices={"links.decided": ["telegram"]})
        emit(
            s,
            event="support.status_changed",
            recipient_ids=[users["victim"].id],
            context={"status": "x"},
        )
        emit(s, event="links.decided", recipient_ids=[users["victim"].id], context={})
        s.commit()
        failed = s.exec(
            select(NotificationDelivery).where(
                NotificationDelivery.user_id == users["victim"].id,
                NotificationDelivery.channel == "telegram",
            )
        ).one()
        failed.status, failed.error = NotifyStatus.FAILED, "test"
        s.add(failed)
        note = s.exec(
            select(Notification).where(Notification.user_id == users["victim"].id)
        ).first()
        tokens = {k: create_session(s, user_id=u.id) for k, u in users.items()}
        s.commit()
        yield {"users": users, "tokens": tokens, "failed": failed, "note": note}
    with Session(get_engine()) as s:
        ids = [u.id for u in users.values()]
        rows = select(NotificationDelivery.id).where(col(NotificationDelivery.user_id).in_(ids))
        s.exec(delete(NotificationAttempt).where(col(NotificationAttempt.delivery_id).in_(rows)))
        for model in (
            NotificationDelivery,
            Notification,
            NotificationPreference,
            NotificationContact,
            UserSession,
            UserRole,
        ):
            s.exec(delete(model).where(col(model.user_id).in_(ids)))
        s.exec(delete(AuditEvent).where(col(AuditEvent.actor_id).in_(ids)))
        s.exec(delete(NotificationTemplate).where(col(NotificationTemplate.updated_by).in_(ids)))
        s.exec(delete(User).where(col(User.id).in_(ids)))
        s.commit()


def _snapshot(w: dict[str, Any]) -> dict[str, Any]:
    with Session(get_engine()) as s:

        def count(model: Any) -> int:
            return s.exec(select(func.count()).select_from(model)).one()

        failed = s.get(NotificationDelivery, w["failed"].id)
        note = s.get(Notification, w["note"].id)
        return {
            "audit": count(AuditEvent),
            "templates": [(t.subject, t.body) for t in s.exec(select(NotificationTemplate))],
            "switches": [
                (r.event, r.channel, r.enabled) for r in s.exec(select(NotificationChannelSwitch))
            ],
            "failed": (failed.status, failed.resends),
            "note_read": note.read_at,
        }


def _args(w: dict[str, Any], handler: Any) -> list[Any]:
    by_name = {
        "form": {
            "subject": "Взлом {secret}",
            "body": "Взлом",
            "from": "2026-01-01",
            "to": "2026-12-31",
            "channel": "email",
            "q": "",
        },
        "delivery_id": str(w["failed"].id),
        "notification_id": w["note"].id,
        "channel": "email",
        "enabled": False,
        "event": "links.decided",
        "value": "{x}",
        "checked": True,
        "_open": False,
    }
    params = list(inspect.signature(handler.fn).parameters)[1:]
    return [by_name[p] for p in params]


def _public_handlers(cls: type[rx.State]) -> list[str]:
    own = set(SessionState.event_handlers)
    return sorted(n for n in cls.event_handlers if not n.startswith("_") and n not in own)


def _instance(cls: type[rx.State], token: str, path: str = "/") -> Any:
    st = rx.State(_reflex_internal_init=True).get_substate(cls.get_full_name().split(".")[1:])
    st.token = token
    st.router = RouterData.from_router_data(
        {"pathname": path.split("?")[0], "asPath": path, "headers": {}}
    )
    return st


@pytest.mark.parametrize("who", ["anonymous", "customer"])
@pytest.mark.parametrize(
    ("cls", "name"), [(c, n) for c in STAFF_STATES for n in _public_handlers(c)], ids=str
)
def test_staff_handlers_refuse_and_change_nothing(world, who, cls, name):
    token = "" if who == "anonymous" else world["tokens"]["customer"]
    st = _instance(cls, token)
    if cls is nstate.StatsState:
        st.rows = [{"id": str(world["failed"].id)}]  # as if a stale page listed it
        st.selected = [str(world["failed"].id)]
    if cls is nstate.TemplatesState:
        st.event, st.channel, st.lang = "links.decided", "email", "ru"
    handler = cls.event_handlers[name]
    before = _snapshot(world)
    handler.fn(st, *_args(world, handler))
    assert _snapshot(world) == before
    for var in ("by_status", "attempts", "switches", "events", "variables"):
        if var in cls.vars:
            assert not getattr(st, var), f"{cls.__name__}.{var} filled for {who}"
    if name == "load":
        assert st.allowed is False


def test_a_user_cannot_mark_or_list_someone_elses_notifications(world):
    st = _instance(nstate.NotificationsState, world["tokens"]["customer"], "/notifications")
    before = _snapshot(world)
    nstate.NotificationsState.event_handlers["mark_read"].fn(st, world["note"].id)
    nstate.NotificationsState.event_handlers["open"].fn(st, world["note"].id)
    nstate.NotificationsState.event_handlers["mark_all_read"].fn(st)
    assert _snapshot(world) == before
    nstate.NotificationsState.event_handlers["load"].fn(st)
    assert st.rows == []

    own = _instance(nstate.NotificationsState, world["tokens"]["victim"], "/notifications")
    nstate.NotificationsState.event_handlers["load"].fn(own)
    assert len(own.rows) == 1  # links.decided goes to Telegram only for this user
    nstate.NotificationsState.event_handlers["mark_read"].fn(own, world["note"].id)
    assert _snapshot(world)["note_read"] is not None


def test_admin_edits_a_template_and_resends_through_the_same_handlers(world):
    tpl = _instance(
        nstate.TemplatesState,
        world["tokens"]["admin"],
        "/admin/notifications/templates?event=links.decided&channel=sms&lang=ru",
    )
    handlers = nstate.TemplatesState.event_handlers
    handlers["load"].fn(tpl)
    assert tpl.allowed and tpl.channel == "sms" and "{organisation}" in tpl.body
    handlers["save"].fn(tpl, {"subject": "", "body": "Баланс {balance}"})
    assert "{balance}" in tpl.error and tpl.error_field == "body"
    handlers["edit_body"].fn(tpl, "Решение: {decision}")
    assert tpl.preview_body == "Решение: одобрен" and tpl.error == ""

    stats = _instance(nstate.StatsState, world["tokens"]["admin"], "/admin/notifications/stats")
    sh = nstate.StatsState.event_handlers
    sh["load"].fn(stats)
    assert stats.allowed and str(world["failed"].id) in {r["id"] for r in stats.rows}
    sh["toggle"].fn(stats, str(world["failed"].id), True)
    sh["resend_selected"].fn(stats)
    assert _snapshot(world)["failed"] == ("queued", 1)
