"""Counterparty rules: field sets per kind, number validators, the link-request workflow.

Pure: no database, no Reflex. The form reads KIND_FIELDS to show each kind's own fields; the
service reads the same table to validate. INN and OGRN/OGRNIP check digits come from
python-stdnum; KPP and SNILS (not covered by stdnum) are checked here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from cabinet.access.rules import BuiltinRole, Perm
from cabinet.errors import DomainError, ValidationFailed
from models.organisations import CounterpartyKind, LinkAction, LinkStatus

# --------------------------------------------------------------------------- field sets


@dataclass(frozen=True)
class FieldSpec:
    key: str  # Organisation column
    label_ru: str
    label_en: str
    placeholder: str = ""
    max_len: int = 300
    required: bool = True
    multiline: bool = False


KIND_LABELS: dict[CounterpartyKind, tuple[str, str]] = {
    CounterpartyKind.LEGAL: ("Юридическое лицо", "Legal entity"),
    CounterpartyKind.SOLE: ("Индивидуальный предприниматель", "Sole proprietor"),
    CounterpartyKind.PERSON: ("Физическое лицо", "Individual"),
}

_NAME = FieldSpec("name", "Наименование", "Name", 'ООО "Ромашка"', 300)
_FIO = FieldSpec("name", "ФИО", "Full name", "Иванов Иван Иванович", 300)
_INN10 = FieldSpec("inn", "ИНН (10 цифр)", "INN (10 digits)", "7707083893", 10)
_INN12 = FieldSpec("inn", "ИНН (12 цифр)", "INN (12 digits)", "500100732259", 12)

KIND_FIELDS: dict[CounterpartyKind, tuple[FieldSpec, ...]] = {
    CounterpartyKind.LEGAL: (
        _NAME,
        _INN10,
        FieldSpec("kpp", "КПП", "KPP", "773601001", 9),
        FieldSpec("ogrn", "ОГРН (13 цифр)", "OGRN (13 digits)", "1027700132195", 13),
        FieldSpec(
            "legal_address",
            "Юридический адрес",
            "Legal address",
            "117997, г. Москва, ул. Вавилова, д. 19",
            500,
            multiline=True,
        ),
    ),
    CounterpartyKind.SOLE: (
        _FIO,
        _INN12,
        FieldSpec("ogrn", "ОГРНИП (15 цифр)", "OGRNIP (15 digits)", "304500116000157", 15),
        FieldSpec("address", "Адрес", "Address", "", 500, required=False, multiline=True),
    ),
    CounterpartyKind.PERSON: (
        _FIO,
        _INN12,
        FieldSpec("snils", "СНИЛС", "SNILS", "112-233-445 95", 14),
        FieldSpec("passport_series", "Серия паспорта", "Passport series", "4510", 4),
        FieldSpec("passport_number", "Номер паспорта", "Passport number", "123456", 6),
        FieldSpec("passport_issued_by", "Кем выдан", "Issued by", "", 300),
        FieldSpec("passport_issued_at", "Дата выдачи", "Date of issue", "ДД.ММ.ГГГГ", 10),
        FieldSpec("address", "Адрес регистрации", "Registered address", "", 500, multiline=True),
    ),
}

# Every Organisation column any kind can fill (the other kinds' columns are cleared).
ALL_FIELD_KEYS: tuple[str, ...] = tuple(
    dict.fromkeys(f.key for fields in KIND_FIELDS.values() for f in fields)
)


def kind_of(value: str) -> CounterpartyKind:
    try:
        return CounterpartyKind(value)
    except ValueError:
        raise ValidationFailed("Выберите тип контрагента.", field="kind") from None


def fields_for(kind: str) -> tuple[FieldSpec, ...]:
    return KIND_FIELDS[kind_of(kind)]


# --------------------------------------------------------------------------- validators


def _digits_only(value: str, field: str, title: str) -> str:
    v = re.sub(r"[\s-]", "", value or "")
    if not v:
        raise ValidationFailed(f"Укажите {title}.", field=field)
    if not v.isdigit():
        raise ValidationFailed(f"{title}: допустимы только цифры.", field=field)
    return v


def validate_inn(value: str, *, length: int | None = None, field: str = "inn") -> str:
    """INN of 10 (organisation) or 12 (person, sole proprietor) digits with check digits."""
    v = _digits_only(value, field, "ИНН")
    allowed = (length,) if length else (10, 12)
    if len(v) not in allowed:
        want = " или ".join(str(n) for n in allowed)
        raise ValidationFailed(f"ИНН должен содержать {want} цифр, введено {len(v)}.", field=field)
    try:
        return str(stdnum_inn.validate(v))
    except InvalidChecksum:
        raise ValidationFailed(
            "ИНН: неверное контрольное число — проверьте цифры.", field=field
        ) from None
    except (InvalidFormat, InvalidLength):
        raise ValidationFailed("ИНН указан неверно.", field=field) from None


def validate_kpp(value: str, *, field: str = "kpp") -> str:
    """KPP: 9 characters — 4 digits (tax office), 2 digits or capital letters (reason), 3 digits."""
    v = re.sub(r"\s", "", value or "").upper()
    if not v:
        raise ValidationFailed("Укажите КПП.", field=field)
    if len(v) != 9:
        raise ValidationFailed(f"КПП должен содержать 9 символов, введено {len(v)}.", field=field)
    if not re.fullmatch(r"\d{4}[\dA-Z]{2}\d{3}", v):
        raise ValidationFailed(
            "КПП: 9 цифр (в 5–6 позициях допустимы заглавные латинские буквы).", field=field
        )
    return v


def _ogrn(value: str, length: int, field: str, title: str) -> str:
    v = _digits_only(value, field, title)
    if len(v) != length:
        raise ValidationFailed(
            f"{title} должен содержать {length} цифр, введено {len(v)}.", field=field
        )
    try:
        return str(stdnum_ogrn.validate(v))
    except InvalidComponent:
        first = "1 или 5" if length == 13 else "3"
        raise ValidationFailed(f"{title} должен начинаться с цифры {first}.", field=field) from None
    except InvalidChecksum:
        # stdnum 2.2 compares the OGRNIP check digit with (number mod 13) without the final
        # "mod 10", so remainders 10-12 (check digits 0-2) are refused there; accept them.
        if length == 15 and str(int(v[:-1]) % 13 % 10) == v[-1]:
            return v
        raise ValidationFailed(
            f"{title}: неверное контрольное число — проверьте цифры.", field=field
        ) from None
    except (InvalidFormat, InvalidLength):
        raise ValidationFailed(f"{title} указан неверно.", field=field) from None


def validate_ogrn(value: str, *, field: str = "ogrn") -> str:
    """OGRN of a legal entity: 13 digits, first 1 or 5, check digit = mod 11 mod 10."""
    v = _ogrn(value, 13, field, "ОГРН")
    if v[0] not in "15":
        raise ValidationFailed("ОГРН должен начинаться с цифры 1 или 5.", field=field)
    return v


def validate_ogrnip(value: str, *, field: str = "ogrn") -> str:
    """OGRNIP of a sole proprietor: 15 digits, first 3, check digit = mod 13 mod 10."""
    v = _ogrn(value, 15, field, "ОГРНИП")
    if v[0] != "3":
        raise ValidationFailed("ОГРНИП должен начинаться с цифры 3.", field=field)
    return v


def snils_check_digits(first9: str) -> str:
    """The two check digits of a SNILS from its first nine digits."""
    total = sum(int(d) * (9 - i) for i, d in enumerate(first9))
    if total > 101:
        total %= 101
    return "00" if total in (100, 101) else f"{total:02d}"


def validate_snils(value: str, *, field: str = "snils") -> str:
    """SNILS: 11 digits (shown as 123-456-789 01) with a two-digit checksum."""
    v = _digits_only(value, field, "СНИЛС")
    if len(v) != 11:
        raise ValidationFailed(f"СНИЛС должен содержать 11 цифр, введено {len(v)}.", field=field)
    # The checksum is defined only for numbers above 001-001-998.
    if int(v[:9]) > 1001998 and snils_check_digits(v[:9]) != v[9:]:
        raise ValidationFailed("СНИЛС: неверное контрольное число — проверьте цифры.", field=field)
    return f"{v[0:3]}-{v[3:6]}-{v[6:9]} {v[9:11]}"


def validate_passport_series(value: str, *, field: str = "passport_series") -> str:
    v = _digits_only(value, field, "серию паспорта")
    if len(v) != 4:
        raise ValidationFailed("Серия паспорта — 4 цифры.", field=field)
    return v


def validate_passport_number(value: str, *, field: str = "passport_number") -> str:
    v = _digits_only(value, field, "номер паспорта")
    if len(v) != 6:
        raise ValidationFailed("Номер паспорта — 6 цифр.", field=field)
    return v


def validate_issue_date(
    value: str, *, today: date | None = None, field: str = "passport_issued_at"
) -> str:
    """A date as ДД.ММ.ГГГГ or ГГГГ-ММ-ДД, not in the future; stored as ISO ГГГГ-ММ-ДД."""
    v = (value or "").strip()
    if not v:
        raise ValidationFailed("Укажите дату выдачи паспорта.", field=field)
    m = re.fullmatch(r"(\d{2})\.(\d{2})\.(\d{4})", v) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", v)
    if not m:
        raise ValidationFailed("Дата выдачи: формат ДД.ММ.ГГГГ.", field=field)
    a, b, c = m.groups()
    y, mo, d = (int(c), int(b), int(a)) if len(a) == 2 else (int(a), int(b), int(c))
    try:
        issued = date(y, mo, d)
    except ValueError:
        raise ValidationFailed("Дата выдачи: такой даты нет.", field=field) from None
    if issued > (today or date.today()):  # noqa: DTZ011 (a calendar date, not a moment)
        raise ValidationFailed("Дата выдачи не может быть в будущем.", field=field)
    if issued.year < 1997:
        raise ValidationFailed("Дата выдачи: паспорта РФ выдаются с 1997 года.", field=field)
    return issued.isoformat()


def _text(value: str, spec: FieldSpec) -> str:
    v = " ".join((value or "").split())
    if not v and spec.required:
        raise ValidationFailed(f"Заполните поле «{spec.label_ru}».", field=spec.key)
    if len(v) > spec.max_len:
        raise ValidationFailed(
            f"Поле «{spec.label_ru}»: не длиннее {spec.max_len} символов.", field=spec.key
        )
    return v


def _check_field(kind: CounterpartyKind, spec: FieldSpec, value: str) -> str:
    if spec.key == "inn":
        return validate_inn(value, length=spec.max_len)
    if spec.key == "kpp":
        return validate_kpp(value)
    if spec.key == "ogrn":
        return validate_ogrn(value) if kind == CounterpartyKind.LEGAL else validate_ogrnip(value)
    if spec.key == "snils":
        return validate_snils(value)
    if spec.key == "passport_series":
        return validate_passport_series(value)
    if spec.key == "passport_number":
        return validate_passport_number(value)
    if spec.key == "passport_issued_at":
        return validate_issue_date(value)
    return _text(value, spec)


def counterparty_errors(kind: str, data: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """Check every field of `kind`: (clean values, {field: Russian message})."""
    try:
        k = kind_of(kind)
    except ValidationFailed as e:
        return {}, {"kind": e.message}
    clean: dict[str, str] = {}
    errors: dict[str, str] = {}
    for spec in KIND_FIELDS[k]:
        try:
            clean[spec.key] = _check_field(k, spec, str(data.get(spec.key, "") or ""))
        except ValidationFailed as e:
            errors[spec.key] = e.message
    return clean, errors


class CounterpartyInvalid(ValidationFailed):
    """Several fields are wrong; `errors` maps each to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors))
        super().__init__(errors[first], field=first)
        self.errors = errors


