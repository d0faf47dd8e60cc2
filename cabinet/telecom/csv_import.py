"""SIM card CSV files as an operator's Excel writes and reads them. Pure: no DB, no Reflex.

Reading (`parse_sim_csv`): the bytes are UTF-8 (with or without a BOM) or Windows-1251; the
delimiter is a comma, a semicolon (Russian Excel) or a tab, sniffed from the header row; the
header names the columns in Russian or English in any order (ICCID, номер/телефон, тариф,
партнёр, статус). Each data row is checked: ICCID 19-20 digits with a valid Luhn check digit,
the phone number normalised to E.164 (Russia is the default region), the status a known one;
duplicates inside the file are reported on the later row. Errors name the row as Excel shows
it (the header is row 1), the column and a Russian message. Checks against the database
(existing ICCIDs/numbers, unknown tariffs/partners) are `check_against`, given plain sets.

Modes (`parse_sim_csv(..., mode=...)`, the job's `ImportMode`): "create" adds new cards (ICCID
and number required); "update" changes stored cards found by ICCID — only the columns the
header has (an empty tariff or partner cell clears it, an empty status keeps it; a number
column must not have empty cells); "delete" removes stored stock cards found by ICCID (the other
columns are ignored). `check_update` and `check_delete` judge the rows against the stored cards.

Writing (`export_sim_csv`): UTF-8 with a BOM, semicolons, the Russian header, status labels —
the same format reads back unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import phonenumbers
from stdnum import luhn

from models.telecom_admin import ImportMode

MAX_ROWS = 200_000
MAX_ERRORS = 1000  # errors kept for the preview; the count goes on
MAX_FIELD = 200

COL_ICCID = "iccid"
COL_MSISDN = "msisdn"
COL_TARIFF = "tariff"
COL_PARTNER = "partner"
COL_STATUS = "status"

COLUMN_LABELS: dict[str, str] = {
    COL_ICCID: "ICCID",
    COL_MSISDN: "Номер",
    COL_TARIFF: "Тариф",
    COL_PARTNER: "Партнёр",
    COL_STATUS: "Статус",
}
EXPORT_COLUMNS = (COL_ICCID, COL_MSISDN, COL_TARIFF, COL_PARTNER, COL_STATUS)
REQUIRED_COLUMNS = (COL_ICCID, COL_MSISDN)

MODE_REQUIRED: dict[str, tuple[str, ...]] = {  # the header's required columns per mode
    ImportMode.CREATE: REQUIRED_COLUMNS,
    ImportMode.UPDATE: (COL_ICCID,),
    ImportMode.DELETE: (COL_ICCID,),
}

_ALIASES: dict[str, str] = {}
for _col, _names in {
    COL_ICCID: ("iccid", "icc", "iccid сим-карты", "номер сим-карты", "sim", "sim iccid"),
    COL_MSISDN: (
        "номер",
        "телефон",
        "номер телефона",
        "абонентский номер",
        "msisdn",
        "phone",
        "phone number",
        "number",
        "тел",
    ),
    COL_TARIFF: ("тариф", "тарифный план", "tariff", "plan", "tariff plan"),
    COL_PARTNER: ("партнер", "партнёр", "partner", "дилер", "dealer"),
    COL_STATUS: ("статус", "состояние", "status", "state"),
}.items():
    for _name in _names:
        _ALIASES[re.sub(r"[\s_\-.]+", " ", _name.replace("ё", "е")).strip()] = _col

# SIM statuses a file may carry: canonical code ← accepted spellings.
STATUS_LABELS: dict[str, str] = {
    "inactive": "Неактивна",
    "active": "Активна",
    "blocked": "Заблокирована",
}
_STATUS_ALIASES: dict[str, str] = {}
for _code, _names in {
    "inactive": (
        "inactive",
        "неактивна",
        "неактивная",
        "не активна",
        "на складе",
        "склад",
        "новая",
        "stock",
        "new",
    ),
    "active": ("active", "активна", "активная", "активирована", "active sim"),
    "blocked": ("blocked", "заблокирована", "заблокированная", "блокирована", "блок"),
}.items():
    for _name in _names:
        _STATUS_ALIASES[_name.replace("ё", "е")] = _code
DEFAULT_STATUS = "inactive"  # models.telecom.SimStatus values

_EXCEL_NUMBER = re.compile(r"^\d([.,]\d+)?[eE]\+?\d+$")
_FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class RowError:
    row: int  # as Excel numbers it: the header is row 1
    column: str  # the column's label ("ICCID", "Номер", ...), or "" for the whole row
    message: str


@dataclass(frozen=True)
class SimRow:
    row: int
    iccid: str
    msisdn: str  # E.164
    tariff: str  # as written ("" = none)
    partner: str
    status: str  # canonical code ("" in update mode: keep the stored one)


@dataclass
class ParseResult:
    rows: list[SimRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    total: int = 0  # data rows read (blank lines not counted)
    encoding: str = ""
    delimiter: str = ""
    columns: list[str] = field(default_factory=list)
    present: tuple[str, ...] = ()  # the column codes the header has
    mode: str = ImportMode.CREATE

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and self.total > 0

    def add(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)


class CsvFormatError(ValueError):
    """The file as a whole cannot be read (encoding, no header, missing columns)."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


