"""How dates and times are shown: one place, in the portal's display time zone.

Stored timestamps are UTC; people read them in `settings.display_timezone` (Moscow by default).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from cabinet.settings import settings


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(value: datetime) -> datetime:
    """`value` (aware, or naive meaning UTC) in the display time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(_zone(settings.display_timezone))


def fmt_dt(value: datetime | None) -> str:
    return local(value).strftime("%d.%m.%Y %H:%M") if value else ""


def fmt_dt_seconds(value: datetime | None) -> str:
    return local(value).strftime("%d.%m.%Y %H:%M:%S") if value else ""


def fmt_date(value: datetime | None) -> str:
    return local(value).strftime("%d.%m.%Y") if value else ""
