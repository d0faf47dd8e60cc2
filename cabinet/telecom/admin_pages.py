"""Operator admin pages of the telecom module: SIM cards (with CSV import/export), subscribers,
partners with statistics, payments, tariffs, requests (activation, tariff change, block),
blocking and administrators.

Reading needs Perm.TELECOM_VIEW; buttons that change something are shown to holders of
Perm.TELECOM_ADMIN for convenience only — handlers and services check again.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.i18n import LangState, t
from cabinet.telecom import csv_import
from cabinet.telecom.admin_queries import CONTRACT_STATUS_LABELS
from cabinet.telecom.admin_rules import APPROVE, IMPORT_MAX_BYTES, REJECT
from cabinet.telecom.admin_state import (
    NONE,
    TelAdminsState,
    TelBlocksState,
    TelImportState,
    TelPartnersState,
    TelPartnerState,
    TelPaymentsState,
    TelRequestsState,
    TelSimsState,
    TelSimState,
    TelSubscribersState,
    TelSubscriberState,
    TelTariffsState,
)
from cabinet.telecom.rules import PAYMENT_STATUS_LABELS, SIM_STATUS_LABELS
from components.data_table import (
    data_table,
    filter_bar,
    labelled,
    mobile_card,
    no_access,
    not_found,
    pager,
    search_field,
    select_field,
    status_badge,
    text_field,
)
from components.shell import shell

SECTIONS: list[tuple[str, str, str, str]] = [
    (routes.ADMIN_TELECOM_SIMS, "Сим-карты", "SIM cards", "sim"),
    (routes.ADMIN_TELECOM_SUBSCRIBERS, "Абоненты", "Subscribers", "subscribers"),
    (routes.ADMIN_TELECOM_PARTNERS, "Партнёры", "Partners", "partners"),
    (routes.ADMIN_TELECOM_PAYMENTS, "Платежи", "Payments", "payments"),
    (routes.ADMIN_TELECOM_TARIFFS, "Тарифы", "Tariffs", "tariffs"),
    (routes.ADMIN_TELECOM_REQUESTS, "Заявки", "Requests", "requests"),
    (routes.ADMIN_TELECOM_BLOCKS, "Блокировка", "Blocking", "blocks"),
    (routes.ADMIN_TELECOM_ADMINS, "Администраторы", "Administrators", "admins"),
]
_SIM_STATUS_OPTS = [(s, ru, en) for s, (ru, en) in SIM_STATUS_LABELS.items()]
_PAYMENT_STATUS_OPTS = [(s, ru, en) for s, (ru, en) in PAYMENT_STATUS_LABELS.items()]
_CONTRACT_STATUS_OPTS = [(s, ru, en) for s, (ru, en) in CONTRACT_STATUS_LABELS.items()]


def tv(ru: Any, en: Any) -> Any:
    return rx.cond(LangState.lang == "en", en, ru)


def _cell(*children: Any, **props: Any) -> rx.Component:
    return rx.table.cell(*children, **props)


def _nav(current: str) -> rx.Component:
    """The module's sections as one row of links (wraps on a phone)."""
    return rx.flex(
        *[
            rx.link(
                rx.badge(
                    t(ru, en),
                    variant="solid" if route == current else "soft",
                    color_scheme="blue" if route == current else "gray",
                    size="2",
                    radius="full",
                ),
                href=route,
                underline="none",
                id=f"tel-nav-{key}",
            )
            for route, ru, en, key in SECTIONS
        ],
        wrap="wrap",
        spacing="2",
        width="100%",
    )


def _page(state: Any, current: str, title: tuple[str, str], *content: rx.Component) -> rx.Component:
    return shell(
        _nav(current),
        rx.cond(
            state.loaded,
            rx.cond(
                state.allowed,
                rx.vstack(*content, spacing="4", width="100%"),
                no_access(),
            ),
            rx.center(rx.spinner(size="3"), width="100%", padding="40px"),
        ),
        title=t(*title),
    )


def _section(title: tuple[str, str], *children: Any, **props: Any) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(t(*title), size="3", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        **props,
    )


def _kv(label: tuple[str, str], value: Any, *, id: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(t(*label), size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium", id=id, word_break="break-word"),
        spacing="0",
        min_width="140px",
    )


def _stat(label: tuple[str, str], value: Any, *, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t(*label), size="1", color_scheme="gray"),
            rx.text(value, size="5", weight="bold", id=id),
            spacing="1",
        ),
        min_width="150px",
        flex="1",
    )


def _err(state: Any, key: str) -> rx.Component:
    return rx.cond(
        state.errors.contains(key),
        rx.text(state.errors[key], size="1", color_scheme="red", id=f"err-{key}"),
    )


def _input(
    state: Any,
    name: str,
    label: tuple[str, str],
    default: Any = "",
    *,
    id: str,
    placeholder: str = "",
    max_length: int = 200,
    type: str = "text",
    required: bool = False,
) -> rx.Component:
    return rx.vstack(
        rx.text(t(*label), size="1", color_scheme="gray"),
        rx.input(
            name=name,
            default_value=default,
            placeholder=placeholder,
            max_length=max_length,
            type=type,
            required=required,
            id=id,
            width="100%",
        ),
        _err(state, name),
        spacing="1",
        width="100%",
    )


def _select(
    name: str,
    label: tuple[str, str],
    options: Any,
    default: Any,
    *,
    id: str,
    none_label: tuple[str, str] | None = None,
) -> rx.Component:
    """A form select over a Var of {value, label}; `none_label` adds a "none" item."""
    items: list[rx.Component] = []
    if none_label is not None:
        items.append(rx.select.item(t(*none_label), value=NONE))
    if isinstance(options, list):
        items += [rx.select.item(t(ru, en), value=v) for v, ru, en in options]
    else:
        items.append(rx.foreach(options, lambda o: rx.select.item(o["label"], value=o["value"])))
    return rx.vstack(
        rx.text(t(*label), size="1", color_scheme="gray"),
        rx.select.root(
            rx.select.trigger(id=id, width="100%"),
            rx.select.content(*items),
            name=name,
            default_value=default,
        ),
        spacing="1",
        width="100%",
    )


def _or_none(value: Any) -> Any:
    return rx.cond(value == "", NONE, value)


def _footer(save_id: str, label: tuple[str, str] = ("Сохранить", "Save")) -> rx.Component:
    return rx.hstack(
        rx.dialog.close(
            rx.button(t("Отмена", "Cancel"), type="button", variant="soft", color_scheme="gray")
        ),
        rx.button(t(*label), type="submit", id=save_id),
        spacing="3",
        justify="end",
        width="100%",
    )


def _grid(*children: rx.Component) -> rx.Component:
    return rx.grid(
        *children, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"
    )


# ---------------------------------------------------------------------------- SIM registry


def _sim_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["iccid"],
                href=f"{routes.ADMIN_TELECOM_SIM}?id={row['id']}",
                weight="medium",
                id=f"sim-link-{row['id']}",
                font_family="monospace",
            ),
            white_space="nowrap",
        ),
        _cell(row["msisdn"], white_space="nowrap"),
        _cell(status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"])),
        _cell(row["tariff"]),
        _cell(row["partner"]),
        _cell(rx.text(row["holder"], size="1")),
        _cell(row["balance"], white_space="nowrap", text_align="right"),
    )


def _sim_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link(
                row["msisdn"],
                href=f"{routes.ADMIN_TELECOM_SIM}?id={row['id']}",
                weight="medium",
                id=f"sim-card-{row['id']}",
            ),
            rx.spacer(),
            status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"]),
            width="100%",
            align="center",
        ),
        rx.text(row["iccid"], size="1", font_family="monospace"),
        rx.text(row["tariff"], " · ", row["partner"], " · ", row["balance"], size="1"),
        rx.text(row["holder"], size="1", color_scheme="gray"),
    )


def _add_sim_dialog() -> rx.Component:
    st = TelSimsState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Новая сим-карта", "New SIM card")),
            rx.form(
                rx.vstack(
                    _input(
                        st,
                        "iccid",
                        ("ICCID (19–20 цифр)", "ICCID (19–20 digits)"),
                        id="sim-new-iccid",
                        max_length=40,
                        required=True,
                    ),
                    _input(
                        st,
                        "msisdn",
                        ("Номер телефона", "Phone number"),
                        id="sim-new-msisdn",
                        placeholder="+7 900 000-00-00",
                        max_length=30,
                        required=True,
                    ),
                    _grid(
                        _select(
                            "status",
                            ("Статус", "Status"),
                            _SIM_STATUS_OPTS[:2],
                            "inactive",
                            id="sim-new-status",
                        ),
                        _select(
                            "tariff",
                            ("Тариф", "Tariff"),
                            st.tariff_opts,
                            NONE,
                            id="sim-new-tariff",
                            none_label=("Без тарифа", "No tariff"),
                        ),
                        _select(
                            "partner",
                            ("Партнёр", "Partner"),
                            st.partner_opts,
                            NONE,
                            id="sim-new-partner",
                            none_label=("Без партнёра", "No partner"),
                        ),
                        _input(
                            st, "label", ("Подпись", "Label"), id="sim-new-label", max_length=60
                        ),
                    ),
                    _footer("sim-new-save", ("Добавить", "Add")),
                    spacing="3",
                    width="100%",
                ),
                on_submit=st.add_sim,
                reset_on_submit=False,
            ),
            max_width="560px",
        ),
        open=st.add_open,
        on_open_change=st.set_add_open,
    )