def clean_counterparty(kind: str, data: dict[str, str]) -> dict[str, str]:
    """Validated column values for an Organisation of `kind` (other kinds' columns blanked)."""
    clean, errors = counterparty_errors(kind, data)
    if errors:
        raise CounterpartyInvalid(errors)
    out = dict.fromkeys(ALL_FIELD_KEYS, "")
    out.update(clean)
    out["kind"] = str(kind_of(kind))
    return out


def kind_for_inn(inn: str) -> CounterpartyKind:
    """The default kind for an INN: 10 digits → legal entity, 12 → sole proprietor."""
    return CounterpartyKind.LEGAL if len(inn) == 10 else CounterpartyKind.SOLE


def kinds_for_inn(inn: str) -> tuple[CounterpartyKind, ...]:
    if len(inn) == 10:
        return (CounterpartyKind.LEGAL,)
    return (CounterpartyKind.SOLE, CounterpartyKind.PERSON)


# --------------------------------------------------------------------------- link workflow


class InvalidTransition(DomainError):
    default = "Это действие с запросом сейчас недоступно."


@dataclass(frozen=True)
class Step:
    to: LinkStatus
    perm: Perm | None  # None: the requester themself
    needs_comment: bool = False


LINK_WORKFLOW: dict[tuple[LinkStatus, LinkAction], Step] = {
    (LinkStatus.PENDING, LinkAction.APPROVE): Step(LinkStatus.APPROVED, Perm.LINKS_DECIDE),
    (LinkStatus.PENDING, LinkAction.REJECT): Step(
        LinkStatus.REJECTED, Perm.LINKS_DECIDE, needs_comment=True
    ),
    (LinkStatus.PENDING, LinkAction.CANCEL): Step(LinkStatus.CANCELLED, None),
}


