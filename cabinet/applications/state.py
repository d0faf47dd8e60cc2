"""Thin Reflex states of the application pages: resolve the caller, call a service, show it.

Every public handler re-resolves the caller from the session cookie on the server and takes
only ids and plain values; the services and queries do the checks. Uploaded scan ids live in
a backend-only var (the service checks ownership again anyway).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import reflex as rx

from cabinet import downloads, routes
from cabinet.access.state import SessionState
from cabinet.applications import queries, rules, service
from cabinet.applications.queries import ApplicationView, Filters, ListRow
from cabinet.db import session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.files.rules import human_size
from cabinet.files.service import store_upload
from cabinet.pagination import page_params
from components.data_table import ALL

APPLICATIONS = routes.APPLICATIONS
APPLICATION_EDIT = routes.APPLICATION_EDIT
APPLICATION_VIEW = routes.APPLICATION_VIEW
ADMIN_APPLICATIONS = routes.ADMIN_APPLICATIONS

FORM_FIELDS = (
    "object_name",
    "object_address",
    "cadastral_number",
    "max_power_kw",
    "existing_power_kw",
    "voltage",
    "reliability",
    "reason",
    "stages",
)
_LIMITS = {"stages": rules.MAX_STAGES, "object_address": rules.MAX_ADDRESS}


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


def _int(value: object) -> int | None:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 11 else None


def _date(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return None


def _empty_view() -> ApplicationView:
    defaults: dict[str, Any] = {}
    for f in dataclasses.fields(ApplicationView):
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            defaults[f.name] = {"int": 0, "bool": False}.get(str(f.type), "")
    return ApplicationView(**defaults)


EMPTY_VIEW = _empty_view()


def edit_url(app_id: int) -> str:
    return routes.with_query(APPLICATION_EDIT, id=app_id)


def view_url(app_id: int) -> str:
    return routes.with_query(APPLICATION_VIEW, id=app_id)


class _ListFilters(SessionState):
    """Filters of both lists, read from and written to the URL."""

    rows: list[ListRow] = []
    loaded: bool = False
    f_tab: str = ""
    f_status: str = ""
    f_from: str = ""
    f_to: str = ""
    f_number: str = ""
    f_object: str = ""
    f_q: str = ""
    f_sort: str = "new"
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    first_href: str = ""

    def _read(self, tabs: dict[str, Any]) -> tuple[str, str]:
        p = self.router.url.query_parameters
        tab = p.get("tab", "")
        self.f_tab = tab if tab in tabs else ""
        status = p.get("status", "")
        self.f_status = status if status in rules.STATUS_LABELS else ""
        self.f_from = str(_date(p.get("from")) or "")
        self.f_to = str(_date(p.get("to")) or "")
        self.f_number = " ".join(_clip(p.get("number", ""), 30).split())
        self.f_object = " ".join(_clip(p.get("object", ""), 100).split())
        self.f_q = " ".join(_clip(p.get("q", ""), 100).split())
        sort = p.get("sort", "new")
        self.f_sort = sort if sort in queries.SORTS else "new"
        return page_params(p)

    def _base(self) -> dict[str, Any]:
        return {
            "tab": self.f_tab,
            "status": self.f_status,
            "from": self.f_from,
            "to": self.f_to,
            "number": self.f_number,
            "object": self.f_object,
            "q": self.f_q,
            "sort": "" if self.f_sort == "new" else self.f_sort,
        }

    def _filters(self, **extra: Any) -> Filters:
        return Filters(
            tab=self.f_tab,
            status=self.f_status,
            date_from=_date(self.f_from),
            date_to=_date(self.f_to),
            number=self.f_number,
            object=self.f_object,
            q=self.f_q,
            sort=self.f_sort,
            **extra,
        )

    def _hrefs(self, path: str, base: dict[str, Any], next_after: str, prev_before: str) -> None:
        self.next_href = routes.with_query(path, **base, after=next_after) if next_after else ""
        self.prev_href = routes.with_query(path, **base, before=prev_before) if prev_before else ""
        self.first_href = routes.with_query(path, **base)

    @staticmethod
    def _form_query(data: dict[str, Any], keep_tab: str) -> dict[str, Any]:
        def pick(key: str) -> str:
            v = str(data.get(key, "") or "")
            return "" if v == ALL else v

        status = pick("status")
        sort = pick("sort")
        return {
            "tab": keep_tab,
            "status": status if status in rules.STATUS_LABELS else "",
            "from": str(_date(pick("from")) or ""),
            "to": str(_date(pick("to")) or ""),
            "number": " ".join(_clip(pick("number"), 30).split()),
            "object": " ".join(_clip(pick("object"), 100).split()),
            "q": " ".join(_clip(pick("q"), 100).split()),
            "sort": sort if sort in queries.SORTS and sort != "new" else "",
        }


# --------------------------------------------------------------------------- /applications


class ApplicationsListState(_ListFilters):
    """ "Мои заявки": the applicant's organisations' applications."""

    orgs: list[dict[str, str]] = []
    can_create: bool = False

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        after, before = self._read(queries.TABS)
        self.query_key = "|".join(str(v) for v in self._base().values()) + f"|{after}|{before}"
        with session_scope() as s:
            org_ids = queries.applicant_org_ids(actor)
            from models import Organisation

            self.orgs = [
                {"value": str(o.id), "label": o.name}
                for o in (s.get(Organisation, i) for i in org_ids)
                if o is not None
            ]
            try:
                page = queries.my_applications(
                    s, actor, self._filters(), after=after, before=before
                )
            except ValidationFailed:
                page = queries.my_applications(s, actor, self._filters())
        self.can_create = bool(self.orgs)
        self.rows = page.rows
        self._hrefs(APPLICATIONS, self._base(), page.next_after, page.prev_before)
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        return rx.redirect(routes.with_query(APPLICATIONS, **self._form_query(data, self.f_tab)))

    @rx.event
    def new_application(self, org_id: str):
        """Create an empty draft for the chosen organisation and open its form."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        oid = _int(org_id)
        if oid is None:
            return rx.toast.error("Выберите организацию.")
        try:
            with session_scope() as s:
                app = service.create_draft(
                    s, actor_id=actor.id, organisation_id=oid, ip=self._client_ip()
                )
                new_id = app.id or 0
        except DomainError as e:
            return rx.toast.error(e.message)
        return rx.redirect(edit_url(new_id))


