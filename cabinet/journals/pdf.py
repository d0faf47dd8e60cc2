"""The print form of a maintenance journal (or a period of it) as PDF.

Pure: takes a `PrintData` snapshot (queries.print_data builds it), returns PDF bytes. reportlab
with the shipped DejaVu Sans (Cyrillic on any machine); each signature gets a QR code of its
public verification URL, drawn as vector squares from segno's matrix (no image encoding, so a
1,000-entry journal stays quick). No DB, no Reflex.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import segno
from PIL import Image
from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
from reportlab.pdfbase.pdfmetrics import registerFontFamily  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable  # type: ignore[import-untyped]

from cabinet.applications.documents import FONT, FONT_BOLD, _register_fonts

QR_SIZE = 22 * mm


@dataclass(frozen=True)
class PrintSignature:
    side: str  # "Оператор" / "Абонент"
    signer: str
    serial: str
    signed_at: str
    code: str
    url: str
    withdrawn_at: str = ""  # set when a later version withdrew it


@dataclass(frozen=True)
class PrintVersion:
    version: int
    current: bool
    work_at: str
    work_kind: str
    description: str
    findings: str
    author: str
    attachments: list[str] = field(default_factory=list)  # "name (sha256…)"
    signatures: list[PrintSignature] = field(default_factory=list)


@dataclass(frozen=True)
class PrintEntry:
    number: int
    state: str
    versions: list[PrintVersion]


@dataclass(frozen=True)
class PrintData:
    object_name: str
    object_address: str
    systems: str
    subscriber: str
    subscriber_inn: str
    journal_type: str
    journal_status: str  # "действующий" / "в архиве с 01.02.2026"
    opened_at: str
    period: str  # "01.11.2026 — 30.11.2026" or "весь журнал"
    generated_at: str
    entries: list[PrintEntry]


class QrCode(Flowable):  # type: ignore[misc]
    """A QR code of `data`, drawn as one small black-and-white image (mask fixed: choosing the
    "best" of eight masks is most of segno's time and any mask reads the same)."""

    def __init__(self, data: str, size: float = QR_SIZE) -> None:
        super().__init__()
        self.matrix = segno.make(data, error="m", mask=0).matrix
        self.size = size
        self.width = self.height = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def image(self) -> Image.Image:
        n, quiet = len(self.matrix), 2
        img = Image.new("1", (n + 2 * quiet, n + 2 * quiet), 1)
        img.putdata(
            [
                0
                if 0 <= y - quiet < n and 0 <= x - quiet < n and self.matrix[y - quiet][x - quiet]
                else 1
                for y in range(n + 2 * quiet)
                for x in range(n + 2 * quiet)
            ]
        )
        return img

    def draw(self) -> None:
        self.canv.drawImage(ImageReader(self.image()), 0, 0, self.size, self.size)


def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    # <b> and <i> inside paragraphs pick these faces (DejaVu has no italic shipped here).
    registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    base = ParagraphStyle("jbase", fontName=FONT, fontSize=9, leading=12)
    return {
        "base": base,
        "title": ParagraphStyle("jtitle", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18),
        "h": ParagraphStyle("jh", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13),
        "small": ParagraphStyle("jsmall", parent=base, fontSize=7.5, leading=9.5),
        "muted": ParagraphStyle(
            "jmuted", parent=base, fontSize=7.5, leading=9.5, textColor=colors.grey
        ),
    }


def _esc(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")
    )


def _header(d: PrintData, st: dict[str, ParagraphStyle]) -> list[Any]:
    facts = [
        ("Объект", f"{d.object_name}, {d.object_address}"),
        ("Обслуживаемые системы", d.systems or "—"),
        ("Абонент", f"{d.subscriber}" + (f", ИНН {d.subscriber_inn}" if d.subscriber_inn else "")),
        ("Тип журнала", d.journal_type),
        ("Журнал", f"открыт {d.opened_at}, {d.journal_status}"),
        ("Период", d.period),
    ]
    table = Table(
        [[Paragraph(_esc(k), st["h"]), Paragraph(_esc(v), st["base"])] for k, v in facts],
        colWidths=[42 * mm, 128 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return [
        Paragraph(_esc(f"Журнал технического обслуживания: {d.journal_type}"), st["title"]),
        Spacer(1, 3 * mm),
        table,
        Spacer(1, 5 * mm),
    ]


def _signature_rows(v: PrintVersion, st: dict[str, ParagraphStyle]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for s in v.signatures:
        status = (
            f"<b>отозвана {_esc(s.withdrawn_at)}</b> (запись изменена)<br/>"
            if s.withdrawn_at
            else ""
        )
        text = (
            f"<b>{_esc(s.side)}:</b> {_esc(s.signer)}<br/>"
            f"Подписано {_esc(s.signed_at)}<br/>"
            f"Сертификат № {_esc(s.serial)}<br/>"
            f"Код подписи: {_esc(s.code)}<br/>{status}"
            f"<font size=6.5>Проверка: {_esc(s.url)}</font>"
        )
        rows.append([Paragraph(text, st["small"]), QrCode(s.url)])
    return rows


def _entry(e: PrintEntry, st: dict[str, ParagraphStyle]) -> list[Any]:
    out: list[Any] = [Paragraph(_esc(f"Запись № {e.number} — {e.state}"), st["h"])]
    for v in e.versions:
        label = "текущая" if v.current else "заменена следующей"
        body = [
            f"<b>Версия {v.version}</b> ({label}). Автор: {_esc(v.author)}",
            f"<b>Дата и время работ:</b> {_esc(v.work_at)}",
            f"<b>Вид работ:</b> {_esc(v.work_kind)}",
            f"<b>Описание:</b> {_esc(v.description)}",
        ]
        if v.findings:
            body.append(f"<b>Замечания:</b> {_esc(v.findings)}")
        if v.attachments:
            body.append("<b>Вложения:</b> " + _esc("; ".join(v.attachments)))
        if not v.signatures:
            body.append("<i>Подписей нет.</i>")
        rows: list[list[Any]] = [[Paragraph("<br/>".join(body), st["base"]), ""]]
        rows += _signature_rows(v, st)
        table = Table(rows, colWidths=[144 * mm, 26 * mm])
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("SPAN", (0, 0), (1, 0)),
            ("BOX", (0, 0), (-1, -1), 0.5, colors.grey if v.current else colors.lightgrey),
            ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.lightgrey),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        if not v.current:
            style.append(("TEXTCOLOR", (0, 0), (-1, -1), colors.grey))
        table.setStyle(TableStyle(style))
        out += [Spacer(1, 1.5 * mm), table]
    out.append(Spacer(1, 4 * mm))
    return out


def render(d: PrintData) -> bytes:
    st = _styles()
    buf = io.BytesIO()

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.grey)
        canvas.drawString(
            20 * mm,
            10 * mm,
            f"{d.object_name} · {d.journal_type} · сформировано {d.generated_at}",
        )
        canvas.drawRightString(190 * mm, 10 * mm, f"стр. {doc.page}")
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"Журнал: {d.journal_type} — {d.object_name}",
        author="Личный кабинет",
    )
    story: list[Any] = _header(d, st)
    if not d.entries:
        story.append(Paragraph("За период записей нет.", st["base"]))
    for e in d.entries:
        parts = _entry(e, st)
        story.append(KeepTogether(parts) if len(e.versions) == 1 else parts[0])
        if len(e.versions) != 1:
            story += parts[1:]
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def filename(journal_id: int, period: str = "") -> str:
    safe = "".join(c if c.isalnum() else "-" for c in period).strip("-")
    return f"zhurnal-{journal_id}{'-' + safe if safe else ''}.pdf"
