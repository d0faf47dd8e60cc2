"""Participants' auction pages: the calendar, the lot list and the live lot page.

Thin states: each handler resolves the caller from the session cookie on the server, calls a
query or a service of this module and shows the outcome. The lot page follows the lot live:
its on_load starts a background task (`LotState.watch`) that waits on the process's lot hub
(cabinet/auctions/live.py) and, whenever the lot's version moves, re-reads the page through
`queries.lot_view` *for this caller* — so only pseudonyms, open bids and the caller's own
offer ever reach the browser — and pushes it. Reflex cancels the task when the browser leaves
the page, reloads it or disconnects (it belongs to the page's on_load chain); a reconnect
re-runs on_load, which starts a fresh task. The task also stops by itself when a newer one
took over this tab (`_watch_gen`) or the tab's socket is gone.
"""

from __future__ import annotations

import asyncio
import calendar as _calendar
import contextlib
import functools
import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import reflex as rx
from reflex_base.constants.state import FIELD_MARKER
from reflex_base.event.context import EventContext
from sqlmodel import Session

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import resolve_user_id
from cabinet.auctions import live, queries, rules, service
from cabinet.db import get_engine, get_read_engine, read_only, session_scope
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.formatting import fmt_dt, fmt_dt_seconds, local
from cabinet.pagination import page_params
from components.data_table import ALL
from models.auctions import AuctionForm, AuctionStatus

log = logging.getLogger(__name__)

MONTHS_RU = (
    "",
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
)
STATUS_FILTERS = (
    AuctionStatus.RUNNING,
    AuctionStatus.ANNOUNCED,
    AuctionStatus.FINISHED,
    AuctionStatus.CANCELLED,
)
FORM_FILTERS = (AuctionForm.OPEN, AuctionForm.CLOSED, AuctionForm.MIXED)
MAX_AMOUNT_CHARS = 24
STEP_BUTTONS = (1, 5)  # "+1 шаг", "+5 шагов"


def _int(value: object) -> int | None:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and 0 < len(raw) < 11 and int(raw) > 0 else None


def _money(amount: Decimal | None, currency: str = "") -> str:
    return rules.fmt_money(amount, currency)


# Every follower of a lot formats the same few history rows after each bid: once is enough.
_money_cached = functools.lru_cache(maxsize=4096)(_money)
_at_cached = functools.lru_cache(maxsize=4096)(fmt_dt_seconds)
_dt_cached = functools.lru_cache(maxsize=1024)(fmt_dt)


def _plain(amount: Decimal | None) -> str:
    """An amount as the bid field takes it: "1250000.00" ("" for none)."""
    return "" if amount is None else f"{amount.quantize(rules.CENT):f}"


def _ms(value: datetime | None) -> int:
    if value is None:
        return 0
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def _hrefs(path: str, base: dict[str, Any], next_after: str, prev_before: str) -> tuple[str, str]:
    nxt = routes.with_query(path, **base, after=next_after) if next_after else ""
    prv = routes.with_query(path, **base, before=prev_before) if prev_before else ""
    return nxt, prv


# --------------------------------------------------------------------------- /auctions (calendar)


@dataclass
class CalendarEntry:
    auction_id: int = 0
    title: str = ""
    status: str = ""
    status_label: str = ""
    color: str = "gray"
    form: str = ""
    form_label: str = ""
    time: str = ""  # "10:00–12:00" (display time zone)
    when: str = ""  # "05.12.2026 10:00 — 05.12.2026 12:00"
    lots: int = 0
    href: str = ""


@dataclass
class CalendarDay:
    day: int = 0
    iso: str = ""
    in_month: bool = False
    today: bool = False
    auctions: list[CalendarEntry] = field(default_factory=list)


