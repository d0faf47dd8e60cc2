"""Writes of the ERP module: "run now" on the sync page, API tokens (create, revoke) and the
token check of the integration API (last use + rate-limit window)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet import audit
from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.erp import rules
from cabinet.erp.sync import LEASE_NAME
from cabinet.errors import DomainError, NotFound, ValidationFailed
from cabinet.settings import Settings, settings
from models.base import utcnow
from models.erp import ApiToken, SyncLease
from models.organisations import Organisation


class ErpNotConfigured(DomainError):
    default = "Обмен с ERP не настроен (ERP_URL пуст): запускать нечего."


class TokenRefused(DomainError):
    """The integration API refuses the call: `status` is the HTTP code to answer."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def request_run(session: Session, *, actor_id: int, config: Settings | None = None) -> datetime:
    """ "Run now": the next worker tick starts a run (unless one is running: then it follows).
    Asking twice before it starts is one request. Commits."""
    actor = require(load_actor(session, actor_id), Perm.ERP_SYNC_MANAGE)
    config = config or settings
    if not config.erp_url or not config.erp_worker_enabled:
        raise ErpNotConfigured()
    now = utcnow()
    lease = session.get(SyncLease, LEASE_NAME, populate_existing=True)
    if lease is None:
        lease = SyncLease(name=LEASE_NAME)
    if lease.requested_at is None:
        lease.requested_at, lease.requested_by_id = now, actor.id
        session.add(lease)
        audit.record(session, actor_id=actor.id, action="erp.sync_requested", object_type="erp")
    session.commit()
    return lease.requested_at or now


@dataclass(frozen=True)
class IssuedToken:
    id: int
    secret: str  # shown once, never stored


def create_token(
    session: Session, *, actor_id: int, organisation_id: int, name: str
) -> IssuedToken:
    """A customer administrator issues a token for their organisation. Commits."""
    actor = require(load_actor(session, actor_id), Perm.API_TOKENS_MANAGE, organisation_id)
    if (
        not actor.has(Perm.API_TOKENS_MANAGE, organisation_id)
        or session.get(Organisation, organisation_id) is None
    ):
        raise NotFound()
    error = rules.token_name_error(name)
    if error:
        raise ValidationFailed(error, field="name")
    new = rules.new_token()
    token = ApiToken(
        organisation_id=organisation_id,
        name=name.strip(),
        prefix=new.prefix,
        token_hash=new.token_hash,
        created_by_id=actor.id,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="api_token.created",
        object_type="api_token",
        object_id=token.id,
        after={"organisation_id": organisation_id, "name": token.name, "prefix": token.prefix},
    )
    session.commit()
    assert token.id is not None
    return IssuedToken(id=token.id, secret=new.secret)


def revoke_token(session: Session, *, actor_id: int, token_id: int) -> None:
    """Revoke a token of an organisation the actor administers (others: not found). Commits."""
    actor = load_actor(session, actor_id)
    token = session.get(ApiToken, token_id)
    if token is None or not actor.has(Perm.API_TOKENS_MANAGE, token.organisation_id):
        raise NotFound("Токен не найден.")
    if token.revoked_at is None:
        token.revoked_at, token.revoked_by_id = utcnow(), actor.id
        session.add(token)
        audit.record(
            session,
            actor_id=actor.id,
            action="api_token.revoked",
            object_type="api_token",
            object_id=token.id,
        )
    session.commit()


def use_token(
    session: Session, secret: str, *, now: datetime | None = None, limit: int | None = None
) -> int:
    """The organisation a presented token reads, after the rate limit; TokenRefused otherwise.

    One conditional UPDATE stamps the last use and counts the request in the token's
    one-minute window, so concurrent requests in several workers cannot pass the limit."""
    now = now or utcnow()
    limit = settings.api_rate_limit_per_minute if limit is None else limit
    if not secret.startswith(rules.TOKEN_PREFIX) or len(secret) > 200:
        raise TokenRefused("Неверный токен.", status=401)
    token = session.exec(
        select(ApiToken).where(ApiToken.token_hash == rules.hash_token(secret))
    ).first()
    if token is None or token.revoked_at is not None:
        raise TokenRefused("Неверный или отозванный токен.", status=401)
    for _ in range(3):
        start, count, allowed = rules.rate_window(
            window_start=token.window_start, count=token.window_count, now=now, limit=limit
        )
        if not allowed:
            session.rollback()
            raise TokenRefused(
                f"Слишком много запросов: не больше {limit} в минуту.",
                status=429,
            )
        T = ApiToken  # noqa: N806
        same_window = (
            col(T.window_start).is_(None)
            if token.window_start is None
            else col(T.window_start) == token.window_start
        )
        result = session.connection().execute(
            sa.update(ApiToken.__table__)  # type: ignore[attr-defined]
            .where(col(T.id) == token.id, same_window, col(T.window_count) == token.window_count)
            .values(window_start=start, window_count=count, last_used_at=now)
        )
        if result.rowcount:
            session.commit()
            return token.organisation_id
        session.rollback()  # another request counted first: read again
        token = session.get(ApiToken, token.id, populate_existing=True)
        if token is None:  # pragma: no cover
            break
    raise TokenRefused("Слишком много одновременных запросов.", status=429)
