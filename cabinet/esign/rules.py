"""E-signature rules as data and pure functions: PIN and subject checks, certificate status
at a moment, revocation reasons, labels. No DB, no Reflex."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cabinet.errors import ValidationFailed
from models.esign import CertificateStatus

PIN_MIN = 4
PIN_MAX = 12
_PIN_RE = re.compile(r"^[0-9]+$")
MIN_DAYS = 1
MAX_DAYS = 3 * 366
RENEW_BEFORE_DAYS = 30  # a new certificate may be asked for this close to the old one's end
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def check_pin(pin: str, *, field: str = "pin") -> str:
    """A PIN is 4–12 digits. Returns it unchanged."""
    if not (PIN_MIN <= len(pin) <= PIN_MAX) or not _PIN_RE.match(pin):
        raise ValidationFailed(f"PIN-код: от {PIN_MIN} до {PIN_MAX} цифр.", field=field)
    return pin


def check_new_pin(pin: str, repeat: str) -> str:
    check_pin(pin)
    if pin != repeat:
        raise ValidationFailed("PIN-коды не совпадают.", field="pin_repeat")
    return pin


def clean_text(value: str, *, field: str, label: str, max_len: int, required: bool) -> str:
    value = " ".join(value.split())
    if required and not value:
        raise ValidationFailed(f"Укажите: {label}.", field=field)
    if len(value) > max_len:
        raise ValidationFailed(f"{label}: не длиннее {max_len} символов.", field=field)
    return value


def check_days(days: int) -> int:
    if not (MIN_DAYS <= days <= MAX_DAYS):
        raise ValidationFailed(f"Срок действия: от {MIN_DAYS} до {MAX_DAYS} дней.", field="days")
    return days


def normalise_code(code: str) -> str:
    """A signature code as pasted (spaces, a whole verification URL) → the bare code or ""."""
    code = code.strip()
    if "code=" in code:
        code = code.split("code=", 1)[1].split("&", 1)[0]
    code = code.strip().strip("/")
    return code if CODE_RE.match(code) else ""


class RevocationReason(StrEnum):
    """Names of cryptography's x509.ReasonFlags we offer (RFC 5280 CRLReason)."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"


REVOCATION_LABELS: dict[str, tuple[str, str]] = {
    RevocationReason.UNSPECIFIED: ("Без указания причины", "Unspecified"),
    RevocationReason.KEY_COMPROMISE: (
        "Компрометация ключа (PIN-код стал известен)",
        "Key compromise",
    ),
    RevocationReason.AFFILIATION_CHANGED: (
        "Изменились данные (должность, организация)",
        "Affiliation changed",
    ),
    RevocationReason.SUPERSEDED: ("Заменён новым сертификатом", "Superseded"),
    RevocationReason.CESSATION_OF_OPERATION: (
        "Прекращение полномочий (увольнение)",
        "Cessation of operation",
    ),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    CertificateStatus.REQUESTED: ("Запрошен", "Requested"),
    CertificateStatus.ISSUED: ("Действует", "Valid"),
    CertificateStatus.REJECTED: ("Отклонён", "Rejected"),
    CertificateStatus.REVOKED: ("Отозван", "Revoked"),
    "expired": ("Истёк", "Expired"),
    "not_yet_valid": ("Ещё не действует", "Not yet valid"),
    "revoke_requested": ("Запрошен отзыв", "Revocation requested"),
}


class Validity(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NOT_ISSUED = "not_issued"


@dataclass(frozen=True)
class CertFacts:
    """What decides a certificate's validity at a moment (copied from the row)."""

    status: str
    not_before: datetime | None
    not_after: datetime | None
    revoked_at: datetime | None


def validity_at(facts: CertFacts, moment: datetime) -> Validity:
    """Was the certificate usable at `moment`? Revocation counts from its time on."""
    if (
        facts.not_before is None
        or facts.not_after is None
        or facts.status
        in (
            CertificateStatus.REQUESTED,
            CertificateStatus.REJECTED,
        )
    ):
        return Validity.NOT_ISSUED
    if facts.revoked_at is not None and facts.revoked_at <= moment:
        return Validity.REVOKED
    if moment < facts.not_before:
        return Validity.NOT_YET_VALID
    if moment >= facts.not_after:
        return Validity.EXPIRED
    return Validity.VALID


def display_status(facts: CertFacts, now: datetime, *, revoke_requested: bool = False) -> str:
    """One key of STATUS_LABELS for lists and badges."""
    if facts.status in (CertificateStatus.REQUESTED, CertificateStatus.REJECTED):
        return facts.status
    v = validity_at(facts, now)
    if v is Validity.REVOKED:
        return CertificateStatus.REVOKED
    if v is Validity.EXPIRED:
        return "expired"
    if v is Validity.NOT_YET_VALID:
        return "not_yet_valid"
    return "revoke_requested" if revoke_requested else CertificateStatus.ISSUED


def may_request_new(existing: list[CertFacts], now: datetime) -> str | None:
    """Why a user may not ask for another certificate now, or None if they may."""
    for f in existing:
        if f.status == CertificateStatus.REQUESTED:
            return "Запрос на сертификат уже отправлен и ждёт решения."
        if (
            validity_at(f, now) is Validity.VALID
            and f.not_after is not None
            and (f.not_after - now).days > RENEW_BEFORE_DAYS
        ):
            return "У вас уже есть действующий сертификат подписи."
    return None
