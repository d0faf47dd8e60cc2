"""Session tokens: the browser keeps a random token, the database keeps its SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from cabinet.settings import settings
from models import User, UserSession
from models.base import utcnow

_TOUCH_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_session(
    session: Session,
    *,
    user_id: int,
    ip: str = "",
    user_agent: str = "",
    second_factor_ok: bool = True,
) -> str:
    """Add a session row (no commit) and return the raw token for the browser."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        UserSession(
            user_id=user_id,
            token_hash=hash_token(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(minutes=settings.session_ttl_minutes),
            second_factor_ok=second_factor_ok,
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    return token


_SESSIONS = UserSession.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
# What `is_live` decides on: a session joined with its user. Other reads that join a session
# (the auction's one-statement bid check) select these same columns.
LIVE_COLUMNS = (
    _SESSIONS.c.user_id,
    _SESSIONS.c.last_seen_at,
    _SESSIONS.c.expires_at,
    _SESSIONS.c.revoked_at,
    _SESSIONS.c.second_factor_ok,
    _USERS.c.is_blocked,
    _USERS.c.email_confirmed_at,
    _USERS.c.phone_confirmed_at,
)
# One round trip, no ORM objects: every event handler of every page resolves its caller here.
_RESOLVE = (
    sa.select(_SESSIONS.c.id, *LIVE_COLUMNS)
    .join_from(_SESSIONS, _USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .where(_SESSIONS.c.token_hash == sa.bindparam("token_hash"))
)
_TOUCH = (
    sa.update(_SESSIONS)
    .where(_SESSIONS.c.id == sa.bindparam("sid"))
    .values(last_seen_at=sa.bindparam("now"))
)


def _live_row(
    session: Session, token: str, *, need_second_factor: bool, need_confirmed: bool
) -> Any:
    """The session and user columns for `token` when the session is live (not unknown,
    expired, idle, revoked or blocked; second factor and confirmations as asked), else None."""
    if not token or len(token) > 200:
        return None
    row = session.connection().execute(_RESOLVE, {"token_hash": hash_token(token)}).first()
    if row is None or not is_live(
        row, need_second_factor=need_second_factor, need_confirmed=need_confirmed
    ):
        return None
    return row


def is_live(row: Any, *, need_second_factor: bool = True, need_confirmed: bool = True) -> bool:
    """Whether a row with LIVE_COLUMNS (a session joined with its user) is a live session:
    not revoked, expired or idle, the user not blocked; second factor passed and e-mail and
    phone confirmed as asked."""
    if row.revoked_at is not None or row.is_blocked:
        return False
    now = utcnow()
    if (
        row.expires_at <= now
        or row.last_seen_at + timedelta(minutes=settings.session_idle_minutes) <= now
    ):
        return False
    if need_second_factor and not row.second_factor_ok:
        return False
    return not need_confirmed or (
        row.email_confirmed_at is not None and row.phone_confirmed_at is not None
    )


def find_session(
    session: Session,
    token: str,
    *,
    need_second_factor: bool = True,
    need_confirmed: bool = True,
) -> UserSession | None:
    """The live session row for `token`, or None (unknown, expired, idle, revoked, blocked).

    By default only a full session counts: second factor passed and e-mail and phone confirmed.
    The confirmation and second-factor pages relax one of the two (a session with limited rights).
    """
    row = _live_row(
        session, token, need_second_factor=need_second_factor, need_confirmed=need_confirmed
    )
    return None if row is None else session.get(UserSession, row.id)


def resolve_user_id(session: Session, token: str, *, touch: bool = True) -> int | None:
    """The user behind a browser token (a full live session, as `find_session` by default),
    touching the idle timer at most once a minute (`touch=False`: a pure read, for callers
    that must not write)."""
    row = _live_row(session, token, need_second_factor=True, need_confirmed=True)
    if row is None:
        return None
    now = utcnow()
    if touch and now - row.last_seen_at >= _TOUCH_EVERY:
        session.connection().execute(_TOUCH, {"sid": row.id, "now": now})
        session.commit()
    return int(row.user_id)


def revoke_token(session: Session, token: str) -> None:
    row = session.exec(
        select(UserSession).where(UserSession.token_hash == hash_token(token))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()


def revoke_user_sessions(session: Session, *, user_id: int, keep_token: str = "") -> int:
    """Revoke every live session of the user except `keep_token`'s (no commit); how many."""
    keep = hash_token(keep_token) if keep_token else ""
    now = utcnow()
    rows = session.exec(
        select(UserSession).where(
            UserSession.user_id == user_id,
            UserSession.revoked_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    count = 0
    for row in rows:
        if keep and row.token_hash == keep:
            continue
        row.revoked_at = now
        session.add(row)
        count += 1
    return count
