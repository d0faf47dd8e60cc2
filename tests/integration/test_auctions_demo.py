"""The demo auctions load once, are consistent with the rules, and a demo client can bid."""

from __future__ import annotations

import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.auctions import queries, service
from cabinet.auctions.demo import ANNOUNCED, FINISHED, RUNNING, load_auctions_demo
from models import Membership, Organisation, User
from models.auctions import Auction, AuctionBid, AuctionLot, AuctionResult, AuctionStatus

pytestmark = pytest.mark.db


def _demo_people(db) -> None:
    """The demo logins the auction demo uses (cabinet.demo makes them in `make run`)."""
    ensure_builtin_roles(db)
    for n, (email, role, inn) in enumerate(
        [
            ("manager@demo.local", BuiltinRole.MANAGER, None),
            ("client@demo.local", BuiltinRole.CUSTOMER, "7707083893"),
            ("other@demo.local", BuiltinRole.CUSTOMER, "500100732259"),
        ]
    ):
        if db.exec(select(User).where(User.email == email)).first():
            continue
        user = User(full_name=email, email=email, phone=f"+7911000000{n}", password_hash="x")
        db.add(user)
        db.flush()
        org_id = None
        if inn:
            org = db.exec(select(Organisation).where(Organisation.inn == inn)).first()
            if org is None:
                org = Organisation(name=f"Демо {inn}", inn=inn)
                db.add(org)
                db.flush()
            org_id = org.id
            db.add(Membership(user_id=user.id, organisation_id=org_id))
            db.flush()
        grant_role(db, user_id=user.id, role_code=role, organisation_id=org_id)


def test_demo_auctions_load_once_and_a_demo_client_can_bid(db):
    _demo_people(db)
    load_auctions_demo(db)
    load_auctions_demo(db)
    by_title = {a.title: a for a in db.exec(select(Auction)).all()}
    assert by_title[RUNNING].status == AuctionStatus.RUNNING
    assert by_title[ANNOUNCED].status == AuctionStatus.ANNOUNCED
    assert by_title[FINISHED].status == AuctionStatus.FINISHED
    assert len([a for a in by_title.values() if a.title == RUNNING]) == 1
    finished_lots = db.exec(
        select(AuctionLot).where(AuctionLot.auction_id == by_title[FINISHED].id)
    ).all()
    results = db.exec(
        select(AuctionResult).where(AuctionResult.auction_id == by_title[FINISHED].id)
    ).all()
    assert len(results) == len(finished_lots) == 3
    assert {r.kind for r in results} == {"open", "offer", "none"}
    # every lot's ledger is gap-free
    for lot in db.exec(select(AuctionLot)).all():
        seqs = sorted(db.exec(select(AuctionBid.seq).where(AuctionBid.lot_id == lot.id)).all())
        assert seqs == list(range(1, lot.last_seq + 1))
    client = db.exec(select(User).where(User.email == "other@demo.local")).one()
    lot = db.exec(
        select(AuctionLot).where(
            AuctionLot.auction_id == by_title[RUNNING].id, AuctionLot.number == 3
        )
    ).one()
    view = queries.lot_view(db, actor_id=client.id, lot_id=lot.id)
    assert view.can_bid
    r = service.place_bid(db, actor_id=client.id, lot_id=lot.id, amount=view.min_next_bid)
    assert r.leading
