"""Pure rules of notifications: template checking and rendering, channel choice, backoff.

No DB, no Reflex. Templates use `{variable}` placeholders (`{{` and `}}` for literal braces);
attribute access, indexing, conversions and format specs are refused, so a template can only
insert the event's declared values.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from datetime import timedelta

from cabinet.errors import ValidationFailed
from cabinet.notifications.catalog import ALL_CHANNELS, EventSpec
from models.notifications import NotifyChannel

MAX_SUBJECT = 300
MAX_BODY = 4000
MAX_SHORT = 1000  # SMS / Telegram text
MAX_VALUE = 1000  # one substituted value

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
LEASE = timedelta(minutes=5)  # a claim older than this belongs to a dead worker

_FORMATTER = string.Formatter()


class TemplateError(ValidationFailed):
    default = "Шаблон содержит ошибку."


def placeholders(text: str, *, field: str = "body") -> list[str]:
    """The variable names used in `text`; TemplateError for anything but plain `{name}`."""
    names: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as e:
        raise TemplateError(
            f"Непарная фигурная скобка. Для символа «{{» пишите «{{{{». ({e})", field=field
        ) from e
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if name == "" or not name.isidentifier():
            raise TemplateError(
                f"Недопустимая подстановка «{{{name}}}»: только {{имя_переменной}}.", field=field
            )
        if spec or conversion:
            raise TemplateError(
                f"В подстановке «{{{name}}}» нельзя указывать формат или преобразование.",
                field=field,
            )
        names.append(name)
    return names


def validate_template(spec: EventSpec, channel: str, subject: str, body: str) -> None:
    """Checked when staff SAVE a template: unknown variables, syntax, lengths, emptiness."""
    if channel not in spec.allowed:
        raise TemplateError("Этот канал не разрешён для события.", field="channel")
    limit = MAX_SHORT if channel in (NotifyChannel.SMS, NotifyChannel.TELEGRAM) else MAX_BODY
    if not body.strip():
        raise TemplateError("Текст шаблона не может быть пустым.", field="body")
    if len(body) > limit:
        raise TemplateError(f"Текст длиннее {limit} символов.", field="body")
    if len(subject) > MAX_SUBJECT:
        raise TemplateError(f"Тема длиннее {MAX_SUBJECT} символов.", field="subject")
    if channel in (NotifyChannel.EMAIL, NotifyChannel.INAPP) and not subject.strip():
        raise TemplateError("Укажите тему (заголовок).", field="subject")
    known = set(spec.variables)
    for field_name, text in (("subject", subject), ("body", body)):
        unknown = sorted(set(placeholders(text, field=field_name)) - known)
        if unknown:
            names = ", ".join("{" + n + "}" for n in unknown)
            raise TemplateError(
                f"Неизвестные переменные: {names}. Доступны: "
                + ", ".join("{" + n + "}" for n in spec.variables),
                field=field_name,
            )


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:  # a variable the caller did not pass: empty
        return ""


def render(text: str, context: Mapping[str, object]) -> str:
    """Fill `{name}` placeholders; unknown or missing names become empty, never an error."""
    values = _Values({k: str(v)[:MAX_VALUE] for k, v in context.items()})
    try:
        parts = []
        for literal, name, _spec, _conv in _FORMATTER.parse(text):
            parts.append(literal)
            if name is not None:
                parts.append(values[name] if name.isidentifier() else "")
        return "".join(parts)
    except ValueError:  # a broken stored template: send it as it is rather than nothing
        return text


def render_message(
    spec: EventSpec, channel: str, subject: str, body: str, context: Mapping[str, object]
) -> tuple[str, str]:
    """(subject, body) ready to send, clipped to the channel's limits."""
    limit = MAX_SHORT if channel in (NotifyChannel.SMS, NotifyChannel.TELEGRAM) else MAX_BODY
    ctx = dict(context)
    return (
        " ".join(render(subject, ctx).split())[:MAX_SUBJECT],
        render(body, ctx)[:limit],
    )


def effective_channels(
    spec: EventSpec,
    *,
    switched_off: Iterable[str] = (),
    chosen: Iterable[str] | None = None,
) -> list[str]:
    """Channels one recipient gets: allowed by the event, not switched off by staff, chosen by
    the user (their default when they never chose). In ALL_CHANNELS order."""
    off = set(switched_off)
    picked = set(spec.default if chosen is None else chosen)
    return [c for c in ALL_CHANNELS if c in spec.allowed and c not in off and c in picked]


def selectable_channels(spec: EventSpec, *, switched_off: Iterable[str] = ()) -> list[str]:
    """Channels a user may choose for the event (allowed and switched on)."""
    off = set(switched_off)
    return [c for c in ALL_CHANNELS if c in spec.allowed and c not in off]


def clean_choice(
    spec: EventSpec, channels: Iterable[str], *, switched_off: Iterable[str] = ()
) -> list[str]:
    """A user's choice restricted to what they may choose (unknown names dropped)."""
    allowed = set(selectable_channels(spec, switched_off=switched_off))
    return [c for c in ALL_CHANNELS if c in allowed and c in set(channels)]


def backoff(attempts: int) -> timedelta:
    """Delay after failed attempt number `attempts`: 30 s, 1 min, 2 min, 4 min ... max 1 h."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(BACKOFF_BASE * factor, BACKOFF_MAX)


def should_retry(attempts: int, *, transient: bool, max_attempts: int = MAX_ATTEMPTS) -> bool:
    return transient and attempts < max_attempts
