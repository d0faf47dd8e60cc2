"""The support workflow table (every status × action × side), deadlines and input checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cabinet.errors import ValidationFailed
from cabinet.support import rules
from cabinet.support.rules import Action, InvalidTransition, Side
from models.support import SupportStatus as S

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

# The expected outcome of every (status, action, side): the new status, or None (refused).
EXPECTED: dict[tuple[S, Action, Side], S | None] = {}
for st in S:
    for act in Action:
        for side in Side:
            EXPECTED[(st, act, side)] = None
EXPECTED.update(
    {
        (S.NEW, Action.TAKE, Side.STAFF): S.IN_PROGRESS,
        (S.NEW, Action.RESOLVE, Side.STAFF): S.RESOLVED,
        (S.IN_PROGRESS, Action.RESOLVE, Side.STAFF): S.RESOLVED,
        (S.WAITING, Action.RESOLVE, Side.STAFF): S.RESOLVED,
        (S.NEW, Action.CLOSE, Side.CUSTOMER): S.CLOSED,
        (S.IN_PROGRESS, Action.CLOSE, Side.CUSTOMER): S.CLOSED,
        (S.WAITING, Action.CLOSE, Side.CUSTOMER): S.CLOSED,
        (S.RESOLVED, Action.CLOSE, Side.CUSTOMER): S.CLOSED,
        (S.RESOLVED, Action.CLOSE, Side.STAFF): S.CLOSED,
        (S.RESOLVED, Action.REOPEN, Side.CUSTOMER): S.IN_PROGRESS,
        (S.CLOSED, Action.REOPEN, Side.CUSTOMER): S.IN_PROGRESS,
        (S.RESOLVED, Action.REOPEN, Side.STAFF): S.IN_PROGRESS,
        (S.CLOSED, Action.REOPEN, Side.STAFF): S.IN_PROGRESS,
        (S.NEW, Action.REPLY, Side.STAFF): S.WAITING,
        (S.IN_PROGRESS, Action.REPLY, Side.STAFF): S.WAITING,
        (S.WAITING, Action.REPLY, Side.STAFF): S.WAITING,
        (S.RESOLVED, Action.REPLY, Side.STAFF): S.RESOLVED,
        (S.NEW, Action.REPLY, Side.CUSTOMER): S.NEW,
        (S.IN_PROGRESS, Action.REPLY, Side.CUSTOMER): S.IN_PROGRESS,
        (S.WAITING, Action.REPLY, Side.CUSTOMER): S.IN_PROGRESS,
        (S.RESOLVED, Action.REPLY, Side.CUSTOMER): S.IN_PROGRESS,
    }
)


@pytest.mark.parametrize(("status", "action", "side"), list(EXPECTED), ids=lambda v: str(v))
def test_workflow_table_for_every_status_action_and_side(status, action, side):
    expected = EXPECTED[(status, action, side)]
    if expected is None:
        with pytest.raises(InvalidTransition) as err:
            rules.step(status, action, side, now=NOW)
        assert err.value.message  # a Russian sentence for the toast
        assert not rules.allowed(status, action, side, now=NOW)
    else:
        assert rules.step(status, action, side, now=NOW).to == expected


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("side", list(Side))
def test_buttons_come_from_the_same_table(status, side):
    shown = rules.buttons(status, side, since=NOW, now=NOW)
    expected = [
        str(a) for a in Action if a != Action.REPLY and EXPECTED[(status, a, side)] is not None
    ]
    assert sorted(shown) == sorted(expected)


def test_staff_reply_waits_for_the_customer_and_customer_reply_brings_it_back():
    assert rules.step(S.IN_PROGRESS, Action.REPLY, Side.STAFF).to == S.WAITING
    assert rules.step(S.WAITING, Action.REPLY, Side.CUSTOMER).to == S.IN_PROGRESS


def test_customer_reopens_only_within_the_limit_staff_at_any_time():
    fresh = NOW - timedelta(days=rules.REOPEN_DAYS - 1)
    stale = NOW - timedelta(days=rules.REOPEN_DAYS + 1)
    assert rules.step(S.CLOSED, Action.REOPEN, Side.CUSTOMER, since=fresh, now=NOW)
    with pytest.raises(InvalidTransition, match="дней"):
        rules.step(S.CLOSED, Action.REOPEN, Side.CUSTOMER, since=stale, now=NOW)
    assert rules.step(S.CLOSED, Action.REOPEN, Side.STAFF, since=stale, now=NOW)
    assert "reopen" not in rules.buttons(S.CLOSED, Side.CUSTOMER, since=stale, now=NOW)
    assert not rules.may_reply(S.RESOLVED, Side.CUSTOMER, since=stale, now=NOW)


def test_the_other_side_gets_a_clear_refusal():
    with pytest.raises(InvalidTransition, match="другой стороне"):
        rules.step(S.NEW, Action.TAKE, Side.CUSTOMER)


def test_unknown_status_or_action_is_refused():
    with pytest.raises(InvalidTransition):
        rules.step("deleted", "take", "staff")
    with pytest.raises(InvalidTransition):
        rules.step("new", "delete", "staff")


def test_closed_request_takes_no_replies():
    assert not rules.may_reply(S.CLOSED, Side.CUSTOMER)
    assert not rules.may_reply(S.CLOSED, Side.STAFF)


# --------------------------------------------------------------------------- deadlines


def test_deadline_is_the_category_hours_after_the_start():
    assert rules.due_at(NOW, 8) == NOW + timedelta(hours=8)
    assert rules.due_at(NOW, 0) == NOW


@pytest.mark.parametrize(
    ("status", "overdue"),
    [
        (S.NEW, True),
        (S.IN_PROGRESS, True),
        (S.WAITING, False),
        (S.RESOLVED, False),
        (S.CLOSED, False),
    ],
)
def test_overdue_only_while_staff_are_to_act(status, overdue):
    past = NOW - timedelta(minutes=1)
    assert rules.is_overdue(status, past, NOW) is overdue
    assert rules.is_overdue(status, NOW + timedelta(hours=1), NOW) is False
    assert rules.is_overdue(status, None, NOW) is False


def test_deadline_text():
    assert rules.deadline_text(S.NEW, NOW + timedelta(hours=5, minutes=10), NOW) == "осталось 5 ч"
    assert rules.deadline_text(S.NEW, NOW - timedelta(minutes=30), NOW) == "просрочено на 30 мин"
    assert rules.deadline_text(S.NEW, NOW + timedelta(days=3), NOW) == "осталось 3 дн"
    assert rules.deadline_text(S.WAITING, NOW - timedelta(hours=1), NOW) == ""
    assert rules.deadline_text(S.NEW, NOW + timedelta(hours=5), NOW, "en") == "5 h left"
    assert rules.deadline_text(S.NEW, NOW - timedelta(days=3), NOW, "en") == "3 d overdue"


# --------------------------------------------------------------------------- input


def test_subject_and_text_are_checked():
    assert rules.clean_subject("  Счёт   не пришёл ") == "Счёт не пришёл"
    with pytest.raises(ValidationFailed) as err:
        rules.clean_subject("   ")
    assert err.value.field == "subject"
    with pytest.raises(ValidationFailed):
        rules.clean_subject("x" * (rules.MAX_SUBJECT + 1))
    with pytest.raises(ValidationFailed):
        rules.clean_text("")
    assert rules.clean_text("", required=False) == ""
    with pytest.raises(ValidationFailed):
        rules.clean_text("x" * (rules.MAX_TEXT + 1))


@pytest.mark.parametrize("value", ["12", "0", "-3", "abc", "9999", ""])
def test_response_hours(value):
    if value == "12":
        assert rules.clean_hours(value) == 12
    else:
        with pytest.raises(ValidationFailed):
            rules.clean_hours(value)


def test_recipient_values():
    assert rules.parse_recipient("") is None
    assert rules.parse_recipient("dept:3") == ("dept", 3)
    assert rules.parse_recipient("user:12") == ("user", 12)
    for bad in ("team:1", "user:", "dept:x", "user:1;drop"):
        with pytest.raises(ValidationFailed):
            rules.parse_recipient(bad)
