"""Thin states of the ERP pages: /admin/erp (sync runs, "run now") and /api-access (a
customer administrator's integration API tokens).

Handlers resolve the caller from the session cookie on every call; the services check the
permissions (ERP_SYNC_MANAGE; API_TOKENS_MANAGE inside the organisation). A new token's secret
is shown once in a dialog and dropped when it closes; only its hash is stored.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Perm
from cabinet.access.state import SessionState, fail
from cabinet.db import session_scope
from cabinet.erp import queries, rules, service
from cabinet.errors import DomainError
from cabinet.formatting import fmt_dt, fmt_dt_seconds
from cabinet.pagination import InvalidCursor, page_params

STATUS_LABELS = {
    "running": ("идёт", "running"),
    "ok": ("успешно", "ok"),
    "partial": ("с пропусками", "with skipped rows"),
    "failed": ("ошибка", "failed"),
}
TRIGGER_LABELS = {
    "schedule": ("по расписанию", "scheduled"),
    "manual": ("вручную", "manual"),
    "demo": ("демо-данные", "demo data"),
    "bench": ("замер", "benchmark"),
}
OUTBOUND_LABELS = {
    "pending": "в очереди",
    "sent": "отправлен",
    "accepted": "принят",
    "rejected": "отклонён",
    "failed": "не доставлен",
}


def _duration(ms: int) -> str:
    if ms < 1000:
        return f"{ms} мс"
    seconds = ms / 1000
    return f"{seconds:.1f} с" if seconds < 120 else f"{seconds / 60:.1f} мин"


def _lag(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 120:
        return f"{seconds} с"
    if seconds < 2 * 3600:
        return f"{seconds // 60} мин"
    if seconds < 3 * 86400:
        return f"{seconds // 3600} ч"
    return f"{seconds // 86400} дн"


def _num(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _run(r: queries.RunRow) -> dict[str, str]:
    return {
        "id": str(r.id),
        "status": r.status,
        "status_label": STATUS_LABELS.get(r.status, (r.status,))[0],
        "trigger": TRIGGER_LABELS.get(r.trigger, (r.trigger,))[0],
        "started": fmt_dt_seconds(r.started_at),
        "duration": _duration(r.duration_ms) if r.finished_at else "…",
        "rows_in": _num(r.rows_in),
        "rows_updated": _num(r.rows_updated),
        "rows_failed": _num(r.rows_failed),
        "lag": _lag(r.lag_seconds),
        "error": r.last_error,
    }


class ErpSyncState(SessionState):
    """/admin/erp: runs of the ERP sync, watermarks, skipped rows, outbound queue."""

    allowed: bool = False
    loaded: bool = False
    configured: bool = False
    erp_url: str = ""
    interval: str = ""
    running_since: str = ""
    requested_at: str = ""
    last: dict[str, str] = {}
    runs: list[dict[str, str]] = []
    watermarks: list[dict[str, str]] = []
    issues: list[dict[str, str]] = []
    outbound: list[dict[str, str]] = []
    outbound_errors: list[dict[str, str]] = []
    prev_href: str = ""
    next_href: str = ""

    @rx.var
    def has_last(self) -> bool:
        return bool(self.last)

    def _load(self, actor_id: int) -> Any:
        outcome = None
        try:
            q = self.router.url.query_parameters
        except AttributeError:
            q = {}
        after, before = page_params(q)
        cursor = {"after": after} if after else ({"before": before} if before else {})
        with session_scope() as s:
            view = queries.sync_overview(s, actor_id=actor_id)
            try:
                page = queries.list_runs(s, actor_id=actor_id, **cursor)
            except InvalidCursor as e:
                page = queries.list_runs(s, actor_id=actor_id)
                outcome = fail(e)
        self.configured = view.configured
        self.erp_url = view.erp_url or "не задан"
        minutes = view.interval_seconds / 60
        self.interval = f"{minutes:g} мин" if minutes >= 1 else f"{view.interval_seconds} с"
        self.running_since = fmt_dt_seconds(view.running_since) if view.running_since else ""
        self.requested_at = fmt_dt_seconds(view.requested_at) if view.requested_at else ""
        self.last = _run(view.last) if view.last else {}
        self.runs = [_run(r) for r in page.rows]
        self.prev_href = (
            routes.with_query(routes.ADMIN_ERP, before=page.prev_before) if page.has_prev else ""
        )
        self.next_href = (
            routes.with_query(routes.ADMIN_ERP, after=page.next_after) if page.has_next else ""
        )
        by_entity = {w.entity: w for w in view.watermarks}
        self.watermarks = [
            {
                "entity": rules.ENTITY_LABELS[e][0],
                "rows": _num(by_entity[e].rows_total) if e in by_entity else "0",
                "newest": fmt_dt(by_entity[e].last_updated_at)
                if e in by_entity and by_entity[e].last_updated_at
                else "—",
                "read": fmt_dt(by_entity[e].updated_at)
                if e in by_entity and by_entity[e].updated_at
                else "—",
            }
            for e in rules.ENTITIES
        ]
        self.issues = [
            {
                "id": str(i.id),
                "run": str(i.run_id),
                "entity": rules.ENTITY_LABELS.get(i.entity, (i.entity,))[0],
                "erp_id": i.erp_id or "—",
                "error": i.error,
                "at": fmt_dt(i.created_at),
            }
            for i in view.issues
        ]
        self.outbound = [
            {"status": k, "label": label, "count": _num(view.outbound.get(k, 0))}
            for k, label in OUTBOUND_LABELS.items()
        ]
        self.outbound_errors = [
            {"id": str(i), "attempts": str(n), "error": err} for i, n, err in view.outbound_errors
        ]
        return outcome

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        if actor is None:
            self.allowed = False
            return rx.redirect(routes.LOGIN)
        self.allowed = actor.has(Perm.ERP_SYNC_MANAGE)
        if not self.allowed:
            return None
        try:
            return self._load(actor.id)
        except DomainError as e:
            self.allowed = False
            return fail(e)

    @rx.event
    def run_now(self):
        """Ask the worker to start a run at its next tick (the lease keeps it single)."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.request_run(s, actor_id=actor.id)
            self._load(actor.id)
        except DomainError as e:
            return fail(e)
        return rx.toast.success("Запуск запрошен: обмен начнётся в течение нескольких секунд.")

    @rx.event
    def refresh(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            return self._load(actor.id)
        except DomainError as e:
            return fail(e)


class ApiTokensState(SessionState):
    """/api-access: tokens of the integration API for the organisations the caller administers."""

    allowed: bool = False
    loaded: bool = False
    orgs: list[dict[str, str]] = []
    org_id: str = ""
    org_name: str = ""
    tokens: list[dict[str, str]] = []
    name_error: str = ""
    new_secret: str = ""
    form_key: int = 0

    @rx.var
    def secret_open(self) -> bool:
        return self.new_secret != ""

    def _load(self, actor_id: int, wanted: str) -> None:
        with session_scope() as s:
            orgs = queries.token_orgs(s, actor_id=actor_id)
            self.orgs = [{"id": str(o.id), "name": o.name} for o in orgs]
            chosen = next((o for o in orgs if str(o.id) == wanted), orgs[0] if orgs else None)
            self.allowed = chosen is not None
            if chosen is None:
                self.org_id, self.org_name, self.tokens = "", "", []
                return
            self.org_id, self.org_name = str(chosen.id), chosen.name
            rows = queries.list_tokens(s, actor_id=actor_id, organisation_id=chosen.id)
        self.tokens = [
            {
                "id": str(r.id),
                "name": r.name,
                "prefix": r.prefix + "…",
                "created": fmt_dt(r.created_at),
                "last_used": fmt_dt(r.last_used_at) if r.last_used_at else "не использовался",
                "revoked": fmt_dt(r.revoked_at) if r.revoked_at else "",
            }
            for r in rows
        ]

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        self.new_secret, self.name_error = "", ""
        if actor is None:
            self.allowed = False
            return rx.redirect(routes.LOGIN)
        try:
            q = self.router.url.query_parameters
        except AttributeError:
            q = {}
        wanted = str(q.get("org") or "")[:12]
        try:
            self._load(actor.id, wanted)
        except DomainError as e:
            self.allowed = False
            return fail(e)
        return None

    @rx.event
    def choose_org(self, org_id: str):
        text = str(org_id or "")[:12]
        return rx.redirect(routes.with_query(routes.API_ACCESS, org=text if text.isdigit() else ""))

    @rx.event
    def create(self, form: dict[str, Any]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        name = str(form.get("name") or "")[:200]
        self.name_error = rules.token_name_error(name) or ""
        if self.name_error:
            return None
        if not self.org_id.isdigit():
            return fail(DomainError("Выберите организацию."))
        try:
            with session_scope() as s:
                issued = service.create_token(
                    s, actor_id=actor.id, organisation_id=int(self.org_id), name=name
                )
            self._load(actor.id, self.org_id)
        except DomainError as e:
            if e.field == "name":
                self.name_error = e.message
                return None
            return fail(e)
        self.new_secret = issued.secret
        self.form_key += 1
        return None

    @rx.event
    def revoke(self, token_id: str):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        text = str(token_id or "")
        if not text.isdigit() or len(text) > 18:
            return fail(DomainError("Токен не найден."))
        try:
            with session_scope() as s:
                service.revoke_token(s, actor_id=actor.id, token_id=int(text))
            self._load(actor.id, self.org_id)
        except DomainError as e:
            return fail(e)
        return rx.toast.success("Токен отозван: запросы с ним больше не принимаются.")

    @rx.event
    def close_secret(self, _open: bool = False):
        self.new_secret = ""


__all__ = ["ApiTokensState", "ErpSyncState"]
