"""Reads for the account pages: the user's own sessions and profile. Plain dicts out."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from cabinet.access.service import load_actor
from cabinet.accounts.rules import format_phone
from cabinet.accounts.sessions import hash_token
from cabinet.formatting import fmt_dt
from cabinet.settings import settings
from models import User, UserSession
from models.base import utcnow

SESSIONS_SHOWN = 50


def describe_agent(user_agent: str) -> str:
    """A short device description from the User-Agent header (display only)."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for key, name in (
                ("Edg/", "Edge"),
                ("OPR/", "Opera"),
                ("YaBrowser", "Яндекс Браузер"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
            )
            if key in ua
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in (
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            )
            if key in ua
        ),
        "",
    )
    if "HeadlessChrome" in ua:
        browser = "Chrome (headless)"
    label = " · ".join(p for p in (browser, system) if p)
    return label or (ua[:60] if ua else "Неизвестное устройство")


def _fmt(ts: Any) -> str:
    return fmt_dt(ts)


def my_sessions(session: Session, *, actor_id: int, current_token: str) -> list[dict[str, Any]]:
    """The actor's live sessions, newest activity first; the current one is marked."""
    load_actor(session, actor_id)
    now = utcnow()
    idle_cutoff = now - timedelta(minutes=settings.session_idle_minutes)
    current = hash_token(current_token) if current_token else ""
    rows = session.exec(
        select(UserSession)
        .where(
            UserSession.user_id == actor_id,
            col(UserSession.revoked_at).is_(None),
            UserSession.expires_at > now,
            UserSession.last_seen_at > idle_cutoff,
        )
        .order_by(col(UserSession.last_seen_at).desc(), col(UserSession.id).desc())
        .limit(SESSIONS_SHOWN)
    ).all()
    return [
        {
            "id": r.id,
            "device": describe_agent(r.user_agent),
            "user_agent": r.user_agent,
            "ip": r.ip or "—",
            "created": _fmt(r.created_at),
            "last_seen": _fmt(r.last_seen_at),
            "current": r.token_hash == current,
            "pending_2fa": not r.second_factor_ok,
        }
        for r in rows
    ]


def my_profile(session: Session, *, actor_id: int) -> dict[str, Any]:
    load_actor(session, actor_id)
    user = session.get(User, actor_id)
    assert user is not None
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": format_phone(user.phone),
        "pending_email": user.pending_email,
        "pending_phone": format_phone(user.pending_phone) if user.pending_phone else "",
        "created": _fmt(user.created_at),
    }
