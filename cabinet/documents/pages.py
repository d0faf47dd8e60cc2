"""Pages: quality certificates, shipping documents, the public QR trace page."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.documents import rules
from cabinet.documents.state import CertificatesState, DocumentsState, DownloadState, TraceState
from cabinet.i18n import t
from cabinet.orders.pages import org_filter
from components.data_table import (
    data_table,
    filter_bar,
    labelled,
    mobile_card,
    no_access,
    pager,
    select_field,
    text_field,
)
from components.shell import public_shell, shell

_TYPE_OPTIONS = [(k, ru, en) for k, (ru, en) in rules.DOC_TYPE_LABELS.items()]
_DELIVERY_OPTIONS = [(k, ru, en) for k, (ru, en) in rules.DELIVERY_LABELS.items()]


def _exact_box(state: Any, prefix: str) -> rx.Component:
    return rx.checkbox(
        t("Точное совпадение", "Exact match"),
        name="exact",
        default_checked=state.f_exact,
        id=f"{prefix}-exact",
    )


def _pdf_button(kind: str, item_id: Any, prefix: str) -> rx.Component:
    return rx.button(
        rx.icon("download", size=14),
        "PDF",
        size="1",
        variant="soft",
        on_click=DownloadState.download(kind, item_id),
        id=rx.Var.create(f"{prefix}-pdf-") + item_id.to_string(),
    )


def _order_link(r: Any) -> rx.Component:
    return rx.cond(r.order_href != "", rx.link(r.order, href=r.order_href, size="2"), rx.text("—"))


# --------------------------------------------------------------------------- certificates


def _cert_filters() -> rx.Component:
    s = CertificatesState
    return filter_bar(
        text_field(
            "number",
            s.f_number,
            ("Номер сертификата", "Certificate number"),
            id="certs-number",
            width="190px",
            max_length=60,
        ),
        text_field(
            "batch", s.f_batch, ("Партия", "Batch"), id="certs-batch", width="160px", max_length=60
        ),
        _exact_box(s, "certs"),
        labelled(
            ("Выдан с", "Issued from"),
            text_field(
                "from", s.f_from, ("с", "from"), id="certs-from", type="date", width="150px"
            ),
        ),
        labelled(
            ("по", "to"),
            text_field("to", s.f_to, ("по", "to"), id="certs-to", type="date", width="150px"),
        ),
        text_field(
            "consignee", s.f_consignee, ("Грузополучатель", "Consignee"), id="certs-consignee"
        ),
        text_field(
            "order",
            s.f_order,
            ("Номер заказа", "Order number"),
            id="certs-order",
            width="150px",
            max_length=60,
        ),
        text_field(
            "product",
            s.f_product,
            ("Код продукции", "Product code"),
            id="certs-product",
            width="150px",
            max_length=60,
        ),
        text_field(
            "grade",
            s.f_grade,
            ("Марка стали", "Steel grade"),
            id="certs-grade",
            width="130px",
            max_length=60,
        ),
        org_filter(s, "certs"),
        on_submit=s.apply_filters,
        reset_href=routes.CERTIFICATES,
        key=s.query_key,
        id_prefix="certs",
    )


def _cert_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(r.number, weight="medium"), white_space="nowrap"),
        rx.table.cell(
            rx.vstack(
                rx.text(r.batch, size="2", id="cert-batch-" + r.id.to_string()),
                rx.cond(
                    r.heat != "",
                    rx.text(t("плавка ", "heat "), r.heat, size="1", color_scheme="gray"),
                ),
                spacing="0",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(
            rx.vstack(
                rx.text(r.product, size="2"),
                rx.text(r.grade, " · ", r.dimensions, size="1", color_scheme="gray"),
                spacing="0",
            ),
            max_width="260px",
        ),
        rx.table.cell(r.issued_on, white_space="nowrap"),
        rx.table.cell(rx.vstack(rx.text(r.consignee, size="2"), _order_link(r), spacing="0")),
        rx.table.cell(
            rx.hstack(
                _pdf_button("certificate", r.id, "cert"),
                rx.link(
                    rx.icon_button(rx.icon("qr-code", size=14), size="1", variant="soft"),
                    href=r.trace_href,
                    is_external=True,
                    aria_label="QR",
                    id="cert-qr-" + r.id.to_string(),
                ),
                spacing="2",
            )
        ),
    )


def _cert_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(r.number, weight="bold", size="2"),
            rx.spacer(),
            rx.text(r.issued_on, size="1", color_scheme="gray"),
            width="100%",
        ),
        rx.text(t("Партия ", "Batch "), r.batch, size="2", weight="medium"),
        rx.text(r.product, " · ", r.grade, " · ", r.dimensions, size="1", color_scheme="gray"),
        rx.text(r.consignee, size="1", color_scheme="gray"),
        rx.hstack(
            _pdf_button("certificate", r.id, "cert-m"),
            rx.link(t("QR-страница", "QR page"), href=r.trace_href, is_external=True, size="2"),
            spacing="3",
            align="center",
        ),
    )


def certificates_page() -> rx.Component:
    s = CertificatesState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.text(
                    t(
                        "Поиск по номеру сертификата или партии: по началу номера или точно.",
                        "Search by certificate number or batch: by prefix or exact.",
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                _cert_filters(),
                rx.cond(
                    s.loaded,
                    data_table(
                        [
                            ("Номер", "Number"),
                            ("Партия", "Batch"),
                            ("Продукция", "Product"),
                            ("Выдан", "Issued"),
                            ("Грузополучатель / заказ", "Consignee / order"),
                            ("", ""),
                        ],
                        s.rows,
                        _cert_row,
                        id="certs-list",
                        empty=("Сертификатов не найдено.", "No certificates found."),
                        mobile_card=_cert_card,
                        min_width="880px",
                    ),
                ),
                pager(
                    prev_href=s.prev_href,
                    next_href=s.next_href,
                    id_prefix="certs",
                    first_href=s.first_href,
                ),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Сертификаты качества", "Quality certificates"),
    )


# --------------------------------------------------------------------------- documents


def _doc_filters() -> rx.Component:
    s = DocumentsState
    return filter_bar(
        text_field(
            "number",
            s.f_number,
            ("Номер документа", "Document number"),
            id="docs-number",
            width="190px",
            max_length=60,
        ),
        _exact_box(s, "docs"),
        select_field(
            "type",
            s.f_type,
            _TYPE_OPTIONS,
            id="docs-type",
            all_label=("Любой тип", "Any type"),
            width="200px",
        ),
        select_field(
            "delivery",
            s.f_delivery,
            _DELIVERY_OPTIONS,
            id="docs-delivery",
            all_label=("Любая доставка", "Any delivery"),
            width="180px",
        ),
        labelled(
            ("Дата с", "Date from"),
            text_field("from", s.f_from, ("с", "from"), id="docs-from", type="date", width="150px"),
        ),
        labelled(
            ("по", "to"),
            text_field("to", s.f_to, ("по", "to"), id="docs-to", type="date", width="150px"),
        ),
        text_field(
            "consignee", s.f_consignee, ("Грузополучатель", "Consignee"), id="docs-consignee"
        ),
        text_field(
            "order",
            s.f_order,
            ("Номер заказа", "Order number"),
            id="docs-order",
            width="150px",
            max_length=60,
        ),
        text_field(
            "product",
            s.f_product,
            ("Код продукции", "Product code"),
            id="docs-product",
            width="150px",
            max_length=60,
        ),
        org_filter(s, "docs"),
        on_submit=s.apply_filters,
        reset_href=routes.DOCUMENTS,
        key=s.query_key,
        id_prefix="docs",
    )


def _doc_row(r: Any) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.vstack(
                rx.text(r.number, weight="medium", size="2"),
                rx.text(r.type_label, size="1", color_scheme="gray"),
                spacing="0",
            ),
            white_space="nowrap",
        ),
        rx.table.cell(r.doc_date, white_space="nowrap"),
        rx.table.cell(r.delivery),
        rx.table.cell(rx.vstack(rx.text(r.consignee, size="2"), _order_link(r), spacing="0")),
        rx.table.cell(r.product_code, white_space="nowrap"),
        rx.table.cell(r.amount, white_space="nowrap"),
        rx.table.cell(_pdf_button("document", r.id, "doc")),
    )


def _doc_card(r: Any) -> rx.Component:
    return mobile_card(
        rx.hstack(
            rx.text(r.type_label, " № ", r.number, weight="bold", size="2"),
            rx.spacer(),
            rx.text(r.doc_date, size="1", color_scheme="gray"),
            width="100%",
        ),
        rx.text(r.consignee, size="1", color_scheme="gray"),
        rx.text(
            r.delivery, rx.cond(r.amount != "", " · " + r.amount, ""), size="1", color_scheme="gray"
        ),
        _pdf_button("document", r.id, "doc-m"),
    )


def documents_page() -> rx.Component:
    s = DocumentsState
    return shell(
        rx.cond(
            s.allowed,
            rx.vstack(
                rx.flex(
                    rx.text(
                        t(
                            "Отгрузочные и закрывающие документы: УПД, счета-фактуры, накладные, акты.",
                            "Shipping and closing documents.",
                        ),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.spacer(),
                    rx.link(
                        t("Сертификаты качества →", "Quality certificates →"),
                        href=routes.CERTIFICATES,
                        size="2",
                    ),
                    width="100%",
                    wrap="wrap",
                    spacing="2",
                ),
                _doc_filters(),
                rx.cond(
                    s.loaded,
                    data_table(
                        [
                            ("Документ", "Document"),
                            ("Дата", "Date"),
                            ("Доставка", "Delivery"),
                            ("Грузополучатель / заказ", "Consignee / order"),
                            ("Код продукции", "Product code"),
                            ("Сумма", "Amount"),
                            ("", ""),
                        ],
                        s.rows,
                        _doc_row,
                        id="docs-list",
                        empty=("Документов не найдено.", "No documents found."),
                        mobile_card=_doc_card,
                        min_width="820px",
                    ),
                ),
                pager(
                    prev_href=s.prev_href,
                    next_href=s.next_href,
                    id_prefix="docs",
                    first_href=s.first_href,
                ),
                spacing="3",
                width="100%",
            ),
            no_access(),
        ),
        title=t("Документы", "Documents"),
    )


# --------------------------------------------------------------------------- /trace


def _field(f: Any) -> rx.Component:
    return rx.flex(
        rx.text(f.label, size="2", color_scheme="gray", width="150px", flex_shrink="0"),
        rx.text(f.value, size="2", weight="medium", min_width="0", flex="1"),
        spacing="2",
        width="100%",
    )


def _group(g: Any) -> rx.Component:
    return rx.vstack(
        rx.text(g.title, size="2", weight="bold"),
        rx.foreach(g.rows, _field),
        spacing="1",
        width="100%",
    )


def trace_page() -> rx.Component:
    s = TraceState
    return public_shell(
        rx.cond(
            s.loaded,
            rx.cond(
                s.found,
                rx.vstack(
                    rx.hstack(
                        rx.icon("badge-check", color=rx.color("green", 9), size=28),
                        rx.heading(
                            t("Сертификат качества", "Quality certificate"), size="5", as_="h1"
                        ),
                        align="center",
                    ),
                    rx.text(
                        t(
                            "Сведения о партии продукции, которые раскрывает изготовитель.",
                            "What the producer discloses about this product batch.",
                        ),
                        size="2",
                        color_scheme="gray",
                    ),
                    rx.vstack(
                        rx.foreach(s.fields, _field), spacing="1", width="100%", id="trace-fields"
                    ),
                    rx.foreach(s.groups, _group),
                    rx.cond(  # no <img src=""> while the code is not known yet
                        s.qr != "",
                        rx.center(
                            rx.image(src=s.qr, width="140px", height="140px", alt="QR"),
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                    id="trace-found",
                ),
                rx.callout(
                    t(
                        "Сертификат не найден. Проверьте QR-код или ссылку.",
                        "Certificate not found. Check the QR code or link.",
                    ),
                    icon="circle-x",
                    color_scheme="red",
                    width="100%",
                    id="trace-missing",
                ),
            ),
            rx.center(rx.spinner(), width="100%"),
        )
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        certificates_page,
        route=routes.CERTIFICATES,
        title="Сертификаты качества",
        on_load=CertificatesState.load,
    )
    app.add_page(
        documents_page, route=routes.DOCUMENTS, title="Документы", on_load=DocumentsState.load
    )
    app.add_page(
        trace_page, route=routes.TRACE, title="Сертификат качества", on_load=TraceState.load
    )
