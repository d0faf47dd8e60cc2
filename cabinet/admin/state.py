"""Thin Reflex states of the admin pages: resolve the caller, call one query or service, show it.

Each page's on_load (`load`) resolves the caller from the session cookie, checks the page's
permission (without it the page shows "no access" and no data), reads the filters and cursor
from the URL query, and loads one keyset page. Filter forms redirect to a new URL, so a
filtered page is a bookmark. Every public handler re-resolves the caller on the server and
takes only ids and plain values; the services re-check the permission.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.state import SessionState, fail
from cabinet.admin import queries, service
from cabinet.admin.rules import KIND_LABELS, UserStatus
from cabinet.db import session_scope
from cabinet.errors import DomainError, NotAuthenticated, PermissionDenied
from cabinet.pagination import InvalidCursor, Page, page_params
from components.data_table import ALL

NONE = "none"  # "no organisation" option of the role-assignment form


def _clip(value: Any, n: int = 100) -> str:
    return " ".join(str(value or "").split())[:n]


def _choice(value: Any, allowed: set[str] | frozenset[str]) -> str:
    text = _clip(value, 50)
    return text if text in allowed else ""


def _int_or_none(value: Any) -> int | None:
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def _page_hrefs(path: str, filters: dict[str, str], page: Page[Any]) -> tuple[str, str]:
    prev = routes.with_query(path, **filters, before=page.prev_before) if page.has_prev else ""
    nxt = routes.with_query(path, **filters, after=page.next_after) if page.has_next else ""
    return prev, nxt


class _Gate:
    """Result of the on_load check: the actor, or why there is none."""

    def __init__(self, actor: Actor | None, redirect: Any = None) -> None:
        self.actor = actor
        self.redirect = redirect


class AdminPageMixin(rx.State, mixin=True):
    """Common part of the admin pages: the permission gate and the URL query.

    Mixed into each page state (before SessionState), so every page has its own flags.
    """

    allowed: bool = False  # the caller holds the page's permission (else: "no access")
    loaded: bool = False

    def _query(self) -> Mapping[str, str]:
        try:
            return self.router.url.query_parameters
        except AttributeError:
            return {}

    def _gate(self, perm: Perm) -> _Gate:
        actor = self._actor()
        self._show_identity(actor)
        self.loaded = True
        if actor is None:
            self.allowed = False
            return _Gate(None, rx.redirect(routes.LOGIN))
        self.allowed = actor.has(perm)
        return _Gate(actor if self.allowed else None)

    def _run(self, fn: Callable[..., Any], success: str, **kwargs: Any) -> Any:
        """Call one service as the current caller; a toast with the outcome."""
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        try:
            with session_scope() as s:
                fn(s, actor_id=actor.id, ip=self._client_ip(), **kwargs)
        except DomainError as e:
            return fail(e)
        return rx.toast.success(success)


# ---------------------------------------------------------------------------- users


class AdminUsersState(AdminPageMixin, SessionState):
    """/admin/users: the users list (USERS_VIEW)."""

    rows: list[dict[str, str]] = []
    role_opts: list[dict[str, str]] = []
    f_q: str = ""
    f_status: str = ""
    f_role: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""

    @rx.event
    def load(self):
        gate = self._gate(Perm.USERS_VIEW)
        if gate.actor is None:
            self.rows, self.role_opts = [], []
            return gate.redirect
        q = self._query()
        self.f_q = _clip(q.get("q"))
        self.f_status = _choice(q.get("status"), {s.value for s in UserStatus})
        role_id = _int_or_none(q.get("role"))
        self.f_role = str(role_id) if role_id else ""
        self.query_key = self.router.url.query
        after, before = page_params(q)
        with session_scope() as s:
            self.role_opts = queries.role_options(s, gate.actor)
            try:
                page = queries.list_users(
                    s,
                    gate.actor,
                    q=self.f_q,
                    status=self.f_status,
                    role_id=role_id,
                    after=after,
                    before=before,
                )
            except InvalidCursor as e:
                page = queries.list_users(
                    s, gate.actor, q=self.f_q, status=self.f_status, role_id=role_id
                )
                self.rows = page.rows
                self._set_pages(page)
                return fail(e)
        self.rows = page.rows
        self._set_pages(page)
        return None

    def _filters(self) -> dict[str, str]:
        return {"q": self.f_q, "status": self.f_status, "role": self.f_role}

    def _set_pages(self, page: Page[Any]) -> None:
        self.prev_href, self.next_href = _page_hrefs(routes.ADMIN_USERS, self._filters(), page)

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        """The filter form: validate and navigate to the filtered URL (on_load does the rest)."""
        status = _choice(form.get("status"), {s.value for s in UserStatus})
        role = _int_or_none(form.get("role"))
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_USERS, q=_clip(form.get("q")), status=status, role=role or ""
            )
        )


class AdminUserState(AdminPageMixin, SessionState):
    """/admin/users/view?id=N: one user's details, organisations and roles (USERS_VIEW);
    actions need USERS_MANAGE, re-checked by the services."""

    user_id: int = 0
    user: dict[str, str] = {}
    is_blocked: bool = False
    is_self: bool = False
    has_2fa: bool = False
    can_manage: bool = False
    not_found: bool = False
    orgs: list[dict[str, str]] = []
    managed: list[dict[str, str]] = []
    roles: list[dict[str, str]] = []
    role_opts: list[dict[str, str]] = []
    form_key: int = 0

    def _reload(self, actor: Actor) -> None:
        self.can_manage = actor.has(Perm.USERS_MANAGE)
        with session_scope() as s:
            try:
                data = queries.user_detail(s, actor, self.user_id)
            except DomainError:
                self.not_found = True
                self.user, self.orgs, self.roles, self.managed = {}, [], [], []
                return
            self.role_opts = queries.role_options(s, actor)
        self.not_found = False
        self.orgs, self.roles, self.managed = (
            data.pop("orgs"),
            data.pop("roles"),
            data.pop("managed"),
        )
        self.is_blocked = bool(data.pop("is_blocked"))
        self.is_self = bool(data.pop("is_self"))
        self.has_2fa = bool(data.pop("has_2fa"))
        self.user = {k: str(v) for k, v in data.items()}
        self.form_key += 1

    @rx.event
    def load(self):
        gate = self._gate(Perm.USERS_VIEW)
        if gate.actor is None:
            self.user, self.orgs, self.roles, self.managed = {}, [], [], []
            return gate.redirect
        self.user_id = _int_or_none(self._query().get("id")) or 0
        self._reload(gate.actor)
        return None

    def _act(self, fn: Callable[..., Any], success: str, **kwargs: Any) -> Any:
        outcome = self._run(fn, success, **kwargs)
        actor = self._actor()
        if actor is not None and actor.has(Perm.USERS_VIEW):
            self._reload(actor)
        return outcome

    @rx.event
    def block(self):
        return self._act(service.block_user, "Пользователь заблокирован.", user_id=self.user_id)

    @rx.event
    def unblock(self):
        return self._act(service.unblock_user, "Пользователь разблокирован.", user_id=self.user_id)

    @rx.event
    def reset_2fa(self):
        return self._act(service.reset_user_2fa, "Второй фактор сброшен.", user_id=self.user_id)

    @rx.event
    def assign_role(self, form: dict[str, Any]):
        role_id = _int_or_none(form.get("role"))
        org_id = _int_or_none(form.get("organisation"))
        if role_id is None:
            return rx.toast.error("Выберите роль.")
        return self._act(
            service.assign_role,
            "Роль назначена.",
            user_id=self.user_id,
            role_id=role_id,
            organisation_id=org_id,
        )

    @rx.event
    def remove_role(self, user_role_id: str):
        ur_id = _int_or_none(user_role_id)
        if ur_id is None:
            return None
        return self._act(service.remove_role, "Роль снята.", user_role_id=ur_id)


# ---------------------------------------------------------------------------- organisations


class AdminOrgsState(AdminPageMixin, SessionState):
    """/admin/organisations: organisations the caller may see (ORGS_VIEW; managers: assigned)."""

    rows: list[dict[str, str]] = []
    f_q: str = ""
    f_kind: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""

    def _filters(self) -> dict[str, str]:
        return {"q": self.f_q, "kind": self.f_kind}

    @rx.event
    def load(self):
        gate = self._gate(Perm.ORGS_VIEW)
        if gate.actor is None:
            self.rows = []
            return gate.redirect
        q = self._query()
        self.f_q = _clip(q.get("q"))
        self.f_kind = _choice(q.get("kind"), set(KIND_LABELS))
        self.query_key = self.router.url.query
        after, before = page_params(q)
        outcome = None
        with session_scope() as s:
            try:
                page = queries.list_organisations(
                    s, gate.actor, q=self.f_q, kind=self.f_kind, after=after, before=before
                )
            except InvalidCursor as e:
                page = queries.list_organisations(s, gate.actor, q=self.f_q, kind=self.f_kind)
                outcome = fail(e)
        self.rows = page.rows
        self.prev_href, self.next_href = _page_hrefs(
            routes.ADMIN_ORGANISATIONS, self._filters(), page
        )
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_ORGANISATIONS,
                q=_clip(form.get("q")),
                kind=_choice(form.get("kind"), set(KIND_LABELS)),
            )
        )


class AdminOrgState(AdminPageMixin, SessionState):
    """/admin/organisations/view?id=N: details, edit (ORGS_MANAGE), managers."""

    org_id: int = 0
    org: dict[str, str] = {}
    is_active: bool = True
    require_2fa: bool = False
    can_manage: bool = False
    can_see_users: bool = False
    not_found: bool = False
    members: list[dict[str, str]] = []
    managers: list[dict[str, str]] = []
    candidates: list[dict[str, str]] = []
    form_key: int = 0

    def _reload(self, actor: Actor) -> None:
        with session_scope() as s:
            try:
                data = queries.organisation_detail(s, actor, self.org_id)
            except DomainError:
                self.not_found = True
                self.org, self.members, self.managers, self.candidates = {}, [], [], []
                return
            self.can_manage = bool(data.pop("can_manage"))
            self.candidates = queries.manager_candidates(s, actor) if self.can_manage else []
        self.not_found = False
        self.members, self.managers = data.pop("members"), data.pop("managers")
        self.is_active = bool(data.pop("is_active"))
        self.require_2fa = bool(data.pop("require_2fa"))
        self.can_see_users = bool(data.pop("can_see_users"))
        self.org = {k: str(v) for k, v in data.items()}
        self.form_key += 1

    @rx.event
    def load(self):
        gate = self._gate(Perm.ORGS_VIEW)
        if gate.actor is None:
            self.org, self.members, self.managers, self.candidates = {}, [], [], []
            return gate.redirect
        self.org_id = _int_or_none(self._query().get("id")) or 0
        self._reload(gate.actor)
        return None

    def _act(self, fn: Callable[..., Any], success: str, **kwargs: Any) -> Any:
        outcome = self._run(fn, success, organisation_id=self.org_id, **kwargs)
        actor = self._actor()
        if actor is not None and actor.has(Perm.ORGS_VIEW):
            self._reload(actor)
        return outcome

    @rx.event
    def save(self, form: dict[str, Any]):
        return self._act(
            service.update_organisation,
            "Организация сохранена.",
            name=_clip(form.get("name"), 400),
            legal_address=_clip(form.get("legal_address"), 600),
            address=_clip(form.get("address"), 600),
            is_active=form.get("is_active") in (True, "on", "true", "1"),
            require_2fa=form.get("require_2fa") in (True, "on", "true", "1"),
        )

    @rx.event
    def assign_manager(self, form: dict[str, Any]):
        manager_id = _int_or_none(form.get("manager"))
        if manager_id is None:
            return rx.toast.error("Выберите менеджера.")
        return self._act(service.assign_manager, "Менеджер назначен.", manager_id=manager_id)

    @rx.event
    def unassign_manager(self, manager_id: str):
        mid = _int_or_none(manager_id)
        if mid is None:
            return None
        return self._act(service.unassign_manager, "Менеджер снят.", manager_id=mid)


# ---------------------------------------------------------------------------- roles


class AdminRolesState(AdminPageMixin, SessionState):
    """/admin/roles: built-in and custom roles; create, edit and delete custom ones."""

    rows: list[dict[str, Any]] = []
    prev_href: str = ""
    next_href: str = ""
    # the create/edit dialog
    dialog_open: bool = False
    edit_id: int = 0
    edit_name: str = ""
    edit_description: str = ""
    edit_perms: list[str] = []
    form_error: str = ""
    form_key: int = 0

    def _reload(self, actor: Actor) -> Any:
        after, before = page_params(self._query())
        outcome = None
        with session_scope() as s:
            try:
                page = queries.list_roles(s, actor, after=after, before=before)
            except InvalidCursor as e:
                page = queries.list_roles(s, actor)
                outcome = fail(e)
        self.rows = page.rows
        self.prev_href, self.next_href = _page_hrefs(routes.ADMIN_ROLES, {}, page)
        return outcome

    @rx.event
    def load(self):
        gate = self._gate(Perm.ROLES_MANAGE)
        self.dialog_open = False
        if gate.actor is None:
            self.rows = []
            return gate.redirect
        return self._reload(gate.actor)

    @rx.event
    def open_create(self):
        actor = self._actor()
        if actor is None or not actor.has(Perm.ROLES_MANAGE):
            return fail(NotAuthenticated() if actor is None else PermissionDenied())
        self.edit_id, self.edit_name, self.edit_description = 0, "", ""
        self.edit_perms, self.form_error = [], ""
        self.form_key += 1
        self.dialog_open = True
        return None

    @rx.event
    def open_edit(self, role_id: str):
        actor = self._actor()
        rid = _int_or_none(role_id)
        if actor is None or rid is None:
            return fail(NotAuthenticated())
        try:
            with session_scope() as s:
                data = queries.role_detail(s, actor, rid)
        except DomainError as e:
            return fail(e)
        if data["builtin"]:
            return rx.toast.error("Встроенную роль изменить нельзя.")
        self.edit_id = rid
        self.edit_name, self.edit_description = data["name"], data["description"]
        self.edit_perms, self.form_error = list(data["perms"]), ""
        self.form_key += 1
        self.dialog_open = True
        return None

    @rx.event
    def close_dialog(self, open_: bool = False):
        self.dialog_open = False

    @rx.event
    def save(self, form: dict[str, Any]):
        """Create (edit_id == 0) or update a custom role from the dialog's form."""
        actor = self._actor()
        if actor is None:
            return fail(NotAuthenticated())
        perms = [k[len("perm:") :] for k, v in form.items() if k.startswith("perm:") and v][:100]
        kwargs = {
            "name": _clip(form.get("name"), 300),
            "description": _clip(form.get("description"), 1200),
            "permissions": perms,
            "ip": self._client_ip(),
        }
        try:
            with session_scope() as s:
                if self.edit_id:
                    service.update_role(s, actor_id=actor.id, role_id=self.edit_id, **kwargs)
                else:
                    service.create_role(s, actor_id=actor.id, **kwargs)
        except DomainError as e:
            self.form_error = e.message
            return None
        self.dialog_open = False
        self.form_error = ""
        self._reload(actor)
        return rx.toast.success("Роль сохранена.")

    @rx.event
    def delete(self, role_id: str):
        rid = _int_or_none(role_id)
        if rid is None:
            return None
        outcome = self._run(service.delete_role, "Роль удалена.", role_id=rid)
        actor = self._actor()
        if actor is not None and actor.has(Perm.ROLES_MANAGE):
            self._reload(actor)
        return outcome