def sims_page() -> rx.Component:
    st = TelSimsState
    return _page(
        st,
        routes.ADMIN_TELECOM_SIMS,
        ("Сим-карты", "SIM cards"),
        rx.flex(
            rx.cond(
                st.can_admin,
                rx.button(
                    rx.icon("plus", size=16),
                    t("Добавить", "Add"),
                    on_click=st.open_add,
                    id="sim-add",
                ),
            ),
            rx.cond(
                st.can_admin,
                rx.link(
                    rx.button(
                        rx.icon("upload", size=16),
                        t("Импорт CSV", "Import CSV"),
                        variant="soft",
                    ),
                    href=routes.ADMIN_TELECOM_IMPORT,
                    id="sim-import",
                ),
            ),
            rx.button(
                rx.icon("download", size=16),
                t("Экспорт CSV", "Export CSV"),
                variant="soft",
                color_scheme="gray",
                on_click=st.export_csv,
                id="sim-export",
            ),
            spacing="2",
            wrap="wrap",
        ),
        filter_bar(
            search_field(
                "q", st.f_q, ("ICCID, номер или подпись", "ICCID, number or label"), id="sim-q"
            ),
            select_field(
                "status",
                st.f_status,
                _SIM_STATUS_OPTS,
                id="sim-f-status",
                all_label=("Все статусы", "All statuses"),
                width="170px",
            ),
            select_field(
                "partner",
                st.f_partner,
                st.partner_opts,
                id="sim-f-partner",
                all_label=("Все партнёры", "All partners"),
            ),
            select_field(
                "tariff",
                st.f_tariff,
                st.tariff_opts,
                id="sim-f-tariff",
                all_label=("Все тарифы", "All tariffs"),
            ),
            on_submit=st.apply_filters,
            reset_href=routes.ADMIN_TELECOM_SIMS,
            key=st.query_key,
            id_prefix="sim-filter",
        ),
        data_table(
            [
                "ICCID",
                ("Номер", "Number"),
                ("Статус", "Status"),
                ("Тариф", "Tariff"),
                ("Партнёр", "Partner"),
                ("Абонент", "Subscriber"),
                ("Баланс", "Balance"),
            ],
            st.rows,
            _sim_row,
            id="sim-table",
            min_width="900px",
            mobile_card=_sim_card,
        ),
        pager(
            prev_href=st.prev_href,
            next_href=st.next_href,
            id_prefix="sim-pager",
            first_href=routes.ADMIN_TELECOM_SIMS,
        ),
        _add_sim_dialog(),
    )


def _history_row(row: Any) -> rx.Component:
    return rx.table.row(
        _cell(row["blocked_at"], white_space="nowrap"),
        _cell(row["reason"]),
        _cell(row["blocked_by"]),
        _cell(row["unblocked_at"], white_space="nowrap"),
        _cell(rx.text(row["unblocked_by"], " ", row["unblock_comment"], size="1")),
    )


def sim_page() -> rx.Component:
    st = TelSimState
    s = st.sim
    return _page(
        st,
        routes.ADMIN_TELECOM_SIMS,
        ("Сим-карта", "SIM card"),
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), t("Все сим-карты", "All SIM cards")),
            href=routes.ADMIN_TELECOM_SIMS,
            size="2",
        ),
        rx.cond(
            st.missing,
            not_found(("Сим-карта не найдена.", "SIM card not found."), id="sim-missing"),
            rx.vstack(
                _section(
                    ("Карточка", "Card"),
                    rx.flex(
                        _kv(("Номер", "Number"), s["msisdn"], id="sim-msisdn"),
                        _kv(("ICCID", "ICCID"), s["iccid"], id="sim-iccid"),
                        rx.vstack(
                            rx.text(t("Статус", "Status"), size="1", color_scheme="gray"),
                            status_badge(tv(s["status_ru"], s["status_en"]), s["status_color"]),
                            spacing="1",
                            id="sim-status",
                        ),
                        _kv(("Баланс", "Balance"), s["balance"]),
                        _kv(("Тариф", "Tariff"), s["tariff"]),
                        _kv(("Партнёр", "Partner"), s["partner"]),
                        _kv(("Абонент", "Subscriber"), s["holder"]),
                        _kv(("Активирована", "Activated"), s["activated_at"]),
                        _kv(("Платежей", "Payments"), s["payments"]),
                        wrap="wrap",
                        spacing="4",
                    ),
                    rx.cond(
                        s["status"] == "blocked",
                        rx.callout(
                            rx.text(
                                t("Заблокирована ", "Blocked "),
                                s["blocked_at"],
                                ": ",
                                s["block_reason"],
                            ),
                            icon="ban",
                            color_scheme="red",
                            id="sim-block-info",
                        ),
                    ),
                    rx.cond(
                        s["contract_id"] != "",
                        rx.link(
                            t("Открыть договор абонента", "Open the subscriber's contract"),
                            href=f"{routes.ADMIN_TELECOM_SUBSCRIBER}?id={s['contract_id']}",
                            size="2",
                        ),
                    ),
                ),
                rx.cond(st.can_admin, _sim_actions()),
                rx.cond(st.can_admin, _sim_edit()),
                _section(
                    ("История блокировок", "Block history"),
                    data_table(
                        [
                            ("Заблокирована", "Blocked"),
                            ("Причина", "Reason"),
                            ("Кто", "By"),
                            ("Снята", "Lifted"),
                            ("Кем, комментарий", "By, comment"),
                        ],
                        st.history,
                        _history_row,
                        id="sim-history",
                        empty=("Сим-карта не блокировалась.", "Never blocked."),
                        min_width="640px",
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )


def _sim_actions() -> rx.Component:
    st = TelSimState
    s = st.sim
    return _section(
        ("Действия", "Actions"),
        rx.flex(
            rx.cond(
                s["status"] == "inactive",
                rx.button(
                    rx.icon("power", size=16),
                    t("Активировать", "Activate"),
                    on_click=st.activate,
                    color_scheme="green",
                    id="sim-activate",
                ),
            ),
            rx.cond(
                s["delete_refusal"] == "",
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(
                        rx.button(
                            rx.icon("trash-2", size=16),
                            t("Удалить", "Delete"),
                            color_scheme="red",
                            variant="soft",
                            id="sim-delete",
                        )
                    ),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title(t("Удалить сим-карту?", "Delete the SIM card?")),
                        rx.alert_dialog.description(s["iccid"]),
                        rx.hstack(
                            rx.alert_dialog.cancel(
                                rx.button(
                                    t("Отмена", "Cancel"), variant="soft", color_scheme="gray"
                                )
                            ),
                            rx.alert_dialog.action(
                                rx.button(
                                    t("Удалить", "Delete"),
                                    color_scheme="red",
                                    on_click=st.delete,
                                    id="sim-delete-confirm",
                                )
                            ),
                            justify="end",
                            spacing="3",
                        ),
                    ),
                ),
                rx.text(s["delete_refusal"], size="1", color_scheme="gray", id="sim-no-delete"),
            ),
            spacing="3",
            wrap="wrap",
            align="center",
        ),
        rx.cond(
            s["status"] == "blocked",
            rx.form(
                rx.flex(
                    rx.input(
                        name="comment",
                        placeholder=t("Комментарий (необязательно)", "Comment (optional)"),
                        max_length=1000,
                        id="sim-unblock-comment",
                        flex="1",
                        min_width="200px",
                    ),
                    rx.button(
                        rx.icon("lock-open", size=16),
                        t("Снять блокировку", "Unblock"),
                        type="submit",
                        id="sim-unblock",
                    ),
                    spacing="2",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=st.unblock,
                reset_on_submit=True,
                width="100%",
            ),
            rx.form(
                rx.vstack(
                    rx.flex(
                        rx.input(
                            name="reason",
                            placeholder=t("Причина блокировки", "Reason for blocking"),
                            max_length=1000,
                            id="sim-block-reason",
                            flex="1",
                            min_width="200px",
                        ),
                        rx.button(
                            rx.icon("ban", size=16),
                            t("Заблокировать", "Block"),
                            type="submit",
                            color_scheme="red",
                            id="sim-block",
                        ),
                        spacing="2",
                        wrap="wrap",
                        width="100%",
                    ),
                    _err(st, "reason"),
                    spacing="1",
                    width="100%",
                ),
                on_submit=st.block,
                reset_on_submit=False,
                width="100%",
            ),
        ),
    )


def _sim_edit() -> rx.Component:
    st = TelSimState
    s = st.sim
    return _section(
        ("Изменить", "Edit"),
        rx.form(
            rx.vstack(
                _grid(
                    _input(
                        st,
                        "iccid",
                        ("ICCID", "ICCID"),
                        s["iccid_raw"],
                        id="sim-edit-iccid",
                        max_length=40,
                    ),
                    _input(
                        st,
                        "msisdn",
                        ("Номер", "Number"),
                        s["msisdn_raw"],
                        id="sim-edit-msisdn",
                        max_length=30,
                    ),
                    _select(
                        "tariff",
                        ("Тариф", "Tariff"),
                        st.tariff_opts,
                        _or_none(s["tariff_id"]),
                        id="sim-edit-tariff",
                        none_label=("Без тарифа", "No tariff"),
                    ),
                    _select(
                        "partner",
                        ("Партнёр", "Partner"),
                        st.partner_opts,
                        _or_none(s["partner_id"]),
                        id="sim-edit-partner",
                        none_label=("Без партнёра", "No partner"),
                    ),
                    _input(
                        st,
                        "label",
                        ("Подпись", "Label"),
                        s["label"],
                        id="sim-edit-label",
                        max_length=60,
                    ),
                ),
                rx.button(t("Сохранить", "Save"), type="submit", id="sim-save"),
                spacing="3",
                width="100%",
            ),
            on_submit=st.save,
            reset_on_submit=False,
            key=st.form_key,
        ),
    )


# ---------------------------------------------------------------------------- CSV import


def _job_error_row(row: Any) -> rx.Component:
    return rx.table.row(
        _cell(row["row"], white_space="nowrap"),
        _cell(row["column"], white_space="nowrap"),
        _cell(rx.text(row["message"], size="2")),
    )


def _preview_row(row: Any) -> rx.Component:
    return rx.table.row(
        _cell(row["row"]),
        _cell(rx.text(row["iccid"], font_family="monospace", size="2")),
        _cell(row["msisdn"], white_space="nowrap"),
        _cell(row["tariff"]),
        _cell(row["partner"]),
        _cell(row["status"]),
    )


def _recent_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["filename"],
                href=f"{routes.ADMIN_TELECOM_IMPORT}?job={row['id']}",
                id=f"import-job-{row['id']}",
            ),
        ),
        _cell(row["created_at"], white_space="nowrap"),
        _cell(tv(row["mode_ru"], row["mode_en"])),
        _cell(row["by"]),
        _cell(row["rows"]),
        _cell(row["created"]),
        _cell(status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"])),
    )


