"""Append-only audit log writer. Called inside the service's transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models import AuditEvent

_SECRET_KEYS = {"password_hash", "totp_secret", "token_hash", "code_hash"}


def _clean(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {
        k: ("***" if k in _SECRET_KEYS else (v.isoformat() if hasattr(v, "isoformat") else v))
        for k, v in values.items()
    }


def record(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object_type: str,
    object_id: object = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str = "",
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor_id,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            before=_clean(before),
            after=_clean(after),
            ip=ip[:64],
        )
    )
