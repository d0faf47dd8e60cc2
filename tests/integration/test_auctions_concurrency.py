"""Many bidders on one lot at once, each in its own connection and thread (SQLite and
PostgreSQL): no accepted bid is lost, exactly one leader, the ledger sequence is gap-free and
in the order of the amounts, and the lot's best is the highest accepted bid. Then two closers
race for the same lot: one result.

The data is committed (the threads must see it) and deleted at the end.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete
from sqlmodel import Session, col, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.auctions import closer, service
from cabinet.errors import DomainError
from models import AuditEvent, Membership, Notification, NotificationDelivery, Organisation, User
from models.access import UserRole
from models.auctions import (
    Auction,
    AuctionBid,
    AuctionBidVoid,
    AuctionForm,
    AuctionLot,
    AuctionParticipant,
    AuctionResult,
    AuctionStatus,
    StepKind,
)
from models.base import utcnow

pytestmark = pytest.mark.db

BIDDERS = 8
BIDS_EACH = 6


@pytest.fixture
def arena(migrated_engine):
    tag = secrets.token_hex(3)
    with Session(migrated_engine, expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        organiser = User(
            full_name=f"Организатор {tag}",
            email=f"org-{tag}@test.local",
            phone=f"+7908{secrets.randbelow(10**7):07d}",
            password_hash="x",
        )
        s.add(organiser)
        orgs, users = [], []
        for n in range(BIDDERS):
            org = Organisation(name=f"Покупатель {tag} {n}", inn="")
            s.add(org)
            orgs.append(org)
            user = User(
                full_name=f"Трейдер {tag} {n}",
                email=f"trader{n}-{tag}@test.local",
                phone=f"+7909{secrets.randbelow(10**7):07d}",
                password_hash="x",
            )
            s.add(user)
            users.append(user)
        s.flush()
        for org, user in zip(orgs, users, strict=True):
            s.add(Membership(user_id=user.id, organisation_id=org.id))
            s.flush()
            grant_role(s, user_id=user.id, role_code=BuiltinRole.CUSTOMER, organisation_id=org.id)
        now = utcnow()
        auction = Auction(
            title=f"Гонка {tag}",
            organiser_id=organiser.id,
            form=AuctionForm.MIXED,
            status=AuctionStatus.RUNNING,
            starts_at=now - timedelta(minutes=5),
            ends_at=now + timedelta(hours=1),
            step_kind=StepKind.AMOUNT,
            step_value=Decimal("10"),
        )
        s.add(auction)
        s.flush()
        lot = AuctionLot(
            auction_id=auction.id,
            number=1,
            product="Труба 1420×21,6 К60",
            quantity=Decimal(100),
            start_price=Decimal(1000),
            effective_end=auction.ends_at,
        )
        s.add(lot)
        s.commit()
        ids = {
            "users": [u.id for u in users],
            "orgs": [o.id for o in orgs],
            "organiser": organiser.id,
            "auction": auction.id,
            "lot": lot.id,
        }
    yield ids
    with Session(migrated_engine) as s:
        everyone = [*ids["users"], ids["organiser"]]
        s.exec(delete(AuctionResult).where(col(AuctionResult.auction_id) == ids["auction"]))
        s.exec(delete(AuctionBidVoid).where(col(AuctionBidVoid.lot_id) == ids["lot"]))
        s.exec(delete(AuctionBid).where(col(AuctionBid.auction_id) == ids["auction"]))
        s.exec(
            delete(AuctionParticipant).where(col(AuctionParticipant.auction_id) == ids["auction"])
        )
        s.exec(delete(AuctionLot).where(col(AuctionLot.auction_id) == ids["auction"]))
        s.exec(delete(Auction).where(col(Auction.id) == ids["auction"]))
        s.exec(delete(NotificationDelivery).where(col(NotificationDelivery.user_id).in_(everyone)))
        s.exec(delete(Notification).where(col(Notification.user_id).in_(everyone)))
        s.exec(delete(AuditEvent).where(col(AuditEvent.actor_id).in_(everyone)))
        s.exec(delete(UserRole).where(col(UserRole.user_id).in_(everyone)))
        s.exec(delete(Membership).where(col(Membership.user_id).in_(everyone)))
        s.exec(delete(User).where(col(User.id).in_(everyone)))
        s.exec(delete(Organisation).where(col(Organisation.id).in_(ids["orgs"])))
        s.commit()


def _run_all(threads: list[threading.Thread], timeout: float) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)


def _ledger(s: Session, lot_id: int) -> list[AuctionBid]:
    return list(
        s.exec(
            select(AuctionBid).where(AuctionBid.lot_id == lot_id).order_by(col(AuctionBid.seq))
        ).all()
    )


def test_many_bidders_at_once_lose_nothing_and_one_leads(migrated_engine, arena):
    accepted: list[tuple[int, Decimal, int]] = []  # (user, amount, seq)
    refused: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    gate = threading.Barrier(BIDDERS)

    def bidder(n: int, user_id: int) -> None:
        try:
            gate.wait(timeout=30)
            with Session(migrated_engine, expire_on_commit=False) as s:
                for k in range(BIDS_EACH):
                    # Everyone jumps at once with amounts that overlap between bidders.
                    amount = Decimal(1000 + 10 * (k * BIDDERS + n) + 10 * n)
                    try:
                        r = service.place_bid(
                            s, actor_id=user_id, lot_id=arena["lot"], amount=amount
                        )
                    except DomainError as e:
                        s.rollback()
                        with lock:
                            refused.append(e.message)
                        continue
                    with lock:
                        accepted.append((user_id, r.amount or Decimal(0), r.seq or 0))
        except BaseException as e:  # surfaced by the assertion below
            errors.append(e)

    threads = [
        threading.Thread(target=bidder, args=(n, uid)) for n, uid in enumerate(arena["users"])
    ]
    _run_all(threads, 120)
    assert not errors, errors
    assert accepted, refused

    with Session(migrated_engine) as s:
        ledger = _ledger(s, arena["lot"])
        lot = s.get(AuctionLot, arena["lot"])
        assert lot is not None
        # nothing lost, nothing invented: the ledger is exactly the accepted bids
        assert sorted((b.user_id, b.amount, b.seq) for b in ledger) == sorted(accepted)
        # gap-free, in order, and every accepted open bid beat the one before it by a step
        assert [b.seq for b in ledger] == list(range(1, len(ledger) + 1))
        amounts = [b.amount for b in ledger]
        assert all(b2 >= b1 + Decimal(10) for b1, b2 in itertools.pairwise(amounts))
        # one leader: the lot's best is the last (highest) accepted bid
        assert lot.best_bid_id == ledger[-1].id and lot.best_amount == max(amounts)
        assert lot.last_seq == len(ledger) and lot.open_bids == len(ledger)
        # no organisation outbid itself
        orgs = [b.organisation_id for b in ledger]
        assert all(a != b for a, b in itertools.pairwise(orgs))
        pseudonyms = s.exec(
            select(AuctionParticipant.number).where(
                AuctionParticipant.auction_id == arena["auction"]
            )
        ).all()
        assert sorted(pseudonyms) == list(range(1, len(pseudonyms) + 1))
    assert len(accepted) + len(refused) == BIDDERS * BIDS_EACH


def test_offers_racing_open_bids_never_land_after_the_first_open_bid(migrated_engine, arena):
    """Offers are allowed only while the lot has no open bids: half the traders offer (and
    change their offers), half bid openly, all at once. No offer is accepted after an open
    bid, no sequence number is taken twice, nothing accepted is missing."""
    accepted: list[tuple[str, int]] = []  # (kind, seq)
    errors: list[BaseException] = []
    lock = threading.Lock()
    gate = threading.Barrier(BIDDERS)

    def trader(n: int, user_id: int) -> None:
        try:
            gate.wait(timeout=30)
            with Session(migrated_engine, expire_on_commit=False) as s:
                for k in range(BIDS_EACH):
                    try:
                        if n % 2:
                            r = service.place_offer(
                                s, actor_id=user_id, lot_id=arena["lot"], amount=900 + n + k
                            )
                        else:
                            r = service.place_bid(
                                s,
                                actor_id=user_id,
                                lot_id=arena["lot"],
                                amount=Decimal(1000 + 10 * (k * BIDDERS + n)),
                            )
                    except DomainError:
                        s.rollback()
                        continue
                    with lock:
                        accepted.append((r.kind, r.seq or 0))
        except BaseException as e:  # surfaced by the assertion below
            errors.append(e)

    threads = [
        threading.Thread(target=trader, args=(n, uid)) for n, uid in enumerate(arena["users"])
    ]
    _run_all(threads, 120)
    assert not errors, errors
    with Session(migrated_engine) as s:
        ledger = _ledger(s, arena["lot"])
        lot = s.get(AuctionLot, arena["lot"])
        assert lot is not None
    assert sorted(seq for _, seq in accepted) == [b.seq for b in ledger]
    assert (
        [b.seq for b in ledger]
        == list(range(1, len(ledger) + 1))
        == list(range(1, lot.last_seq + 1))
    )
    kinds = [b.kind for b in ledger]
    if "open" in kinds:
        first_open = kinds.index("open")
        assert "offer" not in kinds[first_open:]
        assert lot.open_bids == kinds.count("open")


def test_two_closers_racing_decide_the_lot_once(migrated_engine, arena):
    with Session(migrated_engine) as s:
        service.place_bid(s, actor_id=arena["users"][0], lot_id=arena["lot"], amount="1000")
    later = utcnow() + timedelta(hours=2)
    reports: list[closer.Report] = []
    gate = threading.Barrier(3)

    def run() -> None:
        gate.wait(timeout=30)
        with Session(migrated_engine) as s:
            reports.append(closer.run_once(s, now=later))

    threads = [threading.Thread(target=run) for _ in range(3)]
    _run_all(threads, 60)
    assert sum(len(r.closed) for r in reports) == 1
    assert sum(len(r.finished) for r in reports) == 1
    with Session(migrated_engine) as s:
        results = s.exec(select(AuctionResult).where(AuctionResult.lot_id == arena["lot"])).all()
        assert len(results) == 1 and results[0].winner_org_id == arena["orgs"][0]
        won = s.exec(
            select(Notification).where(
                Notification.event == "auctions.won",
                Notification.user_id == arena["users"][0],
            )
        ).all()
        assert len(won) == 1


def test_a_burst_of_equal_bids_accepts_one_and_refuses_the_rest_as_below_the_minimum(
    migrated_engine, arena
):
    """Everyone bids the same amount at the same moment, twice (the start price, then the
    next step without the first round's leader): each round accepts exactly one bid and
    refuses the others with the ordinary "below the minimum" answer — not "too many bids at
    once" — and the losers leave nothing behind: no participant number, no outbid notice."""

    def burst(user_ids: list[int], amount: Decimal) -> tuple[list[int], list[str]]:
        accepted: list[int] = []
        refused: list[str] = []
        errors: list[BaseException] = []
        lock = threading.Lock()
        gate = threading.Barrier(len(user_ids))

        def bidder(user_id: int) -> None:
            try:
                with Session(migrated_engine, expire_on_commit=False) as s:
                    gate.wait(timeout=30)
                    try:
                        service.place_bid(s, actor_id=user_id, lot_id=arena["lot"], amount=amount)
                    except DomainError as e:
                        s.rollback()
                        with lock:
                            refused.append(e.message)
                        return
                    with lock:
                        accepted.append(user_id)
            except BaseException as e:  # surfaced by the assertion below
                errors.append(e)

        _run_all([threading.Thread(target=bidder, args=(uid,)) for uid in user_ids], 60)
        assert not errors, errors
        return accepted, refused

    users = arena["users"]
    first, refused = burst(users, Decimal(1000))
    assert len(first) == 1 and len(refused) == BIDDERS - 1
    assert all(m.startswith("Ставка ниже минимальной") for m in refused), refused
    leader = first[0]
    second, refused = burst([u for u in users if u != leader], Decimal(1010))
    assert len(second) == 1 and len(refused) == BIDDERS - 2
    assert all(m.startswith("Ставка ниже минимальной") for m in refused), refused

    with Session(migrated_engine) as s:
        ledger = _ledger(s, arena["lot"])
        lot = s.get(AuctionLot, arena["lot"])
        assert lot is not None
        assert [(b.seq, b.user_id, b.amount) for b in ledger] == [
            (1, leader, Decimal(1000)),
            (2, second[0], Decimal(1010)),
        ]
        assert (lot.best_bid_id, lot.best_amount) == (ledger[-1].id, Decimal(1010))
        assert (lot.version, lot.last_seq, lot.open_bids) == (2, 2, 2)
        numbers = s.exec(
            select(AuctionParticipant.organisation_id, AuctionParticipant.number).where(
                AuctionParticipant.auction_id == arena["auction"]
            )
        ).all()
        assert sorted(n for _, n in numbers) == [1, 2]
        assert {o for o, _ in numbers} == {b.organisation_id for b in ledger}
        assert [b.participant_no for b in ledger] == [1, 2]
        notices = s.exec(
            select(Notification.user_id).where(
                Notification.event == "auctions.outbid",
                col(Notification.user_id).in_(users),
            )
        ).all()
        assert notices == [leader]  # one, from the accepted bid only


def test_warm_up_opens_the_pools_connections_and_writes_nothing(migrated_engine, arena):
    """A freshly started process opens the bid pools' connections and runs the bid path's
    statements once before the first burst of bids: nothing in the database changes (no
    ledger row, no participant, the lot untouched, no id taken from the ledger's sequence)."""
    with Session(migrated_engine) as s:
        service.place_bid(s, actor_id=arena["users"][0], lot_id=arena["lot"], amount="1000")

    def state() -> tuple:
        with Session(migrated_engine) as s:
            lot = s.get(AuctionLot, arena["lot"])
            assert lot is not None
            return (
                (lot.version, lot.last_seq, lot.best_bid_id, lot.best_amount, lot.open_bids),
                [(b.id, b.seq) for b in _ledger(s, arena["lot"])],
                s.exec(select(AuctionParticipant.id)).all(),
            )

    before = state()
    service.warm_up(migrated_engine, migrated_engine, connections=3, read_connections=2)
    assert state() == before
    if migrated_engine.dialect.name == "postgresql":
        assert migrated_engine.pool.checkedin() >= 3  # type: ignore[attr-defined]
    with Session(migrated_engine) as s:  # the next bid's id follows the last one's
        r = service.place_bid(s, actor_id=arena["users"][1], lot_id=arena["lot"], amount="1010")
        assert r.bid_id == before[1][-1][0] + 1 and r.seq == 2
