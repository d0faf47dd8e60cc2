"""The organiser's cabinet: /admin/auctions, /admin/auctions/edit, /admin/auctions/view.

Without Perm.AUCTIONS_ORGANISE each page shows "no access" and loads nothing; buttons follow
the auction's status for convenience only — the services re-check everything.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.auctions import lots_import, rules
from cabinet.auctions.organiser_state import (
    STATUS_OPTIONS,
    OrganiserAuctionState,
    OrganiserEditState,
    OrganiserListState,
)
from cabinet.i18n import t
from components.data_table import (
    back_link,
    data_table,
    filter_bar,
    mobile_card,
    no_access,
    not_found,
    pager,
    search_field,
    select_field,
    status_badge,
)
from components.shell import shell
from models.auctions import StepKind


def _gated(state: Any, *content: rx.Component) -> rx.Component:
    return rx.cond(
        state.loaded,
        rx.cond(state.allowed, rx.vstack(*content, spacing="4", width="100%"), no_access()),
        rx.center(rx.spinner(size="3"), width="100%", padding="40px"),
    )


def _error(errors: Any, key: str) -> rx.Component:
    return rx.cond(
        errors.contains(key),
        rx.text(errors[key], color_scheme="red", size="1", id=f"auc-err-{key}"),
    )


def _field(label: tuple[str, str], control: rx.Component, errors: Any, key: str) -> rx.Component:
    return rx.vstack(
        rx.text(t(*label), size="2", weight="medium", as_="label", html_for=f"auc-{key}"),
        control,
        _error(errors, key),
        spacing="1",
        width="100%",
        min_width="0",
    )


def _kv(label: tuple[str, str], value: Any, id: str | None = None) -> rx.Component:
    return rx.vstack(
        rx.text(t(*label), size="1", color_scheme="gray"),
        rx.text(value, size="2", id=id, word_break="break-word"),
        spacing="0",
        min_width="0",
    )


# --------------------------------------------------------------------------- list


def _row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                r["title"],
                href=routes.ADMIN_AUCTION + "?id=" + r["id"],
                weight="medium",
                id="auc-link-" + r["id"],
            )
        ),
        rx.table.cell(status_badge(r["status_label"], r["color"])),
        rx.table.cell(r["form"]),
        rx.table.cell(r["starts"], white_space="nowrap"),
        rx.table.cell(r["ends"], white_space="nowrap"),
        rx.table.cell(r["lots"], text_align="right"),
        rx.table.cell(r["bids"], text_align="right"),
    )


def _card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link(r["title"], href=routes.ADMIN_AUCTION + "?id=" + r["id"], weight="medium"),
            rx.spacer(),
            status_badge(r["status_label"], r["color"]),
            width="100%",
            align="start",
        ),
        rx.text(r["starts"], " — ", r["ends"], size="1", color_scheme="gray"),
        rx.text(
            r["form"],
            " · ",
            t("лотов: ", "lots: "),
            r["lots"],
            " · ",
            t("ставок: ", "bids: "),
            r["bids"],
            size="1",
        ),
    )


def list_page() -> rx.Component:
    s = OrganiserListState
    return shell(
        _gated(
            s,
            rx.flex(
                rx.text(
                    t(
                        "Все аукционы: черновики, объявленные, идущие, завершённые и отменённые.",
                        "Every auction: drafts, announced, running, finished and cancelled.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.spacer(),
                rx.link(
                    rx.button(rx.icon("plus", size=16), t("Новый аукцион", "New auction")),
                    href=routes.ADMIN_AUCTION_EDIT,
                    id="auc-new",
                ),
                wrap="wrap",
                gap="2",
                align="center",
                width="100%",
            ),
            filter_bar(
                search_field("q", s.f_q, ("Название", "Title"), id="auc-f-q"),
                select_field(
                    "status",
                    s.f_status,
                    STATUS_OPTIONS,
                    id="auc-f-status",
                    all_label=("Все статусы", "All statuses"),
                ),
                on_submit=s.apply_filters,
                reset_href=routes.ADMIN_AUCTIONS,
                key=s.query_key,
                id_prefix="auc-f",
            ),
            data_table(
                [
                    ("Аукцион", "Auction"),
                    ("Статус", "Status"),
                    ("Форма", "Form"),
                    ("Начало", "Starts"),
                    ("Окончание", "Ends"),
                    ("Лотов", "Lots"),
                    ("Ставок", "Bids"),
                ],
                s.rows,
                _row,
                id="auc-table",
                empty=("Аукционов пока нет.", "No auctions yet."),
                mobile_card=_card,
            ),
            pager(prev_href=s.prev_href, next_href=s.next_href, id_prefix="auc-pager"),
        ),
        title=t("Аукционы: организатор", "Auctions: organiser"),
    )


# --------------------------------------------------------------------------- edit


def _select(name: str, options: list[tuple[str, str, str]], value: Any) -> rx.Component:
    s = OrganiserEditState
    return rx.select.root(
        rx.select.trigger(id=f"auc-{name}", width="100%"),
        rx.select.content(*[rx.select.item(t(ru, en), value=v) for v, ru, en in options]),
        value=value,
        on_change=lambda v: s.set_choice(name, v),
        name=name,
    )


def edit_page() -> rx.Component:
    s = OrganiserEditState
    v = s.values
    e = s.errors
    grid = {"columns": rx.breakpoints(initial="1", sm="2"), "spacing": "3", "width": "100%"}
    form = rx.form(
        rx.vstack(
            _field(
                ("Название", "Title"),
                rx.input(
                    name="title",
                    default_value=v["title"],
                    id="auc-title",
                    width="100%",
                    max_length=300,
                ),
                e,
                "title",
            ),
            _field(
                ("Описание", "Description"),
                rx.text_area(
                    name="description",
                    default_value=v["description"],
                    id="auc-description",
                    width="100%",
                    rows="3",
                    max_length=10000,
                ),
                e,
                "description",
            ),
            rx.grid(
                _field(
                    ("Начало (мск)", "Starts (Moscow)"),
                    rx.input(
                        type="datetime-local",
                        name="starts_at",
                        default_value=v["starts_at"],
                        id="auc-starts_at",
                        width="100%",
                    ),
                    e,
                    "starts_at",
                ),
                _field(
                    ("Окончание (мск)", "Ends (Moscow)"),
                    rx.input(
                        type="datetime-local",
                        name="ends_at",
                        default_value=v["ends_at"],
                        id="auc-ends_at",
                        width="100%",
                    ),
                    e,
                    "ends_at",
                ),
                _field(
                    ("Форма торгов", "Form"),
                    _select(
                        "form",
                        [(str(k), ru, en) for k, (ru, en) in rules.FORM_LABELS.items()],
                        v["form"],
                    ),
                    e,
                    "form",
                ),
                _field(
                    ("Шаг ставки", "Bid step"),
                    rx.hstack(
                        rx.input(
                            name="step_value",
                            default_value=v["step_value"],
                            id="auc-step_value",
                            input_mode="decimal",
                            max_length=20,
                            flex="1",
                        ),
                        rx.box(
                            _select(
                                "step_kind",
                                [
                                    (StepKind.AMOUNT, "сумма", "amount"),
                                    (StepKind.PERCENT, "% от цены", "% of price"),
                                ],
                                v["step_kind"],
                            ),
                            width="140px",
                        ),
                        width="100%",
                        spacing="2",
                    ),
                    e,
                    "step_value",
                ),
                _field(
                    ("Продление: окно, мин", "Soft close window, min"),
                    rx.input(
                        name="soft_close_minutes",
                        default_value=v["soft_close_minutes"],
                        id="auc-soft_close_minutes",
                        width="100%",
                        input_mode="numeric",
                        max_length=2,
                    ),
                    e,
                    "soft_close_minutes",
                ),
                _field(
                    ("Продление: на сколько, мин", "Extension, min"),
                    rx.input(
                        name="extension_minutes",
                        default_value=v["extension_minutes"],
                        id="auc-extension_minutes",
                        width="100%",
                        input_mode="numeric",
                        max_length=2,
                    ),
                    e,
                    "extension_minutes",
                ),
                **grid,
            ),
            rx.text(
                t(
                    "Ставка за N минут до конца переносит окончание торгов по лоту на M минут "
                    "после неё. 0 — без продления. Изменение расписания объявленного аукциона "
                    "разошлёт уведомления участникам.",
                    "A bid in the last N minutes moves the lot's end to M minutes after it. "
                    "0 turns it off. Rescheduling an announced auction notifies participants.",
                ),
                size="1",
                color_scheme="gray",
            ),
            rx.hstack(
                rx.button(t("Сохранить", "Save"), type="submit", id="auc-save"),
                rx.link(
                    rx.button(
                        t("Отмена", "Cancel"), variant="soft", color_scheme="gray", type="button"
                    ),
                    href=rx.cond(
                        s.auction_id > 0,
                        routes.ADMIN_AUCTION + "?id=" + s.auction_id.to_string(),
                        routes.ADMIN_AUCTIONS,
                    ),
                ),
                spacing="2",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.save,
        reset_on_submit=False,
        key=s.form_key.to_string(),
        width="100%",
        id="auc-edit-form",
    )
    return shell(
        _gated(
            s,
            back_link(routes.ADMIN_AUCTIONS, ("Все аукционы", "All auctions")),
            rx.cond(
                s.missing,
                not_found(("Аукцион не найден.", "Auction not found."), id="auc-missing"),
                rx.cond(
                    s.editable,
                    rx.card(form, width="100%", max_width="860px"),
                    rx.callout(
                        t(
                            "Аукцион уже идёт или завершён — изменять его нельзя.",
                            "The auction is running or over and cannot be changed.",
                        ),
                        icon="lock",
                        width="100%",
                        id="auc-locked",
                    ),
                ),
            ),
        ),
        title=rx.cond(
            s.auction_id > 0,
            t("Изменить аукцион", "Edit auction"),
            t("Новый аукцион", "New auction"),
        ),
    )


# --------------------------------------------------------------------------- one auction


def _header() -> rx.Component:
    s = OrganiserAuctionState
    i = s.info
    return rx.card(
        rx.vstack(
            rx.flex(
                rx.hstack(
                    status_badge(i["status_label"], i["color"]),
                    rx.text(i["form"], " ", t("форма", "form"), size="2", color_scheme="gray"),
                    align="center",
                    spacing="2",
                ),
                rx.spacer(),
                rx.hstack(
                    rx.cond(
                        i["editable"] == "1",
                        rx.link(
                            rx.button(
                                rx.icon("pencil", size=14), t("Изменить", "Edit"), variant="soft"
                            ),
                            href=routes.ADMIN_AUCTION_EDIT + "?id=" + i["id"],
                            id="auc-edit",
                        ),
                    ),
                    rx.cond(
                        i["announceable"] == "1",
                        rx.button(
                            rx.icon("megaphone", size=14),
                            t("Объявить", "Announce"),
                            on_click=s.announce,
                            id="auc-announce",
                        ),
                    ),
                    rx.cond(
                        i["cancellable"] == "1",
                        rx.button(
                            t("Отменить аукцион", "Cancel auction"),
                            color_scheme="red",
                            variant="soft",
                            on_click=s.set_cancel_open(True),
                            id="auc-cancel",
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                wrap="wrap",
                gap="2",
                width="100%",
                align="center",
            ),
            rx.cond(
                i["description"] != "",
                rx.text(i["description"], size="2", white_space="pre-wrap"),
            ),
            rx.grid(
                _kv(("Начало", "Starts"), i["starts"], "auc-starts"),
                _kv(("Окончание", "Ends"), i["ends"], "auc-ends"),
                _kv(("Шаг ставки", "Bid step"), i["step"]),
                _kv(("Продление", "Soft close"), i["soft"]),
                columns=rx.breakpoints(initial="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.cond(
                i["cancel_reason"] != "",
                rx.callout(
                    t("Причина отмены: ", "Cancelled: ") + i["cancel_reason"],
                    icon="ban",
                    color_scheme="red",
                    size="1",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _lot_row(r: Any) -> rx.Component:
    s = OrganiserAuctionState
    return rx.table.row(
        rx.table.cell(r["number"]),
        rx.table.cell(
            rx.text(r["product"], weight="medium"),
            rx.text(r["terms"], size="1", color_scheme="gray"),
        ),
        rx.table.cell(r["quantity"], white_space="nowrap"),
        rx.table.cell(r["start_price"], white_space="nowrap", text_align="right"),
        rx.table.cell(r["best"], white_space="nowrap", text_align="right"),
        rx.table.cell(r["bids"], text_align="right"),
        rx.table.cell(
            r["end"],
            rx.cond(
                r["extended"] == "1",
                rx.badge(t("продлён", "extended"), color_scheme="orange", ml="1"),
            ),
            rx.cond(
                r["closed"] == "1", rx.badge(t("закрыт", "closed"), color_scheme="gray", ml="1")
            ),
            white_space="nowrap",
        ),
        rx.table.cell(rx.cond(s.info["editable"] == "1", _lot_buttons(r, with_ids=True))),
    )


def _lot_buttons(r: Any, *, with_ids: bool = False) -> rx.Component:
    s = OrganiserAuctionState
    return rx.hstack(
        rx.icon_button(
            rx.icon("pencil", size=14),
            variant="ghost",
            on_click=s.open_edit_lot(r["id"]),
            aria_label="Изменить лот",
            id=("auc-lot-edit-" + r["id"]) if with_ids else None,
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            variant="ghost",
            color_scheme="red",
            on_click=s.delete_lot(r["id"]),
            aria_label="Удалить лот",
            id=("auc-lot-delete-" + r["id"]) if with_ids else None,
        ),
        spacing="3",
    )


def _lot_card(r: Any) -> rx.Component:
    s = OrganiserAuctionState
    return mobile_card(
        rx.hstack(
            rx.text("№ ", r["number"], " ", r["product"], weight="medium", size="2"),
            rx.spacer(),
            rx.cond(s.info["editable"] == "1", _lot_buttons(r)),
            width="100%",
            align="start",
        ),
        rx.text(r["quantity"], " · ", r["terms"], size="1", color_scheme="gray"),
        rx.text(
            t("Старт: ", "Start: "),
            r["start_price"],
            " · ",
            t("лучшая: ", "best: "),
            r["best"],
            size="1",
        ),
        rx.text(t("До ", "Until "), r["end"], size="1", color_scheme="gray"),
    )


def _add_lot_form() -> rx.Component:
    s = OrganiserAuctionState
    e = s.lot_errors
    return rx.form(
        rx.vstack(
            rx.heading(t("Добавить лот", "Add a lot"), size="3", as_="h3"),
            rx.grid(
                _field(
                    ("Продукция", "Product"),
                    rx.input(name="product", id="auc-product", width="100%", max_length=300),
                    e,
                    "product",
                ),
                _field(
                    ("Количество", "Quantity"),
                    rx.hstack(
                        rx.input(
                            name="quantity",
                            id="auc-quantity",
                            input_mode="decimal",
                            max_length=20,
                            flex="1",
                        ),
                        rx.input(
                            name="unit",
                            id="auc-unit",
                            default_value="т",
                            max_length=20,
                            width="70px",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    e,
                    "quantity",
                ),
                _field(
                    ("Стартовая цена", "Start price"),
                    rx.hstack(
                        rx.input(
                            name="start_price",
                            id="auc-start_price",
                            input_mode="decimal",
                            max_length=25,
                            flex="1",
                        ),
                        rx.el.select(
                            *[rx.el.option(c, value=c) for c in rules.CURRENCIES],
                            name="currency",
                            id="auc-currency",
                            style={
                                "height": "var(--space-6)",
                                "border": "1px solid var(--gray-7)",
                                "border_radius": "var(--radius-2)",
                                "padding": "0 6px",
                                "background": "var(--color-surface)",
                            },
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    e,
                    "start_price",
                ),
                _field(
                    ("Условия поставки", "Delivery terms"),
                    rx.input(
                        name="delivery_terms", id="auc-delivery_terms", width="100%", max_length=500
                    ),
                    e,
                    "delivery_terms",
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _error(e, "currency"),
            _error(e, "unit"),
            rx.button(
                rx.icon("plus", size=14), t("Добавить", "Add"), type="submit", id="auc-lot-add"
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.add_lot,
        reset_on_submit=False,
        key=s.lot_form_key.to_string(),
        width="100%",
    )


_ACCEPT = {
    "text/csv": [".csv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}


def _import_block() -> rx.Component:
    s = OrganiserAuctionState
    chosen = rx.selected_files("auc-import")
    return rx.vstack(
        rx.heading(t("Загрузить лоты из файла", "Load lots from a file"), size="3", as_="h3"),
        rx.text(
            t(
                "CSV (UTF-8 или Windows-1251, разделитель «;» или «,») или XLSX. Первая строка — "
                "заголовки: ",
                "CSV (UTF-8 or Windows-1251, “;” or “,”) or XLSX. The first row holds the headers: ",
            ),
            rx.code("; ".join(lots_import.LABELS.values())),
            ". ",
            t(
                "Сначала — проверка, запись — после подтверждения.",
                "Checked first, written after you confirm.",
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.flex(
            rx.upload(
                rx.hstack(
                    rx.icon("file-spreadsheet", size=18, color=rx.color("gray", 10)),
                    rx.text(
                        rx.cond(
                            chosen.length() > 0,
                            chosen[0],
                            t(
                                "Выберите или перетащите файл (до 2 МБ)",
                                "Choose or drop a file (up to 2 MB)",
                            ),
                        ),
                        size="2",
                    ),
                    align="center",
                ),
                id="auc-import",
                accept=_ACCEPT,
                max_size=lots_import.MAX_BYTES,
                multiple=False,
                max_files=1,
                border="1px dashed var(--gray-7)",
                border_radius="var(--radius-3)",
                padding="10px 14px",
                cursor="pointer",
                flex="1",
                min_width="0",
                on_drop_rejected=lambda _f: rx.toast.error("Нужен файл CSV или XLSX до 2 МБ."),
            ),
            rx.button(
                rx.icon("scan-search", size=14),
                t("Проверить", "Check"),
                on_click=s.upload_lots(rx.upload_files(upload_id="auc-import")),
                id="auc-import-check",
                variant="soft",
            ),
            gap="2",
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            s.preview_name != "",
            rx.vstack(
                rx.text(
                    s.preview_name,
                    ": ",
                    t("строк ", "rows "),
                    s.preview_total,
                    ", ",
                    t("ошибок ", "errors "),
                    s.preview_errors.length(),
                    size="2",
                    weight="medium",
                    id="auc-preview-summary",
                ),
                rx.cond(
                    s.preview_errors.length() > 0,
                    data_table(
                        [("Строка", "Row"), ("Столбец", "Column"), ("Ошибка", "Error")],
                        s.preview_errors,
                        lambda r: rx.table.row(
                            rx.table.cell(r["row"]),
                            rx.table.cell(r["column"]),
                            rx.table.cell(r["message"]),
                        ),
                        id="auc-preview-errors",
                        min_width="480px",
                    ),
                    data_table(
                        [
                            ("Продукция", "Product"),
                            ("Количество", "Quantity"),
                            ("Старт", "Start"),
                            ("Поставка", "Delivery"),
                        ],
                        s.preview_rows,
                        lambda r: rx.table.row(
                            rx.table.cell(r["product"]),
                            rx.table.cell(r["quantity"], white_space="nowrap"),
                            rx.table.cell(r["price"], white_space="nowrap"),
                            rx.table.cell(r["terms"]),
                        ),
                        id="auc-preview-rows",
                        min_width="560px",
                    ),
                ),
                rx.hstack(
                    rx.button(
                        t("Записать лоты", "Write the lots"),
                        on_click=s.confirm_import,
                        disabled=(s.preview_errors.length() > 0) | (s.preview_total == 0),
                        id="auc-import-confirm",
                    ),
                    rx.button(
                        t("Отменить", "Discard"),
                        variant="soft",
                        color_scheme="gray",
                        on_click=s.discard_import,
                    ),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _lots_tab() -> rx.Component:
    s = OrganiserAuctionState
    return rx.vstack(
        data_table(
            [
                "№",
                ("Продукция", "Product"),
                ("Количество", "Quantity"),
                ("Старт", "Start"),
                ("Лучшая ставка", "Best bid"),
                ("Ставок", "Bids"),
                ("Окончание", "Ends"),
                "",
            ],
            s.lots,
            _lot_row,
            id="auc-lots",
            empty=("Лотов пока нет.", "No lots yet."),
            mobile_card=_lot_card,
            min_width="860px",
        ),
        rx.cond(
            s.info["editable"] == "1",
            rx.card(
                rx.vstack(
                    _add_lot_form(),
                    rx.separator(size="4"),
                    _import_block(),
                    spacing="4",
                    width="100%",
                ),
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _results_tab() -> rx.Component:
    s = OrganiserAuctionState
    return data_table(
        [
            ("Лот", "Lot"),
            ("Продукция", "Product"),
            ("Победитель", "Winner"),
            ("Псевдоним", "Pseudonym"),
            ("Как выигран", "Won by"),
            ("Цена", "Price"),
            ("Решено", "Decided"),
        ],
        s.results,
        lambda r: rx.table.row(
            rx.table.cell(r["lot"], white_space="nowrap"),
            rx.table.cell(r["product"]),
            rx.table.cell(rx.text(r["winner"], weight="medium")),
            rx.table.cell(r["participant"], white_space="nowrap"),
            rx.table.cell(r["kind"]),
            rx.table.cell(r["price"], white_space="nowrap", text_align="right"),
            rx.table.cell(r["decided"], white_space="nowrap"),
        ),
        id="auc-results",
        empty=(
            "Итогов пока нет: лоты закрываются в конце торгов.",
            "No results yet: lots close at the end.",
        ),
        mobile_card=lambda r: mobile_card(
            rx.text(r["lot"], " ", r["product"], weight="medium", size="2"),
            rx.text(
                r["winner"],
                rx.cond(r["participant"] != "", " (" + r["participant"] + ")", ""),
                size="2",
            ),
            rx.text(r["price"], " · ", r["kind"], size="1", color_scheme="gray"),
        ),
    )


def _ledger_row(r: Any) -> rx.Component:
    s = OrganiserAuctionState
    return rx.table.row(
        rx.table.cell(r["lot"], white_space="nowrap"),
        rx.table.cell(r["seq"]),
        rx.table.cell(r["at"], white_space="nowrap"),
        rx.table.cell(
            rx.cond(
                r["offer"] == "1", rx.badge(r["kind"], color_scheme="violet"), rx.text(r["kind"])
            )
        ),
        rx.table.cell(r["amount"], white_space="nowrap", text_align="right"),
        rx.table.cell(
            rx.text(r["organisation"], weight="medium"),
            rx.text(r["participant"], " · ", r["user"], size="1", color_scheme="gray"),
        ),
        rx.table.cell(
            status_badge(r["state"], r["state_color"]),
            rx.cond(r["reason"] != "", rx.text(r["reason"], size="1", color_scheme="gray")),
        ),
        rx.table.cell(
            rx.cond(
                r["can_annul"] == "1",
                rx.button(
                    t("Аннулировать", "Annul"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=s.open_annul(r["id"]),
                    id="auc-annul-" + r["id"],
                ),
            )
        ),
    )


def _ledger_card(r: Any) -> rx.Component:
    s = OrganiserAuctionState
    return mobile_card(
        rx.hstack(
            rx.text(r["lot"], " #", r["seq"], " · ", r["amount"], weight="medium", size="2"),
            rx.spacer(),
            status_badge(r["state"], r["state_color"]),
            width="100%",
        ),
        rx.text(r["organisation"], " (", r["participant"], ")", size="2"),
        rx.text(r["kind"], " · ", r["at"], " · ", r["user"], size="1", color_scheme="gray"),
        rx.cond(r["reason"] != "", rx.text(r["reason"], size="1", color_scheme="gray")),
        rx.cond(
            r["can_annul"] == "1",
            rx.button(
                t("Аннулировать", "Annul"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=s.open_annul(r["id"]),
            ),
        ),
    )


def _ledger_tab() -> rx.Component:
    s = OrganiserAuctionState
    return rx.vstack(
        rx.text(
            t(
                "Полный журнал ставок и ценовых предложений: участники видят только псевдонимы "
                "и открытые ставки. Аннулированная ставка остаётся в журнале с причиной.",
                "The full ledger of bids and price offers: participants see only pseudonyms and "
                "open bids. An annulled bid stays in the ledger with its reason.",
            ),
            size="1",
            color_scheme="gray",
        ),
        rx.select.root(
            rx.select.trigger(
                id="auc-ledger-lot", width=["100%", "100%", "320px"], aria_label="Лот"
            ),
            rx.select.content(
                rx.select.item(t("Все лоты", "All lots"), value="all"),
                rx.foreach(s.lot_options, lambda o: rx.select.item(o["label"], value=o["value"])),
            ),
            value=rx.cond(s.ledger_lot == "", "all", s.ledger_lot),
            on_change=s.set_ledger_lot,
        ),
        data_table(
            [
                ("Лот", "Lot"),
                "#",
                ("Время", "Time"),
                ("Вид", "Kind"),
                ("Сумма", "Amount"),
                ("Участник", "Participant"),
                ("Состояние", "State"),
                "",
            ],
            s.ledger,
            _ledger_row,
            id="auc-ledger",
            empty=("Ставок пока нет.", "No bids yet."),
            mobile_card=_ledger_card,
            min_width="900px",
        ),
        rx.cond(
            s.ledger_more,
            rx.button(
                t("Показать ещё", "Show more"),
                variant="soft",
                on_click=s.ledger_next,
                id="auc-ledger-more",
            ),
        ),
        spacing="2",
        width="100%",
    )


def _edit_lot_dialog() -> rx.Component:
    s = OrganiserAuctionState
    v = s.edit_lot
    e = s.edit_errors
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("Лот № ", "Lot no. "), v["number"]),
            rx.form(
                rx.vstack(
                    _field(
                        ("Продукция", "Product"),
                        rx.input(
                            name="product",
                            default_value=v["raw_product"],
                            id="auc-edit-product",
                            max_length=300,
                            width="100%",
                        ),
                        e,
                        "product",
                    ),
                    rx.grid(
                        _field(
                            ("Количество", "Quantity"),
                            rx.input(
                                name="quantity",
                                default_value=v["raw_quantity"],
                                id="auc-edit-quantity",
                                max_length=20,
                                width="100%",
                            ),
                            e,
                            "quantity",
                        ),
                        _field(
                            ("Ед. изм.", "Unit"),
                            rx.input(
                                name="unit",
                                default_value=v["raw_unit"],
                                max_length=20,
                                width="100%",
                            ),
                            e,
                            "unit",
                        ),
                        _field(
                            ("Стартовая цена", "Start price"),
                            rx.input(
                                name="start_price",
                                default_value=v["raw_price"],
                                id="auc-edit-price",
                                max_length=25,
                                width="100%",
                            ),
                            e,
                            "start_price",
                        ),
                        _field(
                            ("Валюта", "Currency"),
                            rx.input(
                                name="currency",
                                default_value=v["raw_currency"],
                                max_length=3,
                                width="100%",
                            ),
                            e,
                            "currency",
                        ),
                        columns="2",
                        spacing="3",
                        width="100%",
                    ),
                    _field(
                        ("Условия поставки", "Delivery terms"),
                        rx.input(
                            name="delivery_terms",
                            default_value=v["raw_terms"],
                            max_length=500,
                            width="100%",
                        ),
                        e,
                        "delivery_terms",
                    ),
                    rx.hstack(
                        rx.dialog.close(
                            rx.button(
                                t("Закрыть", "Close"),
                                variant="soft",
                                color_scheme="gray",
                                type="button",
                            )
                        ),
                        rx.button(t("Сохранить", "Save"), type="submit", id="auc-edit-save"),
                        justify="end",
                        spacing="2",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=s.save_lot,
                reset_on_submit=False,
                key=v["id"],
            ),
            max_width="520px",
        ),
        open=s.edit_open,
        on_open_change=s.set_edit_open,
    )


def _dialogs() -> rx.Component:
    s = OrganiserAuctionState
    reason_form = lambda on_submit, button, id: rx.form(  # noqa: E731
        rx.vstack(
            rx.text_area(name="reason", id=f"{id}-reason", rows="3", max_length=500, width="100%"),
            rx.cond(s.dialog_error != "", rx.text(s.dialog_error, color_scheme="red", size="1")),
            rx.hstack(
                rx.dialog.close(
                    rx.button(
                        t("Закрыть", "Close"), variant="soft", color_scheme="gray", type="button"
                    )
                ),
                rx.button(button, color_scheme="red", type="submit", id=f"{id}-confirm"),
                justify="end",
                spacing="2",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        reset_on_submit=True,
    )
    return rx.fragment(
        _edit_lot_dialog(),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("Отменить аукцион", "Cancel the auction")),
                rx.dialog.description(
                    t(
                        "Ставки прекратятся сразу, участники получат уведомление. Укажите причину:",
                        "Bidding stops at once and participants are notified. Give the reason:",
                    ),
                    size="2",
                    margin_bottom="8px",
                ),
                reason_form(s.cancel, t("Отменить аукцион", "Cancel auction"), "auc-cancel"),
                max_width="480px",
            ),
            open=s.cancel_open,
            on_open_change=s.set_cancel_open,
        ),
        rx.dialog.root(
            rx.dialog.content(
                rx.dialog.title(t("Аннулировать ставку", "Annul the bid")),
                rx.dialog.description(
                    s.annul_bid["lot"],
                    ", ",
                    s.annul_bid["kind"],
                    " ",
                    s.annul_bid["amount"],
                    ", ",
                    s.annul_bid["organisation"],
                    ". ",
                    t(
                        "Ставка останется в журнале; лучшая цена лота будет пересчитана. Причина:",
                        "The bid stays in the ledger; the lot's best price is recomputed. Reason:",
                    ),
                    size="2",
                    margin_bottom="8px",
                ),
                reason_form(s.annul, t("Аннулировать", "Annul"), "auc-annul"),
                max_width="480px",
            ),
            open=s.annul_open,
            on_open_change=s.set_annul_open,
        ),
    )


def auction_page() -> rx.Component:
    s = OrganiserAuctionState
    return shell(
        _gated(
            s,
            back_link(routes.ADMIN_AUCTIONS, ("Все аукционы", "All auctions")),
            rx.cond(
                s.missing,
                not_found(("Аукцион не найден.", "Auction not found."), id="auc-missing"),
                rx.vstack(
                    _header(),
                    rx.tabs.root(
                        rx.tabs.list(
                            rx.tabs.trigger(
                                t("Лоты", "Lots"),
                                " (",
                                s.lots.length(),
                                ")",
                                value="lots",
                                id="auc-tab-lots",
                            ),
                            rx.tabs.trigger(
                                t("Итоги", "Results"), value="results", id="auc-tab-results"
                            ),
                            rx.tabs.trigger(
                                t("Журнал ставок", "Ledger"),
                                " (",
                                s.ledger_total,
                                ")",
                                value="ledger",
                                id="auc-tab-ledger",
                            ),
                        ),
                        rx.tabs.content(_lots_tab(), value="lots", padding_top="12px"),
                        rx.tabs.content(_results_tab(), value="results", padding_top="12px"),
                        rx.tabs.content(_ledger_tab(), value="ledger", padding_top="12px"),
                        default_value="lots",
                        width="100%",
                    ),
                    _dialogs(),
                    spacing="4",
                    width="100%",
                ),
            ),
        ),
        title=rx.cond(s.info["title"], s.info["title"], t("Аукцион", "Auction")),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        list_page, route=routes.ADMIN_AUCTIONS, title="Аукционы", on_load=OrganiserListState.load
    )
    app.add_page(
        edit_page,
        route=routes.ADMIN_AUCTION_EDIT,
        title="Аукцион: изменение",
        on_load=OrganiserEditState.load,
    )
    app.add_page(
        auction_page,
        route=routes.ADMIN_AUCTION,
        title="Аукцион",
        on_load=OrganiserAuctionState.load,
    )
