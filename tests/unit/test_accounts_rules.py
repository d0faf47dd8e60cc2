"""Account rules without a database: normalisation, password policy, codes, lockout arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from cabinet.accounts import rules
from cabinet.errors import ValidationFailed

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


# --- e-mail and phone -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("anna@example.ru", "anna@example.ru"),
        ("  Anna.Petrova@Example.RU ", "anna.petrova@example.ru"),
        ("user+tag@mail.example.com", "user+tag@mail.example.com"),
        ("иван@пример.рф", "иван@пример.рф"),
    ],
)
def test_email_is_normalised(raw, expected):
    assert rules.normalize_email(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "anna",
        "anna@",
        "@example.ru",
        "an na@example.ru",
        "a@b@c.ru",
        "x" * 250 + "@example.ru",
    ],
)
def test_bad_email_is_refused_with_a_field_message(raw):
    with pytest.raises(ValidationFailed) as err:
        rules.normalize_email(raw)
    assert err.value.field == "email"
    assert err.value.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7 912 345-67-89", "+79123456789"),
        ("8 (912) 345-67-89", "+79123456789"),
        ("89123456789", "+79123456789"),
        ("9123456789", "+79123456789"),
        ("+7(495)123-45-67", "+74951234567"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phone_is_stored_in_e164_with_russia_as_default(raw, expected):
    assert rules.normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "12345", "+7 123", "телефон", "+7 912 345-67-89-00-11", "1" * 40]
)
def test_bad_phone_is_refused(raw):
    with pytest.raises(ValidationFailed) as err:
        rules.normalize_phone(raw)
    assert err.value.field == "phone"


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("Anna@Example.ru", "email", "anna@example.ru"),
        ("+7 912 345 67 89", "phone", "+79123456789"),
        ("8-912-345-67-89", "phone", "+79123456789"),
        ("Client@Demo.local", "email", "client@demo.local"),
    ],
)
def test_login_is_an_email_or_a_phone(raw, kind, value):
    assert rules.parse_login(raw) == rules.LoginId(kind, value)


@pytest.mark.parametrize("raw", ["", "anna", "x" * 300, "12"])
def test_bad_login_is_refused(raw):
    with pytest.raises(ValidationFailed) as err:
        rules.parse_login(raw)
    assert err.value.field == "login"


def test_registration_needs_a_public_domain():
    with pytest.raises(ValidationFailed):
        rules.normalize_email("client@demo.local")


def test_phone_and_email_are_masked_for_display():
    assert rules.mask_phone("+79123456789") == "+7***6789"
    assert rules.mask_email("anna@example.ru") == "an***@example.ru"
    assert rules.format_phone("+79123456789") == "+7 912 345-67-89"


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("Анна Петрова", "Анна Петрова"),
        ("  Анна   Петрова ", "Анна Петрова"),
        ("Jean-Luc O'Neil", "Jean-Luc O'Neil"),
        ("", None),
        ("   ", None),
        ("12345", None),
        ("Я" * 201, None),
    ],
)
def test_full_name(raw, ok):
    if ok is None:
        with pytest.raises(ValidationFailed):
            rules.clean_full_name(raw)
    else:
        assert rules.clean_full_name(raw) == ok


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Secret-2026", None),
        ("пароль2026", None),
        ("abcdefg1", None),
        ("a1" * 64, None),
        ("abc1", "не короче"),
        ("abcdefgh", "цифру"),
        ("12345678", "букву"),
        ("________", "букву"),
        ("a1" * 64 + "x", "не длиннее"),
        (" abcdefg1", "пробелом"),
    ],
)
def test_password_policy(password, problem):
    found = rules.password_problem(password)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_password_repeat_must_match():
    assert rules.check_new_password("Secret-2026", "Secret-2026") == "Secret-2026"
    with pytest.raises(ValidationFailed) as err:
        rules.check_new_password("Secret-2026", "Secret-2027")
    assert err.value.field == "password2"


# --- one-time codes -------------------------------------------------------------------------


def test_new_codes_are_six_digits_and_vary():
    codes = {rules.new_code() for _ in range(50)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 40


def test_code_hash_is_bound_to_key_purpose_and_target():
    h = rules.hash_code("k", purpose="confirm_email", target="a@b.ru", code="123456")
    assert "123456" not in h and len(h) == 64
    assert rules.code_matches(
        "k", purpose="confirm_email", target="a@b.ru", code="123456", code_hash=h
    )
    for key, purpose, target, code in [
        ("other", "confirm_email", "a@b.ru", "123456"),
        ("k", "reset_password", "a@b.ru", "123456"),
        ("k", "confirm_email", "c@b.ru", "123456"),
        ("k", "confirm_email", "a@b.ru", "123457"),
    ]:
        assert not rules.code_matches(key, purpose=purpose, target=target, code=code, code_hash=h)


@pytest.mark.parametrize(
    ("raw", "expected"), [("123456", "123456"), (" 123 456 ", "123456"), ("123-456", "123456")]
)
def test_code_input_is_cleaned(raw, expected):
    assert rules.clean_code(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "1234567", "12a456", "x" * 1000])
def test_bad_code_input_is_refused(raw):
    with pytest.raises(ValidationFailed):
        rules.clean_code(raw)


@pytest.mark.parametrize(
    ("expires_in", "attempts", "consumed", "status"),
    [
        (60, 0, False, rules.CodeStatus.LIVE),
        (60, 4, False, rules.CodeStatus.LIVE),
        (60, 5, False, rules.CodeStatus.EXHAUSTED),
        (0, 0, False, rules.CodeStatus.EXPIRED),
        (-1, 0, False, rules.CodeStatus.EXPIRED),
        (-1, 9, False, rules.CodeStatus.EXHAUSTED),
        (60, 0, True, rules.CodeStatus.CONSUMED),
    ],
)
def test_code_status(expires_in, attempts, consumed, status):
    assert (
        rules.code_status(
            now=NOW,
            expires_at=NOW + timedelta(seconds=expires_in),
            attempts=attempts,
            max_attempts=5,
            consumed_at=NOW if consumed else None,
        )
        == status
    )


@pytest.mark.parametrize(
    ("sent_ago", "cooldown", "wait"),
    [(None, 60, 0), (0, 60, 60), (10, 60, 50), (59.5, 60, 1), (60, 60, 0), (300, 60, 0)],
)
def test_resend_wait_seconds(sent_ago, cooldown, wait):
    last = None if sent_ago is None else NOW - timedelta(seconds=sent_ago)
    assert rules.resend_wait_seconds(now=NOW, last_sent_at=last, cooldown=cooldown) == wait


def test_wrong_code_message_counts_down():
    assert "Осталось попыток: 2" in rules.wrong_code_message(2)
    assert "исчерпаны" in rules.wrong_code_message(0)


# --- lockout --------------------------------------------------------------------------------


@pytest.mark.parametrize(("failures", "locked"), [(1, False), (4, False), (5, True), (6, True)])
def test_account_locks_when_failures_reach_the_limit(failures, locked):
    until = rules.lock_after_failure(failures=failures, max_failures=5, now=NOW, lockout_minutes=15)
    assert (until == NOW + timedelta(minutes=15)) if locked else until is None


@pytest.mark.parametrize(
    ("locked_for", "minutes"),
    [(None, 0), (-1, 0), (0, 0), (1, 1), (59, 1), (61, 2), (15 * 60, 15)],
)
def test_lock_minutes_left_rounds_up(locked_for, minutes):
    until = None if locked_for is None else NOW + timedelta(seconds=locked_for)
    assert rules.lock_minutes_left(now=NOW, locked_until=until) == minutes


@pytest.mark.parametrize(
    ("success_ago", "lock_ended_ago", "start_ago"),
    [
        (None, None, 15),  # the window
        (60, None, 15),  # success long ago: the window
        (5, None, 5),  # a recent success resets the count
        (None, 3, 3),  # so does the end of a lockout
        (10, 2, 2),
    ],
)
def test_failures_count_from_the_latest_reset(success_ago, lock_ended_ago, start_ago):
    def ago(m):
        return None if m is None else NOW - timedelta(minutes=m)

    assert rules.failure_window_start(
        now=NOW,
        window_minutes=15,
        last_success_at=ago(success_ago),
        locked_until=ago(lock_ended_ago),
    ) == NOW - timedelta(minutes=start_ago)


def test_lockout_message_names_the_minutes():
    assert "через 15 мин" in rules.lockout_message(15)


def test_totp_key_is_a_valid_fernet_key_bound_to_the_secret():
    a = Fernet(rules.fernet_key("one"))
    b = Fernet(rules.fernet_key("two"))
    token = a.encrypt(b"JBSWY3DPEHPK3PXP")
    assert a.decrypt(token) == b"JBSWY3DPEHPK3PXP"
    with pytest.raises(Exception):  # noqa: B017
        b.decrypt(token)


def test_form_errors_carry_every_field():
    err = rules.FormErrors({"email": "A", "phone": "B"})
    assert err.errors == {"email": "A", "phone": "B"}
    assert err.field == "email" and err.message == "A"


@pytest.mark.parametrize(
    ("ua", "label"),
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/140.0 Safari/537.36",
            "Chrome · Windows",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1",
            "Safari · iPhone",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
            "Firefox · Linux",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/140.0 YaBrowser/25.1 Mobile Safari/537.36",
            "Яндекс Браузер · Android",
        ),
        ("", "Неизвестное устройство"),
        ("curl/8.5.0", "curl/8.5.0"),
    ],
)
def test_session_device_is_described_from_the_user_agent(ua, label):
    from cabinet.accounts.queries import describe_agent

    assert describe_agent(ua) == label


@pytest.mark.parametrize(
    ("email_ok", "phone_ok", "hours", "abandoned"),
    [
        (False, False, 25, True),
        (False, False, 24, True),  # exactly UNCONFIRMED_KEEP
        (False, False, 23.9, False),
        (True, False, 24 * 30, False),  # the e-mail was proven
        (False, True, 24 * 30, False),  # the phone was proven
    ],
)
def test_abandoned_registration(email_ok, phone_ok, hours, abandoned):
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    at = now - timedelta(days=40)
    assert (
        rules.is_abandoned(
            email_confirmed_at=at if email_ok else None,
            phone_confirmed_at=at if phone_ok else None,
            created_at=now - timedelta(hours=hours),
            now=now,
        )
        is abandoned
    )


def test_released_contacts_are_unique_and_never_valid():
    email, phone = rules.released_contacts(12345)
    assert rules.released_contacts(12346) != (email, phone)
    assert email.endswith(".invalid") and len(phone) <= 20
    with pytest.raises(ValidationFailed):
        rules.normalize_phone(phone)
