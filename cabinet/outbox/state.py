"""Thin state of /admin/outbox: read the URL query, call the outbox queries, show the page.

Filters (`channel`, `to`), the keyset cursor (`after`/`before`) and the opened message (`msg`)
all live in the URL, so a filtered view or one message is a bookmark. `load` re-resolves the
caller from the session cookie on every visit; without OUTBOX_VIEW the page shows "no access"
and loads nothing.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Perm
from cabinet.access.state import SessionState, fail
from cabinet.db import session_scope
from cabinet.errors import DomainError
from cabinet.outbox import queries
from cabinet.pagination import InvalidCursor, page_params

ALL = "all"


def _clip(value: Any, n: int = 100) -> str:
    return " ".join(str(value or "").split())[:n]


def _channel(value: Any) -> str:
    text = _clip(value, 10)
    return text if text in queries.CHANNELS else ""


def _int_or_none(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


class OutboxState(SessionState):
    """/admin/outbox: the local e-mail outbox and SMS log (OUTBOX_VIEW)."""

    allowed: bool = False
    loaded: bool = False
    rows: list[dict[str, str]] = []
    f_channel: str = ""
    f_to: str = ""
    query_key: str = ""
    prev_href: str = ""
    next_href: str = ""
    here_href: str = routes.ADMIN_OUTBOX  # this page without the opened message
    msg: dict[str, str] = {}

    def _filters(self) -> dict[str, str]:
        return {"channel": self.f_channel, "to": self.f_to}

    @rx.var
    def msg_open(self) -> bool:
        return bool(self.msg)

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        self.rows, self.msg = [], {}
        if actor is None:
            self.allowed = False
            return rx.redirect(routes.LOGIN)
        self.allowed = actor.has(Perm.OUTBOX_VIEW)
        if not self.allowed:
            return None
        try:
            q = self.router.url.query_parameters
        except AttributeError:
            q = {}
        self.f_channel = _channel(q.get("channel"))
        self.f_to = queries.normalise_recipient(_clip(q.get("to")))
        after, before = page_params(q)
        cursor = {"after": after} if after else ({"before": before} if before else {})
        self.query_key = self.router.url.query
        self.here_href = routes.with_query(routes.ADMIN_OUTBOX, **self._filters(), **cursor)
        outcome = None
        with session_scope() as s:
            try:
                page = queries.list_messages(
                    s, actor_id=actor.id, channel=self.f_channel, recipient=self.f_to, **cursor
                )
            except InvalidCursor as e:
                page = queries.list_messages(
                    s, actor_id=actor.id, channel=self.f_channel, recipient=self.f_to
                )
                outcome = fail(e)
            msg_id = _int_or_none(q.get("msg"))
            if msg_id is not None:
                try:
                    self.msg = queries.get_message(s, actor_id=actor.id, message_id=msg_id)
                except DomainError as e:
                    outcome = fail(e)
        self.rows = [
            {
                **r,
                "href": routes.with_query(
                    routes.ADMIN_OUTBOX, **self._filters(), **cursor, msg=r["id"]
                ),
            }
            for r in page.rows
        ]
        self.prev_href = (
            routes.with_query(routes.ADMIN_OUTBOX, **self._filters(), before=page.prev_before)
            if page.has_prev
            else ""
        )
        self.next_href = (
            routes.with_query(routes.ADMIN_OUTBOX, **self._filters(), after=page.next_after)
            if page.has_next
            else ""
        )
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        """The filter form: validate and put the filters into the URL (first page)."""
        channel = _clip(form.get("channel"), 10)
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_OUTBOX,
                channel=channel if channel in queries.CHANNELS else "",
                to=queries.normalise_recipient(_clip(form.get("to"))),
            )
        )

    @rx.event
    def close_message(self, _open: bool = False):
        """Close the message dialog: back to the list URL without `msg`."""
        self.msg = {}
        return rx.redirect(self.here_href)


__all__ = ["ALL", "OutboxState"]
