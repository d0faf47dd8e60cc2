"""Administration rules as data: user statuses, audit actions, the compact before/after diff.

No DB, no Reflex.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cabinet.access.rules import Perm


class UserStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    UNCONFIRMED = "unconfirmed"


USER_STATUS_LABELS: dict[UserStatus, tuple[str, str, str]] = {
    # status: (ru, en, badge colour)
    UserStatus.ACTIVE: ("Активен", "Active", "green"),
    UserStatus.BLOCKED: ("Заблокирован", "Blocked", "red"),
    UserStatus.UNCONFIRMED: ("Не подтверждён", "Unconfirmed", "amber"),
}


def user_status(*, is_blocked: bool, email_confirmed: bool, phone_confirmed: bool) -> UserStatus:
    if is_blocked:
        return UserStatus.BLOCKED
    if not (email_confirmed and phone_confirmed):
        return UserStatus.UNCONFIRMED
    return UserStatus.ACTIVE


KIND_LABELS: dict[str, tuple[str, str]] = {
    "legal": ("Юридическое лицо", "Legal entity"),
    "sole": ("ИП", "Sole proprietor"),
    "person": ("Физическое лицо", "Individual"),
}

TWOFA_LABELS: dict[str, tuple[str, str]] = {
    "": ("Выключена", "Off"),
    "totp": ("Приложение (TOTP)", "Authenticator app"),
    "sms": ("Код по SMS", "SMS code"),
    "email": ("Код по e-mail", "E-mail code"),
}


class AdminAction(StrEnum):
    """The `action` of the audit events written by cabinet.admin.service."""

    USER_BLOCK = "user.block"
    USER_UNBLOCK = "user.unblock"
    USER_RESET_2FA = "user.reset_2fa"
    USER_ROLE_ASSIGN = "user.role_assign"
    USER_ROLE_REMOVE = "user.role_remove"
    ORG_UPDATE = "org.update"
    ORG_MANAGER_ASSIGN = "org.manager_assign"
    ORG_MANAGER_UNASSIGN = "org.manager_unassign"
    ROLE_CREATE = "role.create"
    ROLE_UPDATE = "role.update"
    ROLE_DELETE = "role.delete"


# Self-protection: an administrator keeps these powers; a change that would take away the
# last of them from themself is refused.
ADMIN_POWERS: frozenset[Perm] = frozenset({Perm.USERS_MANAGE, Perm.ROLES_MANAGE})


def loses_admin_power(before: frozenset[str], after: frozenset[str]) -> bool:
    return any(p in before and p not in after for p in ADMIN_POWERS)


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value) or "—"
    text = str(value)
    return text if len(text) <= 80 else text[:79] + "…"


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """The fields that differ between the before and after snapshots of an audit event."""
    b, a = before or {}, after or {}
    keys = list(dict.fromkeys([*b.keys(), *a.keys()]))
    return [Change(k, _show(b.get(k)), _show(a.get(k))) for k in keys if b.get(k) != a.get(k)]


def diff_text(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """One line for a table cell: `field: old → new; …`."""
    parts = []
    for c in diff(before, after):
        if before is None:
            parts.append(f"{c.field}: {c.after}")
        elif after is None:
            parts.append(f"{c.field}: {c.before} → ∅")
        else:
            parts.append(f"{c.field}: {c.before} → {c.after}")
    return "; ".join(parts)


def search_targets(query: str) -> frozenset[str]:
    """Which user columns a typed search means: 'email', 'phone', 'name'.

    Narrowing keeps the e-mail and phone searches on their indexes (an OR with a name
    pattern would read the whole table).
    """
    q = query.strip()
    if not q:
        return frozenset()
    if "@" in q:
        return frozenset({"email"})
    if all(ch.isdigit() or ch in "+()- " for ch in q) and any(ch.isdigit() for ch in q):
        return frozenset({"phone"})
    if q.isascii() and " " not in q:
        return frozenset({"email", "name"})
    return frozenset({"name"})


def phone_prefixes(query: str) -> list[str]:
    """E.164 prefixes a typed phone fragment may mean: '8 900…' and '+7 900…' both → '+7900…'."""
    digits = "".join(ch for ch in query if ch.isdigit())
    if not digits:
        return []
    if digits[0] == "8" and len(digits) > 1:
        return [f"+7{digits[1:]}", f"+{digits}"]
    if digits[0] == "7" or query.strip().startswith("+"):
        return [f"+{digits}"]
    return [f"+{digits}", f"+7{digits}"]


def name_prefixes(query: str) -> list[str]:
    """Spellings to match a name prefix with (SQLite compares Cyrillic case-sensitively)."""
    q = " ".join(query.split())
    if not q:
        return []
    return list(dict.fromkeys([q, q.lower(), q.capitalize(), q.title()]))


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
