"""The notification delivery worker: claim due queue rows, send, record every attempt.

Safe with several workers (processes) on one database, and after a crash:

1. **claim** — one UPDATE moves due `queued` rows to `sending` and stamps `claimed_at`
   (PostgreSQL: the inner SELECT takes FOR UPDATE SKIP LOCKED; every engine: the UPDATE only
   matches rows still `queued`), so a row has one owner;
2. **begin** — before each send, a conditional UPDATE renews the lease *only if this worker
   still owns the claim*, and an attempt row `started` is committed with it;
3. **send** — outside any transaction (SMTP / HTTP), or locally: e-mail into the outbox, SMS
   into the SMS log (cabinet.messaging), Telegram without a token is `skipped`;
4. **finish** — `sent`; or back to `queued` after `rules.backoff()` for timeouts, 5xx/429 and
   SMTP 4xx; or `failed` with the reason.

A claim older than `rules.LEASE` belongs to a dead worker. If it never began a send the row
goes back to the queue; if an attempt was `started` the result is unknown, so the row is
marked failed ("not re-sent") — staff may resend it by hand. A `sent` row is never sent again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import exists, update
from sqlmodel import Session, col, select

from cabinet import messaging
from cabinet.messaging import DeliveryError, Outgoing
from cabinet.notifications import rules
from cabinet.settings import Settings, settings
from models.base import utcnow
from models.notifications import (
    AttemptOutcome,
    NotificationAttempt,
    NotificationDelivery,
    NotifyChannel,
    NotifyStatus,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 50
WORKER_INTERVAL_SECONDS = 2.0
NOT_CONFIGURED = "Telegram не настроен (нет telegram_bot_token): не отправлено."
INTERRUPTED = (
    "Отправка прервана (работник остановился): результат неизвестен, повторно не отправлено."
)


def transport_for(channel: str, config: Settings) -> str:
    """How a channel is delivered with these settings ("" = not configured: skipped)."""
    if channel == NotifyChannel.EMAIL:
        return "smtp" if config.smtp_host else "local"
    if channel == NotifyChannel.SMS:
        return "http" if config.sms_gateway_url else "local"
    if channel == NotifyChannel.TELEGRAM:
        return "telegram" if config.telegram_bot_token else ""
    return "inapp"


SENDERS = {
    "smtp": messaging.smtp_send,
    "http": messaging.sms_send,
    "telegram": messaging.telegram_send,
}


@dataclass
class Report:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)  # stale claims that never began a send
    unknown: list[int] = field(default_factory=list)  # stale claims interrupted mid-send

    @property
    def worked(self) -> int:
        return len(self.sent) + len(self.retrying) + len(self.failed) + len(self.skipped)


def recover_stale(session: Session, *, now: datetime, lease: timedelta = rules.LEASE) -> Report:
    """Release claims of dead workers: unknown results fail, never-started rows requeue."""
    report = Report()
    cutoff = now - lease
    D, A = NotificationDelivery, NotificationAttempt  # noqa: N806
    started = exists().where(A.delivery_id == D.id, A.outcome == AttemptOutcome.STARTED)
    report.unknown = [
        r[0]
        for r in session.exec(  # type: ignore[call-overload]
            update(D)
            .where(D.status == NotifyStatus.SENDING, col(D.claimed_at) < cutoff, started)
            .values(status=NotifyStatus.FAILED, error=INTERRUPTED, claimed_at=None, updated_at=now)
            .returning(D.id)
        ).all()
    ]
    if report.unknown:
        session.exec(  # type: ignore[call-overload]
            update(A)
            .where(col(A.delivery_id).in_(report.unknown), A.outcome == AttemptOutcome.STARTED)
            .values(outcome=AttemptOutcome.UNKNOWN, error=INTERRUPTED, finished_at=now)
        )
    report.requeued = [
        r[0]
        for r in session.exec(  # type: ignore[call-overload]
            update(D)
            .where(D.status == NotifyStatus.SENDING, col(D.claimed_at) < cutoff)
            .values(status=NotifyStatus.QUEUED, claimed_at=None, next_attempt_at=now)
            .returning(D.id)
        ).all()
    ]
    session.commit()
    return report


def has_work(session: Session, *, now: datetime, lease: timedelta = rules.LEASE) -> bool:
    """Is any row due, or any claim stale? (Two indexed reads; the idle loop writes nothing.)"""
    D = NotificationDelivery  # noqa: N806
    due = session.exec(
        select(D.id).where(D.status == NotifyStatus.QUEUED, col(D.next_attempt_at) <= now).limit(1)
    ).first()
    stale = session.exec(
        select(D.id)
        .where(D.status == NotifyStatus.SENDING, col(D.claimed_at) < now - lease)
        .limit(1)
    ).first()
    session.commit()  # end the read transaction (nothing written)
    return due is not None or stale is not None


def claim(session: Session, *, limit: int, now: datetime) -> list[int]:
    """Move up to `limit` due queued rows to `sending` stamped `now`; the ids this worker owns."""
    D = NotificationDelivery  # noqa: N806
    due = (
        select(D.id)
        .where(D.status == NotifyStatus.QUEUED, col(D.next_attempt_at) <= now)
        .order_by(col(D.next_attempt_at), col(D.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    rows = session.exec(  # type: ignore[call-overload]
        update(D)
        .where(col(D.id).in_(due.scalar_subquery()), D.status == NotifyStatus.QUEUED)
        .values(status=NotifyStatus.SENDING, claimed_at=now, updated_at=now)
        .returning(D.id)
    ).all()
    session.commit()
    return sorted(r[0] for r in rows)


def begin_attempt(
    session: Session, *, delivery_id: int, claimed_at: datetime, now: datetime, transport: str
) -> tuple[datetime, int] | None:
    """Renew the lease iff this worker still owns the claim, and record a `started` attempt.

    Returns (new lease stamp, attempt id), or None when the claim was lost."""
    D = NotificationDelivery  # noqa: N806
    stamp = max(utcnow(), now)
    if stamp == claimed_at:
        stamp += timedelta(microseconds=1)
    result = session.exec(  # type: ignore[call-overload]
        update(D)
        .where(D.id == delivery_id, D.status == NotifyStatus.SENDING, D.claimed_at == claimed_at)
        .values(claimed_at=stamp, attempts=D.attempts + 1, transport=transport, updated_at=stamp)
    )
    if not result.rowcount:
        session.rollback()
        return None
    number = session.exec(select(D.attempts).where(D.id == delivery_id)).one()
    attempt = NotificationAttempt(
        delivery_id=delivery_id, number=number, transport=transport, started_at=stamp
    )
    session.add(attempt)
    session.commit()
    assert attempt.id is not None
    return stamp, attempt.id


def _finish(
    session: Session,
    row: NotificationDelivery,
    attempt_id: int,
    *,
    status: str,
    outcome: str,
    error: str = "",
    retry_at: datetime | None = None,
) -> None:
    now = utcnow()
    row.status, row.error, row.claimed_at, row.updated_at = status, error[:1000], None, now
    row.next_attempt_at = retry_at
    if status == NotifyStatus.SENT:
        row.sent_at = now
    session.add(row)
    attempt = session.get(NotificationAttempt, attempt_id)
    if attempt is not None:
        attempt.outcome, attempt.error, attempt.finished_at = outcome, error[:1000], now
        session.add(attempt)
    session.commit()


def deliver_one(
    session: Session,
    delivery_id: int,
    *,
    claimed_at: datetime,
    config: Settings,
    now: datetime,
    report: Report,
    max_attempts: int = rules.MAX_ATTEMPTS,
) -> None:
    row = session.get(NotificationDelivery, delivery_id, populate_existing=True)
    if row is None:  # pragma: no cover - deleted after the claim
        return
    transport = transport_for(row.channel, config)
    begun = begin_attempt(
        session,
        delivery_id=delivery_id,
        claimed_at=claimed_at,
        now=now,
        transport=transport or "none",
    )
    if begun is None:
        return
    _stamp, attempt_id = begun
    row = session.get(NotificationDelivery, delivery_id, populate_existing=True)
    assert row is not None
    if not transport:
        _finish(
            session,
            row,
            attempt_id,
            status=NotifyStatus.SKIPPED,
            outcome=AttemptOutcome.SKIPPED,
            error=NOT_CONFIGURED,
        )
        report.skipped.append(delivery_id)
        return
    if transport == "local":  # the outbox row *is* the delivery; written with the status
        if row.channel == NotifyChannel.EMAIL:
            messaging.send_email(
                session, to=row.recipient, subject=row.subject, body=row.body, config=config
            )
        else:
            messaging.send_sms(session, to=row.recipient, body=row.body, config=config)
        _finish(session, row, attempt_id, status=NotifyStatus.SENT, outcome=AttemptOutcome.SENT)
        report.sent.append(delivery_id)
        return
    message = Outgoing(
        id=row.id,
        recipient=row.recipient,
        subject=row.subject,
        body=row.body,
        ref=f"notification-{row.id}",
    )
    try:
        SENDERS[transport](message, config)
    except DeliveryError as e:
        if rules.should_retry(row.attempts, transient=e.transient, max_attempts=max_attempts):
            _finish(
                session,
                row,
                attempt_id,
                status=NotifyStatus.QUEUED,
                outcome=AttemptOutcome.RETRY,
                error=e.reason,
                retry_at=now + rules.backoff(row.attempts),
            )
            report.retrying.append(delivery_id)
        else:
            _finish(
                session,
                row,
                attempt_id,
                status=NotifyStatus.FAILED,
                outcome=AttemptOutcome.FAILED,
                error=e.reason,
            )
            report.failed.append(delivery_id)
    except Exception as e:  # a bug in a sender must not leave the row claimed
        log.exception("notification delivery %s failed", delivery_id)
        _finish(
            session,
            row,
            attempt_id,
            status=NotifyStatus.FAILED,
            outcome=AttemptOutcome.FAILED,
            error=f"{type(e).__name__}: {e}",
        )
        report.failed.append(delivery_id)
    else:
        _finish(session, row, attempt_id, status=NotifyStatus.SENT, outcome=AttemptOutcome.SENT)
        report.sent.append(delivery_id)


def deliver_due(
    session: Session,
    *,
    config: Settings | None = None,
    limit: int = BATCH_SIZE,
    now: datetime | None = None,
    max_attempts: int = rules.MAX_ATTEMPTS,
    lease: timedelta = rules.LEASE,
) -> Report:
    """One pass: release dead claims, claim due rows, deliver them. Safe in parallel workers.

    `config` points transports at servers (tests: local fakes); `now` steps over backoff."""
    config = config or settings
    now = now or utcnow()
    if not has_work(session, now=now, lease=lease):
        return Report()  # idle: read only, no write transaction every tick
    report = recover_stale(session, now=now, lease=lease)
    for delivery_id in claim(session, limit=limit, now=now):
        deliver_one(
            session,
            delivery_id,
            claimed_at=now,
            config=config,
            now=now,
            report=report,
            max_attempts=max_attempts,
        )
    return report


async def delivery_loop(
    interval: float = WORKER_INTERVAL_SECONDS, config: Settings | None = None
) -> None:
    """The app's background task (app.register_lifespan_task): deliver every `interval`
    seconds, at once again while batches come back full. Every worker process runs one."""
    from cabinet.db import session_scope

    if not (config or settings).notify_worker_enabled:
        return  # NOTIFY_WORKER_ENABLED=false: another process works the queue (or a test)

    def run_once() -> Report:
        with session_scope() as s:
            return deliver_due(s, config=config)

    while True:
        report = Report()
        try:
            report = await asyncio.to_thread(run_once)
            if report.worked or report.unknown:
                log.info(
                    "notifications: sent %d, retrying %d, failed %d, skipped %d, unknown %d",
                    len(report.sent),
                    len(report.retrying),
                    len(report.failed),
                    len(report.skipped),
                    len(report.unknown),
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("notification delivery run failed")
        if report.worked < BATCH_SIZE:
            await asyncio.sleep(interval)


if __name__ == "__main__":  # a separate worker: python -m cabinet.notifications.delivery
    logging.basicConfig(level=logging.INFO)
    asyncio.run(delivery_loop(config=settings.model_copy(update={"notify_worker_enabled": True})))
