"""Live lot pages: one watcher per backend process over the lots' version counters.

Every accepted change of a lot (a bid, a price offer, its withdrawal, an annulment, the close)
bumps `auction_lots.version` in the same compare-and-set transaction that writes it
(cabinet/auctions/service.py). A lot page does not poll the database itself: it waits on
`LotHub.wait` here. One task per process (per event loop) reads the versions of every lot its
open pages watch — one primary-key read of a few integers, every `POLL_SECONDS` — and wakes the
waiters of the lots whose version moved. Each waiter then re-reads *its own* view of the lot
(`cabinet.auctions.queries.lot_view` for its caller, resolved from the session on the server)
and pushes it to its browser.

Why a version poll and not pub/sub: the counter is in the database every worker already
shares, so several workers, several machines, a restarted worker and a reconnecting browser
all see the same truth without Redis channels or database triggers; the poll costs
1 / POLL_SECONDS indexed reads a second per process, whatever the number of watchers.
No Reflex here: the page state (participant_state.py) drives `follow`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import weakref
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from cabinet import pagination
from cabinet.auctions import queries, rules
from cabinet.db import read_only
from cabinet.formatting import local
from models.auctions import Auction, AuctionBid, AuctionLot, BidKind
from models.base import utcnow

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05  # how often a process reads the watched lots' versions
IDLE_SECONDS = 5.0  # a follower wakes this often without a change (to check it should go on)
UNKNOWN = -1  # version not read yet
GONE = -2  # the lot does not exist (any more)

T = TypeVar("T")

# Live reads run here, not in the loop's default executor: a burst of re-reads after a busy
# second must not queue behind (or in front of) unrelated blocking work of the app.
_EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="auction-live")


def read_versions(lot_ids: list[int]) -> dict[int, int]:
    return read_only(lambda s: queries.lot_versions(s, lot_ids))


async def run_blocking(fn: Callable[[], T]) -> T:
    """Run a blocking read (database) off the event loop, in the live-reads pool."""
    return await asyncio.get_running_loop().run_in_executor(_EXECUTOR, fn)


# --------------------------------------------------------------------------- the public part


@dataclass(frozen=True)
class PublicLot:
    """What every participant of a lot sees alike, at one version: prices, pseudonyms, open
    bids, times. Read once per version per process by the hub, shared by all its followers.
    By construction it holds no organisation, no user and no price offer."""

    lot_id: int
    version: int
    status: str
    status_label: str
    closed: bool
    effective_end: datetime
    extended: bool
    best_amount: Decimal | None
    best_participant: str
    open_bids: int
    history: tuple[tuple[str, Decimal, datetime], ...]  # (pseudonym, amount, at), newest first
    min_next_bid: Decimal
    step: Decimal
    now: datetime  # the server clock when read


def public_lot(session: Session, lot_id: int) -> PublicLot | None:
    """The lot's public part, or None when it is not public (missing, a draft)."""
    lot = session.get(AuctionLot, lot_id, populate_existing=True)
    if lot is None:
        return None
    auction = session.get(Auction, lot.auction_id, populate_existing=True)
    if auction is None or auction.status not in rules.PUBLIC:
        return None
    voided = queries.voided_ids(session, lot_id)
    recent = session.exec(
        select(AuctionBid.id, AuctionBid.participant_no, AuctionBid.amount, AuctionBid.created_at)
        .where(AuctionBid.lot_id == lot_id, AuctionBid.kind == BidKind.OPEN)
        .order_by(col(AuctionBid.seq).desc())
        .limit(queries.HISTORY_SIZE + len(voided))
    ).all()
    history = tuple(
        (rules.pseudonym(no), amount, at)
        for bid_id, no, amount, at in recent
        if bid_id not in voided
    )[: queries.HISTORY_SIZE]
    best_no = None
    if lot.best_bid_id is not None:
        best_no = session.exec(
            select(AuctionBid.participant_no).where(AuctionBid.id == lot.best_bid_id)
        ).first()
    return PublicLot(
        lot_id=lot_id,
        version=lot.version,
        status=auction.status,
        status_label=rules.STATUS_LABELS.get(auction.status, ("", ""))[0],
        closed=lot.closed_at is not None,
        effective_end=lot.effective_end,
        extended=lot.effective_end > auction.ends_at,
        best_amount=lot.best_amount,
        best_participant=rules.pseudonym(best_no) if best_no is not None else "",
        open_bids=lot.open_bids,
        history=history,
        min_next_bid=rules.min_next_bid(
            start_price=lot.start_price,
            best_amount=lot.best_amount,
            step_kind=auction.step_kind,
            step_value=auction.step_value,
        ),
        step=rules.step_amount(
            auction.step_kind, auction.step_value, lot.best_amount or lot.start_price
        ),
        now=utcnow(),
    )


def read_public(lot_id: int) -> PublicLot | None:
    return read_only(lambda s: public_lot(s, lot_id))


