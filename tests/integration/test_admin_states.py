"""Every public handler of the admin page states, called as an anonymous visitor and as a
customer with the most damaging arguments we can think of: refused, nothing changes, no data.

The handlers are called directly on a state instance (the same function the websocket would
run); the caller is whatever the session cookie says, resolved from the database.
"""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import create_session
from cabinet.admin import state as admin_state
from cabinet.db import get_engine
from models import (
    AuditEvent,
    ManagerAssignment,
    Membership,
    Organisation,
    Role,
    RolePermission,
    User,
    UserRole,
    UserSession,
)
from models.base import utcnow

pytestmark = pytest.mark.db

STATES = [
    admin_state.AdminUsersState,
    admin_state.AdminUserState,
    admin_state.AdminOrgsState,
    admin_state.AdminOrgState,
    admin_state.AdminRolesState,
    admin_state.AdminAuditState,
]


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    """Committed rows (the states open their own sessions), removed afterwards."""
    tag = secrets.token_hex(4)
    now = utcnow()
    made: list[Any] = []
    with Session(get_engine(), expire_on_commit=False) as s:
        roles = ensure_builtin_roles(s)
        org = Organisation(name=f"Цель {tag}", inn="")
        s.add(org)
        s.flush()
        users = {}
        for key, role in [("admin", BuiltinRole.ADMIN), ("victim", BuiltinRole.MANAGER)]:
            u = User(
                full_name=f"{key} {tag}",
                email=f"{key}-{tag}@test.local",
                phone=f"+7905{secrets.randbelow(10**7):07d}",
                password_hash="x",
                email_confirmed_at=now,
                phone_confirmed_at=now,
            )
            s.add(u)
            s.flush()
            grant_role(s, user_id=u.id, role_code=role)
            users[key] = u
        customer = User(
            full_name=f"customer {tag}",
            email=f"customer-{tag}@test.local",
            phone=f"+7906{secrets.randbelow(10**7):07d}",
            password_hash="x",
            email_confirmed_at=now,
            phone_confirmed_at=now,
        )
        s.add(customer)
        s.flush()
        s.add(Membership(user_id=customer.id, organisation_id=org.id))
        s.flush()
        grant_role(s, user_id=customer.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        token = create_session(s, user_id=customer.id)
        custom = Role(code=f"custom_{tag}", name=f"Своя {tag}")
        s.add(custom)
        s.flush()
        s.add(RolePermission(role_id=custom.id, permission="users.view"))
        s.add(ManagerAssignment(manager_id=users["victim"].id, organisation_id=org.id))
        s.commit()
        victim_role = s.exec(select(UserRole).where(UserRole.user_id == users["victim"].id)).one()
        made = [users["admin"], users["victim"], customer, org, custom]
        yield {
            "roles": roles,
            "org": org,
            "admin": users["admin"],
            "victim": users["victim"],
            "victim_role": victim_role,
            "customer": customer,
            "token": token,
            "custom": custom,
        }
    with Session(get_engine()) as s:
        ids = [u.id for u in made if isinstance(u, User)]
        for model, col in [
            (UserSession, UserSession.user_id),
            (UserRole, UserRole.user_id),
            (Membership, Membership.user_id),
            (ManagerAssignment, ManagerAssignment.manager_id),
        ]:
            for row in s.exec(select(model).where(col.in_(ids))).all():
                s.delete(row)
        for row in s.exec(select(RolePermission).where(RolePermission.role_id == custom.id)):
            s.delete(row)
        s.flush()
        for row in made:
            s.delete(s.get(type(row), row.id))
        s.commit()


def _snapshot(w: dict[str, Any]) -> dict[str, Any]:
    with Session(get_engine()) as s:
        victim = s.get(User, w["victim"].id)
        org = s.get(Organisation, w["org"].id)
        return {
            "audit": s.exec(select(func.count()).select_from(AuditEvent)).one(),
            "roles": s.exec(select(func.count()).select_from(Role)).one(),
            "role_perms": s.exec(select(func.count()).select_from(RolePermission)).one(),
            "user_roles": s.exec(select(func.count()).select_from(UserRole)).one(),
            "managers": s.exec(select(func.count()).select_from(ManagerAssignment)).one(),
            "victim": (victim.is_blocked, victim.twofa_method),
            "org": (org.name, org.is_active, org.require_2fa),
        }


def _args(w: dict[str, Any], handler: Any) -> list[Any]:
    """The most damaging arguments for each parameter name."""
    hostile_form = {
        "role": str(w["roles"][BuiltinRole.SUPERADMIN]),
        "organisation": str(w["org"].id),
        "manager": str(w["victim"].id),
        "name": "Взлом",
        "legal_address": "",
        "address": "",
        "is_active": "",
        "require_2fa": "on",
        "description": "",
        "perm:users.manage": "on",
        "perm:roles.manage": "on",
        "q": "",
        "status": "blocked",
    }
    by_name = {
        "form": hostile_form,
        "user_role_id": str(w["victim_role"].id),
        "role_id": str(w["custom"].id),
        "manager_id": str(w["victim"].id),
        "open_": True,
    }
    params = list(inspect.signature(handler.fn).parameters)[1:]
    return [by_name[p] for p in params]


def _public_handlers(cls: type[rx.State]) -> list[str]:
    own = set(SessionState.event_handlers)
    return sorted(n for n in cls.event_handlers if not n.startswith("_") and n not in own)


def _instance(cls: type[rx.State], token: str, w: dict[str, Any]) -> Any:
    root = rx.State(_reflex_internal_init=True)
    st = root.get_substate(cls.get_full_name().split(".")[1:])
    st.token = token
    for attr, value in [
        ("user_id", w["victim"].id),
        ("org_id", w["org"].id),
        ("edit_id", w["custom"].id),
    ]:
        if attr in cls.vars or attr in cls.base_vars:
            setattr(st, attr, value)
    return st


def test_every_admin_handler_is_covered():
    names = {f"{c.__name__}.{n}" for c in STATES for n in _public_handlers(c)}
    assert "AdminUserState.block" in names and "AdminRolesState.delete" in names
    assert len(names) >= 20


@pytest.mark.parametrize("who", ["anonymous", "customer"])
@pytest.mark.parametrize(
    ("cls", "name"), [(c, n) for c in STATES for n in _public_handlers(c)], ids=str
)
def test_admin_handler_refuses_and_changes_nothing(world, who, cls, name):
    token = "" if who == "anonymous" else world["token"]
    st = _instance(cls, token, world)
    handler = cls.event_handlers[name]
    before = _snapshot(world)
    handler.fn(st, *_args(world, handler))
    assert _snapshot(world) == before
    # No private data reached the state.
    for var in ("rows", "user", "org", "orgs", "roles", "members", "managers", "candidates"):
        if hasattr(st, var) and var in cls.vars:
            assert not getattr(st, var), f"{cls.__name__}.{var} filled for {who}"
    if name == "load":
        assert st.allowed is False


def test_admin_sees_data_through_the_same_handlers(world):
    st = _instance(admin_state.AdminUserState, "", world)
    with Session(get_engine(), expire_on_commit=False) as s:
        token = create_session(s, user_id=world["admin"].id)
        s.commit()
    st.token = token
    st.router = RouterData.from_router_data(
        {
            "pathname": "/admin/users/view",
            "asPath": f"/admin/users/view?id={world['victim'].id}",
            "headers": {"origin": "http://localhost:3000"},
        }
    )
    admin_state.AdminUserState.event_handlers["load"].fn(st)
    assert st.allowed and st.can_manage and st.user["email"] == world["victim"].email
    handlers = admin_state.AdminUserState.event_handlers
    handlers["block"].fn(st)
    assert st.is_blocked and st.user["status"] == "blocked"
    handlers["unblock"].fn(st)
    assert not st.is_blocked
    with Session(get_engine()) as s:
        actions = s.exec(
            select(AuditEvent.action)
            .where(AuditEvent.actor_id == world["admin"].id)
            .order_by(AuditEvent.id)
        ).all()
        assert actions == ["user.block", "user.unblock"]
        for row in s.exec(select(AuditEvent).where(AuditEvent.actor_id == world["admin"].id)):
            s.delete(row)  # test clean-up of committed rows; the portal never deletes audit rows
        s.commit()


def test_filters_go_to_the_url():
    st = rx.State(_reflex_internal_init=True).get_substate(
        admin_state.AdminUsersState.get_full_name().split(".")[1:]
    )
    spec = admin_state.AdminUsersState.event_handlers["apply_filters"].fn(
        st, {"q": " Иван  ", "status": "blocked", "role": "3"}
    )
    path = str(spec.args[0][1])
    assert "/admin/users?q=" in path and "status=blocked" in path and "role=3" in path
    bad = admin_state.AdminUsersState.event_handlers["apply_filters"].fn(
        st, {"q": "x", "status": "hacked", "role": "1 OR 1=1"}
    )
    assert "status" not in str(bad.args[0][1]) and "role" not in str(bad.args[0][1])
