"""Participants' auction pages: calendar (month grid and list), the lot list with filters, and
the live lot page (price, countdown, anonymised history, own position, bid and offer forms)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.auctions import rules
from cabinet.auctions.participant_state import (
    LOT_CLOSED,
    LOT_CLOSED_LABEL,
    MONTHS_RU,
    STEP_BUTTONS,
    AuctionCalendarState,
    AuctionLotsState,
    AuctionViewState,
    CalendarDay,
    CalendarEntry,
    LotListRow,
    LotState,
)
from cabinet.i18n import code_label, t
from components.data_table import (
    back_link,
    data_table,
    filter_bar,
    labelled,
    mobile_card,
    no_access,
    not_found,
    pager,
    search_field,
    select_field,
    text_field,
)
from components.shell import shell

WEEKDAYS = (
    ("Пн", "Mo"),
    ("Вт", "Tu"),
    ("Ср", "We"),
    ("Чт", "Th"),
    ("Пт", "Fr"),
    ("Сб", "Sa"),
    ("Вс", "Su"),
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_NO_ACCESS = (
    "Аукционы доступны представителям организаций, подтверждённых в кабинете.",
    "Auctions are open to representatives of organisations confirmed in the portal.",
)
_READ_ONLY = (
    "Просмотр без участия: делать ставки могут представители подтверждённых организаций.",
    "View only: representatives of confirmed organisations may bid.",
)


def _badge(text: Any, color: Any, **props: Any) -> rx.Component:
    return rx.badge(
        text, color_scheme=color, variant="soft", radius="full", white_space="nowrap", **props
    )


# A badge names the auction's status, or "closed" for a lot whose own end passed.
_STATUS_LABELS = {**rules.STATUS_LABELS, LOT_CLOSED: LOT_CLOSED_LABEL}
# The live countdown's caption comes from the server in Russian (live_values).
_COUNTDOWN_LABELS = {
    "До начала торгов": ("До начала торгов", "Until the start"),
    "До окончания торгов": ("До окончания торгов", "Until the end"),
}


def _status(code: Any, fallback: Any) -> rx.Var:
    return code_label(code, _STATUS_LABELS, fallback)


def _form(code: Any, fallback: Any) -> rx.Var:
    return code_label(code, rules.FORM_LABELS, fallback)


def _price_note(r: LotListRow) -> rx.Component:
    return rx.text(
        rx.cond(
            r.has_bid,
            rx.fragment(t("ставок: ", "bids: "), r.open_bids),
            t("стартовая цена", "start price"),
        ),
        size="1",
        color_scheme="gray",
    )


def _tabs(active: str) -> rx.Component:
    """Lots | Calendar switch above both pages."""

    def tab(key: str, ru: str, en: str, icon: str, href: str) -> rx.Component:
        return rx.button(
            rx.icon(icon, size=16),
            t(ru, en),
            variant="solid" if key == active else "soft",
            on_click=rx.redirect(href),
            id=f"auc-tab-{key}",
        )

    return rx.hstack(
        tab("calendar", "Календарь", "Calendar", "calendar-days", routes.AUCTIONS),
        tab("lots", "Лоты", "Lots", "list", routes.AUCTION_LOTS),
        spacing="2",
        wrap="wrap",
    )


# --------------------------------------------------------------------------- calendar


def _entry_chip(e: CalendarEntry) -> rx.Component:
    return rx.link(
        rx.box(
            rx.text(e.time, size="1", weight="bold"),
            rx.text(
                e.title,
                size="1",
                style={
                    "display": "-webkit-box",
                    "WebkitLineClamp": "2",
                    "WebkitBoxOrient": "vertical",
                    "overflow": "hidden",
                },
            ),
            background=rx.color(e.color, 3),
            border_left=f"3px solid {rx.color(e.color, 9)}",
            border_radius="4px",
            padding="2px 4px",
            width="100%",
        ),
        href=e.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        title=e.when,
        width="100%",
    )


def _day_cell(d: CalendarDay) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(
                d.day,
                size="1",
                weight=rx.cond(d.today, "bold", "regular"),
                color_scheme=rx.cond(d.in_month, "gray", "gray"),
                high_contrast=d.in_month,
                padding="0 4px",
                border_radius="999px",
                background=rx.cond(d.today, rx.color("accent", 4), "transparent"),
            ),
            rx.spacer(),
            width="100%",
        ),
        rx.hstack(
            rx.foreach(
                d.auctions,
                lambda e: rx.box(
                    width="8px",
                    height="8px",
                    border_radius="50%",
                    background=rx.color(e.color, 9),
                    title=e.title,
                ),
            ),
            spacing="1",
            wrap="wrap",
            padding="2px 4px",
            display=["flex", "flex", "none"],
        ),
        rx.vstack(
            rx.foreach(d.auctions, _entry_chip),
            spacing="1",
            width="100%",
            display=["none", "none", "flex"],
        ),
        min_height=["44px", "56px", "92px"],
        padding="4px",
        border_right=f"1px solid {rx.color('gray', 4)}",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        background=rx.cond(d.in_month, rx.color("gray", 1), rx.color("gray", 2)),
        opacity=rx.cond(d.in_month, "1", "0.6"),
        min_width="0",
        overflow="hidden",
        id=f"cal-day-{d.iso}",
    )


def _entry_card(e: CalendarEntry) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.link(e.title, href=e.href, weight="medium"),
                rx.text(e.when, size="1", color_scheme="gray"),
                spacing="1",
                min_width="0",
            ),
            rx.spacer(),
            rx.hstack(
                _badge(_status(e.status, e.status_label), e.color),
                rx.badge(_form(e.form, e.form_label), variant="outline", radius="full"),
                rx.text(t("лотов: ", "lots: "), e.lots, size="1", color_scheme="gray"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        size="1",
    )


def calendar_page() -> rx.Component:
    s = AuctionCalendarState
    toolbar = rx.flex(
        rx.hstack(
            rx.icon_button(
                rx.icon("chevron-left"),
                variant="soft",
                on_click=rx.redirect(s.prev_href),
                aria_label="previous month",
                id="cal-prev",
            ),
            rx.heading(
                rx.match(
                    s.month_num,
                    *[
                        (n, t(ru, en))
                        for n, (ru, en) in enumerate(zip(MONTHS_RU[1:], MONTHS_EN, strict=True), 1)
                    ],
                    "",
                ),
                " ",
                s.month_year,
                size="4",
                id="cal-month",
                min_width="150px",
                align="center",
            ),
            rx.icon_button(
                rx.icon("chevron-right"),
                variant="soft",
                on_click=rx.redirect(s.next_href),
                aria_label="next month",
                id="cal-next",
            ),
            rx.button(
                t("Сегодня", "Today"),
                variant="outline",
                on_click=rx.redirect(s.today_href),
                id="cal-today",
            ),
            align="center",
            spacing="2",
        ),
        rx.spacer(),
        rx.segmented_control.root(
            rx.segmented_control.item(t("Месяц", "Month"), value="month"),
            rx.segmented_control.item(t("Список", "List"), value="list"),
            value=s.view,
            on_change=lambda v: rx.redirect(rx.cond(v == "list", s.list_href, s.month_href)),
            id="cal-view",
        ),
        wrap="wrap",
        spacing="3",
        align="center",
        width="100%",
    )
    grid = rx.vstack(
        rx.grid(
            *[
                rx.text(t(ru, en), size="1", color_scheme="gray", weight="medium", align="center")
                for ru, en in WEEKDAYS
            ],
            columns="7",
            width="100%",
        ),
        rx.grid(
            rx.foreach(s.days, _day_cell),
            columns="7",
            width="100%",
            border_top=f"1px solid {rx.color('gray', 4)}",
            border_left=f"1px solid {rx.color('gray', 4)}",
            id="cal-grid",
        ),
        rx.box(
            rx.vstack(rx.foreach(s.entries, _entry_card), spacing="2", width="100%"),
            display=["block", "block", "none"],
            width="100%",
        ),
        spacing="1",
        width="100%",
    )
    listing = rx.cond(
        s.entries.length() > 0,
        rx.vstack(rx.foreach(s.entries, _entry_card), spacing="2", width="100%", id="cal-list"),
        rx.callout(
            t("В этом месяце аукционов нет.", "No auctions this month."),
            icon="info",
            color_scheme="gray",
            width="100%",
            id="cal-empty",
        ),
    )
    body = rx.vstack(
        _tabs("calendar"),
        rx.cond(~s.can_bid, rx.callout(t(*_READ_ONLY), icon="eye", size="1", width="100%")),
        toolbar,
        rx.cond(s.view == "list", listing, grid),
        spacing="4",
        width="100%",
    )
    return shell(
        rx.cond(s.loaded, rx.cond(s.allowed, body, no_access(_NO_ACCESS)), rx.spinner()),
        title=t("Календарь аукционов", "Auction calendar"),
    )


# --------------------------------------------------------------------------- lot list

_STATUS_OPTIONS = [
    (code, *rules.STATUS_LABELS[code]) for code in ("running", "announced", "finished", "cancelled")
]
_FORM_OPTIONS = [(code, *label) for code, label in rules.FORM_LABELS.items()]


def _price_cell(r: LotListRow) -> rx.Component:
    return rx.vstack(
        rx.text(r.price, weight="medium", white_space="nowrap"),
        _price_note(r),
        spacing="0",
    )


def _lot_row(r: LotListRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.link(t("Лот ", "Lot "), r.number, ". ", r.product, href=r.href, weight="medium"),
                rx.text(r.delivery_terms, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.link(r.auction_title, href=r.auction_href, size="2", color_scheme="gray")),
        rx.table.cell(r.quantity, white_space="nowrap"),
        rx.table.cell(_price_cell(r)),
        rx.table.cell(_badge(_status(r.badge, r.status_label), r.color)),
        rx.table.cell(r.ends, white_space="nowrap"),
    )


def _lot_card(r: LotListRow) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link(t("Лот ", "Lot "), r.number, ". ", r.product, href=r.href, weight="medium"),
            rx.spacer(),
            _badge(_status(r.badge, r.status_label), r.color),
            width="100%",
            align="start",
        ),
        rx.text(r.auction_title, size="1", color_scheme="gray"),
        rx.hstack(
            rx.text(r.price, weight="bold"),
            _price_note(r),
            align="baseline",
            wrap="wrap",
        ),
        rx.text(r.quantity, " · ", t("до ", "until "), r.ends, size="1", color_scheme="gray"),
    )


def lots_page() -> rx.Component:
    s = AuctionLotsState
    filters = filter_bar(
        search_field(
            "q",
            s.f_q,
            ("Товар, условия поставки, аукцион", "Product, terms, auction"),
            id="lots-q",
        ),
        select_field(
            "status",
            s.f_status,
            _STATUS_OPTIONS,
            id="lots-status",
            width="170px",
            all_label=("Любой статус", "Any status"),
        ),
        select_field(
            "form",
            s.f_form,
            _FORM_OPTIONS,
            id="lots-form",
            width="170px",
            all_label=("Любая форма", "Any form"),
        ),
        labelled(
            ("Торги с", "Trading from"),
            text_field(
                "from", s.f_from, ("Торги с", "From"), id="lots-from", type="date", width="150px"
            ),
        ),
        labelled(
            ("по", "to"),
            text_field("to", s.f_to, ("по", "To"), id="lots-to", type="date", width="150px"),
        ),
        on_submit=s.apply_filters,
        reset_href=routes.AUCTION_LOTS,
        key=s.query_key,
        id_prefix="lots",
    )
    body = rx.vstack(
        _tabs("lots"),
        rx.cond(~s.can_bid, rx.callout(t(*_READ_ONLY), icon="eye", size="1", width="100%")),
        rx.cond(
            s.auction_title != "",
            rx.hstack(
                rx.text(t("Аукцион: ", "Auction: "), rx.text.span(s.auction_title, weight="bold")),
                rx.link(t("все лоты", "all lots"), href=routes.AUCTION_LOTS, size="2"),
                spacing="3",
                wrap="wrap",
                id="lots-auction",
            ),
        ),
        filters,
        data_table(
            [
                ("Лот", "Lot"),
                ("Аукцион", "Auction"),
                ("Количество", "Quantity"),
                ("Цена", "Price"),
                ("Статус", "Status"),
                ("Окончание", "Ends"),
            ],
            s.rows,
            _lot_row,
            id="lots-list",
            empty=("Лоты не найдены.", "No lots found."),
            min_width="860px",
            mobile_card=_lot_card,
        ),
        pager(prev_href=s.prev_href, next_href=s.next_href, id_prefix="lots"),
        spacing="4",
        width="100%",
    )
    return shell(
        rx.cond(s.loaded, rx.cond(s.allowed, body, no_access(_NO_ACCESS)), rx.spinner()),
        title=t("Аукционы: лоты", "Auctions: lots"),
    )


# --------------------------------------------------------------------------- one auction


def auction_page() -> rx.Component:
    s = AuctionViewState
    body = rx.vstack(
        back_link(routes.AUCTIONS, ("К календарю", "Back to the calendar")),
        rx.hstack(
            rx.heading(s.title, size="6", as_="h1", id="auction-title"),
            _badge(_status(s.status, s.status_label), s.status_color, id="auction-status"),
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            s.cancel_reason != "",
            rx.callout(
                rx.text(t("Аукцион отменён: ", "Cancelled: "), s.cancel_reason),
                icon="ban",
                color_scheme="red",
                width="100%",
            ),
        ),
        rx.cond(s.description != "", rx.text(s.description, size="2", white_space="pre-wrap")),
        rx.card(
            rx.data_list.root(
                _fact(("Форма торгов", "Form"), _form(s.form, s.form_label)),
                _fact(("Начало", "Starts"), s.starts),
                _fact(("Окончание", "Ends"), s.ends),
                _fact(("Шаг ставки", "Bid step"), s.step),
                _fact(("Продление", "Soft close"), s.soft_close),
                orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
                size="2",
            ),
            width="100%",
        ),
        rx.heading(t("Лоты", "Lots"), size="4"),
        data_table(
            [
                ("Лот", "Lot"),
                ("Аукцион", "Auction"),
                ("Количество", "Quantity"),
                ("Цена", "Price"),
                ("Статус", "Status"),
                ("Окончание", "Ends"),
            ],
            s.rows,
            _lot_row,
            id="auction-lots",
            empty=("В аукционе пока нет лотов.", "No lots yet."),
            min_width="860px",
            mobile_card=_lot_card,
        ),
        spacing="4",
        width="100%",
    )
    return shell(
        rx.cond(
            s.loaded,
            rx.cond(
                s.missing == "",
                body,
                rx.vstack(
                    back_link(routes.AUCTIONS, ("К календарю", "Back to the calendar")),
                    not_found((s.missing, s.missing), id="auction-missing"),
                    width="100%",
                ),
            ),
            rx.spinner(),
        ),
    )


# --------------------------------------------------------------------------- the lot page


def _fact(label: tuple[str, str], value: Any, id: str | None = None) -> rx.Component:
    return rx.data_list.item(
        rx.data_list.label(t(*label), min_width="150px"),
        rx.data_list.value(value, id=id),
    )


def _countdown() -> rx.Component:
    s = LotState
    return rx.cond(
        s.target_ms > 0,
        rx.vstack(
            rx.text(
                code_label(s.countdown_label, _COUNTDOWN_LABELS, s.countdown_label),
                size="1",
                color_scheme="gray",
            ),
            rx.el.span(
                id="lot-countdown",
                custom_attrs={
                    "data-countdown-target": s.target_ms,
                    "data-countdown-server": s.server_ms,
                    "data-countdown-done": "идёт подведение итогов…",
                },
                style={
                    "fontSize": "22px",
                    "fontWeight": "700",
                    "fontVariantNumeric": "tabular-nums",
                },
            ),
            spacing="0",
        ),
    )


def _position() -> rx.Component:
    s = LotState
    return rx.cond(
        s.my_leading,
        _badge(
            rx.hstack(rx.icon("trophy", size=14), t("Вы лидируете", "You lead"), spacing="1"),
            "green",
            size="2",
            id="lot-position",
        ),
        rx.cond(
            s.was_leading,
            _badge(
                rx.hstack(
                    rx.icon("trending-up", size=14),
                    t("Вашу ставку перебили", "You were outbid"),
                    spacing="1",
                ),
                "orange",
                size="2",
                id="lot-position",
            ),
        ),
    )


def _price_card() -> rx.Component:
    s = LotState
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    rx.text(
                        rx.cond(
                            s.best != "",
                            rx.cond(
                                s.closed,
                                t("Лучшая ставка", "Best bid"),
                                t("Текущая цена", "Current price"),
                            ),
                            t("Стартовая цена", "Start price"),
                        ),
                        size="1",
                        color_scheme="gray",
                    ),
                    rx.heading(
                        rx.cond(s.best != "", s.best, s.start_price),
                        size="7",
                        id="lot-price",
                        style={"fontVariantNumeric": "tabular-nums"},
                    ),
                    rx.cond(
                        s.best_participant != "",
                        rx.text(
                            rx.cond(
                                s.closed, t("Ставка: ", "Bid by: "), t("Лидирует: ", "Leading: ")
                            ),
                            rx.text.span(s.best_participant, weight="bold"),
                            " · ",
                            t("ставок: ", "bids: "),
                            s.open_bids,
                            size="2",
                            id="lot-leader",
                        ),
                        rx.text(
                            t("Открытых ставок ещё нет.", "No open bids yet."),
                            size="2",
                            color_scheme="gray",
                            id="lot-leader",
                        ),
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                _countdown(),
                direction=rx.breakpoints(initial="column", sm="row"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.cond(~s.closed, _position()),
                rx.cond(
                    s.my_participant != "",
                    rx.text(
                        t("Вы участвуете как ", "You take part as "),
                        rx.text.span(s.my_participant, weight="bold"),
                        size="1",
                        color_scheme="gray",
                        id="lot-me",
                    ),
                ),
                rx.cond(
                    s.extended,
                    _badge(t("Время продлено", "Extended"), "amber", id="lot-extended"),
                ),
                rx.spacer(),
                rx.cond(
                    s.live,
                    rx.hstack(
                        rx.box(
                            width="8px",
                            height="8px",
                            border_radius="50%",
                            background=rx.color("green", 9),
                        ),
                        rx.text(t("онлайн", "live"), size="1", color_scheme="gray"),
                        align="center",
                        spacing="1",
                        id="lot-live",
                    ),
                ),
                wrap="wrap",
                align="center",
                width="100%",
            ),
            rx.cond(
                s.result != "",
                rx.callout(
                    s.result, icon="flag", color_scheme="violet", width="100%", id="lot-result"
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _bid_form() -> rx.Component:
    s = LotState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("Ставка", "Open bid"), size="3"),
                rx.text(
                    t("Минимальная ставка: ", "Minimum bid: "),
                    rx.text.span(s.min_next, weight="bold", id="lot-min-next"),
                    " · ",
                    t("шаг ", "step "),
                    s.step,
                    size="2",
                ),
                rx.flex(
                    rx.input(
                        name="amount",
                        value=s.bid_amount,
                        on_change=s.set_bid_amount,
                        input_mode="decimal",
                        max_length=24,
                        id="lot-bid-amount",
                        aria_label="Сумма ставки",
                        size="3",
                        width=["100%", "100%", "220px"],
                    ),
                    *[
                        rx.button(
                            f"+{n} ",
                            t("шаг", "step") if n == 1 else t("шагов", "steps"),
                            type="button",
                            variant="soft",
                            on_click=s.add_steps(n),
                            id=f"lot-step-{n}",
                        )
                        for n in STEP_BUTTONS
                    ],
                    rx.button(
                        rx.icon("gavel", size=16),
                        t("Сделать ставку", "Place bid"),
                        type="submit",
                        size="3",
                        id="lot-bid-submit",
                    ),
                    spacing="2",
                    wrap="wrap",
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    s.bid_error != "",
                    rx.text(s.bid_error, color_scheme="red", size="2", id="lot-bid-error"),
                ),
                rx.text(
                    t(
                        "Ставка видна всем участникам без названия организации.",
                        "Everyone sees the bid, without your organisation's name.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=s.submit_bid,
            reset_on_submit=False,
            id="lot-bid-form",
        ),
        width="100%",
    )


def _offer_form() -> rx.Component:
    s = LotState
    return rx.card(
        rx.vstack(
            rx.heading(t("Ценовое предложение", "Price offer"), size="3"),
            rx.text(
                t(
                    "Закрытое: его видите только вы и организатор. Ниже стартовой цены; "
                    "возможно, пока по лоту нет открытых ставок.",
                    "Closed: only you and the organiser see it. Below the start price; "
                    "possible while the lot has no open bids.",
                ),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                s.my_offer != "",
                rx.hstack(
                    rx.text(
                        t("Ваше предложение: ", "Your offer: "),
                        rx.text.span(s.my_offer, weight="bold"),
                        " (",
                        s.my_offer_at,
                        ")",
                        size="2",
                        id="lot-my-offer",
                    ),
                    rx.cond(
                        s.can_withdraw,
                        rx.button(
                            t("Отозвать", "Withdraw"),
                            color_scheme="red",
                            variant="soft",
                            size="1",
                            on_click=s.withdraw_offer,
                            id="lot-offer-withdraw",
                        ),
                    ),
                    align="center",
                    wrap="wrap",
                ),
            ),
            rx.cond(
                s.can_offer,
                rx.form(
                    rx.flex(
                        rx.input(
                            name="amount",
                            value=s.offer_amount,
                            on_change=s.set_offer_amount,
                            input_mode="decimal",
                            max_length=24,
                            placeholder=t("Сумма", "Amount"),
                            id="lot-offer-amount",
                            width=["100%", "100%", "220px"],
                        ),
                        rx.button(
                            rx.cond(
                                s.my_offer != "",
                                t("Изменить предложение", "Change offer"),
                                t("Отправить предложение", "Send offer"),
                            ),
                            type="submit",
                            variant="outline",
                            id="lot-offer-submit",
                        ),
                        spacing="2",
                        wrap="wrap",
                        width="100%",
                    ),
                    on_submit=s.submit_offer,
                    reset_on_submit=False,
                    id="lot-offer-form",
                    width="100%",
                ),
            ),
            rx.cond(
                s.offer_error != "",
                rx.text(s.offer_error, color_scheme="red", size="2", id="lot-offer-error"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _history_row(h: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(
                rx.text(h.participant),
                rx.cond(h.mine, _badge(t("вы", "you"), "green", size="1")),
                spacing="2",
            )
        ),
        rx.table.cell(h.amount, white_space="nowrap", style={"fontVariantNumeric": "tabular-nums"}),
        rx.table.cell(h.at),  # "дата время": wraps to two lines on a phone instead of clipping
        background=rx.cond(h.mine, rx.color("green", 2), "transparent"),
    )


def _history() -> rx.Component:
    s = LotState
    return rx.card(
        rx.vstack(
            rx.heading(t("Ход торгов", "Bidding"), size="3"),
            rx.cond(
                s.history.length() > 0,
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(t("Участник", "Participant")),
                            rx.table.column_header_cell(t("Ставка", "Bid")),
                            rx.table.column_header_cell(t("Время", "Time")),
                        )
                    ),
                    rx.table.body(rx.foreach(s.history, _history_row)),
                    size="1",
                    width="100%",
                ),
                rx.text(t("Ставок пока нет.", "No bids yet."), size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
            id="lot-history",
        ),
        width="100%",
    )


def _details() -> rx.Component:
    s = LotState
    return rx.card(
        rx.data_list.root(
            _fact(("Количество", "Quantity"), s.quantity),
            _fact(("Стартовая цена", "Start price"), s.start_price, id="lot-start-price"),
            _fact(("Шаг ставки", "Bid step"), s.step),
            _fact(("Форма торгов", "Form"), _form(s.form, s.form_label)),
            _fact(("Условия поставки", "Delivery terms"), s.delivery_terms),
            _fact(("Начало", "Starts"), s.starts),
            _fact(
                ("Окончание", "Ends"),
                rx.hstack(rx.text(s.ends, id="lot-ends"), rx.cond(s.extended, rx.text("⟳"))),
            ),
            orientation=rx.breakpoints(initial="vertical", sm="horizontal"),
            size="2",
        ),
        rx.cond(
            s.soft_close_note != "",
            rx.text(s.soft_close_note, size="1", color_scheme="gray", margin_top="8px"),
        ),
        width="100%",
    )


def lot_page() -> rx.Component:
    s = LotState
    actions = rx.vstack(
        rx.cond(
            s.can_bid,
            _bid_form(),
            rx.cond(
                s.my_leading & s.running,
                rx.callout(
                    t(
                        "Ваша ставка лидирует. Следующую можно сделать, когда вас перебьют.",
                        "Your bid leads. You can bid again once you are outbid.",
                    ),
                    icon="trophy",
                    color_scheme="green",
                    width="100%",
                    id="lot-leading-note",
                ),
                rx.cond(
                    (s.why_not != "") & (s.result == ""),
                    rx.callout(
                        s.why_not, icon="info", color_scheme="gray", width="100%", id="lot-why-not"
                    ),
                ),
            ),
        ),
        rx.cond(
            (s.form != "open") & (s.can_offer | (s.my_offer != "") | (s.offer_error != "")),
            _offer_form(),
        ),
        spacing="3",
        width="100%",
    )
    body = rx.vstack(
        back_link(routes.AUCTION_LOTS, ("К списку лотов", "Back to lots")),
        rx.vstack(
            rx.hstack(
                rx.heading(
                    t("Лот ", "Lot "), s.number, ". ", s.product, size="6", as_="h1", id="lot-title"
                ),
                _badge(_status(s.status, s.status_label), s.status_color, id="lot-status"),
                align="center",
                wrap="wrap",
            ),
            rx.link(s.auction_title, href=s.auction_href, size="2", color_scheme="gray"),
            spacing="1",
        ),
        rx.grid(
            rx.vstack(_price_card(), actions, spacing="3", width="100%", min_width="0"),
            rx.vstack(_details(), _history(), spacing="3", width="100%", min_width="0"),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
    return shell(
        rx.cond(
            s.loaded,
            rx.cond(
                s.missing == "",
                body,
                rx.vstack(
                    back_link(routes.AUCTION_LOTS, ("К списку лотов", "Back to lots")),
                    not_found((s.missing, s.missing), id="lot-missing"),
                    width="100%",
                ),
            ),
            rx.spinner(),
        ),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        lots_page, route=routes.AUCTION_LOTS, title="Аукционы", on_load=AuctionLotsState.load
    )
    app.add_page(
        calendar_page,
        route=routes.AUCTIONS,
        title="Календарь аукционов",
        on_load=AuctionCalendarState.load,
    )
    app.add_page(auction_page, route=routes.AUCTION, title="Аукцион", on_load=AuctionViewState.load)
    app.add_page(lot_page, route=routes.AUCTION_LOT, title="Лот аукциона", on_load=LotState.load)