def needs_personal_read(personal: queries.LotView, pub: PublicLot | None) -> bool:
    """Whether the public part alone cannot update this caller's page: the lot is not public,
    or its phase moved (start, close, cancel: what the caller may do changes)."""
    return (
        pub is None
        or pub.status != personal.status
        or pub.closed != personal.closed
        or pub.lot_id != personal.lot_id
    )


@functools.lru_cache(maxsize=512)
def _history_rows(
    history: tuple[tuple[str, Decimal, datetime], ...], mine: str
) -> tuple[queries.HistoryRow, ...]:
    """The public history as one caller's rows (their own bids marked): the same for every
    follower with the same pseudonym, so built once per version and pseudonym."""
    return tuple(
        queries.HistoryRow(participant=p, amount=a, at=t, mine=bool(mine) and p == mine)
        for p, a, t in history
    )


def personalise(
    personal: queries.LotView, pub: PublicLot, *, my_participant: str = ""
) -> queries.LotView:
    """The caller's page at `pub`'s version, from the caller's own last `lot_view` (what only
    they may see: their pseudonym, their offer, whether they may bid at all) and the shared
    public part. `my_participant`: the caller's pseudonym if learnt since (their first bid)."""
    mine = my_participant or personal.my_participant
    leading = bool(mine) and pub.best_participant == mine
    # An open bid since the caller's own view was read shows in the public history.
    bid_openly = personal.my_bid_openly or leading or any(p == mine for p, _, _ in pub.history)
    may_bid = personal.why_not == "" and rules.allows(personal.form, BidKind.OPEN)
    may_offer = personal.why_not == "" and rules.allows(personal.form, BidKind.OFFER)
    return dataclasses.replace(
        personal,
        now=pub.now,
        status=pub.status,
        status_label=pub.status_label,
        closed=pub.closed,
        effective_end=pub.effective_end,
        extended=pub.extended,
        best_amount=pub.best_amount,
        best_participant=pub.best_participant,
        open_bids=pub.open_bids,
        history=list(_history_rows(pub.history, mine)),
        step=pub.step,
        min_next_bid=pub.min_next_bid,
        my_participant=mine,
        my_leading=leading,
        my_bid_openly=bid_openly,
        can_bid=may_bid and not leading,
        can_offer=may_offer and pub.open_bids == 0,
        version=pub.version,
    )


@dataclass
class LotWatch:
    """The last version seen of one lot, and an event set (and replaced) when it moves."""

    lot_id: int
    version: int = UNKNOWN
    refs: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    snapshot: PublicLot | None = None  # the public part at `version` (when the hub reads it)

    def _move(self, version: int, snapshot: PublicLot | None = None) -> None:
        if version == self.version:
            return
        self.version, self.snapshot = version, snapshot
        fired, self.changed = self.changed, asyncio.Event()
        fired.set()

    async def wait(self, seen: int, timeout: float) -> int:
        """The version once it differs from `seen` (at once if it already does), or the
        current one after `timeout` seconds without a change."""
        if self.version != seen:
            return self.version
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.changed.wait(), timeout)
        return self.version


class LotHub:
    """One per event loop (process): polls the watched lots' versions while anyone watches."""

    def __init__(
        self,
        read: Callable[[list[int]], dict[int, int]] = read_versions,
        poll_seconds: float = POLL_SECONDS,
        snapshot: Callable[[int], PublicLot | None] | None = None,
    ) -> None:
        self._read = read
        self._snapshot = snapshot
        self.poll_seconds = poll_seconds
        self._lots: dict[int, LotWatch] = {}
        self._task: asyncio.Task[None] | None = None
        self.polls = 0  # reads done (for tests and benchmarks)

    @property
    def watched(self) -> list[int]:
        return sorted(self._lots)

    @contextlib.asynccontextmanager
    async def watching(self, lot_id: int) -> AsyncIterator[LotWatch]:
        watch = self._lots.get(lot_id)
        if watch is None:
            watch = self._lots[lot_id] = LotWatch(lot_id)
        watch.refs += 1
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="auction-live-hub"
            )
        try:
            yield watch
        finally:
            watch.refs -= 1
            if watch.refs <= 0 and self._lots.get(lot_id) is watch:
                del self._lots[lot_id]

    async def poll_once(self) -> None:
        ids = list(self._lots)
        if not ids:
            return
        versions = await run_blocking(lambda: self._read(ids))
        self.polls += 1
        for lot_id in ids:
            watch = self._lots.get(lot_id)
            version = versions.get(lot_id, GONE)
            if watch is None or version == watch.version:
                continue
            snap = None
            if self._snapshot is not None and version != GONE:
                snap = await run_blocking(functools.partial(self._snapshot, lot_id))
                version = snap.version if snap is not None else version
            watch._move(version, snap)

    async def _run(self) -> None:
        while self._lots:
            try:
                await self.poll_once()
            except Exception:  # the database is away: keep the pages, try again shortly
                log.exception("auction live: reading lot versions failed")
                await asyncio.sleep(1.0)
                continue
            # A fixed tick, not "at once after a local bid": measured, reading and pushing
            # after every bid costs the worker more (and answers later) than folding the
            # bids of 50 ms into one push per page.
            await asyncio.sleep(self.poll_seconds)


