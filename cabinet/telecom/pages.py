"""The subscriber's telecom page: contracts and their SIM cards (switcher), the chosen SIM's
status, balance, tariff and allowances, top-up, saved cards and auto-payment, requests
(tariff change, block, activation), connection rating, support, payment history."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.feedback.pages import rating_widget
from cabinet.i18n import code_label, t
from cabinet.telecom import rules
from cabinet.telecom.state import TelecomState as S
from components.data_table import (
    data_table,
    filter_bar,
    labelled,
    mobile_card,
    no_access,
    pager,
    select_field,
    status_badge,
    text_field,
)
from components.shell import shell

KIND_OPTIONS = [(k, ru, en) for k, (ru, en) in rules.PAYMENT_KIND_LABELS.items()]
STATUS_OPTIONS = [(k, ru, en) for k, (ru, en) in rules.PAYMENT_STATUS_LABELS.items()]


def _caption(text: Any) -> rx.Component:
    return rx.text(text, size="1", color_scheme="gray")


def _kv(label: tuple[str, str], value: Any, *, id: str = "") -> rx.Component:
    return rx.vstack(
        _caption(t(*label)),
        rx.text(value, size="2", weight="medium", id=id or None, style={"word_break": "break-all"}),
        spacing="0",
        min_width="0",
    )


def _error(text: rx.Var, id: str) -> rx.Component:
    return rx.cond(
        text != "", rx.callout(text, icon="circle-alert", color_scheme="red", size="1", id=id)
    )


def _dialog(
    title: tuple[str, str], open_: rx.Var, on_open: Any, body: rx.Component, id: str
) -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t(*title)),
            body,
            max_width="480px",
            width="calc(100vw - 24px)",
            id=id,
        ),
        open=open_,
        on_open_change=on_open,
    )


def _form_buttons(
    submit: tuple[str, str], close: Any, id: str, **submit_props: Any
) -> rx.Component:
    return rx.flex(
        rx.button(
            t("Отмена", "Cancel"),
            type="button",
            variant="soft",
            color_scheme="gray",
            on_click=close,
            id=f"{id}-cancel",
        ),
        rx.button(t(*submit), type="submit", id=f"{id}-submit", **submit_props),
        spacing="2",
        justify="end",
        width="100%",
        wrap="wrap",
    )


# --------------------------------------------------------------------------- switcher


def _sim_chip(chip: Any) -> rx.Component:
    selected = S.sim.id == chip.id
    return rx.button(
        rx.box(width="8px", height="8px", border_radius="50%", background=rx.color(chip.color, 9)),
        rx.vstack(
            rx.text(chip.msisdn, size="2", weight="medium"),
            rx.cond(chip.label != "", rx.text(chip.label, size="1", color_scheme="gray")),
            spacing="0",
            align="start",
        ),
        variant=rx.cond(selected, "solid", "surface"),
        color_scheme=rx.cond(selected, "indigo", "gray"),
        on_click=S.choose_sim(chip.id),
        height="auto",
        padding_y="6px",
        id="sim-chip-" + chip.id.to_string(),
        aria_pressed=rx.cond(selected, "true", "false"),
    )


def _contract(row: Any) -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.flex(
                rx.text(t("Договор № ", "Contract No. "), row.number, size="2", weight="bold"),
                rx.cond(
                    row.signed_on != "",
                    rx.text(t("от ", "of "), row.signed_on, size="2", color_scheme="gray"),
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.text(row.organisation, size="1", color_scheme="gray"),
            spacing="0",
        ),
        rx.flex(rx.foreach(row.sims, _sim_chip), spacing="2", wrap="wrap"),
        spacing="2",
        width="100%",
    )


def switcher() -> rx.Component:
    return rx.card(
        rx.vstack(rx.foreach(S.contracts, _contract), spacing="4", width="100%"),
        width="100%",
        id="telecom-switcher",
    )


# --------------------------------------------------------------------------- the SIM


def sim_card() -> rx.Component:
    sim = S.sim
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.vstack(
                    _caption(t("Номер", "Number")),
                    rx.heading(sim.msisdn, size="6", id="sim-msisdn"),
                    rx.cond(sim.label != "", rx.text(sim.label, size="2", color_scheme="gray")),
                    spacing="1",
                ),
                rx.badge(
                    code_label(sim.status, rules.SIM_STATUS_LABELS, sim.status_label),
                    color_scheme=sim.status_color,
                    size="2",
                    id="sim-status",
                ),
                justify="between",
                align="start",
                width="100%",
                spacing="2",
            ),
            rx.grid(
                _kv(("ICCID", "ICCID"), sim.iccid, id="sim-iccid"),
                _kv(("Договор", "Contract"), sim.contract_number),
                rx.cond(sim.activated != "", _kv(("Активирована", "Activated"), sim.activated)),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                sim.block_reason != "",
                rx.callout(
                    t("Причина блокировки: ", "Blocked: ") + sim.block_reason,
                    icon="lock",
                    color_scheme="red",
                    size="1",
                ),
            ),
            rx.cond(
                sim.status == "inactive",
                rx.callout(
                    rx.cond(
                        sim.pending_activation,
                        t(
                            "Заявка на активацию на рассмотрении.",
                            "The activation request is pending.",
                        ),
                        t(
                            "Сим-карта не активирована: отправьте заявку на активацию.",
                            "The SIM is not active yet: ask to activate it.",
                        ),
                    ),
                    icon="info",
                    color_scheme="amber",
                    size="1",
                    id="sim-inactive",
                ),
            ),
            rx.separator(size="4"),
            rx.flex(
                rx.vstack(
                    _caption(t("Баланс", "Balance")),
                    rx.heading(
                        sim.balance,
                        size="7",
                        color_scheme=rx.cond(sim.balance_negative, "red", "gray"),
                        high_contrast=True,
                        id="sim-balance",
                    ),
                    spacing="0",
                ),
                rx.cond(
                    sim.status != "inactive",
                    rx.button(
                        rx.icon("wallet", size=16),
                        t("Пополнить", "Top up"),
                        size="3",
                        on_click=S.set_topup_open(True),
                        id="topup-open",
                    ),
                ),
                justify="between",
                align="end",
                width="100%",
                wrap="wrap",
                spacing="3",
            ),
            rx.flex(
                rx.cond(
                    sim.status == "inactive",
                    rx.button(
                        rx.icon("power", size=16),
                        t("Активировать", "Activate"),
                        variant="soft",
                        disabled=sim.pending_activation,
                        on_click=S.set_activation_open(True),
                        id="activation-open",
                    ),
                ),
                rx.cond(
                    sim.status == "active",
                    rx.button(
                        rx.icon("lock", size=16),
                        t("Заблокировать", "Block"),
                        variant="soft",
                        color_scheme="red",
                        disabled=sim.pending_block,
                        on_click=S.set_block_open(True),
                        id="block-open",
                    ),
                ),
                rx.link(
                    rx.button(
                        rx.icon("life-buoy", size=16),
                        t("Поддержка", "Support"),
                        variant="soft",
                        color_scheme="gray",
                    ),
                    href=routes.SUPPORT_NEW,
                    id="support-link",
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="sim-card",
    )


def _allowance(icon: str, label: tuple[str, str], value: Any) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon(icon, size=14, color=rx.color("indigo", 10)),
            _caption(t(*label)),
            spacing="1",
            align="center",
        ),
        rx.text(value, size="3", weight="bold"),
        spacing="1",
        padding="10px",
        border_radius="8px",
        background=rx.color("gray", 3),
        min_width="0",
    )


def tariff_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            _caption(t("Тариф", "Tariff")),
            rx.cond(
                S.has_tariff,
                rx.vstack(
                    rx.flex(
                        rx.heading(S.tariff.name, size="5", id="sim-tariff"),
                        rx.text(S.tariff.fee, size="2", color_scheme="gray"),
                        justify="between",
                        align="baseline",
                        width="100%",
                        wrap="wrap",
                        spacing="2",
                    ),
                    rx.grid(
                        _allowance("phone", ("Минуты", "Minutes"), S.tariff.minutes),
                        _allowance("message-square", ("SMS", "SMS"), S.tariff.sms),
                        _allowance("wifi", ("Интернет", "Internet"), S.tariff.internet),
                        columns="3",
                        spacing="2",
                        width="100%",
                    ),
                    rx.cond(
                        S.tariff.description != "",
                        rx.text(S.tariff.description, size="2", color_scheme="gray"),
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.text(t("Тариф не назначен.", "No tariff."), size="2"),
            ),
            rx.cond(
                S.sim.pending_tariff,
                rx.callout(
                    t(
                        "Заявка на смену тарифа на рассмотрении.",
                        "A tariff change request is pending.",
                    ),
                    icon="clock",
                    size="1",
                    color_scheme="amber",
                    id="tariff-pending",
                ),
                rx.cond(
                    S.sim.status != "blocked",
                    rx.button(
                        rx.icon("repeat", size=16),
                        t("Сменить тариф", "Change tariff"),
                        variant="soft",
                        on_click=S.set_tariff_open(True),
                        id="tariff-open",
                    ),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="tariff-card",
    )


def _card_row(card: Any) -> rx.Component:
    return rx.flex(
        rx.icon("credit-card", size=16),
        rx.text(card.masked, size="2", weight="medium"),
        rx.text(card.brand, " ", card.expires, size="1", color_scheme="gray"),
        rx.spacer(),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            on_click=S.remove_card(card.id),
            aria_label="Удалить карту",
            id="card-remove-" + card.id.to_string(),
        ),
        align="center",
        spacing="2",
        width="100%",
    )


def autopay_card() -> rx.Component:
    sim = S.sim
    return rx.card(
        rx.vstack(
            rx.flex(
                _caption(t("Автоплатёж", "Auto-payment")),
                rx.cond(
                    sim.autopay_enabled,
                    rx.badge(t("Включён", "On"), color_scheme="green", id="autopay-state"),
                    rx.badge(t("Выключен", "Off"), color_scheme="gray", id="autopay-state"),
                ),
                justify="between",
                width="100%",
            ),
            rx.cond(
                sim.autopay_exists,
                rx.text(
                    t("Каждый месяц ", "Monthly on day "),
                    sim.autopay_day,
                    t(
                        "-го числа (в коротком месяце — в последний день) ",
                        " (or the month's last day) ",
                    ),
                    rx.text.strong(sim.autopay_amount),
                    t(" с карты ", " from card "),
                    sim.autopay_card,
                    rx.cond(
                        sim.autopay_enabled,
                        rx.fragment(t(". Следующий: ", ". Next: "), sim.autopay_next),
                    ),
                    size="2",
                    id="autopay-summary",
                ),
                rx.text(
                    t(
                        "Баланс будет пополняться сам раз в месяц с сохранённой карты.",
                        "Top up automatically once a month from a saved card.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.flex(
                rx.button(
                    rx.icon("calendar-clock", size=16),
                    rx.cond(sim.autopay_exists, t("Изменить", "Change"), t("Настроить", "Set up")),
                    variant="soft",
                    on_click=S.set_autopay_open(True),
                    disabled=(S.cards.length() == 0) | (sim.status == "inactive"),
                    id="autopay-open",
                ),
                rx.cond(
                    sim.autopay_exists,
                    rx.cond(
                        sim.autopay_enabled,
                        rx.button(
                            t("Выключить", "Turn off"),
                            variant="soft",
                            color_scheme="gray",
                            on_click=S.toggle_autopay(False),
                            id="autopay-off",
                        ),
                        rx.button(
                            t("Включить", "Turn on"),
                            variant="soft",
                            color_scheme="green",
                            on_click=S.toggle_autopay(True),
                            id="autopay-on",
                        ),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            rx.separator(size="4"),
            _caption(t("Сохранённые карты", "Saved cards")),
            rx.cond(
                S.cards.length() > 0,
                rx.vstack(
                    rx.foreach(S.cards, _card_row), spacing="2", width="100%", id="saved-cards"
                ),
                rx.text(
                    t(
                        "Нет сохранённых карт. Отметьте «Запомнить карту» при пополнении — "
                        "мы сохраним только её маску и токен платёжной системы.",
                        "No saved cards. Tick “Remember the card” when topping up — only a "
                        "masked number and the provider's token are kept.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="autopay-card",
    )


def _request_row(r: Any) -> rx.Component:
    return rx.flex(
        rx.vstack(
            rx.text(r.title, size="2", weight="medium"),
            rx.text(r.created, size="1", color_scheme="gray"),
            rx.cond(r.decision_comment != "", rx.text(r.decision_comment, size="1")),
            spacing="0",
            min_width="0",
        ),
        rx.flex(
            rx.badge(
                code_label(r.status, rules.REQUEST_STATUS_LABELS, r.status_label),
                color_scheme=rx.match(
                    r.status,
                    ("pending", "amber"),
                    ("approved", "green"),
                    ("rejected", "red"),
                    "gray",
                ),
            ),
            rx.cond(
                r.status == "pending",
                rx.button(
                    t("Отозвать", "Withdraw"),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    on_click=S.cancel_request(r.kind, r.id),
                    id="request-cancel-" + r.kind + "-" + r.id.to_string(),
                ),
            ),
            spacing="2",
            align="center",
        ),
        justify="between",
        align="start",
        spacing="2",
        width="100%",
    )


def requests_card() -> rx.Component:
    return rx.card(
        rx.vstack(
            _caption(t("Заявки по сим-карте", "Requests for this SIM")),
            rx.cond(
                S.requests.length() > 0,
                rx.vstack(rx.foreach(S.requests, _request_row), spacing="3", width="100%"),
                rx.text(t("Заявок нет.", "No requests."), size="2", color_scheme="gray"),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        id="requests-card",
    )


def rating_card() -> rx.Component:
    return rx.grid(
        rating_widget("connection", t("Оцените качество связи", "Rate the connection quality")),
        rating_widget(
            "internet_speed", t("Оцените скорость интернета", "Rate the internet speed"), load=False
        ),
        columns=rx.breakpoints(initial="1", md="2"),
        spacing="3",
        width="100%",
        id="telecom-rating",
    )


# --------------------------------------------------------------------------- payments


def _payment_row(p: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(p.created, white_space="nowrap"),
        rx.table.cell(code_label(p.kind, rules.PAYMENT_KIND_LABELS, p.kind_label)),
        rx.table.cell(p.amount, white_space="nowrap", text_align="right"),
        rx.table.cell(
            status_badge(code_label(p.status, rules.PAYMENT_STATUS_LABELS, p.status_label), p.color)
        ),
        rx.table.cell(rx.text(p.reason, size="1", color_scheme="red")),
        id="payment-" + p.id.to_string(),
    )


def _payment_card(p: Any) -> rx.Component:
    return mobile_card(
        rx.flex(
            rx.text(p.amount, weight="bold", size="3"),
            status_badge(
                code_label(p.status, rules.PAYMENT_STATUS_LABELS, p.status_label), p.color
            ),
            justify="between",
            width="100%",
        ),
        rx.text(
            code_label(p.kind, rules.PAYMENT_KIND_LABELS, p.kind_label),
            " · ",
            p.created,
            size="1",
            color_scheme="gray",
        ),
        rx.cond(p.reason != "", rx.text(p.reason, size="1", color_scheme="red")),
    )


def payments_block() -> rx.Component:
    return rx.vstack(
        rx.heading(t("История платежей", "Payment history"), size="4", as_="h2"),
        filter_bar(
            labelled(
                ("С даты", "From"),
                text_field(
                    "from", S.f_from, ("С", "From"), id="pay-f-from", type="date", width="160px"
                ),
            ),
            labelled(
                ("По дату", "To"),
                text_field("to", S.f_to, ("По", "To"), id="pay-f-to", type="date", width="160px"),
            ),
            labelled(
                ("Вид", "Kind"),
                select_field("kind", S.f_kind, KIND_OPTIONS, id="pay-f-kind", width="160px"),
            ),
            labelled(
                ("Статус", "Status"),
                select_field(
                    "status", S.f_status, STATUS_OPTIONS, id="pay-f-status", width="170px"
                ),
            ),
            on_submit=S.apply_filters,
            reset_href=S.sim_href,
            key=S.query_key,
            id_prefix="pay-f",
        ),
        data_table(
            [
                ("Дата", "Date"),
                ("Вид", "Kind"),
                ("Сумма", "Amount"),
                ("Статус", "Status"),
                ("Причина отказа", "Decline reason"),
            ],
            S.payments,
            _payment_row,
            id="payments",
            empty=("Платежей нет.", "No payments."),
            min_width="640px",
            mobile_card=_payment_card,
        ),
        pager(
            prev_href=S.prev_href,
            next_href=S.next_href,
            id_prefix="payments",
            first_href=S.first_href,
        ),
        spacing="3",
        width="100%",
    )


# --------------------------------------------------------------------------- dialogs


def topup_dialog() -> rx.Component:
    return _dialog(
        ("Пополнение баланса", "Top up"),
        S.topup_open,
        S.set_topup_open,
        rx.form(
            rx.vstack(
                rx.text(t("Номер ", "Number "), S.sim.msisdn, size="2", color_scheme="gray"),
                rx.text(
                    t("Сумма, ₽", "Amount, ₽"),
                    as_="label",
                    html_for="topup-amount",
                    size="2",
                    weight="medium",
                ),
                rx.input(
                    name="amount",
                    id="topup-amount",
                    placeholder="500",
                    input_mode="decimal",
                    max_length=12,
                    default_value="500",
                    width="100%",
                    size="3",
                ),
                rx.text(
                    t("От 10 до 15 000 ₽. ", "From 10 to 15,000 ₽. "),
                    t(
                        "Оплата на странице платёжной системы; номер карты кабинет не видит.",
                        "You pay on the provider's page; the cabinet never sees the card number.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                rx.el.label(
                    rx.el.input(
                        type="checkbox", name="save_card", id="topup-save", default_checked=False
                    ),
                    rx.text(
                        t(
                            " Запомнить карту для автоплатежа",
                            " Remember the card for auto-payment",
                        ),
                        as_="span",
                        size="2",
                    ),
                    style={"display": "flex", "gap": "6px", "align_items": "center"},
                ),
                _error(S.topup_error, "topup-error"),
                _form_buttons(
                    ("Перейти к оплате", "Go to payment"),
                    S.set_topup_open(False),
                    "topup",
                    loading=S.topup_busy,
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.submit_topup,
            reset_on_submit=False,
            width="100%",
        ),
        "topup-dialog",
    )


DAY_OPTIONS = [str(d) for d in range(1, 32)]


def autopay_dialog() -> rx.Component:
    return _dialog(
        ("Автоплатёж", "Auto-payment"),
        S.autopay_open,
        S.set_autopay_open,
        rx.form(
            rx.vstack(
                rx.text(t("Карта", "Card"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(id="autopay-card", width="100%"),
                    rx.select.content(
                        rx.foreach(
                            S.cards,
                            lambda c: rx.select.item(
                                c.masked + " " + c.expires, value=c.id.to_string()
                            ),
                        )
                    ),
                    name="card",
                    default_value=rx.cond(
                        S.sim.autopay_card_id > 0,
                        S.sim.autopay_card_id.to_string(),
                        rx.cond(S.cards.length() > 0, S.cards[0].id.to_string(), ""),
                    ),
                ),
                rx.text(t("День месяца", "Day of month"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(id="autopay-day", width="120px"),
                    rx.select.content(*[rx.select.item(d, value=d) for d in DAY_OPTIONS]),
                    name="day",
                    default_value=rx.cond(
                        S.sim.autopay_day > 0, S.sim.autopay_day.to_string(), "1"
                    ),
                ),
                rx.text(
                    t(
                        "Если в месяце нет такого дня (например, 31-го в феврале), спишем в последний день месяца.",
                        "If the month has no such day (e.g. the 31st in February), we charge on its last day.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                rx.text(
                    t("Сумма, ₽", "Amount, ₽"),
                    as_="label",
                    html_for="autopay-amount",
                    size="2",
                    weight="medium",
                ),
                rx.input(
                    name="amount",
                    id="autopay-amount",
                    input_mode="decimal",
                    max_length=12,
                    default_value=rx.cond(S.sim.autopay_amount != "", S.sim.autopay_amount, "500"),
                    width="100%",
                ),
                _error(S.autopay_error, "autopay-error"),
                _form_buttons(("Сохранить", "Save"), S.set_autopay_open(False), "autopay"),
                spacing="3",
                width="100%",
            ),
            on_submit=S.save_autopay,
            reset_on_submit=False,
            width="100%",
        ),
        "autopay-dialog",
    )


def _tariff_option(tr: Any) -> rx.Component:
    return rx.select.item(tr.name + " — " + tr.fee, value=tr.id.to_string())


def _tariff_line(tr: Any) -> rx.Component:
    return rx.box(
        rx.text(tr.name, " — ", tr.fee, size="2", weight="medium"),
        rx.text(tr.minutes, " · ", tr.sms, " · ", tr.internet, size="1", color_scheme="gray"),
        padding="6px 8px",
        border_radius="6px",
        background=rx.cond(tr.id == S.tariff.id, rx.color("indigo", 3), rx.color("gray", 2)),
        width="100%",
    )


def tariff_dialog() -> rx.Component:
    return _dialog(
        ("Смена тарифа", "Change tariff"),
        S.tariff_open,
        S.set_tariff_open,
        rx.form(
            rx.vstack(
                rx.vstack(
                    rx.foreach(S.tariffs, _tariff_line),
                    spacing="1",
                    width="100%",
                    max_height="220px",
                    overflow_y="auto",
                ),
                rx.text(t("Новый тариф", "New tariff"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(
                        placeholder=t("Выберите тариф", "Choose a tariff"),
                        id="tariff-choice",
                        width="100%",
                    ),
                    rx.select.content(rx.foreach(S.tariffs, _tariff_option)),
                    name="tariff",
                ),
                rx.text(
                    t("Комментарий (необязательно)", "Comment (optional)"),
                    size="2",
                    weight="medium",
                ),
                rx.text_area(
                    name="comment",
                    id="tariff-comment",
                    max_length=rules.REQUEST_COMMENT_MAX,
                    width="100%",
                ),
                rx.text(
                    t(
                        "Заявку рассмотрит оператор; о решении придёт уведомление.",
                        "The operator decides; you will be notified.",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                _error(S.tariff_error, "tariff-error"),
                _form_buttons(
                    ("Отправить заявку", "Send request"), S.set_tariff_open(False), "tariff"
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.submit_tariff,
            reset_on_submit=False,
            width="100%",
        ),
        "tariff-dialog",
    )


def block_dialog() -> rx.Component:
    return _dialog(
        ("Блокировка сим-карты", "Block the SIM"),
        S.block_open,
        S.set_block_open,
        rx.form(
            rx.vstack(
                rx.text(t("Причина", "Reason"), size="2", weight="medium"),
                rx.select.root(
                    rx.select.trigger(id="block-reason", width="100%"),
                    rx.select.content(
                        *[
                            rx.select.item(t(ru, en), value=k)
                            for k, (ru, en) in rules.BLOCK_REASONS.items()
                        ]
                    ),
                    value=S.block_reason,
                    on_change=S.set_block_reason,
                ),
                rx.text(
                    rx.cond(
                        S.block_reason == "other",
                        t("Опишите причину", "Describe the reason"),
                        t("Комментарий (необязательно)", "Comment (optional)"),
                    ),
                    size="2",
                    weight="medium",
                ),
                rx.text_area(
                    name="comment",
                    id="block-comment",
                    max_length=rules.REQUEST_COMMENT_MAX,
                    width="100%",
                ),
                _error(S.block_error, "block-error"),
                _form_buttons(
                    ("Заблокировать", "Block"), S.set_block_open(False), "block", color_scheme="red"
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.submit_block,
            reset_on_submit=False,
            width="100%",
        ),
        "block-dialog",
    )


def activation_dialog() -> rx.Component:
    return _dialog(
        ("Активация сим-карты", "Activate the SIM"),
        S.activation_open,
        S.set_activation_open,
        rx.form(
            rx.vstack(
                rx.text(t("ICCID ", "ICCID "), S.sim.iccid, size="2", color_scheme="gray"),
                rx.text(
                    t("Комментарий (необязательно)", "Comment (optional)"),
                    size="2",
                    weight="medium",
                ),
                rx.text_area(
                    name="comment",
                    id="activation-comment",
                    max_length=rules.REQUEST_COMMENT_MAX,
                    width="100%",
                ),
                _form_buttons(
                    ("Отправить заявку", "Send request"), S.set_activation_open(False), "activation"
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=S.submit_activation,
            reset_on_submit=False,
            width="100%",
        ),
        "activation-dialog",
    )


# --------------------------------------------------------------------------- page


def telecom_page() -> rx.Component:
    return shell(
        rx.cond(
            S.notice != "",
            rx.callout(
                S.notice,
                icon="info",
                color_scheme=S.notice_color,
                width="100%",
                id="payment-notice",
            ),
        ),
        rx.cond(
            ~S.loaded,
            rx.center(rx.spinner(size="3"), width="100%", padding="40px"),
            rx.cond(
                ~S.has_access,
                no_access(
                    (
                        "Нет доступа к услугам связи. Попросите администратора вашей организации.",
                        "No access to telecom services. Ask your organisation's administrator.",
                    )
                ),
                rx.cond(
                    S.contracts.length() == 0,
                    rx.callout(
                        t(
                            "У вашей организации пока нет договоров связи.",
                            "Your organisation has no telecom contracts yet.",
                        ),
                        icon="info",
                        width="100%",
                        id="telecom-empty",
                    ),
                    rx.vstack(
                        switcher(),
                        rx.cond(
                            S.not_found,
                            rx.callout(
                                t("Сим-карта не найдена.", "SIM card not found."),
                                icon="circle-alert",
                                color_scheme="red",
                                width="100%",
                                id="not-found",
                            ),
                            rx.vstack(
                                rx.grid(
                                    sim_card(),
                                    tariff_card(),
                                    autopay_card(),
                                    requests_card(),
                                    columns=rx.breakpoints(initial="1", md="2"),
                                    spacing="4",
                                    width="100%",
                                ),
                                payments_block(),
                                rating_card(),
                                topup_dialog(),
                                autopay_dialog(),
                                tariff_dialog(),
                                block_dialog(),
                                activation_dialog(),
                                spacing="5",
                                width="100%",
                            ),
                        ),
                        spacing="4",
                        width="100%",
                    ),
                ),
            ),
        ),
        title=t("Связь: сим-карты и баланс", "Telecom: SIM cards and balance"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(telecom_page, route=routes.TELECOM, title="Связь", on_load=S.load)