# --------------------------------------------------------------------------- /applications/edit


class ApplicationFormState(SessionState):
    """The application form: draft saved on demand and on leaving each field."""

    app_id: int = 0
    missing: bool = False
    loaded: bool = False
    number: str = ""
    status: str = ""
    kind_label: str = ""
    organisation: str = ""
    version: int = 0
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    saved_note: str = ""
    attachments: list[queries.FileRow] = []
    missing_files: list[str] = []
    required_kinds: list[str] = []
    upload_kind: str = "site_plan"
    return_comment: str = ""
    form_key: str = ""
    busy: bool = False

    def _fetch(self, actor) -> bool:  # type: ignore[no-untyped-def]
        rid = _int(self.router.url.query_parameters.get("id", ""))
        self.missing = False
        if rid is None:
            self.missing = True
            return False
        try:
            with session_scope() as s:
                view = queries.application_view(s, actor, rid)
        except DomainError:
            self.missing = True
            return False
        if not view.editable:
            self.missing = True
            self.app_id = view.id
            return False
        self._show(view)
        return True

    def _show(self, view: ApplicationView) -> None:
        self.app_id = view.id
        self.number, self.status, self.version = view.number, view.status, view.version
        self.kind_label, self.organisation = view.applicant_kind_label, view.organisation
        self.values = {
            "object_name": view.object_name,
            "object_address": view.object_address,
            "cadastral_number": view.cadastral_number,
            "max_power_kw": view.max_power_kw,
            "existing_power_kw": view.existing_power_kw,
            "voltage": view.voltage,
            "reliability": view.reliability,
            "reason": view.reason,
            "stages": view.stages,
        }
        self.attachments = view.attachments
        self.missing_files = view.missing
        returns = [e.comment for e in view.timeline if e.status_to == "returned"]
        self.return_comment = returns[-1] if returns and view.status == "returned" else ""
        self.required_kinds = [str(k) for k in rules.required_files(view.applicant_kind)]

    @rx.event
    def load(self):
        # Hide what this tab showed before (another draft, an old note) until it is reloaded.
        self.loaded, self.errors, self.saved_note = False, {}, ""
        yield
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            yield rx.redirect(routes.LOGIN)
            return
        if not self._fetch(actor) and self.app_id and self.missing:
            # Not editable (already submitted): show the application instead.
            app_id, self.app_id = self.app_id, 0
            yield rx.redirect(view_url(app_id))
            return
        self.form_key = f"{self.app_id}-{self.version}"
        self.loaded = True

    def _save(self, *, quiet: bool):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.app_id:
            return None
        try:
            with session_scope() as s:
                app = service.save_draft(
                    s,
                    actor_id=actor.id,
                    application_id=self.app_id,
                    fields=dict(self.values),
                    expected_version=self.version,
                    ip=self._client_ip(),
                )
                self.version = app.version
        except ValidationFailed as e:
            self.errors = {**self.errors, (e.field or "form"): e.message}
            return None if quiet else rx.toast.error(e.message)
        except DomainError as e:
            return rx.toast.error(e.message)
        from cabinet.formatting import local
        from models.base import utcnow

        self.saved_note = f"Черновик сохранён в {local(utcnow()).strftime('%H:%M:%S')}"
        return None if quiet else rx.toast.success("Черновик сохранён.")

    @rx.event
    def edit(self, name: str, value: str):
        """A field left (on blur) or a choice made: keep the value and autosave."""
        if name not in FORM_FIELDS:
            return None
        new = _clip(value, _LIMITS.get(name, rules.MAX_NAME))
        self.errors = {k: v for k, v in self.errors.items() if k not in (name, "form", "files")}
        if self.values.get(name, "") == new:
            return None
        self.values = {**self.values, name: new}
        return self._save(quiet=True)

    @rx.event
    def save(self):
        return self._save(quiet=False)

    @rx.event
    def submit(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        saved = self._save(quiet=True)
        if self.errors:
            return saved or rx.toast.error("Исправьте ошибки в форме.")
        try:
            with session_scope() as s:
                service.submit(
                    s,
                    actor_id=actor.id,
                    application_id=self.app_id,
                    expected_version=self.version,
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.errors = {**self.errors, (e.field or "form"): e.message}
            return rx.toast.error(e.message)
        except DomainError as e:
            return rx.toast.error(e.message)
        return [rx.redirect(view_url(self.app_id)), rx.toast.success("Заявка подана.")]

    @rx.event
    def delete_draft(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.delete_draft(
                    s, actor_id=actor.id, application_id=self.app_id, ip=self._client_ip()
                )
        except DomainError as e:
            return rx.toast.error(e.message)
        self.app_id = 0
        return [rx.redirect(APPLICATIONS), rx.toast.success("Черновик удалён.")]

    @rx.event
    def set_upload_kind(self, value: str):
        self.upload_kind = value if value in rules.APPLICANT_KINDS else "other"

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not isinstance(files, list) or not all(hasattr(f, "file") for f in files):
            return rx.toast.error("Файл не получен — выберите его ещё раз.")
        for f in files[:5]:
            try:
                with session_scope() as s:
                    service.attach_file(
                        s,
                        actor_id=actor.id,
                        application_id=self.app_id,
                        kind=self.upload_kind,
                        filename=f.name or "",
                        source=f.file,
                        ip=self._client_ip(),
                    )
            except DomainError as e:
                return rx.toast.error(f"{f.name}: {e.message}")
        self._fetch(actor)
        self.errors = {k: v for k, v in self.errors.items() if k != "files"}
        return rx.toast.success("Файл приложен.")

    @rx.event
    def remove_file(self, application_file_id: int):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        fid = _int(application_file_id)
        if fid is None:
            return None
        try:
            with session_scope() as s:
                service.remove_file(
                    s,
                    actor_id=actor.id,
                    application_id=self.app_id,
                    application_file_id=fid,
                    ip=self._client_ip(),
                )
        except DomainError as e:
            return rx.toast.error(e.message)
        self._fetch(actor)
        return None


# --------------------------------------------------------------------------- /applications/view


class ApplicationViewState(SessionState):
    """One application: timeline, documents, attachments, comments, the declared buttons."""

    view: ApplicationView = EMPTY_VIEW
    has_view: bool = False
    missing: bool = False
    comment_text: str = ""
    comment_error: str = ""
    upload_kind: str = "other"
    dlg_open: bool = False
    dlg_action: str = ""
    dlg_label: str = ""
    dlg_needs_comment: bool = False
    dlg_needs_file: bool = False
    dlg_comment: str = ""
    dlg_error: str = ""
    scans: list[dict[str, str]] = []
    _scan_ids: list[int] = []
    staff: list[dict[str, str]] = []
    assignee: str = "none"

    def _app_id(self) -> int | None:
        return _int(self.router.url.query_parameters.get("id", ""))

    def _fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        rid = self._app_id()
        self.missing, self.has_view = False, False
        if rid is None:
            self.view, self.missing = EMPTY_VIEW, True
            return
        try:
            with session_scope() as s:
                self.view = queries.application_view(s, actor, rid)
                if self.view.side == "staff":
                    self.staff = [{"value": v, "label": n} for v, n in queries.processors(s)]
            self.has_view = True
            self.assignee = str(self.view.assignee_id) if self.view.assignee_id else "none"
        except DomainError:
            self.view, self.missing = EMPTY_VIEW, True

    def _assign(self, assignee_id: int | None):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.has_view:
            return None
        try:
            with session_scope() as s:
                service.assign(
                    s,
                    actor_id=actor.id,
                    application_id=self.view.id,
                    assignee_id=assignee_id,
                    ip=self._client_ip(),
                )
        except DomainError as e:
            self._fetch(actor)
            return rx.toast.error(e.message)
        self._fetch(actor)
        return rx.toast.success("Ответственный назначен." if assignee_id else "Ответственный снят.")

    @rx.event
    def assign_to(self, value: str):
        return self._assign(_int(value))

    @rx.event
    def assign_me(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        return self._assign(actor.id)

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.comment_text, self.comment_error, self.dlg_open = "", "", False
        self.scans, self._scan_ids = [], []
        self._fetch(actor)
        if self.has_view:
            self.upload_kind = "other"
        return None

    def _perform(self, action: str, comment: str, file_ids: list[int]):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.has_view:
            return None
        try:
            with session_scope() as s:
                app = service.transition(
                    s,
                    actor_id=actor.id,
                    application_id=self.view.id,
                    action=str(action)[:30],
                    comment=comment,
                    expected_version=self.view.version,
                    file_ids=file_ids,
                    ip=self._client_ip(),
                )
                status = app.status
        except ValidationFailed as e:
            if self.dlg_open:
                self.dlg_error = e.message
                return None
            self._fetch(actor)
            return rx.toast.error(e.message)
        except DomainError as e:
            if self.dlg_open:
                self.dlg_error = e.message
                return None
            self._fetch(actor)
            return rx.toast.error(e.message)
        self.dlg_open = False
        self.scans, self._scan_ids = [], []
        self._fetch(actor)
        return rx.toast.success(f"Статус: {rules.STATUS_LABELS[status][0]}.")

    @rx.event
    def start_action(self, action: str):
        """A workflow button: perform at once, or ask for what the step requires first."""
        if not self.has_view:
            return None
        step = rules.step_of(self.view.status, str(action))
        if step is None or step.side != self.view.side:
            return rx.toast.error("Это действие с заявкой сейчас недоступно.")
        if step.needs_comment or step.needs_file or step.needs_confirm:
            self.dlg_action = str(action)
            self.dlg_label = rules.ACTION_LABELS[str(action)][0]
            self.dlg_needs_comment, self.dlg_needs_file = step.needs_comment, step.needs_file
            self.dlg_comment, self.dlg_error = "", ""
            self.dlg_open = True
            return None
        return self._perform(str(action), "", [])

    @rx.event
    def set_dlg_open(self, value: bool):
        self.dlg_open = bool(value)

    @rx.event
    def set_dlg_comment(self, value: str):
        self.dlg_comment, self.dlg_error = _clip(value, rules.MAX_COMMENT), ""

    @rx.event
    def confirm_action(self):
        return self._perform(self.dlg_action, self.dlg_comment, list(self._scan_ids))

    @rx.event
    async def upload_scan(self, files: list[rx.UploadFile]):
        """The signed scan for a signing step: stored now, linked when the step is done."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.has_view or not isinstance(files, list):
            return None
        try:
            with session_scope() as s:
                view = queries.application_view(s, actor, self.view.id)  # authorises
        except DomainError as e:
            return rx.toast.error(e.message)
        for f in files[:3]:
            try:
                with session_scope() as s:
                    row = store_upload(
                        s,
                        actor_id=actor.id,
                        filename=f.name or "",
                        source=f.file,
                        allowed_types=rules.ATTACHMENT_TYPES,
                        max_bytes=rules.ATTACHMENT_MAX_BYTES,
                        organisation_id=view.organisation_id,
                        ip=self._client_ip(),
                    )
            except DomainError as e:
                self.dlg_error = f"{f.name}: {e.message}"
                return None
            if row.id is not None and row.id not in self._scan_ids:
                self._scan_ids = [*self._scan_ids, row.id]
                self.scans = [
                    *self.scans,
                    {"id": str(row.id), "name": row.filename, "size": human_size(row.size)},
                ]
        self.dlg_error = ""
        return None

    @rx.event
    def set_comment(self, value: str):
        self.comment_text, self.comment_error = _clip(value, rules.MAX_COMMENT), ""

    @rx.event
    def send_comment(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.has_view:
            return None
        try:
            with session_scope() as s:
                service.add_comment(
                    s,
                    actor_id=actor.id,
                    application_id=self.view.id,
                    text=self.comment_text,
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.comment_error = e.message
            return None
        except DomainError as e:
            return rx.toast.error(e.message)
        self.comment_text = ""
        self._fetch(actor)
        return rx.toast.success("Комментарий добавлен.")

    @rx.event
    def set_upload_kind(self, value: str):
        self.upload_kind = value if value in {k for k, _ in self._kinds()} else "other"

    def _kinds(self) -> list[tuple[str, str]]:
        if self.has_view and self.view.side == "staff":
            kinds = ("other", *rules.GENERATED_KINDS)
        else:
            kinds = (*rules.APPLICANT_KINDS, "signed_scan")
        return [(k, rules.FILE_KIND_LABELS[k][0]) for k in kinds]

    @rx.var
    def kind_options(self) -> list[dict[str, str]]:
        return [{"value": k, "label": label} for k, label in self._kinds()]

    @rx.event
    async def upload(self, files: list[rx.UploadFile]):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not self.has_view or not isinstance(files, list):
            return None
        for f in files[:5]:
            try:
                with session_scope() as s:
                    service.attach_file(
                        s,
                        actor_id=actor.id,
                        application_id=self.view.id,
                        kind=self.upload_kind,
                        filename=f.name or "",
                        source=f.file,
                        ip=self._client_ip(),
                    )
            except DomainError as e:
                return rx.toast.error(f"{f.name}: {e.message}")
        self._fetch(actor)
        return rx.toast.success("Файл приложен.")


# --------------------------------------------------------------------------- /admin/applications


class ApplicationsRegistryState(_ListFilters):
    """The staff registry: filters, assignee and overdue, CSV export."""

    allowed: bool = True
    f_assignee: str = ""
    f_overdue: bool = False
    staff: list[dict[str, str]] = []

    def _base(self) -> dict[str, Any]:
        return {
            **super()._base(),
            "assignee": self.f_assignee,
            "overdue": "1" if self.f_overdue else "",
        }

    def _staff_filters(self) -> Filters:
        return self._filters(assignee=self.f_assignee, overdue=self.f_overdue)

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not queries.is_processor(actor):
            self.allowed, self.rows, self.next_href, self.prev_href = False, [], "", ""
            return None
        self.allowed = True
        after, before = self._read(queries.STAFF_TABS)
        p = self.router.url.query_parameters
        assignee = p.get("assignee", "")
        self.f_assignee = assignee if assignee in ("me", "none") else str(_int(assignee) or "")
        self.f_overdue = p.get("overdue", "") == "1"
        self.query_key = "|".join(str(v) for v in self._base().values()) + f"|{after}|{before}"
        with session_scope() as s:
            try:
                page = queries.registry(s, actor, self._staff_filters(), after=after, before=before)
            except ValidationFailed:
                page = queries.registry(s, actor, self._staff_filters())
            self.staff = [
                {"value": "me", "label": "Мне"},
                {"value": "none", "label": "Без ответственного"},
                *[{"value": v, "label": n} for v, n in queries.processors(s)],
            ]
        self.rows = page.rows
        self._hrefs(ADMIN_APPLICATIONS, self._base(), page.next_after, page.prev_before)
        self.loaded = True
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = form_data if isinstance(form_data, dict) else {}
        query = self._form_query(data, self.f_tab)
        assignee = str(data.get("assignee", "") or "")
        query["assignee"] = assignee if assignee in ("me", "none") else (_int(assignee) or "")
        query["overdue"] = "1" if data.get("overdue") in ("on", True, "true", "1") else ""
        return rx.redirect(routes.with_query(ADMIN_APPLICATIONS, **query))

    def _export_source(self) -> downloads.RowSource | None:
        """The caller's rows to export (checked now, read later in the export's thread)."""
        actor = self._actor()
        if actor is None or not queries.is_processor(actor):
            return None
        f = self._staff_filters()
        return lambda s: queries.export_rows(s, actor, f)

    @rx.event
    async def export_csv(self):
        """Every registry row matching the filters (not only this page) as CSV."""
        return await self._export("csv")

    @rx.event
    async def export_xlsx(self):
        """The same rows as an Excel workbook."""
        return await self._export("xlsx")

    async def _export(self, kind: str) -> Any:
        source = self._export_source()
        if source is None:
            return rx.toast.error("Недостаточно прав для этого действия.")
        data = await downloads.build_off_loop(kind, queries.EXPORT_HEADERS, source, title="Заявки")
        if kind == "csv":
            return rx.download(data=data, filename="zayavki.csv", mime_type="text/csv")
        return rx.download(data=data, filename="zayavki.xlsx", mime_type=downloads.XLSX)
