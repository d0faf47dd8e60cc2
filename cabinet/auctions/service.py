"""Auction actions: the only writers of this module.

Bidding (participants, Perm.AUCTIONS_BID held in an active organisation they belong to):
`place_bid`, `place_offer`, `withdraw_offer`. Each appends to the lot's ledger in ONE
transaction that checks the bid against what it read and then moves the lot with a
compare-and-set UPDATE (… WHERE id = :id AND version = :seen). When another bid got there
first (0 rows, or a lock/unique conflict), the transaction is rolled back, the lot is read
again and the bid re-checked against the new best: it is then accepted or refused with the
current figures — never lost silently, and two bidders can never both lead. The server clock
(`utcnow()` at the check) is the only clock.

Organising (staff, Perm.AUCTIONS_ORGANISE): create/edit/announce/cancel auctions, add, edit,
delete and import lots, annul a bid with a reason (the lot's best is recomputed).
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from cabinet import audit, routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor, require
from cabinet.accounts.sessions import LIVE_COLUMNS, hash_token, is_live, resolve_user_id
from cabinet.auctions import queries, rules
from cabinet.auctions.rules import BidRefused
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.formatting import fmt_dt
from cabinet.notifications.service import emit
from models import (
    Membership,
    Notification,
    Organisation,
    RolePermission,
    User,
    UserRole,
    UserSession,
)
from models.auctions import (
    Auction,
    AuctionBid,
    AuctionBidVoid,
    AuctionLot,
    AuctionParticipant,
    AuctionStatus,
    BidKind,
    VoidKind,
)
from models.base import utcnow

MAX_ATTEMPTS = 8  # compare-and-set retries before asking the bidder to try again
MAX_ID = 2**31 - 1
OUTBID_QUIET = timedelta(minutes=10)  # no second unread "outbid" per lot within this


class StaleVersion(DomainError):
    default = "Аукцион только что изменил другой пользователь. Обновите страницу и повторите."


@dataclass(frozen=True)
class BidResult:
    """What the bidder is told after an accepted bid, offer or withdrawal."""

    lot_id: int
    kind: str  # "open" | "offer" | "withdraw"
    bid_id: int | None
    seq: int | None
    amount: Decimal | None
    participant: str  # "Участник N" — the bidder's own pseudonym in this auction
    leading: bool  # an open bid that now leads
    best_amount: Decimal | None  # the lot's best open bid after this action
    effective_end: datetime
    extended: bool  # the soft close moved the end
    version: int  # the lot's version after this action
    message: str  # a Russian confirmation for a toast
    # An accepted open bid that took the lead from another organisation's user who has no
    # unread "outbid" notice of this lot yet: the notice it owes them (`send_outbid_notice`).
    outbid: OutbidNotice | None = None


@dataclass(frozen=True)
class OutbidNotice:
    user_id: int
    lot_id: int
    auction_title: str
    lot_label: str
    price: str


# --------------------------------------------------------------------------- helpers


def _id(value: object, what: str = "Лот") -> int:
    """A forged id (text, negative, huge, bool) answers "not found", like a missing one."""
    if isinstance(value, bool):
        raise NotFound(f"{what} не найден.")
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise NotFound(f"{what} не найден.") from None
    if not 0 < n <= MAX_ID:
        raise NotFound(f"{what} не найден.")
    return n


def _participant_no(session: Session, auction_id: int, org_id: int) -> int:
    """The organisation's stable number in the auction, created at its first bid (a
    concurrent first bid of another organisation makes the unique constraint refuse one of
    the two; the caller's retry loop then reads the winner's row)."""
    existing = session.exec(
        select(AuctionParticipant.number).where(
            AuctionParticipant.auction_id == auction_id,
            AuctionParticipant.organisation_id == org_id,
        )
    ).first()
    if existing is not None:
        return existing
    top = session.exec(
        select(func.max(AuctionParticipant.number)).where(
            AuctionParticipant.auction_id == auction_id
        )
    ).one()
    number = int(top or 0) + 1
    session.add(AuctionParticipant(auction_id=auction_id, organisation_id=org_id, number=number))
    session.flush()
    return number


def _cas(session: Session, lot: AuctionLot, now: datetime, **values: Any) -> bool:
    """Move the lot from the version we read to the next one; False when someone else did."""
    result = session.execute(
        update(AuctionLot)
        .where(
            col(AuctionLot.id) == lot.id,
            col(AuctionLot.version) == lot.version,
            col(AuctionLot.closed_at).is_(None),
        )
        .values(version=lot.version + 1, **values)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _private_cas(session: Session, lot: Any, *, last_seq: int, no_open_bids: bool = False) -> bool:
    """The compare-and-set of a closed offer or its withdrawal: on the ledger's sequence, not
    on the public version — the lot's watchers are woken by a version change, and a push
    nobody can explain would tell them an offer was made. Still conflicts with an open bid
    (which checks the sequence too), with another offer, and with the closer (the lot row is
    written, and only while it is open)."""
    conditions = [
        col(AuctionLot.id) == lot.id,
        col(AuctionLot.last_seq) == lot.last_seq,
        col(AuctionLot.closed_at).is_(None),
    ]
    if no_open_bids:
        conditions.append(col(AuctionLot.open_bids) == 0)
    result = session.execute(update(AuctionLot).where(*conditions).values(last_seq=last_seq))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _active_offer(session: Session, lot_id: int, org_id: int) -> AuctionBid | None:
    voided = select(AuctionBidVoid.bid_id).where(AuctionBidVoid.lot_id == lot_id)
    return session.exec(
        select(AuctionBid)
        .where(
            AuctionBid.lot_id == lot_id,
            AuctionBid.organisation_id == org_id,
            AuctionBid.kind == BidKind.OFFER,
            col(AuctionBid.id).not_in(voided),
        )
        .order_by(col(AuctionBid.seq).desc())
    ).first()


def _void(
    session: Session, bid: AuctionBid, kind: str, *, by: int | None, reason: str = ""
) -> None:
    session.add(
        AuctionBidVoid(
            bid_id=bid.id or 0, lot_id=bid.lot_id, kind=kind, by_user_id=by, reason=reason
        )
    )


def _lot_link(lot_id: int) -> str:
    return routes.auction_lot_url(lot_id)


def _retrying(session: Session, attempt: int) -> None:
    session.rollback()
    if attempt + 1 >= MAX_ATTEMPTS:
        raise BidRefused("Слишком много одновременных ставок — повторите через секунду.")


# --------------------------------------------------------------------------- bidding


# The bid path runs hundreds of times a second on a hot lot and almost every call is refused
# ("below the minimum" by a bidder who had not yet seen the last bid). So it reads with two
# prepared Core statements and no ORM objects: the lot with its auction and leading bid, and
# the caller's organisations that may bid here. Only an accepted bid writes.
_LOTS = AuctionLot.__table__  # type: ignore[attr-defined]
_AUCTIONS = Auction.__table__  # type: ignore[attr-defined]
_BIDS = AuctionBid.__table__  # type: ignore[attr-defined]
_PARTICIPANTS = AuctionParticipant.__table__  # type: ignore[attr-defined]
_USERS = User.__table__  # type: ignore[attr-defined]
_SNAPSHOT = (
    sa.select(
        _LOTS.c.id,
        _LOTS.c.auction_id,
        _LOTS.c.number,
        _LOTS.c.product,
        _LOTS.c.currency,
        _LOTS.c.start_price,
        _LOTS.c.effective_end,
        _LOTS.c.best_amount,
        _LOTS.c.best_bid_id,
        _LOTS.c.open_bids,
        _LOTS.c.version,
        _LOTS.c.last_seq,
        _LOTS.c.closed_at,
        _AUCTIONS.c.title,
        _AUCTIONS.c.status,
        _AUCTIONS.c.form,
        _AUCTIONS.c.starts_at,
        _AUCTIONS.c.step_kind,
        _AUCTIONS.c.step_value,
        _AUCTIONS.c.soft_close_minutes,
        _AUCTIONS.c.extension_minutes,
        _BIDS.c.organisation_id.label("best_org_id"),
        _BIDS.c.user_id.label("best_user_id"),
    )
    .select_from(_LOTS)
    .join(_AUCTIONS, _AUCTIONS.c.id == _LOTS.c.auction_id)
    .outerjoin(_BIDS, _BIDS.c.id == _LOTS.c.best_bid_id)
    .where(_LOTS.c.id == sa.bindparam("lot_id"))
)
_SNAPSHOT_LOCKED = _SNAPSHOT.with_for_update(of=_LOTS)
_MEMBERSHIPS = Membership.__table__  # type: ignore[attr-defined]
_ORGS = Organisation.__table__  # type: ignore[attr-defined]
_USER_ROLES = UserRole.__table__  # type: ignore[attr-defined]
_ROLE_PERMS = RolePermission.__table__  # type: ignore[attr-defined]
# The membership's user holds Perm.AUCTIONS_BID in the membership's organisation (a
# platform-wide grant counts in each of them, as in Actor.has).
_MAY_BID = sa.exists(
    sa.select(_USER_ROLES.c.id)
    .join(_ROLE_PERMS, _ROLE_PERMS.c.role_id == _USER_ROLES.c.role_id)
    .where(
        _USER_ROLES.c.user_id == _MEMBERSHIPS.c.user_id,
        _ROLE_PERMS.c.permission == str(Perm.AUCTIONS_BID),
        sa.or_(
            _USER_ROLES.c.organisation_id.is_(None),
            _USER_ROLES.c.organisation_id == _MEMBERSHIPS.c.organisation_id,
        ),
    )
)
# The organisations the user belongs to and may bid for (_MAY_BID), with whether each is
# active and its participant number in the auction if it has one.
_BIDDER_ORGS = (
    sa.select(
        _MEMBERSHIPS.c.organisation_id,
        _ORGS.c.is_active,
        _PARTICIPANTS.c.number,
        _USERS.c.is_blocked,
    )
    .select_from(_MEMBERSHIPS)
    .join(_USERS, _USERS.c.id == _MEMBERSHIPS.c.user_id)
    .join(_ORGS, _ORGS.c.id == _MEMBERSHIPS.c.organisation_id)
    .outerjoin(
        _PARTICIPANTS,
        sa.and_(
            _PARTICIPANTS.c.auction_id == sa.bindparam("auction_id"),
            _PARTICIPANTS.c.organisation_id == _MEMBERSHIPS.c.organisation_id,
        ),
    )
    .where(
        _MEMBERSHIPS.c.user_id == sa.bindparam("user_id"),
        _MAY_BID,
    )
    .order_by(_MEMBERSHIPS.c.organisation_id)
)


_SESSIONS = UserSession.__table__  # type: ignore[attr-defined]
# The refusal of a bid in ONE statement: the lot's snapshot (as _SNAPSHOT), the caller's
# session and user (as the session check reads them) and the caller's organisations that may
# bid (as _BIDDER_ORGS), one row per such organisation. Everything outer-joined on the lot,
# so an unknown session or a caller without organisations still gives the lot's row.
_QUICK = (
    sa.select(
        *_SNAPSHOT.selected_columns,
        *LIVE_COLUMNS,
        _MEMBERSHIPS.c.organisation_id.label("member_org_id"),
        _ORGS.c.is_active.label("member_org_active"),
        _PARTICIPANTS.c.number.label("member_number"),
    )
    .select_from(_LOTS)
    .join(_AUCTIONS, _AUCTIONS.c.id == _LOTS.c.auction_id)
    .outerjoin(_BIDS, _BIDS.c.id == _LOTS.c.best_bid_id)
    .outerjoin(_SESSIONS, _SESSIONS.c.token_hash == sa.bindparam("token_hash"))
    .outerjoin(_USERS, _USERS.c.id == _SESSIONS.c.user_id)
    .outerjoin(
        _MEMBERSHIPS,
        sa.and_(
            _MEMBERSHIPS.c.user_id == _SESSIONS.c.user_id,
            _MAY_BID,
        ),
    )
    .outerjoin(_ORGS, _ORGS.c.id == _MEMBERSHIPS.c.organisation_id)
    .outerjoin(
        _PARTICIPANTS,
        sa.and_(
            _PARTICIPANTS.c.auction_id == _LOTS.c.auction_id,
            _PARTICIPANTS.c.organisation_id == _MEMBERSHIPS.c.organisation_id,
        ),
    )
    .where(_LOTS.c.id == sa.bindparam("lot_id"))
    .order_by(_MEMBERSHIPS.c.organisation_id)
)

UNSURE = "unsure"  # quick_refusal: "this one needs the full check"


def quick_refusal(conn: Any, *, token: str, lot_id: int, amount: object) -> str | None:
    """The common case of an open bid's check in one statement on `conn` (a Core connection):
    the refusal's message, None when the bid passes (it goes on to `place_bid`, which checks
    everything again under the lot's lock), or UNSURE for anything unusual — no such lot or
    not public, no live session, no organisation that may bid, an amount that does not
    parse — which the caller sends through the full path (session check, then check_bid)
    for its exact answer. Reads only; decides as `check_bid` does."""
    if not token or len(token) > 200:
        return UNSURE
    try:
        value = rules.parse_amount(amount)
        lid = _id(lot_id)
    except DomainError:
        return UNSURE
    rows = conn.execute(_QUICK, {"token_hash": hash_token(token), "lot_id": lid}).all()
    if not rows:
        return UNSURE
    first = rows[0]
    if (
        first.status not in rules.PUBLIC
        or first.user_id is None
        or not is_live(first)
        or first.member_org_id is None
    ):
        return UNSURE
    active = [r for r in rows if r.member_org_active]
    if not active:
        return UNSURE
    taking_part = [r for r in active if r.member_number is not None]
    chosen = taking_part[0] if taking_part else active[0]
    try:
        rules.check_open_bid(
            _bid_state(first), org_id=int(chosen.member_org_id), amount=value, now=utcnow()
        )
    except DomainError as e:
        return e.message
    return None


_NOTIFICATIONS = Notification.__table__  # type: ignore[attr-defined]


def _outbid_waiting(user_id: Any) -> Any:
    """Whether `user_id` (a column or a value) has an unread "outbid" notice of the lot
    (bind parameters `link` and `quiet_since`): one at a time, a hot lot must not flood the
    bell."""
    return sa.exists(
        sa.select(_NOTIFICATIONS.c.id).where(
            _NOTIFICATIONS.c.user_id == user_id,
            _NOTIFICATIONS.c.event == "auctions.outbid",
            _NOTIFICATIONS.c.link == sa.bindparam("link"),
            _NOTIFICATIONS.c.read_at.is_(None),
            _NOTIFICATIONS.c.created_at
            > sa.bindparam("quiet_since", type_=_NOTIFICATIONS.c.created_at.type),
        )
    )


# An open bid's read of the lot: as _SNAPSHOT, and whether the leader already has an unread
# "outbid" notice of this lot — read in the same statement, so it costs no round trip of its
# own; `send_outbid_notice` asks again after the bid's commit.
_BID_SNAPSHOT = _SNAPSHOT.add_columns(_outbid_waiting(_BIDS.c.user_id).label("best_told"))


def _bid_snapshot(session: Session, lot_id: int, now: datetime) -> Any:
    row = (
        session.connection()
        .execute(
            _BID_SNAPSHOT,
            {"lot_id": lot_id, "link": _lot_link(lot_id), "quiet_since": now - OUTBID_QUIET},
        )
        .first()
    )
    if row is None or row.status not in rules.PUBLIC:
        raise NotFound("Лот не найден.")
    return row


def _lot_snapshot(session: Session, lot_id: int, *, lock: bool = False) -> Any:
    row = (
        session.connection()
        .execute(_SNAPSHOT_LOCKED if lock else _SNAPSHOT, {"lot_id": lot_id})
        .first()
    )
    if row is None or row.status not in rules.PUBLIC:
        raise NotFound("Лот не найден.")
    return row


def _bid_state(snap: Any) -> rules.LotState:
    return rules.LotState(
        form=snap.form,
        auction_status=snap.status,
        starts_at=snap.starts_at,
        effective_end=snap.effective_end,
        closed=snap.closed_at is not None,
        start_price=snap.start_price,
        best_amount=snap.best_amount,
        best_org_id=snap.best_org_id,
        open_bids=snap.open_bids,
        step_kind=snap.step_kind,
        step_value=snap.step_value,
    )


def _bidder(session: Session, user_id: int, auction_id: int) -> tuple[int, int | None]:
    """The organisation the user bids for in this auction and its participant number (None
    before its first bid): the organisation already taking part, else the first active one
    where the user holds Perm.AUCTIONS_BID."""
    rows = (
        session.connection()
        .execute(_BIDDER_ORGS, {"user_id": user_id, "auction_id": auction_id})
        .all()
    )
    if not rows:
        load_actor(session, user_id)  # an unknown or blocked user: "not signed in"
        raise PermissionDenied(
            "Делать ставки могут только представители организаций, подтверждённых в кабинете."
        )
    if rows[0].is_blocked:
        load_actor(session, user_id)
    active = [r for r in rows if r.is_active]
    if not active:
        raise PermissionDenied("Ваша организация не допущена к торгам.")
    taking_part = [r for r in active if r.number is not None]
    chosen = taking_part[0] if taking_part else active[0]
    return int(chosen.organisation_id), chosen.number


def check_bid(session: Session, *, actor_id: int, lot_id: object, amount: object) -> None:
    """Raise what `place_bid` would refuse the bid with as the lot stands now; reads only
    (no lock, no write). A bid that passes may still lose to a concurrent one: only
    `place_bid` accepts."""
    _check_bid(session, actor_id, _id(lot_id), rules.parse_amount(amount), utcnow())


def _check_bid(
    session: Session, actor_id: int, lid: int, value: Decimal, now: datetime
) -> tuple[Any, int, int | None]:
    snap = _lot_snapshot(session, lid)
    org_id, number = _bidder(session, actor_id, snap.auction_id)
    rules.check_open_bid(_bid_state(snap), org_id=org_id, amount=value, now=now)
    return snap, org_id, number


def place_bid(
    session: Session,
    *,
    actor_id: int,
    lot_id: object,
    amount: object,
    defer_notice: bool = False,
) -> BidResult:
    """An open bid: at least the start price, then at least the best + step. Commits.

    The previous leader's "outbid" notice is written after the bid's commit, in a
    transaction of its own (`send_outbid_notice`; with `defer_notice` the caller sends
    `result.outbid` itself, e.g. after answering the bidder). Written inside the bid's
    transaction it was undone and written again by every compare-and-set that lost — at an
    auction's start, when all bids are accepted candidates and every leader is told for the
    first time, that doubled the time to an acknowledgement (bench/README).

    The bid is checked against a plain read of the lot, which settles the many refusals
    without a lock, and one that passes is written by a compare-and-set on the version (and
    ledger sequence) it was checked against. PostgreSQL: that UPDATE takes the lot's row lock
    itself; bids checked against the same version wait only until the first one commits,
    then find no row (all at once, in the server) and are checked again against the lot as
    that bid left it (read before their rollback), which refuses most of them as below the
    new minimum; the others try again. SQLite: this process's writers take turns under a
    process lock and re-read the lot inside it."""
    value = rules.parse_amount(amount)
    lid = _id(lot_id)
    sqlite = session.get_bind().dialect.name == "sqlite"
    snap: Any = None
    bidder: tuple[int, int | None] | None = None
    for attempt in range(MAX_ATTEMPTS):
        now = utcnow()
        if snap is None:
            snap = _bid_snapshot(session, lid, now)
        if bidder is None:
            bidder = _bidder(session, actor_id, snap.auction_id)
        org_id, number = bidder
        rules.check_open_bid(_bid_state(snap), org_id=org_id, amount=value, now=now)
        if not sqlite:
            outcome = _write_bid(session, snap, lid, org_id, number, actor_id, value, now, attempt)
        else:
            # One bid writer of this process at a time (the file allows one writer anyway;
            # a Python lock hands over at once where SQLite's busy handler sleeps 1, 2, 5,
            # 10… ms), with the same checks again inside it.
            with _SQLITE_WRITER:
                now = utcnow()
                snap = _bid_snapshot(session, lid, now)
                rules.check_open_bid(_bid_state(snap), org_id=org_id, amount=value, now=now)
                outcome = _write_bid(
                    session, snap, lid, org_id, number, actor_id, value, now, attempt
                )
        if isinstance(outcome, BidResult):
            if outcome.outbid is not None and not defer_notice:
                send_outbid_notice(session, outcome.outbid)
            return outcome
        # Another bid got there first: check again against the lot as it left it (read
        # before the rollback, in the same transaction), or read everything again.
        snap = outcome
        if snap is None:
            bidder = None
    raise BidRefused("Слишком много одновременных ставок — повторите через секунду.")


_SQLITE_WRITER = threading.Lock()

# PostgreSQL: an accepted open bid in ONE statement — the lot's compare-and-set (which takes
# the row lock and names the new bid as the leader; its id comes from the ledger's id
# sequence: best_bid_id has no foreign key), the organisation's participant number at its
# first bid in the auction (_ACCEPT_FIRST), and the ledger row, inserted only if the lot
# moved. No row back: another bid got there first and nothing was written.
_P2 = _PARTICIPANTS.alias("p2")
_NEW_ID = sa.select(
    sa.func.nextval(sa.func.pg_get_serial_sequence(_BIDS.name, "id")).label("id")
).cte("new_bid")
_MOVED = (
    sa.update(_LOTS)
    .where(
        _LOTS.c.id == sa.bindparam("lot_id", type_=sa.Integer),
        _LOTS.c.version == sa.bindparam("seen_version", type_=sa.Integer),
        # no offer took the ledger's next seq meanwhile
        _LOTS.c.last_seq == sa.bindparam("seen_seq", type_=sa.Integer),
        _LOTS.c.closed_at.is_(None),
    )
    .values(
        version=sa.bindparam("next_version", type_=sa.Integer),
        last_seq=sa.bindparam("seq", type_=sa.Integer),
        best_amount=sa.bindparam("amount", type_=_LOTS.c.best_amount.type),
        open_bids=sa.bindparam("next_open_bids", type_=sa.Integer),
        effective_end=sa.bindparam("new_end", type_=_LOTS.c.effective_end.type),
        best_bid_id=sa.select(_NEW_ID.c.id).scalar_subquery(),
    )
    .returning(_LOTS.c.id, _LOTS.c.auction_id)
    .cte("moved")
)
_NEW_NUMBER = (
    sa.insert(_PARTICIPANTS)
    .from_select(
        ["auction_id", "organisation_id", "number", "created_at"],
        sa.select(
            _MOVED.c.auction_id,
            sa.bindparam("org_id", type_=sa.Integer),
            sa.select(sa.func.coalesce(sa.func.max(_P2.c.number), 0) + 1)
            .where(_P2.c.auction_id == _MOVED.c.auction_id)
            .scalar_subquery(),
            sa.bindparam("now", type_=_PARTICIPANTS.c.created_at.type),
        ),
    )
    .returning(_PARTICIPANTS.c.number)
    .cte("new_number")
)


def _accept_statement(first: bool) -> Any:
    number = (
        sa.select(_NEW_NUMBER.c.number).scalar_subquery()
        if first
        else sa.bindparam("pno", type_=sa.Integer)
    )
    stmt = (
        sa.insert(_BIDS)
        .from_select(
            [
                "id",
                "lot_id",
                "auction_id",
                "seq",
                "organisation_id",
                "user_id",
                "participant_no",
                "kind",
                "amount",
                "created_at",
            ],
            sa.select(
                sa.select(_NEW_ID.c.id).scalar_subquery(),
                _MOVED.c.id,
                _MOVED.c.auction_id,
                sa.bindparam("seq", type_=sa.Integer),
                sa.bindparam("org_id", type_=sa.Integer),
                sa.bindparam("user_id", type_=sa.Integer),
                number,
                sa.bindparam("kind", type_=_BIDS.c.kind.type),
                sa.bindparam("amount", type_=_BIDS.c.amount.type),
                sa.bindparam("now", type_=_BIDS.c.created_at.type),
            ),
        )
        .returning(_BIDS.c.id, _BIDS.c.participant_no)
    )
    return stmt.add_cte(_NEW_ID, _MOVED, *([_NEW_NUMBER] if first else []))


_ACCEPT = _accept_statement(first=False)
_ACCEPT_FIRST = _accept_statement(first=True)


def _write_bid(
    session: Session,
    snap: Any,
    lid: int,
    org_id: int,
    number: int | None,
    actor_id: int,
    value: Decimal,
    now: datetime,
    attempt: int,
) -> BidResult | Any:
    """Append the checked bid and move the lot (commits). When another bid got there first,
    the transaction is rolled back and the caller gets the lot as that bid left it (a
    `_bid_snapshot` row, PostgreSQL) or None (read everything again)."""
    new_end = rules.soft_close_end(
        now=now,
        effective_end=snap.effective_end,
        window_minutes=snap.soft_close_minutes,
        extension_minutes=snap.extension_minutes,
    )
    seq = snap.last_seq + 1
    try:
        # What the bid replaces, before the lot moves (PostgreSQL: before its row is locked,
        # so the lock is held only for the move and the commit). Written in this
        # transaction: undone with it when the compare-and-set finds another bid first, and
        # committed with the bid otherwise. The version checked below is the one it was
        # decided on (the lot's offers; the previous leader and whether they were told).
        if rules.allows(snap.form, BidKind.OFFER):
            own_offer = _active_offer(session, lid, org_id)
            if own_offer is not None:  # an open bid replaces the organisation's offer
                _void(session, own_offer, VoidKind.REPLACED, by=actor_id)
        outbid = None
        if snap.best_user_id is not None and snap.best_org_id != org_id and not snap.best_told:
            outbid = OutbidNotice(
                user_id=snap.best_user_id,
                lot_id=lid,
                auction_title=snap.title,
                lot_label=f"№ {snap.number} {snap.product}",
                price=rules.fmt_money(value, snap.currency),
            )
        session.flush()
        move = {
            "lot_id": lid,
            "seen_version": snap.version,
            "seen_seq": snap.last_seq,
            "next_version": snap.version + 1,
            "seq": seq,
            "amount": value,
            "next_open_bids": snap.open_bids + 1,
            "new_end": new_end,
        }
        if session.get_bind().dialect.name == "postgresql":
            row = (
                session.connection()
                .execute(
                    _ACCEPT_FIRST if number is None else _ACCEPT,
                    {
                        **move,
                        "org_id": org_id,
                        "user_id": actor_id,
                        "pno": number,
                        "kind": str(BidKind.OPEN),
                        "now": now,
                    },
                )
                .first()
            )
            if row is None:  # the lot moved: it is committed now (the UPDATE waited for it)
                fresh = None
                with contextlib.suppress(DomainError):
                    fresh = _bid_snapshot(session, lid, utcnow())
                _retrying(session, attempt)
                return fresh
            bid_id, number = int(row.id), int(row.participant_no)
        else:
            moved = session.connection().execute(_MOVE, move)
            if moved.rowcount != 1:
                _retrying(session, attempt)
                return None
            if number is None:
                number = _participant_no(session, snap.auction_id, org_id)
            inserted = (
                session.connection()
                .execute(
                    sa.insert(_BIDS).values(
                        lot_id=lid,
                        auction_id=snap.auction_id,
                        seq=seq,
                        organisation_id=org_id,
                        user_id=actor_id,
                        participant_no=number,
                        kind=str(BidKind.OPEN),
                        amount=value,
                        created_at=now,
                    )
                )
                .inserted_primary_key
            )
            assert inserted is not None  # a single-row INSERT always reports its key
            bid_id = int(inserted[0])
            session.connection().execute(
                sa.update(_LOTS).where(_LOTS.c.id == lid).values(best_bid_id=bid_id)
            )
        session.commit()
    except (IntegrityError, OperationalError):
        _retrying(session, attempt)
        return None
    extended = new_end != snap.effective_end
    return BidResult(
        lot_id=lid,
        kind=BidKind.OPEN,
        bid_id=bid_id,
        seq=seq,
        amount=value,
        participant=rules.pseudonym(number),
        leading=True,
        best_amount=value,
        effective_end=new_end,
        extended=extended,
        version=snap.version + 1,
        message=f"Ставка {rules.fmt_money(value, snap.currency)} принята — вы лидируете."
        + (" Время торгов по лоту продлено." if extended else ""),
        outbid=outbid,
    )


# The compare-and-set of an open bid elsewhere (SQLite): as _MOVED, the leader set after
# the insert.
_MOVE = (
    sa.update(_LOTS)
    .where(
        _LOTS.c.id == sa.bindparam("lot_id"),
        _LOTS.c.version == sa.bindparam("seen_version"),
        _LOTS.c.last_seq == sa.bindparam("seen_seq"),
        _LOTS.c.closed_at.is_(None),
    )
    .values(
        version=sa.bindparam("next_version"),
        last_seq=sa.bindparam("seq"),
        best_amount=sa.bindparam("amount", type_=_LOTS.c.best_amount.type),
        open_bids=sa.bindparam("next_open_bids"),
        effective_end=sa.bindparam("new_end", type_=_LOTS.c.effective_end.type),
    )
)


def warm_up(engine: Any, read_engine: Any, *, connections: int, read_connections: int) -> None:
    """Make a freshly started process ready for a burst of bids (an auction's start: every
    participant bids within a fraction of a second): open `connections` connections of
    `engine` and `read_connections` of `read_engine` at once, so that their pools keep them,
    and run the bid path's statements once against no row (lot, user and auction 0; on
    PostgreSQL the accepted bid's statement too, rolled back), so that they are compiled.
    Otherwise the first burst pays for all of it — ~20 ms of both sides' CPU per new
    PostgreSQL connection, 25–90 ms for a statement's first use — while everyone waits.
    Writes nothing."""
    with contextlib.ExitStack() as stack:
        conns = [stack.enter_context(engine.connect()) for _ in range(max(1, connections))]
        reads = [
            stack.enter_context(read_engine.connect())
            for _ in range(read_connections if read_engine is not engine else 0)
        ]
        quick_refusal((reads or conns)[0], token="warm-up", lot_id=MAX_ID, amount="1")
        c = conns[0]
        with Session(bind=c) as s:
            resolve_user_id(s, "warm-up", touch=False)
        c.execute(_SNAPSHOT, {"lot_id": 0}).all()
        c.execute(_BIDDER_ORGS, {"user_id": 0, "auction_id": 0}).all()
        if engine.dialect.name != "postgresql":
            return  # SQLite: the accepted bid's statements are small (and take the file's lock)
        move = {
            "lot_id": 0,
            "seen_version": 0,
            "seen_seq": 0,
            "next_version": 1,
            "seq": 1,
            "amount": Decimal(0),
            "next_open_bids": 1,
            "new_end": utcnow(),
            "org_id": 0,
            "user_id": 0,
            "pno": 0,
            "kind": str(BidKind.OPEN),
            "now": utcnow(),
        }
        try:  # against lot 0: no row moves, nothing is inserted, no id is taken
            c.execute(_ACCEPT, move).all()
            c.execute(_ACCEPT_FIRST, move).all()
        finally:
            c.rollback()


def place_offer(session: Session, *, actor_id: int, lot_id: object, amount: object) -> BidResult:
    """A closed price offer (or a new amount for the organisation's offer). Commits.

    It does not move the lot's end: a hidden offer must not show itself to the others.
    """
    value = rules.parse_amount(amount)
    lid = _id(lot_id)
    lock = session.get_bind().dialect.name == "postgresql"
    for attempt in range(MAX_ATTEMPTS):
        lot = _lot_snapshot(session, lid, lock=lock)
        org_id, _ = _bidder(session, actor_id, lot.auction_id)
        now = utcnow()
        rules.check_offer(_bid_state(lot), amount=value, now=now)
        seq = lot.last_seq + 1
        seen = (lot.version, lot.best_amount, lot.effective_end)
        try:
            if not _private_cas(session, lot, last_seq=seq, no_open_bids=True):
                _retrying(session, attempt)
                continue
            number = _participant_no(session, lot.auction_id, org_id)
            previous = _active_offer(session, lid, org_id)
            if previous is not None:
                _void(session, previous, VoidKind.REPLACED, by=actor_id)
            bid = AuctionBid(
                lot_id=lid,
                auction_id=lot.auction_id,
                seq=seq,
                organisation_id=org_id,
                user_id=actor_id,
                participant_no=number,
                kind=BidKind.OFFER,
                amount=value,
                created_at=now,
            )
            session.add(bid)
            session.flush()
            session.commit()
        except (IntegrityError, OperationalError):
            _retrying(session, attempt)
            continue
        verb = "изменено" if previous is not None else "принято"
        return BidResult(
            lot_id=lid,
            kind=BidKind.OFFER,
            bid_id=bid.id,
            seq=seq,
            amount=value,
            participant=rules.pseudonym(number),
            leading=False,
            best_amount=seen[1],
            effective_end=seen[2],
            extended=False,
            version=seen[0],
            message=f"Ценовое предложение {rules.fmt_money(value, lot.currency)} {verb}. "
            "Его видите только вы и организатор.",
        )
    raise BidRefused("Слишком много одновременных ставок — повторите через секунду.")


def withdraw_offer(session: Session, *, actor_id: int, lot_id: object) -> BidResult:
    """Cancel the organisation's active price offer on the lot. Commits."""
    lid = _id(lot_id)
    lock = session.get_bind().dialect.name == "postgresql"
    for attempt in range(MAX_ATTEMPTS):
        lot = _lot_snapshot(session, lid, lock=lock)
        org_id, number = _bidder(session, actor_id, lot.auction_id)
        now = utcnow()
        rules.check_withdraw(_bid_state(lot), now)
        offer = _active_offer(session, lid, org_id)
        if offer is None:
            raise BidRefused("У вашей организации нет действующего ценового предложения по лоту.")
        seen = (lot.version, lot.best_amount, lot.effective_end)
        try:
            if not _private_cas(session, lot, last_seq=lot.last_seq):
                _retrying(session, attempt)
                continue
            _void(session, offer, VoidKind.WITHDRAWN, by=actor_id)
            session.commit()
        except (IntegrityError, OperationalError):
            _retrying(session, attempt)
            continue
        if number is None:  # the offer made the organisation a participant
            number = _participant_no(session, lot.auction_id, org_id)
        return BidResult(
            lot_id=lid,
            kind="withdraw",
            bid_id=offer.id,
            seq=None,
            amount=None,
            participant=rules.pseudonym(number),
            leading=False,
            best_amount=seen[1],
            effective_end=seen[2],
            extended=False,
            version=seen[0],
            message="Ценовое предложение отозвано.",
        )
    raise BidRefused("Слишком много одновременных ставок — повторите через секунду.")


def send_outbid_notice(session: Session, notice: OutbidNotice) -> bool:
    """Tell the previous leader of an accepted bid that they were outbid, in a transaction of
    its own (commits): unless an unread "outbid" notice of this lot from the last
    OUTBID_QUIET is already waiting for them (the bid's snapshot said none was; another bid's
    notice may have been written since). Whether a notice was written. After the bid's
    commit: a crash in between loses the notice, never the bid."""
    link = _lot_link(notice.lot_id)
    waiting = (
        session.connection()
        .execute(
            sa.select(_outbid_waiting(notice.user_id)),
            {"link": link, "quiet_since": utcnow() - OUTBID_QUIET},
        )
        .scalar()
    )
    if waiting:
        session.rollback()
        return False
    emit(
        session,
        event="auctions.outbid",
        recipient_ids=[notice.user_id],
        context={"auction": notice.auction_title, "lot": notice.lot_label, "price": notice.price},
        link=link,
    )
    session.commit()
    return True


# --------------------------------------------------------------------------- organiser


def _organiser(session: Session, actor_id: int) -> Actor:
    return require(load_actor(session, actor_id), Perm.AUCTIONS_ORGANISE)


def _auction(session: Session, auction_id: object, *, lock: bool = False) -> Auction:
    aid = _id(auction_id, "Аукцион")
    stmt = select(Auction).where(Auction.id == aid)
    if lock:
        stmt = stmt.with_for_update()
    auction = session.exec(stmt.execution_options(populate_existing=True)).first()
    if auction is None:
        raise NotFound("Аукцион не найден.")
    return auction


def _snapshot(a: Auction) -> dict[str, Any]:
    return {
        "title": a.title,
        "status": a.status,
        "form": a.form,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "step_kind": a.step_kind,
        "step_value": str(a.step_value),
        "soft_close_minutes": a.soft_close_minutes,
        "extension_minutes": a.extension_minutes,
    }


def _check_version(a: Auction, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != a.version:
        raise StaleVersion()


def create_auction(session: Session, *, actor_id: int, fields: rules.AuctionFields) -> int:
    """A new draft auction. Returns its id. Commits."""
    actor = _organiser(session, actor_id)
    f = rules.validate_auction(fields)
    if f.starts_at <= utcnow():
        raise ValidationFailed("Начало торгов должно быть в будущем.", field="starts_at")
    auction = Auction(
        title=f.title,
        description=f.description,
        organiser_id=actor.id,
        form=f.form,
        status=AuctionStatus.DRAFT,
        starts_at=f.starts_at,
        ends_at=f.ends_at,
        step_kind=f.step_kind,
        step_value=f.step_value,
        soft_close_minutes=f.soft_close_minutes,
        extension_minutes=f.extension_minutes,
    )
    session.add(auction)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.create",
        object_type="auction",
        object_id=auction.id,
        after=_snapshot(auction),
    )
    session.commit()
    return auction.id or 0


def update_auction(
    session: Session,
    *,
    actor_id: int,
    auction_id: object,
    fields: rules.AuctionFields,
    expected_version: int | None = None,
) -> None:
    """Edit a draft or announced auction. A schedule change of an announced auction moves
    its lots' ends and notifies the participants. Commits."""
    actor = _organiser(session, actor_id)
    a = _auction(session, auction_id, lock=True)
    _check_version(a, expected_version)
    if a.status not in rules.EDITABLE:
        raise ValidationFailed(
            "Изменять можно только черновик или объявленный аукцион (до начала торгов)."
        )
    f = rules.validate_auction(fields)
    now = utcnow()
    if f.starts_at <= now:
        raise ValidationFailed("Начало торгов должно быть в будущем.", field="starts_at")
    before = _snapshot(a)
    schedule_changed = (a.starts_at, a.ends_at) != (f.starts_at, f.ends_at)
    old_start, old_end = a.starts_at, a.ends_at
    a.title, a.description, a.form = f.title, f.description, f.form
    a.starts_at, a.ends_at = f.starts_at, f.ends_at
    a.step_kind, a.step_value = f.step_kind, f.step_value
    a.soft_close_minutes, a.extension_minutes = f.soft_close_minutes, f.extension_minutes
    a.version += 1
    a.updated_at = now
    a.ending_soon_sent_at = None if schedule_changed else a.ending_soon_sent_at
    session.add(a)
    session.execute(
        update(AuctionLot)
        .where(col(AuctionLot.auction_id) == a.id)
        .values(effective_end=f.ends_at, version=AuctionLot.version + 1)
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.update",
        object_type="auction",
        object_id=a.id,
        before=before,
        after=_snapshot(a),
    )
    if schedule_changed and a.status == AuctionStatus.ANNOUNCED:
        emit(
            session,
            event="auctions.schedule_changed",
            recipient_ids=queries.audience_user_ids(session),
            context={
                "auction": a.title,
                "old_schedule": f"{fmt_dt(old_start)} — {fmt_dt(old_end)}",
                "new_schedule": f"{fmt_dt(a.starts_at)} — {fmt_dt(a.ends_at)}",
            },
            link=routes.auction_url(a.id or 0),
        )
    session.commit()


def announce_auction(
    session: Session, *, actor_id: int, auction_id: object, expected_version: int | None = None
) -> None:
    """Publish a draft: participants see it in the calendar; it starts by itself. Commits."""
    actor = _organiser(session, actor_id)
    a = _auction(session, auction_id, lock=True)
    _check_version(a, expected_version)
    if a.status not in rules.ANNOUNCEABLE:
        raise ValidationFailed("Объявить можно только черновик.")
    if a.starts_at <= utcnow():
        raise ValidationFailed(
            "Время начала уже прошло — перенесите начало торгов и объявите снова.",
            field="starts_at",
        )
    lots = session.exec(
        select(func.count()).select_from(AuctionLot).where(AuctionLot.auction_id == a.id)
    ).one()
    if not lots:
        raise ValidationFailed("Добавьте хотя бы один лот.")
    a.status = AuctionStatus.ANNOUNCED
    a.version += 1
    a.updated_at = utcnow()
    session.add(a)
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.announce",
        object_type="auction",
        object_id=a.id,
        after={"status": a.status},
    )
    session.commit()


