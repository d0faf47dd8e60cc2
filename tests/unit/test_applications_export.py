"""Registry export files: CSV for Excel and XLSX, Cyrillic intact, no formula injection."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from cabinet.applications import export

HEADERS = ["Номер", "Объект"]
ROWS = [["ТП-2026-000001", "Котельная"], ["ТП-2026-000002", '=HYPERLINK("x")']]


def test_csv_has_a_bom_semicolons_and_defused_formulas():
    text = export.to_csv(HEADERS, ROWS)
    assert text.startswith("\ufeffНомер;Объект")
    assert "ТП-2026-000001;Котельная" in text
    assert "'=HYPERLINK" in text


def test_xlsx_opens_with_the_same_rows():
    data = export.to_xlsx(HEADERS, ROWS, title="Заявки")
    ws = load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0] == HEADERS
    assert values[1] == ["ТП-2026-000001", "Котельная"]
    assert values[2][1].startswith("'=")
    assert ws.title == "Заявки"
