"""Auction reads, scoped: participants see auctions that are not drafts, anonymised; the
organiser (Perm.AUCTIONS_ORGANISE) sees everything, de-anonymised.

A participant never learns another organisation's identity or closed price offer from here:
`lot_view` names bidders only by pseudonym ("Участник N"), shows open bids only, and the
caller's own offer only to the caller's organisation.
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from cabinet import pagination
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor
from cabinet.auctions import rules
from cabinet.errors import NotFound, PermissionDenied
from models import Membership, Organisation, RolePermission, User, UserRole
from models.auctions import (
    Auction,
    AuctionBid,
    AuctionBidVoid,
    AuctionLot,
    AuctionParticipant,
    AuctionResult,
    AuctionStatus,
    BidKind,
    ResultKind,
)
from models.base import utcnow

HISTORY_SIZE = 15
PAGE_SIZE = 25


# --------------------------------------------------------------------------- access


def is_organiser(actor: Actor) -> bool:
    return actor.has(Perm.AUCTIONS_ORGANISE)


def bid_org_ids(actor: Actor) -> list[int]:
    return sorted(o for o in actor.member_org_ids if actor.has(Perm.AUCTIONS_BID, o))


def may_view(actor: Actor) -> bool:
    """Participants (AUCTIONS_BID in some organisation) and organisers see the calendar."""
    return is_organiser(actor) or bool(bid_org_ids(actor))


def _viewer(session: Session, actor_id: int) -> Actor:
    actor = load_actor(session, actor_id)
    if not may_view(actor):
        raise PermissionDenied(
            "Аукционы доступны представителям организаций, подтверждённых в кабинете."
        )
    return actor


def _visible_statuses(actor: Actor) -> frozenset[str]:
    return frozenset(AuctionStatus) if is_organiser(actor) else rules.PUBLIC


def _id(value: object) -> int:
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise NotFound("Лот не найден.") from None
    if isinstance(value, bool) or not 0 < n < 2**31:
        raise NotFound("Лот не найден.")
    return n


# --------------------------------------------------------------------------- ledger helpers


def voided_ids(session: Session, lot_id: int) -> set[int]:
    return set(
        session.exec(select(AuctionBidVoid.bid_id).where(AuctionBidVoid.lot_id == lot_id)).all()
    )


def bid_infos(session: Session, lot_id: int) -> list[rules.BidInfo]:
    """Every ledger row of the lot with its active flag (for the winner and recomputations)."""
    voided = voided_ids(session, lot_id)
    rows = session.exec(
        select(AuctionBid).where(AuctionBid.lot_id == lot_id).order_by(col(AuctionBid.seq))
    ).all()
    return [
        rules.BidInfo(
            id=b.id or 0,
            seq=b.seq,
            kind=b.kind,
            amount=b.amount,
            organisation_id=b.organisation_id,
            user_id=b.user_id,
            active=b.id not in voided,
        )
        for b in rows
    ]


def audience_user_ids(session: Session) -> list[int]:
    """Everyone who may bid: users holding Perm.AUCTIONS_BID in an active organisation they
    belong to (announcements, start, schedule changes, 1 hour before the end)."""
    rows = session.exec(
        select(UserRole.user_id)
        .join(RolePermission, col(RolePermission.role_id) == col(UserRole.role_id))
        .join(
            Membership,
            and_(
                col(Membership.user_id) == col(UserRole.user_id),
                col(Membership.organisation_id) == col(UserRole.organisation_id),
            ),
        )
        .join(Organisation, col(Organisation.id) == col(UserRole.organisation_id))
        .join(User, col(User.id) == col(UserRole.user_id))
        .where(
            RolePermission.permission == Perm.AUCTIONS_BID,
            col(Organisation.is_active).is_(True),
            col(User.is_blocked).is_(False),
        )
        .distinct()
    ).all()
    return sorted(int(r) for r in rows)


def bidder_user_ids(session: Session, auction_id: int) -> list[int]:
    rows = session.exec(
        select(AuctionBid.user_id).where(AuctionBid.auction_id == auction_id).distinct()
    ).all()
    return sorted(int(r) for r in rows)


# --------------------------------------------------------------------------- the lot page


@dataclass(frozen=True)
class HistoryRow:
    participant: str  # "Участник N"
    amount: Decimal
    at: datetime
    mine: bool  # placed by the caller's organisation


@dataclass(frozen=True)
class LotView:
    """Everything a participant's lot page shows. Nothing about other organisations except
    their pseudonyms and open bids."""

    lot_id: int
    auction_id: int
    auction_title: str
    number: int
    product: str
    quantity: Decimal
    unit: str
    start_price: Decimal
    currency: str
    delivery_terms: str
    form: str
    form_label: str
    status: str  # the auction's status
    status_label: str
    now: datetime  # the server clock
    starts_at: datetime
    effective_end: datetime  # after soft-close extensions
    extended: bool  # the end has moved past the auction's planned end
    closed: bool  # the lot's result is decided
    soft_close_minutes: int
    extension_minutes: int
    best_amount: Decimal | None
    best_participant: str  # "" when nobody has bid openly
    open_bids: int
    history: list[HistoryRow] = field(default_factory=list)  # newest first
    step: Decimal = Decimal("0.01")
    min_next_bid: Decimal = Decimal("0.01")
    my_participant: str = ""  # the caller's organisation's pseudonym, "" before its first bid
    my_leading: bool = False
    my_bid_openly: bool = False  # the caller's organisation has made an open bid on the lot
    my_offer: Decimal | None = None  # the caller's organisation's active price offer
    my_offer_at: datetime | None = None
    can_bid: bool = False
    can_offer: bool = False
    can_withdraw: bool = False
    why_not: str = ""  # why the caller may not bid now ("" when they may)
    result_kind: str = ""  # "open" | "offer" | "none" after the close
    result_price: Decimal | None = None  # open results: public; an offer result: winner only
    result_mine: bool = False
    version: int = 0


def lot_version(session: Session, lot_id: int) -> int:
    """The lot's compare-and-set counter (bumped by every accepted bid, offer change,
    annulment, close and organiser's change): a cheap "has anything changed?"; -1 if absent."""
    v = session.exec(select(AuctionLot.version).where(AuctionLot.id == lot_id)).first()
    return -1 if v is None else int(v)


