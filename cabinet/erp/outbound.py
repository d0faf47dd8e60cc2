"""The outbound queue: customers' change/cancel requests (OrderChangeRequest, status pending)
sent to the ERP, with retries and backoff; the answer is written back through
cabinet.orders.service.record_erp_answer (request closed, order's mark cleared, timeline line,
notification "orders.request_decided" to the requester).

Safe with several workers and after a crash:

1. **claim** — a conditional UPDATE moves the request's `next_attempt_at` one lease ahead and
   counts the attempt, only if the request is still pending and due (PostgreSQL: candidates
   read FOR UPDATE SKIP LOCKED), so one worker owns each send;
2. **send** outside any transaction, with the request's `request_key` as the ERP's
   idempotency key: a resend after a lost answer (the worker died, the lease lapsed) is
   recognised by the ERP and answered the same, never applied twice;
3. **answer** → accepted/rejected; a timeout / 5xx → back to pending at now + backoff; after
   `rules.OUTBOUND_MAX_ATTEMPTS` tries, or a refusal that will not change (4xx), → failed,
   the order's mark is cleared and the requester is told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet import audit
from cabinet.erp import rules
from cabinet.erp.client import Answer, ErpError
from models.base import utcnow
from models.orders import ChangeStatus, Order, OrderChangeRequest, OrderEvent

log = logging.getLogger(__name__)
BATCH = 20


class RequestSender(Protocol):
    def send_request(
        self, *, key: str, order: str, kind: str, payload: object, comment: str
    ) -> Answer: ...


@dataclass
class OutboundReport:
    answered: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def worked(self) -> int:
        return len(self.answered) + len(self.retrying) + len(self.failed)


def _due_ids(session: Session, *, now: datetime, limit: int) -> list[int]:
    R = OrderChangeRequest  # noqa: N806
    query = (
        select(R.id)
        .where(
            R.status == ChangeStatus.PENDING,
            sa.or_(col(R.next_attempt_at).is_(None), col(R.next_attempt_at) <= now),
        )
        .order_by(col(R.next_attempt_at), col(R.id))
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = [i for i in session.exec(query).all() if i is not None]
    session.commit()
    return ids


def claim(session: Session, request_id: int, *, now: datetime) -> bool:
    """Own one send of this request for `OUTBOUND_LEASE` (one conditional UPDATE)."""
    R = OrderChangeRequest  # noqa: N806
    result = session.connection().execute(
        sa.update(R.__table__)  # type: ignore[attr-defined]
        .where(
            col(R.id) == request_id,
            col(R.status) == ChangeStatus.PENDING,
            sa.or_(col(R.next_attempt_at).is_(None), col(R.next_attempt_at) <= now),
        )
        .values(next_attempt_at=now + rules.OUTBOUND_LEASE, attempts=R.attempts + 1)
    )
    session.commit()
    return bool(result.rowcount)


def _give_up(session: Session, req: OrderChangeRequest, reason: str, now: datetime) -> None:
    from cabinet import routes
    from cabinet.notifications.service import emit

    req.status = ChangeStatus.FAILED
    req.last_error = reason[:1000]
    req.next_attempt_at = None
    session.add(req)
    order = session.get(Order, req.order_id)
    if order is not None:
        order.pending_request = False
        order.updated_at = now
        session.add(order)
        session.add(
            OrderEvent(
                organisation_id=req.organisation_id,
                order_id=req.order_id,
                title="Запрос не доставлен в ERP",
                comment="Повторите запрос позже или обратитесь к менеджеру.",
                at=now,
            )
        )
    audit.record(
        session,
        actor_id=None,
        action="order.request_failed",
        object_type="order_change_request",
        object_id=req.id,
        after={"error": req.last_error, "attempts": req.attempts},
    )
    if req.created_by and order is not None:
        emit(
            session,
            event="orders.request_decided",
            recipient_ids=[req.created_by],
            context={
                "order_number": order.number,
                "decision": "не доставлен в ERP",
                "answer": "Повторите запрос позже или обратитесь к менеджеру.",
            },
            link=routes.order_url(order.id or 0),
        )
    session.commit()


def send_one(
    session: Session,
    request_id: int,
    *,
    sender: RequestSender,
    now: datetime,
    report: OutboundReport,
    max_attempts: int = rules.OUTBOUND_MAX_ATTEMPTS,
) -> None:
    from cabinet.orders.service import record_erp_answer

    if not claim(session, request_id, now=now):
        return  # another worker has it, or it is no longer pending
    req = session.get(OrderChangeRequest, request_id, populate_existing=True)
    order = session.get(Order, req.order_id) if req is not None else None
    if req is None or order is None:  # pragma: no cover - deleted after the claim
        return
    key, kind, payload, comment = req.request_key, req.kind, req.payload, req.comment
    session.commit()  # no transaction is held while the ERP answers
    try:
        answer = sender.send_request(
            key=key, order=order.erp_id, kind=kind, payload=payload or {}, comment=comment
        )
    except ErpError as e:
        req = session.get(OrderChangeRequest, request_id, populate_existing=True)
        assert req is not None
        if rules.should_retry(req.attempts, transient=e.transient, max_attempts=max_attempts):
            req.last_error = e.reason[:1000]
            req.next_attempt_at = now + rules.backoff(req.attempts)
            session.add(req)
            session.commit()
            report.retrying.append(request_id)
        else:
            _give_up(session, req, e.reason, now)
            report.failed.append(request_id)
        return
    req = session.get(OrderChangeRequest, request_id, populate_existing=True)
    assert req is not None
    req.sent_at = req.sent_at or utcnow()
    req.last_error = ""
    session.add(req)
    session.flush()
    record_erp_answer(
        session, request_id=request_id, accepted=answer.status == "accepted", answer=answer.answer
    )
    report.answered.append(request_id)


def send_due(
    session: Session,
    sender: RequestSender,
    *,
    now: datetime | None = None,
    limit: int = BATCH,
    max_attempts: int = rules.OUTBOUND_MAX_ATTEMPTS,
) -> OutboundReport:
    """One pass over due pending requests. Safe in parallel workers."""
    now = now or utcnow()
    report = OutboundReport()
    for request_id in _due_ids(session, now=now, limit=limit):
        try:
            send_one(
                session,
                request_id,
                sender=sender,
                now=now,
                report=report,
                max_attempts=max_attempts,
            )
        except Exception:
            session.rollback()
            log.exception("outbound request %s failed", request_id)
    return report


def has_due(session: Session, *, now: datetime) -> bool:
    R = OrderChangeRequest  # noqa: N806
    found = session.exec(
        select(R.id)
        .where(
            R.status == ChangeStatus.PENDING,
            sa.or_(col(R.next_attempt_at).is_(None), col(R.next_attempt_at) <= now),
        )
        .limit(1)
    ).first()
    session.commit()
    return found is not None