# -- single values ----------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def norm_name(value: str) -> str:
    """How tariff and partner names are compared: case, ё/е and spaces do not matter."""
    return re.sub(r"\s+", " ", value.replace("ё", "е").replace("Ё", "Е")).strip().casefold()


def check_iccid(value: str) -> tuple[str, str]:
    """(normalised ICCID, "") or ("", Russian error)."""
    raw = value.strip()
    if not raw:
        return "", "Не указан ICCID."
    if _EXCEL_NUMBER.match(raw):
        return "", (
            f"ICCID «{raw}» записан как число в экспоненциальной форме: Excel потерял цифры. "
            "Отформатируйте столбец как текст и выгрузите файл заново."
        )
    digits = re.sub(r"[\s\-]", "", raw)
    if not digits.isdigit() or not digits.isascii():
        return "", f"ICCID «{raw[:40]}» должен состоять только из цифр."
    if not 19 <= len(digits) <= 20:
        return "", f"ICCID должен содержать 19–20 цифр, а в «{digits}» их {len(digits)}."
    if not luhn.is_valid(digits):
        return "", f"ICCID «{digits}»: неверная контрольная цифра (алгоритм Луна)."
    return digits, ""


def check_msisdn(value: str, region: str = "RU") -> tuple[str, str]:
    """(E.164 number, "") or ("", Russian error)."""
    raw = value.strip()
    if not raw:
        return "", "Не указан номер телефона."
    if _EXCEL_NUMBER.match(raw):
        return "", f"Номер «{raw}» записан как число в экспоненциальной форме: цифры потеряны."
    fast = _fast_ru(raw) if region == "RU" else ""
    if fast:
        return fast, ""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return "", f"«{raw[:40]}» не похоже на номер телефона."
    if not phonenumbers.is_valid_number(number):
        return "", f"Номер «{raw[:40]}» не существует в плане нумерации."
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


_PLAIN_PHONE = re.compile(r"^\+?[\d\s()\-]{10,20}$")


def _fast_ru(raw: str) -> str:
    """E.164 of a plainly written Russian number (+7 / 8 / 7 / ten digits), checked against
    the numbering plan without the full parser (a CSV of 100,000 rows is mostly these); ""
    when the number is written otherwise or is not valid (the parser then explains)."""
    if not _PLAIN_PHONE.match(raw):
        return ""
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+"):
        national = digits[1:] if len(digits) == 11 and digits[0] == "7" else ""
    elif len(digits) == 11 and digits[0] in "78":
        national = digits[1:]
    else:
        national = digits if len(digits) == 10 else ""
    if not national or national[0] == "0":
        return ""
    number = phonenumbers.PhoneNumber(country_code=7, national_number=int(national))
    return "+7" + national if phonenumbers.is_valid_number(number) else ""


def check_status(value: str) -> tuple[str, str]:
    raw = value.strip()
    if not raw:
        return DEFAULT_STATUS, ""
    code = _STATUS_ALIASES.get(norm_name(raw))
    if code is None:
        known = ", ".join(STATUS_LABELS.values())
        return "", f"Неизвестный статус «{raw[:40]}». Допустимые: {known}."
    return code, ""


def _unformula(value: str) -> str:
    """Undo the apostrophe the export puts before text Excel would take for a formula."""
    if value.startswith("'") and value[1:2] in _FORMULA_START:
        return value[1:]
    return value


def _safe_cell(value: str) -> str:
    """Text that Excel must not run as a formula gets a leading apostrophe."""
    if value.startswith(_FORMULA_START) and not re.fullmatch(r"\+\d{6,15}", value):
        return "'" + value
    return value