def lot_versions(session: Session, lot_ids: list[int]) -> dict[int, int]:
    if not lot_ids:
        return {}
    rows = session.exec(
        select(AuctionLot.id, AuctionLot.version).where(col(AuctionLot.id).in_(lot_ids))
    ).all()
    return {int(i): int(v) for i, v in rows if i is not None}


def lot_view(session: Session, *, actor_id: int, lot_id: object) -> LotView:
    actor = _viewer(session, actor_id)
    lid = _id(lot_id)
    lot = session.get(AuctionLot, lid, populate_existing=True)
    if lot is None:
        raise NotFound("Лот не найден.")
    auction = session.get(Auction, lot.auction_id, populate_existing=True)
    if auction is None or auction.status not in _visible_statuses(actor):
        raise NotFound("Лот не найден.")
    now = utcnow()
    orgs = bid_org_ids(actor)
    my_part = session.exec(
        select(AuctionParticipant).where(
            AuctionParticipant.auction_id == auction.id,
            col(AuctionParticipant.organisation_id).in_(orgs or [-1]),
        )
    ).first()
    my_org = my_part.organisation_id if my_part else (orgs[0] if orgs else None)
    voided = voided_ids(session, lid)
    recent = session.exec(
        select(AuctionBid)
        .where(AuctionBid.lot_id == lid, AuctionBid.kind == BidKind.OPEN)
        .order_by(col(AuctionBid.seq).desc())
        .limit(HISTORY_SIZE + len(voided))
    ).all()
    history = [
        HistoryRow(
            participant=rules.pseudonym(b.participant_no),
            amount=b.amount,
            at=b.created_at,
            mine=b.organisation_id == my_org,
        )
        for b in recent
        if b.id not in voided
    ][:HISTORY_SIZE]
    best_bid = session.get(AuctionBid, lot.best_bid_id) if lot.best_bid_id else None
    my_offer = None
    if my_org is not None:
        my_offer = session.exec(
            select(AuctionBid)
            .where(
                AuctionBid.lot_id == lid,
                AuctionBid.organisation_id == my_org,
                AuctionBid.kind == BidKind.OFFER,
                col(AuctionBid.id).not_in(voided or {-1}),
            )
            .order_by(col(AuctionBid.seq).desc())
        ).first()
    state = rules.LotState(
        form=auction.form,
        auction_status=auction.status,
        starts_at=auction.starts_at,
        effective_end=lot.effective_end,
        closed=lot.closed_at is not None,
        start_price=lot.start_price,
        best_amount=lot.best_amount,
        best_org_id=best_bid.organisation_id if best_bid else None,
        open_bids=lot.open_bids,
        step_kind=auction.step_kind,
        step_value=auction.step_value,
    )
    least = rules.min_next_bid(
        start_price=lot.start_price,
        best_amount=lot.best_amount,
        step_kind=auction.step_kind,
        step_value=auction.step_value,
    )
    why = ""
    can_bid = can_offer = False
    if my_org is None:
        why = "Делать ставки могут только представители организаций, подтверждённых в кабинете."
    else:
        try:
            rules.check_running(state, now)
        except rules.BidRefused as e:
            why = e.message
        else:
            can_bid = rules.allows(auction.form, BidKind.OPEN) and not (
                best_bid is not None and best_bid.organisation_id == my_org
            )
            can_offer = rules.allows(auction.form, BidKind.OFFER) and lot.open_bids == 0
    bid_openly = my_org is not None and (
        session.exec(
            select(AuctionBid.id).where(
                AuctionBid.lot_id == lid,
                AuctionBid.organisation_id == my_org,
                AuctionBid.kind == BidKind.OPEN,
            )
        ).first()
        is not None
    )
    result = session.exec(select(AuctionResult).where(AuctionResult.lot_id == lid)).first()
    result_mine = bool(result and my_org is not None and result.winner_org_id == my_org)
    result_price = None
    if result is not None and (result.kind == ResultKind.OPEN or result_mine):
        result_price = result.price
    return LotView(
        lot_id=lid,
        auction_id=auction.id or 0,
        auction_title=auction.title,
        number=lot.number,
        product=lot.product,
        quantity=lot.quantity,
        unit=lot.unit,
        start_price=lot.start_price,
        currency=lot.currency,
        delivery_terms=lot.delivery_terms,
        form=auction.form,
        form_label=rules.FORM_LABELS.get(auction.form, ("", ""))[0],
        status=auction.status,
        status_label=rules.STATUS_LABELS.get(auction.status, ("", ""))[0],
        now=now,
        starts_at=auction.starts_at,
        effective_end=lot.effective_end,
        extended=lot.effective_end > auction.ends_at,
        closed=lot.closed_at is not None,
        soft_close_minutes=auction.soft_close_minutes,
        extension_minutes=auction.extension_minutes,
        best_amount=lot.best_amount,
        best_participant=rules.pseudonym(best_bid.participant_no) if best_bid else "",
        open_bids=lot.open_bids,
        history=history,
        step=rules.step_amount(
            auction.step_kind, auction.step_value, lot.best_amount or lot.start_price
        ),
        min_next_bid=least,
        my_participant=rules.pseudonym(my_part.number) if my_part else "",
        my_leading=best_bid is not None and best_bid.organisation_id == my_org,
        my_bid_openly=bid_openly,
        my_offer=my_offer.amount if my_offer else None,
        my_offer_at=my_offer.created_at if my_offer else None,
        can_bid=can_bid,
        can_offer=can_offer,
        can_withdraw=my_offer is not None and not why,
        why_not=why,
        result_kind=result.kind if result else "",
        result_price=result_price,
        result_mine=result_mine,
        version=lot.version,
    )


