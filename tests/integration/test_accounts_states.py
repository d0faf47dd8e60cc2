"""The password handlers through their states: the argon2 work runs in a thread while the
worker's event loop goes on (an event handler runs on that loop)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from cabinet.accounts.passwords import hash_password
from cabinet.accounts.sessions import resolve_user_id
from cabinet.accounts.state import LoginState
from cabinet.db import get_engine
from models import AuditEvent, LoginAttempt, User, UserSession
from models.base import utcnow
from tests.integration.handler_calls import run_counting_loop, state_instance

pytestmark = pytest.mark.db
PASSWORD = "Secret-2026"


@pytest.fixture
def user(migrated_engine) -> Iterator[User]:
    now = utcnow()
    with Session(get_engine(), expire_on_commit=False) as s:
        u = User(
            full_name="Анна Петрова",
            email=f"loop-{secrets.token_hex(4)}@accounts.test",
            phone=f"+7906{secrets.randbelow(10**7):07d}",
            password_hash=hash_password(PASSWORD),
            email_confirmed_at=now,
            phone_confirmed_at=now,
        )
        s.add(u)
        s.commit()
    yield u
    with Session(get_engine()) as s:
        rows = [
            *s.exec(select(AuditEvent).where(AuditEvent.actor_id == u.id)),
            *s.exec(select(AuditEvent).where(AuditEvent.object_id == str(u.id))),
            *s.exec(select(UserSession).where(UserSession.user_id == u.id)),
            *s.exec(select(LoginAttempt).where(LoginAttempt.login == u.email)),
        ]
        for row in {id(r): r for r in rows}.values():
            s.delete(row)
        s.flush()
        s.delete(s.get(User, u.id))
        s.commit()


def _submit(form: dict[str, str]) -> tuple[Any, Any, int]:
    st = state_instance(LoginState, "/login")
    result, ticks = run_counting_loop(lambda: LoginState.event_handlers["submit"].fn(st, form))
    return st, result, ticks


def test_login_checks_the_password_off_the_event_loop(user):
    st, result, ticks = _submit({"login": user.email, "password": PASSWORD})
    assert ticks > 5  # the loop kept running while argon2 worked (~100 ms)
    with Session(get_engine()) as s:
        assert resolve_user_id(s, st.token) == user.id
    assert "redirect" in str(result).lower()


def test_a_wrong_password_is_refused_with_the_same_message(user):
    st, _, _ = _submit({"login": user.email, "password": "wrong-password"})
    assert not st.token
    assert "Неверный" in " ".join(st.errors.values())
