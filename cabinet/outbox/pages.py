"""/admin/outbox: the local e-mail outbox and SMS log — how staff and developers read
confirmation codes when no SMTP server or SMS gateway is configured."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.i18n import t
from cabinet.outbox.state import OutboxState
from components.data_table import (
    data_table,
    filter_bar,
    no_access,
    pager,
    search_field,
    select_field,
    status_badge,
)
from components.shell import shell

CHANNEL_OPTIONS = [("email", "E-mail", "E-mail"), ("sms", "SMS", "SMS")]


def _status(row: Any) -> rx.Component:
    color = rx.match(
        row["status"],
        ("sent", "green"),
        ("failed", "red"),
        ("sending", "blue"),
        "amber",
    )
    label = rx.match(
        row["status"],
        ("sent", t("отправлено", "sent")),
        ("failed", t("ошибка", "failed")),
        ("sending", t("отправляется", "sending")),
        t("в очереди", "queued"),
    )
    return status_badge(label, color)


def _channel(row: Any) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(row["channel"] == "sms", "message-square", "mail"), size=16),
        rx.text(rx.cond(row["channel"] == "sms", "SMS", "E-mail"), size="2"),
        align="center",
        spacing="1",
    )


def _transport(row: Any) -> rx.Component:
    return rx.text(
        rx.match(
            row["transport"],
            ("local", t("локально", "local")),
            ("smtp", "SMTP"),
            ("http", t("шлюз", "gateway")),
            row["transport"],
        ),
        size="1",
        color_scheme="gray",
    )


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["created"], white_space="nowrap"),
        rx.table.cell(_channel(row), white_space="nowrap"),
        rx.table.cell(rx.text(row["recipient"], size="2"), white_space="nowrap"),
        rx.table.cell(
            rx.link(
                row["preview"], href=row["href"], weight="medium", id="outbox-open-" + row["id"]
            )
        ),
        rx.table.cell(rx.vstack(_status(row), _transport(row), spacing="1")),
    )


def _card(row: Any) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    _channel(row),
                    rx.spacer(),
                    _status(row),
                    width="100%",
                    align="center",
                ),
                rx.text(row["recipient"], size="2", weight="medium", word_break="break-all"),
                rx.text(row["preview"], size="2", color_scheme="gray"),
                rx.text(row["created"], size="1", color_scheme="gray"),
                spacing="1",
                width="100%",
            ),
            width="100%",
            size="1",
        ),
        href=row["href"],
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        id="outbox-card-" + row["id"],
    )


def _list() -> rx.Component:
    st = OutboxState
    table = data_table(
        [
            ("Время (UTC)", "Time (UTC)"),
            ("Канал", "Channel"),
            ("Получатель", "Recipient"),
            ("Тема / текст", "Subject / text"),
            ("Статус", "Status"),
        ],
        st.rows,
        _row,
        id="outbox-table",
        empty=("Сообщений нет.", "No messages."),
    )
    return rx.fragment(
        rx.box(table, display=["none", "none", "block"], width="100%"),
        rx.box(
            rx.cond(
                st.rows.length() > 0,
                rx.vstack(rx.foreach(st.rows, _card), spacing="2", width="100%"),
                rx.callout(t("Сообщений нет.", "No messages."), icon="info", color_scheme="gray"),
            ),
            display=["block", "block", "none"],
            width="100%",
            id="outbox-cards",
        ),
    )


def _field(label: Any, value: Any, **props: Any) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color_scheme="gray", min_width="110px"),
        rx.text(value, size="2", word_break="break-all", **props),
        align="start",
        width="100%",
    )


def _message_dialog() -> rx.Component:
    st = OutboxState
    m = st.msg
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(m["channel"] == "sms", "SMS", "E-mail"), " № ", m["id"]),
            rx.vstack(
                _field(t("Получатель", "Recipient"), m["recipient"], id="outbox-msg-to"),
                rx.cond(m["subject"] != "", _field(t("Тема", "Subject"), m["subject"])),
                _field(t("Создано", "Created"), m["created"]),
                rx.cond(m["sent"] != "", _field(t("Отправлено", "Sent"), m["sent"])),
                rx.hstack(
                    rx.text(
                        t("Статус", "Status"), size="2", color_scheme="gray", min_width="110px"
                    ),
                    _status(m),
                    _transport(m),
                    rx.cond(
                        m["transport"] != "local",
                        rx.text(
                            t("попыток: ", "attempts: "),
                            m["attempts"],
                            size="1",
                            color_scheme="gray",
                        ),
                    ),
                    align="center",
                    wrap="wrap",
                ),
                rx.cond(
                    m["error"] != "",
                    rx.callout(m["error"], icon="triangle-alert", color_scheme="red", size="1"),
                ),
                rx.box(
                    rx.text(
                        m["body"],
                        white_space="pre-wrap",
                        word_break="break-word",
                        font_family="monospace",
                        size="2",
                    ),
                    padding="12px",
                    border_radius="6px",
                    background=rx.color("gray", 3),
                    width="100%",
                    max_height="50vh",
                    overflow_y="auto",
                    id="outbox-msg-body",
                ),
                rx.hstack(
                    rx.dialog.close(
                        rx.button(t("Закрыть", "Close"), variant="soft", id="outbox-msg-close")
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="12px",
            ),
            max_width="640px",
        ),
        open=st.msg_open,
        on_open_change=st.close_message,
    )


def outbox_page() -> rx.Component:
    st = OutboxState
    return shell(
        rx.cond(
            st.loaded,
            rx.cond(
                st.allowed,
                rx.vstack(
                    rx.text(
                        t(
                            "Письма и SMS, которые отправил портал. Без настроек SMTP и SMS-шлюза "
                            "сообщения доставляются только сюда — здесь же видны коды подтверждения.",
                            "E-mail and SMS the portal sent. Without SMTP and SMS gateway settings "
                            "messages are delivered only here, confirmation codes included.",
                        ),
                        size="2",
                        color_scheme="gray",
                    ),
                    filter_bar(
                        select_field(
                            "channel",
                            st.f_channel,
                            CHANNEL_OPTIONS,
                            id="outbox-channel",
                            all_label=("Все каналы", "All channels"),
                            width="170px",
                        ),
                        search_field(
                            "to",
                            st.f_to,
                            ("Получатель: e-mail или телефон", "Recipient: e-mail or phone"),
                            id="outbox-to",
                            width="300px",
                        ),
                        on_submit=st.apply_filters,
                        reset_href=routes.ADMIN_OUTBOX,
                        key=st.query_key,
                        id_prefix="outbox-filter",
                    ),
                    _list(),
                    pager(
                        prev_href=st.prev_href,
                        next_href=st.next_href,
                        id_prefix="outbox-page",
                        first_href=routes.ADMIN_OUTBOX,
                    ),
                    _message_dialog(),
                    spacing="4",
                    width="100%",
                ),
                no_access(),
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="40px"),
        ),
        title=t("Исходящие e-mail и SMS", "Outgoing e-mail and SMS"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        outbox_page,
        route=routes.ADMIN_OUTBOX,
        title="Исходящие e-mail и SMS",
        on_load=OutboxState.load,
    )
