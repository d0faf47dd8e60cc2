"""The application workflow table and the form's checks (no DB)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from cabinet.access.rules import BUILTIN_ROLES, BuiltinRole, Perm
from cabinet.applications import rules
from cabinet.applications.rules import TRANSITIONS, Action, InvalidTransition, Side
from cabinet.errors import ValidationFailed
from models.applications import AppStatus, FileKind
from models.organisations import CounterpartyKind

ALL_PAIRS = list(itertools.product(AppStatus, Action))


def test_there_are_22_statuses_with_labels_and_next_steps():
    assert len(AppStatus) == 22
    for st in AppStatus:
        assert rules.STATUS_LABELS[st][0] and rules.STATUS_LABELS[st][1]
        assert rules.NEXT_STEP[st][0] and rules.NEXT_STEP[st][1]


def test_every_action_has_a_label_and_is_used():
    used = {act for _, act in TRANSITIONS}
    assert used == set(Action)
    assert set(rules.ACTION_LABELS) == set(Action)


def _extra(step: rules.Step) -> dict[str, object]:
    return {"comment": "причина", "has_file": True, "confirmed": True}


@pytest.mark.parametrize(("status", "action"), ALL_PAIRS, ids=lambda v: str(v))
def test_every_status_action_pair_goes_where_declared_or_is_refused(status, action):
    declared = TRANSITIONS.get((status, action))
    for side in Side:
        if declared is not None and declared.side == side:
            step = rules.apply(status, action, side=side, **_extra(declared))
            assert step.to == declared.to
        else:
            with pytest.raises(InvalidTransition) as exc:
                rules.apply(status, action, side=side, comment="x", has_file=True)
            assert exc.value.message  # a Russian message for the toast


@pytest.mark.parametrize(("key", "step"), list(TRANSITIONS.items()), ids=str)
def test_declared_requirements_are_enforced(key, step):
    status, action = key
    if step.needs_comment:
        with pytest.raises(InvalidTransition, match="комментарий"):
            rules.apply(status, action, side=step.side, comment="  ", has_file=True)
    if step.needs_file:
        with pytest.raises(InvalidTransition, match="файл"):
            rules.apply(status, action, side=step.side, comment="x", has_file=False)
    if step.needs_confirm:
        with pytest.raises(InvalidTransition, match="Подтвердите"):
            rules.apply(status, action, side=step.side, comment="x", has_file=True, confirmed=False)
    with pytest.raises(InvalidTransition, match="нет права"):
        rules.apply(status, action, side=step.side, perms_ok=False, comment="x", has_file=True)


def test_steps_carry_the_side_permission():
    for step in TRANSITIONS.values():
        expected = (
            Perm.APPLICATIONS_CREATE if step.side == Side.APPLICANT else Perm.APPLICATIONS_PROCESS
        )
        assert step.perm == expected


def test_final_statuses_have_no_way_out():
    for (status, _), _step in TRANSITIONS.items():
        assert status not in rules.FINAL


def test_unknown_status_or_action_is_refused():
    with pytest.raises(InvalidTransition):
        rules.apply("nonsense", "submit", side="applicant")
    with pytest.raises(InvalidTransition):
        rules.apply("draft", "drop_table", side="applicant")


def test_every_status_is_reachable_from_draft():
    seen = {AppStatus.DRAFT}
    frontier = [AppStatus.DRAFT]
    while frontier:
        st = frontier.pop()
        for (src, _), step in TRANSITIONS.items():
            if src == st and step.to not in seen:
                seen.add(step.to)
                frontier.append(step.to)
    assert seen == set(AppStatus)


def test_buttons_come_from_the_same_table():
    assert rules.actions_for(AppStatus.DRAFT, Side.APPLICANT) == ["submit"]
    assert rules.actions_for(AppStatus.DRAFT, Side.STAFF) == []
    staff = rules.actions_for(AppStatus.UNDER_REVIEW, Side.STAFF)
    assert set(staff) == {"return", "reject", "accept"}
    assert "withdraw" in rules.actions_for(AppStatus.UNDER_REVIEW, Side.APPLICANT)
    assert rules.actions_for(AppStatus.COMPLETED, Side.STAFF) == []


def test_generated_documents_cover_contract_invoice_conditions_and_three_acts():
    docs = {d for step in TRANSITIONS.values() for d in step.documents}
    assert docs == set(rules.GENERATED_KINDS)


def test_builtin_roles_hold_the_application_permissions():
    assert Perm.APPLICATIONS_CREATE in BUILTIN_ROLES[BuiltinRole.CUSTOMER].perms
    assert Perm.APPLICATIONS_CREATE in BUILTIN_ROLES[BuiltinRole.CUSTOMER_ADMIN].perms
    assert Perm.APPLICATIONS_PROCESS in BUILTIN_ROLES[BuiltinRole.MANAGER].perms
    assert Perm.APPLICATIONS_PROCESS in BUILTIN_ROLES[BuiltinRole.OPERATOR].perms
    assert Perm.APPLICATIONS_CREATE not in BUILTIN_ROLES[BuiltinRole.MANAGER].perms


# --------------------------------------------------------------------------- attachments


@pytest.mark.parametrize(
    ("kind", "required"),
    [
        (CounterpartyKind.LEGAL, {"site_plan", "title_document", "single_line"}),
        (CounterpartyKind.SOLE, {"site_plan", "title_document"}),
        (CounterpartyKind.PERSON, {"site_plan", "title_document", "identity"}),
    ],
)
def test_required_attachments_depend_on_the_applicant_kind(kind, required):
    assert set(rules.required_files(kind)) == required
    assert set(rules.missing_files(kind, set())) == required
    assert rules.missing_files(kind, set(required) | {FileKind.OTHER}) == []
    some = sorted(required)[0]
    assert some not in rules.missing_files(kind, {some})


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("value", ["74:33:0123456:123", "74:33:012345:1", "01:02:0000001:7"])
def test_cadastral_number_accepts_the_official_format(value):
    assert rules.clean_cadastral(f" {value} ") == value


@pytest.mark.parametrize("value", ["74-33-0123456-123", "7:33:0123456:12", "74:33:01234:12", "abc"])
def test_cadastral_number_refuses_other_text(value):
    with pytest.raises(ValidationFailed) as exc:
        rules.clean_cadastral(value)
    assert exc.value.field == "cadastral_number"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("15", Decimal("15.000")), ("0,4", Decimal("0.400")), (" 1 500.5 ", Decimal("1500.500"))],
)
def test_power_is_parsed_as_decimal_kw(value, expected):
    assert rules.parse_power(value, field="max_power_kw") == expected


@pytest.mark.parametrize("value", ["0", "-1", "abc", "NaN", "Infinity", "100001", "1.0005"])
def test_power_must_be_positive_and_within_limits(value):
    with pytest.raises(ValidationFailed):
        rules.parse_power(value, field="max_power_kw")


def test_existing_power_may_be_zero():
    assert rules.parse_power("0", field="existing_power_kw", allow_zero=True) == Decimal(0)


def _full(**kw: object) -> rules.Fields:
    base: dict[str, object] = {
        "object_name": "Жилой дом",
        "object_address": "г. Магнитогорск, ул. Ленина, 1",
        "cadastral_number": "74:33:0123456:123",
        "max_power_kw": "15",
        "existing_power_kw": "",
        "voltage": "0.4",
        "reliability": "III",
        "reason": "new",
    }
    base.update(kw)
    return rules.clean_fields(base)


def test_a_complete_application_passes():
    rules.check_complete(_full(), CounterpartyKind.PERSON)


@pytest.mark.parametrize(
    "field", ["object_name", "object_address", "cadastral_number", "max_power_kw", "voltage"]
)
def test_a_missing_required_field_is_named(field):
    with pytest.raises(ValidationFailed) as exc:
        rules.check_complete(_full(**{field: ""}), CounterpartyKind.LEGAL)
    assert exc.value.field == field


def test_power_increase_needs_previous_power_and_new_connection_has_none():
    with pytest.raises(ValidationFailed) as exc:
        rules.check_complete(_full(reason="increase"), CounterpartyKind.LEGAL)
    assert exc.value.field == "existing_power_kw"
    rules.check_complete(_full(reason="increase", existing_power_kw="5"), CounterpartyKind.LEGAL)
    with pytest.raises(ValidationFailed):
        rules.check_complete(_full(existing_power_kw="5"), CounterpartyKind.LEGAL)


def test_a_person_is_limited_in_power_and_category():
    with pytest.raises(ValidationFailed):
        rules.check_complete(_full(max_power_kw="200"), CounterpartyKind.PERSON)
    rules.check_complete(_full(max_power_kw="200"), CounterpartyKind.LEGAL)
    with pytest.raises(ValidationFailed):
        rules.check_complete(_full(reliability="I"), CounterpartyKind.PERSON)


def test_choices_outside_the_lists_are_refused():
    with pytest.raises(ValidationFailed):
        rules.clean_fields({"voltage": "220"})
    with pytest.raises(ValidationFailed):
        rules.clean_fields({"reason": "<script>"})


def test_number_and_power_formatting():
    assert rules.number(42, 2026) == "ТП-2026-000042"
    assert rules.fmt_power(Decimal("15.000")) == "15"
    assert rules.fmt_power(Decimal("0.400")) == "0,4"
    assert rules.fmt_power(None) == ""