def _parse_month(raw: str, today: date) -> date:
    try:
        year, month = (int(p) for p in raw.split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _shift_month(month: date, delta: int) -> date:
    n = month.year * 12 + month.month - 1 + delta
    return date(n // 12, n % 12 + 1, 1)


def _entry(item: queries.CalendarItem) -> CalendarEntry:
    start, end = local(item.starts_at), local(item.ends_at)
    same_day = start.date() == end.date()
    return CalendarEntry(
        auction_id=item.auction_id,
        title=item.title,
        status=item.status,
        status_label=item.status_label,
        color=rules.STATUS_COLORS.get(item.status, "gray"),
        form=item.form,
        form_label=item.form_label,
        time=f"{start:%H:%M}–{end:%H:%M}" if same_day else f"{start:%H:%M}→{end:%d.%m}",
        when=f"{fmt_dt(item.starts_at)} — {fmt_dt(item.ends_at)}",
        lots=item.lots,
        href=routes.auction_url(item.auction_id),
    )


def month_grid(month: date, items: list[queries.CalendarItem], today: date) -> list[CalendarDay]:
    """Whole weeks (Monday first) covering `month`; each day lists the auctions running on it
    (in the display time zone)."""
    first_weekday, days = _calendar.monthrange(month.year, month.month)
    start = month - timedelta(days=first_weekday)
    weeks = (first_weekday + days + 6) // 7
    cells: list[CalendarDay] = []
    spans = [(local(i.starts_at).date(), local(i.ends_at).date(), _entry(i)) for i in items]
    for n in range(weeks * 7):
        d = start + timedelta(days=n)
        cells.append(
            CalendarDay(
                day=d.day,
                iso=d.isoformat(),
                in_month=d.month == month.month,
                today=d == today,
                auctions=[e for lo, hi, e in spans if lo <= d <= hi],
            )
        )
    return cells


class AuctionCalendarState(SessionState):
    """/auctions?month=YYYY-MM&view=month|list: the auction calendar of a month."""

    allowed: bool = True
    loaded: bool = False
    can_bid: bool = False
    view: str = "month"
    month_label: str = ""
    month_num: int = 0  # 1..12: the page names the month in the interface language
    month_year: int = 0
    days: list[CalendarDay] = []
    entries: list[CalendarEntry] = []
    prev_href: str = ""
    next_href: str = ""
    today_href: str = ""
    month_href: str = ""
    list_href: str = ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        params = self.router.url.query_parameters
        today = local(datetime.now(UTC)).date()
        month = _parse_month(str(params.get("month", ""))[:7], today)
        self.view = "list" if params.get("view") == "list" else "month"
        key = f"{month:%Y-%m}"
        self.month_label = f"{MONTHS_RU[month.month]} {month.year}"
        self.month_num, self.month_year = month.month, month.year
        self.prev_href = routes.with_query(
            routes.AUCTIONS, month=f"{_shift_month(month, -1):%Y-%m}", view=self.view
        )
        self.next_href = routes.with_query(
            routes.AUCTIONS, month=f"{_shift_month(month, 1):%Y-%m}", view=self.view
        )
        self.today_href = routes.with_query(routes.AUCTIONS, view=self.view)
        self.month_href = routes.with_query(routes.AUCTIONS, month=key)
        self.list_href = routes.with_query(routes.AUCTIONS, month=key, view="list")
        try:
            with session_scope() as s:
                items = queries.calendar(s, actor_id=actor.id, month=month)
        except PermissionDenied:
            self.allowed, self.loaded = False, True
            self.days, self.entries = [], []
            return None
        self.allowed = True
        self.can_bid = bool(queries.bid_org_ids(actor))
        self.days = month_grid(month, items, today)
        self.entries = [_entry(i) for i in items]
        self.loaded = True
        return None


# --------------------------------------------------------------------------- /auctions/lots


@dataclass
class LotListRow:
    lot_id: int = 0
    href: str = ""
    auction_title: str = ""
    auction_href: str = ""
    number: int = 0
    product: str = ""
    quantity: str = ""
    price: str = ""  # the best open bid, or the start price while nobody has bid
    price_note: str = ""  # "стартовая цена" / "ставок: 3"
    open_bids: int = 0
    has_bid: bool = False  # the price is the best open bid (else the start price)
    status: str = ""
    badge: str = ""  # the status code the badge names: the auction's, or "closed" (this lot)
    status_label: str = ""
    color: str = "gray"
    form: str = ""
    form_label: str = ""
    ends: str = ""
    delivery_terms: str = ""


# A lot whose own end passed while its auction still runs (others' soft close).
LOT_CLOSED = "closed"
LOT_CLOSED_LABEL = ("Лот закрыт", "Lot closed")


def _lot_row(r: queries.LotRow) -> LotListRow:
    qty = f"{r.quantity.normalize():f}".replace(".", ",")
    bids = r.open_bids
    note = "стартовая цена" if r.best_amount is None else f"ставок: {bids}"
    return LotListRow(
        lot_id=r.lot_id,
        href=routes.auction_lot_url(r.lot_id),
        auction_title=r.auction_title,
        auction_href=routes.auction_url(r.auction_id),
        number=r.number,
        product=r.product,
        quantity=f"{qty} {r.unit}",
        price=_money(r.best_amount if r.best_amount is not None else r.start_price, r.currency),
        price_note=note,
        open_bids=bids,
        has_bid=r.best_amount is not None,
        status=r.status,
        badge=LOT_CLOSED if r.closed else r.status,
        status_label=LOT_CLOSED_LABEL[0] if r.closed else r.status_label,
        color="gray" if r.closed else rules.STATUS_COLORS.get(r.status, "gray"),
        form=r.form,
        form_label=r.form_label,
        ends=fmt_dt(r.effective_end),
        delivery_terms=r.delivery_terms,
    )


def _date_param(raw: object) -> str:
    text = str(raw or "")[:10]
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        return ""


class AuctionLotsState(SessionState):
    """/auctions/lots?q=&status=&form=&from=&to=&auction=&after=|before=: lots, keyset paged."""

    allowed: bool = True
    loaded: bool = False
    can_bid: bool = False
    rows: list[LotListRow] = []
    f_q: str = ""
    f_status: str = ""
    f_form: str = ""
    f_from: str = ""
    f_to: str = ""
    f_auction: str = ""
    auction_title: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    error: str = ""

    def _base(self) -> dict[str, str]:
        return {
            "q": self.f_q,
            "status": self.f_status,
            "form": self.f_form,
            "from": self.f_from,
            "to": self.f_to,
            "auction": self.f_auction,
        }

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        params = self.router.url.query_parameters
        self.f_q = " ".join(str(params.get("q", ""))[:100].split())
        status = str(params.get("status", ""))
        self.f_status = status if status in STATUS_FILTERS else ""
        form = str(params.get("form", ""))
        self.f_form = form if form in FORM_FILTERS else ""
        self.f_from = _date_param(params.get("from"))
        self.f_to = _date_param(params.get("to"))
        auction = _int(params.get("auction"))
        self.f_auction = str(auction) if auction else ""
        after, before = page_params(params)
        self.query_key = "|".join([*self._base().values(), after, before])
        filters = live.LotDateFilters(
            base=queries.LotFilters(
                q=self.f_q, status=self.f_status, form=self.f_form, auction_id=auction
            ),
            ends_from=date.fromisoformat(self.f_from) if self.f_from else None,
            ends_to=date.fromisoformat(self.f_to) if self.f_to else None,
        )
        self.error = ""
        try:
            with session_scope() as s:
                try:
                    page = live.list_lots(
                        s, actor_id=actor.id, filters=filters, cursor=after, before=before
                    )
                except ValidationFailed:  # a stale or tampered cursor: the first page
                    page = live.list_lots(s, actor_id=actor.id, filters=filters)
                self.auction_title = ""
                if auction:
                    with contextlib.suppress(DomainError):
                        self.auction_title = queries.auction_view(
                            s, actor_id=actor.id, auction_id=auction
                        ).title
        except PermissionDenied:
            self.allowed, self.loaded, self.rows = False, True, []
            return None
        self.allowed = True
        self.can_bid = bool(queries.bid_org_ids(actor))
        self.rows = [_lot_row(r) for r in page.rows]
        self.next_href, self.prev_href = _hrefs(
            routes.AUCTION_LOTS, self._base(), page.next_after, page.prev_before
        )
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}

        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = str(data.get(name, "") or "")
            return value if value in allowed and value != ALL else ""

        return rx.redirect(
            routes.with_query(
                routes.AUCTION_LOTS,
                q=" ".join(str(data.get("q", "") or "")[:100].split()),
                status=pick("status", STATUS_FILTERS),
                form=pick("form", FORM_FILTERS),
                **{"from": _date_param(data.get("from")), "to": _date_param(data.get("to"))},
                auction=self.f_auction,
            )
        )


# --------------------------------------------------------------------------- /auctions/view


class AuctionViewState(SessionState):
    """/auctions/view?id=N: one auction (terms, schedule) and all its lots."""

    loaded: bool = False
    missing: str = ""
    title: str = ""
    description: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    form: str = ""
    form_label: str = ""
    starts: str = ""
    ends: str = ""
    step: str = ""
    soft_close: str = ""
    cancel_reason: str = ""
    rows: list[LotListRow] = []

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.loaded = True
        auction_id = _int(self.router.url.query_parameters.get("id", ""))
        try:
            if auction_id is None:
                raise NotFound("Аукцион не найден.")
            with session_scope() as s:
                a = queries.auction_view(s, actor_id=actor.id, auction_id=auction_id)
        except DomainError as e:
            self.missing, self.rows = e.message, []
            return None
        self.missing = ""
        self.title, self.description = a.title, a.description
        self.status, self.status_label = a.status, a.status_label
        self.status_color = rules.STATUS_COLORS.get(a.status, "gray")
        self.form, self.form_label = a.form, a.form_label
        self.starts, self.ends = fmt_dt(a.starts_at), fmt_dt(a.ends_at)
        self.step = (
            f"{a.step_value.normalize():f} %"
            if a.step_kind == "percent"
            else rules.fmt_money(a.step_value)
        )
        self.soft_close = (
            f"ставка в последние {a.soft_close_minutes} мин продлевает торги по лоту "
            f"на {a.extension_minutes} мин"
            if a.soft_close_minutes
            else "нет"
        )
        self.cancel_reason = a.cancel_reason
        self.rows = [_lot_row(r) for r in a.lots]
        return None


# --------------------------------------------------------------------------- /auctions/lot


@dataclass
class HistoryItem:
    participant: str = ""
    amount: str = ""
    at: str = ""
    mine: bool = False


@dataclass
class LiveRead:
    """One re-read of the lot page for one caller (what the watch task pushes)."""

    view: queries.LotView | None = None
    error: str = ""  # "" | the NotFound / PermissionDenied message
    logged_out: bool = False


def read_lot(token: str, lot_id: int) -> LiveRead:
    """The lot as this browser's user may see it now (blocking; runs off the event loop)."""
    with session_scope() as s:
        user_id = resolve_user_id(s, token) if token else None
        if user_id is None:
            return LiveRead(logged_out=True)
        try:
            return LiveRead(view=queries.lot_view(s, actor_id=user_id, lot_id=lot_id))
        except DomainError as e:
            return LiveRead(error=e.message)


def page_values(v: queries.LotView) -> dict[str, Any]:
    """The lot page's vars for one view of the lot (formatted on the server)."""
    qty = f"{v.quantity.normalize():f}".replace(".", ",")
    return {
        "missing": "",
        "auction_title": v.auction_title,
        "auction_href": routes.auction_url(v.auction_id),
        "number": v.number,
        "product": v.product,
        "quantity": f"{qty} {v.unit}",
        "delivery_terms": v.delivery_terms,
        "currency": v.currency,
        "start_price": _money(v.start_price, v.currency),
        "form": v.form,
        "form_label": v.form_label,
        "status": v.status,
        "status_label": v.status_label,
        "status_color": rules.STATUS_COLORS.get(v.status, "gray"),
        "starts": fmt_dt(v.starts_at),
        "closed": v.closed,
        "soft_close_note": (
            f"Ставка в последние {v.soft_close_minutes} мин продлевает торги по лоту "
            f"на {v.extension_minutes} мин."
            if v.soft_close_minutes and v.form != AuctionForm.CLOSED
            else ""
        ),
        "my_offer": _money(v.my_offer, v.currency) if v.my_offer is not None else "",
        "my_offer_at": fmt_dt(v.my_offer_at),
        "can_withdraw": v.can_withdraw,
        "why_not": v.why_not,
        "result": _result_text(v),
        **live_values(v),
    }


def live_values(v: queries.LotView) -> dict[str, Any]:
    """The part of `page_values` that a new public state of the lot can move while its phase
    stays (bids, prices, the end, who leads). The watch task pushes only these after a bid:
    the rest changes only with a phase change or the caller's own action, which re-read the
    caller's whole view."""
    started = v.now >= v.starts_at
    if v.closed or v.status in (AuctionStatus.FINISHED, AuctionStatus.CANCELLED):
        target, label = 0, ""
    elif not started:
        target, label = _ms(v.starts_at), "До начала торгов"
    else:
        target, label = _ms(v.effective_end), "До окончания торгов"
    return {
        "ends": _dt_cached(v.effective_end),
        "extended": v.extended,
        "running": v.status == AuctionStatus.RUNNING and started and not v.closed,
        "server_ms": _ms(v.now),
        "target_ms": target,
        "countdown_label": label,
        "best": _money_cached(v.best_amount, v.currency) if v.best_amount is not None else "",
        "best_value": _plain(v.best_amount),
        "best_participant": v.best_participant,
        "open_bids": v.open_bids,
        "history": [
            HistoryItem(
                participant=h.participant,
                amount=_money_cached(h.amount, v.currency),
                at=_at_cached(h.at),
                mine=h.mine,
            )
            for h in v.history
        ],
        "step": _money_cached(v.step, v.currency),
        "_step_value": _plain(v.step),
        "min_next": _money_cached(v.min_next_bid, v.currency),
        "min_next_value": _plain(v.min_next_bid),
        "my_participant": v.my_participant,
        "my_leading": v.my_leading,
        "was_leading": v.my_bid_openly and not v.my_leading and v.best_amount is not None,
        "can_bid": v.can_bid,
        "can_offer": v.can_offer,
        "version": v.version,
    }


_UNSET = object()


@dataclass(eq=False)
class TabFeed:
    """What one tab's browser shows of its lot page, kept by the worker that holds the tab's
    socket while the tab's watch task runs (`_FEEDS`, by client token).

    With a feed, the page's vars go to the browser straight from this worker as a delta of
    what moved (`LotState._push`), not through the tab's state: with the Redis state manager
    every trip through the state is a lock, a read and a write of the tab's state, and on a
    hot lot that was 70 pages × 20 changes a second. So while a feed lives, the tab's state
    lags on the page's vars and this feed is what the browser has: the tab's own events read
    the version, the least next bid, the step and the bid field here (`LotState._feed`)."""

    client_token: str
    lot_id: int
    gen: int
    shown: dict[str, Any]  # var -> the value the browser has
    touched: bool = False  # the participant typed an amount: do not overwrite it
    stale: bool = False  # an own action: the watch task re-reads the caller's lot_view
    alive: bool = True  # False once a page load or the task's end replaced the feed

    def take(
        self, values: dict[str, Any], least: Decimal, *, force: bool = False
    ) -> dict[str, Any]:
        """The vars of `values` the browser does not have yet (all of them with `force`),
        from now on counted as shown. The bid field follows the least next bid until the
        participant types in it, and again once what they typed falls below it."""
        shown = self.shown
        out: dict[str, Any] = {}
        least_text = values["min_next_value"]
        if not self.touched or (
            shown.get("min_next_value") != least_text and _below(shown.get("bid_amount", ""), least)
        ):
            self.touched = False
            if force or shown.get("bid_amount") != least_text:
                shown["bid_amount"] = out["bid_amount"] = least_text
        for name, value in values.items():
            if force or shown.get(name, _UNSET) != value:
                shown[name] = out[name] = value
        return out


# The feeds of the tabs whose watch task runs in this process (see TabFeed).
_FEEDS: dict[str, TabFeed] = {}


class LotState(SessionState):
    """/auctions/lot?id=N: one lot, live."""

    lot_id: int = 0
    loaded: bool = False
    missing: str = ""  # why the lot is not shown ("" when it is)
    # What the page shows (from queries.LotView, formatted on the server).
    auction_title: str = ""
    auction_href: str = ""
    number: int = 0
    product: str = ""
    quantity: str = ""
    delivery_terms: str = ""
    currency: str = ""
    start_price: str = ""
    form: str = ""
    form_label: str = ""
    status: str = ""
    status_label: str = ""
    status_color: str = "gray"
    starts: str = ""
    ends: str = ""
    extended: bool = False
    closed: bool = False
    soft_close_note: str = ""
    running: bool = False
    # The countdown runs in the browser from these two (server clock, milliseconds).
    target_ms: int = 0  # the start while not started, then the (extended) end
    server_ms: int = 0
    countdown_label: str = ""
    best: str = ""
    best_value: str = ""  # "1250000.00" ("" while nobody has bid openly)
    best_participant: str = ""
    open_bids: int = 0
    history: list[HistoryItem] = []
    step: str = ""
    min_next: str = ""
    min_next_value: str = ""
    my_participant: str = ""
    my_leading: bool = False
    was_leading: bool = False  # the caller's organisation has bid openly and is not leading
    my_offer: str = ""
    my_offer_at: str = ""
    can_bid: bool = False
    can_offer: bool = False
    can_withdraw: bool = False
    why_not: str = ""
    result: str = ""
    version: int = -1
    # The forms.
    bid_amount: str = ""
    bid_error: str = ""
    offer_amount: str = ""
    offer_error: str = ""
    notice: str = ""  # the last accepted action ("Ставка … принята — вы лидируете.")
    acks: int = 0  # bids, offers and withdrawals this tab has sent and the server answered
    live: bool = False  # the watch task is following the lot
    _bid_touched: bool = False  # the participant typed an amount: do not overwrite it
    _step_value: str = "0"
    _watch_gen: int = 0
    _watch_running: int = 0

    # ----------------------------------------------------------------- showing a view

    def _feed(self) -> TabFeed | None:
        """This tab's live feed in this worker, while its watch task follows this lot."""
        feed = _FEEDS.get(self.router.session.client_token)
        if feed is None or not feed.alive or feed.lot_id != self.lot_id:
            return None
        return feed

    def _shown(self, name: str, feed: TabFeed | None) -> Any:
        """A page var as the browser has it (the feed's value while there is one)."""
        if feed is not None and name in feed.shown:
            return feed.shown[name]
        return getattr(self, name)

    async def _push(self, feed: TabFeed, changes: dict[str, Any]) -> None:
        """Send `changes` (page vars, from `TabFeed.take`) to the tab's browser now, as a
        delta of this state, without going through the tab's state."""
        delta = {k + FIELD_MARKER: v for k, v in changes.items() if not k.startswith("_")}
        if delta:
            await EventContext.get().emit_delta({self.get_full_name(): delta})

    def _show(self, v: queries.LotView, *, force: bool = False) -> None:
        """Show `v` through the tab's state (a page load, or no live feed in this worker).
        Only vars whose value changes are assigned (all of them with `force`): the event's
        delta then carries just what moved."""
        values = page_values(v)
        current = getattr(self, "__wrapped__", self)
        mirror = TabFeed(
            client_token="",
            lot_id=self.lot_id,
            gen=0,
            shown={name: getattr(current, name) for name in (*values, "bid_amount")},
            touched=self._bid_touched,
        )
        for name, value in mirror.take(values, v.min_next_bid, force=force).items():
            setattr(self, name, value)
        self._bid_touched = mirror.touched

    def _clear(self, why: str) -> None:
        self.missing = why
        self.history = []
        self.best = self.best_value = self.best_participant = self.my_offer = ""
        self.can_bid = self.can_offer = self.can_withdraw = self.running = False
        self.target_ms = 0
        self.version = -1

    def _reload_view(self, actor_id: int) -> None:
        try:
            with session_scope() as s:
                self._show(queries.lot_view(s, actor_id=actor_id, lot_id=self.lot_id), force=True)
        except DomainError as e:
            self._clear(e.message)

    # ----------------------------------------------------------------- page load + live

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self._watch_gen += 1  # any older watch task of this tab stops at its next wake
        old = _FEEDS.pop(self.router.session.client_token, None)
        if old is not None:
            old.alive = False
        self.live = False
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.bid_error = self.offer_error = self.notice = ""
        self.offer_amount = ""
        self._bid_touched = False
        self.lot_id = _int(self.router.url.query_parameters.get("id", "")) or 0
        self.loaded = True
        if not self.lot_id:
            self._clear("Лот не найден.")
            return None
        # The whole page (force): while a feed lived, this state lagged behind the browser.
        self._reload_view(actor.id)
        if self.missing or not self._on_lot_page():
            return None
        return [rx.call_script(COUNTDOWN_JS), LotState.watch]

    def _on_lot_page(self) -> bool:
        """Whether this tab shows the lot page (a load called from anywhere else, say by a
        script, gets the data but no live task)."""
        return self.router.url.path.rstrip("/") == routes.AUCTION_LOT

    @rx.event(background=True)
    async def watch(self):
        """Follow the lot until the tab leaves it: push this caller's page on every change.

        On a change the process's hub has already read the lot's public part once for all
        its followers; this task lays it over the caller's own last `lot_view` (pseudonym,
        own offer, whether they may bid) and pushes what moved straight to the browser
        (`TabFeed`: no trip through the tab's state). The caller's own view is read again —
        through `lot_view`, session re-checked — at the start, every PERSONAL_SECONDS, after
        the caller's own action, and when the lot's phase moves (start, close, cancel)."""
        async with self:
            if (
                not self.lot_id
                or self._watch_running == self._watch_gen
                or self.missing
                or not self._on_lot_page()
            ):
                return  # nothing to follow, or a task of this page load already follows it
            gen = self._watch_running = self._watch_gen
            token, lot_id = self.token, self.lot_id
            self.live = True
            client_token = self.router.session.client_token
            current = self.__wrapped__
            feed = TabFeed(
                client_token=client_token,
                lot_id=lot_id,
                gen=gen,
                shown={name: current.get_value(name) for name in current.base_vars},
                touched=self._bid_touched,
            )
            feed.shown["_step_value"] = self._step_value
            old = _FEEDS.get(client_token)
            if old is not None:
                old.alive = False
            _FEEDS[client_token] = feed
        _warm_bid_path()
        mine: dict[str, Any] = {"view": None, "due": 0.0}

        def personal() -> LiveRead:
            fresh = read_lot(token, lot_id)
            if fresh.view is not None:
                # The next re-read at a random point of the second half of the period: pages
                # opened together (a bench, an auction's start) do not all re-read together.
                mine["view"] = fresh.view
                mine["due"] = _now() + PERSONAL_SECONDS * random.uniform(0.5, 1.0)
            return fresh

        def read(pub: live.PublicLot | None) -> live.PublicLot | str:
            """The shared public part when it is enough for this caller's page (called on
            the event loop: no database); PERSONAL when the caller's own view must be read."""
            own: queries.LotView | None = mine["view"]
            if own is None or live.needs_personal_read(own, pub) or _now() > mine["due"]:
                return PERSONAL
            return pub

        views = live.follow(lot_id, read, blocking=False)
        gone_since: float | None = None
        ended = ""  # why the page stops following ("" when it simply left)
        # Cancelled (the tab left, reloaded or disconnected): just stop — the next page load
        # starts its own task. Any other end: say so on the page, if the page is still ours.
        try:
            async with contextlib.aclosing(views):
                async for changed in views:
                    fresh: LiveRead | live.PublicLot | None = (
                        await live.run_blocking(personal) if isinstance(changed, str) else changed
                    )
                    if not feed.alive:
                        return
                    if fresh is None:  # no change for a while: still wanted?
                        gone_since = _socket_gone_since(client_token, gone_since)
                        if gone_since is not None and _now() - gone_since > SOCKET_GRACE_SECONDS:
                            break
                        due = _stale_clock(feed) or feed.stale
                        feed.stale = False
                        if not due and _now() <= mine["due"]:
                            continue
                        fresh = await live.run_blocking(personal)
                        if not feed.alive:
                            return
                    if isinstance(fresh, live.PublicLot):
                        again, feed.stale = feed.stale, False  # the caller acted: re-read
                        v = live.personalise(
                            mine["view"], fresh, my_participant=feed.shown.get("my_participant", "")
                        )
                        await self._push(feed, feed.take(live_values(v), v.min_next_bid))
                        if not again:
                            continue
                        fresh = await live.run_blocking(personal)
                        if not feed.alive:
                            return
                    if fresh.logged_out:
                        ended = "Сеанс завершён — войдите снова."
                        break
                    if fresh.view is None:
                        ended = fresh.error or "Лот не найден."
                        break
                    feed.stale = False
                    await self._push(
                        feed, feed.take(page_values(fresh.view), fresh.view.min_next_bid)
                    )
        finally:
            feed.alive = False
            if _FEEDS.get(client_token) is feed:
                del _FEEDS[client_token]
        async with self:
            if self._watch_running != gen:
                return
            self._watch_running = 0
            self.live = False
            # The state lagged behind the browser while the feed lived: catch it up (the
            # vars that differ go out once more, to the same values).
            current = self.__wrapped__
            for name, value in feed.shown.items():
                if name != "live" and current.get_value(name) != value:
                    setattr(self, name, value)
            self._bid_touched = feed.touched
            if ended:
                self._clear(ended)

    # ----------------------------------------------------------------- the bid form

    @rx.event
    def set_bid_amount(self, value: str):
        self.bid_amount = str(value or "")[:MAX_AMOUNT_CHARS]
        self._bid_touched = True
        self.bid_error = ""
        feed = self._feed()
        if feed is not None:
            feed.shown["bid_amount"], feed.touched = self.bid_amount, True

    @rx.event
    def add_steps(self, steps: int):
        """The amount field plus `steps` bid steps (from the least next bid at the lowest)."""
        try:
            n = max(0, min(100, int(steps)))
        except (TypeError, ValueError):
            return
        feed = self._feed()
        try:
            step = Decimal(self._shown("_step_value", feed))
            least = Decimal(self._shown("min_next_value", feed) or "0")
        except ArithmeticError:
            return
        try:
            current = rules.parse_amount(self._shown("bid_amount", feed))
        except DomainError:
            current = least
        base = max(current, least)
        self.bid_amount = _plain(base + step * n if current >= least else least + step * n)
        self._bid_touched = True
        self.bid_error = ""
        if feed is not None:
            feed.shown["bid_amount"], feed.touched = self.bid_amount, True

    # The three bidding actions are plain events: a tab's actions are answered in the order
    # sent, and with the state manager locking the tab once per event (Redis: one lock, load
    # and save). The refusals most bids get are decided without leaving the event loop on
    # SQLite (`refusal`); the rest awaits the service in a thread pool, so the other tabs of
    # the worker go on meanwhile.

    @rx.event
    async def submit_bid(self, form_data: dict):
        """Place an open bid of the amount in the form on this page's lot."""
        amount = str((form_data or {}).get("amount", "") if isinstance(form_data, dict) else "")
        return await self._act("bid", amount[:MAX_AMOUNT_CHARS])

    @rx.event
    async def submit_offer(self, form_data: dict):
        """Make (or change) the organisation's closed price offer on this page's lot."""
        amount = str((form_data or {}).get("amount", "") if isinstance(form_data, dict) else "")
        return await self._act("offer", amount[:MAX_AMOUNT_CHARS])

    @rx.event
    async def withdraw_offer(self):
        """Cancel the organisation's price offer on this page's lot."""
        return await self._act("withdraw", "")

    @rx.event
    def set_offer_amount(self, value: str):
        self.offer_amount = str(value or "")[:MAX_AMOUNT_CHARS]
        self.offer_error = ""

    async def _act(self, kind: str, amount: str):  # type: ignore[no-untyped-def]
        """Run one bidding action and show its outcome. An accepted open bid shows the
        bidder's lead at once; the watch task brings the rest of the page (history, next
        minimum) with the lot's new version, as for everyone else. The caller is resolved
        from the session token on the server; the lot id is only a key the service checks."""
        self.acks += 1
        if not self.lot_id or self.missing:
            return rx.toast.error("Лот не найден.")
        try:
            outcome = await run_action(self.token, self.lot_id, kind, amount)
        except Exception:  # the database or a pool failed: nothing was stored (one transaction)
            log.exception("auction action %s on lot %s failed", kind, self.lot_id)
            outcome = ActionOutcome(error=ACTION_FAILED)
            self.notice = ""
        return await self._apply(kind, outcome)

    async def _apply(self, kind: str, outcome: ActionOutcome):  # type: ignore[no-untyped-def]
        self.bid_error = self.offer_error = ""
        if outcome.logged_out:
            return rx.redirect(routes.LOGIN)
        feed = self._feed()
        if outcome.view is not None:
            if feed is not None:
                view = outcome.view
                await self._push(feed, feed.take(page_values(view), view.min_next_bid))
            else:
                self._show(outcome.view)
        if outcome.error:
            # A refused bid or offer is said under its own field (no toast: on a hot lot most
            # bids are refused, and each toast is one more message to the browser).
            if kind == "bid":
                self.bid_error = outcome.error
            elif kind == "offer":
                self.offer_error = outcome.error
            else:
                return rx.toast.error(outcome.error)
            return None
        done = outcome.done
        assert done is not None
        self.notice = done.message
        # The caller's own part of the page moved and the watch task re-reads it — except
        # after an open bid with no own offer shown: the bidder's pseudonym and lead are set
        # below, and everything else a bid moves comes with the lot's public part.
        if feed is not None:
            feed.stale = kind != "bid" or self._shown("my_offer", feed) != ""
        if kind == "bid":
            self._bid_touched = False
            if feed is not None:
                feed.touched = False
            if done.version > self._shown("version", feed):
                await self._show_own_lead(done, feed)
        else:
            self.offer_amount = ""
        return rx.toast.success(done.message)

    async def _show_own_lead(self, done: service.BidResult, feed: TabFeed | None) -> None:
        values: dict[str, Any] = {
            "best": _money(done.best_amount, self._shown("currency", feed)),
            "best_value": _plain(done.best_amount),
            "best_participant": done.participant,
            "my_participant": done.participant,
            "my_leading": True,
            "was_leading": False,
            "can_bid": False,
            "ends": fmt_dt(done.effective_end),
            "extended": bool(self._shown("extended", feed)) or done.extended,
        }
        if self._shown("running", feed):
            values["target_ms"] = _ms(done.effective_end)
        if feed is None:
            for name, value in values.items():
                setattr(self, name, value)
            return
        feed.shown.update(values)
        await self._push(feed, values)


def _stale_clock(feed: TabFeed) -> bool:
    """Whether the shown phase may have ended by the clock alone (the start came, the end
    passed and the closer has not decided yet): then re-read even without a change."""
    target = feed.shown.get("target_ms") or 0
    if not target or feed.shown.get("closed"):
        return False
    return time.time() * 1000 >= target


@dataclass
class ActionOutcome:
    done: service.BidResult | None = None
    error: str = ""
    view: queries.LotView | None = None  # the page again, when the action needs it
    logged_out: bool = False


def act(token: str, lot_id: int, kind: str, amount: str) -> ActionOutcome:
    """One bidding action for the browser's user (blocking). The service reloads the actor
    and checks everything; the caller is only resolved from the session here."""
    with session_scope() as s:
        user_id = resolve_user_id(s, token) if token else None
        if user_id is None:
            return ActionOutcome(logged_out=True)
        try:
            if kind == "bid":
                done = service.place_bid(
                    s, actor_id=user_id, lot_id=lot_id, amount=amount, defer_notice=True
                )
                if done.outbid is not None:  # after the bidder has their answer
                    _NOTICES.submit(_send_outbid_notice, done.outbid)
            elif kind == "offer":
                done = service.place_offer(s, actor_id=user_id, lot_id=lot_id, amount=amount)
            else:
                done = service.withdraw_offer(s, actor_id=user_id, lot_id=lot_id)
        except DomainError as e:
            s.rollback()
            return ActionOutcome(error=e.message)
        if kind == "bid":
            return ActionOutcome(done=done)
        # Offers are rare and private: show the caller's own offer state right away.
        try:
            return ActionOutcome(
                done=done, view=queries.lot_view(s, actor_id=user_id, lot_id=lot_id)
            )
        except DomainError:
            return ActionOutcome(done=done)


ACTION_THREADS = 8
REFUSAL_THREADS = 4
_ACTIONS = ThreadPoolExecutor(max_workers=ACTION_THREADS, thread_name_prefix="auction-bid")
# The refusals' own pool: a refusal only reads and never waits for a lock, so it must not
# queue behind bids that wait for the lot's lock in _ACTIONS (at an auction's start dozens
# of bids may be accepted one after the other, each holding an _ACTIONS thread meanwhile).
_REFUSALS = ThreadPoolExecutor(max_workers=REFUSAL_THREADS, thread_name_prefix="auction-refusal")


# The outbid notices accepted bids owe (service.send_outbid_notice): written one after the
# other in a thread of their own, so that the bidder's answer never waits for one.
_NOTICES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="auction-notice")


