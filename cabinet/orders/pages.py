"""Pages: the orders registry and one order."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.documents.state import DownloadState
from cabinet.i18n import code_label, t
from cabinet.orders import rules
from cabinet.orders.state import OrdersState, OrderState, RegistryBase
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

_SORT_OPTIONS = [(s, ru, en) for s, (ru, en) in rules.SORTS.items() if s != "new"]


def order_status_badge(status: Any, **props: Any) -> rx.Component:
    return rx.badge(
        code_label(status, rules.STATUS_LABELS, status),
        color_scheme=rx.match(
            status, *[(c, col) for c, col in rules.STATUS_COLORS.items()], "gray"
        ),
        variant="soft",
        radius="full",
        white_space="nowrap",
        **props,
    )


def pending_badge(**props: Any) -> rx.Component:
    props.setdefault("white_space", "nowrap")
    return rx.badge(
        rx.icon("hourglass", size=12),
        t("запрос на рассмотрении", "request under review"),
        color_scheme="orange",
        variant="surface",
        radius="full",
        **props,
    )


def org_filter(state: Any, prefix: str) -> rx.Component:
    """Organisation select (a customer of several, staff with a few) or INN (staff with all)."""
    return rx.fragment(
        rx.cond(
            state.staff_all,
            text_field(
                "inn",
                state.f_inn,
                ("ИНН организации", "Organisation INN"),
                id=f"{prefix}-inn",
                width="170px",
                max_length=12,
            ),
            rx.cond(
                state.orgs.length() > 1,
                select_field(
                    "org",
                    state.f_org,
                    state.orgs,
                    id=f"{prefix}-org",
                    all_label=("Все организации", "All organisations"),
                    width="220px",
                ),
            ),
        )
    )


def export_buttons(state: Any, prefix: str) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("download", size=16),
            "CSV",
            variant="soft",
            on_click=state.export_csv,
            id=f"{prefix}-export-csv",
        ),
        rx.button(
            rx.icon("sheet", size=16),
            "XLSX",
            variant="soft",
            on_click=state.export_xlsx,
            id=f"{prefix}-export-xlsx",
        ),
        spacing="2",
    )


def _tabs() -> rx.Component:
    s = OrdersState
    items = []
    for code, label in rules.TABS.items():
        items.append(
            rx.link(
                rx.button(
                    t(*label),
                    rx.badge(s.counts.get(code, 0), variant="surface", radius="full", size="1"),
                    variant=rx.cond(s.f_tab == code, "solid", "soft"),
                    size="2",
                ),
                href=routes.with_query(routes.ORDERS, tab=code),
                id=f"orders-tab-{code or 'all'}",
            )
        )
    return rx.flex(*items, spacing="2", wrap="wrap", id="orders-tabs")


def _filters() -> rx.Component:
    s = OrdersState
    return filter_bar(
        search_field("q", s.f_q, ("Поиск по заказам", "Search orders"), id="orders-q"),
        text_field(
            "number",
            s.f_number,
            ("Номер заказа", "Order number"),
            id="orders-number",
            width="150px",
            max_length=40,
        ),
        text_field(
            "route",
            s.f_route,
            ("Маршрут / получатель", "Route / consignee"),
            id="orders-route",
            width="220px",
        ),
        text_field(
            "product",
            s.f_product,
            ("Продукция / груз", "Product / cargo"),
            id="orders-product",
            width="180px",
        ),
        labelled(
            ("Дата заказа с", "Ordered from"),
            text_field(
                "from", s.f_from, ("с", "from"), id="orders-from", type="date", width="150px"
            ),
        ),
        labelled(
            ("по", "to"),
            text_field("to", s.f_to, ("по", "to"), id="orders-to", type="date", width="150px"),
        ),
        labelled(
            ("Сумма от", "Amount from"),
            text_field("min", s.f_min, ("₽", "₽"), id="orders-min", width="120px", max_length=20),
        ),
        labelled(
            ("до", "to"),
            text_field("max", s.f_max, ("₽", "₽"), id="orders-max", width="120px", max_length=20),
        ),
        select_field(
            "sort",
            rx.cond(s.f_sort == "new", "", s.f_sort),
            _SORT_OPTIONS,
            id="orders-sort",
            all_label=("Сначала новые", "Newest first"),
            width="200px",
        ),
        org_filter(s, "orders"),
        on_submit=s.apply_filters,
        reset_href=rx.cond(s.f_tab == "", routes.ORDERS, routes.ORDERS + "?tab=" + s.f_tab),
        key=s.query_key,
        id_prefix="orders",
    )


def _row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.link(
                    r.number,
                    href=r.href,
                    weight="medium",
                    white_space="nowrap",
                    id=f"order-open-{r.id}",
                ),
                # the badge wraps under the number: in one line it made this the widest
                # column and pushed the planned shipment out of a 1280 px screen
                rx.cond(r.pending_request, pending_badge(size="1", white_space="normal")),
                spacing="1",
            ),
            max_width="150px",
        ),
        rx.table.cell(r.created_at, white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                rx.text(r.route, size="2"),
                rx.text(r.consignee, size="1", color_scheme="gray"),
                rx.cond(
                    OrdersState.many_orgs,
                    rx.text(
                        t("Заказчик: ", "Customer: "), r.organisation, size="1", weight="medium"
                    ),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(rx.text(r.product, size="2"), max_width="200px"),
        rx.table.cell(r.amount, white_space="nowrap", text_align="right"),
        rx.table.cell(order_status_badge(r.status)),
        rx.table.cell(r.planned_shipment, white_space="nowrap"),
    )


def _card(r: Any) -> rx.Component:
    return rx.link(
        mobile_card(
            rx.hstack(
                rx.text(r.number, weight="bold", size="2"),
                rx.spacer(),
                order_status_badge(r.status),
                width="100%",
                align="center",
            ),
            rx.cond(r.pending_request, pending_badge(size="1")),
            rx.text(r.route, size="2"),
            rx.text(r.product, size="1", color_scheme="gray"),
            rx.text(r.created_at, " · ", r.amount, size="1", color_scheme="gray"),
        ),
        href=r.href,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        id=f"order-card-{r.id}",
    )


def orders_page() -> rx.Component:
    s = OrdersState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.flex(
                    _tabs(),
                    export_buttons(s, "orders"),
                    justify="between",
                    wrap="wrap",
                    spacing="2",
                    width="100%",
                ),
                _filters(),
                rx.cond(
                    s.loaded,
                    data_table(
                        [
                            ("Номер", "Number"),
                            ("Дата", "Date"),
                            ("Маршрут / грузополучатель", "Route / consignee"),
                            ("Продукция / груз", "Product / cargo"),
                            ("Сумма", "Amount"),
                            ("Статус", "Status"),
                            ("Отгрузка (план)", "Shipment (plan)"),
                        ],
                        s.rows,
                        _row,
                        id="orders-list",
                        empty=("Заказов не найдено.", "No orders found."),
                        mobile_card=_card,
                        min_width="900px",
                    ),
                ),
                pager(
                    prev_href=s.prev_href,
                    next_href=s.next_href,
                    id_prefix="orders",
                    first_href=s.first_href,
                ),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Заказы", "Orders"),
    )


# --------------------------------------------------------------------------- /orders/view


def _line(label: tuple[str, str], value: Any, id: str = "") -> rx.Component:
    return rx.cond(
        value != "",
        rx.flex(
            rx.text(
                t(*label), size="2", color_scheme="gray", width=["136px", "170px"], flex_shrink="0"
            ),
            rx.text(value, size="2", weight="medium", id=id or None, min_width="0", flex="1"),
            spacing="2",
            align="start",
            width="100%",
        ),
    )


def _pair(p: Any) -> rx.Component:
    return rx.flex(
        rx.text(p.label, size="2", color_scheme="gray", width=["136px", "170px"], flex_shrink="0"),
        rx.text(p.value, size="2", weight="medium", min_width="0", flex="1"),
        spacing="2",
        width="100%",
    )


def _card_box(title: tuple[str, str], *children: rx.Component, id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(t(*title), size="3"), *children, spacing="2", width="100%"),
        width="100%",
        id=id,
    )


def _section(title: tuple[str, str], body: rx.Component, id: str) -> rx.Component:
    return rx.vstack(rx.heading(t(*title), size="4"), body, spacing="2", width="100%", id=id)


def _event(e: Any) -> rx.Component:
    return rx.hstack(
        rx.icon(
            rx.cond(e.status != "", "circle-dot", "circle"),
            size=14,
            color=rx.color("accent", 9),
            flex_shrink="0",
            margin_top="3px",
        ),
        rx.vstack(
            rx.text(e.title, size="2", weight="medium"),
            rx.text(
                e.at,
                rx.cond(e.location != "", " · " + e.location, ""),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(e.comment != "", rx.text(e.comment, size="2", white_space="pre-wrap")),
            spacing="0",
            min_width="0",
        ),
        align="start",
        spacing="2",
        width="100%",
    )


def _doc_row(d: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(d.title),
        rx.table.cell(d.number, white_space="nowrap"),
        rx.table.cell(d.date, white_space="nowrap"),
        rx.table.cell(d.extra),
        rx.table.cell(
            rx.button(
                rx.icon("download", size=14),
                "PDF",
                size="1",
                variant="soft",
                on_click=DownloadState.download(d.kind, d.id),
                id="order-doc-" + d.kind + "-" + d.id.to_string(),
            )
        ),
    )


def _request_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.created_at, white_space="nowrap"),
        rx.table.cell(code_label(r.kind, rules.CHANGE_KIND_LABELS, r.kind_label)),
        rx.table.cell(
            rx.vstack(
                rx.cond(r.changes != "", rx.text(r.changes, size="2")),
                rx.cond(r.comment != "", rx.text(r.comment, size="1", color_scheme="gray")),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.badge(
                code_label(r.status, rules.CHANGE_STATUS_LABELS, r.status_label),
                color_scheme=r.status_color,
                radius="full",
            )
        ),
        rx.table.cell(r.answer),
    )


def _request_dialog() -> rx.Component:
    s = OrderState

    def err(key: str) -> rx.Component:
        return rx.cond(s.errors.contains(key), rx.text(s.errors[key], color_scheme="red", size="1"))

    change_fields = rx.vstack(
        *[
            rx.vstack(
                rx.text(t(ru, en), size="2"),
                rx.input(
                    name=name,
                    type="date" if name == "planned_shipment_on" else "text",
                    max_length=n,
                    width="100%",
                    id=f"order-req-{name}",
                ),
                err(name),
                spacing="1",
                width="100%",
            )
            for name, (ru, en, n) in rules.CHANGE_FIELDS.items()
        ],
        spacing="2",
        width="100%",
    )
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    s.dialog == "cancel",
                    t("Отменить заказ", "Cancel the order"),
                    t("Изменить заказ", "Change the order"),
                )
            ),
            rx.dialog.description(
                t(
                    "Запрос уйдёт в учётную систему. Пока его рассматривают, заказ отмечен "
                    "«запрос на рассмотрении».",
                    "The request goes to the ERP; the order shows it as under review.",
                ),
                size="2",
            ),
            rx.form(
                rx.vstack(
                    rx.cond(s.dialog == "change", change_fields),
                    rx.text_area(
                        name="comment",
                        placeholder=rx.cond(
                            s.dialog == "cancel",
                            t("Причина отмены (обязательно)", "Reason (required)"),
                            t("Комментарий", "Comment"),
                        ),
                        rows="3",
                        max_length=rules.MAX_COMMENT,
                        width="100%",
                        id="order-req-comment",
                    ),
                    err("comment"),
                    rx.flex(
                        rx.button(
                            t("Закрыть", "Close"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=s.close_dialog,
                        ),
                        rx.button(
                            t("Отправить запрос", "Send request"),
                            type="submit",
                            color_scheme=rx.cond(s.dialog == "cancel", "red", "blue"),
                            id="order-req-submit",
                        ),
                        spacing="2",
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                    margin_top="12px",
                ),
                on_submit=s.submit_request,
                reset_on_submit=False,
                key=s.form_key,
            ),
            max_width="520px",
        ),
        open=s.dialog != "",
    )


def _view() -> rx.Component:
    o = OrderState.order
    return rx.vstack(
        rx.flex(
            rx.heading(
                t("Заказ № ", "Order No. "), o.number, size="6", as_="h1", id="order-number"
            ),
            order_status_badge(o.status, size="2", id="order-status"),
            rx.cond(o.pending_request, pending_badge(size="2", id="order-pending")),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.flex(
            rx.cond(
                o.can_request,
                rx.hstack(
                    rx.button(
                        rx.icon("pencil", size=16),
                        t("Изменить заказ", "Change order"),
                        variant="soft",
                        on_click=OrderState.open_dialog("change"),
                        id="order-change",
                    ),
                    rx.button(
                        rx.icon("x", size=16),
                        t("Отменить заказ", "Cancel order"),
                        variant="soft",
                        color_scheme="red",
                        on_click=OrderState.open_dialog("cancel"),
                        id="order-cancel",
                    ),
                    spacing="2",
                ),
                rx.cond(
                    o.request_refusal != "",
                    rx.text(
                        o.request_refusal, size="2", color_scheme="gray", id="order-request-refusal"
                    ),
                ),
            ),
            rx.spacer(),
            rx.cond(
                o.synced_at != "",
                rx.text(
                    t("Данные ERP на ", "ERP data as of "),
                    o.synced_at,
                    size="1",
                    color_scheme="gray",
                ),
            ),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="2",
        ),
        rx.grid(
            _card_box(
                ("Маршрут и сроки", "Route and dates"),
                _line(("Отправление", "From"), o.route_from),
                _line(("Назначение", "To"), o.route_to),
                _line(("Грузополучатель", "Consignee"), o.consignee),
                _line(("Дислокация", "Location"), o.location, id="order-location"),
                _line(("Обновлена", "Reported"), o.location_at),
                _line(("Производство (план)", "Production (plan)"), o.planned_production),
                _line(("Отгрузка (план)", "Shipment (plan)"), o.planned_shipment),
                _line(("Доставка (план)", "Delivery (plan)"), o.planned_delivery),
                id="order-route",
            ),
            _card_box(
                ("Стоимость и договор", "Cost and contract"),
                _line(("Стоимость", "Cost"), o.amount, id="order-amount"),
                _line(("Дата заказа", "Ordered"), o.created_at),
                _line(("Организация", "Organisation"), o.organisation),
                rx.cond(
                    o.contract_id > 0,
                    rx.flex(
                        rx.text(
                            t("Договор", "Contract"),
                            size="2",
                            color_scheme="gray",
                            width=["136px", "170px"],
                            flex_shrink="0",
                        ),
                        rx.link(
                            o.contract,
                            href=routes.CONTRACT_VIEW + "?id=" + o.contract_id.to_string(),
                            size="2",
                            weight="medium",
                        ),
                        spacing="2",
                    ),
                ),
                _line(("Продукция / груз", "Product / cargo"), o.product),
                rx.foreach(o.params, _pair),
                id="order-cost",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="3",
            width="100%",
        ),
        _section(
            ("Спецификация", "Specification"),
            data_table(
                [
                    ("№", "No."),
                    ("Продукция", "Product"),
                    ("Марка", "Grade"),
                    ("Размеры", "Size"),
                    ("Количество", "Quantity"),
                    ("Цена", "Price"),
                    ("Сумма", "Amount"),
                ],
                o.lines,
                lambda ln: rx.table.row(
                    rx.table.cell(ln.position),
                    rx.table.cell(
                        rx.vstack(
                            rx.text(ln.product_name, size="2"),
                            rx.text(
                                ln.product_code, " · ", ln.standard, size="1", color_scheme="gray"
                            ),
                            spacing="0",
                        )
                    ),
                    rx.table.cell(ln.grade),
                    rx.table.cell(ln.dimensions, white_space="nowrap"),
                    rx.table.cell(ln.quantity, white_space="nowrap"),
                    rx.table.cell(ln.price, white_space="nowrap"),
                    rx.table.cell(ln.amount, white_space="nowrap"),
                ),
                id="order-lines",
                empty=("Спецификации нет.", "No specification."),
                min_width="760px",
            ),
            id="order-spec",
        ),
        rx.grid(
            _section(
                ("История статусов", "Status timeline"),
                rx.vstack(rx.foreach(o.events, _event), spacing="3", width="100%"),
                id="order-timeline",
            ),
            _section(
                ("Юридические данные", "Legal details"),
                rx.vstack(rx.foreach(o.legal, _pair), spacing="1", width="100%"),
                id="order-legal",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        _section(
            ("Вагоны и транспортные средства", "Wagons and vehicles"),
            data_table(
                [
                    ("Номер", "Number"),
                    ("Тип", "Type"),
                    ("Состояние", "State"),
                    ("Местонахождение", "Location"),
                    ("Вес, т", "Weight, t"),
                ],
                o.vehicles,
                lambda v: rx.table.row(
                    rx.table.cell(v.number),
                    rx.table.cell(v.kind),
                    rx.table.cell(v.status),
                    rx.table.cell(v.location),
                    rx.table.cell(v.weight),
                ),
                id="order-vehicles",
                empty=("Транспорт ещё не назначен.", "No vehicles yet."),
                min_width="620px",
            ),
            id="order-vehicles-section",
        ),
        rx.cond(
            o.services.length() > 0,
            _section(
                ("Дополнительные услуги", "Extra services"),
                data_table(
                    [
                        ("Услуга", "Service"),
                        ("Количество", "Qty"),
                        ("Сумма", "Amount"),
                        ("Состояние", "State"),
                    ],
                    o.services,
                    lambda sv: rx.table.row(
                        rx.table.cell(sv.name),
                        rx.table.cell(sv.quantity),
                        rx.table.cell(sv.amount, white_space="nowrap"),
                        rx.table.cell(sv.status),
                    ),
                    id="order-services",
                    min_width="520px",
                ),
                id="order-services-section",
            ),
        ),
        _section(
            ("Документы", "Documents"),
            data_table(
                [
                    ("Документ", "Document"),
                    ("Номер", "Number"),
                    ("Дата", "Date"),
                    ("Сведения", "Details"),
                    ("", ""),
                ],
                o.documents,
                _doc_row,
                id="order-docs",
                empty=("Документов пока нет.", "No documents yet."),
                min_width="640px",
            ),
            id="order-docs-section",
        ),
        rx.cond(
            o.requests.length() > 0,
            _section(
                ("Запросы на изменение и отмену", "Change and cancel requests"),
                data_table(
                    [
                        ("Когда", "When"),
                        ("Запрос", "Request"),
                        ("Суть", "Details"),
                        ("Состояние", "State"),
                        ("Ответ", "Answer"),
                    ],
                    o.requests,
                    _request_row,
                    id="order-requests",
                    min_width="700px",
                ),
                id="order-requests-section",
            ),
        ),
        _request_dialog(),
        spacing="4",
        width="100%",
    )


def order_page() -> rx.Component:
    s = OrderState
    return shell(
        back_link(routes.ORDERS, ("К списку заказов", "Back to orders")),
        rx.cond(
            s.loaded,
            rx.cond(
                s.missing,
                not_found(("Заказ не найден.", "Order not found."), id="order-missing"),
                _view(),
            ),
            rx.center(rx.spinner(), width="100%", padding="40px"),
        ),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(orders_page, route=routes.ORDERS, title="Заказы", on_load=OrdersState.load)
    app.add_page(order_page, route=routes.ORDER_VIEW, title="Заказ", on_load=OrderState.load)


__all__ = ["RegistryBase", "add_pages", "export_buttons", "order_status_badge", "org_filter"]
