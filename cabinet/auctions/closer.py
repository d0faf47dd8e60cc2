"""The auction clock: starts announced auctions, warns an hour before the end, closes lots at
their (extended) end, decides each lot's result exactly once and finishes the auction.

Runs as an app lifespan task in every worker (`closer_loop`) or on its own
(`python -m cabinet.auctions.closer`). Every step claims its work with a conditional UPDATE
(status from → to; `ending_soon_sent_at IS NULL`; the lot's compare-and-set version and
`closed_at IS NULL`) and the result table has one row per lot (UNIQUE), so several workers and
restarts never start, warn, decide or notify twice. A bid racing the close loses one of the
two compare-and-sets: either it is accepted (and the end may move) or the lot closes first.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from cabinet import routes
from cabinet.auctions import queries, rules
from cabinet.formatting import fmt_dt
from cabinet.notifications.service import emit
from models.auctions import (
    Auction,
    AuctionBid,
    AuctionLot,
    AuctionResult,
    AuctionStatus,
    ResultKind,
)
from models.base import utcnow

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0  # lots close within about a second of their end
ENDING_SOON = timedelta(hours=1)
BATCH = 200


@dataclass
class Report:
    started: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)  # lot ids
    finished: list[int] = field(default_factory=list)

    @property
    def worked(self) -> int:
        return len(self.started) + len(self.warned) + len(self.closed) + len(self.finished)


def _claim(session: Session, stmt: object) -> bool:
    result = session.execute(stmt)  # type: ignore[call-overload]
    return bool(result.rowcount == 1)


def start_due(session: Session, now: datetime, report: Report) -> None:
    due = session.exec(
        select(Auction.id)
        .where(Auction.status == AuctionStatus.ANNOUNCED, col(Auction.starts_at) <= now)
        .limit(BATCH)
    ).all()
    for aid in due:
        claimed = _claim(
            session,
            update(Auction)
            .where(col(Auction.id) == aid, col(Auction.status) == AuctionStatus.ANNOUNCED)
            .values(status=AuctionStatus.RUNNING, started_at=now, version=Auction.version + 1),
        )
        if not claimed:
            session.rollback()
            continue
        a = session.get(Auction, aid, populate_existing=True)
        assert a is not None
        emit(
            session,
            event="auctions.started",
            recipient_ids=queries.audience_user_ids(session),
            context={"auction": a.title, "ends_at": fmt_dt(a.ends_at)},
            link=routes.auction_url(aid or 0),
        )
        session.commit()
        report.started.append(aid or 0)


def warn_ending(session: Session, now: datetime, report: Report) -> None:
    due = session.exec(
        select(Auction.id)
        .where(
            Auction.status == AuctionStatus.RUNNING,
            col(Auction.ending_soon_sent_at).is_(None),
            col(Auction.ends_at) <= now + ENDING_SOON,
            col(Auction.ends_at) > now,
        )
        .limit(BATCH)
    ).all()
    for aid in due:
        claimed = _claim(
            session,
            update(Auction)
            .where(col(Auction.id) == aid, col(Auction.ending_soon_sent_at).is_(None))
            .values(ending_soon_sent_at=now),
        )
        if not claimed:
            session.rollback()
            continue
        a = session.get(Auction, aid, populate_existing=True)
        assert a is not None
        emit(
            session,
            event="auctions.ending_soon",
            recipient_ids=queries.audience_user_ids(session),
            context={"auction": a.title, "ends_at": fmt_dt(a.ends_at)},
            link=routes.auction_url(aid or 0),
        )
        session.commit()
        report.warned.append(aid or 0)


def close_lot(session: Session, lot_id: int, now: datetime) -> bool:
    """Close one lot whose end has passed and write its result; False if another worker (or a
    late bid that moved the end) got there first. Commits."""
    lot = session.get(AuctionLot, lot_id, populate_existing=True)
    if lot is None or lot.closed_at is not None or lot.effective_end > now:
        return False
    a = session.get(Auction, lot.auction_id, populate_existing=True)
    if a is None or a.status != AuctionStatus.RUNNING:
        return False
    claimed = _claim(
        session,
        update(AuctionLot)
        .where(
            col(AuctionLot.id) == lot_id,
            col(AuctionLot.version) == lot.version,
            col(AuctionLot.closed_at).is_(None),
            col(AuctionLot.effective_end) <= now,
        )
        .values(closed_at=now, version=lot.version + 1),
    )
    if not claimed:
        session.rollback()
        return False
    winner = rules.decide_winner(queries.bid_infos(session, lot_id))
    kind = ResultKind.NONE if winner is None else winner.kind
    session.add(
        AuctionResult(
            lot_id=lot_id,
            auction_id=a.id or 0,
            kind=kind,
            winner_org_id=winner.organisation_id if winner else None,
            winner_user_id=winner.user_id if winner else None,
            bid_id=winner.id if winner else None,
            price=winner.amount if winner else None,
            decided_at=now,
        )
    )
    if winner is not None:
        # Everyone of the winning organisation who bid on this lot.
        users = session.exec(
            select(AuctionBid.user_id)
            .where(
                AuctionBid.lot_id == lot_id,
                AuctionBid.organisation_id == winner.organisation_id,
            )
            .distinct()
        ).all()
        emit(
            session,
            event="auctions.won",
            recipient_ids=list(users),
            context={
                "auction": a.title,
                "lot": f"№ {lot.number} {lot.product}",
                "price": rules.fmt_money(winner.amount, lot.currency),
            },
            link=routes.auction_lot_url(lot_id),
        )
    session.commit()
    return True


def close_due(session: Session, now: datetime, report: Report) -> None:
    due = session.exec(
        select(AuctionLot.id)
        .join(Auction, col(Auction.id) == col(AuctionLot.auction_id))
        .where(
            col(AuctionLot.closed_at).is_(None),
            col(AuctionLot.effective_end) <= now,
            Auction.status == AuctionStatus.RUNNING,
        )
        .order_by(col(AuctionLot.effective_end))
        .limit(BATCH)
    ).all()
    for lid in due:
        try:
            if close_lot(session, lid or 0, now):
                report.closed.append(lid or 0)
        except Exception:  # one bad lot must not stop the others (a unique clash: decided)
            session.rollback()
            log.exception("auction lot %s: close failed", lid)


def finish_due(session: Session, now: datetime, report: Report) -> None:
    open_lots = select(AuctionLot.auction_id).where(col(AuctionLot.closed_at).is_(None))
    due = session.exec(
        select(Auction.id)
        .where(
            Auction.status == AuctionStatus.RUNNING,
            col(Auction.ends_at) <= now,
            col(Auction.id).not_in(open_lots),
        )
        .limit(BATCH)
    ).all()
    for aid in due:
        claimed = _claim(
            session,
            update(Auction)
            .where(col(Auction.id) == aid, col(Auction.status) == AuctionStatus.RUNNING)
            .values(status=AuctionStatus.FINISHED, finished_at=now, version=Auction.version + 1),
        )
        if not claimed:
            session.rollback()
            continue
        a = session.get(Auction, aid, populate_existing=True)
        assert a is not None
        decided = session.exec(
            select(AuctionResult.kind).where(AuctionResult.auction_id == aid)
        ).all()
        won = sum(1 for k in decided if k != ResultKind.NONE)
        recipients = set(queries.bidder_user_ids(session, aid or 0)) | {a.organiser_id}
        emit(
            session,
            event="auctions.finished",
            recipient_ids=sorted(recipients),
            context={
                "auction": a.title,
                "summary": f"лотов с победителем: {won} из {len(decided)}",
            },
            link=routes.auction_url(aid or 0),
        )
        session.commit()
        report.finished.append(aid or 0)


def run_once(session: Session, now: datetime | None = None) -> Report:
    """One pass of the clock (the server's: `utcnow()` unless a test passes `now`)."""
    report = Report()
    at = now or utcnow()
    start_due(session, at, report)
    warn_ending(session, at, report)
    close_due(session, at, report)
    finish_due(session, at, report)
    return report


async def closer_loop(interval: float = INTERVAL_SECONDS) -> None:
    """The app's background task (app.register_lifespan_task). Every worker runs one; the
    claims above keep them from doing anything twice."""
    from cabinet.db import session_scope

    def once() -> Report:
        with session_scope() as s:
            return run_once(s)

    while True:
        try:
            report = await asyncio.to_thread(once)
            if report.worked:
                log.info(
                    "auctions: started %d, warned %d, lots closed %d, finished %d",
                    len(report.started),
                    len(report.warned),
                    len(report.closed),
                    len(report.finished),
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("auction closer run failed")
        await asyncio.sleep(interval)


if __name__ == "__main__":  # a separate worker: python -m cabinet.auctions.closer
    logging.basicConfig(level=logging.INFO)
    asyncio.run(closer_loop())