def cancel_auction(
    session: Session,
    *,
    actor_id: int,
    auction_id: object,
    reason: str,
    expected_version: int | None = None,
) -> None:
    """Cancel a draft, announced or running auction; bids stop at once. Commits."""
    actor = _organiser(session, actor_id)
    a = _auction(session, auction_id, lock=True)
    _check_version(a, expected_version)
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationFailed("Укажите причину отмены.", field="reason")
    if len(text) > 500:
        raise ValidationFailed("Причина — не длиннее 500 символов.", field="reason")
    if a.status not in rules.CANCELLABLE:
        raise ValidationFailed("Завершённый или уже отменённый аукцион отменить нельзя.")
    was = a.status
    a.status = AuctionStatus.CANCELLED
    a.cancel_reason = text
    a.version += 1
    a.updated_at = utcnow()
    session.add(a)
    # Bump every lot so a bid that read the running auction loses its compare-and-set.
    session.execute(
        update(AuctionLot)
        .where(col(AuctionLot.auction_id) == a.id)
        .values(version=AuctionLot.version + 1)
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.cancel",
        object_type="auction",
        object_id=a.id,
        before={"status": was},
        after={"status": a.status, "reason": text},
    )
    if was != AuctionStatus.DRAFT:
        emit(
            session,
            event="auctions.schedule_changed",
            recipient_ids=queries.audience_user_ids(session),
            context={
                "auction": a.title,
                "old_schedule": f"{fmt_dt(a.starts_at)} — {fmt_dt(a.ends_at)}",
                "new_schedule": f"аукцион отменён: {text}",
            },
            link=routes.auction_url(a.id or 0),
        )
    session.commit()


