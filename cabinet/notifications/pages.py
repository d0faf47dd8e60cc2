"""Pages of the notifications module: the user's list (/notifications), channel settings
(/profile/notifications), templates (/admin/notifications/templates) and delivery statistics
(/admin/notifications/stats)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.i18n import code_label, t
from cabinet.notifications.catalog import ALL_CHANNELS, CHANNEL_LABELS
from cabinet.notifications.state import (
    NotificationsState,
    PreferencesState,
    StatsState,
    TemplatesState,
)
from components.data_table import (
    filter_bar,
    labelled,
    no_access,
    pager,
    search_field,
    select_field,
    status_badge,
    text_field,
)
from components.shell import shell

CHANNEL_ICONS = {"inapp": "bell", "email": "mail", "sms": "message-square", "telegram": "send"}
CHANNEL_OPTIONS = [(c, *CHANNEL_LABELS[c]) for c in ALL_CHANNELS]
STATUS_COLORS = {
    "sent": "#30a46c",
    "failed": "#e5484d",
    "skipped": "#f5a524",
    "queued": "#3e63dd",
    "sending": "#8e4ec6",
}
CHANNEL_COLORS = {"inapp": "#8e4ec6", "email": "#3e63dd", "sms": "#30a46c", "telegram": "#0ea5e9"}
OUTCOME_LABELS = {
    "started": ("начата", "started"),
    "sent": ("отправлено", "sent"),
    "retry": ("повтор позже", "retry later"),
    "failed": ("ошибка", "failed"),
    "skipped": ("пропущено", "skipped"),
    "unknown": ("прервана", "interrupted"),
}
STATUS_LABELS = {
    "sent": ("доставлено", "sent"),
    "failed": ("ошибка", "failed"),
    "skipped": ("пропущено", "skipped"),
    "queued": ("в очереди", "queued"),
    "sending": ("отправляется", "sending"),
}


def _spinner() -> rx.Component:
    return rx.center(rx.spinner(size="3"), width="100%", padding="40px")


def _channel_label(channel: Any) -> Any:
    return rx.match(
        channel,
        *[(c, t(*CHANNEL_LABELS[c])) for c in ALL_CHANNELS],
        channel,
    )


def _channel_chip(channel: Any) -> rx.Component:
    return rx.hstack(
        rx.match(
            channel,
            *[(c, rx.icon(CHANNEL_ICONS[c], size=14)) for c in ALL_CHANNELS],
            rx.icon("circle", size=14),
        ),
        rx.text(_channel_label(channel), size="2"),
        align="center",
        spacing="1",
    )


# --------------------------------------------------------------------------- /notifications


def _note(row: Any) -> rx.Component:
    st = NotificationsState
    unread = row["unread"] == "1"
    return rx.card(
        rx.hstack(
            rx.box(
                width="8px",
                height="8px",
                min_width="8px",
                border_radius="50%",
                margin_top="7px",
                background=rx.cond(unread, rx.color("accent", 9), "transparent"),
            ),
            rx.vstack(
                rx.text(row["title"], weight=rx.cond(unread, "bold", "regular"), size="3"),
                rx.text(
                    row["body"],
                    size="2",
                    color_scheme="gray",
                    white_space="pre-wrap",
                    word_break="break-word",
                    style={
                        "display": "-webkit-box",
                        "-webkit-line-clamp": "4",
                        "-webkit-box-orient": "vertical",
                        "overflow": "hidden",
                    },
                ),
                rx.flex(
                    rx.text(row["created"], size="1", color_scheme="gray"),
                    rx.spacer(),
                    rx.cond(
                        row["link"] != "",
                        rx.button(
                            t("Открыть", "Open"),
                            size="1",
                            variant="soft",
                            on_click=st.open(row["id"]),
                            id="note-open-" + row["id"],
                        ),
                    ),
                    rx.cond(
                        unread,
                        rx.button(
                            rx.icon("check", size=14),
                            t("Прочитано", "Mark read"),
                            size="1",
                            variant="outline",
                            on_click=st.mark_read(row["id"]),
                            id="note-read-" + row["id"],
                        ),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                    width="100%",
                ),
                spacing="1",
                width="100%",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        width="100%",
        id="note-" + row["id"],
    )


def notifications_page() -> rx.Component:
    st = NotificationsState
    return shell(
        rx.cond(
            st.loaded,
            rx.vstack(
                rx.flex(
                    rx.segmented_control.root(
                        rx.segmented_control.item(t("Все", "All"), value="all"),
                        rx.segmented_control.item(t("Непрочитанные", "Unread"), value="unread"),
                        value=rx.cond(st.unread_only, "unread", "all"),
                        on_change=lambda v: rx.redirect(
                            rx.cond(
                                v == "unread",
                                routes.with_query(routes.NOTIFICATIONS, unread="1"),
                                routes.NOTIFICATIONS,
                            )
                        ),
                        id="notes-filter",
                    ),
                    rx.spacer(),
                    rx.button(
                        rx.icon("check-check", size=16),
                        t("Отметить все прочитанными", "Mark all read"),
                        variant="soft",
                        on_click=st.mark_all_read,
                        id="notes-read-all",
                    ),
                    rx.link(
                        rx.button(
                            rx.icon("settings", size=16),
                            t("Настроить каналы", "Channels"),
                            variant="ghost",
                        ),
                        href=routes.PROFILE_NOTIFICATIONS,
                        id="notes-settings",
                    ),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                    align="center",
                ),
                rx.cond(
                    st.rows.length() > 0,
                    rx.vstack(rx.foreach(st.rows, _note), spacing="2", width="100%"),
                    rx.callout(
                        t("Уведомлений нет.", "No notifications."),
                        icon="info",
                        color_scheme="gray",
                        width="100%",
                        id="notes-empty",
                    ),
                ),
                pager(
                    prev_href=st.prev_href,
                    next_href=st.next_href,
                    id_prefix="notes-page",
                    first_href=routes.NOTIFICATIONS,
                ),
                spacing="3",
                width="100%",
            ),
            _spinner(),
        ),
        title=t("Уведомления", "Notifications"),
    )


# --------------------------------------------------------------------------- /profile/notifications


def _pref_box(row: Any, channel: str) -> rx.Component:
    return rx.cond(
        row[channel] != "",
        rx.el.label(
            rx.hstack(
                rx.checkbox(
                    name=row["event"] + "|" + channel,
                    default_checked=row[channel] == "on",
                    id="pref-" + row["event"] + "-" + channel,
                ),
                rx.icon(CHANNEL_ICONS[channel], size=14),
                rx.text(t(*CHANNEL_LABELS[channel]), size="2"),
                align="center",
                spacing="1",
            ),
            cursor="pointer",
        ),
    )


def _pref_row(row: Any) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.text(
                t(row["title_ru"], row["title_en"]),
                weight="medium",
                size="2",
                min_width=["100%", "100%", "260px"],
            ),
            rx.flex(*[_pref_box(row, c) for c in ALL_CHANNELS], spacing="4", wrap="wrap"),
            spacing="2",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        size="1",
        width="100%",
    )


def preferences_page() -> rx.Component:
    st = PreferencesState
    return shell(
        rx.cond(
            st.loaded,
            rx.form(
                rx.vstack(
                    rx.text(
                        t(
                            "Выберите, как получать уведомления о каждом событии. Доступны только "
                            "каналы, разрешённые для события.",
                            "Choose how you get each notification. Only the channels the event "
                            "allows are offered.",
                        ),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.foreach(st.rows, _pref_row),
                    rx.card(
                        rx.vstack(
                            rx.hstack(rx.icon("send", size=16), rx.text("Telegram", weight="bold")),
                            rx.text(
                                t(
                                    "Напишите нашему боту /start и укажите chat id, который он "
                                    "пришлёт (число), или @имя канала.",
                                    "Send /start to our bot and enter the chat id it replies "
                                    "with (a number), or a @channel name.",
                                ),
                                size="1",
                                color_scheme="gray",
                            ),
                            rx.input(
                                name="telegram_chat_id",
                                default_value=st.telegram_chat_id,
                                placeholder="123456789",
                                max_length=40,
                                id="pref-telegram-chat",
                                width=["100%", "100%", "260px"],
                            ),
                            rx.cond(
                                st.chat_error != "",
                                rx.text(
                                    st.chat_error,
                                    color_scheme="red",
                                    size="1",
                                    id="pref-chat-error",
                                ),
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        size="1",
                        width="100%",
                    ),
                    rx.button(
                        rx.icon("save", size=16),
                        t("Сохранить", "Save"),
                        type="submit",
                        id="pref-save",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=st.save,
                reset_on_submit=False,
                key=st.form_key,
                width="100%",
                id="pref-form",
            ),
            _spinner(),
        ),
        title=t("Уведомления: каналы", "Notification channels"),
    )


# --------------------------------------------------------------------------- templates


def _tab(label: Any, href: Any, current: Any, tab_id: Any) -> rx.Component:
    return rx.button(
        label,
        size="1",
        variant=rx.cond(current == "1", "solid", "soft"),
        on_click=rx.redirect(href),
        id=tab_id,
    )


def _switch(sw: Any) -> rx.Component:
    return rx.el.label(
        rx.hstack(
            rx.switch(
                checked=sw["enabled"] == "1",
                on_change=lambda v: TemplatesState.switch_channel(sw["channel"], v),
                id="tpl-switch-" + sw["channel"],
            ),
            rx.text(_channel_label(sw["channel"]), size="2"),
            align="center",
            spacing="2",
        ),
        cursor="pointer",
    )


def _editor() -> rx.Component:
    st = TemplatesState
    short = (st.channel == "sms") | (st.channel == "telegram")
    return rx.form(
        rx.vstack(
            rx.vstack(
                rx.text(
                    rx.cond(
                        short, t("Тема (необязательно)", "Subject (optional)"), t("Тема", "Subject")
                    ),
                    size="2",
                    weight="medium",
                ),
                rx.input(
                    name="subject",
                    default_value=st.subject,
                    on_blur=st.edit_subject,
                    max_length=400,
                    width="100%",
                    id="tpl-subject",
                ),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                rx.text(t("Текст", "Text"), size="2", weight="medium"),
                rx.text_area(
                    name="body",
                    default_value=st.body,
                    on_blur=st.edit_body,
                    rows="9",
                    max_length=5000,
                    width="100%",
                    font_family="monospace",
                    id="tpl-body",
                ),
                spacing="1",
                width="100%",
            ),
            rx.flex(
                rx.text(t("Переменные:", "Variables:"), size="1", color_scheme="gray"),
                rx.foreach(
                    st.variables,
                    lambda v: rx.code("{" + v + "}", size="1", variant="soft"),
                ),
                spacing="1",
                wrap="wrap",
                align="center",
                id="tpl-variables",
            ),
            rx.cond(
                st.error != "",
                rx.callout(
                    st.error, icon="triangle-alert", color_scheme="red", size="1", id="tpl-error"
                ),
            ),
            rx.flex(
                rx.button(
                    rx.icon("save", size=16), t("Сохранить", "Save"), type="submit", id="tpl-save"
                ),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button(
                            rx.icon("undo-2", size=16),
                            t("Текст по умолчанию", "Default text"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            id="tpl-reset",
                        )
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title(t("Вернуть текст по умолчанию?", "Restore default?")),
                        rx.alert_dialog.description(
                            t(
                                "Текущий текст этого шаблона будет заменён исходным.",
                                "This template's text is replaced by the shipped one.",
                            )
                        ),
                        rx.flex(
                            rx.alert_dialog.cancel(
                                rx.button(
                                    t("Отмена", "Cancel"), variant="soft", color_scheme="gray"
                                )
                            ),
                            rx.alert_dialog.action(
                                rx.button(
                                    t("Вернуть", "Restore"),
                                    on_click=TemplatesState.restore_default,
                                    id="tpl-reset-confirm",
                                )
                            ),
                            spacing="2",
                            justify="end",
                            margin_top="12px",
                        ),
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=st.save,
        reset_on_submit=False,
        key=st.form_key,
        width="100%",
        id="tpl-form",
    )


def _preview() -> rx.Component:
    st = TemplatesState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("eye", size=16),
                rx.text(
                    t("Предпросмотр с примером данных", "Preview with sample data"), weight="bold"
                ),
                align="center",
            ),
            rx.cond(
                st.preview_subject != "",
                rx.text(st.preview_subject, weight="medium", id="tpl-preview-subject"),
            ),
            rx.box(
                rx.text(
                    rx.cond(st.error != "", "—", st.preview_body),
                    white_space="pre-wrap",
                    word_break="break-word",
                    size="2",
                ),
                padding="12px",
                border_radius="6px",
                background=rx.color("gray", 3),
                width="100%",
                id="tpl-preview-body",
            ),
            rx.text(
                t(
                    "Обновляется, когда поле теряет фокус.",
                    "Updates when a field loses focus.",
                ),
                size="1",
                color_scheme="gray",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def templates_page() -> rx.Component:
    st = TemplatesState
    return shell(
        rx.cond(
            st.loaded,
            rx.cond(
                st.allowed,
                rx.vstack(
                    rx.select.root(
                        rx.select.trigger(width=["100%", "100%", "360px"], id="tpl-event"),
                        rx.select.content(
                            rx.foreach(
                                st.events, lambda e: rx.select.item(e["label"], value=e["value"])
                            )
                        ),
                        value=st.event,
                        on_change=st.choose_event,
                    ),
                    rx.card(
                        rx.vstack(
                            rx.text(
                                t("Каналы события", "Channels of the event"),
                                weight="bold",
                                size="2",
                            ),
                            rx.flex(rx.foreach(st.switches, _switch), spacing="4", wrap="wrap"),
                            rx.text(
                                t(
                                    "Выключенный канал не отправляется никому и не предлагается "
                                    "в настройках пользователей.",
                                    "A switched-off channel is sent to nobody and not offered "
                                    "in user settings.",
                                ),
                                size="1",
                                color_scheme="gray",
                            ),
                            spacing="2",
                        ),
                        width="100%",
                        id="tpl-switches",
                    ),
                    rx.flex(
                        rx.flex(
                            rx.foreach(
                                st.channel_tabs,
                                lambda c: _tab(
                                    _channel_label(c["channel"]),
                                    c["href"],
                                    c["current"],
                                    "tpl-tab-" + c["channel"],
                                ),
                            ),
                            spacing="1",
                            wrap="wrap",
                        ),
                        rx.spacer(),
                        rx.flex(
                            rx.foreach(
                                st.lang_tabs,
                                lambda lg: _tab(
                                    rx.cond(lg["lang"] == "en", "English", "Русский"),
                                    lg["href"],
                                    lg["current"],
                                    "tpl-lang-" + lg["lang"],
                                ),
                            ),
                            spacing="1",
                        ),
                        spacing="2",
                        wrap="wrap",
                        width="100%",
                    ),
                    rx.grid(
                        rx.card(_editor(), width="100%"),
                        _preview(),
                        columns=rx.breakpoints(initial="1", md="2"),
                        spacing="3",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                no_access(),
            ),
            _spinner(),
        ),
        title=t("Шаблоны уведомлений", "Notification templates"),
    )


# --------------------------------------------------------------------------- statistics


def _status_badge(status: Any) -> rx.Component:
    return status_badge(
        code_label(status, STATUS_LABELS, status),
        rx.match(status, ("sent", "green"), ("failed", "red"), ("skipped", "amber"), "gray"),
    )


def _total(label: tuple[str, str], value: Any, color: str, tid: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t(*label), size="1", color_scheme="gray"),
            rx.heading(value, size="5", color=color),
            spacing="0",
        ),
        size="1",
        min_width="110px",
        id=tid,
    )


def _chart(data: Any, keys: list[str], colors: dict[str, str], labels: dict[str, Any]) -> Any:
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"),
        rx.recharts.x_axis(data_key="day"),
        rx.recharts.y_axis(allow_decimals=False, width=36),
        rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        *[rx.recharts.bar(data_key=k, stack_id="a", fill=colors[k], name=labels[k]) for k in keys],
        data=data,
        width="100%",
        height=260,
    )


def _failed_row(row: Any) -> rx.Component:
    st = StatsState
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=st.selected.contains(row["id"]),
                on_change=lambda v: st.toggle(row["id"], v),
                id="failed-select-" + row["id"],
            )
        ),
        rx.table.cell(row["created"], white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                rx.text(row["user"], size="2", weight="medium"),
                rx.text(row["recipient"], size="1", color_scheme="gray", word_break="break-all"),
                spacing="0",
            )
        ),
        rx.table.cell(_channel_chip(row["channel"])),
        rx.table.cell(rx.text(row["event"], size="2")),
        rx.table.cell(
            rx.vstack(
                _status_badge(row["status"]),
                rx.text(row["error"], size="1", color_scheme="red", max_width="320px"),
                spacing="1",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.button(
                    rx.icon("rotate-cw", size=14),
                    t("Повторить", "Resend"),
                    size="1",
                    on_click=st.resend_one(row["id"]),
                    id="failed-resend-" + row["id"],
                ),
                rx.icon_button(
                    rx.icon("list", size=14),
                    size="1",
                    variant="soft",
                    on_click=st.show_attempts(row["id"]),
                    aria_label="attempts",
                    id="failed-attempts-" + row["id"],
                ),
                spacing="1",
            )
        ),
    )


def _failed_card(row: Any) -> rx.Component:
    st = StatsState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.checkbox(
                    checked=st.selected.contains(row["id"]),
                    on_change=lambda v: st.toggle(row["id"], v),
                ),
                _channel_chip(row["channel"]),
                rx.spacer(),
                _status_badge(row["status"]),
                width="100%",
                align="center",
            ),
            rx.text(row["user"], size="2", weight="medium"),
            rx.text(row["recipient"], size="1", color_scheme="gray", word_break="break-all"),
            rx.text(row["event"], size="2"),
            rx.text(row["error"], size="1", color_scheme="red"),
            rx.hstack(
                rx.text(row["created"], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.button(
                    rx.icon("rotate-cw", size=14),
                    t("Повторить", "Resend"),
                    size="1",
                    on_click=st.resend_one(row["id"]),
                ),
                rx.icon_button(
                    rx.icon("list", size=14),
                    size="1",
                    variant="soft",
                    on_click=st.show_attempts(row["id"]),
                    aria_label="attempts",
                ),
                width="100%",
                align="center",
            ),
            spacing="1",
            width="100%",
        ),
        size="1",
        width="100%",
    )


def _attempts_dialog() -> rx.Component:
    st = StatsState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Попытки доставки № ", "Delivery attempts #"), st.attempts_for),
            rx.vstack(
                rx.foreach(
                    st.attempts,
                    lambda a: rx.card(
                        rx.vstack(
                            rx.hstack(
                                rx.text("#", a["number"], weight="bold", size="2"),
                                rx.badge(
                                    rx.match(
                                        a["outcome"],
                                        *[(k, t(*v)) for k, v in OUTCOME_LABELS.items()],
                                        a["outcome"],
                                    ),
                                    variant="soft",
                                ),
                                rx.text(a["transport"], size="1", color_scheme="gray"),
                                rx.spacer(),
                                rx.text(a["started"], size="1", color_scheme="gray"),
                                width="100%",
                                align="center",
                            ),
                            rx.cond(
                                a["error"] != "",
                                rx.text(a["error"], size="1", color_scheme="red"),
                            ),
                            spacing="1",
                        ),
                        size="1",
                        width="100%",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(rx.button(t("Закрыть", "Close"), variant="soft")),
                    justify="end",
                    width="100%",
                ),
                spacing="2",
                width="100%",
                margin_top="12px",
            ),
            max_width="560px",
        ),
        open=st.attempts_open,
        on_open_change=st.close_attempts,
    )


def stats_page() -> rx.Component:
    st = StatsState
    status_labels = {k: t(*v) for k, v in STATUS_LABELS.items()}
    channel_labels = {c: t(*CHANNEL_LABELS[c]) for c in ALL_CHANNELS}
    return shell(
        rx.cond(
            st.loaded,
            rx.cond(
                st.allowed,
                rx.vstack(
                    filter_bar(
                        labelled(
                            ("С", "From"),
                            text_field(
                                "from",
                                st.f_from,
                                ("С", "From"),
                                id="stats-from",
                                type="date",
                                width="160px",
                            ),
                        ),
                        labelled(
                            ("По", "To"),
                            text_field(
                                "to",
                                st.f_to,
                                ("По", "To"),
                                id="stats-to",
                                type="date",
                                width="160px",
                            ),
                        ),
                        labelled(
                            ("Канал", "Channel"),
                            select_field(
                                "channel",
                                st.f_channel,
                                CHANNEL_OPTIONS,
                                id="stats-channel",
                                all_label=("Все каналы", "All channels"),
                                width="160px",
                            ),
                        ),
                        labelled(
                            ("Клиент", "Customer"),
                            search_field(
                                "q",
                                st.f_q,
                                ("ФИО, e-mail, телефон", "Name, e-mail, phone"),
                                id="stats-q",
                                width="240px",
                            ),
                        ),
                        on_submit=st.apply_filters,
                        reset_href=routes.ADMIN_NOTIFY_STATS,
                        key=st.query_key,
                        id_prefix="stats-filter",
                    ),
                    rx.flex(
                        _total(
                            ("Доставлено", "Sent"),
                            st.totals["sent"],
                            STATUS_COLORS["sent"],
                            "stats-total-sent",
                        ),
                        _total(
                            ("Ошибки", "Failed"),
                            st.totals["failed"],
                            STATUS_COLORS["failed"],
                            "stats-total-failed",
                        ),
                        _total(
                            ("Пропущено", "Skipped"),
                            st.totals["skipped"],
                            STATUS_COLORS["skipped"],
                            "stats-total-skipped",
                        ),
                        _total(
                            ("В очереди", "Queued"),
                            st.totals["queued"],
                            STATUS_COLORS["queued"],
                            "stats-total-queued",
                        ),
                        spacing="2",
                        wrap="wrap",
                        width="100%",
                    ),
                    rx.grid(
                        rx.card(
                            rx.text(t("По статусам", "By status"), weight="bold", size="2"),
                            _chart(
                                st.by_status,
                                ["sent", "failed", "skipped", "queued"],
                                STATUS_COLORS,
                                status_labels,
                            ),
                            width="100%",
                            id="stats-chart-status",
                        ),
                        rx.card(
                            rx.flex(
                                rx.text(t("По каналам", "By channel"), weight="bold", size="2"),
                                *[
                                    rx.badge(
                                        rx.icon(CHANNEL_ICONS[c], size=12),
                                        st.channel_totals[c],
                                        variant="soft",
                                        color_scheme="gray",
                                        id=f"stats-channel-total-{c}",
                                    )
                                    for c in ALL_CHANNELS
                                ],
                                spacing="2",
                                wrap="wrap",
                                align="center",
                            ),
                            _chart(
                                st.by_channel, list(ALL_CHANNELS), CHANNEL_COLORS, channel_labels
                            ),
                            width="100%",
                            id="stats-chart-channel",
                        ),
                        columns=rx.breakpoints(initial="1", lg="2"),
                        spacing="3",
                        width="100%",
                    ),
                    rx.flex(
                        rx.heading(t("Не доставлено", "Not delivered"), size="4"),
                        rx.spacer(),
                        rx.button(
                            rx.icon("rotate-cw", size=16),
                            t("Повторить выбранные", "Resend selected"),
                            " (",
                            st.selected.length(),
                            ")",
                            disabled=st.selected.length() == 0,
                            on_click=st.resend_selected,
                            id="failed-resend-selected",
                        ),
                        spacing="2",
                        wrap="wrap",
                        align="center",
                        width="100%",
                    ),
                    rx.cond(
                        st.rows.length() > 0,
                        rx.fragment(
                            rx.box(
                                rx.table.root(
                                    rx.table.header(
                                        rx.table.row(
                                            rx.table.column_header_cell(
                                                rx.checkbox(
                                                    checked=(
                                                        st.selected.length() == st.rows.length()
                                                    ),
                                                    on_change=st.toggle_all,
                                                    id="failed-select-all",
                                                )
                                            ),
                                            *[
                                                rx.table.column_header_cell(t(*h))
                                                for h in (
                                                    ("Время (UTC)", "Time (UTC)"),
                                                    ("Клиент", "Customer"),
                                                    ("Канал", "Channel"),
                                                    ("Событие", "Event"),
                                                    ("Статус", "Status"),
                                                    ("", ""),
                                                )
                                            ],
                                        )
                                    ),
                                    rx.table.body(rx.foreach(st.rows, _failed_row)),
                                    variant="surface",
                                    size="2",
                                    width="100%",
                                ),
                                display=["none", "none", "block"],
                                width="100%",
                                overflow_x="auto",
                                id="failed-table",
                            ),
                            rx.vstack(
                                rx.foreach(st.rows, _failed_card),
                                display=["flex", "flex", "none"],
                                spacing="2",
                                width="100%",
                                id="failed-cards",
                            ),
                        ),
                        rx.callout(
                            t("Недоставленных уведомлений нет.", "No failed deliveries."),
                            icon="circle-check",
                            color_scheme="green",
                            width="100%",
                            id="failed-empty",
                        ),
                    ),
                    pager(
                        prev_href=st.prev_href,
                        next_href=st.next_href,
                        id_prefix="failed-page",
                    ),
                    _attempts_dialog(),
                    spacing="4",
                    width="100%",
                ),
                no_access(),
            ),
            _spinner(),
        ),
        title=t("Статистика доставки уведомлений", "Notification delivery statistics"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        notifications_page,
        route=routes.NOTIFICATIONS,
        title="Уведомления",
        on_load=NotificationsState.load,
    )
    app.add_page(
        preferences_page,
        route=routes.PROFILE_NOTIFICATIONS,
        title="Уведомления: каналы",
        on_load=PreferencesState.load,
    )
    app.add_page(
        templates_page,
        route=routes.ADMIN_NOTIFY_TEMPLATES,
        title="Шаблоны уведомлений",
        on_load=TemplatesState.load,
    )
    app.add_page(
        stats_page,
        route=routes.ADMIN_NOTIFY_STATS,
        title="Статистика доставки уведомлений",
        on_load=StatsState.load,
    )