_MODE_CHOICES = (
    (
        "create",
        ("Добавить новые сим-карты", "Add new SIM cards"),
        ("ICCID и номер ещё не заведены в системе.", "ICCID and number must be new."),
    ),
    (
        "update",
        ("Изменить заведённые сим-карты", "Change stored SIM cards"),
        (
            "Сим-карта ищется по ICCID; меняются столбцы, которые есть в файле: номер, тариф, "
            "партнёр, статус (пустой тариф или партнёр — снять, пустой статус — не менять).",
            "Found by ICCID; the file's columns are changed: number, tariff, partner, status.",
        ),
    ),
    (
        "delete",
        ("Удалить сим-карты", "Delete SIM cards"),
        (
            "По ICCID; только сим-карты со склада: без договора, не активные, без платежей "
            "и заявок.",
            "By ICCID; stock cards only: no contract, not active, no payments or requests.",
        ),
    ),
)


def _mode_picker() -> rx.Component:
    st = TelImportState
    return rx.radio_group.root(
        rx.vstack(
            *[
                rx.text(
                    rx.flex(
                        rx.radio_group.item(value=code, id=f"import-mode-{code}"),
                        rx.vstack(
                            rx.text(t(*label), size="2", weight="medium"),
                            rx.text(t(*hint), size="1", color_scheme="gray"),
                            spacing="0",
                        ),
                        spacing="2",
                        align="start",
                    ),
                    as_="label",
                )
                for code, label, hint in _MODE_CHOICES
            ],
            spacing="2",
        ),
        value=st.import_mode,
        on_change=st.set_import_mode,
        id="import-mode",
    )


def _upload_box() -> rx.Component:
    st = TelImportState
    chosen = rx.selected_files("telecom-csv")
    return rx.vstack(
        _mode_picker(),
        rx.upload(
            rx.vstack(
                rx.icon("file-spreadsheet", size=24, color=rx.color("gray", 10)),
                rx.text(
                    t(
                        "Перетащите CSV-файл сюда или нажмите, чтобы выбрать",
                        "Drop a CSV file here or click to choose",
                    ),
                    size="2",
                    weight="medium",
                    text_align="center",
                ),
                rx.text(
                    t(
                        "CSV (UTF-8 или Windows-1251, разделитель «;» или «,»), не больше 10 МБ",
                        "CSV (UTF-8 or Windows-1251, ';' or ','), up to 10 MB",
                    ),
                    size="1",
                    color_scheme="gray",
                    text_align="center",
                ),
                align="center",
                spacing="1",
                width="100%",
            ),
            id="telecom-csv",
            accept={
                "text/csv": [".csv"],
                "text/plain": [".txt"],
                "application/vnd.ms-excel": [".csv"],
            },
            max_size=IMPORT_MAX_BYTES,
            multiple=False,
            max_files=1,
            on_drop_rejected=lambda _f: rx.toast.error(
                t("Нужен CSV-файл не больше 10 МБ.", "A CSV file up to 10 MB is needed.")
            ),
            border=f"1px dashed {rx.color('gray', 7)}",
            border_radius="8px",
            padding="16px",
            width="100%",
            cursor="pointer",
        ),
        rx.foreach(chosen, lambda name: rx.text(name, size="1")),
        rx.button(
            rx.icon("upload", size=16),
            t("Загрузить и проверить", "Upload and check"),
            on_click=[
                st.upload_csv(rx.upload_files(upload_id="telecom-csv")),
                rx.clear_selected_files("telecom-csv"),
            ],
            disabled=chosen.length() == 0,
            id="telecom-csv-submit",
        ),
        spacing="2",
        width="100%",
    )


def _job_card() -> rx.Component:
    st = TelImportState
    j = st.job
    return _section(
        ("Загрузка", "Upload"),
        rx.flex(
            _kv(("Файл", "File"), j["filename"], id="import-filename"),
            _kv(("Режим", "Mode"), tv(j["mode_ru"], j["mode_en"]), id="import-mode-shown"),
            rx.vstack(
                rx.text(t("Состояние", "State"), size="1", color_scheme="gray"),
                status_badge(tv(j["status_ru"], j["status_en"]), j["status_color"]),
                spacing="1",
                id="import-status",
            ),
            _kv(("Кодировка", "Encoding"), j["encoding"]),
            _kv(("Разделитель", "Delimiter"), j["delimiter"]),
            _kv(("Строк", "Rows"), j["total"], id="import-total"),
            _kv(("Без ошибок", "Valid"), j["valid"]),
            _kv(("Ошибок", "Errors"), j["errors_count"], id="import-errors-count"),
            _kv(("Записано", "Written"), j["created"], id="import-created"),
            wrap="wrap",
            spacing="4",
        ),
        rx.cond(
            st.running,
            rx.vstack(
                rx.progress(
                    value=j["percent"].to(int), max=100, width="100%", id="import-progress"
                ),
                rx.text(
                    t("Обработано строк: ", "Rows processed: "),
                    j["processed"],
                    size="1",
                    color_scheme="gray",
                ),
                width="100%",
                spacing="1",
            ),
        ),
        rx.cond(
            (j["message"] != "") & ~st.running,
            rx.callout(
                j["message"],
                icon="info",
                color_scheme=rx.match(
                    j["status"], ("invalid", "red"), ("failed", "red"), ("done", "green"), "blue"
                ),
                id="import-message",
                width="100%",
            ),
        ),
        rx.cond(
            st.can_admin,
            rx.flex(
                rx.cond(
                    j["status"] == "ready",
                    rx.button(
                        rx.icon("database", size=16),
                        rx.match(
                            j["mode"],
                            ("update", t("Применить изменения", "Apply the changes")),
                            ("delete", t("Удалить сим-карты", "Delete the SIM cards")),
                            t("Импортировать", "Import"),
                        ),
                        on_click=TelImportState.run,
                        disabled=st.running,
                        color_scheme=rx.match(j["mode"], ("delete", "red"), "green"),
                        id="import-run",
                    ),
                ),
                rx.cond(
                    (j["status"] == "ready") | (j["status"] == "invalid"),
                    rx.button(
                        t("Отменить загрузку", "Discard"),
                        on_click=st.cancel,
                        variant="soft",
                        color_scheme="gray",
                        id="import-cancel",
                    ),
                ),
                spacing="2",
                wrap="wrap",
            ),
        ),
        rx.cond(
            j["errors"].to(list).length() > 0,
            rx.vstack(
                rx.heading(t("Ошибки в строках", "Row errors"), size="2"),
                data_table(
                    [("Строка", "Row"), ("Столбец", "Column"), ("Ошибка", "Error")],
                    j["errors"].to(list[dict[str, str]]),
                    _job_error_row,
                    id="import-errors",
                    min_width="560px",
                ),
                width="100%",
            ),
        ),
        rx.cond(
            j["preview"].to(list).length() > 0,
            rx.vstack(
                rx.heading(t("Первые строки файла", "First rows of the file"), size="2"),
                data_table(
                    [
                        ("Строка", "Row"),
                        "ICCID",
                        ("Номер", "Number"),
                        ("Тариф", "Tariff"),
                        ("Партнёр", "Partner"),
                        ("Статус", "Status"),
                    ],
                    j["preview"].to(list[dict[str, str]]),
                    _preview_row,
                    id="import-preview",
                    min_width="720px",
                ),
                width="100%",
            ),
        ),
    )