def _editable_for_lots(a: Auction) -> None:
    if a.status not in rules.EDITABLE:
        raise ValidationFailed("Лоты можно менять только до начала торгов.")


def _next_lot_number(session: Session, auction_id: int) -> int:
    top = session.exec(
        select(func.max(AuctionLot.number)).where(AuctionLot.auction_id == auction_id)
    ).one()
    return int(top or 0) + 1


def _new_lot(a: Auction, number: int, f: rules.LotFields) -> AuctionLot:
    return AuctionLot(
        auction_id=a.id or 0,
        number=number,
        product=f.product,
        quantity=f.quantity,
        unit=f.unit,
        start_price=f.start_price,
        currency=f.currency,
        delivery_terms=f.delivery_terms,
        search_text=rules.search_text(f.product, f.delivery_terms, a.title),
        effective_end=a.ends_at,
    )


def add_lot(session: Session, *, actor_id: int, auction_id: object, fields: rules.LotFields) -> int:
    actor = _organiser(session, actor_id)
    a = _auction(session, auction_id, lock=True)
    _editable_for_lots(a)
    lot = _new_lot(a, _next_lot_number(session, a.id or 0), fields)
    session.add(lot)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.lot_add",
        object_type="auction_lot",
        object_id=lot.id,
        after={"auction_id": a.id, "product": lot.product, "start_price": str(lot.start_price)},
    )
    session.commit()
    return lot.id or 0


