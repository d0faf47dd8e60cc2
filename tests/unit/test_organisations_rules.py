"""Counterparty validators, field sets per kind and the link-request workflow table."""

from __future__ import annotations

from datetime import date

import pytest

from cabinet.errors import ValidationFailed
from cabinet.organisations import rules
from cabinet.organisations.rules import (
    KIND_FIELDS,
    LINK_WORKFLOW,
    CounterpartyInvalid,
    InvalidTransition,
    clean_comment,
    clean_counterparty,
    counterparty_errors,
    link_actions,
    link_step,
    snils_check_digits,
    validate_inn,
    validate_issue_date,
    validate_kpp,
    validate_ogrn,
    validate_ogrnip,
    validate_snils,
)
from models.organisations import CounterpartyKind, LinkAction, LinkStatus


@pytest.mark.parametrize("value", ["7707083893", "500100732259", " 7707083893 ", "7728168971"])
def test_valid_inn_passes(value):
    assert validate_inn(value) == value.strip()


@pytest.mark.parametrize(
    ("value", "length", "fragment"),
    [
        ("", None, "Укажите ИНН"),
        ("77070838", None, "10 или 12 цифр, введено 8"),
        ("77070838931", None, "введено 11"),
        ("770708389A", None, "только цифры"),
        ("7707083894", None, "контрольное число"),
        ("500100732258", None, "контрольное число"),
        ("500100732259", 10, "10 цифр, введено 12"),
        ("7707083893", 12, "12 цифр, введено 10"),
    ],
)
def test_invalid_inn_says_what_is_wrong(value, length, fragment):
    with pytest.raises(ValidationFailed) as e:
        validate_inn(value, length=length)
    assert fragment in e.value.message
    assert e.value.field == "inn"


@pytest.mark.parametrize("value", ["773601001", "7736AB001", "770401001"])
def test_valid_kpp_passes(value):
    assert validate_kpp(value) == value


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "Укажите КПП"),
        ("77360100", "9 символов"),
        ("77360100A", "9 цифр"),
        ("A73601001", "9 цифр"),
    ],
)
def test_invalid_kpp_is_refused(value, fragment):
    with pytest.raises(ValidationFailed) as e:
        validate_kpp(value)
    assert fragment in e.value.message


@pytest.mark.parametrize("value", ["1027700132195", "1027700067328", "1027739850962"])
def test_valid_ogrn_passes(value):
    assert validate_ogrn(value) == value


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("102770013219", "13 цифр, введено 12"),
        ("1027700132196", "контрольное число"),
        ("0027700132195", "начинаться"),
        ("10277001321X5", "только цифры"),
        ("304500116000157", "13 цифр, введено 15"),
    ],
)
def test_invalid_ogrn_is_refused(value, fragment):
    with pytest.raises(ValidationFailed) as e:
        validate_ogrn(value)
    assert fragment in e.value.message


@pytest.mark.parametrize("value", ["304500116000157", "385768585948949"])
def test_valid_ogrnip_passes(value):
    assert validate_ogrnip(value) == value


def test_ogrnip_with_remainder_ten_is_accepted():
    # 14 leading digits whose remainder mod 13 is 10..12 → check digit 0..2.
    base = next(n for n in range(30450011600000, 30450011600100) if n % 13 >= 10)
    number = f"{base}{base % 13 % 10}"
    assert validate_ogrnip(number) == number


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("304500116000158", "контрольное число"),
        ("30450011600015", "15 цифр, введено 14"),
        ("1027700132195", "15 цифр, введено 13"),
        ("504500116000157", "начинаться"),
    ],
)
def test_invalid_ogrnip_is_refused(value, fragment):
    with pytest.raises(ValidationFailed) as e:
        validate_ogrnip(value)
    assert fragment in e.value.message