def import_page() -> rx.Component:
    st = TelImportState
    header = ";".join(csv_import.COLUMN_LABELS[c] for c in csv_import.EXPORT_COLUMNS)
    return _page(
        st,
        routes.ADMIN_TELECOM_SIMS,
        ("Импорт сим-карт из CSV", "Import SIM cards from CSV"),
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), t("Все сим-карты", "All SIM cards")),
            href=routes.ADMIN_TELECOM_SIMS,
            size="2",
        ),
        _section(
            ("Файл", "File"),
            rx.text(
                t(
                    "Первая строка — заголовок. Для новых сим-карт обязательны ICCID и номер; "
                    "тариф, партнёр и статус — по желанию (названия как в справочниках). Для "
                    "изменения и удаления сим-карта ищется по ICCID. Выгрузка реестра в CSV "
                    "читается обратно без правок. Сначала файл проверяется целиком и ничего не "
                    "записывается; затем все строки записываются одной транзакцией — или ни "
                    "одной.",
                    "The first row is a header. New cards need ICCID and number; tariff, "
                    "partner and status are optional. Changes and deletions find the card by "
                    "ICCID. The registry's CSV export reads back as is. The file is checked "
                    "first and nothing is written; then all rows are written in one "
                    "transaction, or none.",
                ),
                size="2",
            ),
            rx.code(header, size="2"),
            rx.cond(
                st.can_admin,
                _upload_box(),
                rx.callout(
                    t("Импорт доступен администраторам связи.", "Import needs the admin right."),
                    icon="lock",
                    color_scheme="gray",
                ),
            ),
        ),
        rx.cond(st.job.contains("id"), _job_card()),
        _section(
            ("Последние загрузки", "Recent uploads"),
            data_table(
                [
                    ("Файл", "File"),
                    ("Загружен", "Uploaded"),
                    ("Режим", "Mode"),
                    ("Кто", "By"),
                    ("Строк", "Rows"),
                    ("Записано", "Written"),
                    ("Состояние", "State"),
                ],
                st.recent,
                _recent_row,
                id="import-recent",
                empty=("Загрузок ещё не было.", "No uploads yet."),
                min_width="720px",
            ),
        ),
    )


# ---------------------------------------------------------------------------- subscribers


def _contract_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["number"],
                href=f"{routes.ADMIN_TELECOM_SUBSCRIBER}?id={row['id']}",
                weight="medium",
                id=f"contract-link-{row['id']}",
            ),
            white_space="nowrap",
        ),
        _cell(row["org"]),
        _cell(row["inn"]),
        _cell(row["partner"]),
        _cell(row["sims"], text_align="right"),
        _cell(status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"])),
    )


def _contract_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link(
                row["org"],
                href=f"{routes.ADMIN_TELECOM_SUBSCRIBER}?id={row['id']}",
                weight="medium",
                id=f"contract-card-{row['id']}",
            ),
            rx.spacer(),
            status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"]),
            width="100%",
        ),
        rx.text(row["number"], " · ", t("сим-карт: ", "SIMs: "), row["sims"], size="1"),
        rx.text(row["partner"], size="1", color_scheme="gray"),
    )


def subscribers_page() -> rx.Component:
    st = TelSubscribersState
    return _page(
        st,
        routes.ADMIN_TELECOM_SUBSCRIBERS,
        ("Абоненты", "Subscribers"),
        filter_bar(
            search_field(
                "q",
                st.f_q,
                ("Организация, ИНН, договор или номер", "Organisation, INN, contract or number"),
                id="sub-q",
                width="320px",
            ),
            select_field(
                "status",
                st.f_status,
                _CONTRACT_STATUS_OPTS,
                id="sub-f-status",
                all_label=("Все договоры", "All contracts"),
            ),
            on_submit=st.apply_filters,
            reset_href=routes.ADMIN_TELECOM_SUBSCRIBERS,
            key=st.query_key,
            id_prefix="sub-filter",
        ),
        data_table(
            [
                ("Договор", "Contract"),
                ("Абонент", "Subscriber"),
                ("ИНН", "INN"),
                ("Партнёр", "Partner"),
                ("Сим-карт", "SIMs"),
                ("Статус", "Status"),
            ],
            st.rows,
            _contract_row,
            id="sub-table",
            mobile_card=_contract_card,
        ),
        pager(
            prev_href=st.prev_href,
            next_href=st.next_href,
            id_prefix="sub-pager",
            first_href=routes.ADMIN_TELECOM_SUBSCRIBERS,
        ),
    )


def _contract_sim_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["msisdn"],
                href=f"{routes.ADMIN_TELECOM_SIM}?id={row['id']}",
                id=f"contract-sim-{row['id']}",
            ),
            white_space="nowrap",
        ),
        _cell(rx.text(row["iccid"], font_family="monospace", size="2")),
        _cell(status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"])),
        _cell(row["tariff"]),
        _cell(row["balance"], white_space="nowrap"),
        _cell(row["label"]),
    )


