"""The auto-payment job: charges due monthly auto-payments from saved cards, re-checks open
payments, retries failed charges.

Never twice for one period, whatever the workers or restarts:
1. A worker CLAIMS a period by inserting AutoPayRun(autopayment_id, period) — unique — and
   committing, before anything is charged. A second worker's insert fails; it moves on.
2. The charge's Payment row (fresh idempotency key) is written and linked to the run, and
   committed, before the provider is called.
3. A crashed worker's claim expires (lease_until); whoever takes it over first asks the
   provider about the run's existing payment (same idempotency key, so the provider answers
   the charge it made instead of making another) and only starts a new charge when the
   previous one is known to have failed.
4. A declined charge is retried (rules.RETRY_DELAYS) up to rules.MAX_AUTOPAY_ATTEMPTS; then
   the run fails and the subscriber hears of it once (telecom.autopay_failed).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cabinet.notifications.service import emit
from cabinet.settings import Settings, settings
from cabinet.telecom import queries, rules, service
from cabinet.telecom.payments import (
    PaymentProvider,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    provider_from_settings,
)
from models import AutoPayment, AutoPayRun, Payment, SavedCard, SimCard
from models.base import utcnow
from models.telecom import AutoPayRunStatus, PaymentKind, PaymentStatus, SimStatus

log = logging.getLogger(__name__)

WORKER_INTERVAL_SECONDS = 60.0
RECHECK_AFTER_SECONDS = 60  # an open payment untouched this long is asked about again
BATCH = 50


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Report:
    claimed: list[int] = field(default_factory=list)  # run ids this worker charged
    succeeded: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    unknown: list[int] = field(default_factory=list)  # provider silent: re-checked later
    rechecked: list[int] = field(default_factory=list)  # payment ids

    @property
    def worked(self) -> int:
        return len(self.claimed) + len(self.rechecked)


# --------------------------------------------------------------------------- claiming


def claim_new_periods(session: Session, *, now: datetime, worker: str) -> list[int]:
    """Insert a run for each enabled auto-payment due today; the ids this worker won."""
    today = queries.today_local(now)
    period = rules.period_of(today)
    taken = select(AutoPayRun.autopayment_id).where(AutoPayRun.period == period)
    candidates = session.exec(
        select(AutoPayment)
        .where(
            col(AutoPayment.enabled).is_(True),
            col(AutoPayment.id).not_in(taken),
        )
        .order_by(col(AutoPayment.id))
        .limit(BATCH * 4)
    ).all()
    session.commit()
    won: list[int] = []
    for auto in candidates:
        if (
            rules.is_due(today, day_of_month=auto.day_of_month, start_period=auto.start_period)
            != period
        ):
            continue
        run = AutoPayRun(
            autopayment_id=auto.id or 0,
            period=period,
            status=AutoPayRunStatus.CLAIMED,
            amount_kopecks=auto.amount_kopecks,
            claimed_by=worker,
            lease_until=now + rules.RUN_LEASE,
            created_at=now,
            updated_at=now,
        )
        session.add(run)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another worker claimed this period first
            continue
        won.append(run.id or 0)
        if len(won) >= BATCH:
            break
    return won


def claim_retries(session: Session, *, now: datetime, worker: str) -> list[int]:
    """Take over runs due for a retry and runs whose worker's lease ran out."""
    due = (
        select(AutoPayRun.id)
        .where(
            sa.or_(
                sa.and_(
                    col(AutoPayRun.status) == AutoPayRunStatus.RETRY,
                    col(AutoPayRun.next_attempt_at) <= now,
                ),
                sa.and_(
                    col(AutoPayRun.status) == AutoPayRunStatus.CLAIMED,
                    col(AutoPayRun.lease_until) < now,
                ),
            )
        )
        .order_by(col(AutoPayRun.id))
        .limit(BATCH)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = [int(i or 0) for i in session.exec(due).all()]
    won: list[int] = []
    for run_id in ids:
        # Conditional UPDATE: only one worker moves a given run from what it saw.
        result = session.exec(
            sa.update(AutoPayRun)
            .where(
                col(AutoPayRun.id) == run_id,
                sa.or_(
                    sa.and_(
                        col(AutoPayRun.status) == AutoPayRunStatus.RETRY,
                        col(AutoPayRun.next_attempt_at) <= now,
                    ),
                    sa.and_(
                        col(AutoPayRun.status) == AutoPayRunStatus.CLAIMED,
                        col(AutoPayRun.lease_until) < now,
                    ),
                ),
            )
            .values(
                status=AutoPayRunStatus.CLAIMED,
                claimed_by=worker,
                lease_until=now + rules.RUN_LEASE,
                updated_at=now,
            )
        )
        if result.rowcount:
            won.append(run_id)
    session.commit()
    return won


# --------------------------------------------------------------------------- charging


def _finish_run(
    session: Session,
    run_id: int,
    *,
    worker: str,
    status: str,
    now: datetime,
    error: str = "",
    next_at: datetime | None = None,
) -> bool:
    """Close this worker's claim; False when the claim was lost to another worker."""
    values: dict[str, object] = {
        "status": status,
        "last_error": error[:300],
        "next_attempt_at": next_at,
        "lease_until": None,
        "updated_at": now,
    }
    if status in (AutoPayRunStatus.SUCCEEDED, AutoPayRunStatus.FAILED, AutoPayRunStatus.SKIPPED):
        values["finished_at"] = now
    result = session.exec(
        sa.update(AutoPayRun)
        .where(
            col(AutoPayRun.id) == run_id,
            col(AutoPayRun.status) == AutoPayRunStatus.CLAIMED,
            col(AutoPayRun.claimed_by) == worker,
        )
        .values(**values)
    )
    session.commit()
    return bool(result.rowcount)


def _notify_failed(session: Session, run: AutoPayRun, auto: AutoPayment, reason: str) -> None:
    sim = session.get(SimCard, auto.sim_id)
    card = session.get(SavedCard, auto.saved_card_id)
    if auto.created_by_id is None or sim is None:
        return
    emit(
        session,
        event="telecom.autopay_failed",
        recipient_ids=[auto.created_by_id],
        context={
            "msisdn": rules.format_msisdn(sim.msisdn),
            "amount": rules.format_rub(run.amount_kopecks),
            "period": run.period,
            "reason": reason,
            "card": card.masked_pan if card else "",
        },
        link=service.sim_url(sim.id or 0),
    )
    session.commit()


def charge_run(
    session: Session, run_id: int, *, provider: PaymentProvider, worker: str, now: datetime
) -> str:
    """Charge one claimed run. Returns what became of it: an AutoPayRunStatus or "unknown"."""
    run = session.get(AutoPayRun, run_id)
    if run is None or run.claimed_by != worker or run.status != AutoPayRunStatus.CLAIMED:
        return "lost"
    auto = session.get(AutoPayment, run.autopayment_id)
    assert auto is not None
    # 1. A payment from an earlier attempt whose outcome we never heard: ask first.
    if run.payment_id is not None:
        prev = session.get(Payment, run.payment_id)
        if prev is not None and prev.status in rules.OPEN_PAYMENT:
            prev = service.refresh_payment(session, payment_id=prev.id or 0, provider=provider)
        if prev is not None and prev.status == PaymentStatus.SUCCEEDED:
            _finish_run(session, run_id, worker=worker, status=AutoPayRunStatus.SUCCEEDED, now=now)
            return AutoPayRunStatus.SUCCEEDED
        if prev is not None and prev.status in rules.OPEN_PAYMENT:
            # Still unknown: keep the run, look again later; never charge a second time.
            _finish_run(
                session,
                run_id,
                worker=worker,
                status=AutoPayRunStatus.RETRY,
                now=now,
                error="Нет ответа платёжной системы.",
                next_at=now + rules.RUN_LEASE,
            )
            return "unknown"
    # 2. Anything to charge at all?
    sim = session.get(SimCard, auto.sim_id)
    card = session.get(SavedCard, auto.saved_card_id)
    skip = ""
    if not auto.enabled:
        skip = "Автоплатёж выключен."
    elif card is None or not card.is_active:
        skip = "Карта удалена."
    elif sim is None or sim.status != SimStatus.ACTIVE or sim.contract_id is None:
        skip = "Сим-карта не активна."
    if skip:
        _finish_run(
            session, run_id, worker=worker, status=AutoPayRunStatus.SKIPPED, now=now, error=skip
        )
        return AutoPayRunStatus.SKIPPED
    assert sim is not None and card is not None
    # 3. Record the charge, link it to the run, commit — then call the provider.
    attempt = run.attempts + 1
    pay = Payment(
        sim_id=sim.id or 0,
        contract_id=sim.contract_id,
        organisation_id=auto.organisation_id,
        partner_id=sim.partner_id,
        kind=PaymentKind.AUTOPAY,
        amount_kopecks=run.amount_kopecks or auto.amount_kopecks,
        status=PaymentStatus.CREATED,
        idempotency_key=service.new_key(f"autopay-{run.id}-{attempt}"),
        saved_card_id=card.id,
        created_at=now,
        updated_at=now,
    )
    session.add(pay)
    session.flush()
    run.payment_id, run.attempts, run.updated_at = pay.id, attempt, now
    session.add(run)
    session.commit()
    try:
        answer = provider.charge_token(
            idempotency_key=pay.idempotency_key,
            amount_kopecks=pay.amount_kopecks,
            token=card.provider_token,
            description=f"Автоплатёж {rules.format_msisdn(sim.msisdn)} за {run.period}",
            metadata={"payment_id": str(pay.id), "period": run.period},
        )
    except (ProviderTimeout, ProviderUnavailable):
        _finish_run(
            session,
            run_id,
            worker=worker,
            status=AutoPayRunStatus.RETRY,
            now=now,
            error="Нет ответа платёжной системы.",
            next_at=now + rules.RUN_LEASE,
        )
        return "unknown"
    except ProviderRejected as e:
        service.close_payment(
            session, pay.id or 0, PaymentStatus.FAILED, "Платёжная система отказала."
        )
        answer = None
        reason, code = "Платёжная система отказала.", str(e)
    if answer is not None:
        pay = service.apply_outcome(session, pay.id or 0, answer)
        reason, code = pay.decline_reason, answer.decline_code
    if pay.status == PaymentStatus.SUCCEEDED:
        _finish_run(session, run_id, worker=worker, status=AutoPayRunStatus.SUCCEEDED, now=now)
        return AutoPayRunStatus.SUCCEEDED
    if pay.status in rules.OPEN_PAYMENT:  # the provider said "pending": look again later
        _finish_run(
            session,
            run_id,
            worker=worker,
            status=AutoPayRunStatus.RETRY,
            now=now,
            error="Платёж в обработке.",
            next_at=now + rules.RUN_LEASE,
        )
        return "unknown"
    # 4. Declined or failed: retry later, or give up and tell the subscriber once.
    next_at = None if code in rules.FINAL_DECLINES else rules.next_retry(attempt, now)
    if next_at is None:
        if _finish_run(
            session, run_id, worker=worker, status=AutoPayRunStatus.FAILED, now=now, error=reason
        ):
            run = session.get(AutoPayRun, run_id) or run
            _notify_failed(session, run, auto, reason)
        return AutoPayRunStatus.FAILED
    _finish_run(
        session,
        run_id,
        worker=worker,
        status=AutoPayRunStatus.RETRY,
        now=now,
        error=reason,
        next_at=next_at,
    )
    return AutoPayRunStatus.RETRY


def recheck_open_payments(
    session: Session, *, now: datetime, provider: PaymentProvider, limit: int = BATCH
) -> list[int]:
    """Top-ups whose outcome never arrived (webhook lost, payer closed the page, timeout):
    ask the provider again. Auto-payment charges are re-checked through their runs."""
    cutoff = now - timedelta(seconds=RECHECK_AFTER_SECONDS)
    ids = session.exec(
        select(Payment.id)
        .where(
            col(Payment.status).in_([PaymentStatus.CREATED, PaymentStatus.PENDING]),
            Payment.kind != PaymentKind.AUTOPAY,
            sa.or_(col(Payment.last_checked_at).is_(None), col(Payment.last_checked_at) < cutoff),
            col(Payment.created_at) < cutoff,
        )
        .order_by(col(Payment.id))
        .limit(limit)
    ).all()
    session.commit()
    done = []
    for pid in ids:
        service.refresh_payment(session, payment_id=int(pid or 0), provider=provider)
        done.append(int(pid or 0))
    return done


def run_once(
    session: Session,
    *,
    provider: PaymentProvider,
    now: datetime | None = None,
    worker: str | None = None,
) -> Report:
    """One pass: claim due periods and retries, charge them, re-check open top-ups."""
    now = now or utcnow()
    worker = worker or worker_id()
    report = Report()
    ids = claim_new_periods(session, now=now, worker=worker) + claim_retries(
        session, now=now, worker=worker
    )
    for run_id in ids:
        report.claimed.append(run_id)
        try:
            outcome = charge_run(session, run_id, provider=provider, worker=worker, now=now)
        except Exception:
            session.rollback()
            log.exception("auto-payment run %s failed", run_id)
            outcome = "unknown"
        buckets: dict[str, list[int]] = {
            AutoPayRunStatus.SUCCEEDED: report.succeeded,
            AutoPayRunStatus.RETRY: report.retrying,
            AutoPayRunStatus.FAILED: report.failed,
            AutoPayRunStatus.SKIPPED: report.skipped,
        }
        buckets.get(outcome, report.unknown).append(run_id)
    report.rechecked = recheck_open_payments(session, now=now, provider=provider)
    return report


async def autopay_loop(
    interval: float = WORKER_INTERVAL_SECONDS, config: Settings | None = None
) -> None:
    """The app's background task (app.register_lifespan_task). Every worker process runs
    one; the claims above keep them from charging anything twice."""
    from cabinet.db import session_scope

    cfg = config or settings
    if not cfg.autopay_worker_enabled:
        return

    def once() -> Report:
        with session_scope() as s:
            return run_once(s, provider=provider_from_settings(cfg))

    await asyncio.sleep(5)  # let the app (and the mounted sandbox) start first
    while True:
        try:
            report = await asyncio.to_thread(once)
            if report.worked:
                log.info(
                    "autopay: charged %d (ok %d, retry %d, failed %d, unknown %d), rechecked %d",
                    len(report.claimed),
                    len(report.succeeded),
                    len(report.retrying),
                    len(report.failed),
                    len(report.unknown),
                    len(report.rechecked),
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("auto-payment run failed")
        await asyncio.sleep(interval)


if __name__ == "__main__":  # a separate worker: python -m cabinet.telecom.autopay
    logging.basicConfig(level=logging.INFO)
    asyncio.run(autopay_loop(config=settings.model_copy(update={"autopay_worker_enabled": True})))