# -- the file ---------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): UTF-8 with BOM, UTF-8, else Windows-1251."""
    if not data:
        raise CsvFormatError("Файл пустой.")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise CsvFormatError("Файл начинается как UTF-8, но содержит неверные байты.") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvFormatError(
            "Файл в кодировке UTF-16. Сохраните его как «CSV UTF-8» или «CSV (разделители — "
            "точка с запятой)»."
        )
    if b"\x00" in data[:65536]:
        raise CsvFormatError("Это не текстовый CSV-файл.")
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1251", errors="replace")
    if "\ufffd" in text:
        raise CsvFormatError("Не удалось определить кодировку: нужен UTF-8 или Windows-1251.")
    return text, "Windows-1251"


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of the header row: ; , or tab — whichever splits it most."""
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    if counts[best] == 0:
        return ";"
    return best


def map_header(cells: list[str], required: tuple[str, ...] = REQUIRED_COLUMNS) -> dict[str, int]:
    """{column code: index} from the header cells; raises CsvFormatError naming the problem."""
    found: dict[str, int] = {}
    unknown: list[str] = []
    for i, cell in enumerate(cells):
        name = re.sub(r"[\s_\-.]+", " ", cell.strip().lstrip("\ufeff").replace("ё", "е").lower())
        name = name.strip(" *")
        if not name:
            continue
        code = _ALIASES.get(name)
        if code is None:
            unknown.append(cell.strip())
            continue
        if code in found:
            raise CsvFormatError(
                f"Строка 1: столбец «{COLUMN_LABELS[code]}» указан в заголовке дважды."
            )
        found[code] = i
    missing = [COLUMN_LABELS[c] for c in required if c not in found]
    if missing:
        hint = (
            f" Неизвестные столбцы: {', '.join(repr(u) for u in unknown[:5])}." if unknown else ""
        )
        raise CsvFormatError(
            "Строка 1: в заголовке нет обязательных столбцов: "
            + ", ".join(missing)
            + "."
            + hint
            + " Ожидаются: ICCID; Номер; Тариф; Партнёр; Статус."
        )
    return found


def parse_sim_csv(
    data: bytes,
    *,
    mode: str = ImportMode.CREATE,
    region: str = "RU",
    progress: Callable[[int], None] | None = None,
    progress_every: int = 2000,
) -> ParseResult:
    """Read and check every row; never raises for a bad row (it becomes a RowError).

    Raises CsvFormatError when the file as a whole is unreadable.
    """
    if mode not in MODE_REQUIRED:
        raise CsvFormatError("Неизвестный режим импорта.")
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    result = ParseResult(encoding=encoding, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise CsvFormatError("Файл пустой.") from exc
    except csv.Error as exc:
        raise CsvFormatError(f"Строка 1: файл не читается как CSV ({exc}).") from exc
    cols = map_header(header, MODE_REQUIRED[mode])
    if mode == ImportMode.DELETE:  # only the key matters: the other columns are not read
        cols = {COL_ICCID: cols[COL_ICCID]}
    if mode == ImportMode.UPDATE and len(cols) == 1:
        raise CsvFormatError(
            "Строка 1: кроме ICCID в файле нет ни одного столбца, который можно изменить "
            "(номер, тариф, партнёр, статус)."
        )
    result.columns = [COLUMN_LABELS[c] for c in EXPORT_COLUMNS if c in cols]
    result.present = tuple(c for c in EXPORT_COLUMNS if c in cols)
    result.mode = mode
    has_msisdn = COL_MSISDN in cols
    keep_status = mode != ImportMode.CREATE
    seen_iccid: dict[str, int] = {}
    seen_msisdn: dict[str, int] = {}
    width = len(header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.total += 1
            result.add(RowError(reader.line_num, "", f"Строка не читается как CSV: {exc}."))
            continue
        row_no = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        result.total += 1
        if result.total > MAX_ROWS:
            raise CsvFormatError(
                f"В файле больше {MAX_ROWS:,} строк; разделите его на части.".replace(",", " ")
            )
        if progress is not None and result.total % progress_every == 0:
            progress(result.total)
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            result.add(
                RowError(
                    row_no,
                    "",
                    f"В строке {len(cells)} полей, а в заголовке {width}: "
                    f"проверьте разделитель «{delimiter}» и кавычки.",
                )
            )
            continue

        def cell(code: str, cells: list[str] = cells) -> str:
            i = cols.get(code)
            if i is None or i >= len(cells):
                return ""
            return _unformula(cells[i].strip())

        row_errors: list[RowError] = []
        values: dict[str, str] = {}
        for code in EXPORT_COLUMNS:
            value = cell(code)
            if len(value) > MAX_FIELD:
                row_errors.append(
                    RowError(
                        row_no, COLUMN_LABELS[code], f"Слишком длинное значение ({len(value)})"
                    )
                )
                value = ""
            values[code] = value
        iccid, err = check_iccid(values[COL_ICCID])
        if err:
            row_errors.append(RowError(row_no, "ICCID", err))
        msisdn = ""
        if has_msisdn:
            msisdn, err = check_msisdn(values[COL_MSISDN], region)
            if err:
                row_errors.append(RowError(row_no, "Номер", err))
        if keep_status and not values[COL_STATUS]:
            status = ""  # update: an empty status keeps the stored one (delete: not read)
        else:
            status, err = check_status(values[COL_STATUS])
            if err:
                row_errors.append(RowError(row_no, "Статус", err))
        if iccid:
            if iccid in seen_iccid:
                row_errors.append(
                    RowError(
                        row_no, "ICCID", f"ICCID {iccid} уже есть в строке {seen_iccid[iccid]}."
                    )
                )
            else:
                seen_iccid[iccid] = row_no
        if msisdn:
            if msisdn in seen_msisdn:
                row_errors.append(
                    RowError(
                        row_no, "Номер", f"Номер {msisdn} уже есть в строке {seen_msisdn[msisdn]}."
                    )
                )
            else:
                seen_msisdn[msisdn] = row_no
        if row_errors:
            for e in row_errors:
                result.add(e)
            continue
        result.rows.append(
            SimRow(
                row=row_no,
                iccid=iccid,
                msisdn=msisdn,
                tariff=values[COL_TARIFF],
                partner=values[COL_PARTNER],
                status=status,
            )
        )
    if result.total == 0:
        raise CsvFormatError("В файле нет ни одной строки с данными после заголовка.")
    return result


def check_against(
    rows: Iterable[SimRow],
    *,
    existing_iccids: set[str],
    existing_msisdns: set[str],
    tariffs: Mapping[str, object],
    partners: Mapping[str, object],
) -> list[RowError]:
    """Row errors against what the database holds. `tariffs`/`partners` are keyed by
    norm_name(name); the existing sets hold those of the file's values already stored."""
    errors: list[RowError] = []
    for r in rows:
        if r.iccid in existing_iccids:
            errors.append(RowError(r.row, "ICCID", f"Сим-карта с ICCID {r.iccid} уже есть в базе."))
        if r.msisdn in existing_msisdns:
            errors.append(RowError(r.row, "Номер", f"Номер {r.msisdn} уже есть в базе."))
        errors += reference_errors(r, tariffs=tariffs, partners=partners)
    return errors


