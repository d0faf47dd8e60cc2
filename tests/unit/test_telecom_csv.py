"""SIM card CSV: encodings, delimiters, BOM, Luhn, phone numbers, duplicates, bad rows, export."""

from __future__ import annotations

import pytest
from stdnum import luhn

from cabinet.telecom import csv_import as ci
from cabinet.telecom.csv_import import CsvFormatError, parse_sim_csv


def iccid(n: int, length: int = 19) -> str:
    body = f"8970199{n:0{length - 8}d}"
    return body + luhn.calc_check_digit(body)


GOOD = iccid(1)
GOOD2 = iccid(2, 20)


def test_semicolon_cp1251_russian_header_as_russian_excel_writes_it():
    text = (
        "ICCID;Номер телефона;Тариф;Партнёр;Статус\r\n"
        f"{GOOD};8 (916) 123-45-67;Базовый;ООО Связь;на складе\r\n"
        f"{GOOD2};+7 916 765-43-21;;;Активна\r\n"
    )
    result = parse_sim_csv(text.encode("cp1251"))
    assert result.ok, result.errors
    assert result.encoding == "Windows-1251"
    assert result.delimiter == ";"
    assert [r.msisdn for r in result.rows] == ["+79161234567", "+79167654321"]
    assert result.rows[0].tariff == "Базовый"
    assert result.rows[0].partner == "ООО Связь"
    assert [r.status for r in result.rows] == ["inactive", "active"]
    assert [r.row for r in result.rows] == [2, 3]


def test_comma_utf8_with_bom_and_english_header_in_another_order():
    text = f"Status,Phone,ICCID\n blocked ,9161234567,{GOOD}\n"
    result = parse_sim_csv(b"\xef\xbb\xbf" + text.encode())
    assert result.ok, result.errors
    assert result.encoding == "UTF-8 (BOM)"
    assert result.delimiter == ","
    assert result.rows[0].status == "blocked"
    assert result.rows[0].iccid == GOOD


def test_utf8_without_bom_and_tab_delimiter():
    text = f"iccid\tномер\n{GOOD}\t+79161234567\n"
    result = parse_sim_csv(text.encode())
    assert result.ok
    assert (result.encoding, result.delimiter) == ("UTF-8", "\t")
    assert result.rows[0].status == "inactive"  # no status column: a new SIM is inactive


def test_quoted_fields_with_the_delimiter_inside():
    text = f'ICCID;Номер;Партнёр\n{GOOD};+79161234567;"ООО ""Связь; и Ко"""\n'
    result = parse_sim_csv(text.encode())
    assert result.ok
    assert result.rows[0].partner == 'ООО "Связь; и Ко"'


def test_bad_luhn_check_digit_names_row_and_column():
    bad = GOOD[:-1] + str((int(GOOD[-1]) + 1) % 10)
    result = parse_sim_csv(f"ICCID;Номер\n{GOOD};+79161234567\n{bad};+79161234568\n".encode())
    assert not result.ok
    assert result.rows[0].iccid == GOOD
    [err] = result.errors
    assert (err.row, err.column) == (3, "ICCID")
    assert "Луна" in err.message


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "Не указан ICCID"),
        ("89701abc", "только из цифр"),
        ("897019900000000017", "19–20 цифр"),  # 18 digits
        ("8.97019E+18", "экспоненциальной"),
    ],
)
def test_iccid_problems_are_explained(value, fragment):
    iccid_value, message = ci.check_iccid(value)
    assert iccid_value == ""
    assert fragment in message


def test_iccid_with_spaces_is_accepted_as_digits():
    spaced = " ".join(GOOD[i : i + 4] for i in range(0, len(GOOD), 4))
    assert ci.check_iccid(spaced) == (GOOD, "")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("89161234567", "+79161234567"),
        ("+7 (916) 123-45-67", "+79161234567"),
        ("79161234567", "+79161234567"),
        ("9161234567", "+79161234567"),
        ("+375 29 123-45-67", "+375291234567"),
    ],
)
def test_phone_numbers_normalised_to_e164_with_russia_by_default(value, expected):
    assert ci.check_msisdn(value) == (expected, "")


@pytest.mark.parametrize("value", ["", "123", "телефон", "+7 000 000 00 00"])
def test_bad_phone_numbers_refused(value):
    number, message = ci.check_msisdn(value)
    assert number == ""
    assert message


def test_duplicates_inside_the_file_reported_on_the_later_row():
    text = (
        "ICCID;Номер\n"
        f"{GOOD};+79161234567\n"
        f"{GOOD2};8 916 123 45 67\n"  # same number written differently
        f"{GOOD};+79160000001\n"
    )
    result = parse_sim_csv(text.encode())
    msgs = {(e.row, e.column): e.message for e in result.errors}
    assert "строке 2" in msgs[(3, "Номер")]
    assert "строке 2" in msgs[(4, "ICCID")]
    assert [r.row for r in result.rows] == [2]


