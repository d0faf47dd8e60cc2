"""Auctions on a real database: open bids, price offers, mixed form, refusals that leave the
ledger unchanged, soft close, annulment, pseudonyms, what a participant may learn, the
organiser's actions."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.auctions import queries, rules, service
from cabinet.auctions.rules import BidRefused
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from models import AuditEvent, Membership, Notification, Organisation, User
from models.auctions import (
    Auction,
    AuctionBid,
    AuctionBidVoid,
    AuctionForm,
    AuctionLot,
    AuctionStatus,
    StepKind,
)
from models.base import utcnow

pytestmark = pytest.mark.db

_seq = itertools.count(1)


def make_org(db: Session, name: str | None = None, *, active: bool = True) -> Organisation:
    n = next(_seq)
    org = Organisation(name=name or f"ООО Сталь {n}", inn=f"77{n:08d}", is_active=active)
    db.add(org)
    db.flush()
    return org


def make_user(db: Session, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Участник торгов {n}",
        email=f"bidder{n}-{id(db)}@test.local",
        phone=f"+7907{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    if role:
        grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


def make_auction(
    db: Session,
    organiser: User,
    *,
    form: str = AuctionForm.MIXED,
    status: str = AuctionStatus.RUNNING,
    ends_in: timedelta = timedelta(hours=2),
    started_ago: timedelta = timedelta(minutes=30),
    step: Decimal = Decimal("1000"),
    step_kind: str = StepKind.AMOUNT,
    soft: tuple[int, int] = (2, 2),
    lots: int = 1,
    start_price: Decimal = Decimal("100000"),
) -> tuple[Auction, list[AuctionLot]]:
    now = utcnow()
    a = Auction(
        title=f"Трубный прокат {next(_seq)}",
        organiser_id=organiser.id or 0,
        form=form,
        status=status,
        starts_at=now - started_ago,
        ends_at=now + ends_in,
        step_kind=step_kind,
        step_value=step,
        soft_close_minutes=soft[0],
        extension_minutes=soft[1],
    )
    db.add(a)
    db.flush()
    made = []
    for i in range(lots):
        lot = AuctionLot(
            auction_id=a.id or 0,
            number=i + 1,
            product=f"Труба 530×8 К52, партия {i + 1}",
            quantity=Decimal("120.5"),
            unit="т",
            start_price=start_price,
            currency="RUB",
            delivery_terms="FCA Выкса",
            search_text=rules.search_text(f"Труба 530×8 К52, партия {i + 1}", "FCA Выкса"),
            effective_end=a.ends_at,
        )
        db.add(lot)
        made.append(lot)
    db.flush()
    return a, made


class World:
    def __init__(self, db: Session) -> None:
        ensure_builtin_roles(db)
        self.org_a = make_org(db, "ООО «Альфа-Трубы»")
        self.org_b = make_org(db, "АО «Бета-Металл»")
        self.org_c = make_org(db, "ООО «Гамма»")
        self.inactive = make_org(db, "ООО «Закрытая»", active=False)
        self.a1 = make_user(db, role=BuiltinRole.CUSTOMER, org=self.org_a)
        self.a2 = make_user(db, role=BuiltinRole.CUSTOMER, org=self.org_a)
        self.b1 = make_user(db, role=BuiltinRole.CUSTOMER, org=self.org_b)
        self.c1 = make_user(db, role=BuiltinRole.CUSTOMER, org=self.org_c)
        self.closed_user = make_user(db, role=BuiltinRole.CUSTOMER, org=self.inactive)
        self.no_org = make_user(db)
        self.organiser = make_user(db, role=BuiltinRole.MANAGER)
        self.operator = make_user(db, role=BuiltinRole.OPERATOR)  # staff without organise


@pytest.fixture
def w(db: Session) -> World:
    return World(db)


def ledger_count(db: Session, lot_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(AuctionBid)
    if lot_id is not None:
        stmt = stmt.where(AuctionBid.lot_id == lot_id)
    return int(db.exec(stmt).one())


def uid(u: User) -> int:
    assert u.id is not None
    return u.id


# --------------------------------------------------------------------------- open bids


def test_first_open_bid_at_start_price_leads_and_gets_pseudonym(db, w):
    _, (lot,) = make_auction(db, w.organiser)
    r = service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100 000")
    assert r.leading and r.amount == Decimal("100000.00") and r.seq == 1
    assert r.participant == "Участник 1"
    view = queries.lot_view(db, actor_id=uid(w.b1), lot_id=lot.id)
    assert view.best_amount == Decimal("100000.00")
    assert view.best_participant == "Участник 1"
    assert view.min_next_bid == Decimal("101000.00")
    assert not view.my_leading and view.can_bid


def test_open_bid_below_start_price_or_step_is_refused_and_ledger_unchanged(db, w):
    _, (lot,) = make_auction(db, w.organiser)
    with pytest.raises(BidRefused, match="не ниже стартовой цены"):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="99999.99")
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    with pytest.raises(BidRefused, match="не меньше 101"):
        service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="100999.99")
    assert ledger_count(db, lot.id) == 1
    r = service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="101000")
    assert r.participant == "Участник 2" and r.seq == 2


def test_percent_step_is_taken_of_the_current_price(db, w):
    _, (lot,) = make_auction(db, w.organiser, step=Decimal("2.5"), step_kind=StepKind.PERCENT)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    with pytest.raises(BidRefused):
        service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="102499.99")
    service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="102500")


def test_leader_cannot_outbid_own_organisation(db, w):
    _, (lot,) = make_auction(db, w.organiser)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    with pytest.raises(BidRefused, match="уже лидирует"):
        service.place_bid(db, actor_id=uid(w.a2), lot_id=lot.id, amount="150000")
    assert ledger_count(db, lot.id) == 1


def test_pseudonym_is_stable_per_organisation_across_lots(db, w):
    _, (l1, l2) = make_auction(db, w.organiser, lots=2)
    service.place_bid(db, actor_id=uid(w.b1), lot_id=l1.id, amount="100000")
    service.place_bid(db, actor_id=uid(w.a1), lot_id=l1.id, amount="101000")
    r = service.place_bid(db, actor_id=uid(w.a2), lot_id=l2.id, amount="100000")
    assert r.participant == "Участник 2"  # the same organisation as a1
    r = service.place_bid(db, actor_id=uid(w.b1), lot_id=l2.id, amount="101000")
    assert r.participant == "Участник 1"


def test_outbid_participant_is_notified(db, w):
    _, (lot,) = make_auction(db, w.organiser)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="101000")
    notes = db.exec(
        select(Notification).where(
            Notification.user_id == w.a1.id, Notification.event == "auctions.outbid"
        )
    ).all()
    assert len(notes) == 1


def test_outbid_again_while_unread_does_not_flood_the_bell(db, w):
    _, (lot,) = make_auction(db, w.organiser)
    amount = 100000
    for user in (w.a1, w.b1, w.a1, w.b1, w.a1):
        service.place_bid(db, actor_id=uid(user), lot_id=lot.id, amount=str(amount))
        amount += 1000

    def outbid(user: User) -> list[Notification]:
        return list(
            db.exec(
                select(Notification).where(
                    Notification.user_id == user.id, Notification.event == "auctions.outbid"
                )
            ).all()
        )

    assert len(outbid(w.a1)) == 1 and len(outbid(w.b1)) == 1
    note = outbid(w.b1)[0]
    note.read_at = utcnow()
    db.add(note)
    db.flush()
    service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount=str(amount))
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount=str(amount + 1000))
    assert len(outbid(w.b1)) == 2  # read it, outbid again: told again


def test_a_deferred_outbid_notice_is_sent_once_after_the_bid(db, w):
    """The live page's path: the bid commits without the notice and hands it over; sending
    it writes one notice, sending it again (or another bid's, while unread) writes none."""
    _, (lot,) = make_auction(db, w.organiser)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    r = service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="101000", defer_notice=True)
    assert r.outbid is not None and r.outbid.user_id == w.a1.id

    def told() -> int:
        return len(
            db.exec(
                select(Notification).where(
                    Notification.user_id == w.a1.id, Notification.event == "auctions.outbid"
                )
            ).all()
        )

    assert told() == 0  # the bid is committed; the notice is the caller's to send
    assert service.send_outbid_notice(db, r.outbid) is True
    assert service.send_outbid_notice(db, r.outbid) is False  # one unread at a time
    assert told() == 1
    note = db.exec(select(Notification).where(Notification.user_id == w.a1.id)).one()
    assert "101" in note.body and note.link.endswith(f"id={lot.id}")
    # a1 takes the lead back: now b1 is owed one
    r = service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="102000")
    assert r.outbid is not None and r.outbid.user_id == w.b1.id  # sent (defer_notice off)
    assert len(db.exec(select(Notification).where(Notification.user_id == w.b1.id)).all()) == 1


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "amount", ["-5", "0", "NaN", "Infinity", "1e40", "100000.001", "abc", "", 1.5, None, True]
)
def test_forged_amounts_are_refused(db, w, amount):
    _, (lot,) = make_auction(db, w.organiser)
    with pytest.raises(ValidationFailed):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount=amount)
    with pytest.raises(ValidationFailed):
        service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount=amount)
    assert ledger_count(db, lot.id) == 0


