"""PDFs of a quality certificate and of a shipping document, and the certificate's QR code.

Used when the ERP has not attached the original file. Pure: a snapshot in, bytes out
(reportlab with the shipped DejaVu Sans, so Cyrillic renders anywhere; QR by segno).
No DB, no Reflex.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import segno
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Image,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from cabinet.applications.documents import FONT, FONT_BOLD, _register_fonts


def qr_png(url: str, *, scale: int = 6) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def qr_svg_data_uri(url: str) -> str:
    """The QR code as an inline SVG data URI (for an <img> on a page)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


@dataclass(frozen=True)
class CertificateData:
    number: str
    issued_on: str
    producer: str
    product_name: str
    product_code: str
    grade: str
    dimensions: str
    standard: str
    batch: str
    heat: str
    quantity: str
    consignee: str
    customer: str
    order: str
    trace_url: str
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


@dataclass(frozen=True)
class DocumentData:
    title: str
    number: str
    doc_date: str
    customer: str
    consignee: str
    delivery: str
    order: str
    product_code: str
    amount: str
    due: str = ""


def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    return {
        "title": ParagraphStyle("t", fontName=FONT_BOLD, fontSize=15, leading=19, spaceAfter=4),
        "base": ParagraphStyle("b", fontName=FONT, fontSize=10, leading=13),
        "small": ParagraphStyle("s", fontName=FONT, fontSize=8, leading=10, textColor="#555555"),
        "cell": ParagraphStyle("c", fontName=FONT, fontSize=9, leading=11),
        "head": ParagraphStyle("h", fontName=FONT_BOLD, fontSize=11, leading=14, spaceBefore=6),
    }


def _grid(rows: list[list[str]], st: dict[str, ParagraphStyle], widths: list[float]) -> Table:
    table = Table(
        [[Paragraph(escape(v), st["cell"]) for v in r] for r in rows],
        colWidths=widths,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
            ]
        )
    )
    return table


def _doc(buf: io.BytesIO, title: str, author: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=author,
    )


def certificate_pdf(d: CertificateData) -> bytes:
    st = _styles()
    buf = io.BytesIO()
    doc = _doc(buf, f"Сертификат качества № {d.number}", d.producer)
    qr = Image(io.BytesIO(qr_png(d.trace_url, scale=4)), width=32 * mm, height=32 * mm)
    head = Table(
        [
            [
                [
                    Paragraph(f"Сертификат качества № {escape(d.number)}", st["title"]),
                    Paragraph(f"от {escape(d.issued_on)}", st["base"]),
                    Paragraph(escape(d.producer), st["base"]),
                ],
                qr,
            ]
        ],
        colWidths=[138 * mm, 36 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    facts = [
        ["Продукция", d.product_name],
        ["Код продукции", d.product_code],
        ["Марка стали", d.grade],
        ["Размеры", d.dimensions],
        ["Нормативный документ", d.standard],
        ["Партия", d.batch],
        ["Плавка", d.heat],
        ["Количество", d.quantity],
        ["Покупатель", d.customer],
        ["Грузополучатель", d.consignee],
        ["Заказ", d.order],
    ]
    story = [
        head,
        Spacer(1, 4 * mm),
        _grid([r for r in facts if r[1]], st, [50 * mm, 124 * mm]),
    ]
    for title, values in d.groups:
        story += [
            Paragraph(escape(title), st["head"]),
            _grid([[k, v] for k, v in values], st, [50 * mm, 124 * mm]),
        ]
    story += [
        Spacer(1, 6 * mm),
        Paragraph(
            "Продукция соответствует требованиям указанного нормативного документа. "
            f"Проверить сертификат: {escape(d.trace_url)}",
            st["small"],
        ),
    ]
    doc.build(story)
    return buf.getvalue()


def document_pdf(d: DocumentData) -> bytes:
    st = _styles()
    buf = io.BytesIO()
    doc = _doc(buf, f"{d.title} № {d.number}", "")
    rows = [
        ["Покупатель", d.customer],
        ["Грузополучатель", d.consignee],
        ["Вид доставки", d.delivery],
        ["Заказ", d.order],
        ["Код продукции", d.product_code],
        ["Сумма", d.amount],
        ["Срок оплаты", d.due],
    ]
    doc.build(
        [
            Paragraph(f"{escape(d.title)} № {escape(d.number)}", st["title"]),
            Paragraph(f"от {escape(d.doc_date)}", st["base"]),
            Spacer(1, 5 * mm),
            _grid([r for r in rows if r[1]], st, [50 * mm, 124 * mm]),
            Spacer(1, 6 * mm),
            Paragraph(
                "Копия документа сформирована в личном кабинете по данным учётной системы.",
                st["small"],
            ),
        ]
    )
    return buf.getvalue()


def safe_filename(prefix: str, number: str) -> str:
    table = str.maketrans(
        "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ",
        "ABVGDEEJZIYKLMNOPRSTUFHCCSS_Y_EUA",
    )
    slug = "".join(
        c if c.isalnum() and c.isascii() else "-" for c in number.upper().translate(table)
    )
    return f"{prefix}-{slug.strip('-') or 'doc'}.pdf"