def subscriber_page() -> rx.Component:
    st = TelSubscriberState
    c = st.contract
    return _page(
        st,
        routes.ADMIN_TELECOM_SUBSCRIBERS,
        ("Абонент", "Subscriber"),
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), t("Все абоненты", "All subscribers")),
            href=routes.ADMIN_TELECOM_SUBSCRIBERS,
            size="2",
        ),
        rx.cond(
            st.missing,
            not_found(("Договор не найден.", "Contract not found."), id="contract-missing"),
            rx.vstack(
                _section(
                    ("Договор", "Contract"),
                    rx.flex(
                        _kv(("Абонент", "Subscriber"), c["org"], id="contract-org"),
                        _kv(("ИНН", "INN"), c["inn"]),
                        _kv(
                            ("Номер договора", "Contract number"), c["number"], id="contract-number"
                        ),
                        _kv(("Статус", "Status"), tv(c["status_ru"], c["status_en"])),
                        _kv(("Подписан", "Signed"), c["signed_on"]),
                        _kv(("Партнёр", "Partner"), c["partner"]),
                        _kv(("Оплачено всего", "Paid in total"), c["paid"]),
                        wrap="wrap",
                        spacing="4",
                    ),
                    rx.link(
                        t("Карточка организации", "Organisation card"),
                        href=f"{routes.ADMIN_ORGANISATION}?id={c['org_id']}",
                        size="2",
                    ),
                ),
                _section(
                    ("Сим-карты договора", "SIM cards of the contract"),
                    data_table(
                        [
                            ("Номер", "Number"),
                            "ICCID",
                            ("Статус", "Status"),
                            ("Тариф", "Tariff"),
                            ("Баланс", "Balance"),
                            ("Подпись", "Label"),
                        ],
                        st.sims,
                        _contract_sim_row,
                        id="contract-sims",
                        empty=("Сим-карт нет.", "No SIM cards."),
                        min_width="720px",
                    ),
                    rx.cond(
                        st.can_admin,
                        rx.form(
                            rx.flex(
                                rx.input(
                                    name="iccid",
                                    placeholder=t(
                                        "ICCID или номер сим-карты со склада",
                                        "ICCID or number of a stock SIM",
                                    ),
                                    max_length=40,
                                    id="contract-attach-iccid",
                                    flex="1",
                                    min_width="220px",
                                ),
                                rx.button(
                                    t("Добавить в договор", "Add to contract"),
                                    type="submit",
                                    id="contract-attach",
                                ),
                                spacing="2",
                                wrap="wrap",
                                width="100%",
                            ),
                            _err(st, "iccid"),
                            on_submit=st.attach,
                            reset_on_submit=True,
                            width="100%",
                        ),
                    ),
                ),
                rx.cond(
                    st.can_admin,
                    _section(
                        ("Изменить договор", "Edit contract"),
                        rx.form(
                            rx.vstack(
                                _grid(
                                    _input(
                                        st,
                                        "number",
                                        ("Номер договора", "Contract number"),
                                        c["number"],
                                        id="contract-edit-number",
                                        max_length=40,
                                    ),
                                    _select(
                                        "status",
                                        ("Статус", "Status"),
                                        _CONTRACT_STATUS_OPTS,
                                        c["status"],
                                        id="contract-edit-status",
                                    ),
                                    _select(
                                        "partner",
                                        ("Партнёр", "Partner"),
                                        st.partner_opts,
                                        _or_none(c["partner_id"]),
                                        id="contract-edit-partner",
                                        none_label=("Без партнёра", "No partner"),
                                    ),
                                ),
                                rx.button(
                                    t("Сохранить", "Save"), type="submit", id="contract-save"
                                ),
                                spacing="3",
                                width="100%",
                            ),
                            on_submit=st.save,
                            reset_on_submit=False,
                            key=st.form_key,
                        ),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )


# ---------------------------------------------------------------------------- partners


def _partner_fields(state: Any, p: Any, prefix: str) -> rx.Component:
    return rx.vstack(
        _input(
            state,
            "name",
            ("Название", "Name"),
            p["name"],
            id=f"{prefix}-name",
            max_length=300,
            required=True,
        ),
        _grid(
            _input(state, "inn", ("ИНН", "INN"), p["inn"], id=f"{prefix}-inn", max_length=12),
            _input(
                state,
                "share",
                ("Доля от платежей, %", "Share of payments, %"),
                p["share"],
                id=f"{prefix}-share",
                max_length=6,
                placeholder="10",
            ),
            _input(
                state,
                "contact_name",
                ("Контактное лицо", "Contact person"),
                p["contact_name"],
                id=f"{prefix}-contact",
                max_length=200,
            ),
            _input(
                state,
                "contact_phone",
                ("Телефон", "Phone"),
                p["contact_phone"],
                id=f"{prefix}-phone",
                max_length=30,
            ),
            _input(
                state,
                "contact_email",
                ("E-mail", "E-mail"),
                p["contact_email"],
                id=f"{prefix}-email",
                max_length=254,
            ),
        ),
        rx.vstack(
            rx.text(t("Примечание", "Note"), size="1", color_scheme="gray"),
            rx.text_area(
                name="note",
                default_value=p["note"],
                max_length=2000,
                id=f"{prefix}-note",
                width="100%",
            ),
            width="100%",
            spacing="1",
        ),
        rx.checkbox(
            t("Работает с нами", "Active"),
            name="is_active",
            default_checked=p["active"] != "",
            id=f"{prefix}-active",
        ),
        spacing="3",
        width="100%",
    )


def _partner_row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row["name"],
                href=f"{routes.ADMIN_TELECOM_PARTNER}?id={row['id']}",
                weight="medium",
                id=f"partner-link-{row['id']}",
            ),
        ),
        _cell(row["inn"]),
        _cell(row["share"], white_space="nowrap"),
        _cell(row["sims"], text_align="right"),
        _cell(row["subscribers"], text_align="right"),
        _cell(rx.text(row["contact"], size="1")),
        _cell(
            rx.cond(
                row["active"] != "",
                status_badge(t("работает", "active"), "green"),
                status_badge(t("отключён", "inactive"), "gray"),
            )
        ),
    )


def _partner_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.link(
            row["name"],
            href=f"{routes.ADMIN_TELECOM_PARTNER}?id={row['id']}",
            weight="medium",
            id=f"partner-card-{row['id']}",
        ),
        rx.text(
            t("Сим-карт: ", "SIMs: "),
            row["sims"],
            " · ",
            t("абонентов: ", "subscribers: "),
            row["subscribers"],
            " · ",
            row["share"],
            size="1",
        ),
        rx.text(row["contact"], size="1", color_scheme="gray"),
    )


_EMPTY_PARTNER = {
    "name": "",
    "inn": "",
    "share": "",
    "contact_name": "",
    "contact_phone": "",
    "contact_email": "",
    "note": "",
    "active": "1",
}


def partners_page() -> rx.Component:
    st = TelPartnersState
    return _page(
        st,
        routes.ADMIN_TELECOM_PARTNERS,
        ("Партнёры", "Partners"),
        rx.flex(
            filter_bar(
                search_field("q", st.f_q, ("Название или ИНН", "Name or INN"), id="partner-q"),
                on_submit=st.apply_filters,
                reset_href=routes.ADMIN_TELECOM_PARTNERS,
                key=st.query_key,
                id_prefix="partner-filter",
            ),
            rx.cond(
                st.can_admin,
                rx.button(
                    rx.icon("plus", size=16),
                    t("Новый партнёр", "New partner"),
                    on_click=st.open_add,
                    id="partner-add",
                ),
            ),
            spacing="3",
            wrap="wrap",
            align="end",
            width="100%",
        ),
        data_table(
            [
                ("Партнёр", "Partner"),
                ("ИНН", "INN"),
                ("Доля", "Share"),
                ("Сим-карт", "SIMs"),
                ("Абонентов", "Subscribers"),
                ("Контакт", "Contact"),
                ("Статус", "Status"),
            ],
            st.rows,
            _partner_row,
            id="partner-table",
            mobile_card=_partner_card,
        ),
        pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="partner-pager"),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("Новый партнёр", "New partner")),
                rx.form(
                    rx.vstack(
                        _partner_fields(st, _EMPTY_PARTNER, "partner-new"),
                        _footer("partner-new-save", ("Создать", "Create")),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=st.add_partner,
                    reset_on_submit=False,
                ),
                max_width="620px",
            ),
            open=st.add_open,
            on_open_change=st.set_add_open,
        ),
    )


def partner_page() -> rx.Component:
    st = TelPartnerState
    p = st.partner
    return _page(
        st,
        routes.ADMIN_TELECOM_PARTNERS,
        ("Партнёр", "Partner"),
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), t("Все партнёры", "All partners")),
            href=routes.ADMIN_TELECOM_PARTNERS,
            size="2",
        ),
        rx.cond(
            st.missing,
            not_found(("Партнёр не найден.", "Partner not found."), id="partner-missing"),
            rx.vstack(
                rx.heading(p["name"], size="5", id="partner-name"),
                rx.flex(
                    _stat(("Сим-карт", "SIM cards"), p["sims_total"], id="partner-sims"),
                    _stat(("Активных", "Active"), p["sims_active"], id="partner-sims-active"),
                    _stat(
                        ("Заблокировано", "Blocked"), p["sims_blocked"], id="partner-sims-blocked"
                    ),
                    _stat(("Абонентов", "Subscribers"), p["subscribers"], id="partner-subscribers"),
                    _stat(
                        ("Прибыль всего", "Total profit"), p["total_profit"], id="partner-profit"
                    ),
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
                rx.text(
                    t("Доля партнёра ", "Partner's share "),
                    p["share"],
                    " % ",
                    t(
                        "от успешных платежей по его сим-картам (всего оплачено ",
                        "of succeeded payments for its SIM cards (paid in total ",
                    ),
                    p["total_paid"],
                    ").",
                    size="2",
                    color_scheme="gray",
                ),
                rx.link(
                    t("Сим-карты партнёра →", "The partner's SIM cards →"),
                    href=f"{routes.ADMIN_TELECOM_SIMS}?partner={p['id']}",
                    size="2",
                    id="partner-sims-link",
                ),
                _section(
                    ("Прибыль за период", "Profit for a period"),
                    rx.form(
                        rx.flex(
                            labelled(
                                ("С", "From"),
                                rx.input(
                                    type="date",
                                    name="from",
                                    default_value=st.f_from,
                                    id="partner-from",
                                ),
                            ),
                            labelled(
                                ("По", "To"),
                                rx.input(
                                    type="date", name="to", default_value=st.f_to, id="partner-to"
                                ),
                            ),
                            rx.button(
                                t("Посчитать", "Calculate"), type="submit", id="partner-period"
                            ),
                            spacing="2",
                            wrap="wrap",
                            align="end",
                        ),
                        on_submit=st.apply_period,
                        reset_on_submit=False,
                        key=st.form_key,
                    ),
                    rx.cond(
                        p["period_profit"] != "",
                        rx.text(
                            t("Оплачено: ", "Paid: "),
                            p["period_paid"],
                            " · ",
                            t("прибыль партнёра: ", "partner's profit: "),
                            rx.text.strong(p["period_profit"], id="partner-period-profit"),
                            size="3",
                        ),
                    ),
                ),
                rx.cond(
                    st.can_admin,
                    _section(
                        ("Данные партнёра", "Partner details"),
                        rx.form(
                            rx.vstack(
                                _partner_fields(st, p, "partner-edit"),
                                rx.button(t("Сохранить", "Save"), type="submit", id="partner-save"),
                                spacing="3",
                                width="100%",
                            ),
                            on_submit=st.save,
                            reset_on_submit=False,
                            key=st.form_key,
                        ),
                        rx.cond(
                            p["delete_refusal"] == "",
                            rx.button(
                                t("Удалить партнёра", "Delete partner"),
                                color_scheme="red",
                                variant="soft",
                                on_click=st.delete,
                                id="partner-delete",
                            ),
                            rx.text(p["delete_refusal"], size="1", color_scheme="gray"),
                        ),
                    ),
                    _section(
                        ("Контакты", "Contacts"),
                        rx.flex(
                            _kv(("ИНН", "INN"), p["inn"]),
                            _kv(("Контакт", "Contact"), p["contact_name"]),
                            _kv(("Телефон", "Phone"), p["contact_phone"]),
                            _kv(("E-mail", "E-mail"), p["contact_email"]),
                            wrap="wrap",
                            spacing="4",
                        ),
                    ),
                ),
                spacing="4",
                width="100%",
            ),
        ),
    )