@pytest.mark.parametrize("lot_id", [0, -1, "x", 2**40, None, "1; drop table", True])
def test_forged_lot_ids_are_not_found(db, w, lot_id):
    with pytest.raises(NotFound):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=lot_id, amount="100000")
    with pytest.raises(NotFound):
        queries.lot_view(db, actor_id=uid(w.a1), lot_id=lot_id)


def test_missing_lot_is_not_found(db, w):
    with pytest.raises(NotFound):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=987654, amount="100000")


def test_unapproved_or_inactive_organisation_cannot_bid(db, w):
    _, (lot,) = make_auction(db, w.organiser)
    for user in (w.no_org, w.closed_user, w.organiser, w.operator):
        with pytest.raises(PermissionDenied):
            service.place_bid(db, actor_id=uid(user), lot_id=lot.id, amount="100000")
    assert ledger_count(db, lot.id) == 0


def test_no_bids_after_the_end_or_before_the_start(db, w):
    _, (ended,) = make_auction(db, w.organiser, ends_in=timedelta(seconds=-1))
    with pytest.raises(BidRefused, match="завершены"):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=ended.id, amount="100000")
    _, (future,) = make_auction(
        db, w.organiser, status=AuctionStatus.ANNOUNCED, started_ago=timedelta(hours=-1)
    )
    with pytest.raises(BidRefused, match="ещё не начались"):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=future.id, amount="100000")
    assert ledger_count(db) == 0