def _send_outbid_notice(notice: service.OutbidNotice) -> None:
    try:
        with session_scope() as s:
            service.send_outbid_notice(s, notice)
    except Exception:  # a lost notice must not take the thread down; the bid is committed
        log.exception("outbid notice for lot %s failed", notice.lot_id)


_WARMED: list[asyncio.Future[None]] = []


def _warm_bid_path() -> None:
    """When this process's first lot page goes live: open the bid pools' database
    connections and compile the bid path's statements (service.warm_up) in the background,
    before the first bids come — at an auction's start they all come at once."""
    if _WARMED:
        return

    def warm() -> None:
        try:
            service.warm_up(
                get_engine(),
                get_read_engine(),
                connections=ACTION_THREADS,
                read_connections=REFUSAL_THREADS,
            )
        except Exception:  # only a head start: the bids open what they need anyway
            log.exception("auction bid path warm-up failed")

    _WARMED.append(asyncio.get_running_loop().run_in_executor(None, warm))


def refusal(token: str, lot_id: int, amount: str) -> ActionOutcome | None:
    """An open bid's refusal decided by reading alone (the caller's session, the lot, their
    organisations), or None when the bid may be accepted and must go to `act`. Never writes
    and never waits for a lock: on SQLite (WAL: readers never wait for the writer) it runs on
    the event loop, on PostgreSQL in the bid pool over the autocommit read engine. On a hot
    lot nearly every bid ends here."""

    def read(s: Session) -> ActionOutcome | None:
        # The common case in one statement; anything unusual gets the full check below.
        quick = service.quick_refusal(s.connection(), token=token, lot_id=lot_id, amount=amount)
        if quick is None:
            return None
        if quick != service.UNSURE:
            return ActionOutcome(error=quick)
        user_id = resolve_user_id(s, token, touch=False) if token else None
        if user_id is None:
            return ActionOutcome(logged_out=True)
        try:
            service.check_bid(s, actor_id=user_id, lot_id=lot_id, amount=amount)
        except DomainError as e:
            return ActionOutcome(error=e.message)
        return None

    return read_only(read)