# ---------------------------------------------------------------------------- audit


class AdminAuditState(AdminPageMixin, SessionState):
    """/admin/audit: the append-only audit log with filters in the URL (AUDIT_VIEW)."""

    rows: list[dict[str, str]] = []
    f_actor: str = ""
    f_action: str = ""
    f_type: str = ""
    f_object: str = ""
    f_from: str = ""
    f_to: str = ""
    prev_href: str = ""
    next_href: str = ""
    query_key: str = ""

    def _filters(self) -> dict[str, str]:
        return {
            "actor": self.f_actor,
            "action": self.f_action,
            "type": self.f_type,
            "object": self.f_object,
            "from": self.f_from,
            "to": self.f_to,
        }

    @rx.event
    def load(self):
        gate = self._gate(Perm.AUDIT_VIEW)
        if gate.actor is None:
            self.rows = []
            return gate.redirect
        q = self._query()
        self.f_actor = _clip(q.get("actor"))
        self.f_action = _clip(q.get("action"), 80)
        self.f_type = _clip(q.get("type"), 50)
        self.f_object = _clip(q.get("object"), 50)
        self.query_key = self.router.url.query
        outcome = None
        try:
            day_from = queries.parse_day(_clip(q.get("from"), 10), field="from")
            day_to = queries.parse_day(_clip(q.get("to"), 10), field="to")
        except DomainError as e:
            day_from = day_to = None
            outcome = fail(e)
        self.f_from = day_from.isoformat() if day_from else ""
        self.f_to = day_to.isoformat() if day_to else ""
        after, before = page_params(q)
        filters = {
            "actor_email": self.f_actor,
            "action": self.f_action,
            "object_type": self.f_type,
            "object_id": self.f_object,
            "date_from": day_from,
            "date_to": day_to,
        }
        with session_scope() as s:
            try:
                page = queries.list_audit(s, gate.actor, **filters, after=after, before=before)
            except InvalidCursor as e:
                page = queries.list_audit(s, gate.actor, **filters)
                outcome = fail(e)
        self.rows = page.rows
        self.prev_href, self.next_href = _page_hrefs(routes.ADMIN_AUDIT, self._filters(), page)
        return outcome

    @rx.event
    def apply_filters(self, form: dict[str, Any]):
        try:
            day_from = queries.parse_day(_clip(form.get("from"), 10), field="from")
            day_to = queries.parse_day(_clip(form.get("to"), 10), field="to")
        except DomainError as e:
            return fail(e)
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_AUDIT,
                actor=_clip(form.get("actor")),
                action=_clip(form.get("action"), 80),
                type=_clip(form.get("type"), 50),
                object=_clip(form.get("object"), 50),
                **{
                    "from": day_from.isoformat() if day_from else "",
                    "to": day_to.isoformat() if day_to else "",
                },
            )
        )


__all__ = [
    "ALL",
    "NONE",
    "AdminAuditState",
    "AdminOrgState",
    "AdminOrgsState",
    "AdminRolesState",
    "AdminUserState",
    "AdminUsersState",
]
