"""Pages: the finance overview, the invoices registry, a contract card."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.documents.state import DownloadState
from cabinet.finance import queries
from cabinet.finance import rules as fin
from cabinet.finance.state import ContractState, FinanceState, InvoicesState
from cabinet.i18n import LangState, code_label, t
from cabinet.orders.pages import export_buttons, org_filter
from components.data_table import (
    back_link,
    data_table,
    filter_bar,
    labelled,
    mobile_card,
    no_access,
    not_found,
    pager,
    select_field,
    text_field,
)
from components.shell import shell

_SORT_OPTIONS = [(s, ru, en) for s, (ru, en) in queries.INVOICE_SORTS.items() if s != "new"]


def _kpi(
    label: tuple[str, str],
    value: Any,
    tid: str,
    color: Any = None,
    note: Any = None,
    size: str = "5",
) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t(*label), size="1", color_scheme="gray"),
            rx.text(value, size=size, weight="bold", color=color),
            *([note] if note is not None else []),
            spacing="1",
        ),
        size="2",
        width="100%",
        id=tid,
    )


def invoice_badge(r: Any) -> rx.Component:
    return rx.badge(
        code_label(r.status, fin.INVOICE_STATUS_LABELS, r.status_label),
        color_scheme=r.status_color,
        variant="soft",
        radius="full",
        white_space="nowrap",
    )


def _section(
    title: tuple[str, str], body: rx.Component, id: str, extra: Any = None
) -> rx.Component:
    head = rx.flex(
        rx.heading(t(*title), size="4"),
        rx.spacer(),
        *([extra] if extra is not None else []),
        width="100%",
        align="center",
    )
    return rx.vstack(head, body, spacing="2", width="100%", id=id)


def _contract_row(c: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.link(
                    "№ ",
                    c.number,
                    href=c.href,
                    weight="medium",
                    id="contract-open-" + c.id.to_string(),
                ),
                rx.text(c.title, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(
            rx.badge(
                code_label(c.status, fin.CONTRACT_STATUS_LABELS, c.status_label),
                color_scheme=c.status_color,
                radius="full",
            )
        ),
        rx.table.cell(c.valid, white_space="nowrap"),
        rx.table.cell(c.balance, white_space="nowrap"),
        rx.table.cell(
            rx.text(c.month_debt, weight="bold", color=rx.color("orange", 11)), white_space="nowrap"
        ),
    )


def _schedule_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.due_on, white_space="nowrap"),
        rx.table.cell(r.amount, white_space="nowrap"),
        rx.table.cell(
            rx.badge(
                code_label(r.status, fin.SCHEDULE_LABELS, r.status_label),
                color_scheme=rx.cond(r.overdue, "red", "blue"),
                radius="full",
            )
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.note, size="2"),
                rx.text(r.contract, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
    )


def _operation_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.date, white_space="nowrap"),
        rx.table.cell(code_label(r.kind, fin.OPERATION_LABELS, r.kind_label)),
        rx.table.cell(
            rx.text(
                r.amount, color=rx.cond(r.incoming, rx.color("green", 11), rx.color("gray", 12))
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.document, size="2"),
                rx.text(r.description, size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
    )


def _contract_card(c: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.link("№ ", c.number, href=c.href, weight="bold", size="2"),
            rx.spacer(),
            rx.badge(
                code_label(c.status, fin.CONTRACT_STATUS_LABELS, c.status_label),
                color_scheme=c.status_color,
                radius="full",
            ),
            width="100%",
        ),
        rx.text(c.title, size="1", color_scheme="gray"),
        rx.text(c.valid, size="1", color_scheme="gray"),
        rx.text(t("Сальдо: ", "Balance: "), c.balance, size="2"),
        rx.text(
            t("Долг с начала месяца: ", "Debt since the 1st: "),
            c.month_debt,
            size="2",
            weight="bold",
            color=rx.color("orange", 11),
        ),
    )


def _schedule_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(r.due_on, weight="bold", size="2"),
            rx.spacer(),
            rx.badge(
                code_label(r.status, fin.SCHEDULE_LABELS, r.status_label),
                color_scheme=rx.cond(r.overdue, "red", "blue"),
                radius="full",
            ),
            width="100%",
        ),
        rx.text(r.amount, size="2"),
        rx.text(r.note, " ", r.contract, size="1", color_scheme="gray"),
    )


def _operation_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(
                r.date,
                " · ",
                code_label(r.kind, fin.OPERATION_LABELS, r.kind_label),
                size="2",
                weight="medium",
            ),
            rx.spacer(),
            rx.text(r.amount, size="2", color=rx.cond(r.incoming, rx.color("green", 11), None)),
            width="100%",
        ),
        rx.text(r.document, size="1", color_scheme="gray"),
    )


def _compact_thousands(lang: str) -> str:
    """An axis tick formatter (JavaScript): the charts' values are thousands of roubles,
    shown short ("500 млн", "1,5 млрд") so that a large customer's figures fit a phone."""
    return (
        f"(v) => new Intl.NumberFormat('{lang}', "
        "{notation: 'compact', maximumFractionDigits: 1}).format(v * 1000)"
    )


