"""Account rules: input normalisation, password policy, one-time codes, lockout arithmetic.

Pure functions: no database, no Reflex. Messages are Russian (shown to the user as they are).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from cabinet.errors import ValidationFailed

# Limits of the inputs (the columns are at least this wide).
FULL_NAME_MAX = 200
EMAIL_MAX = 254
PHONE_INPUT_MAX = 32
PASSWORD_MIN = 8
PASSWORD_MAX = 128
LOGIN_INPUT_MAX = 254
CODE_LENGTH = 6
PHONE_REGION = "RU"

# Per-IP limit: this many failed logins from one address inside the window (all logins).
IP_FAILURE_FACTOR = 4
# Registrations and password-reset codes per hour from one address (SMS/e-mail pumping).
REGISTER_PER_IP_HOUR = 30
# A registration whose e-mail and phone both stay unconfirmed this long is abandoned: its
# contacts no longer block a new registration (the old account is released, see
# `released_contacts`). Long after every confirmation code has expired.
UNCONFIRMED_KEEP = timedelta(hours=24)
RESET_PER_IP_HOUR = 30


class FormErrors(ValidationFailed):
    """Several field errors at once: {field: Russian message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        first_field, first = next(iter(self.errors.items()))
        super().__init__(first, field=first_field)


# --- normalisation --------------------------------------------------------------------------


def clean_full_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ValidationFailed("Укажите ФИО.", field="full_name")
    if len(name) > FULL_NAME_MAX:
        raise ValidationFailed(
            f"ФИО слишком длинное (не более {FULL_NAME_MAX} символов).", field="full_name"
        )
    if not re.search(r"[^\W\d_]", name):
        raise ValidationFailed("ФИО должно содержать буквы.", field="full_name")
    return name


_LOOSE_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)*")


def normalize_email(value: str, *, field: str = "email", strict: bool = True) -> str:
    """A syntactically valid e-mail, lower-cased (the login key).

    `strict=False` (logging in) also accepts local domains such as demo.local.
    """
    raw = (value or "").strip()
    if not raw:
        raise ValidationFailed("Укажите e-mail.", field=field)
    if len(raw) > EMAIL_MAX:
        raise ValidationFailed(
            f"E-mail слишком длинный (не более {EMAIL_MAX} символов).", field=field
        )
    try:
        info = validate_email(raw, check_deliverability=False, globally_deliverable=strict)
    except EmailNotValidError:
        if not strict and _LOOSE_EMAIL.fullmatch(raw):
            return raw.lower()  # a local domain (demo.local): only looked up, never sent to
        raise ValidationFailed(
            "Некорректный e-mail. Пример: name@example.ru", field=field
        ) from None
    email = info.normalized.lower()
    if len(email) > EMAIL_MAX:
        raise ValidationFailed("E-mail слишком длинный.", field=field)
    return email