# ---------------------------------------------------------------------------- payments


def _payment_row(row: Any) -> rx.Component:
    return rx.table.row(
        _cell(row["created_at"], white_space="nowrap"),
        _cell(
            rx.vstack(
                rx.text(row["org"], size="2"),
                rx.text(row["msisdn"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        _cell(tv(row["kind_ru"], row["kind_en"])),
        _cell(row["amount"], white_space="nowrap", text_align="right"),
        _cell(status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"])),
        _cell(rx.text(row["reason"], size="1", color_scheme="red")),
        _cell(row["partner"]),
    )


def _payment_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(row["amount"], weight="bold"),
            rx.spacer(),
            status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"]),
            width="100%",
        ),
        rx.text(row["created_at"], " · ", tv(row["kind_ru"], row["kind_en"]), size="1"),
        rx.text(row["org"], " · ", row["msisdn"], size="1", color_scheme="gray"),
        rx.cond(row["reason"] != "", rx.text(row["reason"], size="1", color_scheme="red")),
    )


def payments_page() -> rx.Component:
    st = TelPaymentsState
    return _page(
        st,
        routes.ADMIN_TELECOM_PAYMENTS,
        ("Платежи", "Payments"),
        filter_bar(
            labelled(
                ("С", "From"),
                text_field(
                    "from", st.f_from, ("С", "From"), id="pay-from", type="date", width="150px"
                ),
            ),
            labelled(
                ("По", "To"),
                text_field("to", st.f_to, ("По", "To"), id="pay-to", type="date", width="150px"),
            ),
            labelled(
                ("Сумма от, ₽", "Amount from"),
                text_field("min", st.f_min, ("от", "min"), id="pay-min", width="110px"),
            ),
            labelled(
                ("до, ₽", "to"),
                text_field("max", st.f_max, ("до", "max"), id="pay-max", width="110px"),
            ),
            select_field(
                "status",
                st.f_status,
                _PAYMENT_STATUS_OPTS,
                id="pay-status",
                all_label=("Все статусы", "All statuses"),
                width="160px",
            ),
            select_field(
                "partner",
                st.f_partner,
                st.partner_opts,
                id="pay-partner",
                all_label=("Все партнёры", "All partners"),
                width="180px",
            ),
            search_field(
                "who",
                st.f_who,
                (
                    "Абонент: название, ИНН, договор, номер",
                    "Subscriber: name, INN, contract, number",
                ),
                id="pay-who",
                width="280px",
            ),
            on_submit=st.apply_filters,
            reset_href=routes.ADMIN_TELECOM_PAYMENTS,
            key=st.query_key,
            id_prefix="pay-filter",
        ),
        data_table(
            [
                ("Дата", "Date"),
                ("Абонент", "Subscriber"),
                ("Вид", "Kind"),
                ("Сумма", "Amount"),
                ("Статус", "Status"),
                ("Причина отказа", "Decline reason"),
                ("Партнёр", "Partner"),
            ],
            st.rows,
            _payment_row,
            id="pay-table",
            min_width="900px",
            mobile_card=_payment_card,
        ),
        pager(
            prev_href=st.prev_href,
            next_href=st.next_href,
            id_prefix="pay-pager",
            first_href=routes.ADMIN_TELECOM_PAYMENTS,
        ),
    )


# ---------------------------------------------------------------------------- tariffs


def _tariff_row(row: Any) -> rx.Component:
    st = TelTariffsState
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(row["name"], weight="medium"),
                rx.text(row["description"], size="1", color_scheme="gray"),
                spacing="0",
            ),
        ),
        _cell(row["fee"], white_space="nowrap"),
        _cell(rx.text(row["allowances"], size="2"), white_space="nowrap"),
        _cell(row["sims"], text_align="right"),
        _cell(
            status_badge(
                tv(row["status_ru"], row["status_en"]),
                rx.cond(row["archived"] != "", "gray", "green"),
            )
        ),
        _cell(
            rx.cond(
                st.can_admin,
                rx.hstack(
                    rx.icon_button(
                        rx.icon("pencil", size=14),
                        size="1",
                        variant="soft",
                        on_click=st.open_edit(row["id"]),
                        id=f"tariff-edit-{row['id']}",
                        aria_label="Изменить",
                    ),
                    rx.cond(
                        row["archived"] != "",
                        rx.button(
                            t("Вернуть", "Restore"),
                            size="1",
                            variant="soft",
                            on_click=st.restore(row["id"]),
                            id=f"tariff-restore-{row['id']}",
                        ),
                        rx.button(
                            t("В архив", "Archive"),
                            size="1",
                            variant="soft",
                            color_scheme="gray",
                            on_click=st.archive(row["id"]),
                            id=f"tariff-archive-{row['id']}",
                        ),
                    ),
                    rx.cond(
                        row["sims"] == "0",
                        rx.icon_button(
                            rx.icon("trash-2", size=14),
                            size="1",
                            variant="soft",
                            color_scheme="red",
                            on_click=st.delete(row["id"]),
                            id=f"tariff-delete-{row['id']}",
                            aria_label="Удалить",
                        ),
                    ),
                    spacing="2",
                ),
            ),
        ),
    )


def _tariff_card(row: Any) -> rx.Component:
    st = TelTariffsState
    return mobile_card(
        rx.hstack(
            rx.text(row["name"], weight="medium"),
            rx.spacer(),
            status_badge(
                tv(row["status_ru"], row["status_en"]),
                rx.cond(row["archived"] != "", "gray", "green"),
            ),
            width="100%",
        ),
        rx.text(row["fee"], " · ", row["allowances"], size="1"),
        rx.text(t("Сим-карт: ", "SIMs: "), row["sims"], size="1", color_scheme="gray"),
        rx.cond(
            st.can_admin,
            rx.hstack(
                rx.button(
                    t("Изменить", "Edit"),
                    size="1",
                    variant="soft",
                    on_click=st.open_edit(row["id"]),
                ),
                rx.cond(
                    row["archived"] != "",
                    rx.button(
                        t("Вернуть", "Restore"),
                        size="1",
                        variant="soft",
                        on_click=st.restore(row["id"]),
                    ),
                    rx.button(
                        t("В архив", "Archive"),
                        size="1",
                        variant="soft",
                        color_scheme="gray",
                        on_click=st.archive(row["id"]),
                    ),
                ),
                spacing="2",
            ),
        ),
    )