def test_cancelled_auction_refuses_bids_and_draft_lots_are_invisible(db, w):
    _, (lot,) = make_auction(db, w.organiser, status=AuctionStatus.CANCELLED)
    with pytest.raises(BidRefused, match="отменён"):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    _, (draft,) = make_auction(db, w.organiser, status=AuctionStatus.DRAFT)
    with pytest.raises(NotFound):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=draft.id, amount="100000")
    with pytest.raises(NotFound):
        queries.lot_view(db, actor_id=uid(w.a1), lot_id=draft.id)


def test_form_decides_which_kind_is_allowed(db, w):
    _, (open_lot,) = make_auction(db, w.organiser, form=AuctionForm.OPEN)
    with pytest.raises(BidRefused, match="не принимаются"):
        service.place_offer(db, actor_id=uid(w.a1), lot_id=open_lot.id, amount="90000")
    _, (closed_lot,) = make_auction(db, w.organiser, form=AuctionForm.CLOSED)
    with pytest.raises(BidRefused, match="только ценовые"):
        service.place_bid(db, actor_id=uid(w.a1), lot_id=closed_lot.id, amount="100000")
    assert ledger_count(db) == 0


# --------------------------------------------------------------------------- offers


def test_offer_is_hidden_from_others_and_editable_and_withdrawable(db, w):
    _, (lot,) = make_auction(db, w.organiser, form=AuctionForm.CLOSED)
    r = service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="90000")
    assert not r.leading and r.best_amount is None
    mine = queries.lot_view(db, actor_id=uid(w.a2), lot_id=lot.id)  # a colleague sees it
    assert mine.my_offer == Decimal("90000.00") and mine.can_withdraw
    other = queries.lot_view(db, actor_id=uid(w.b1), lot_id=lot.id)
    assert other.my_offer is None and other.history == [] and other.best_amount is None
    assert "90000" not in repr(other) and "90 000" not in repr(other)
    service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="95000")
    assert queries.lot_view(db, actor_id=uid(w.a1), lot_id=lot.id).my_offer == Decimal("95000")
    service.withdraw_offer(db, actor_id=uid(w.a1), lot_id=lot.id)
    assert queries.lot_view(db, actor_id=uid(w.a1), lot_id=lot.id).my_offer is None
    with pytest.raises(BidRefused, match="нет действующего"):
        service.withdraw_offer(db, actor_id=uid(w.a1), lot_id=lot.id)
    assert ledger_count(db, lot.id) == 2  # the ledger keeps both offers
    kinds = {v.kind for v in db.exec(select(AuctionBidVoid)).all() if v.lot_id == lot.id}
    assert kinds == {"replaced", "withdrawn"}


