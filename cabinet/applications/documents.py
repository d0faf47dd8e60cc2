"""PDF documents of an application: contract, invoice, technical conditions and three acts.

Pure: takes a `DocData` snapshot, returns PDF bytes (reportlab, DejaVu Sans shipped in
assets/fonts so Cyrillic renders on any machine). The service stores them through the files
service (checksum, download route). No DB, no Reflex.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # type: ignore[import-untyped]
from reportlab.platypus.flowables import Flowable  # type: ignore[import-untyped]

from cabinet.applications import rules
from models.applications import FileKind
from models.organisations import CounterpartyKind

FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
_SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")

GRID_COMPANY = "ПАО «Магнитогорский металлургический комбинат»"
GRID_COMPANY_SHORT = "ПАО «ММК»"
GRID_COMPANY_DETAILS = "ИНН 7414003633, 455000, г. Магнитогорск, ул. Кирова, 93"
# Demo tariff: a flat fee for small connections, otherwise a rate per kW of maximum power.
SMALL_POWER_KW = Decimal("15")
SMALL_FEE = Decimal("5500.00")
RATE_PER_KW = Decimal("1450.00")
VAT_RATE = Decimal("0.20")


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
        path = FONT_DIR / file
        if not path.exists():
            path = _SYSTEM_FONTS / file  # Debian fonts-dejavu-core (`make system-deps`)
        pdfmetrics.registerFont(TTFont(name, str(path)))


@dataclass(frozen=True)
class DocData:
    """What a document says, copied from the application and its organisation."""

    number: str
    date: datetime
    applicant_kind: str
    applicant_name: str
    applicant_inn: str
    applicant_address: str
    object_name: str
    object_address: str
    cadastral_number: str
    max_power_kw: Decimal
    existing_power_kw: Decimal
    voltage: str
    reliability: str
    reason: str
    stages: str
    extra: dict[str, str] = field(default_factory=dict)


def fee(applicant_kind: str, max_power_kw: Decimal, existing_power_kw: Decimal) -> Decimal:
    """The connection fee in roubles (VAT included) for the added power."""
    added = max(max_power_kw - existing_power_kw, Decimal(0))
    if added <= SMALL_POWER_KW and applicant_kind != CounterpartyKind.LEGAL:
        return SMALL_FEE
    return (added * RATE_PER_KW).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    whole, _, cents = f"{value:.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{' '.join(groups)},{cents} руб."


def _date(value: datetime) -> str:
    return value.strftime("%d.%m.%Y")


def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14)
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18),
        "h": ParagraphStyle("h", parent=base, fontName=FONT_BOLD, fontSize=11, spaceBefore=6),
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11),
    }


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _kind_label(kind: str) -> str:
    labels: dict[str, str] = {
        CounterpartyKind.LEGAL: "юридическое лицо",
        CounterpartyKind.SOLE: "индивидуальный предприниматель",
        CounterpartyKind.PERSON: "физическое лицо",
    }
    return labels.get(kind, kind)


def _facts(d: DocData, st: dict[str, ParagraphStyle]) -> Table:
    rows = [
        ("Заявитель", f"{d.applicant_name} ({_kind_label(d.applicant_kind)})"),
        ("ИНН", d.applicant_inn or "—"),
        ("Адрес заявителя", d.applicant_address or "—"),
        ("Объект", d.object_name),
        ("Адрес объекта", d.object_address),
        ("Кадастровый номер", d.cadastral_number),
        ("Максимальная мощность", f"{rules.fmt_power(d.max_power_kw)} кВт"),
        (
            "Ранее присоединённая мощность",
            f"{rules.fmt_power(d.existing_power_kw) or '0'} кВт",
        ),
        ("Уровень напряжения", rules.VOLTAGES.get(d.voltage, ("", ""))[0]),
        ("Категория надёжности", rules.RELIABILITY.get(d.reliability, ("", ""))[0]),
        ("Причина обращения", rules.REASONS.get(d.reason, ("", ""))[0]),
    ]
    if d.stages:
        rows.append(("Этапы", d.stages))
    table = Table(
        [[Paragraph(_esc(k), st["base"]), Paragraph(_esc(v), st["base"])] for k, v in rows],
        colWidths=[55 * mm, 115 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
            ]
        )
    )
    return table


def _signatures(st: dict[str, ParagraphStyle], applicant: str) -> Table:
    table = Table(
        [
            [
                Paragraph(f"Сетевая организация<br/>{_esc(GRID_COMPANY_SHORT)}", st["base"]),
                Paragraph(f"Заявитель<br/>{_esc(applicant)}", st["base"]),
            ],
            [
                Paragraph("________________ / ____________ /", st["base"]),
                Paragraph("________________ / ____________ /", st["base"]),
            ],
        ],
        colWidths=[85 * mm, 85 * mm],
    )
    table.setStyle(TableStyle([("TOPPADDING", (0, 1), (-1, 1), 14)]))
    return table


TITLES: dict[str, str] = {
    FileKind.CONTRACT: "Договор об осуществлении технологического присоединения к электрическим сетям",
    FileKind.INVOICE: "Счёт на оплату",
    FileKind.TECH_CONDITIONS: "Технические условия на присоединение к электрическим сетям",
    FileKind.ACT_METER: "Акт допуска прибора учёта электрической энергии в эксплуатацию",
    FileKind.ACT_TC: "Акт о выполнении технических условий",
    FileKind.ACT_CONNECTION: "Акт об осуществлении технологического присоединения",
}


def _body(kind: str, d: DocData, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    b, h = st["base"], st["h"]
    total = fee(d.applicant_kind, d.max_power_kw, d.existing_power_kw)
    vat = (total * VAT_RATE / (1 + VAT_RATE)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if kind == FileKind.CONTRACT:
        return [
            Paragraph(
                f"{_esc(GRID_COMPANY)} (сетевая организация) и {_esc(d.applicant_name)} "
                "(заявитель) заключили настоящий договор о нижеследующем.",
                b,
            ),
            Paragraph("1. Предмет договора", h),
            Paragraph(
                "Сетевая организация осуществляет технологическое присоединение "
                "энергопринимающих устройств заявителя, указанных ниже, а заявитель оплачивает "
                "его и выполняет мероприятия по техническим условиям со своей стороны.",
                b,
            ),
            Paragraph("2. Плата за присоединение", h),
            Paragraph(f"Размер платы: {money(total)}, в том числе НДС {money(vat)}.", b),
            Paragraph("3. Срок выполнения мероприятий", h),
            Paragraph("Шесть месяцев со дня заключения договора.", b),
        ]
    if kind == FileKind.INVOICE:
        return [
            Paragraph(f"Поставщик: {_esc(GRID_COMPANY)}, {_esc(GRID_COMPANY_DETAILS)}.", b),
            Paragraph(f"Плательщик: {_esc(d.applicant_name)}, ИНН {_esc(d.applicant_inn)}.", b),
            Paragraph(
                f"Основание: договор об осуществлении технологического присоединения по заявке "
                f"{_esc(d.number)}.",
                b,
            ),
            Spacer(1, 4 * mm),
            Paragraph(f"К оплате: {money(total)}, в том числе НДС 20% — {money(vat)}.", h),
        ]
    if kind == FileKind.TECH_CONDITIONS:
        return [
            Paragraph("Точка присоединения и требования", h),
            Paragraph(
                f"Присоединение на уровне напряжения "
                f"{_esc(rules.VOLTAGES.get(d.voltage, ('', ''))[0])} от ближайшей "
                f"трансформаторной подстанции сетевой организации.",
                b,
            ),
            Paragraph(
                "Заявитель устанавливает вводное распределительное устройство, защитную "
                "аппаратуру и прибор учёта электрической энергии класса точности не ниже 1,0.",
                b,
            ),
            Paragraph("Срок действия технических условий — два года.", b),
        ]
    statements: dict[str, str] = {
        FileKind.ACT_METER: "Прибор учёта электрической энергии осмотрен, опломбирован и "
        "допущен в эксплуатацию в качестве расчётного.",
        FileKind.ACT_TC: "Мероприятия, предусмотренные техническими условиями, выполнены "
        "сторонами в полном объёме.",
        FileKind.ACT_CONNECTION: "Технологическое присоединение энергопринимающих устройств "
        "заявителя к электрическим сетям сетевой организации осуществлено.",
    }
    return [Paragraph(statements.get(kind, ""), b)]


def render(kind: str, d: DocData) -> bytes:
    """The PDF of document `kind` for the application described by `d`."""
    if kind not in TITLES:
        raise ValueError(f"no document template for {kind!r}")
    st = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=TITLES[kind],
        author=GRID_COMPANY_SHORT,
        subject=f"Заявка {d.number}",
    )
    story: list[Flowable] = [
        Paragraph(_esc(TITLES[kind]), st["title"]),
        Paragraph(f"по заявке {_esc(d.number)} от {_date(d.date)}", st["base"]),
        Spacer(1, 5 * mm),
        *_body(kind, d, st),
        Spacer(1, 4 * mm),
        _facts(d, st),
        Spacer(1, 10 * mm),
        _signatures(st, d.applicant_name),
        Spacer(1, 6 * mm),
        Paragraph(
            f"Документ сформирован в личном кабинете {_esc(GRID_COMPANY_SHORT)} {_date(d.date)}.",
            st["small"],
        ),
    ]
    doc.build(story)
    return buf.getvalue()


def filename(kind: str, number: str) -> str:
    slugs: dict[str, str] = {
        FileKind.CONTRACT: "dogovor",
        FileKind.INVOICE: "schet",
        FileKind.TECH_CONDITIONS: "tehusloviya",
        FileKind.ACT_METER: "akt-dopuska-pu",
        FileKind.ACT_TC: "akt-vypolneniya-tu",
        FileKind.ACT_CONNECTION: "akt-prisoedineniya",
    }
    slug = slugs.get(kind, "document")
    safe = "".join(c if c.isalnum() else "-" for c in number.replace("ТП", "TP"))
    return f"{slug}-{safe}.pdf"


def sample_pdf(title: str) -> bytes:
    """A one-line PDF (demo attachments such as a site plan)."""
    st = _styles()
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=title).build([Paragraph(_esc(title), st["title"])])
    return buf.getvalue()