@pytest.mark.parametrize("value", ["112-233-445 95", "11223344595", "087-654-303 00"])
def test_valid_snils_passes_and_is_formatted(value):
    out = validate_snils(value)
    assert len(out) == 14 and out[3] == "-" and out[11] == " "


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("112-233-445 96", "контрольное число"),
        ("112-233-445", "11 цифр, введено 9"),
        ("112-233-445 9A", "только цифры"),
        ("", "Укажите СНИЛС"),
    ],
)
def test_invalid_snils_is_refused(value, fragment):
    with pytest.raises(ValidationFailed) as e:
        validate_snils(value)
    assert fragment in e.value.message


def test_snils_checksum_wraps_at_101():
    assert snils_check_digits("112233445") == "95"
    assert snils_check_digits("087654303") == "00"


@pytest.mark.parametrize(
    ("value", "out"), [("01.02.2015", "2015-02-01"), ("2015-02-01", "2015-02-01")]
)
def test_issue_date_is_stored_as_iso(value, out):
    assert validate_issue_date(value, today=date(2026, 1, 1)) == out


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("31.02.2015", "такой даты нет"), ("1.2.2015", "ДД.ММ.ГГГГ"), ("01.01.2030", "будущем")],
)
def test_bad_issue_date_is_refused(value, fragment):
    with pytest.raises(ValidationFailed) as e:
        validate_issue_date(value, today=date(2026, 1, 1))
    assert fragment in e.value.message


LEGAL = {
    "name": 'ООО "Ромашка"',
    "inn": "7707083893",
    "kpp": "773601001",
    "ogrn": "1027700132195",
    "legal_address": "Москва",
}
SOLE = {"name": "Иванов Иван", "inn": "500100732259", "ogrn": "304500116000157"}
PERSON = {
    "name": "Петров Пётр",
    "inn": "500100732259",
    "snils": "11223344595",
    "passport_series": "4510",
    "passport_number": "123456",
    "passport_issued_by": "ОВД",
    "passport_issued_at": "01.02.2015",
    "address": "Москва",
}


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        (CounterpartyKind.LEGAL, LEGAL),
        (CounterpartyKind.SOLE, SOLE),
        (CounterpartyKind.PERSON, PERSON),
    ],
)
def test_each_kind_validates_its_own_fields_and_blanks_the_others(kind, data):
    out = clean_counterparty(kind, {**data, "kpp": data.get("kpp", "999999999")})
    assert out["kind"] == kind
    own = {f.key for f in KIND_FIELDS[kind]}
    assert all(out[k] == "" for k in rules.ALL_FIELD_KEYS if k not in own)


def test_legal_entity_collects_an_error_per_field():
    _, errors = counterparty_errors(
        "legal", {**LEGAL, "inn": "500100732259", "kpp": "1", "name": ""}
    )
    assert set(errors) == {"inn", "kpp", "name"}
    assert "10 цифр" in errors["inn"]


def test_sole_proprietor_needs_ogrnip_not_ogrn():
    with pytest.raises(CounterpartyInvalid) as e:
        clean_counterparty("sole", {**SOLE, "ogrn": "1027700132195"})
    assert e.value.field == "ogrn" and "ОГРНИП" in e.value.message


def test_unknown_kind_is_refused():
    _, errors = counterparty_errors("company", LEGAL)
    assert "kind" in errors


def test_over_long_name_is_refused():
    _, errors = counterparty_errors("legal", {**LEGAL, "name": "Я" * 301})
    assert "300" in errors["name"]


@pytest.mark.parametrize("status", list(LinkStatus))
@pytest.mark.parametrize("action", [a for a in LinkAction if a != LinkAction.CREATE])
def test_only_pending_requests_can_be_decided_or_cancelled(status, action):
    if status == LinkStatus.PENDING:
        assert link_step(status, action) == LINK_WORKFLOW[(status, action)]
        assert action in link_actions(status)
    else:
        with pytest.raises(InvalidTransition):
            link_step(status, action)
        assert link_actions(status) == []


def test_reject_needs_a_comment_and_approve_does_not():
    assert link_step("pending", "reject").needs_comment
    assert not link_step("pending", "approve").needs_comment
    with pytest.raises(ValidationFailed):
        clean_comment("   ", required=True)
    assert clean_comment(" ok ", required=True) == "ok"
    with pytest.raises(ValidationFailed):
        clean_comment("x" * 1001, required=False)
