"""Maintenance journals as data and pure decisions. No DB, no Reflex.

Who may do what on one service object is decided from an `ObjectRights` snapshot (built by
queries.rights_for from the actor and the object's people); the service refuses with the same
functions the pages use to show buttons. The canonical byte form of an entry version — what
gets signed — is built here, deterministically.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cabinet.errors import DomainError, ValidationFailed
from models.journals import EntryState, JournalStatus, PersonRole, Side

MAX_WORK_KIND = 200
MAX_TEXT = 4000
MAX_OBJECT_NAME = 200
MAX_ADDRESS = 500
MAX_SYSTEMS = 500
ATTACHMENT_TYPES = ("jpeg", "png", "pdf")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 20
SIGN_PURPOSE = "journal_entry"  # the e-signature module's purpose for entry signatures
CANONICAL_FORMAT = "cabinet.journal-entry/1"

STATE_LABELS: dict[str, tuple[str, str]] = {
    EntryState.DRAFT: ("Черновик", "Draft"),
    EntryState.AWAITING: ("Ждёт подписей", "Awaiting signatures"),
    EntryState.PARTIAL: ("Подписана частично", "Partially signed"),
    EntryState.SIGNED: ("Подписана", "Signed"),
}
STATE_COLORS: dict[str, str] = {
    EntryState.DRAFT: "gray",
    EntryState.AWAITING: "amber",
    EntryState.PARTIAL: "blue",
    EntryState.SIGNED: "green",
}
SIDE_LABELS: dict[str, tuple[str, str]] = {
    Side.OPERATOR: ("Оператор", "Operator"),
    Side.SUBSCRIBER: ("Абонент", "Subscriber"),
}
ROLE_LABELS: dict[str, tuple[str, str]] = {
    PersonRole.STAFF: ("Сотрудник оператора на объекте", "Operator staff on the object"),
    PersonRole.OPERATOR_RESPONSIBLE: ("Ответственный оператора", "Operator's responsible"),
    PersonRole.SUBSCRIBER_RESPONSIBLE: ("Ответственный абонента", "Subscriber's responsible"),
}
SIDE_OF_ROLE: dict[str, Side] = {
    PersonRole.OPERATOR_RESPONSIBLE: Side.OPERATOR,
    PersonRole.SUBSCRIBER_RESPONSIBLE: Side.SUBSCRIBER,
}
# Entry states in which a signature is still wanted.
SIGNABLE_STATES = frozenset({EntryState.AWAITING, EntryState.PARTIAL})


class SigningRefused(DomainError):
    default = "Подпись невозможна."


class StaleVersion(DomainError):
    default = "Запись изменилась, пока вы её открывали. Обновите страницу."


@dataclass(frozen=True)
class ObjectRights:
    """What one actor may do on one object (the object is visible when any flag is true)."""

    is_admin: bool = False  # operator administrator (JOURNALS_ADMIN): everything
    is_staff: bool = False  # operator staff assigned to the object (JOURNALS_WRITE)
    subscriber_member: bool = False  # holds JOURNALS_VIEW in the object's organisation
    subscriber_admin: bool = False  # holds JOURNALS_SUBSCRIBER_ADMIN there
    sides: frozenset[str] = field(default_factory=frozenset)  # sides the actor signs for

    @property
    def can_view(self) -> bool:
        return self.is_admin or self.is_staff or self.subscriber_member or bool(self.sides)

    @property
    def can_write(self) -> bool:
        """Only operator staff assigned to the object write entries."""
        return self.is_staff

    @property
    def can_open_journal(self) -> bool:
        return self.is_admin or self.is_staff

    @property
    def can_edit_object(self) -> bool:
        return self.is_admin or self.subscriber_admin

    def can_manage(self, role: str) -> bool:
        """Operator admin: staff and operator-side responsible; subscriber admin: subscriber side."""
        if role == PersonRole.SUBSCRIBER_RESPONSIBLE:
            return self.subscriber_admin
        return self.is_admin


def journal_takes_entries(status: str) -> bool:
    """Only the active journal of its type takes new entries and edits; an archived one is
    read-only (its pending entries may still be signed: the work was done)."""
    return status == JournalStatus.ACTIVE


def state_after_signatures(signed_sides: set[str] | frozenset[str]) -> EntryState:
    """The state of a submitted entry given the sides that signed its current version."""
    if {Side.OPERATOR, Side.SUBSCRIBER} <= set(signed_sides):
        return EntryState.SIGNED
    if signed_sides:
        return EntryState.PARTIAL
    return EntryState.AWAITING


def sign_side(
    rights: ObjectRights,
    *,
    state: str,
    current_version: int,
    version: int,
    signed: dict[str, int],
    actor_id: int,
) -> Side:
    """The side the actor signs the entry for, or SigningRefused. `signed` maps the sides
    that already signed the current version to their signers."""
    if not rights.sides:
        raise SigningRefused("Вы не ответственное лицо по этому объекту.")
    if state == EntryState.DRAFT:
        raise SigningRefused("Черновик ещё не отправлен на подпись.")
    if version != current_version:
        raise StaleVersion("Эта версия записи устарела: подписать можно только текущую.")
    if state == EntryState.SIGNED:
        raise SigningRefused("Запись уже подписана обеими сторонами.")
    if actor_id in signed.values():
        raise SigningRefused("Вы уже подписали эту версию записи.")
    for side in (Side.OPERATOR, Side.SUBSCRIBER):
        if side in rights.sides and side not in signed:
            return side
    raise SigningRefused("Ваша сторона уже подписала эту версию записи.")


def may_sign(
    rights: ObjectRights, *, state: str, signed: dict[str, int], actor_id: int
) -> str | None:
    """The side the sign button would sign for (None: no button)."""
    if state not in SIGNABLE_STATES or actor_id in signed.values():
        return None
    for side in (Side.OPERATOR, Side.SUBSCRIBER):
        if side in rights.sides and side not in signed:
            return str(side)
    return None


# --------------------------------------------------------------------------- entry content


@dataclass(frozen=True)
class EntryFields:
    work_at: datetime
    work_kind: str
    description: str
    findings: str = ""


def clean_text(value: str, *, limit: int, field_name: str, label: str, required: bool) -> str:
    text = "\n".join(line.rstrip() for line in (value or "").strip().splitlines())
    if required and not text:
        raise ValidationFailed(f"Заполните поле «{label}».", field=field_name)
    if len(text) > limit:
        raise ValidationFailed(f"Поле «{label}»: не больше {limit} символов.", field=field_name)
    return text


def clean_entry(
    *, work_at: datetime | None, work_kind: str, description: str, findings: str, now: datetime
) -> EntryFields:
    """Validate an entry's fields (work time not in the future beyond a day's clock skew)."""
    if work_at is None:
        raise ValidationFailed("Укажите дату и время работ.", field="work_at")
    if work_at.tzinfo is None:
        raise ValidationFailed("Время работ без часового пояса.", field="work_at")
    if (work_at - now).total_seconds() > 24 * 3600:
        raise ValidationFailed("Дата работ не может быть в будущем.", field="work_at")
    if work_at.year < 2000:
        raise ValidationFailed("Проверьте дату работ.", field="work_at")
    return EntryFields(
        work_at=work_at,
        work_kind=clean_text(
            work_kind, limit=MAX_WORK_KIND, field_name="work_kind", label="Вид работ", required=True
        ).replace("\n", " "),
        description=clean_text(
            description,
            limit=MAX_TEXT,
            field_name="description",
            label="Описание работ",
            required=True,
        ),
        findings=clean_text(
            findings, limit=MAX_TEXT, field_name="findings", label="Замечания", required=False
        ),
    )


def clean_object(*, name: str, address: str, systems: str) -> tuple[str, str, str]:
    name = clean_text(
        name, limit=MAX_OBJECT_NAME, field_name="name", label="Название", required=True
    ).replace("\n", " ")
    address = clean_text(
        address, limit=MAX_ADDRESS, field_name="address", label="Адрес", required=True
    ).replace("\n", " ")
    parts = [p.strip() for p in (systems or "").replace("\n", ",").split(",")]
    joined = ", ".join(dict.fromkeys(p for p in parts if p))
    if len(joined) > MAX_SYSTEMS:
        raise ValidationFailed(
            f"Обслуживаемые системы: не больше {MAX_SYSTEMS} символов.", field="systems"
        )
    return name, address, joined


def same_content(a: EntryFields, b: EntryFields, files_a: list[int], files_b: list[int]) -> bool:
    return a == b and sorted(files_a) == sorted(files_b)


def canonical_bytes(
    *,
    entry_id: int,
    journal_id: int,
    number: int,
    version: int,
    fields: EntryFields,
    attachments: list[dict[str, Any]],
) -> bytes:
    """The deterministic byte form of one entry version: UTF-8 JSON, sorted keys, no spaces,
    UTC time in ISO 8601 with seconds, attachments by checksum in a fixed order. Signed as is."""
    doc = {
        "format": CANONICAL_FORMAT,
        "entry_id": entry_id,
        "journal_id": journal_id,
        "number": number,
        "version": version,
        "work_at": fields.work_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "work_kind": fields.work_kind,
        "description": fields.description,
        "findings": fields.findings,
        "attachments": sorted(
            (
                {"filename": str(a["filename"]), "sha256": str(a["sha256"]), "size": int(a["size"])}
                for a in attachments
            ),
            key=lambda a: (a["sha256"], a["filename"]),
        ),
    }
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def entry_title(number: int, work_kind: str) -> str:
    return f"Запись № {number}: {work_kind}"
