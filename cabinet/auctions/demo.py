"""Demo auctions of steel products: one running (ends a few hours after the demo is loaded),
one announced (starts tomorrow), one finished with results. Idempotent (by title).

Bids of the demo are written straight into the ledger with past times (the service would
stamp them "now"); everything else about them — sequence, pseudonyms, the lot's best and
version, the results — is what the service and the closer would have written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from cabinet.auctions import queries, rules
from models import Membership, Organisation, User
from models.auctions import (
    Auction,
    AuctionBid,
    AuctionForm,
    AuctionLot,
    AuctionParticipant,
    AuctionResult,
    AuctionStatus,
    BidKind,
    StepKind,
)
from models.base import utcnow

D = Decimal

RUNNING = "Трубы большого диаметра и прокат — торги дня"
ANNOUNCED = "Остатки склада Выкса: трубы и отводы"
FINISHED = "Листовой прокат, ноябрь"

LOTS_RUNNING = [
    ("Труба 530×8 К52 ГОСТ 20295", "120.5", "т", "7850000", "FCA Выкса"),
    ("Труба 1420×21,6 К60 для магистральных газопроводов", "310", "т", "42500000", "CPT Сургут"),
    ("Лист г/к 10×1500×6000 ст3сп", "48", "т", "3120000", "EXW Выкса"),
    ("Отвод 90° 325×8 09Г2С", "40", "шт", "612000", "FCA Выкса"),
]
LOTS_ANNOUNCED = [
    ("Труба 219×6 ст20 (некондиция по длине)", "64", "т", "3900000", "EXW Выкса"),
    ("Труба 820×10 К56, изоляция ВУС", "95", "т", "8400000", "FCA Выкса"),
    ("Отвод 45° 530×10 К52", "18", "шт", "410000", "EXW Выкса"),
]
LOTS_FINISHED = [
    ("Лист г/к 20×2000×6000 09Г2С", "36", "т", "2520000", "FCA Выкса"),
    ("Рулон х/к 1,5×1250 08пс", "22", "т", "1650000", "EXW Выкса"),
    ("Лист г/к 8×1500×6000 ст3сп", "15", "т", "990000", "FCA Выкса"),
]


def _members(session: Session) -> list[tuple[int, int]]:
    """(organisation id, user id) of demo bidders: one user per organisation."""
    seen: dict[int, int] = {}
    for email in ("client@demo.local", "other@demo.local", "client-admin@demo.local"):
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None or user.id is None:
            continue
        org_id = session.exec(
            select(Membership.organisation_id).where(Membership.user_id == user.id)
        ).first()
        if org_id is not None and org_id not in seen:
            seen[org_id] = user.id
    # A third bidding organisation without demo logins, so pseudonyms go up to 3.
    extra = session.exec(select(Organisation).where(Organisation.inn == "7736207543")).first()
    if extra is not None and extra.id is not None and extra.id not in seen and seen:
        seen[extra.id] = next(iter(seen.values()))
    return list(seen.items())


def _auction(
    session: Session,
    organiser_id: int,
    title: str,
    description: str,
    status: str,
    starts: datetime,
    ends: datetime,
    form: str,
    lots: list[tuple[str, str, str, str, str]],
) -> tuple[Auction, list[AuctionLot]]:
    a = Auction(
        title=title,
        description=description,
        organiser_id=organiser_id,
        form=form,
        status=status,
        starts_at=starts,
        ends_at=ends,
        step_kind=StepKind.PERCENT,
        step_value=D("0.5"),
        soft_close_minutes=2,
        extension_minutes=2,
        started_at=starts if status != AuctionStatus.ANNOUNCED else None,
        finished_at=ends if status == AuctionStatus.FINISHED else None,
    )
    session.add(a)
    session.flush()
    made = []
    for n, (product, qty, unit, price, terms) in enumerate(lots, start=1):
        f = rules.validate_lot(product, qty, unit, price, "RUB", terms)
        lot = AuctionLot(
            auction_id=a.id or 0,
            number=n,
            product=f.product,
            quantity=f.quantity,
            unit=f.unit,
            start_price=f.start_price,
            currency=f.currency,
            delivery_terms=f.delivery_terms,
            search_text=rules.search_text(f.product, f.delivery_terms, title),
            effective_end=ends,
        )
        session.add(lot)
        made.append(lot)
    session.flush()
    return a, made


def _participant(session: Session, auction_id: int, org_id: int) -> int:
    row = session.exec(
        select(AuctionParticipant).where(
            AuctionParticipant.auction_id == auction_id,
            AuctionParticipant.organisation_id == org_id,
        )
    ).first()
    if row is not None:
        return row.number
    n = len(
        session.exec(
            select(AuctionParticipant.id).where(AuctionParticipant.auction_id == auction_id)
        ).all()
    )
    session.add(AuctionParticipant(auction_id=auction_id, organisation_id=org_id, number=n + 1))
    session.flush()
    return n + 1


def _bid(
    session: Session,
    lot: AuctionLot,
    who: tuple[int, int],
    kind: str,
    amount: Decimal,
    at: datetime,
) -> AuctionBid:
    org_id, user_id = who
    number = _participant(session, lot.auction_id, org_id)
    lot.last_seq += 1
    lot.version += 1
    bid = AuctionBid(
        lot_id=lot.id or 0,
        auction_id=lot.auction_id,
        seq=lot.last_seq,
        organisation_id=org_id,
        user_id=user_id,
        participant_no=number,
        kind=kind,
        amount=amount,
        created_at=at,
    )
    session.add(bid)
    session.flush()
    if kind == BidKind.OPEN:
        lot.best_amount, lot.best_bid_id = amount, bid.id
        lot.open_bids += 1
    session.add(lot)
    return bid


def _raise(price: Decimal, times: int) -> Decimal:
    for _ in range(times):
        price = rules.min_next_bid(
            start_price=price, best_amount=price, step_kind=StepKind.PERCENT, step_value=D("0.5")
        )
    return price


def load_auctions_demo(session: Session) -> None:
    if session.exec(select(Auction).where(Auction.title == RUNNING)).first() is not None:
        return
    organiser = session.exec(select(User).where(User.email == "manager@demo.local")).first()
    if organiser is None or organiser.id is None:
        return
    bidders = _members(session)
    now = utcnow().replace(second=0, microsecond=0)

    # Running: started an hour ago, ends in four hours; open bids on two lots, an offer on one.
    _running, lots = _auction(
        session,
        organiser.id,
        RUNNING,
        "Трубная продукция и листовой прокат со склада в Выксе. Шаг — 0,5 % от текущей цены; "
        "ставка в последние 2 минуты продлевает торги по лоту на 2 минуты.",
        AuctionStatus.RUNNING,
        now - timedelta(hours=1),
        now + timedelta(hours=4),
        AuctionForm.MIXED,
        LOTS_RUNNING,
    )
    if len(bidders) >= 2:
        t0 = now - timedelta(minutes=50)
        first = lots[0]
        price = first.start_price
        for k in range(5):
            _bid(session, first, bidders[k % len(bidders)], BidKind.OPEN, price, t0)
            price = _raise(price, 1 + k % 2)
            t0 += timedelta(minutes=7)
        second = lots[1]
        _bid(session, second, bidders[1], BidKind.OPEN, second.start_price, t0)
        _bid(session, second, bidders[0], BidKind.OPEN, _raise(second.start_price, 2), t0)
        _bid(session, lots[3], bidders[1], BidKind.OFFER, D("585000"), t0)

    # Announced: starts tomorrow at 11:00 (Moscow = UTC+3), closed price offers allowed too.
    start = (now + timedelta(days=1)).replace(hour=8, minute=0)
    _auction(
        session,
        organiser.id,
        ANNOUNCED,
        "Складские остатки: можно сделать открытую ставку или закрытое ценовое предложение "
        "ниже стартовой цены.",
        AuctionStatus.ANNOUNCED,
        start,
        start + timedelta(hours=5),
        AuctionForm.MIXED,
        LOTS_ANNOUNCED,
    )

    # Finished a week ago with results: an open-bid winner, an offer winner, no bids.
    end = (now - timedelta(days=7)).replace(hour=13, minute=0)
    f, flots = _auction(
        session,
        organiser.id,
        FINISHED,
        "Торги завершены, итоги подведены.",
        AuctionStatus.FINISHED,
        end - timedelta(hours=4),
        end,
        AuctionForm.MIXED,
        LOTS_FINISHED,
    )
    if len(bidders) >= 2:
        t1 = end - timedelta(hours=3)
        _bid(session, flots[0], bidders[0], BidKind.OPEN, flots[0].start_price, t1)
        _bid(session, flots[0], bidders[1], BidKind.OPEN, _raise(flots[0].start_price, 3), t1)
        _bid(session, flots[0], bidders[0], BidKind.OPEN, _raise(flots[0].start_price, 6), t1)
        _bid(session, flots[1], bidders[1], BidKind.OFFER, D("1580000"), t1)
        _bid(session, flots[1], bidders[0], BidKind.OFFER, D("1545000"), t1)
    for lot in flots:
        lot.closed_at = end
        lot.version += 1
        session.add(lot)
        winner = rules.decide_winner(queries.bid_infos(session, lot.id or 0))
        session.add(
            AuctionResult(
                lot_id=lot.id or 0,
                auction_id=f.id or 0,
                kind=winner.kind if winner else "none",
                winner_org_id=winner.organisation_id if winner else None,
                winner_user_id=winner.user_id if winner else None,
                bid_id=winner.id if winner else None,
                price=winner.amount if winner else None,
                decided_at=end,
            )
        )
    session.commit()