def tariffs_page() -> rx.Component:
    st = TelTariffsState
    e = st.edit
    return _page(
        st,
        routes.ADMIN_TELECOM_TARIFFS,
        ("Тарифы", "Tariffs"),
        rx.cond(
            st.can_admin,
            rx.button(
                rx.icon("plus", size=16),
                t("Новый тариф", "New tariff"),
                on_click=st.open_create,
                id="tariff-add",
            ),
        ),
        rx.text(
            t(
                "Тариф, который уже использовался, нельзя удалить — только отправить в архив: "
                "на него больше не переходят, а сим-карты на нём остаются.",
                "A tariff that was ever used cannot be deleted, only archived.",
            ),
            size="2",
            color_scheme="gray",
        ),
        data_table(
            [
                ("Тариф", "Tariff"),
                ("Плата в месяц", "Monthly fee"),
                ("Минуты · SMS · интернет", "Minutes · SMS · data"),
                ("Сим-карт", "SIMs"),
                ("Статус", "Status"),
                "",
            ],
            st.rows,
            _tariff_row,
            id="tariff-table",
            min_width="860px",
            mobile_card=_tariff_card,
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(
                    rx.cond(
                        st.edit_id == 0,
                        t("Новый тариф", "New tariff"),
                        t("Изменить тариф", "Edit tariff"),
                    )
                ),
                rx.form(
                    rx.vstack(
                        _input(
                            st,
                            "name",
                            ("Название", "Name"),
                            e["name"],
                            id="tariff-name",
                            max_length=120,
                            required=True,
                        ),
                        _input(
                            st,
                            "description",
                            ("Описание", "Description"),
                            e["description"],
                            id="tariff-description",
                            max_length=1000,
                        ),
                        _grid(
                            _input(
                                st,
                                "fee",
                                ("Абонентская плата, ₽ в месяц", "Monthly fee, ₽"),
                                e["fee_raw"],
                                id="tariff-fee",
                                max_length=12,
                                required=True,
                            ),
                            _input(
                                st,
                                "minutes",
                                ("Минут (пусто — без ограничений)", "Minutes (empty — unlimited)"),
                                e["minutes"],
                                id="tariff-minutes",
                                max_length=7,
                            ),
                            _input(
                                st,
                                "sms",
                                ("SMS (пусто — без ограничений)", "SMS (empty — unlimited)"),
                                e["sms"],
                                id="tariff-sms",
                                max_length=7,
                            ),
                            _input(
                                st,
                                "internet_gb",
                                (
                                    "Интернет, ГБ (пусто — без ограничений)",
                                    "Data, GB (empty — unlimited)",
                                ),
                                e["internet_gb"],
                                id="tariff-gb",
                                max_length=7,
                            ),
                        ),
                        _footer("tariff-save"),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=st.save,
                    reset_on_submit=False,
                    key=st.form_key,
                ),
                max_width="600px",
            ),
            open=st.dialog_open,
            on_open_change=st.set_dialog_open,
        ),
    )


# ---------------------------------------------------------------------------- requests

_REQUEST_TABS = [
    ("activation", "Активация", "Activation"),
    ("tariff", "Смена тарифа", "Tariff change"),
    ("block", "Блокировка", "Blocking"),
]
_REQUEST_STATUS = [
    ("pending", "На рассмотрении", "Pending"),
    ("approved", "Одобренные", "Approved"),
    ("rejected", "Отклонённые", "Rejected"),
    ("all", "Все", "All"),
]