def test_unknown_status_and_wrong_field_count_and_blank_lines():
    text = (
        f"ICCID;Номер;Статус\n{GOOD};+79161234567;потеряна\n\n{GOOD2};+79161234568;active;лишнее\n"
    )
    result = parse_sim_csv(text.encode())
    assert result.total == 2
    assert result.error_count == 2
    status_err, width_err = result.errors
    assert (status_err.row, status_err.column) == (2, "Статус")
    assert (width_err.row, width_err.column) == (4, "")
    assert "3" in width_err.message


def test_missing_required_column_says_which():
    with pytest.raises(CsvFormatError) as err:
        parse_sim_csv(f"ICCID;Тариф\n{GOOD};Базовый\n".encode())
    assert "Номер" in err.value.message
    assert "Строка 1" in err.value.message


def test_comma_file_with_semicolon_header_guess_still_finds_columns_or_fails_clearly():
    with pytest.raises(CsvFormatError):
        parse_sim_csv(b"foo bar baz\n1 2 3\n")


@pytest.mark.parametrize(
    "data",
    [b"", "ICCID;Номер\n".encode(), b"\xff\xfeI\x00C\x00", b"%PDF-1.7\x00\x00binary"],
)
def test_empty_header_only_utf16_and_binary_files_refused(data):
    with pytest.raises(CsvFormatError) as err:
        parse_sim_csv(data)
    assert err.value.message


def test_progress_reported_while_reading():
    lines = ["ICCID;Номер"] + [f"{iccid(i)};+7916{i:07d}" for i in range(1, 51)]
    seen: list[int] = []
    result = parse_sim_csv("\n".join(lines).encode(), progress=seen.append, progress_every=20)
    assert result.ok
    assert seen == [20, 40]
    assert len(result.rows) == 50


def test_check_against_database_values():
    result = parse_sim_csv(
        f"ICCID;Номер;Тариф;Партнёр\n{GOOD};+79161234567;Базовый;Нет такого\n"
        f"{GOOD2};+79161234568;  базовый ;\n".encode()
    )
    errors = ci.check_against(
        result.rows,
        existing_iccids={GOOD2},
        existing_msisdns={"+79161234567"},
        tariffs={ci.norm_name("Базовый"): 1},
        partners={},
    )
    got = {(e.row, e.column) for e in errors}
    assert got == {(2, "Номер"), (2, "Партнёр"), (3, "ICCID")}


def test_export_reads_back_unchanged():
    rows = [
        {
            "iccid": GOOD,
            "msisdn": "+79161234567",
            "tariff": "Базовый",
            "partner": "=cmd|x",
            "status": "active",
        },
        {
            "iccid": GOOD2,
            "msisdn": "+79161234568",
            "tariff": "",
            "partner": "",
            "status": "inactive",
        },
    ]
    data = ci.export_sim_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"'=cmd" in data  # Excel does not run it as a formula
    back = parse_sim_csv(data)
    assert back.ok
    assert [
        {
            "iccid": r.iccid,
            "msisdn": r.msisdn,
            "tariff": r.tariff,
            "partner": r.partner,
            "status": r.status,
        }
        for r in back.rows
    ] == rows


def test_text_check_refuses_binary_uploads():
    assert ci.looks_like_text("ICCID;Номер\n".encode())
    assert not ci.looks_like_text(b"%PDF-1.7\n")
    assert not ci.looks_like_text(b"PK\x03\x04\x14\x00\x06\x00")
    assert not ci.looks_like_text(b"")


def test_update_mode_reads_the_columns_the_header_has():
    text = f"ICCID;Статус;Тариф\n{iccid(1)};;\n{iccid(2)};Заблокирована;Базовый\n"
    result = parse_sim_csv(text.encode(), mode="update")
    assert result.ok and result.present == ("iccid", "tariff", "status")
    assert [(r.iccid, r.msisdn, r.status, r.tariff) for r in result.rows] == [
        (iccid(1), "", "", ""),  # empty status: keep the stored one
        (iccid(2), "", "blocked", "Базовый"),
    ]
    with pytest.raises(CsvFormatError, match="ни одного столбца"):
        parse_sim_csv(f"ICCID\n{iccid(1)}\n".encode(), mode="update")
    bad = parse_sim_csv(f"ICCID;Номер\n{iccid(1)};\n".encode(), mode="update")
    assert [e.column for e in bad.errors] == ["Номер"]  # a number column needs every number


def test_delete_mode_reads_the_key_only_and_unknown_modes_are_refused():
    text = f"ICCID;Номер;Статус\n{iccid(1)};не номер;что-то\n{iccid(1)};;\n"
    result = parse_sim_csv(text.encode(), mode="delete")
    assert result.present == ("iccid",)
    assert [(e.row, e.column) for e in result.errors] == [(3, "ICCID")]  # the duplicate only
    with pytest.raises(CsvFormatError):
        parse_sim_csv(text.encode(), mode="truncate")