# --------------------------------------------------------------------------- calendar, lists


@dataclass(frozen=True)
class CalendarItem:
    auction_id: int
    title: str
    status: str
    status_label: str
    form: str
    form_label: str
    starts_at: datetime
    ends_at: datetime
    lots: int


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    first = datetime(month.year, month.month, 1, tzinfo=UTC) - timedelta(hours=3)
    days = _calendar.monthrange(month.year, month.month)[1]
    return first, first + timedelta(days=days)


def calendar(session: Session, *, actor_id: int, month: date) -> list[CalendarItem]:
    """Auctions that run at any time during `month` (Moscow days, with a 3-hour margin),
    by start time."""
    actor = _viewer(session, actor_id)
    lo, hi = _month_bounds(month)
    lots = (
        select(AuctionLot.auction_id, func.count().label("n"))
        .group_by(col(AuctionLot.auction_id))
        .subquery()
    )
    rows = session.exec(
        select(Auction, lots.c.n)
        .join(lots, lots.c.auction_id == Auction.id, isouter=True)
        .where(
            col(Auction.status).in_(_visible_statuses(actor)),
            col(Auction.starts_at) < hi,
            col(Auction.ends_at) >= lo,
        )
        .order_by(col(Auction.starts_at), col(Auction.id))
        .limit(500)
    ).all()
    return [_calendar_item(a, n) for a, n in rows]