def reference_errors(
    r: SimRow, *, tariffs: Mapping[str, object], partners: Mapping[str, object]
) -> list[RowError]:
    """The row's tariff and partner that no dictionary entry has (empty cells are fine)."""
    errors = []
    if r.tariff and norm_name(r.tariff) not in tariffs:
        errors.append(RowError(r.row, "Тариф", f"Тариф «{r.tariff}» не найден."))
    if r.partner and norm_name(r.partner) not in partners:
        errors.append(RowError(r.row, "Партнёр", f"Партнёр «{r.partner}» не найден."))
    return errors


def export_sim_csv(rows: Iterable[Mapping[str, str]]) -> bytes:
    """UTF-8 with BOM, `;`, Russian header; rows carry iccid, msisdn, tariff, partner, status
    (status as a code). `parse_sim_csv` reads it back unchanged."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([COLUMN_LABELS[c] for c in EXPORT_COLUMNS])
    for r in rows:
        writer.writerow(
            [
                r.get(COL_ICCID, ""),
                r.get(COL_MSISDN, ""),
                _safe_cell(r.get(COL_TARIFF, "") or ""),
                _safe_cell(r.get(COL_PARTNER, "") or ""),
                STATUS_LABELS.get(r.get(COL_STATUS, "") or "", r.get(COL_STATUS, "") or ""),
            ]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def looks_like_text(head: bytes) -> bool:
    """A cheap check of an upload's first bytes: text, not a known binary format."""
    import filetype  # type: ignore[import-untyped]

    if not head or b"\x00" in head:
        return False
    return filetype.guess(head) is None