_HUBS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LotHub] = weakref.WeakKeyDictionary()


def get_hub() -> LotHub:
    """The hub of the running event loop (one per backend worker process)."""
    loop = asyncio.get_running_loop()
    hub = _HUBS.get(loop)
    if hub is None:
        hub = _HUBS[loop] = LotHub(snapshot=read_public)
    return hub


async def follow(
    lot_id: int,
    read_view: Callable[[PublicLot | None], T],
    *,
    hub: LotHub | None = None,
    idle_seconds: float = IDLE_SECONDS,
    blocking: bool = True,
) -> AsyncIterator[T | None]:
    """`read_view(public part)` now, and again after every change of the lot's version.

    Changes that arrive while a read is running are folded into the next read (a follower
    never falls behind by more than one read). Yields None after `idle_seconds` without a
    change, so the caller can check it should still be following. `read_view` is blocking
    (it reads the database) and runs in the live-reads pool.
    """
    hub = hub or get_hub()
    async with hub.watching(lot_id) as watch:
        if watch.version == UNKNOWN:
            await hub.poll_once()  # the version before the first read: no change slips between
        seen = watch.version
        yield await _call(read_view, watch.snapshot, blocking)
        while True:
            version = await watch.wait(seen, idle_seconds)
            if version == seen:
                yield None
                continue
            seen = version
            yield await _call(read_view, watch.snapshot, blocking)


async def _call(
    read_view: Callable[[PublicLot | None], T], pub: PublicLot | None, blocking: bool
) -> T:
    if not blocking:
        return read_view(pub)
    return await run_blocking(lambda: read_view(pub))


# --------------------------------------------------------------------------- the lot list by dates


@dataclass(frozen=True)
class LotDateFilters:
    """queries.LotFilters plus a period: lots whose trading (the auction's start to the lot's
    possibly extended end) touches the days `ends_from`..`ends_to` (display time zone)."""

    base: queries.LotFilters = field(default_factory=queries.LotFilters)
    ends_from: date | None = None
    ends_to: date | None = None


def _day_start(d: date) -> datetime:
    zone = local(datetime.now(UTC)).tzinfo
    return datetime.combine(d, time(0, 0), tzinfo=zone).astimezone(UTC)


def list_lots(
    session: Session,
    *,
    actor_id: int,
    filters: LotDateFilters,
    cursor: str = "",
    before: str = "",
    limit: int = queries.PAGE_SIZE,
) -> pagination.Page[queries.LotRow]:
    """`queries.list_lots` with the period filter of the participants' list (same scope, same
    filters, same keyset order and cursors). Without a period it is that query itself."""
    if filters.ends_from is None and filters.ends_to is None:
        return queries.list_lots(
            session,
            actor_id=actor_id,
            filters=filters.base,
            cursor=cursor,
            before=before,
            limit=limit,
        )
    actor = queries._viewer(session, actor_id)
    f = filters.base
    stmt: Any = (
        select(AuctionLot, Auction)
        .join(Auction, col(Auction.id) == col(AuctionLot.auction_id))
        .where(col(Auction.status).in_(queries._visible_statuses(actor)))
    )
    words = [w for w in " ".join(f.q.lower().split())[:200].split(" ") if w][:8]
    for w in words:
        stmt = stmt.where(col(AuctionLot.search_text).contains(w, autoescape=True))
    if f.status:
        stmt = stmt.where(Auction.status == f.status)
    if f.form:
        stmt = stmt.where(Auction.form == f.form)
    if f.auction_id:
        stmt = stmt.where(AuctionLot.auction_id == f.auction_id)
    if filters.ends_from is not None:
        stmt = stmt.where(col(AuctionLot.effective_end) >= _day_start(filters.ends_from))
    if filters.ends_to is not None:
        stmt = stmt.where(col(Auction.starts_at) < _day_start(filters.ends_to) + timedelta(days=1))
    spec = queries._LOT_SPECS.get(f.sort, queries._LOT_SPECS["end"])
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
        rows=[queries._lot_row(lot, a) for lot, a in page.rows],
        next_after=page.next_after,
        prev_before=page.prev_before,
    )


__all__ = [
    "GONE",
    "IDLE_SECONDS",
    "POLL_SECONDS",
    "UNKNOWN",
    "LotDateFilters",
    "LotHub",
    "LotWatch",
    "PublicLot",
    "follow",
    "get_hub",
    "list_lots",
    "needs_personal_read",
    "personalise",
    "public_lot",
    "read_public",
    "read_versions",
    "run_blocking",
]