def _calendar_item(a: Auction, n: int | None) -> CalendarItem:
    return CalendarItem(
        auction_id=a.id or 0,
        title=a.title,
        status=a.status,
        status_label=rules.STATUS_LABELS.get(a.status, ("", ""))[0],
        form=a.form,
        form_label=rules.FORM_LABELS.get(a.form, ("", ""))[0],
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        lots=int(n or 0),
    )


@dataclass(frozen=True)
class LotFilters:
    q: str = ""  # words in product, delivery terms, auction title
    status: str = ""  # the auction's status ("running", "announced", "finished"…)
    form: str = ""
    currency: str = ""
    auction_id: int | None = None
    price_from: Decimal | None = None  # current price (best or start)
    price_to: Decimal | None = None
    sort: str = "end"  # "end": ending soonest first; "new": newest lots first


@dataclass(frozen=True)
class LotRow:
    lot_id: int
    auction_id: int
    auction_title: str
    number: int
    product: str
    quantity: Decimal
    unit: str
    start_price: Decimal
    currency: str
    delivery_terms: str
    best_amount: Decimal | None
    open_bids: int
    effective_end: datetime
    starts_at: datetime
    status: str
    status_label: str
    form: str
    form_label: str
    closed: bool
    version: int


_LOT_SPECS = {
    "end": pagination.SortSpec("auction_lots.end", AuctionLot.id, AuctionLot.effective_end),
    "new": pagination.SortSpec("auction_lots.new", AuctionLot.id, descending=True),
}