def test_offers_and_withdrawals_leave_the_public_version_so_no_watcher_is_woken(db, w):
    """A closed offer must not show itself: the lot's version (what wakes every open page)
    stays; the ledger sequence moves, and an open bid after it takes the next number."""
    _, (lot,) = make_auction(db, w.organiser, form=AuctionForm.MIXED)
    version = lot.version
    r = service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="90000")
    service.place_offer(db, actor_id=uid(w.b1), lot_id=lot.id, amount="91000")
    service.withdraw_offer(db, actor_id=uid(w.b1), lot_id=lot.id)
    db.refresh(lot)
    assert lot.version == version and r.version == version and lot.last_seq == 2
    bid = service.place_bid(db, actor_id=uid(w.c1), lot_id=lot.id, amount="100000")
    assert bid.seq == 3 and bid.version == version + 1


def test_offer_must_be_strictly_below_start_price(db, w):
    _, (lot,) = make_auction(db, w.organiser, form=AuctionForm.CLOSED)
    with pytest.raises(BidRefused, match="строго ниже"):
        service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="99999.99")


def test_offer_refused_once_the_lot_has_open_bids_and_open_bid_replaces_own_offer(db, w):
    _, (lot,) = make_auction(db, w.organiser, form=AuctionForm.MIXED)
    service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="80000")
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    view = queries.lot_view(db, actor_id=uid(w.a1), lot_id=lot.id)
    assert view.my_offer is None and view.my_leading and not view.can_offer
    with pytest.raises(BidRefused, match="уже есть открытые ставки"):
        service.place_offer(db, actor_id=uid(w.b1), lot_id=lot.id, amount="90000")
    assert ledger_count(db, lot.id) == 2


