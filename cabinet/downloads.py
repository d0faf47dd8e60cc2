"""Registry exports (CSV / XLSX of every row matching the filters) built off the event loop.

An event handler runs on the worker's event loop: while it works, every other page that
worker serves waits. An export reads up to tens of thousands of rows and writes them — a
50,000-row workbook takes about 5 s — so the reading and writing run in a thread
(`asyncio.to_thread`, a session of its own) and the handler awaits them. Who may export, and
with which filters, is decided by the handler on the event loop before the thread starts.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from cabinet.applications.export import to_csv, to_xlsx
from cabinet.db import session_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

RowSource = Callable[[Any], Iterable[Sequence[str]]]  # session -> rows


def build(kind: str, headers: Sequence[str], rows: RowSource, *, title: str) -> str | bytes:
    """The file: `rows(session)` read in a session of its own, written as CSV or XLSX."""
    with session_scope() as s:
        data = list(rows(s))
    if kind == "csv":
        return to_csv(headers, data)
    return to_xlsx(headers, data, title=title)


async def build_off_loop(
    kind: str, headers: Sequence[str], rows: RowSource, *, title: str
) -> str | bytes:
    """`build` in a thread, awaited: the worker's other pages go on meanwhile."""
    return await asyncio.to_thread(build, kind, headers, rows, title=title)
