"""Journals rules: who may write/sign/manage, the signing decision, entry states, canonical bytes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cabinet.errors import ValidationFailed
from cabinet.journals import rules
from cabinet.journals.rules import EntryFields, ObjectRights, SigningRefused, StaleVersion
from models.journals import EntryState, JournalStatus, PersonRole, Side

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
OPERATOR = ObjectRights(is_staff=True, sides=frozenset({Side.OPERATOR}))
SUBSCRIBER = ObjectRights(subscriber_member=True, sides=frozenset({Side.SUBSCRIBER}))
FIELDS = EntryFields(NOW, "Проверка АПС", "Проверены извещатели", "")


def test_only_assigned_operator_staff_write_entries():
    assert ObjectRights(is_staff=True).can_write
    assert not ObjectRights(is_admin=True).can_write
    assert not ObjectRights(subscriber_member=True, subscriber_admin=True).can_write
    assert not SUBSCRIBER.can_write


def test_nobody_without_a_flag_sees_the_object():
    assert not ObjectRights().can_view
    assert ObjectRights(sides=frozenset({Side.OPERATOR})).can_view


@pytest.mark.parametrize(
    ("rights", "role", "allowed"),
    [
        (ObjectRights(is_admin=True), PersonRole.STAFF, True),
        (ObjectRights(is_admin=True), PersonRole.OPERATOR_RESPONSIBLE, True),
        (ObjectRights(is_admin=True), PersonRole.SUBSCRIBER_RESPONSIBLE, False),
        (ObjectRights(subscriber_admin=True), PersonRole.SUBSCRIBER_RESPONSIBLE, True),
        (ObjectRights(subscriber_admin=True), PersonRole.STAFF, False),
        (ObjectRights(subscriber_admin=True), PersonRole.OPERATOR_RESPONSIBLE, False),
        (ObjectRights(is_staff=True), PersonRole.STAFF, False),
    ],
)
def test_who_assigns_which_people(rights, role, allowed):
    assert rights.can_manage(role) is allowed


@pytest.mark.parametrize(
    ("sides", "state"),
    [
        (set(), EntryState.AWAITING),
        ({Side.OPERATOR}, EntryState.PARTIAL),
        ({Side.SUBSCRIBER}, EntryState.PARTIAL),
        ({Side.OPERATOR, Side.SUBSCRIBER}, EntryState.SIGNED),
    ],
)
def test_state_follows_the_sides_that_signed(sides, state):
    assert rules.state_after_signatures(sides) is state


def _side(rights, **kw):
    args = {"state": EntryState.AWAITING, "current_version": 2, "version": 2, "signed": {}}
    args.update(kw)
    return rules.sign_side(rights, actor_id=7, **args)


def test_responsible_person_signs_for_their_side():
    assert _side(OPERATOR) is Side.OPERATOR
    assert _side(SUBSCRIBER, state=EntryState.PARTIAL, signed={Side.OPERATOR: 3}) is Side.SUBSCRIBER


def test_someone_not_responsible_cannot_sign():
    with pytest.raises(SigningRefused, match="не ответственное"):
        _side(ObjectRights(is_admin=True, is_staff=True, subscriber_member=True))


def test_second_signature_of_the_same_side_is_refused():
    with pytest.raises(SigningRefused, match="сторона уже подписала"):
        _side(OPERATOR, state=EntryState.PARTIAL, signed={Side.OPERATOR: 3})


def test_the_same_person_cannot_sign_both_sides():
    both = ObjectRights(is_staff=True, sides=frozenset({Side.OPERATOR, Side.SUBSCRIBER}))
    with pytest.raises(SigningRefused, match="уже подписали"):
        _side(both, state=EntryState.PARTIAL, signed={Side.OPERATOR: 7})


def test_stale_version_is_refused():
    with pytest.raises(StaleVersion):
        _side(OPERATOR, version=1)


def test_draft_and_signed_entries_are_not_signed():
    with pytest.raises(SigningRefused, match="Черновик"):
        _side(OPERATOR, state=EntryState.DRAFT)
    with pytest.raises(SigningRefused, match="обеими"):
        _side(OPERATOR, state=EntryState.SIGNED, signed={Side.OPERATOR: 1, Side.SUBSCRIBER: 2})


def test_sign_button_follows_the_same_rule():
    assert rules.may_sign(OPERATOR, state=EntryState.AWAITING, signed={}, actor_id=7) == "operator"
    assert rules.may_sign(OPERATOR, state=EntryState.DRAFT, signed={}, actor_id=7) is None
    assert (
        rules.may_sign(OPERATOR, state=EntryState.PARTIAL, signed={Side.OPERATOR: 3}, actor_id=7)
        is None
    )
    assert (
        rules.may_sign(ObjectRights(is_admin=True), state="awaiting", signed={}, actor_id=7) is None
    )


def _canonical(**kw):
    args = {
        "entry_id": 5,
        "journal_id": 2,
        "number": 1,
        "version": 1,
        "fields": FIELDS,
        "attachments": [],
    }
    args.update(kw)
    return rules.canonical_bytes(**args)


def test_canonical_bytes_are_deterministic_and_name_entry_version_and_files():
    files = [
        {"id": 9, "filename": "б.jpg", "sha256": "bb", "size": 2},
        {"id": 8, "filename": "а.png", "sha256": "aa", "size": 1},
    ]
    one = _canonical(attachments=files)
    two = _canonical(attachments=list(reversed(files)))
    assert one == two
    doc = json.loads(one)
    assert doc["entry_id"] == 5 and doc["version"] == 1
    assert [a["sha256"] for a in doc["attachments"]] == ["aa", "bb"]
    assert doc["work_at"] == "2026-11-29T12:00:00Z"
    assert "Проверка АПС".encode() in one  # UTF-8, not \\u escapes


def test_any_change_changes_the_canonical_bytes():
    base = _canonical()
    assert _canonical(version=2) != base
    assert _canonical(fields=EntryFields(NOW, "Проверка АПС", "Проверены извещатели", "!")) != base
    assert _canonical(attachments=[{"filename": "a", "sha256": "aa", "size": 1}]) != base


def test_entry_fields_are_validated():
    ok = rules.clean_entry(
        work_at=NOW, work_kind="  ТО  ", description="Сделано\n", findings="", now=NOW
    )
    assert ok.work_kind == "ТО" and ok.description == "Сделано"
    with pytest.raises(ValidationFailed) as e:
        rules.clean_entry(work_at=NOW, work_kind="", description="x", findings="", now=NOW)
    assert e.value.field == "work_kind"
    with pytest.raises(ValidationFailed) as e:
        rules.clean_entry(
            work_at=NOW + timedelta(days=3), work_kind="ТО", description="x", findings="", now=NOW
        )
    assert e.value.field == "work_at"
    with pytest.raises(ValidationFailed):
        rules.clean_entry(work_at=None, work_kind="ТО", description="x", findings="", now=NOW)
    with pytest.raises(ValidationFailed):
        rules.clean_entry(work_at=NOW, work_kind="ТО", description="x" * 4001, findings="", now=NOW)


def test_object_systems_are_deduplicated():
    _name, _address, systems = rules.clean_object(
        name="Склад", address="г. Москва", systems="АПС, СОУЭ,\nАПС ,"
    )
    assert systems == "АПС, СОУЭ"
    with pytest.raises(ValidationFailed):
        rules.clean_object(name="", address="x", systems="")


def test_only_the_active_journal_takes_entries():
    assert rules.journal_takes_entries(JournalStatus.ACTIVE)
    assert not rules.journal_takes_entries(JournalStatus.ARCHIVED)
