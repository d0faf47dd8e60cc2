"""Lots from CSV/XLSX: encodings, separators, Russian/English headers, row errors."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook  # type: ignore[import-untyped]

from cabinet.auctions import lots_import
from cabinet.errors import ValidationFailed

HEADER = "Продукция;Количество;Ед. изм.;Стартовая цена;Валюта;Условия поставки"


def test_semicolon_csv_in_windows_1251_as_excel_writes_it() -> None:
    text = HEADER + "\r\nТруба 530×8 К52;120,5;т;7 850 000;RUB;FCA Выкса\r\n"
    text = text.replace("×", "x")  # cp1251 has no multiplication sign
    p = lots_import.parse(text.encode("cp1251"), "lots.csv")
    assert p.ok and p.total == 1
    lot = p.rows[0]
    assert lot.product == "Труба 530x8 К52" and lot.quantity == Decimal("120.500")
    assert lot.start_price == Decimal("7850000.00") and lot.delivery_terms == "FCA Выкса"


def test_comma_csv_utf8_bom_english_header_defaults() -> None:
    text = "product,quantity,price\nSheet 10 mm,25,1500000.50\nCoil,3,99\n"
    p = lots_import.parse(("\ufeff" + text).encode(), "lots.csv")
    assert p.ok and len(p.rows) == 2
    assert p.rows[0].unit == "т" and p.rows[0].currency == "RUB"


def test_row_errors_name_row_and_column_and_nothing_is_returned_as_ok() -> None:
    text = (
        HEADER + "\n"
        "Труба;10;т;100000;RUB;\n"
        ";10;т;100000;RUB;\n"
        "Лист;-1;т;100000;RUB;\n"
        "Лист;1;т;сто;RUB;\n"
        "Лист;1;т;100;BTC;\n"
    )
    p = lots_import.parse(text.encode(), "x.csv")
    assert not p.ok and p.total == 5 and len(p.rows) == 1
    assert [(e.row, e.column) for e in p.errors] == [
        (3, "Продукция"),
        (4, "Количество"),
        (5, "Стартовая цена"),
        (6, "Валюта"),
    ]


def test_missing_columns_are_reported_on_the_header_row() -> None:
    p = lots_import.parse("Наименование;Цена\nТруба;100\n".encode(), "x.csv")
    assert not p.ok and p.errors[0].row == 1 and "Количество" in p.errors[0].message


def test_xlsx_with_numbers_as_numbers() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["Продукция", "Количество", "Ед. изм.", "Стартовая цена", "Валюта"])
    ws.append(["Труба 1020×12", 12.5, "т", 2500000, "RUB"])
    ws.append(["Отвод 90°", 40, "шт", 15000.75, "RUB"])
    buf = io.BytesIO()
    wb.save(buf)
    p = lots_import.parse(buf.getvalue(), "lots.xlsx")
    assert p.ok, p.errors
    assert [r.quantity for r in p.rows] == [Decimal("12.500"), Decimal("40.000")]
    assert p.rows[1].start_price == Decimal("15000.75") and p.rows[1].unit == "шт"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"", "x.csv"),
        (b"PK\x03\x04garbage", "x.xlsx"),
        (b"\xd0\xcf\x11\xe0old", "x.xls"),
        (b"a" * (lots_import.MAX_BYTES + 1), "x.csv"),
    ],
)
def test_unreadable_files_are_refused(data: bytes, name: str) -> None:
    with pytest.raises(ValidationFailed):
        lots_import.parse(data, name)


def test_template_parses() -> None:
    assert lots_import.parse(lots_import.TEMPLATE_CSV.encode("utf-8"), "t.csv").ok