def update_lot(session: Session, *, actor_id: int, lot_id: object, fields: rules.LotFields) -> None:
    actor = _organiser(session, actor_id)
    lot = session.get(AuctionLot, _id(lot_id), populate_existing=True)
    if lot is None:
        raise NotFound("Лот не найден.")
    a = _auction(session, lot.auction_id, lock=True)
    _editable_for_lots(a)
    before = {"product": lot.product, "start_price": str(lot.start_price)}
    lot.product, lot.quantity, lot.unit = fields.product, fields.quantity, fields.unit
    lot.start_price, lot.currency = fields.start_price, fields.currency
    lot.delivery_terms = fields.delivery_terms
    lot.search_text = rules.search_text(fields.product, fields.delivery_terms, a.title)
    lot.version += 1
    session.add(lot)
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.lot_update",
        object_type="auction_lot",
        object_id=lot.id,
        before=before,
        after={"product": lot.product, "start_price": str(lot.start_price)},
    )
    session.commit()


def delete_lot(session: Session, *, actor_id: int, lot_id: object) -> None:
    actor = _organiser(session, actor_id)
    lot = session.get(AuctionLot, _id(lot_id), populate_existing=True)
    if lot is None:
        raise NotFound("Лот не найден.")
    a = _auction(session, lot.auction_id, lock=True)
    _editable_for_lots(a)
    if lot.last_seq:
        raise ValidationFailed("По лоту уже были ставки — удалить его нельзя.")
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.lot_delete",
        object_type="auction_lot",
        object_id=lot.id,
        before={"auction_id": a.id, "product": lot.product},
    )
    session.delete(lot)
    session.commit()


