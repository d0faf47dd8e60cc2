"""Thin Reflex states of the journals pages: resolve the caller, call a service, show it.

Every public handler re-resolves the caller on the server and takes only ids and plain values;
services and queries decide (scope, rights). Buttons are shown from the same `ObjectRights`
the services check. Uploaded attachment ids live in a backend-only var.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx
from sqlmodel import Session

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.db import in_thread, session_scope
from cabinet.errors import DomainError, NotAuthenticated
from cabinet.files.rules import human_size
from cabinet.files.service import store_upload
from cabinet.journals import queries, rules, service
from cabinet.pagination import InvalidCursor, page_params
from models import ServiceObject
from models.base import utcnow
from models.journals import PersonRole


def _int(value: object) -> int:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


def _str_rows(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {k: ("1" if v is True else "" if v is False else str(v)) for k, v in r.items()}
        for r in rows
    ]


def _form(form_data: object) -> dict[str, str]:
    if not isinstance(form_data, dict):
        return {}
    return {str(k)[:50]: str(v)[:5000] for k, v in form_data.items()}


def _hrefs(path: str, base: dict[str, Any], page: queries.ListPage) -> tuple[str, str]:
    nxt = routes.with_query(path, **base, after=page.next_after) if page.next_after else ""
    prv = routes.with_query(path, **base, before=page.prev_before) if page.prev_before else ""
    return nxt, prv


def _fail(e: DomainError):  # type: ignore[no-untyped-def]
    if isinstance(e, NotAuthenticated):
        return rx.redirect(routes.LOGIN)
    return rx.toast.error(e.message)


# --------------------------------------------------------------------------- /journals


class JournalsState(SessionState):
    """/journals (the caller's objects) and /admin/journals/objects (all, for admins)."""

    rows: list[dict[str, str]] = []
    loaded: bool = False
    allowed: bool = False
    is_admin: bool = False
    awaiting: int = 0
    f_q: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    # New object: the organisations the caller may add objects to.
    orgs: list[dict[str, str]] = []
    dlg_open: bool = False
    errors: dict[str, str] = {}

    def _path(self) -> str:
        path = self.router.url.path or routes.JOURNALS
        return routes.ADMIN_JOURNAL_OBJECTS if path.startswith("/admin") else routes.JOURNALS

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        params = self.router.url.query_parameters
        self.f_q = str(params.get("q", ""))[:100]
        after, before = page_params(params)
        self.query_key = f"{self.f_q}|{after}|{before}"
        self.allowed = queries.may_use_journals(actor)
        self.is_admin = queries._is_admin(actor)
        with session_scope() as s:
            try:
                page = queries.list_objects(s, actor, q=self.f_q, after=after, before=before)
            except InvalidCursor:
                page = queries.list_objects(s, actor, q=self.f_q)
            self.awaiting = queries.awaiting_count(s, actor)
            self.orgs = queries.object_orgs(s, actor)
        self.rows = _str_rows(page.rows)
        self.next_href, self.prev_href = _hrefs(self._path(), {"q": self.f_q}, page)
        self.loaded = True
        return None

    @rx.event
    def search(self, form_data: dict):
        q = _form(form_data).get("q", "").strip()[:100]
        return rx.redirect(routes.with_query(self._path(), q=q))

    @rx.event
    def set_dlg_open(self, value: bool):
        self.dlg_open = bool(value)
        self.errors = {}

    @rx.event
    def create_object(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        f = _form(form_data)
        try:
            with session_scope() as s:
                obj = service.save_object(
                    s,
                    actor_id=actor.id,
                    object_id=None,
                    organisation_id=_int(f.get("organisation_id")),
                    name=f.get("name", ""),
                    address=f.get("address", ""),
                    systems=f.get("systems", ""),
                )
                object_id = obj.id or 0
        except DomainError as e:
            if e.field:
                self.errors = {e.field: e.message}
                return None
            return _fail(e)
        self.dlg_open = False
        return rx.redirect(queries.object_url(object_id))


# --------------------------------------------------------------------------- /journals/object


class JournalObjectState(SessionState):
    obj: dict[str, str] = {}
    journals: list[dict[str, str]] = []
    people: list[dict[str, str]] = []
    types: list[dict[str, str]] = []
    loaded: bool = False
    found: bool = False
    can_edit: bool = False
    can_open: bool = False
    manage_staff: bool = False
    manage_operator: bool = False
    manage_subscriber: bool = False
    staff_options: list[dict[str, str]] = []
    operator_options: list[dict[str, str]] = []
    subscriber_options: list[dict[str, str]] = []
    edit_open: bool = False
    errors: dict[str, str] = {}

    def _object_id(self) -> int:
        return _int(self.router.url.query_parameters.get("id", ""))

    def _reload(self, actor) -> None:  # type: ignore[no-untyped-def]
        self.found = False
        with session_scope() as s:
            try:
                d = queries.object_detail(s, actor, self._object_id())
            except DomainError:
                self.obj, self.journals, self.people = {}, [], []
                return
            rights: rules.ObjectRights = d["rights"]
            self.obj = {k: str(v) for k, v in d["object"].items()}
            self.journals = _str_rows(d["journals"])
            self.people = _str_rows(d["people"])
            self.can_edit = rights.can_edit_object
            self.can_open = rights.can_open_journal
            self.manage_staff = rights.can_manage(PersonRole.STAFF)
            self.manage_operator = rights.can_manage(PersonRole.OPERATOR_RESPONSIBLE)
            self.manage_subscriber = rights.can_manage(PersonRole.SUBSCRIBER_RESPONSIBLE)
            obj = s.get(ServiceObject, self._object_id())
            assert obj is not None
            self.staff_options = (
                queries.candidates(s, obj, PersonRole.STAFF) if self.manage_staff else []
            )
            self.operator_options = self.staff_options if self.manage_operator else []
            self.subscriber_options = (
                queries.candidates(s, obj, PersonRole.SUBSCRIBER_RESPONSIBLE)
                if self.manage_subscriber
                else []
            )
            self.types = [
                {"id": str(t["id"]), "name": str(t["name"])} for t in queries.journal_types(s)
            ]
        self.found = True

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.edit_open, self.errors = False, {}
        self._reload(actor)
        self.loaded = True
        return None

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = bool(value)
        self.errors = {}

    @rx.event
    def save(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        f = _form(form_data)
        try:
            with session_scope() as s:
                service.save_object(
                    s,
                    actor_id=actor.id,
                    object_id=self._object_id(),
                    name=f.get("name", ""),
                    address=f.get("address", ""),
                    systems=f.get("systems", ""),
                )
        except DomainError as e:
            if e.field:
                self.errors = {e.field: e.message}
                return None
            return _fail(e)
        self.edit_open = False
        self._reload(actor)
        return rx.toast.success("Объект сохранён.")

    @rx.event
    def open_journal(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                journal = service.open_journal(
                    s,
                    actor_id=actor.id,
                    object_id=self._object_id(),
                    type_id=_int(_form(form_data).get("type_id")),
                )
                journal_id = journal.id or 0
        except DomainError as e:
            return _fail(e)
        return rx.redirect(queries.journal_url(journal_id))

    @rx.event
    def add_person(self, form_data: dict):
        f = _form(form_data)
        return self._person(_int(f.get("user_id")), f.get("role", ""), add=True)

    @rx.event
    def remove_person(self, user_id: str, role: str):
        return self._person(_int(user_id), str(role)[:30], add=False)

    def _person(self, user_id: int, role: str, *, add: bool):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.set_person(
                    s,
                    actor_id=actor.id,
                    object_id=self._object_id(),
                    user_id=user_id,
                    role=role,
                    add=add,
                )
        except DomainError as e:
            return _fail(e)
        self._reload(actor)
        return None


# --------------------------------------------------------------------------- /journals/journal


class JournalPageState(SessionState):
    journal: dict[str, str] = {}
    rows: list[dict[str, str]] = []
    loaded: bool = False
    found: bool = False
    can_write: bool = False
    f_from: str = ""
    f_to: str = ""
    query_key: str = ""
    reset_href: str = ""
    next_href: str = ""
    prev_href: str = ""
    # New entry dialog
    dlg_open: bool = False
    errors: dict[str, str] = {}
    pending: list[dict[str, str]] = []
    _pending_ids: list[int] = []
    pdf_file_id: int = 0
    pdf_name: str = ""
    busy: bool = False

    def _journal_id(self) -> int:
        return _int(self.router.url.query_parameters.get("id", ""))

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        params = self.router.url.query_parameters
        after, before = page_params(params)
        self.found, self.pdf_file_id, self.pdf_name = False, 0, ""
        self.dlg_open, self.errors, self.pending, self._pending_ids = False, {}, [], []
        try:
            day_from = queries.parse_day(str(params.get("from", "")), "from")
            day_to = queries.parse_day(str(params.get("to", "")), "to")
        except DomainError:
            day_from = day_to = None
        self.f_from = day_from.isoformat() if day_from else ""
        self.f_to = day_to.isoformat() if day_to else ""
        self.query_key = f"{self.f_from}|{self.f_to}|{after}|{before}"
        with session_scope() as s:
            try:
                try:
                    d = queries.journal_detail(
                        s,
                        actor,
                        self._journal_id(),
                        day_from=day_from,
                        day_to=day_to,
                        after=after,
                        before=before,
                    )
                except InvalidCursor:
                    d = queries.journal_detail(
                        s, actor, self._journal_id(), day_from=day_from, day_to=day_to
                    )
            except DomainError:
                self.journal, self.rows, self.loaded = {}, [], True
                return None
        rights: rules.ObjectRights = d["rights"]
        self.journal = {
            k: ("1" if v is True else "" if v is False else str(v)) for k, v in d["journal"].items()
        }
        self.journal["now_input"] = queries._local_input(utcnow())
        self.reset_href = routes.with_query(routes.JOURNAL_VIEW, id=self._journal_id())
        self.rows = _str_rows(d["page"].rows)
        self.can_write = rights.can_write and bool(d["journal"]["active"])
        base = {"id": self._journal_id(), "from": self.f_from, "to": self.f_to}
        self.next_href, self.prev_href = _hrefs(routes.JOURNAL_VIEW, base, d["page"])
        self.found = self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        f = _form(form_data)
        try:
            day_from = queries.parse_day(f.get("from", ""), "from")
            day_to = queries.parse_day(f.get("to", ""), "to")
        except DomainError as e:
            return _fail(e)
        return rx.redirect(
            routes.with_query(
                routes.JOURNAL_VIEW,
                id=self._journal_id(),
                **{"from": day_from.isoformat() if day_from else ""},
                to=day_to.isoformat() if day_to else "",
            )
        )

    @rx.event
    def set_dlg_open(self, value: bool):
        self.dlg_open = bool(value)
        self.errors = {}

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.can_write:
            return rx.toast.error(
                "Записи ведут только сотрудники оператора, назначенные на объект."
            )
        if not isinstance(files, list) or not all(hasattr(f, "file") for f in files):
            return rx.toast.error("Файл не получен — выберите его ещё раз.")
        if len(self._pending_ids) + len(files) > rules.MAX_ATTACHMENTS:
            return rx.toast.error(f"Не больше {rules.MAX_ATTACHMENTS} вложений.")
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
                        ip=self._client_ip(),
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
        self._pending_ids = [i for i in self._pending_ids if str(i) != str(file_id)]
        self.pending = [p for p in self.pending if p["id"] != str(file_id)]

    @rx.event
    def create_entry(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        f = _form(form_data)
        try:
            with session_scope() as s:
                entry = service.create_entry(
                    s,
                    actor_id=actor.id,
                    journal_id=self._journal_id(),
                    work_at=queries.parse_local_input(f.get("work_at", "")),
                    work_kind=f.get("work_kind", ""),
                    description=f.get("description", ""),
                    findings=f.get("findings", ""),
                    file_ids=list(self._pending_ids),
                )
                entry_id = entry.id or 0
        except DomainError as e:
            if e.field:
                self.errors = {e.field: e.message}
                return None
            return _fail(e)
        self.dlg_open, self.pending, self._pending_ids = False, [], []
        return rx.redirect(queries.entry_url(entry_id))

    @rx.event
    async def print_pdf(self):
        """The journal (or the chosen period) as PDF, stored for download. Rendering a long
        journal takes seconds (a QR code per signature): it runs in a thread, so the worker's
        other pages go on meanwhile; the button shows it is busy."""
        actor = self._actor()
        if actor is None:
            yield rx.redirect(routes.LOGIN)
            return
        try:
            journal_id = self._journal_id()
            day_from = queries.parse_day(self.f_from, "from")
            day_to = queries.parse_day(self.f_to, "to")
        except DomainError as e:
            yield _fail(e)
            return
        self.busy = True
        yield

        def render(s: Session) -> tuple[int, str]:
            stored = service.print_journal(
                s, actor_id=actor.id, journal_id=journal_id, day_from=day_from, day_to=day_to
            )
            return stored.id or 0, stored.filename

        try:
            self.pdf_file_id, self.pdf_name = await in_thread(render)
        except DomainError as e:
            self.busy = False
            yield _fail(e)
            return
        self.busy = False


# --------------------------------------------------------------------------- /journals/entry


@dataclass
class FileView:
    id: int = 0
    filename: str = ""
    size: str = ""


@dataclass
class SignatureView:
    side: str = ""
    side_en: str = ""
    signer: str = ""
    signed_at: str = ""
    serial: str = ""
    code: str = ""
    withdrawn: bool = False
    withdrawn_at: str = ""
    verify_href: str = ""


@dataclass
class VersionView:
    version: int = 0
    current: bool = False
    work_at: str = ""
    work_kind: str = ""
    description: str = ""
    findings: str = ""
    author: str = ""
    created_at: str = ""
    sha256: str = ""
    attachments: list[FileView] = field(default_factory=list)
    signatures: list[SignatureView] = field(default_factory=list)


class JournalEntryState(SessionState):
    entry: dict[str, str] = {}
    versions: list[VersionView] = []
    loaded: bool = False
    found: bool = False
    sign_side: str = ""
    can_edit: bool = False
    can_submit: bool = False
    # Edit dialog
    edit_open: bool = False
    errors: dict[str, str] = {}
    pending: list[dict[str, str]] = []
    _pending_ids: list[int] = []
    # Sign dialog
    sign_open: bool = False
    sign_error: str = ""

    def _entry_id(self) -> int:
        return _int(self.router.url.query_parameters.get("id", ""))

    def _reload(self, actor) -> None:  # type: ignore[no-untyped-def]
        self.found = False
        with session_scope() as s:
            try:
                d = queries.entry_detail(s, actor, self._entry_id())
            except DomainError:
                self.entry, self.versions = {}, []
                return
        self.entry = {
            k: ("1" if v is True else "" if v is False else str(v)) for k, v in d["entry"].items()
        }
        self.versions = [
            VersionView(
                **{k: v for k, v in row.items() if k not in ("attachments", "signatures")},
                attachments=[
                    FileView(a["id"], a["filename"], human_size(a["size"]))
                    for a in row["attachments"]
                ],
                signatures=[
                    SignatureView(**{k: v for k, v in sg.items() if k != "id"})
                    for sg in row["signatures"]
                ],
            )
            for row in d["versions"]
        ]
        self.sign_side = d["sign_side"]
        self.can_edit = d["can_edit"]
        self.can_submit = d["can_submit"]
        current = d["versions"][0]["attachments"] if d["versions"] else []
        self._pending_ids = [int(a["id"]) for a in current]
        self.pending = [
            {"id": str(a["id"]), "name": a["filename"], "size": human_size(a["size"])}
            for a in current
        ]
        self.found = True

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.edit_open, self.sign_open, self.errors, self.sign_error = False, False, {}, ""
        self._reload(actor)
        self.loaded = True
        return None

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = bool(value)
        self.errors = {}

    @rx.event
    def set_sign_open(self, value: bool):
        self.sign_open = bool(value)
        self.sign_error = ""

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.can_edit:
            return rx.toast.error(
                "Записи ведут только сотрудники оператора, назначенные на объект."
            )
        if not isinstance(files, list) or not all(hasattr(f, "file") for f in files):
            return rx.toast.error("Файл не получен — выберите его ещё раз.")
        if len(self._pending_ids) + len(files) > rules.MAX_ATTACHMENTS:
            return rx.toast.error(f"Не больше {rules.MAX_ATTACHMENTS} вложений.")
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
                        ip=self._client_ip(),
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
        self._pending_ids = [i for i in self._pending_ids if str(i) != str(file_id)]
        self.pending = [p for p in self.pending if p["id"] != str(file_id)]

    @rx.event
    def save(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        f = _form(form_data)
        try:
            with session_scope() as s:
                service.update_entry(
                    s,
                    actor_id=actor.id,
                    entry_id=self._entry_id(),
                    expected_version=_int(self.entry.get("version", "")),
                    work_at=queries.parse_local_input(f.get("work_at", "")),
                    work_kind=f.get("work_kind", ""),
                    description=f.get("description", ""),
                    findings=f.get("findings", ""),
                    file_ids=list(self._pending_ids),
                )
        except DomainError as e:
            if e.field:
                self.errors = {e.field: e.message}
                return None
            return _fail(e)
        self.edit_open = False
        self._reload(actor)
        return rx.toast.success("Запись сохранена.")

    @rx.event
    def submit(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.submit_entry(s, actor_id=actor.id, entry_id=self._entry_id())
        except DomainError as e:
            return _fail(e)
        self._reload(actor)
        return rx.toast.success("Запись отправлена на подпись.")

    @rx.event
    async def sign(self, form_data: dict):
        """Sign the shown version with the caller's PIN. The PIN unlocks the key through
        scrypt (~100 ms of CPU by design): in a thread, so the worker's other pages go on."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        pin = _form(form_data).get("pin", "")[:64]
        entry_id, version = self._entry_id(), _int(self.entry.get("version", ""))

        try:
            await in_thread(
                lambda s: service.sign_entry(
                    s, actor_id=actor.id, entry_id=entry_id, version=version, pin=pin
                )
            )
        except DomainError as e:
            self.sign_error = e.message
            self._reload(actor)
            return None
        self.sign_open = False
        self._reload(actor)
        return rx.toast.success("Запись подписана.")


# --------------------------------------------------------------------------- /journals/awaiting


class JournalAwaitingState(SessionState):
    rows: list[dict[str, str]] = []
    loaded: bool = False
    next_href: str = ""
    prev_href: str = ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        after, before = page_params(self.router.url.query_parameters)
        with session_scope() as s:
            try:
                page = queries.awaiting_me(s, actor, after=after, before=before)
            except InvalidCursor:
                page = queries.awaiting_me(s, actor)
        self.rows = _str_rows(page.rows)
        self.next_href, self.prev_href = _hrefs(routes.JOURNALS_AWAITING, {}, page)
        self.loaded = True
        return None


# --------------------------------------------------------------------------- admin: types


class JournalTypesState(SessionState):
    rows: list[dict[str, str]] = []
    loaded: bool = False
    allowed: bool = False
    dlg_open: bool = False
    f_id: int = 0
    f_code: str = ""
    f_name: str = ""
    f_description: str = ""
    f_active: bool = True
    errors: dict[str, str] = {}

    def _refresh(self) -> None:
        with session_scope() as s:
            self.rows = _str_rows(queries.journal_types(s, include_inactive=True))

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.allowed = queries._is_admin(actor)
        if self.allowed:
            self._refresh()
        else:
            self.rows = []
        self.dlg_open = False
        self.loaded = True
        return None

    @rx.event
    def edit(self, type_id: str):
        if not self.allowed:
            return None
        row = next((r for r in self.rows if r["id"] == str(type_id)), None)
        self.f_id = int(row["id"]) if row else 0
        self.f_code = row["code"] if row else ""
        self.f_name = row["name"] if row else ""
        self.f_description = row["description"] if row else ""
        self.f_active = bool(row["is_active"]) if row else True
        self.errors, self.dlg_open = {}, True
        return None

    @rx.event
    def set_dlg_open(self, value: bool):
        self.dlg_open = bool(value)

    @rx.event
    def save(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        f = _form(form_data)
        try:
            with session_scope() as s:
                service.save_journal_type(
                    s,
                    actor_id=actor.id,
                    type_id=self.f_id or None,
                    code=f.get("code", ""),
                    name=f.get("name", ""),
                    description=f.get("description", ""),
                    is_active=f.get("is_active", "") in ("on", "true", "1"),
                )
        except DomainError as e:
            if e.field:
                self.errors = {e.field: e.message}
                return None
            return _fail(e)
        self.dlg_open = False
        self._refresh()
        return rx.toast.success("Тип журнала сохранён.")
