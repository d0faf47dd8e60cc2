"""The auction clock on a real database: start, the one-hour warning, closing lots at their
(extended) end, winners decided once, finishing, notifications; run twice changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from cabinet.auctions import closer, queries, service
from cabinet.auctions.rules import BidRefused
from models import Notification
from models.auctions import (
    Auction,
    AuctionForm,
    AuctionResult,
    AuctionStatus,
    ResultKind,
)
from models.base import utcnow
from tests.integration.test_auctions_service import World, make_auction, uid

pytestmark = pytest.mark.db


@pytest.fixture
def w(db):
    return World(db)


def notes(db, event: str) -> list[Notification]:
    return list(db.exec(select(Notification).where(Notification.event == event)).all())


def test_announced_auction_starts_once_and_notifies(db, w):
    a, (lot,) = make_auction(db, w.organiser, status=AuctionStatus.ANNOUNCED)
    r1 = closer.run_once(db)
    r2 = closer.run_once(db)
    assert a.id in r1.started and a.id not in r2.started
    db.refresh(a)
    assert a.status == AuctionStatus.RUNNING and a.started_at is not None
    started = list(notes(db, "auctions.started"))
    assert {n.user_id for n in started} >= {w.a1.id, w.b1.id, w.c1.id}
    assert len([n for n in started if n.user_id == w.a1.id]) == 1
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")


def test_ending_soon_is_sent_once(db, w):
    _a, _ = make_auction(db, w.organiser, ends_in=timedelta(minutes=50))
    closer.run_once(db)
    closer.run_once(db)
    sent = [n for n in notes(db, "auctions.ending_soon") if n.user_id == w.b1.id]
    assert len(sent) == 1


def test_open_bid_wins_at_close_and_auction_finishes(db, w):
    a, (lot, quiet) = make_auction(db, w.organiser, lots=2, ends_in=timedelta(minutes=10))
    service.place_offer(db, actor_id=uid(w.c1), lot_id=lot.id, amount="99000")
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="105000")
    later = utcnow() + timedelta(minutes=11)
    report = closer.run_once(db, now=later)
    assert set(report.closed) == {lot.id, quiet.id} and a.id in report.finished
    assert closer.run_once(db, now=later).worked == 0
    results = {r.lot_id: r for r in db.exec(select(AuctionResult)).all()}
    assert results[lot.id].kind == ResultKind.OPEN
    assert results[lot.id].winner_org_id == w.org_b.id
    assert results[lot.id].price == Decimal("105000.00")
    assert results[quiet.id].kind == ResultKind.NONE and results[quiet.id].winner_org_id is None
    assert [n.user_id for n in notes(db, "auctions.won")] == [w.b1.id]
    finished = {n.user_id for n in notes(db, "auctions.finished")}
    assert finished == {w.a1.id, w.b1.id, w.c1.id, w.organiser.id}
    db.refresh(a)
    assert a.status == AuctionStatus.FINISHED
    with pytest.raises(BidRefused, match="завершены"):
        service.place_bid(db, actor_id=uid(w.c1), lot_id=lot.id, amount="200000")
    # the winner sees the price; results are listed for the organiser
    view = queries.lot_view(db, actor_id=uid(w.b1), lot_id=lot.id)
    assert view.closed and view.result_mine and view.result_price == Decimal("105000.00")
    rows = queries.results(db, actor_id=uid(w.organiser), auction_id=a.id)
    assert [r.organisation for r in rows if r.lot_id == lot.id] == ["АО «Бета-Металл»"]


def test_highest_offer_wins_at_its_own_price_and_ties_go_to_the_earlier(db, w):
    _a, (lot,) = make_auction(db, w.organiser, form=AuctionForm.CLOSED)
    service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="90000")
    service.place_offer(db, actor_id=uid(w.b1), lot_id=lot.id, amount="95000")
    service.place_offer(db, actor_id=uid(w.c1), lot_id=lot.id, amount="95000")
    closer.run_once(db, now=utcnow() + timedelta(hours=3))
    r = db.exec(select(AuctionResult).where(AuctionResult.lot_id == lot.id)).one()
    assert r.kind == ResultKind.OFFER and r.winner_org_id == w.org_b.id
    assert r.price == Decimal("95000.00")
    # others do not learn the winning offer's price
    loser = queries.lot_view(db, actor_id=uid(w.c1), lot_id=lot.id)
    assert loser.result_price is None and not loser.result_mine


def test_withdrawn_offer_does_not_win(db, w):
    _a, (lot,) = make_auction(db, w.organiser, form=AuctionForm.CLOSED)
    service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="99000")
    service.place_offer(db, actor_id=uid(w.b1), lot_id=lot.id, amount="80000")
    service.withdraw_offer(db, actor_id=uid(w.a1), lot_id=lot.id)
    closer.run_once(db, now=utcnow() + timedelta(hours=3))
    r = db.exec(select(AuctionResult).where(AuctionResult.lot_id == lot.id)).one()
    assert r.winner_org_id == w.org_b.id and r.price == Decimal("80000.00")


def test_extended_lot_is_not_closed_at_the_planned_end(db, w):
    a, (lot,) = make_auction(db, w.organiser, ends_in=timedelta(seconds=30))
    bid = service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    assert bid.extended
    report = closer.run_once(db, now=a.ends_at + timedelta(seconds=1))
    assert lot.id not in report.closed and a.id not in report.finished
    report = closer.run_once(db, now=bid.effective_end)
    assert lot.id in report.closed and a.id in report.finished


def test_annulled_winner_loses_and_cancelled_auction_is_never_decided(db, w):
    _a, (lot,) = make_auction(db, w.organiser)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    top = service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="110000")
    service.annul_bid(db, actor_id=uid(w.organiser), bid_id=top.bid_id, reason="Отказ участника")
    closer.run_once(db, now=utcnow() + timedelta(hours=3))
    r = db.exec(select(AuctionResult).where(AuctionResult.lot_id == lot.id)).one()
    assert r.winner_org_id == w.org_a.id and r.price == Decimal("100000.00")
    c, (clot,) = make_auction(db, w.organiser, status=AuctionStatus.CANCELLED)
    closer.run_once(db, now=utcnow() + timedelta(hours=3))
    assert db.exec(select(AuctionResult).where(AuctionResult.lot_id == clot.id)).first() is None
    assert db.get(Auction, c.id).status == AuctionStatus.CANCELLED