def test_offer_does_not_move_the_end_but_an_open_bid_in_the_window_does(db, w):
    _, (lot,) = make_auction(db, w.organiser, ends_in=timedelta(seconds=60), soft=(2, 2))
    end = lot.effective_end
    r = service.place_offer(db, actor_id=uid(w.a1), lot_id=lot.id, amount="90000")
    assert r.effective_end == end and not r.extended
    r = service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="100000")
    assert r.extended and r.effective_end > end
    assert r.effective_end - utcnow() > timedelta(seconds=110)
    view = queries.lot_view(db, actor_id=uid(w.c1), lot_id=lot.id)
    assert view.extended and view.effective_end == r.effective_end


def test_bid_outside_the_window_does_not_extend(db, w):
    _, (lot,) = make_auction(db, w.organiser, ends_in=timedelta(minutes=30))
    r = service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    assert not r.extended and r.effective_end == lot.effective_end


# --------------------------------------------------------------------------- ledger, annul


def test_ledger_is_append_only_and_seq_gap_free(db, w):
    _, (lot,) = make_auction(db, w.organiser, form=AuctionForm.MIXED)
    service.place_offer(db, actor_id=uid(w.c1), lot_id=lot.id, amount="50000")
    service.place_offer(db, actor_id=uid(w.c1), lot_id=lot.id, amount="60000")
    for user, amount in ((w.a1, "100000"), (w.b1, "101000"), (w.a1, "105000")):
        service.place_bid(db, actor_id=uid(user), lot_id=lot.id, amount=amount)
    seqs = db.exec(select(AuctionBid.seq).where(AuctionBid.lot_id == lot.id)).all()
    assert sorted(seqs) == [1, 2, 3, 4, 5]
    db.refresh(lot)
    assert lot.last_seq == 5 and lot.open_bids == 3


def test_annul_recomputes_best_and_is_recorded(db, w):
    a, (lot,) = make_auction(db, w.organiser)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    top = service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="120000")
    with pytest.raises(PermissionDenied):
        service.annul_bid(db, actor_id=uid(w.a1), bid_id=top.bid_id, reason="не нравится")
    with pytest.raises(ValidationFailed):
        service.annul_bid(db, actor_id=uid(w.organiser), bid_id=top.bid_id, reason="  ")
    service.annul_bid(
        db, actor_id=uid(w.organiser), bid_id=top.bid_id, reason="Ошибка оператора участника"
    )
    view = queries.lot_view(db, actor_id=uid(w.c1), lot_id=lot.id)
    assert view.best_amount == Decimal("100000.00") and view.best_participant == "Участник 1"
    assert [h.amount for h in view.history] == [Decimal("100000.00")]
    rows = queries.ledger(db, actor_id=uid(w.organiser), auction_id=a.id)
    annulled = next(r for r in rows if r.bid_id == top.bid_id)
    assert annulled.state == "annulled" and annulled.void_reason == "Ошибка оператора участника"
    assert annulled.organisation == "АО «Бета-Металл»"
    assert ledger_count(db, lot.id) == 2
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "auctions.bid_annul")).first()
    with pytest.raises(ValidationFailed, match="уже не действует"):
        service.annul_bid(db, actor_id=uid(w.organiser), bid_id=top.bid_id, reason="ещё раз")


def test_participant_never_sees_other_identities(db, w):
    a, (lot,) = make_auction(db, w.organiser)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="101000")
    view = queries.lot_view(db, actor_id=uid(w.c1), lot_id=lot.id)
    text = repr(view)
    for secret in ("Альфа", "Бета", w.a1.full_name, w.b1.full_name, w.a1.email):
        assert secret not in text
    with pytest.raises(PermissionDenied):
        queries.ledger(db, actor_id=uid(w.c1), auction_id=a.id)
    with pytest.raises(PermissionDenied):
        queries.results(db, actor_id=uid(w.c1), auction_id=a.id)


# --------------------------------------------------------------------------- organiser


