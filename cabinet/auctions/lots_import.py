"""Lots from a CSV or XLSX file, as an organiser would prepare them in Excel.

`parse(data)` reads the file (XLSX by its zip signature, else CSV in UTF-8 — with or without
BOM — or Windows-1251, comma/semicolon/tab sniffed), maps a header row in Russian or English,
and validates every row with the same rules as the lot form. It returns the good rows and a
list of row/column errors in Russian for the preview; nothing is written here. The service's
`import_lots` writes the rows in one transaction only when the file had no errors.

Columns: Продукция (product), Количество (quantity), Ед. изм. (unit), Стартовая цена
(start_price), Валюта (currency), Условия поставки (delivery_terms).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cabinet.auctions import rules
from cabinet.errors import ValidationFailed

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

COLUMNS: dict[str, tuple[str, ...]] = {
    "product": ("продукция", "продукт", "наименование", "товар", "product", "name"),
    "quantity": ("количество", "кол-во", "кол.", "quantity", "qty"),
    "unit": ("ед. изм.", "ед.изм.", "ед изм", "единица", "единица измерения", "unit"),
    "start_price": ("стартовая цена", "начальная цена", "цена", "start price", "price"),
    "currency": ("валюта", "currency"),
    "delivery_terms": ("условия поставки", "базис поставки", "поставка", "delivery terms"),
}
LABELS = {
    "product": "Продукция",
    "quantity": "Количество",
    "unit": "Ед. изм.",
    "start_price": "Стартовая цена",
    "currency": "Валюта",
    "delivery_terms": "Условия поставки",
}
REQUIRED = ("product", "quantity", "start_price")
TEMPLATE_CSV = (
    "Продукция;Количество;Ед. изм.;Стартовая цена;Валюта;Условия поставки\r\n"
    "Труба 530×8 К52;120,5;т;7 850 000;RUB;FCA Выкса\r\n"
)


@dataclass(frozen=True)
class RowError:
    row: int  # the file's row number (the header is row 1)
    column: str  # the column's label, "" for the whole row/file
    message: str


@dataclass
class Preview:
    rows: list[rules.LotFields] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    total: int = 0  # data rows seen

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.errors


def _norm(text: object) -> str:
    return " ".join(str(text or "").replace("\ufeff", "").split()).lower().rstrip(":")


def _header_map(header: list[Any]) -> tuple[dict[str, int], list[RowError]]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        name = _norm(cell)
        for key, aliases in COLUMNS.items():
            if name in aliases and key not in found:
                found[key] = i
    missing = [LABELS[k] for k in REQUIRED if k not in found]
    errors = []
    if missing:
        errors.append(
            RowError(
                1,
                "",
                "В первой строке нет столбцов: "
                + ", ".join(missing)
                + ". Нужны: "
                + "; ".join(LABELS.values())
                + ".",
            )
        )
    return found, errors


def _cell(value: object) -> object:
    """XLSX numbers arrive as int/float; floats go through str (12.5 -> "12.5")."""
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, Decimal):
        return str(value)
    return "" if value is None else value


def _rows_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed("Не удалось прочитать файл Excel (XLSX).", field="file") from None
    ws = wb.worksheets[0]
    out = []
    for row in ws.iter_rows(values_only=True):
        out.append(list(row))
        if len(out) > MAX_ROWS + 1:
            break
    wb.close()
    return out


def _rows_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1251")
        except UnicodeDecodeError:
            raise ValidationFailed(
                "Файл не в кодировке UTF-8 или Windows-1251.", field="file"
            ) from None
    if "\x00" in text:
        raise ValidationFailed("Это не текстовый CSV-файл.", field="file")
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:

        class _Fallback(csv.excel):
            delimiter = ";" if sample.count(";") >= sample.count(",") else ","

        dialect = _Fallback
    reader = csv.reader(io.StringIO(text), dialect)
    out = []
    for row in reader:
        out.append(row)
        if len(out) > MAX_ROWS + 1:
            break
    return out


def parse(data: bytes, filename: str = "") -> Preview:
    """Read and check the file; never writes. Raises ValidationFailed for an unreadable file."""
    if not data:
        raise ValidationFailed("Файл пустой.", field="file")
    if len(data) > MAX_BYTES:
        raise ValidationFailed("Файл больше 2 МБ — разделите его на части.", field="file")
    is_xlsx = data[:4] == b"PK\x03\x04"
    if filename.lower().endswith(".xls") and not is_xlsx:
        raise ValidationFailed("Старый формат XLS не поддерживается — сохраните как XLSX.")
    table = _rows_xlsx(data) if is_xlsx else _rows_csv(data)
    table = [r for r in table if any(str(c or "").strip() for c in r)]
    preview = Preview()
    if not table:
        raise ValidationFailed("В файле нет строк.", field="file")
    cols, errors = _header_map(table[0])
    if errors:
        preview.errors = errors
        return preview
    body = table[1:]
    if len(body) > MAX_ROWS:
        preview.errors.append(RowError(0, "", f"Не больше {MAX_ROWS} лотов в одном файле."))
        return preview
    for n, raw in enumerate(body, start=2):
        preview.total += 1

        def get(key: str, raw: list[Any] = raw) -> object:
            i = cols.get(key)
            return _cell(raw[i]) if i is not None and i < len(raw) else ""

        try:
            preview.rows.append(
                rules.validate_lot(
                    get("product"),
                    get("quantity"),
                    get("unit"),
                    get("start_price"),
                    get("currency") or "RUB",
                    get("delivery_terms"),
                )
            )
        except ValidationFailed as e:
            preview.errors.append(RowError(n, LABELS.get(e.field or "", ""), e.message))
    return preview