def _request_row(row: Any) -> rx.Component:
    st = TelRequestsState
    return rx.table.row(
        _cell(row["created_at"], white_space="nowrap"),
        _cell(
            rx.vstack(
                rx.cond(
                    row["sim_id"] != "",
                    rx.link(
                        row["msisdn"],
                        href=f"{routes.ADMIN_TELECOM_SIM}?id={row['sim_id']}",
                        size="2",
                    ),
                    rx.text(row["msisdn"], size="2"),
                ),
                rx.text(row["iccid"], size="1", color_scheme="gray", font_family="monospace"),
                spacing="0",
            )
        ),
        _cell(
            rx.vstack(
                rx.text(row["org"], size="2"),
                rx.text(row["source"], " · ", row["requested_by"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        _cell(
            rx.vstack(
                rx.text(row["what"], size="2", weight="medium"),
                rx.text(row["comment"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        _cell(
            rx.vstack(
                status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"]),
                rx.text(row["decided"], size="1", color_scheme="gray"),
                rx.text(row["decision_comment"], size="1"),
                spacing="1",
            )
        ),
        _cell(
            rx.cond(
                st.can_admin & (row["pending"] != ""),
                rx.hstack(
                    rx.button(
                        t("Одобрить", "Approve"),
                        size="1",
                        color_scheme="green",
                        on_click=st.open_decide(row["id"], APPROVE),
                        id=f"req-approve-{row['id']}",
                    ),
                    rx.button(
                        t("Отклонить", "Reject"),
                        size="1",
                        color_scheme="red",
                        variant="soft",
                        on_click=st.open_decide(row["id"], REJECT),
                        id=f"req-reject-{row['id']}",
                    ),
                    spacing="2",
                ),
            )
        ),
    )


def _request_card(row: Any) -> rx.Component:
    st = TelRequestsState
    return mobile_card(
        rx.hstack(
            rx.text(row["what"], weight="medium", size="2"),
            rx.spacer(),
            status_badge(tv(row["status_ru"], row["status_en"]), row["status_color"]),
            width="100%",
        ),
        rx.text(row["msisdn"], " · ", row["org"], size="1"),
        rx.text(row["created_at"], " · ", row["source"], size="1", color_scheme="gray"),
        rx.cond(row["comment"] != "", rx.text(row["comment"], size="1")),
        rx.cond(
            st.can_admin & (row["pending"] != ""),
            rx.hstack(
                rx.button(
                    t("Одобрить", "Approve"),
                    size="1",
                    color_scheme="green",
                    on_click=st.open_decide(row["id"], APPROVE),
                    id=f"req-card-approve-{row['id']}",
                ),
                rx.button(
                    t("Отклонить", "Reject"),
                    size="1",
                    color_scheme="red",
                    variant="soft",
                    on_click=st.open_decide(row["id"], REJECT),
                ),
                spacing="2",
            ),
        ),
    )


def requests_page() -> rx.Component:
    st = TelRequestsState
    return _page(
        st,
        routes.ADMIN_TELECOM_REQUESTS,
        ("Заявки абонентов и партнёров", "Subscribers' and partners' requests"),
        rx.flex(
            *[
                rx.link(
                    rx.badge(
                        t(ru, en),
                        " ",
                        st.counts[kind].to_string(),
                        variant=rx.cond(st.kind == kind, "solid", "soft"),
                        color_scheme=rx.cond(st.kind == kind, "blue", "gray"),
                        size="2",
                    ),
                    href=f"{routes.ADMIN_TELECOM_REQUESTS}?kind={kind}",
                    underline="none",
                    id=f"req-tab-{kind}",
                )
                for kind, ru, en in _REQUEST_TABS
            ],
            rx.spacer(),
            *[
                rx.link(
                    t(ru, en),
                    href=f"{routes.ADMIN_TELECOM_REQUESTS}?kind=" + st.kind + f"&status={code}",
                    size="1",
                    weight=rx.cond(
                        (st.f_status == code) | ((st.f_status == "") & (code == "all")),
                        "bold",
                        "regular",
                    ),
                    id=f"req-status-{code}",
                )
                for code, ru, en in _REQUEST_STATUS
            ],
            spacing="3",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        data_table(
            [
                ("Дата", "Date"),
                ("Сим-карта", "SIM card"),
                ("Заявитель", "Requester"),
                ("Заявка", "Request"),
                ("Решение", "Decision"),
                "",
            ],
            st.rows,
            _request_row,
            id="req-table",
            empty=("Заявок нет.", "No requests."),
            min_width="940px",
            mobile_card=_request_card,
        ),
        pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="req-pager"),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(
                    rx.cond(
                        st.decision == APPROVE,
                        t("Одобрить заявку", "Approve"),
                        t("Отклонить заявку", "Reject"),
                    )
                ),
                rx.dialog.description(st.decide_what, size="2"),
                rx.form(
                    rx.vstack(
                        rx.text_area(
                            name="comment",
                            placeholder=rx.cond(
                                st.decision == APPROVE,
                                t(
                                    "Комментарий для заявителя (необязательно)",
                                    "Comment for the requester (optional)",
                                ),
                                t(
                                    "Причина отказа — её увидит заявитель",
                                    "Reason — the requester will see it",
                                ),
                            ),
                            max_length=1000,
                            id="req-comment",
                            width="100%",
                        ),
                        _err(st, "comment"),
                        _footer("req-decide", ("Подтвердить", "Confirm")),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=st.decide,
                    reset_on_submit=False,
                ),
                max_width="520px",
            ),
            open=st.dialog_open,
            on_open_change=st.set_dialog_open,
        ),
    )


# ---------------------------------------------------------------------------- blocking


def _block_row(row: Any) -> rx.Component:
    st = TelBlocksState
    return rx.table.row(
        _cell(row["blocked_at"], white_space="nowrap"),
        rx.table.row_header_cell(
            rx.link(
                row["msisdn"],
                href=f"{routes.ADMIN_TELECOM_SIM}?id={row['sim_id']}",
                id=f"block-sim-{row['id']}",
            ),
            white_space="nowrap",
        ),
        _cell(rx.text(row["iccid"], size="1", font_family="monospace")),
        _cell(row["org"]),
        _cell(rx.text(row["reason"], size="2")),
        _cell(row["blocked_by"]),
        _cell(
            rx.cond(
                row["current"] != "",
                rx.cond(
                    st.can_admin,
                    rx.button(
                        t("Снять", "Unblock"),
                        size="1",
                        variant="soft",
                        on_click=st.unblock(row["sim_id"]),
                        id=f"block-lift-{row['id']}",
                    ),
                    status_badge(t("действует", "current"), "red"),
                ),
                rx.text(row["unblocked_at"], size="1", color_scheme="gray"),
            )
        ),
    )


def _block_card(row: Any) -> rx.Component:
    st = TelBlocksState
    return mobile_card(
        rx.hstack(
            rx.link(row["msisdn"], href=f"{routes.ADMIN_TELECOM_SIM}?id={row['sim_id']}"),
            rx.spacer(),
            rx.text(row["blocked_at"], size="1", color_scheme="gray"),
            width="100%",
        ),
        rx.text(row["reason"], size="2"),
        rx.text(row["org"], " · ", row["blocked_by"], size="1", color_scheme="gray"),
        rx.cond(
            (row["current"] != "") & st.can_admin,
            rx.button(
                t("Снять блокировку", "Unblock"),
                size="1",
                variant="soft",
                on_click=st.unblock(row["sim_id"]),
            ),
        ),
    )


def blocks_page() -> rx.Component:
    st = TelBlocksState
    return _page(
        st,
        routes.ADMIN_TELECOM_BLOCKS,
        ("Блокировка", "Blocking"),
        rx.hstack(
            rx.link(
                rx.badge(
                    t("Заблокированы сейчас", "Blocked now"),
                    variant=rx.cond(st.show_all, "soft", "solid"),
                    size="2",
                ),
                href=routes.ADMIN_TELECOM_BLOCKS,
                underline="none",
                id="block-current",
            ),
            rx.link(
                rx.badge(
                    t("Вся история", "Whole history"),
                    variant=rx.cond(st.show_all, "solid", "soft"),
                    size="2",
                ),
                href=f"{routes.ADMIN_TELECOM_BLOCKS}?all=1",
                underline="none",
                id="block-all",
            ),
            spacing="2",
        ),
        rx.text(
            t(
                "Заблокировать сим-карту можно из её карточки (раздел «Сим-карты»).",
                "Block a SIM card from its card (SIM cards section).",
            ),
            size="2",
            color_scheme="gray",
        ),
        data_table(
            [
                ("Дата", "Date"),
                ("Номер", "Number"),
                "ICCID",
                ("Абонент", "Subscriber"),
                ("Причина", "Reason"),
                ("Кто", "By"),
                "",
            ],
            st.rows,
            _block_row,
            id="block-table",
            empty=("Заблокированных сим-карт нет.", "No blocked SIM cards."),
            min_width="860px",
            mobile_card=_block_card,
        ),
        pager(prev_href=st.prev_href, next_href=st.next_href, id_prefix="block-pager"),
    )


# ---------------------------------------------------------------------------- administrators


def _admin_row(row: Any) -> rx.Component:
    st = TelAdminsState
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(row["name"], href=f"{routes.ADMIN_USER}?id={row['id']}", weight="medium"),
        ),
        _cell(row["email"]),
        _cell(
            status_badge(
                tv(row["level_ru"], row["level_en"]),
                rx.cond(row["level"] == "admin", "blue", "gray"),
            )
        ),
        _cell(
            rx.flex(
                rx.foreach(
                    row["roles"].to(list[dict[str, str]]),
                    lambda r: rx.badge(
                        r["role"],
                        rx.cond(
                            st.can_grant,
                            rx.icon(
                                "x",
                                size=12,
                                cursor="pointer",
                                on_click=st.revoke(r["user_role_id"]),
                                id=f"admin-revoke-{r['user_role_id']}",
                            ),
                        ),
                        variant="soft",
                        color_scheme="gray",
                    ),
                ),
                spacing="1",
                wrap="wrap",
            )
        ),
    )


def _admin_card(row: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link(row["name"], href=f"{routes.ADMIN_USER}?id={row['id']}"),
            rx.spacer(),
            status_badge(
                tv(row["level_ru"], row["level_en"]),
                rx.cond(row["level"] == "admin", "blue", "gray"),
            ),
            width="100%",
        ),
        rx.text(row["email"], size="1"),
        rx.text(row["roles_text"], size="1", color_scheme="gray"),
    )


def admins_page() -> rx.Component:
    st = TelAdminsState
    return _page(
        st,
        routes.ADMIN_TELECOM_ADMINS,
        ("Администраторы и уровни доступа", "Administrators and access levels"),
        rx.text(
            t(
                "Уровень «только просмотр» — право «Просмотр сим-карт, абонентов и платежей»; "
                "«изменение» — ещё и «Управление сим-картами, тарифами, партнёрами». Права входят "
                "в роли: встроенные (Менеджер, Сотрудник оператора — просмотр; Администратор — "
                "изменение) или свои роли из раздела «Роли и права».",
                "View only: the telecom view right; change: also the telecom admin right. "
                "Rights come with roles — built-in or custom ones from Roles.",
            ),
            size="2",
        ),
        rx.hstack(
            rx.link(t("Роли и права →", "Roles →"), href=routes.ADMIN_ROLES, size="2"),
            rx.link(t("Все пользователи →", "All users →"), href=routes.ADMIN_USERS, size="2"),
            spacing="4",
        ),
        data_table(
            [
                ("Сотрудник", "Staff member"),
                ("E-mail", "E-mail"),
                ("Доступ", "Access"),
                ("Роли", "Roles"),
            ],
            st.rows,
            _admin_row,
            id="admins-table",
            min_width="720px",
            mobile_card=_admin_card,
        ),
        rx.cond(
            st.can_grant,
            _section(
                ("Добавить администратора", "Add an administrator"),
                rx.form(
                    rx.flex(
                        rx.vstack(
                            rx.input(
                                name="email",
                                type="email",
                                placeholder="e-mail",
                                max_length=254,
                                id="admins-email",
                                width="100%",
                            ),
                            _err(st, "email"),
                            spacing="1",
                            flex="1",
                            min_width="220px",
                        ),
                        rx.vstack(
                            rx.select.root(
                                rx.select.trigger(
                                    placeholder=t("Роль", "Role"), id="admins-role", width="100%"
                                ),
                                rx.select.content(
                                    rx.foreach(
                                        st.role_opts,
                                        lambda o: rx.select.item(o["label"], value=o["value"]),
                                    ),
                                ),
                                name="role",
                            ),
                            _err(st, "role"),
                            spacing="1",
                            min_width="240px",
                        ),
                        rx.button(t("Выдать роль", "Grant role"), type="submit", id="admins-grant"),
                        spacing="2",
                        wrap="wrap",
                        align="start",
                        width="100%",
                    ),
                    on_submit=st.grant,
                    reset_on_submit=False,
                    key=st.form_key,
                ),
            ),
        ),
    )


def add_pages(app: rx.App) -> None:
    pages = [
        (sims_page, routes.ADMIN_TELECOM_SIMS, "Сим-карты", TelSimsState.load),
        (sim_page, routes.ADMIN_TELECOM_SIM, "Сим-карта", TelSimState.load),
        (import_page, routes.ADMIN_TELECOM_IMPORT, "Импорт сим-карт", TelImportState.load),
        (subscribers_page, routes.ADMIN_TELECOM_SUBSCRIBERS, "Абоненты", TelSubscribersState.load),
        (subscriber_page, routes.ADMIN_TELECOM_SUBSCRIBER, "Абонент", TelSubscriberState.load),
        (partners_page, routes.ADMIN_TELECOM_PARTNERS, "Партнёры", TelPartnersState.load),
        (partner_page, routes.ADMIN_TELECOM_PARTNER, "Партнёр", TelPartnerState.load),
        (payments_page, routes.ADMIN_TELECOM_PAYMENTS, "Платежи", TelPaymentsState.load),
        (tariffs_page, routes.ADMIN_TELECOM_TARIFFS, "Тарифы", TelTariffsState.load),
        (requests_page, routes.ADMIN_TELECOM_REQUESTS, "Заявки", TelRequestsState.load),
        (blocks_page, routes.ADMIN_TELECOM_BLOCKS, "Блокировка", TelBlocksState.load),
        (admins_page, routes.ADMIN_TELECOM_ADMINS, "Администраторы связи", TelAdminsState.load),
    ]
    for component, route, title, on_load in pages:
        app.add_page(component, route=route, title=title, on_load=on_load)