def _fields(**over):
    now = utcnow()
    base = {
        "title": "Трубы большого диаметра, январь",
        "description": "Продажа остатков.",
        "starts_at": now + timedelta(days=1),
        "ends_at": now + timedelta(days=1, hours=4),
        "form": AuctionForm.MIXED,
        "step_kind": StepKind.AMOUNT,
        "step_value": Decimal("5000"),
        "soft_close_minutes": 2,
        "extension_minutes": 2,
    }
    base.update(over)
    return rules.AuctionFields(**base)


def test_organiser_creates_announces_and_reschedules_with_notification(db, w):
    aid = service.create_auction(db, actor_id=uid(w.organiser), fields=_fields())
    with pytest.raises(ValidationFailed, match="хотя бы один лот"):
        service.announce_auction(db, actor_id=uid(w.organiser), auction_id=aid)
    lot_fields = rules.validate_lot("Лист г/к 10 мм", "25", "т", "1 500 000", "RUB", "EXW")
    service.add_lot(db, actor_id=uid(w.organiser), auction_id=aid, fields=lot_fields)
    with pytest.raises(NotFound):  # a draft is the organiser's business
        queries.auction_view(db, actor_id=uid(w.a1), auction_id=aid)
    service.announce_auction(db, actor_id=uid(w.organiser), auction_id=aid)
    assert queries.auction_view(db, actor_id=uid(w.a1), auction_id=aid).status == "announced"
    later = utcnow() + timedelta(days=2)
    service.update_auction(
        db,
        actor_id=uid(w.organiser),
        auction_id=aid,
        fields=_fields(starts_at=later, ends_at=later + timedelta(hours=3)),
    )
    notes = db.exec(
        select(Notification).where(Notification.event == "auctions.schedule_changed")
    ).all()
    assert {n.user_id for n in notes} >= {w.a1.id, w.b1.id}
    assert w.closed_user.id not in {n.user_id for n in notes}
    lot = db.exec(select(AuctionLot).where(AuctionLot.auction_id == aid)).one()
    assert lot.effective_end == later + timedelta(hours=3)
    items = queries.calendar(db, actor_id=uid(w.a1), month=date(later.year, later.month, 1))
    assert aid in {i.auction_id for i in items}


def test_customer_cannot_organise(db, w):
    with pytest.raises(PermissionDenied):
        service.create_auction(db, actor_id=uid(w.a1), fields=_fields())
    with pytest.raises(PermissionDenied):
        service.create_auction(db, actor_id=uid(w.operator), fields=_fields())


def test_bad_auction_form_is_refused(db, w):
    now = utcnow()
    with pytest.raises(ValidationFailed) as e:
        service.create_auction(
            db, actor_id=uid(w.organiser), fields=_fields(ends_at=now + timedelta(hours=1))
        )
    assert e.value.field == "ends_at"
    with pytest.raises(ValidationFailed) as e:
        service.create_auction(db, actor_id=uid(w.organiser), fields=_fields(title=" "))
    assert e.value.field == "title"


def test_cancel_running_auction_stops_bids(db, w):
    a, (lot,) = make_auction(db, w.organiser)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    with pytest.raises(ValidationFailed):
        service.cancel_auction(db, actor_id=uid(w.organiser), auction_id=a.id, reason="")
    service.cancel_auction(db, actor_id=uid(w.organiser), auction_id=a.id, reason="Снят с торгов")
    with pytest.raises(BidRefused, match="отменён"):
        service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="200000")
    assert ledger_count(db, lot.id) == 1


def test_list_lots_filters_and_pages(db, w):
    a, lots = make_auction(db, w.organiser, lots=7)
    f = queries.LotFilters(q="ПАРТИЯ 7", auction_id=a.id)
    page = queries.list_lots(db, actor_id=uid(w.a1), filters=f)
    assert [r.number for r in page.rows] == [7]
    page = queries.list_lots(
        db, actor_id=uid(w.a1), filters=queries.LotFilters(auction_id=a.id), limit=5
    )
    assert len(page.rows) == 5 and page.next_after
    rest = queries.list_lots(
        db,
        actor_id=uid(w.a1),
        filters=queries.LotFilters(auction_id=a.id),
        cursor=page.next_after,
        limit=5,
    )
    assert len(rest.rows) == 2
    assert {r.lot_id for r in page.rows + rest.rows} == {lot.id for lot in lots}
    with pytest.raises(PermissionDenied):
        queries.list_lots(db, actor_id=uid(w.no_org), filters=queries.LotFilters())