_TICK = {"fontSize": 12}


def _ageing_chart() -> rx.Component:
    def chart(lang: str) -> rx.Component:
        return rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(data_key="short", tick=_TICK, interval=0),
            rx.recharts.y_axis(width=64, tick=_TICK, tick_formatter=_compact_thousands(lang)),
            rx.recharts.graphing_tooltip(),
            rx.recharts.bar(data_key="amount", name=t("тыс. ₽", "k₽"), fill="#e5484d"),
            data=FinanceState.bucket_chart,
            width="100%",
            height=220,
        )

    return rx.cond(LangState.lang == "en", chart("en"), chart("ru"))


def _months_chart() -> rx.Component:
    def chart(lang: str) -> rx.Component:
        return rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
            rx.recharts.x_axis(
                data_key="month_en" if lang == "en" else "month",
                tick={"fontSize": 11},
                interval=0,
            ),
            rx.recharts.y_axis(width=64, tick=_TICK, tick_formatter=_compact_thousands(lang)),
            rx.recharts.graphing_tooltip(),
            rx.recharts.legend(),
            rx.recharts.bar(
                data_key="shipped", name=t("Отгружено, тыс. ₽", "Shipped, k₽"), fill="#3e63dd"
            ),
            rx.recharts.bar(
                data_key="paid", name=t("Оплачено, тыс. ₽", "Paid, k₽"), fill="#30a46c"
            ),
            data=FinanceState.month_chart,
            width="100%",
            height=240,
        )

    return rx.cond(LangState.lang == "en", chart("en"), chart("ru"))


def _attention_row(a: Any) -> rx.Component:
    return rx.flex(
        rx.link(a.number, href=a.href, weight="medium", size="2", white_space="nowrap"),
        rx.text(rx.cond(LangState.lang == "en", a.reason_en, a.reason), size="2", min_width="0"),
        column_gap="8px",
        wrap="wrap",
        width="100%",
    )