def import_lots(
    session: Session, *, actor_id: int, auction_id: object, rows: list[rules.LotFields]
) -> int:
    """Add already validated rows (lots_import.parse) as lots in one transaction."""
    actor = _organiser(session, actor_id)
    a = _auction(session, auction_id, lock=True)
    _editable_for_lots(a)
    if not rows:
        raise ValidationFailed("В файле нет строк с лотами.")
    if len(rows) > 5000:
        raise ValidationFailed("Не больше 5000 лотов за одну загрузку.")
    number = _next_lot_number(session, a.id or 0)
    for i, f in enumerate(rows):
        session.add(_new_lot(a, number + i, f))
    audit.record(
        session,
        actor_id=actor.id,
        action="auctions.lots_import",
        object_type="auction",
        object_id=a.id,
        after={"lots": len(rows)},
    )
    session.commit()
    return len(rows)


def annul_bid(session: Session, *, actor_id: int, bid_id: object, reason: str) -> None:
    """The organiser annuls a ledger row with a recorded reason; the lot's best open bid is
    recomputed from what stays active. Not after the lot's result is decided. Commits."""
    actor = _organiser(session, actor_id)
    bid = session.get(AuctionBid, _id(bid_id, "Ставка"))
    if bid is None:
        raise NotFound("Ставка не найдена.")
    text = " ".join(str(reason or "").split())
    if not text:
        raise ValidationFailed("Укажите причину аннулирования.", field="reason")
    if len(text) > 500:
        raise ValidationFailed("Причина — не длиннее 500 символов.", field="reason")
    for attempt in range(MAX_ATTEMPTS):
        lot = session.get(AuctionLot, bid.lot_id, populate_existing=True)
        assert lot is not None
        if lot.closed_at is not None:
            raise ValidationFailed("Итоги по лоту уже подведены — ставку аннулировать нельзя.")
        voided = session.exec(select(AuctionBidVoid).where(AuctionBidVoid.bid_id == bid.id)).first()
        if voided is not None:
            raise ValidationFailed("Эта ставка уже не действует.")
        try:
            session.add(
                AuctionBidVoid(
                    bid_id=bid.id or 0,
                    lot_id=bid.lot_id,
                    kind=VoidKind.ANNULLED,
                    reason=text,
                    by_user_id=actor.id,
                )
            )
            session.flush()
            infos = queries.bid_infos(session, lot.id or 0)
            best = rules.best_open(infos)
            if not _cas(
                session,
                lot,
                utcnow(),
                best_amount=best.amount if best else None,
                best_bid_id=best.id if best else None,
                open_bids=sum(1 for b in infos if b.active and b.kind == BidKind.OPEN),
            ):
                _retrying(session, attempt)
                continue
            audit.record(
                session,
                actor_id=actor.id,
                action="auctions.bid_annul",
                object_type="auction_bid",
                object_id=bid.id,
                before={"amount": str(bid.amount), "kind": bid.kind, "seq": bid.seq},
                after={"reason": text},
            )
            session.commit()
            return
        except (IntegrityError, OperationalError):
            _retrying(session, attempt)
            continue
    raise BidRefused("Лот сейчас меняется — повторите через секунду.")
