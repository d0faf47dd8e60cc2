"""Registry exports (CSV / XLSX of every row matching the filters) built off the event loop.

An export reads up to tens of thousands of rows and writes them — a 50,000-row workbook takes
about 5 s — so the reading and writing run in a thread with a session of their own
(`cabinet.db.in_thread`) and the handler awaits them. Who may export, and with which filters,
is decided by the handler on the event loop before the thread starts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cabinet.applications.export import to_csv, to_xlsx
from cabinet.db import in_thread

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RowSource = Callable[[Any], Iterable[Sequence[str]]]  # session -> rows


async def build_off_loop(
    kind: str, headers: Sequence[str], rows: RowSource, *, title: str
) -> str | bytes:
    """`rows(session)` written as CSV (`kind` "csv") or XLSX, in a thread, awaited."""

    def build(s: Any) -> str | bytes:
        data = list(rows(s))
        return to_csv(headers, data) if kind == "csv" else to_xlsx(headers, data, title=title)

    return await in_thread(build)