def test_lot_version_moves_with_every_accepted_change(db, w):
    _, (lot,) = make_auction(db, w.organiser)
    v0 = queries.lot_version(db, lot.id)
    service.place_bid(db, actor_id=uid(w.a1), lot_id=lot.id, amount="100000")
    v1 = queries.lot_version(db, lot.id)
    with pytest.raises(BidRefused):
        service.place_bid(db, actor_id=uid(w.b1), lot_id=lot.id, amount="100")
    assert queries.lot_version(db, lot.id) == v1 > v0
    assert queries.lot_version(db, 10**9) == -1


def test_lots_are_edited_deleted_and_imported_only_before_the_start(db, w):
    aid = service.create_auction(db, actor_id=uid(w.organiser), fields=_fields())
    f = rules.validate_lot("Труба 325×8", "12", "т", "980000", "RUB", "FCA")
    lot_id = service.add_lot(db, actor_id=uid(w.organiser), auction_id=aid, fields=f)
    g = rules.validate_lot("Труба 325×10", "14", "т", "1 100 000", "RUB", "EXW")
    service.update_lot(db, actor_id=uid(w.organiser), lot_id=lot_id, fields=g)
    lot = db.get(AuctionLot, lot_id)
    db.refresh(lot)
    assert lot.product == "Труба 325×10" and lot.start_price == Decimal("1100000.00")
    assert "exw" in lot.search_text
    n = service.import_lots(db, actor_id=uid(w.organiser), auction_id=aid, rows=[f, g])
    numbers = db.exec(select(AuctionLot.number).where(AuctionLot.auction_id == aid)).all()
    assert n == 2 and sorted(numbers) == [1, 2, 3]
    with pytest.raises(PermissionDenied):
        service.delete_lot(db, actor_id=uid(w.a1), lot_id=lot_id)
    service.delete_lot(db, actor_id=uid(w.organiser), lot_id=lot_id)
    assert db.get(AuctionLot, lot_id) is None
    with pytest.raises(ValidationFailed):
        service.import_lots(db, actor_id=uid(w.organiser), auction_id=aid, rows=[])
    # a running auction's lots are frozen
    a, (running_lot,) = make_auction(db, w.organiser)
    for call in (
        lambda: service.update_lot(db, actor_id=uid(w.organiser), lot_id=running_lot.id, fields=g),
        lambda: service.delete_lot(db, actor_id=uid(w.organiser), lot_id=running_lot.id),
        lambda: service.add_lot(db, actor_id=uid(w.organiser), auction_id=a.id, fields=g),
        lambda: service.import_lots(db, actor_id=uid(w.organiser), auction_id=a.id, rows=[g]),
        lambda: service.update_auction(
            db, actor_id=uid(w.organiser), auction_id=a.id, fields=_fields()
        ),
    ):
        with pytest.raises(ValidationFailed):
            call()


def test_stale_edit_is_refused(db, w):
    aid = service.create_auction(db, actor_id=uid(w.organiser), fields=_fields())
    version = db.get(Auction, aid).version
    service.update_auction(
        db, actor_id=uid(w.organiser), auction_id=aid, fields=_fields(title="Первый")
    )
    with pytest.raises(service.StaleVersion):
        service.update_auction(
            db,
            actor_id=uid(w.organiser),
            auction_id=aid,
            fields=_fields(title="Второй"),
            expected_version=version,
        )
    assert db.get(Auction, aid).title == "Первый"