ACTION_FAILED = (
    "Не удалось выполнить действие: сервер временно недоступен. Повторите через несколько секунд."
)


async def run_action(token: str, lot_id: int, kind: str, amount: str) -> ActionOutcome:
    loop = asyncio.get_running_loop()
    if kind == "bid":
        if get_engine().dialect.name == "sqlite":
            refused = refusal(token, lot_id, amount)
        else:
            refused = await loop.run_in_executor(_REFUSALS, refusal, token, lot_id, amount)
        if refused is not None:
            return refused
    return await loop.run_in_executor(_ACTIONS, act, token, lot_id, kind, amount)


def _below(text: str, least: Decimal) -> bool:
    try:
        return rules.parse_amount(text) < least
    except DomainError:
        return True


def _result_text(v: queries.LotView) -> str:
    if not v.closed:
        if v.status == AuctionStatus.CANCELLED:
            return "Аукцион отменён."
        return ""
    if v.result_kind == "none" or not v.result_kind:
        return "Торги по лоту завершены: ставок не было."
    if v.result_mine:
        price = _money(v.result_price, v.currency)
        how = "ставкой" if v.result_kind == "open" else "ценовым предложением"
        return f"Торги завершены. Ваша организация выиграла лот {how} {price}."
    if v.result_kind == "open":
        return f"Торги завершены. Победила ставка {_money(v.result_price, v.currency)}."
    return "Торги завершены. Лот выигран по ценовому предложению другого участника."