def finance_page() -> rx.Component:
    s = FinanceState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.flex(
                    rx.link(t("Счета →", "Invoices →"), href=routes.INVOICES, size="2"),
                    rx.cond(
                        s.staff_all | (s.orgs.length() > 1),
                        filter_bar(
                            org_filter(s, "fin"),
                            on_submit=s.apply_filters,
                            reset_href=routes.FINANCE,
                            key=s.query_key,
                            id_prefix="fin",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                    direction="column",
                ),
                rx.grid(
                    _kpi(("Кредитный лимит", "Credit limit"), s.credit_limit, "fin-limit"),
                    _kpi(
                        ("Свободный остаток лимита", "Unused credit"),
                        s.credit_unused,
                        "fin-unused",
                        note=rx.progress(
                            value=s.credit_used_percent,
                            width="100%",
                            color_scheme=rx.cond(s.credit_used_percent > 85, "red", "blue"),
                        ),
                    ),
                    _kpi(("Сумма к оплате", "Amount due"), s.amount_due, "fin-due"),
                    _kpi(
                        ("Просроченная задолженность", "Overdue receivables"),
                        s.overdue_total,
                        "fin-overdue",
                        color=rx.cond(s.has_overdue, rx.color("red", 11), None),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                    spacing="3",
                    width="100%",
                ),
                rx.grid(
                    rx.card(
                        rx.vstack(
                            rx.heading(t("Просрочка по срокам", "Overdue by age"), size="3"),
                            _ageing_chart(),
                            rx.flex(
                                rx.foreach(
                                    s.buckets,
                                    lambda b: rx.vstack(
                                        rx.text(
                                            t(b.label, b.label_en),
                                            size="1",
                                            color_scheme="gray",
                                        ),
                                        rx.text(
                                            b.amount,
                                            size="2",
                                            weight="bold",
                                            id="fin-bucket-" + b.key,
                                        ),
                                        spacing="0",
                                        min_width="120px",
                                    ),
                                ),
                                wrap="wrap",
                                spacing="3",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        width="100%",
                        id="fin-ageing",
                    ),
                    rx.card(
                        rx.vstack(
                            rx.heading(
                                t("Отгрузки и оплаты по месяцам", "Shipments and payments"),
                                size="3",
                            ),
                            _months_chart(),
                            rx.text(
                                t("Долг с начала месяца: ", "Debt since the 1st: "),
                                s.month_debt,
                                size="2",
                                weight="medium",
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        width="100%",
                        id="fin-months",
                    ),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    s.attention.length() > 0,
                    rx.callout.root(
                        rx.callout.icon(rx.icon("bell-ring")),
                        rx.vstack(
                            rx.text(
                                t("Заказы, требующие внимания", "Orders that need attention"),
                                weight="bold",
                                size="2",
                            ),
                            rx.foreach(s.attention, _attention_row),
                            spacing="1",
                            width="100%",
                        ),
                        color_scheme="orange",
                        width="100%",
                        id="fin-attention",
                    ),
                ),
                _section(
                    ("Договоры", "Contracts"),
                    data_table(
                        [
                            ("Договор", "Contract"),
                            ("Статус", "Status"),
                            ("Срок действия", "Valid"),
                            ("Сальдо", "Balance"),
                            ("Долг с начала месяца", "Debt since the 1st"),
                        ],
                        s.contracts,
                        _contract_row,
                        id="fin-contracts",
                        mobile_card=_contract_card,
                        empty=("Договоров нет.", "No contracts."),
                        min_width="720px",
                    ),
                    id="fin-contracts-section",
                ),
                rx.grid(
                    _section(
                        ("График платежей", "Payment schedule"),
                        data_table(
                            [
                                ("Срок", "Due"),
                                ("Сумма", "Amount"),
                                ("Статус", "Status"),
                                ("Назначение", "Purpose"),
                            ],
                            s.schedule,
                            _schedule_row,
                            id="fin-schedule",
                            mobile_card=_schedule_card,
                            empty=("Платежей не запланировано.", "Nothing scheduled."),
                            min_width="460px",
                        ),
                        id="fin-schedule-section",
                    ),
                    _section(
                        ("История операций", "Operation history"),
                        data_table(
                            [
                                ("Дата", "Date"),
                                ("Операция", "Operation"),
                                ("Сумма", "Amount"),
                                ("Документ", "Document"),
                            ],
                            s.operations,
                            _operation_row,
                            id="fin-operations",
                            mobile_card=_operation_card,
                            empty=("Операций нет.", "No operations."),
                            min_width="460px",
                        ),
                        id="fin-operations-section",
                    ),
                    columns="1",
                    spacing="4",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Финансы", "Finance"),
    )


# --------------------------------------------------------------------------- /finance/invoices


def _tabs() -> rx.Component:
    s = InvoicesState
    return rx.flex(
        *[
            rx.link(
                rx.button(t(*label), variant=rx.cond(s.f_tab == code, "solid", "soft"), size="2"),
                href=routes.with_query(routes.INVOICES, tab=code),
                id=f"inv-tab-{code or 'all'}",
            )
            for code, label in queries.INVOICE_TABS.items()
        ],
        spacing="2",
        wrap="wrap",
    )


def _invoice_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(r.number, weight="medium"),
                rx.text(t("от ", "of "), r.issued_on, size="1", color_scheme="gray"),
                spacing="0",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.due_on, size="2"),
                rx.cond(
                    r.days_overdue > 0,
                    rx.text(
                        r.days_overdue,
                        t(" дн. просрочки", " days overdue"),
                        size="1",
                        color_scheme="red",
                    ),
                ),
                spacing="0",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.amount, size="2"),
                rx.cond(
                    r.outstanding != "",
                    rx.text(t("остаток ", "to pay "), r.outstanding, size="1", color_scheme="gray"),
                ),
                spacing="0",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(invoice_badge(r)),
        rx.table.cell(
            rx.vstack(
                rx.cond(r.contract_href != "", rx.link(r.contract, href=r.contract_href, size="2")),
                rx.cond(r.order_href != "", rx.link(r.order, href=r.order_href, size="1")),
                spacing="0",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.button(
                rx.icon("download", size=14),
                "PDF",
                size="1",
                variant="soft",
                on_click=DownloadState.download("invoice", r.id),
                id="inv-pdf-" + r.id.to_string(),
            )
        ),
    )


_INVOICE_HEADERS: list[tuple[str, str]] = [
    ("Счёт", "Invoice"),
    ("Оплатить до", "Due"),
    ("Сумма", "Amount"),
    ("Статус", "Status"),
    ("Договор / заказ", "Contract / order"),
    ("", ""),
]


def _invoice_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text("№ ", r.number, weight="bold", size="2"),
            rx.spacer(),
            invoice_badge(r),
            width="100%",
        ),
        rx.text(r.amount, size="2", weight="medium"),
        rx.text(
            t("от ", "of "),
            r.issued_on,
            t(", оплатить до ", ", due "),
            r.due_on,
            size="1",
            color_scheme="gray",
        ),
        rx.cond(
            r.outstanding != "", rx.text(t("Остаток: ", "Outstanding: "), r.outstanding, size="1")
        ),
    )


def invoices_page() -> rx.Component:
    s = InvoicesState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.flex(
                    _tabs(),
                    export_buttons(s, "inv"),
                    justify="between",
                    wrap="wrap",
                    spacing="2",
                    width="100%",
                ),
                filter_bar(
                    text_field(
                        "number",
                        s.f_number,
                        ("Номер счёта", "Invoice number"),
                        id="inv-number",
                        width="160px",
                        max_length=40,
                    ),
                    select_field(
                        "contract",
                        s.f_contract,
                        s.contract_options,
                        id="inv-contract",
                        all_label=("Все договоры", "All contracts"),
                        width="190px",
                    ),
                    labelled(
                        ("Выставлен с", "Issued from"),
                        text_field(
                            "from",
                            s.f_from,
                            ("с", "from"),
                            id="inv-from",
                            type="date",
                            width="150px",
                        ),
                    ),
                    labelled(
                        ("по", "to"),
                        text_field(
                            "to", s.f_to, ("по", "to"), id="inv-to", type="date", width="150px"
                        ),
                    ),
                    labelled(
                        ("Сумма от", "Amount from"),
                        text_field("min", s.f_min, ("₽", "₽"), id="inv-min", width="120px"),
                    ),
                    labelled(
                        ("до", "to"),
                        text_field("max", s.f_max, ("₽", "₽"), id="inv-max", width="120px"),
                    ),
                    select_field(
                        "sort",
                        rx.cond(s.f_sort == "new", "", s.f_sort),
                        _SORT_OPTIONS,
                        id="inv-sort",
                        all_label=("Сначала новые", "Newest first"),
                        width="190px",
                    ),
                    org_filter(s, "inv"),
                    on_submit=s.apply_filters,
                    reset_href=rx.cond(
                        s.f_tab == "", routes.INVOICES, routes.INVOICES + "?tab=" + s.f_tab
                    ),
                    key=s.query_key,
                    id_prefix="inv",
                ),
                rx.cond(
                    s.loaded,
                    data_table(
                        _INVOICE_HEADERS,
                        s.rows,
                        _invoice_row,
                        id="inv-list",
                        empty=("Счетов не найдено.", "No invoices found."),
                        mobile_card=_invoice_card,
                        min_width="760px",
                    ),
                ),
                pager(
                    prev_href=s.prev_href,
                    next_href=s.next_href,
                    id_prefix="inv",
                    first_href=s.first_href,
                ),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Счета", "Invoices"),
    )


# --------------------------------------------------------------------------- /finance/contract


def contract_page() -> rx.Component:
    s = ContractState
    body = rx.vstack(
        rx.flex(
            rx.heading(
                t("Договор № ", "Contract No. "), s.number, size="6", as_="h1", id="contract-number"
            ),
            rx.badge(
                code_label(s.status, fin.CONTRACT_STATUS_LABELS, s.status_label),
                color_scheme=s.status_color,
                radius="full",
                size="2",
            ),
            spacing="3",
            align="center",
            wrap="wrap",
        ),
        rx.text(s.title, " · ", s.organisation, size="2", color_scheme="gray"),
        rx.grid(
            _kpi(("Период действия", "Valid"), s.valid, "contract-valid", size="3"),
            _kpi(("Оперативное сальдо", "Current balance"), s.balance, "contract-balance"),
            _kpi(
                ("Долг с начала месяца", "Debt since the 1st"),
                s.month_debt,
                "contract-month",
                color=rx.color("orange", 11),
            ),
            _kpi(("Просрочено", "Overdue"), s.overdue_total, "contract-overdue"),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="3",
            width="100%",
        ),
        rx.text(
            t("Кредитный лимит: ", "Credit limit: "),
            s.credit_limit,
            rx.cond(
                s.payment_terms_days > 0,
                t(" · отсрочка ", " · payment terms ")
                + s.payment_terms_days.to_string()
                + t(" дн.", " days"),
                "",
            ),
            t(" · к оплате всего: ", " · total due: "),
            s.open_total,
            size="2",
        ),
        _section(
            ("Счета по договору", "Invoices"),
            data_table(
                _INVOICE_HEADERS,
                s.invoices,
                _invoice_row,
                id="contract-invoices",
                empty=("Счетов нет.", "No invoices."),
                mobile_card=_invoice_card,
                min_width="760px",
            ),
            id="contract-invoices-section",
            extra=rx.link(t("Все счета →", "All invoices →"), href=s.invoices_href, size="2"),
        ),
        rx.grid(
            _section(
                ("График платежей", "Payment schedule"),
                data_table(
                    [
                        ("Срок", "Due"),
                        ("Сумма", "Amount"),
                        ("Статус", "Status"),
                        ("Назначение", "Purpose"),
                    ],
                    s.schedule,
                    _schedule_row,
                    id="contract-schedule",
                    mobile_card=_schedule_card,
                    empty=("Платежей нет.", "None."),
                    min_width="460px",
                ),
                id="contract-schedule-section",
            ),
            _section(
                ("История операций", "Operation history"),
                data_table(
                    [
                        ("Дата", "Date"),
                        ("Операция", "Operation"),
                        ("Сумма", "Amount"),
                        ("Документ", "Document"),
                    ],
                    s.operations,
                    _operation_row,
                    id="contract-operations",
                    mobile_card=_operation_card,
                    empty=("Операций нет.", "None."),
                    min_width="460px",
                ),
                id="contract-operations-section",
            ),
            columns="1",
            spacing="4",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )
    return shell(
        back_link(routes.FINANCE, ("К финансам", "Back to finance")),
        rx.cond(
            s.loaded,
            rx.cond(
                s.missing,
                not_found(("Договор не найден.", "Contract not found."), id="contract-missing"),
                body,
            ),
            rx.center(rx.spinner(), width="100%", padding="40px"),
        ),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(finance_page, route=routes.FINANCE, title="Финансы", on_load=FinanceState.load)
    app.add_page(invoices_page, route=routes.INVOICES, title="Счета", on_load=InvoicesState.load)
    app.add_page(
        contract_page, route=routes.CONTRACT_VIEW, title="Договор", on_load=ContractState.load
    )
