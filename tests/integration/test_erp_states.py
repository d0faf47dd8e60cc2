"""The ERP pages' handlers, called directly on state instances as an anonymous visitor and as
another organisation's customer administrator with the victim's ids: refused, nothing changes,
no foreign data; and the owner's path through the same handlers."""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, col, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import create_session
from cabinet.db import get_engine
from cabinet.erp import service
from cabinet.erp.state import ApiTokensState, ErpSyncState
from cabinet.errors import PermissionDenied
from cabinet.settings import Settings
from models import AuditEvent, Membership, Organisation, User, UserRole, UserSession
from models.base import utcnow
from models.erp import ApiToken, SyncLease

pytestmark = pytest.mark.db
STATES = [ErpSyncState, ApiTokensState]


def _user(s: Session, tag: str, key: str) -> User:
    now = utcnow()
    u = User(
        full_name=f"{key} {tag}",
        email=f"{key}-{tag}@test.local",
        phone=f"+7909{secrets.randbelow(10**7):07d}",
        password_hash="x",
        email_confirmed_at=now,
        phone_confirmed_at=now,
    )
    s.add(u)
    s.flush()
    return u


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    """Committed rows (the states open their own sessions), removed afterwards."""
    tag = secrets.token_hex(4)
    with Session(get_engine(), expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        victim_org = Organisation(name=f"Жертва {tag}", inn="")
        own_org = Organisation(name=f"Чужак {tag}", inn="")
        s.add_all([victim_org, own_org])
        s.flush()
        people = {}
        for key, org in [("victim", victim_org), ("attacker", own_org)]:
            u = _user(s, tag, key)
            s.add(Membership(user_id=u.id, organisation_id=org.id))
            s.flush()
            grant_role(
                s, user_id=u.id, role_code=BuiltinRole.CUSTOMER_ADMIN, organisation_id=org.id
            )
            people[key] = u
        staff = _user(s, tag, "staff")
        grant_role(s, user_id=staff.id, role_code=BuiltinRole.ADMIN)
        s.commit()
        issued = service.create_token(
            s, actor_id=people["victim"].id, organisation_id=victim_org.id, name="Жертвы"
        )
        attacker_session = create_session(s, user_id=people["attacker"].id)
        s.commit()
        users = [people["victim"].id, people["attacker"].id, staff.id]
        yield {
            "victim_org": victim_org,
            "own_org": own_org,
            "victim": people["victim"],
            "attacker": people["attacker"],
            "staff": staff,
            "token_id": issued.id,
            "session": attacker_session,
        }
    with Session(get_engine()) as s:
        for row in s.exec(select(ApiToken).where(col(ApiToken.created_by_id).in_(users))):
            s.delete(row)
        for model, column in [
            (AuditEvent, AuditEvent.actor_id),
            (UserSession, UserSession.user_id),
            (UserRole, UserRole.user_id),
            (Membership, Membership.user_id),
        ]:
            for row in s.exec(select(model).where(column.in_(users))):  # type: ignore[attr-defined]
                s.delete(row)
        lease = s.get(SyncLease, "sync")
        if lease is not None and lease.requested_by_id in users:
            lease.requested_at, lease.requested_by_id = None, None
            s.add(lease)
        s.flush()
        for uid in users:
            s.delete(s.get(User, uid))
        s.flush()
        s.delete(s.get(Organisation, victim_org.id))
        s.delete(s.get(Organisation, own_org.id))
        s.commit()


def _snapshot(w: dict[str, Any]) -> dict[str, Any]:
    with Session(get_engine()) as s:
        token = s.get(ApiToken, w["token_id"])
        lease = s.get(SyncLease, "sync")
        return {
            "tokens": s.exec(select(func.count()).select_from(ApiToken)).one(),
            "victim_token": (token.revoked_at, token.name) if token else None,
            "lease": (lease.requested_at, lease.holder) if lease else None,
            "audit": s.exec(select(func.count()).select_from(AuditEvent)).one(),
        }


def _args(w: dict[str, Any], handler: Any) -> list[Any]:
    by_name = {
        "form": {"name": "Взлом", "organisation_id": str(w["victim_org"].id)},
        "token_id": str(w["token_id"]),
        "org_id": str(w["victim_org"].id),
        "_open": True,
    }
    params = list(inspect.signature(handler.fn).parameters)[1:]
    return [by_name[p] for p in params]


def _public_handlers(cls: type[rx.State]) -> list[str]:
    own = set(SessionState.event_handlers)
    return sorted(n for n in cls.event_handlers if not n.startswith("_") and n not in own)


def _instance(cls: type[rx.State], token: str, w: dict[str, Any], path: str = "/") -> Any:
    root = rx.State(_reflex_internal_init=True)
    st = root.get_substate(cls.get_full_name().split(".")[1:])
    st.token = token
    if "org_id" in cls.vars:
        st.org_id = str(w["victim_org"].id)  # the victim's organisation preset
    st.router = RouterData.from_router_data(
        {"pathname": path.split("?")[0], "asPath": path, "headers": {"origin": "http://t"}}
    )
    return st


def test_every_erp_handler_is_covered():
    names = {f"{c.__name__}.{n}" for c in STATES for n in _public_handlers(c)}
    assert {"ErpSyncState.run_now", "ApiTokensState.create", "ApiTokensState.revoke"} <= names


@pytest.mark.parametrize("who", ["anonymous", "attacker"])
@pytest.mark.parametrize(
    ("cls", "name"), [(c, n) for c in STATES for n in _public_handlers(c)], ids=str
)
def test_erp_handler_refuses_and_changes_nothing(world, who, cls, name):
    token = "" if who == "anonymous" else world["session"]
    path = f"/api-access?org={world['victim_org'].id}"
    st = _instance(cls, token, world, path)
    handler = cls.event_handlers[name]
    before = _snapshot(world)
    handler.fn(st, *_args(world, handler))
    assert _snapshot(world) == before
    assert not getattr(st, "new_secret", "")
    for row in getattr(st, "tokens", []) or []:
        assert row["id"] != str(world["token_id"]), f"{cls.__name__}.{name} leaked a token"
    if cls is ErpSyncState:
        assert not st.runs and not st.watermarks


def test_owner_creates_and_revokes_a_token_through_the_handlers(world):
    with Session(get_engine(), expire_on_commit=False) as s:
        token = create_session(s, user_id=world["victim"].id)
        s.commit()
    st = _instance(ApiTokensState, token, world, "/api-access")
    handlers = ApiTokensState.event_handlers
    handlers["load"].fn(st)
    assert st.allowed and st.org_id == str(world["victim_org"].id)
    assert [t["id"] for t in st.tokens] == [str(world["token_id"])]
    handlers["create"].fn(st, {"name": "  "})
    assert st.name_error and not st.new_secret
    handlers["create"].fn(st, {"name": "1С:Бухгалтерия"})
    assert st.new_secret.startswith("cab_") and len(st.tokens) == 2
    handlers["close_secret"].fn(st)
    assert st.new_secret == ""
    handlers["revoke"].fn(st, str(world["token_id"]))
    revoked = [t for t in st.tokens if t["id"] == str(world["token_id"])]
    assert revoked and revoked[0]["revoked"]


def test_run_now_is_one_request_until_a_worker_starts(world):
    config = Settings(erp_url="http://127.0.0.1:9")
    with Session(get_engine(), expire_on_commit=False) as s:
        first = service.request_run(s, actor_id=world["staff"].id, config=config)
        again = service.request_run(s, actor_id=world["staff"].id, config=config)
        assert first == again
        with pytest.raises(service.ErpNotConfigured):
            service.request_run(s, actor_id=world["staff"].id, config=Settings(erp_url=""))
        with pytest.raises(PermissionDenied):
            service.request_run(s, actor_id=world["attacker"].id, config=config)
