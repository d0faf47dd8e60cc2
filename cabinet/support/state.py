"""Thin Reflex states of the support pages: resolve the caller, call a service, show it.

Every public handler re-resolves the caller from the session cookie on the server and takes
only ids and plain values; the services and queries do the checks. Uploaded file ids live in
backend-only vars, so a browser cannot slip someone else's file into a message (the service
checks ownership again anyway).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.db import session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.files.rules import human_size
from cabinet.files.service import store_upload
from cabinet.pagination import page_params
from cabinet.support import queries, rules, service
from cabinet.support.queries import (
    CategoryRow,
    DepartmentRow,
    Option,
    QueueFilters,
    RequestListRow,
    RequestView,
)
from components.data_table import ALL

STATUS_FILTERS = ("open", *rules.STATUS_LABELS)


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


def _int(value: object) -> int | None:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 11 else None


def _hrefs(path: str, base: dict[str, Any], next_after: str, prev_before: str) -> tuple[str, str]:
    nxt = routes.with_query(path, **base, after=next_after) if next_after else ""
    prv = routes.with_query(path, **base, before=prev_before) if prev_before else ""
    return nxt, prv


class PendingFilesMixin(rx.State, mixin=True):
    """Files uploaded for a message that is not sent yet (ids kept on the server)."""

    pending: list[dict[str, str]] = []
    _pending_ids: list[int] = []

    def _clear_pending(self) -> None:
        self.pending, self._pending_ids = [], []

    async def _store(self, files: list[rx.UploadFile], org_id: int):  # type: ignore[no-untyped-def]
        actor = self._actor()  # type: ignore[attr-defined]
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not isinstance(files, list) or not all(hasattr(f, "file") for f in files):
            return rx.toast.error("Файл не получен — выберите его ещё раз.")
        if len(self._pending_ids) + len(files) > rules.MAX_FILES:
            return rx.toast.error(f"Не больше {rules.MAX_FILES} файлов в одном сообщении.")
        for f in files:
            try:
                with session_scope() as s:
                    row = store_upload(
                        s,
                        actor_id=actor.id,
                        filename=f.name or "",
                        source=f.file,
                        allowed_types=rules.ATTACHMENT_TYPES,
                        max_bytes=rules.ATTACHMENT_MAX_BYTES,
                        organisation_id=org_id,
                        ip=self._client_ip(),  # type: ignore[attr-defined]
                    )
            except DomainError as e:
                return rx.toast.error(f"{f.name}: {e.message}")
            if row.id is not None and row.id not in self._pending_ids:
                self._pending_ids = [*self._pending_ids, row.id]
                self.pending = [
                    *self.pending,
                    {"id": str(row.id), "name": row.filename, "size": human_size(row.size)},
                ]
        return None

    @rx.event
    def remove_pending(self, file_id: str):
        """Drop one uploaded file from the message being written (the file stays stored)."""
        self._pending_ids = [i for i in self._pending_ids if str(i) != str(file_id)]
        self.pending = [p for p in self.pending if p["id"] != str(file_id)]


# --------------------------------------------------------------------------- /support


class SupportListState(SessionState):
    """/support: my requests (all of the organisation for its customer administrator)."""

    rows: list[RequestListRow] = []
    loaded: bool = False
    can_request: bool = False
    f_status: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        params = self.router.url.query_parameters
        status = params.get("status", "")
        self.f_status = status if status in STATUS_FILTERS else ""
        after, before = page_params(params)
        self.query_key = f"{self.f_status}|{after}|{before}"
        with session_scope() as s:
            self.can_request = bool(queries.request_orgs(s, actor))
            try:
                page = queries.my_requests(
                    s, actor, status=self.f_status, after=after, before=before
                )
            except ValidationFailed:
                page = queries.my_requests(s, actor, status=self.f_status)
        self.rows = page.rows
        self.next_href, self.prev_href = _hrefs(
            routes.SUPPORT, {"status": self.f_status}, page.next_after, page.prev_before
        )
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        status = str((form_data or {}).get("status", "") if isinstance(form_data, dict) else "")
        return rx.redirect(
            routes.with_query(routes.SUPPORT, status=status if status in STATUS_FILTERS else "")
        )


# --------------------------------------------------------------------------- /support/new


class SupportNewState(PendingFilesMixin, SessionState):
    """/support/new: write a request to a department or to the organisation's manager."""

    orgs: list[Option] = []
    recipients: list[Option] = []
    categories: list[Option] = []
    org_id: str = ""
    recipient: str = ""
    category: str = ""
    subject: str = ""
    text: str = ""
    errors: dict[str, str] = {}
    allowed: bool = True
    loaded: bool = False
    busy: bool = False

    def _refresh_form(self, actor) -> None:  # type: ignore[no-untyped-def]
        with session_scope() as s:
            form = queries.new_request_form(s, actor, _int(self.org_id))
        self.orgs, self.recipients, self.categories = (
            form.organisations,
            form.recipients,
            form.categories,
        )

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        with session_scope() as s:
            orgs = queries.request_orgs(s, actor)
        self.allowed = bool(orgs)
        self.org_id = orgs[0].value if orgs else ""
        self.recipient = self.category = self.subject = self.text = ""
        self.errors = {}
        self._clear_pending()
        self._refresh_form(actor)
        self.loaded = True
        return None

    def _clear_error(self, key: str) -> None:
        if key in self.errors:
            self.errors = {k: v for k, v in self.errors.items() if k != key}

    @rx.event
    def set_org(self, value: str):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if value in {o.value for o in self.orgs} and value != self.org_id:
            self.org_id = value
            self.recipient = ""
            self._clear_pending()  # files are stored within one organisation
            self._refresh_form(actor)
        return None

    @rx.event
    def set_recipient(self, value: str):
        self.recipient = value if value in {o.value for o in self.recipients} else ""
        self._clear_error("recipient")

    @rx.event
    def set_category(self, value: str):
        self.category = value if value in {o.value for o in self.categories} else ""
        self._clear_error("category")

    @rx.event
    def set_subject(self, value: str):
        self.subject = _clip(value, rules.MAX_SUBJECT)
        self._clear_error("subject")

    @rx.event
    def set_text(self, value: str):
        self.text = _clip(value, rules.MAX_TEXT)
        self._clear_error("text")

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        org_id = _int(self.org_id)
        if org_id is None:
            return rx.toast.error("Выберите организацию.")
        return await self._store(files, org_id)

    @rx.event
    def submit(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        org_id, cat_id = _int(self.org_id), _int(self.category)
        if org_id is None:
            self.errors = {"org": "Выберите организацию."}
            return None
        try:
            with session_scope() as s:
                req = service.create_request(
                    s,
                    actor_id=actor.id,
                    organisation_id=org_id,
                    category_id=cat_id or 0,
                    subject=self.subject,
                    text=self.text,
                    recipient=self.recipient,
                    file_ids=list(self._pending_ids),
                    ip=self._client_ip(),
                )
                new_id = req.id or 0
        except ValidationFailed as e:
            self.errors = {e.field or "form": e.message}
            return rx.toast.error(e.message) if (e.field or "form") == "form" else None
        except DomainError as e:
            return rx.toast.error(e.message)
        self._clear_pending()
        self.subject = self.text = ""
        return [
            rx.redirect(routes.support_request_url(new_id)),
            rx.toast.success("Обращение отправлено."),
        ]


# --------------------------------------------------------------------------- /support/view


class SupportRequestState(PendingFilesMixin, SessionState):
    """/support/view?id=N: one request, its thread, replies, status buttons, assignment."""

    view: RequestView = queries.EMPTY_VIEW
    has_view: bool = False
    missing: bool = False
    reply_text: str = ""
    reply_internal: bool = False
    reply_error: str = ""
    staff: list[Option] = []
    assignee: str = "none"

    def _request_id(self) -> int | None:
        return _int(self.router.url.query_parameters.get("id", ""))

    def _fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        rid = self._request_id()
        self.has_view, self.missing = False, False
        if rid is None:
            self.view, self.missing = queries.EMPTY_VIEW, True
            return
        try:
            with session_scope() as s:
                self.view = queries.request_view(s, actor, rid)
                if self.view.side == "staff":
                    self.staff = queries.support_staff(s)
            self.has_view = True
            self.assignee = str(self.view.assignee_id) if self.view.assignee_id else "none"
        except DomainError:
            self.view, self.missing = queries.EMPTY_VIEW, True

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.reply_text, self.reply_internal, self.reply_error = "", False, ""
        self._clear_pending()
        self._fetch(actor)
        return None

    @rx.event
    def set_reply_text(self, value: str):
        self.reply_text = _clip(value, rules.MAX_TEXT)
        self.reply_error = ""

    @rx.event
    def set_reply_internal(self, value: bool):
        self.reply_internal = bool(value) and self.view.side == "staff"

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        rid = self._request_id()
        if rid is None:
            return None
        try:
            with session_scope() as s:
                view = queries.request_view(s, actor, rid)  # authorises; gives the org
        except DomainError as e:
            return rx.toast.error(e.message)
        if not view.can_attach:
            return rx.toast.error("Прикладывать файлы к этому обращению вы не можете.")
        return await self._store(files, view.organisation_id)

    @rx.event
    def send_reply(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        rid = self._request_id()
        if rid is None:
            return None
        internal = self.reply_internal
        try:
            with session_scope() as s:
                service.add_message(
                    s,
                    actor_id=actor.id,
                    request_id=rid,
                    text=self.reply_text,
                    file_ids=list(self._pending_ids),
                    internal=internal,
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.reply_error = e.message
            return None
        except DomainError as e:
            self._fetch(actor)
            return rx.toast.error(e.message)
        self.reply_text, self.reply_internal, self.reply_error = "", False, ""
        self._clear_pending()
        self._fetch(actor)
        return rx.toast.success("Заметка сохранена." if internal else "Сообщение отправлено.")

    @rx.event
    def do_action(self, action: str):
        """One workflow button (take, resolve, close, reopen); the service decides."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        rid = self._request_id()
        if rid is None:
            return None
        try:
            with session_scope() as s:
                service.apply_action(
                    s,
                    actor_id=actor.id,
                    request_id=rid,
                    action=str(action)[:20],
                    ip=self._client_ip(),
                )
        except DomainError as e:
            self._fetch(actor)
            return rx.toast.error(e.message)
        self._fetch(actor)
        label = rules.STATUS_LABELS.get(self.view.status, ("", ""))[0]
        return rx.toast.success(f"Статус: {label}.")

    def _assign(self, assignee_id: int | None):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        rid = self._request_id()
        if rid is None:
            return None
        try:
            with session_scope() as s:
                service.assign(
                    s,
                    actor_id=actor.id,
                    request_id=rid,
                    assignee_id=assignee_id,
                    ip=self._client_ip(),
                )
        except DomainError as e:
            self._fetch(actor)
            return rx.toast.error(e.message)
        self._fetch(actor)
        return rx.toast.success("Исполнитель назначен." if assignee_id else "Исполнитель снят.")

    @rx.event
    def assign_to(self, value: str):
        return self._assign(_int(value))

    @rx.event
    def assign_me(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        return self._assign(actor.id)


# --------------------------------------------------------------------------- /admin/support


class SupportQueueState(SessionState):
    """/admin/support: the staff queue; filters and cursor in the URL."""

    rows: list[RequestListRow] = []
    allowed: bool = True
    departments: list[Option] = []
    categories: list[Option] = []
    staff: list[Option] = []
    f_status: str = ""
    f_dept: str = ""
    f_cat: str = ""
    f_assignee: str = ""
    f_overdue: bool = False
    f_q: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    first_href: str = routes.ADMIN_SUPPORT

    def _base(self) -> dict[str, Any]:
        return {
            "status": self.f_status,
            "dept": self.f_dept,
            "cat": self.f_cat,
            "assignee": self.f_assignee,
            "overdue": "1" if self.f_overdue else "",
            "q": self.f_q,
        }

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not queries.is_handler(actor):
            self.allowed, self.rows, self.next_href, self.prev_href = False, [], "", ""
            return None
        self.allowed = True
        p = self.router.url.query_parameters
        status = p.get("status", "")
        self.f_status = status if status in STATUS_FILTERS else ""
        self.f_dept = str(_int(p.get("dept")) or "")
        self.f_cat = str(_int(p.get("cat")) or "")
        assignee = p.get("assignee", "")
        self.f_assignee = assignee if assignee in ("me", "none") else str(_int(assignee) or "")
        self.f_overdue = p.get("overdue", "") == "1"
        self.f_q = " ".join(_clip(p.get("q", ""), 100).split())
        after, before = page_params(p)
        self.query_key = "|".join(str(v) for v in self._base().values()) + f"|{after}|{before}"
        filters = QueueFilters(
            status=self.f_status,
            department_id=_int(self.f_dept),
            category_id=_int(self.f_cat),
            assignee=self.f_assignee,
            overdue=self.f_overdue,
            q=self.f_q,
        )
        with session_scope() as s:
            try:
                page = queries.queue(s, actor, filters, after=after, before=before)
            except ValidationFailed:
                page = queries.queue(s, actor, filters)
            self.departments = [Option(str(d.id), d.name) for d in queries.departments(s)]
            self.categories = [Option(str(c.id), c.name) for c in queries.categories(s)]
            self.staff = [
                Option("me", "Мне"),
                Option("none", "Без исполнителя"),
                *queries.support_staff(s),
            ]
        self.rows = page.rows
        self.first_href = routes.with_query(routes.ADMIN_SUPPORT, **self._base())
        self.next_href, self.prev_href = _hrefs(
            routes.ADMIN_SUPPORT, self._base(), page.next_after, page.prev_before
        )
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        """The filter form: validate and put the filters into the URL (bookmarkable)."""
        data = form_data if isinstance(form_data, dict) else {}

        def pick(key: str) -> str:
            v = str(data.get(key, "") or "")
            return "" if v == ALL else v

        status = pick("status")
        assignee = pick("assignee")
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_SUPPORT,
                status=status if status in STATUS_FILTERS else "",
                dept=_int(pick("dept")) or "",
                cat=_int(pick("cat")) or "",
                assignee=assignee if assignee in ("me", "none") else (_int(assignee) or ""),
                overdue="1" if data.get("overdue") in ("on", True, "true", "1") else "",
                q=" ".join(_clip(data.get("q", ""), 100).split()),
            )
        )


# --------------------------------------------------------------------------- settings


class SupportSettingsState(SessionState):
    """/admin/support/settings: departments (with their staff) and categories."""

    departments: list[DepartmentRow] = []
    categories: list[CategoryRow] = []
    staff: list[Option] = []
    allowed: bool = True
    dlg_open: bool = False
    dlg_kind: str = ""  # "dept" | "cat"
    dlg_id: int = 0
    f_name: str = ""
    f_description: str = ""
    f_active: bool = True
    f_members: list[str] = []
    f_hours: str = "24"
    f_dept: str = "none"
    dlg_error: str = ""

    def _reload(self) -> None:
        with session_scope() as s:
            self.departments = queries.departments(s)
            self.categories = queries.categories(s)
            self.staff = queries.support_staff(s)

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            queries.require_manage(actor)
        except DomainError:
            self.allowed, self.departments, self.categories = False, [], []
            return None
        self.allowed, self.dlg_open = True, False
        self._reload()
        return None

    def _open(self, kind: str, item_id: int) -> None:
        self.dlg_kind, self.dlg_id, self.dlg_error = kind, item_id, ""
        self.f_name = self.f_description = ""
        self.f_active, self.f_members, self.f_hours, self.f_dept = True, [], "24", "none"
        if kind == "dept":
            d = next((d for d in self.departments if d.id == item_id), None)
            if d is not None:
                self.f_name, self.f_description, self.f_active = d.name, d.description, d.is_active
                self.f_members = [str(m) for m in d.member_ids]
        else:
            c = next((c for c in self.categories if c.id == item_id), None)
            if c is not None:
                self.f_name, self.f_hours, self.f_active = (
                    c.name,
                    str(c.response_hours),
                    c.is_active,
                )
                self.f_dept = str(c.default_department_id) if c.default_department_id else "none"
        self.dlg_open = True

    @rx.event
    def open_department(self, dept_id: int):
        if self.allowed:
            self._open("dept", int(dept_id) if str(dept_id).isdigit() else 0)

    @rx.event
    def open_category(self, cat_id: int):
        if self.allowed:
            self._open("cat", int(cat_id) if str(cat_id).isdigit() else 0)

    @rx.event
    def set_dlg_open(self, value: bool):
        self.dlg_open = bool(value)

    @rx.event
    def set_name(self, value: str):
        self.f_name, self.dlg_error = _clip(value, rules.MAX_NAME), ""

    @rx.event
    def set_description(self, value: str):
        self.f_description = _clip(value, rules.MAX_DESCRIPTION)

    @rx.event
    def set_active(self, value: bool):
        self.f_active = bool(value)

    @rx.event
    def set_hours(self, value: str):
        self.f_hours, self.dlg_error = _clip(value, 5), ""

    @rx.event
    def set_default_dept(self, value: str):
        valid = {str(d.id) for d in self.departments} | {"none"}
        self.f_dept = value if value in valid else "none"

    @rx.event
    def toggle_member(self, user_id: str, checked: bool):
        uid = str(user_id)
        if uid not in {o.value for o in self.staff}:
            return
        rest = [m for m in self.f_members if m != uid]
        self.f_members = [*rest, uid] if checked else rest

    @rx.event
    def save(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                if self.dlg_kind == "dept":
                    service.save_department(
                        s,
                        actor_id=actor.id,
                        department_id=self.dlg_id or None,
                        name=self.f_name,
                        description=self.f_description,
                        is_active=self.f_active,
                        member_ids=[int(m) for m in self.f_members if m.isdigit()],
                        ip=self._client_ip(),
                    )
                else:
                    service.save_category(
                        s,
                        actor_id=actor.id,
                        category_id=self.dlg_id or None,
                        name=self.f_name,
                        response_hours=self.f_hours,
                        default_department_id=_int(self.f_dept),
                        is_active=self.f_active,
                        ip=self._client_ip(),
                    )
        except ValidationFailed as e:
            self.dlg_error = e.message
            return None
        except DomainError as e:
            self.dlg_open = False
            return rx.toast.error(e.message)
        self.dlg_open = False
        self._reload()
        return rx.toast.success("Сохранено.")