def normalize_phone(value: str, *, field: str = "phone") -> str:
    """A valid phone number in E.164 (+79991234567); a bare national number is Russian."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationFailed("Укажите номер телефона.", field=field)
    if len(raw) > PHONE_INPUT_MAX:
        raise ValidationFailed("Номер телефона слишком длинный.", field=field)
    try:
        number = phonenumbers.parse(raw, PHONE_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationFailed(
            "Некорректный номер телефона. Пример: +7 912 345-67-89", field=field
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed("Некорректный номер телефона. Пример: +7 912 345-67-89", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """+79123456789 → +7 912 345-67-89 (display only)."""
    try:
        number = phonenumbers.parse(e164, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@dataclass(frozen=True)
class LoginId:
    kind: str  # "email" | "phone"
    value: str  # normalised


def parse_login(value: str, *, field: str = "login") -> LoginId:
    """E-mail (contains @) or phone number, normalised the way they are stored."""
    raw = (value or "").strip()
    if not raw:
        raise ValidationFailed("Укажите e-mail или телефон.", field=field)
    if len(raw) > LOGIN_INPUT_MAX:
        raise ValidationFailed("Слишком длинное значение.", field=field)
    if "@" in raw:
        return LoginId("email", normalize_email(raw, field=field, strict=False))
    try:
        return LoginId("phone", normalize_phone(raw, field=field))
    except ValidationFailed:
        raise ValidationFailed(
            "Укажите e-mail или номер телефона в формате +7 912 345-67-89.", field=field
        ) from None


def mask_email(email: str) -> str:
    local, _, domain = email.partition("@")
    return f"{local[:2]}***@{domain}" if domain else "***"


def mask_phone(phone: str) -> str:
    return f"{phone[:2]}***{phone[-4:]}" if len(phone) > 6 else "***"


# --- passwords ------------------------------------------------------------------------------


def password_problem(password: str) -> str | None:
    """Why `password` is not acceptable, or None."""
    if len(password) < PASSWORD_MIN:
        return f"Пароль должен быть не короче {PASSWORD_MIN} символов."
    if len(password) > PASSWORD_MAX:
        return f"Пароль должен быть не длиннее {PASSWORD_MAX} символов."
    if not re.search(r"[^\W\d_]", password):
        return "Пароль должен содержать хотя бы одну букву."
    if not re.search(r"\d", password):
        return "Пароль должен содержать хотя бы одну цифру."
    if password.strip() != password:
        return "Пароль не должен начинаться или заканчиваться пробелом."
    return None


def check_new_password(password: str, repeat: str, *, field: str = "password") -> str:
    problem = password_problem(password or "")
    if problem:
        raise ValidationFailed(problem, field=field)
    if password != repeat:
        raise ValidationFailed("Пароли не совпадают.", field=f"{field}2")
    return password


# --- one-time codes -------------------------------------------------------------------------


def new_code() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(CODE_LENGTH))


def hash_code(secret_key: str, *, purpose: str, target: str, code: str) -> str:
    """HMAC of the code bound to its purpose and target: a leaked table gives no codes."""
    msg = f"{purpose}|{target}|{code}".encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def code_matches(secret_key: str, *, purpose: str, target: str, code: str, code_hash: str) -> bool:
    return hmac.compare_digest(
        hash_code(secret_key, purpose=purpose, target=target, code=code), code_hash
    )


def clean_code(value: str, *, field: str = "code") -> str:
    code = re.sub(r"[\s-]", "", value or "")
    if not code:
        raise ValidationFailed("Введите код.", field=field)
    if len(code) != CODE_LENGTH or not code.isdigit():
        raise ValidationFailed(f"Код состоит из {CODE_LENGTH} цифр.", field=field)
    return code


class CodeStatus:
    LIVE = "live"
    CONSUMED = "consumed"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"


def code_status(
    *,
    now: datetime,
    expires_at: datetime,
    attempts: int,
    max_attempts: int,
    consumed_at: datetime | None,
) -> str:
    if consumed_at is not None:
        return CodeStatus.CONSUMED
    if attempts >= max_attempts:
        return CodeStatus.EXHAUSTED
    if now >= expires_at:
        return CodeStatus.EXPIRED
    return CodeStatus.LIVE


CODE_STATUS_MESSAGES = {
    CodeStatus.CONSUMED: "Код уже использован. Запросите новый код.",
    CodeStatus.EXPIRED: "Срок действия кода истёк. Запросите новый код.",
    CodeStatus.EXHAUSTED: "Превышено число попыток ввода кода. Запросите новый код.",
}


def wrong_code_message(attempts_left: int) -> str:
    if attempts_left <= 0:
        return "Неверный код. Попытки исчерпаны — запросите новый код."
    return f"Неверный код. Осталось попыток: {attempts_left}."


def resend_wait_seconds(*, now: datetime, last_sent_at: datetime | None, cooldown: int) -> int:
    """Seconds until another code may be sent (0 = now)."""
    if last_sent_at is None:
        return 0
    left = (last_sent_at + timedelta(seconds=cooldown) - now).total_seconds()
    return max(0, int(left + 0.999))


def resend_wait_message(seconds: int) -> str:
    return f"Новый код можно запросить через {seconds} с."


# --- login throttling -----------------------------------------------------------------------


def lock_minutes_left(*, now: datetime, locked_until: datetime | None) -> int:
    """Whole minutes (rounded up) the account stays locked; 0 = not locked."""
    if locked_until is None or locked_until <= now:
        return 0
    return max(1, int((locked_until - now).total_seconds() / 60 + 0.999))


def failure_window_start(
    *,
    now: datetime,
    window_minutes: int,
    last_success_at: datetime | None,
    locked_until: datetime | None,
) -> datetime:
    """Failures before this moment do not count: the window, the last success, the last lock."""
    start = now - timedelta(minutes=window_minutes)
    for moment in (last_success_at, locked_until):
        if moment is not None and moment > start:
            start = moment
    return start


def lock_after_failure(
    *, failures: int, max_failures: int, now: datetime, lockout_minutes: int
) -> datetime | None:
    """`failures` counts the one just made: lock the account once it reaches the limit."""
    if failures >= max_failures:
        return now + timedelta(minutes=lockout_minutes)
    return None


def lockout_message(minutes: int) -> str:
    return (
        "Слишком много неудачных попыток входа. Вход временно заблокирован, "
        f"попробуйте через {minutes} мин."
    )


# --- TOTP secret at rest --------------------------------------------------------------------


def fernet_key(secret_key: str) -> bytes:
    """A Fernet key derived from the application secret (for TOTP secrets at rest)."""
    digest = hashlib.sha256(b"cabinet-totp|" + secret_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def is_abandoned(
    *,
    email_confirmed_at: datetime | None,
    phone_confirmed_at: datetime | None,
    created_at: datetime,
    now: datetime,
) -> bool:
    """A self-registration nobody ever confirmed a contact of, older than UNCONFIRMED_KEEP:
    whoever registered it never proved the e-mail or the phone was theirs."""
    return (
        email_confirmed_at is None
        and phone_confirmed_at is None
        and now - created_at >= UNCONFIRMED_KEEP
    )


def released_contacts(user_id: int) -> tuple[str, str]:
    """The e-mail and phone an abandoned account keeps once released: unique, never valid
    (the `.invalid` domain is reserved; the phone is not a number), so nobody can log in
    with them or register them."""
    return f"released-{user_id}@example.invalid", f"released:{user_id}"