def list_lots(
    session: Session,
    *,
    actor_id: int,
    filters: LotFilters,
    cursor: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> pagination.Page[LotRow]:
    """Lots of visible auctions, filtered, keyset paged (`cursor`: the next page's token)."""
    actor = _viewer(session, actor_id)
    f = filters
    stmt: Any = (
        select(AuctionLot, Auction)
        .join(Auction, col(Auction.id) == col(AuctionLot.auction_id))
        .where(col(Auction.status).in_(_visible_statuses(actor)))
    )
    words = [w for w in " ".join(f.q.lower().split())[:200].split(" ") if w][:8]
    for w in words:
        stmt = stmt.where(col(AuctionLot.search_text).contains(w, autoescape=True))
    if f.status:
        stmt = stmt.where(Auction.status == f.status)
    if f.form:
        stmt = stmt.where(Auction.form == f.form)
    if f.currency:
        stmt = stmt.where(AuctionLot.currency == f.currency.upper())
    if f.auction_id:
        stmt = stmt.where(AuctionLot.auction_id == f.auction_id)
    price = func.coalesce(col(AuctionLot.best_amount), col(AuctionLot.start_price))
    if f.price_from is not None:
        stmt = stmt.where(price >= f.price_from)
    if f.price_to is not None:
        stmt = stmt.where(price <= f.price_to)
    spec = _LOT_SPECS.get(f.sort, _LOT_SPECS["end"])
    page = pagination.fetch_page(
        session,
        stmt,
        spec,
        after=cursor,
        before=before,
        limit=limit,
        key_of=lambda row: (
            row[0].effective_end if spec.key is not None else None,
            row[0].id,
        ),
    )
    return pagination.Page(
        rows=[_lot_row(lot, a) for lot, a in page.rows],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


def _lot_row(lot: AuctionLot, a: Auction) -> LotRow:
    return LotRow(
        lot_id=lot.id or 0,
        auction_id=a.id or 0,
        auction_title=a.title,
        number=lot.number,
        product=lot.product,
        quantity=lot.quantity,
        unit=lot.unit,
        start_price=lot.start_price,
        currency=lot.currency,
        delivery_terms=lot.delivery_terms,
        best_amount=lot.best_amount,
        open_bids=lot.open_bids,
        effective_end=lot.effective_end,
        starts_at=a.starts_at,
        status=a.status,
        status_label=rules.STATUS_LABELS.get(a.status, ("", ""))[0],
        form=a.form,
        form_label=rules.FORM_LABELS.get(a.form, ("", ""))[0],
        closed=lot.closed_at is not None,
        version=lot.version,
    )


@dataclass(frozen=True)
class AuctionView:
    auction_id: int
    title: str
    description: str
    status: str
    status_label: str
    form: str
    form_label: str
    starts_at: datetime
    ends_at: datetime
    step_kind: str
    step_value: Decimal
    soft_close_minutes: int
    extension_minutes: int
    cancel_reason: str
    version: int
    lots: list[LotRow]


def auction_view(session: Session, *, actor_id: int, auction_id: object) -> AuctionView:
    """One auction with all its lots (participants: not drafts)."""
    actor = _viewer(session, actor_id)
    a = session.get(Auction, _id(auction_id), populate_existing=True)
    if a is None or a.status not in _visible_statuses(actor):
        raise NotFound("Аукцион не найден.")
    lots = session.exec(
        select(AuctionLot).where(AuctionLot.auction_id == a.id).order_by(col(AuctionLot.number))
    ).all()
    return AuctionView(
        auction_id=a.id or 0,
        title=a.title,
        description=a.description,
        status=a.status,
        status_label=rules.STATUS_LABELS.get(a.status, ("", ""))[0],
        form=a.form,
        form_label=rules.FORM_LABELS.get(a.form, ("", ""))[0],
        starts_at=a.starts_at,
        ends_at=a.ends_at,
        step_kind=a.step_kind,
        step_value=a.step_value,
        soft_close_minutes=a.soft_close_minutes,
        extension_minutes=a.extension_minutes,
        cancel_reason=a.cancel_reason,
        version=a.version,
        lots=[_lot_row(lot, a) for lot in lots],
    )


# --------------------------------------------------------------------------- organiser


def _organiser(session: Session, actor_id: int) -> Actor:
    actor = load_actor(session, actor_id)
    if not is_organiser(actor):
        raise PermissionDenied()
    return actor


@dataclass(frozen=True)
class AuctionListRow:
    auction_id: int
    title: str
    status: str
    status_label: str
    form_label: str
    starts_at: datetime
    ends_at: datetime
    lots: int
    bids: int


_AUCTION_SPEC = pagination.SortSpec("auctions.start", Auction.id, Auction.starts_at, True)


def organiser_auctions(
    session: Session,
    *,
    actor_id: int,
    status: str = "",
    q: str = "",
    cursor: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> pagination.Page[AuctionListRow]:
    """Every auction (any status), latest start first, keyset paged."""
    _organiser(session, actor_id)
    stmt: Any = select(Auction)
    if status:
        stmt = stmt.where(Auction.status == status)
    text = " ".join(q.split())[:100]
    if text:
        stmt = stmt.where(
            or_(
                func.lower(col(Auction.title)).contains(text.lower(), autoescape=True),
                col(Auction.title).contains(text, autoescape=True),
            )
        )
    page = pagination.fetch_page(
        session, stmt, _AUCTION_SPEC, after=cursor, before=before, limit=limit, scalars=True
    )
    ids = [a.id for a in page.rows]
    lots = dict(
        session.exec(
            select(AuctionLot.auction_id, func.count())
            .where(col(AuctionLot.auction_id).in_(ids or [-1]))
            .group_by(col(AuctionLot.auction_id))
        ).all()
    )
    bids = dict(
        session.exec(
            select(AuctionBid.auction_id, func.count())
            .where(col(AuctionBid.auction_id).in_(ids or [-1]))
            .group_by(col(AuctionBid.auction_id))
        ).all()
    )
    return pagination.Page(
        rows=[
            AuctionListRow(
                auction_id=a.id or 0,
                title=a.title,
                status=a.status,
                status_label=rules.STATUS_LABELS.get(a.status, ("", ""))[0],
                form_label=rules.FORM_LABELS.get(a.form, ("", ""))[0],
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                lots=int(lots.get(a.id, 0)),
                bids=int(bids.get(a.id, 0)),
            )
            for a in page.rows
        ],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


@dataclass(frozen=True)
class LedgerRow:
    bid_id: int
    lot_id: int
    lot_number: int
    seq: int
    kind: str
    kind_label: str
    amount: Decimal
    participant: str
    organisation: str
    user: str
    at: datetime
    state: str  # "active" | "withdrawn" | "replaced" | "annulled"
    state_label: str
    void_reason: str
    can_annul: bool


@dataclass(frozen=True)
class ResultRow:
    lot_id: int
    lot_number: int
    product: str
    kind: str
    kind_label: str
    organisation: str
    participant: str
    price: Decimal | None
    currency: str
    decided_at: datetime


STATE_LABELS = {
    "active": "Действует",
    "withdrawn": "Отозвано",
    "replaced": "Заменено",
    "annulled": "Аннулирована",
}
KIND_LABELS = {BidKind.OPEN: "Ставка", BidKind.OFFER: "Ценовое предложение"}
RESULT_LABELS: dict[str, str] = {
    ResultKind.OPEN: "Открытая ставка",
    ResultKind.OFFER: "Ценовое предложение",
    ResultKind.NONE: "Ставок не было",
}


LEDGER_PAGE = 200


def ledger_count(session: Session, *, actor_id: int, auction_id: object) -> int:
    _organiser(session, actor_id)
    return int(
        session.exec(
            select(func.count())
            .select_from(AuctionBid)
            .where(AuctionBid.auction_id == _id(auction_id))
        ).one()
    )


def ledger(
    session: Session,
    *,
    actor_id: int,
    auction_id: object,
    lot_id: int | None = None,
    before_id: int | None = None,
    limit: int = LEDGER_PAGE,
) -> list[LedgerRow]:
    """The auction's full ledger for the organiser, newest first, organisations and users
    named; `before_id` pages on (keyset by ledger row id), `lot_id` narrows it to one lot."""
    _organiser(session, actor_id)
    aid = _id(auction_id)
    stmt = (
        select(AuctionBid, AuctionLot, Organisation.name, User.full_name, AuctionBidVoid)  # type: ignore[call-overload]
        .join(AuctionLot, col(AuctionLot.id) == col(AuctionBid.lot_id))
        .join(Organisation, col(Organisation.id) == col(AuctionBid.organisation_id))
        .join(User, col(User.id) == col(AuctionBid.user_id))
        .join(AuctionBidVoid, col(AuctionBidVoid.bid_id) == col(AuctionBid.id), isouter=True)
        .where(AuctionBid.auction_id == aid)
    )
    if lot_id:
        stmt = stmt.where(AuctionBid.lot_id == lot_id)
    if before_id:
        stmt = stmt.where(col(AuctionBid.id) < before_id)
    rows = session.exec(
        stmt.order_by(col(AuctionBid.id).desc()).limit(max(1, min(limit, 1000)))
    ).all()
    out = []
    for b, lot, org, user, void in rows:
        state = void.kind if void else "active"
        out.append(
            LedgerRow(
                bid_id=b.id or 0,
                lot_id=lot.id or 0,
                lot_number=lot.number,
                seq=b.seq,
                kind=b.kind,
                kind_label=KIND_LABELS.get(b.kind, b.kind),
                amount=b.amount,
                participant=rules.pseudonym(b.participant_no),
                organisation=org,
                user=user,
                at=b.created_at,
                state=state,
                state_label=STATE_LABELS.get(state, state),
                void_reason=void.reason if void else "",
                can_annul=void is None and lot.closed_at is None,
            )
        )
    return out


def results(session: Session, *, actor_id: int, auction_id: object) -> list[ResultRow]:
    """The decided lots of an auction with their winners (organiser)."""
    _organiser(session, actor_id)
    aid = _id(auction_id)
    rows = session.exec(
        select(AuctionResult, AuctionLot, Organisation.name, AuctionParticipant.number)
        .join(AuctionLot, col(AuctionLot.id) == col(AuctionResult.lot_id))
        .join(
            Organisation,
            col(Organisation.id) == col(AuctionResult.winner_org_id),
            isouter=True,
        )
        .join(
            AuctionParticipant,
            and_(
                col(AuctionParticipant.auction_id) == col(AuctionResult.auction_id),
                col(AuctionParticipant.organisation_id) == col(AuctionResult.winner_org_id),
            ),
            isouter=True,
        )
        .where(AuctionResult.auction_id == aid)
        .order_by(col(AuctionLot.number))
    ).all()
    return [
        ResultRow(
            lot_id=lot.id or 0,
            lot_number=lot.number,
            product=lot.product,
            kind=r.kind,
            kind_label=RESULT_LABELS.get(r.kind, r.kind),
            organisation=org or "",
            participant=rules.pseudonym(no) if no else "",
            price=r.price,
            currency=lot.currency,
            decided_at=r.decided_at,
        )
        for r, lot, org, no in rows
    ]


def organiser_auction(session: Session, *, actor_id: int, auction_id: object) -> AuctionView:
    """The organiser's view of any auction, drafts included."""
    _organiser(session, actor_id)
    return auction_view(session, actor_id=actor_id, auction_id=auction_id)