# --------------------------------------------------------------------------- the watch task


PERSONAL = "personal"  # the watch task's public-part read: "read my own view instead"
SOCKET_GRACE_SECONDS = 30.0  # a tab whose socket is gone this long stops its watch task
# The caller's own lot_view is re-read at least this often (besides after their own action
# and at every phase change): it carries what only changes with the caller's rights (may
# they still bid, is the session alive) — the server checks those on every bid anyway.
PERSONAL_SECONDS = 30.0


def _now() -> float:
    return time.monotonic()


def _socket_gone_since(client_token: str, since: float | None) -> float | None:
    """When this tab's socket was first seen gone from this worker (None while it is here).

    Reflex cancels the task when the socket disconnects; this is the fallback for a task
    started outside a page load. A tab that reconnected to another worker runs a new task
    there (its on_load ran again), so "not on this worker" is enough to stop here.
    """
    try:
        import sys

        from reflex.config import get_config

        app = getattr(sys.modules.get(get_config().module), "app", None)
        namespace = app.event_namespace if app is not None else None
        present = namespace is None or client_token in namespace.token_to_sid
    except Exception:  # no app (tests) or another Reflex: keep following
        present = True
    if present:
        return None
    return since if since is not None else _now()


# The countdown ticks in the browser: the element carries the target and the server's clock
# (epoch ms) of the last push, so the browser's own clock only measures the time since.
COUNTDOWN_JS = """
(function () {
  if (window.__cabinetCountdown) return;
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  window.__cabinetCountdown = setInterval(function () {
    document.querySelectorAll("[data-countdown-target]").forEach(function (el) {
      var target = +el.getAttribute("data-countdown-target");
      var server = +el.getAttribute("data-countdown-server");
      if (el.__server !== server) { el.__server = server; el.__skew = server - Date.now(); }
      var left = Math.floor((target - (Date.now() + (el.__skew || 0))) / 1000);
      var text;
      if (!target) { text = ""; }
      else if (left <= 0) { text = el.getAttribute("data-countdown-done") || "00:00:00"; }
      else {
        var d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600);
        text = (d ? d + " д " : "") + pad(h) + ":" + pad(Math.floor((left % 3600) / 60)) +
          ":" + pad(left % 60);
      }
      if (el.textContent !== text) el.textContent = text;
      el.setAttribute("data-urgent", left > 0 && left <= 120 ? "1" : "0");
    });
  }, 250);
})();
"""

__all__ = [
    "AuctionCalendarState",
    "AuctionLotsState",
    "AuctionViewState",
    "LotState",
    "month_grid",
    "read_lot",
]
