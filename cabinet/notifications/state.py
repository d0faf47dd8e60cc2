"""Thin Reflex states of the notifications pages: resolve the caller, call a query or a
service, show the outcome. Filters and cursors live in the URL."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Perm
from cabinet.access.state import SessionState, fail
from cabinet.accounts.sessions import resolve_user_id
from cabinet.db import session_scope
from cabinet.errors import DomainError
from cabinet.notifications import queries, service
from cabinet.notifications.catalog import ALL_CHANNELS, EVENTS, LANGS
from cabinet.pagination import InvalidCursor, page_params


def _clip(value: Any, n: int = 100) -> str:
    return " ".join(str(value or "").split())[:n]


def _query(state: rx.State) -> dict[str, Any]:
    try:
        return dict(state.router.url.query_parameters)
    except AttributeError:
        return {}


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 9 else None


class BellState(SessionState):
    """The unread count in the top bar; refreshed whenever a page (re)mounts the bell."""

    unread: int = 0

    @rx.var
    def unread_label(self) -> str:
        return "99+" if self.unread > 99 else str(self.unread)

    @rx.event
    def refresh(self):
        with session_scope() as s:
            user_id = resolve_user_id(s, self.token)
            self.unread = 0 if user_id is None else queries.unread_count(s, user_id=user_id)


class NotificationsState(SessionState):
    """/notifications: the caller's own notifications, newest first."""

    loaded: bool = False
    rows: list[dict[str, str]] = []
    unread_only: bool = False
    prev_href: str = ""
    next_href: str = ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        self.rows = []
        if actor is None:
            return rx.redirect(routes.LOGIN)
        q = _query(self)
        self.unread_only = q.get("unread") == "1"
        after, before = page_params(q)
        flt = {"unread": "1" if self.unread_only else ""}
        outcome = None
        with session_scope() as s:
            try:
                page = queries.list_notifications(
                    s, actor_id=actor.id, unread_only=self.unread_only, after=after, before=before
                )
            except InvalidCursor as e:
                page = queries.list_notifications(
                    s, actor_id=actor.id, unread_only=self.unread_only
                )
                outcome = fail(e)
        self.rows = page.rows
        self.prev_href = (
            routes.with_query(routes.NOTIFICATIONS, **flt, before=page.prev_before)
            if page.has_prev
            else ""
        )
        self.next_href = (
            routes.with_query(routes.NOTIFICATIONS, **flt, after=page.next_after)
            if page.has_next
            else ""
        )
        return [BellState.refresh, *([outcome] if outcome else [])]

    def _mark(self, notification_id: int) -> Any:
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.mark_read(s, actor_id=actor.id, notification_id=notification_id)
        except DomainError as e:
            return fail(e)
        return None

    @rx.event
    def mark_read(self, notification_id: int):
        nid = _int(notification_id)
        if nid is None:
            return None
        refused = self._mark(nid)
        if refused is not None:
            return refused
        for row in self.rows:
            if row["id"] == str(nid):
                row["unread"] = ""
        self.rows = list(self.rows)
        return BellState.refresh

    @rx.event
    def open(self, notification_id: int):
        """Mark read and follow the notification's link (only portal paths are followed)."""
        nid = _int(notification_id)
        if nid is None:
            return None
        refused = self._mark(nid)
        if refused is not None:
            return refused
        link = next((r["link"] for r in self.rows if r["id"] == str(nid)), "")
        if link.startswith("/") and not link.startswith("//"):
            return rx.redirect(link)
        return NotificationsState.load

    @rx.event
    def mark_all_read(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        with session_scope() as s:
            service.mark_all_read(s, actor_id=actor.id)
        self.rows = [{**r, "unread": ""} for r in self.rows]
        return BellState.refresh


class PreferencesState(SessionState):
    """/profile/notifications: the caller's channels per event and Telegram chat id."""

    loaded: bool = False
    rows: list[dict[str, str]] = []
    telegram_chat_id: str = ""
    chat_error: str = ""
    form_key: int = 0

    def _reload(self, actor_id: int) -> None:
        with session_scope() as s:
            prefs = queries.my_preferences(s, actor_id=actor_id)
        self.rows = prefs["rows"]
        self.telegram_chat_id = prefs["telegram_chat_id"]
        self.form_key += 1

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        self.chat_error = ""
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self._reload(actor.id)
        return None

    @rx.event
    def save(self, form: dict[str, Any]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        choices = {
            event: [ch for ch in ALL_CHANNELS if form.get(f"{event}|{ch}") in ("on", True, "true")]
            for event in EVENTS
        }
        self.chat_error = ""
        try:
            with session_scope() as s:
                service.save_preferences(
                    s,
                    actor_id=actor.id,
                    choices=choices,
                    telegram_chat_id=_clip(form.get("telegram_chat_id"), 40),
                )
        except DomainError as e:
            if e.field == "telegram_chat_id":
                self.chat_error = e.message
                return None
            return fail(e)
        self._reload(actor.id)
        return rx.toast.success("Настройки уведомлений сохранены.")


class TemplatesState(SessionState):
    """/admin/notifications/templates: edit one event × channel × language, switch channels,
    preview with the event's sample data (NOTIFY_TEMPLATES_MANAGE)."""

    loaded: bool = False
    allowed: bool = False
    event: str = ""
    channel: str = ""
    lang: str = "ru"
    subject: str = ""
    body: str = ""
    variables: list[str] = []
    switches: list[dict[str, str]] = []
    events: list[dict[str, str]] = []
    preview_subject: str = ""
    preview_body: str = ""
    error: str = ""
    error_field: str = ""
    form_key: int = 0

    def _href(self, **changes: str) -> str:
        params = {"event": self.event, "channel": self.channel, "lang": self.lang, **changes}
        return routes.with_query(routes.ADMIN_NOTIFY_TEMPLATES, **params)

    def _preview(self) -> None:
        p = queries.preview(self.event, self.channel, self.subject, self.body)
        self.preview_subject, self.preview_body = p["subject"], p["body"]
        self.error, self.error_field = p["error"], p["field"]

    def _fill(self, actor_id: int, event: str, channel: str, lang: str) -> None:
        with session_scope() as s:
            ed = queries.template_editor(
                s, actor_id=actor_id, event=event, channel=channel, lang=lang
            )
        self.event, self.channel, self.lang = ed["event"], ed["channel"], ed["lang"]
        self.subject, self.body = ed["subject"], ed["body"]
        self.variables, self.switches, self.events = ed["variables"], ed["switches"], ed["events"]
        self.form_key += 1
        self._preview()

    @rx.var
    def channel_tabs(self) -> list[dict[str, str]]:
        return [
            {
                "channel": sw["channel"],
                "label": sw["label"],
                "href": self._href(channel=sw["channel"]),
                "current": "1" if sw["channel"] == self.channel else "",
            }
            for sw in self.switches
        ]

    @rx.var
    def lang_tabs(self) -> list[dict[str, str]]:
        return [
            {
                "lang": lg,
                "href": self._href(lang=lg),
                "current": "1" if lg == self.lang else "",
            }
            for lg in LANGS
        ]

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        if actor is None:
            self.allowed = False
            return rx.redirect(routes.LOGIN)
        self.allowed = actor.has(Perm.NOTIFY_TEMPLATES_MANAGE)
        if not self.allowed:
            return None
        q = _query(self)
        event = _clip(q.get("event"), 60)
        event = event if event in EVENTS else next(iter(EVENTS))
        try:
            self._fill(actor.id, event, _clip(q.get("channel"), 10), _clip(q.get("lang"), 5))
        except DomainError as e:
            return fail(e)
        return None

    @rx.event
    def choose_event(self, event: str):
        event = _clip(event, 60)
        if event not in EVENTS:
            return None
        return rx.redirect(routes.with_query(routes.ADMIN_NOTIFY_TEMPLATES, event=event))

    @rx.event
    def edit_subject(self, value: str):
        self.subject = str(value or "")[:400]
        self._preview()

    @rx.event
    def edit_body(self, value: str):
        self.body = str(value or "")[:5000]
        self._preview()

    @rx.event
    def save(self, form: dict[str, Any]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.subject = str(form.get("subject") or "")[:400]
        self.body = str(form.get("body") or "")[:5000]
        try:
            with session_scope() as s:
                service.save_template(
                    s,
                    actor_id=actor.id,
                    event=self.event,
                    channel=self.channel,
                    lang=self.lang,
                    subject=self.subject,
                    body=self.body,
                    ip=self._client_ip(),
                )
        except DomainError as e:
            self._preview()
            self.error, self.error_field = e.message, e.field or ""
            return None if e.field else fail(e)  # field errors show beside the form
        self._fill(actor.id, self.event, self.channel, self.lang)
        return rx.toast.success("Шаблон сохранён.")

    @rx.event
    def restore_default(self):
        """Put the shipped text of this event × channel × language back."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.reset_template(
                    s,
                    actor_id=actor.id,
                    event=self.event,
                    channel=self.channel,
                    lang=self.lang,
                    ip=self._client_ip(),
                )
        except DomainError as e:
            return fail(e)
        self._fill(actor.id, self.event, self.channel, self.lang)
        return rx.toast.success("Восстановлен текст по умолчанию.")

    @rx.event
    def switch_channel(self, channel: str, enabled: bool):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.set_channel_enabled(
                    s,
                    actor_id=actor.id,
                    event=self.event,
                    channel=_clip(channel, 10),
                    enabled=bool(enabled),
                    ip=self._client_ip(),
                )
        except DomainError as e:
            return fail(e)
        self.switches = [
            {**sw, "enabled": ("1" if enabled else "")} if sw["channel"] == channel else sw
            for sw in self.switches
        ]
        return None


class StatsState(SessionState):
    """/admin/notifications/stats: deliveries over time by status and channel, failed
    deliveries per customer, resend (NOTIFY_STATS_VIEW)."""

    loaded: bool = False
    allowed: bool = False
    f_from: str = ""
    f_to: str = ""
    f_channel: str = ""
    f_q: str = ""
    query_key: str = ""
    by_status: list[dict[str, Any]] = []
    by_channel: list[dict[str, Any]] = []
    totals: dict[str, int] = {}
    channel_totals: dict[str, int] = {}
    rows: list[dict[str, str]] = []
    selected: list[str] = []
    prev_href: str = ""
    next_href: str = ""
    attempts: list[dict[str, str]] = []
    attempts_for: str = ""

    def _filters(self) -> dict[str, str]:
        return {"from": self.f_from, "to": self.f_to, "channel": self.f_channel, "q": self.f_q}

    @rx.var
    def attempts_open(self) -> bool:
        return self.attempts_for != ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        self.rows, self.selected, self.attempts, self.attempts_for = [], [], [], ""
        if actor is None:
            self.allowed = False
            return rx.redirect(routes.LOGIN)
        self.allowed = actor.has(Perm.NOTIFY_STATS_VIEW)
        if not self.allowed:
            return None
        q = _query(self)
        self.query_key = self.router.url.query
        channel = _clip(q.get("channel"), 10)
        self.f_channel = channel if channel in ALL_CHANNELS else ""
        self.f_q = _clip(q.get("q"))
        after, before = page_params(q)
        outcome = None
        with session_scope() as s:
            try:
                stats = queries.delivery_stats(
                    s,
                    actor_id=actor.id,
                    date_from=_clip(q.get("from"), 10),
                    date_to=_clip(q.get("to"), 10),
                    channel=self.f_channel,
                )
            except DomainError as e:
                stats = queries.delivery_stats(s, actor_id=actor.id, channel=self.f_channel)
                outcome = fail(e)
            self.f_from, self.f_to = stats["from"], stats["to"]
            args = {
                "actor_id": actor.id,
                "recipient": self.f_q,
                "channel": self.f_channel,
                "date_from": self.f_from,
                "date_to": self.f_to,
            }
            try:
                page = queries.list_failed(s, **args, after=after, before=before)
            except InvalidCursor as e:
                page = queries.list_failed(s, **args)
                outcome = fail(e)
        self.by_status, self.by_channel = stats["by_status"], stats["by_channel"]
        self.totals, self.channel_totals = stats["totals"], stats["channel_totals"]
        self.rows = page.rows
        base = routes.ADMIN_NOTIFY_STATS
        self.prev_href = (
            routes.with_query(base, **self._filters(), before=page.prev_before)
            if page.has_prev
            else ""
        )
        self.next_href = (
            routes.with_query(base, **self._filters(), after=page.next_after)
            if page.has_next
            else ""
        )
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        channel = _clip(form.get("channel"), 10)
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_NOTIFY_STATS,
                **{
                    "from": _clip(form.get("from"), 10),
                    "to": _clip(form.get("to"), 10),
                    "channel": channel if channel in ALL_CHANNELS else "",
                    "q": _clip(form.get("q")),
                },
            )
        )

    @rx.event
    def toggle(self, delivery_id: str, checked: bool):
        did = str(_int(delivery_id) or "")
        if not did or did not in {r["id"] for r in self.rows}:
            return
        rest = [x for x in self.selected if x != did]
        self.selected = [*rest, did] if checked else rest

    @rx.event
    def toggle_all(self, checked: bool):
        self.selected = [r["id"] for r in self.rows] if checked else []

    def _resend(self, ids: list[int]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                done = service.resend(s, actor_id=actor.id, delivery_ids=ids, ip=self._client_ip())
        except DomainError as e:
            return fail(e)
        if not done:
            return rx.toast.info("Нечего отправлять: доставки уже в очереди или отправлены.")
        return [
            StatsState.load,
            rx.toast.success(f"Поставлено в очередь повторно: {len(done)}."),
        ]

    @rx.event
    def resend_one(self, delivery_id: str):
        did = _int(delivery_id)
        return None if did is None else self._resend([did])

    @rx.event
    def resend_selected(self):
        return self._resend([int(x) for x in self.selected if x.isdigit()])

    @rx.event
    def show_attempts(self, delivery_id: str):
        actor = self._actor()
        did = _int(delivery_id)
        if actor is None or did is None:
            return None
        try:
            with session_scope() as s:
                self.attempts = queries.delivery_attempts(s, actor_id=actor.id, delivery_id=did)
        except DomainError as e:
            return fail(e)
        self.attempts_for = str(did)
        return None

    @rx.event
    def close_attempts(self, _open: bool = False):
        self.attempts, self.attempts_for = [], ""


__all__ = [
    "BellState",
    "NotificationsState",
    "PreferencesState",
    "StatsState",
    "TemplatesState",
]