def link_step(status: str, action: str) -> Step:
    try:
        return LINK_WORKFLOW[(LinkStatus(status), LinkAction(action))]
    except (KeyError, ValueError):
        raise InvalidTransition("Запрос уже рассмотрен или отменён.") from None


def link_actions(status: str) -> list[str]:
    """Actions the workflow allows from `status` (the pages show these buttons)."""
    return [str(a) for (s, a) in LINK_WORKFLOW if s == status]


# Roles a manager may grant when approving a request.
GRANTABLE_ROLES: tuple[BuiltinRole, ...] = (BuiltinRole.CUSTOMER, BuiltinRole.CUSTOMER_ADMIN)

STATUS_LABELS: dict[str, tuple[str, str]] = {
    LinkStatus.PENDING: ("На рассмотрении", "Pending"),
    LinkStatus.APPROVED: ("Одобрен", "Approved"),
    LinkStatus.REJECTED: ("Отклонён", "Rejected"),
    LinkStatus.CANCELLED: ("Отменён", "Cancelled"),
}

ACTION_LABELS: dict[str, tuple[str, str]] = {
    LinkAction.CREATE: ("Запрос отправлен", "Request sent"),
    LinkAction.APPROVE: ("Одобрен", "Approved"),
    LinkAction.REJECT: ("Отклонён", "Rejected"),
    LinkAction.CANCEL: ("Отменён пользователем", "Cancelled by the user"),
}

MAX_COMMENT = 1000
MAX_MESSAGE = 1000


def clean_comment(value: str, *, required: bool, field: str = "comment") -> str:
    v = (value or "").strip()
    if required and not v:
        raise ValidationFailed("Укажите причину отказа в комментарии.", field=field)
    if len(v) > MAX_COMMENT:
        raise ValidationFailed(f"Комментарий: не длиннее {MAX_COMMENT} символов.", field=field)
    return v
