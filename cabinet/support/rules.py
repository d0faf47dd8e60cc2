"""Support desk rules: the status workflow as data, deadlines, input limits. No DB, no Reflex.

The workflow table says, for each (status, action, side), where the request goes and under
which condition. `step()` is the one function that applies it (raises InvalidTransition with a
Russian message); the request page asks `buttons()` — the same table — which buttons to show.
Replies are actions too: a staff reply puts the request into "waiting for the customer", a
customer reply on "waiting" brings it back "in progress".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from cabinet.errors import DomainError, ValidationFailed
from models.support import SupportStatus

S = SupportStatus


class Side(StrEnum):
    CUSTOMER = "customer"  # the author (or their organisation's customer administrator)
    STAFF = "staff"  # support staff who see the request


class Action(StrEnum):
    TAKE = "take"  # staff start working on a new request
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    REPLY = "reply"  # a message in the thread (not a button: the reply form)


class InvalidTransition(DomainError):
    default = "Это действие с обращением сейчас недоступно."


REOPEN_DAYS = 14  # a customer may reopen a resolved/closed request within this many days


@dataclass(frozen=True)
class Step:
    to: SupportStatus
    within_days: int | None = None  # only this long after the request was resolved/closed
    button: bool = True  # shown as a button on the request page


_C, _S = Side.CUSTOMER, Side.STAFF

WORKFLOW: dict[tuple[SupportStatus, Action, Side], Step] = {
    # staff take a new request
    (S.NEW, Action.TAKE, _S): Step(S.IN_PROGRESS),
    # staff resolve an open request
    (S.NEW, Action.RESOLVE, _S): Step(S.RESOLVED),
    (S.IN_PROGRESS, Action.RESOLVE, _S): Step(S.RESOLVED),
    (S.WAITING, Action.RESOLVE, _S): Step(S.RESOLVED),
    # the customer may close (withdraw) their request at any open stage; staff close resolved ones
    (S.NEW, Action.CLOSE, _C): Step(S.CLOSED),
    (S.IN_PROGRESS, Action.CLOSE, _C): Step(S.CLOSED),
    (S.WAITING, Action.CLOSE, _C): Step(S.CLOSED),
    (S.RESOLVED, Action.CLOSE, _C): Step(S.CLOSED),
    (S.RESOLVED, Action.CLOSE, _S): Step(S.CLOSED),
    # reopen: the customer within REOPEN_DAYS, staff at any time
    (S.RESOLVED, Action.REOPEN, _C): Step(S.IN_PROGRESS, within_days=REOPEN_DAYS),
    (S.CLOSED, Action.REOPEN, _C): Step(S.IN_PROGRESS, within_days=REOPEN_DAYS),
    (S.RESOLVED, Action.REOPEN, _S): Step(S.IN_PROGRESS),
    (S.CLOSED, Action.REOPEN, _S): Step(S.IN_PROGRESS),
    # replies: staff → waiting for the customer; the customer on "waiting" → in progress
    (S.NEW, Action.REPLY, _S): Step(S.WAITING, button=False),
    (S.IN_PROGRESS, Action.REPLY, _S): Step(S.WAITING, button=False),
    (S.WAITING, Action.REPLY, _S): Step(S.WAITING, button=False),
    (S.RESOLVED, Action.REPLY, _S): Step(S.RESOLVED, button=False),
    (S.NEW, Action.REPLY, _C): Step(S.NEW, button=False),
    (S.IN_PROGRESS, Action.REPLY, _C): Step(S.IN_PROGRESS, button=False),
    (S.WAITING, Action.REPLY, _C): Step(S.IN_PROGRESS, button=False),
    (S.RESOLVED, Action.REPLY, _C): Step(S.IN_PROGRESS, within_days=REOPEN_DAYS, button=False),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    S.NEW: ("Новое", "New"),
    S.IN_PROGRESS: ("В работе", "In progress"),
    S.WAITING: ("Ждёт ответа клиента", "Waiting for customer"),
    S.RESOLVED: ("Решено", "Resolved"),
    S.CLOSED: ("Закрыто", "Closed"),
}

STATUS_COLORS: dict[str, str] = {
    S.NEW: "blue",
    S.IN_PROGRESS: "amber",
    S.WAITING: "violet",
    S.RESOLVED: "green",
    S.CLOSED: "gray",
}

ACTION_LABELS: dict[tuple[Action, Side], tuple[str, str]] = {
    (Action.TAKE, _S): ("Взять в работу", "Start work"),
    (Action.RESOLVE, _S): ("Отметить решённым", "Mark resolved"),
    (Action.CLOSE, _S): ("Закрыть", "Close"),
    (Action.CLOSE, _C): ("Закрыть обращение", "Close request"),
    (Action.REOPEN, _S): ("Открыть заново", "Reopen"),
    (Action.REOPEN, _C): ("Открыть заново", "Reopen"),
}

_REFUSALS: dict[Action, str] = {
    Action.TAKE: "Взять в работу можно только новое обращение.",
    Action.RESOLVE: "Обращение уже решено или закрыто.",
    Action.CLOSE: "Закрыть это обращение сейчас нельзя.",
    Action.REOPEN: "Открыть заново можно только решённое или закрытое обращение.",
    Action.REPLY: "Обращение закрыто — откройте его заново, чтобы написать.",
}

# While staff are the ones to act, the response deadline runs.
AWAITING_STAFF: frozenset[str] = frozenset({S.NEW, S.IN_PROGRESS})
OPEN_STATUSES: frozenset[str] = frozenset({S.NEW, S.IN_PROGRESS, S.WAITING})


def _parse(status: str, action: str, side: str) -> tuple[SupportStatus, Action, Side]:
    try:
        return SupportStatus(status), Action(action), Side(side)
    except ValueError:
        raise InvalidTransition() from None


def step(
    status: str,
    action: str,
    side: str,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> Step:
    """The step for `action` by `side` from `status`; InvalidTransition when not allowed.

    `since` is when the request was resolved/closed (for steps limited to N days)."""
    st, act, sd = _parse(status, action, side)
    found = WORKFLOW.get((st, act, sd))
    if found is None:
        if any(k[0] == st and k[1] == act for k in WORKFLOW):
            raise InvalidTransition("Это действие доступно только другой стороне обращения.")
        raise InvalidTransition(_REFUSALS[act])
    if found.within_days is not None and since is not None:
        moment = now or datetime.now(since.tzinfo)
        if moment - since > timedelta(days=found.within_days):
            raise InvalidTransition(
                f"Прошло больше {found.within_days} дней — создайте новое обращение."
            )
    return found


def allowed(
    status: str,
    action: str,
    side: str,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> bool:
    try:
        step(status, action, side, since=since, now=now)
    except InvalidTransition:
        return False
    return True


def buttons(
    status: str, side: str, *, since: datetime | None = None, now: datetime | None = None
) -> list[str]:
    """The action buttons the request page shows for this side (from the same table)."""
    return [
        str(act)
        for (st, act, sd), stp in WORKFLOW.items()
        if st == status
        and sd == side
        and stp.button
        and allowed(status, act, side, since=since, now=now)
    ]


def may_reply(
    status: str, side: str, *, since: datetime | None = None, now: datetime | None = None
) -> bool:
    return allowed(status, Action.REPLY, side, since=since, now=now)


# --------------------------------------------------------------------------- deadlines


def due_at(start: datetime, response_hours: int) -> datetime:
    """When staff must answer: `response_hours` calendar hours after `start`."""
    return start + timedelta(hours=max(0, int(response_hours)))


def is_overdue(status: str, due: datetime | None, now: datetime) -> bool:
    """Staff are to act and the deadline has passed."""
    return status in AWAITING_STAFF and due is not None and due < now


def _hours_text(delta: timedelta, lang: str = "ru") -> str:
    en = lang == "en"
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} {'min' if en else 'мин'}"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} {'h' if en else 'ч'}"
    return f"{hours // 24} {'d' if en else 'дн'}"


def deadline_text(status: str, due: datetime | None, now: datetime, lang: str = "ru") -> str:
    """ "осталось 5 ч", "просрочено на 2 ч" ("5 h left", "2 h overdue"), or "" when no
    deadline runs."""
    if status not in AWAITING_STAFF or due is None:
        return ""
    if due < now:
        span = _hours_text(now - due, lang)
        return f"{span} overdue" if lang == "en" else f"просрочено на {span}"
    span = _hours_text(due - now, lang)
    return f"{span} left" if lang == "en" else f"осталось {span}"


# --------------------------------------------------------------------------- input limits

MAX_SUBJECT = 200
MAX_TEXT = 10_000
MAX_NAME = 200
MAX_DESCRIPTION = 500
MAX_RESPONSE_HOURS = 24 * 30
MAX_FILES = 5
ATTACHMENT_TYPES = ("pdf", "png", "jpeg", "docx", "xlsx", "doc", "xls", "zip")
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def clean_subject(value: str) -> str:
    v = " ".join((value or "").split())
    if not v:
        raise ValidationFailed("Укажите тему обращения.", field="subject")
    if len(v) > MAX_SUBJECT:
        raise ValidationFailed(f"Тема: не длиннее {MAX_SUBJECT} символов.", field="subject")
    return v


def clean_text(value: str, *, field: str = "text", required: bool = True) -> str:
    v = (value or "").strip().replace("\r\n", "\n")
    if required and not v:
        raise ValidationFailed("Напишите текст сообщения.", field=field)
    if len(v) > MAX_TEXT:
        raise ValidationFailed(f"Сообщение: не длиннее {MAX_TEXT} символов.", field=field)
    return v


def clean_name(value: str, *, field: str = "name") -> str:
    v = " ".join((value or "").split())
    if not v:
        raise ValidationFailed("Укажите название.", field=field)
    if len(v) > MAX_NAME:
        raise ValidationFailed(f"Название: не длиннее {MAX_NAME} символов.", field=field)
    return v


def clean_description(value: str) -> str:
    v = " ".join((value or "").split())
    if len(v) > MAX_DESCRIPTION:
        raise ValidationFailed(
            f"Описание: не длиннее {MAX_DESCRIPTION} символов.", field="description"
        )
    return v


def clean_hours(value: object) -> int:
    try:
        hours = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationFailed("Срок ответа — целое число часов.", field="response_hours") from None
    if not 1 <= hours <= MAX_RESPONSE_HOURS:
        raise ValidationFailed(
            f"Срок ответа: от 1 до {MAX_RESPONSE_HOURS} часов.", field="response_hours"
        )
    return hours


def parse_recipient(value: str) -> tuple[str, int] | None:
    """The new-request form's recipient: "dept:<id>" or "user:<id>"; "" means none chosen."""
    v = (value or "").strip()
    if not v:
        return None
    kind, _, raw = v.partition(":")
    if kind not in ("dept", "user") or not raw.isdigit() or len(raw) > 10:
        raise ValidationFailed("Выберите, кому адресовано обращение.", field="recipient")
    return kind, int(raw)


def number(request_id: int) -> str:
    """The request's number as customers see it."""
    return f"№ {request_id}"


def search_text(*parts: str) -> str:
    """What the queue's search matches: the parts lower-cased (Cyrillic included)."""
    return " | ".join(" ".join(p.split()) for p in parts).lower()[:1000]
