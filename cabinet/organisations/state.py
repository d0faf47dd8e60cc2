"""Thin Reflex states of the organisations pages: resolve the caller, call a service, show it.

Every public handler re-resolves the caller from the session cookie on the server and takes
only ids and plain values; the services and queries do the checks.
"""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.access.rules import BuiltinRole
from cabinet.access.state import SessionState
from cabinet.db import session_scope
from cabinet.errors import DomainError, NotAuthenticated, ValidationFailed
from cabinet.organisations import queries, rules, service
from cabinet.organisations.dadata import alookup_by_inn
from cabinet.organisations.queries import OrgProfile, OrgRow, QueueRow, RequestRow
from cabinet.pagination import page_params

_FIELD_KEYS = frozenset(rules.ALL_FIELD_KEYS)


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


def _full_form(values: dict[str, str]) -> dict[str, str]:
    """Every form key present (controlled inputs never see `undefined`)."""
    return {k: str(values.get(k, "") or "") for k in rules.ALL_FIELD_KEYS}


def _field_error(e: DomainError) -> dict[str, str]:
    errors = getattr(e, "errors", None)
    if isinstance(errors, dict):
        return dict(errors)
    return {e.field or "form": e.message}


class CounterpartyFormMixin(rx.State, mixin=True):
    """The counterparty form's values and per-field errors (shared by two pages)."""

    form: dict[str, str] = {}
    errors: dict[str, str] = {}

    @rx.event
    def set_field(self, key: str, value: str):
        """Keep one form field (only known keys; length capped)."""
        if key in _FIELD_KEYS and key != "inn":
            self.form = {**self.form, key: _clip(value, 500)}
            if key in self.errors:
                self.errors = {k: v for k, v in self.errors.items() if k != key}


class MyOrgsState(CounterpartyFormMixin, SessionState):
    """/organisations and /organisations/requests: my organisations, my link requests."""

    orgs: list[OrgRow] = []
    requests: list[RequestRow] = []
    pending_count: int = 0
    loaded: bool = False
    # the link form
    link_inn: str = ""
    link_message: str = ""
    inn_error: str = ""
    step: str = "inn"  # "inn": type an INN; "form": describe a new counterparty
    kind: str = "legal"
    kinds: list[str] = ["legal"]
    lookup_note: str = ""
    lookup_found: bool = False
    busy: bool = False

    def _reload(self, actor) -> None:  # type: ignore[no-untyped-def]
        with session_scope() as s:
            self.orgs = queries.my_organisations(s, actor)
            self.requests = queries.my_link_requests(s, actor)
        self.pending_count = sum(1 for r in self.requests if r.status == "pending")
        self.loaded = True

    @rx.event
    def load(self):
        """on_load: who is calling, their organisations and requests."""
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self._reload(actor)
        return None

    @rx.event
    def set_link_inn(self, value: str):
        self.link_inn = _clip(value, 20)
        self.inn_error = ""

    @rx.event
    def set_link_message(self, value: str):
        self.link_message = _clip(value, rules.MAX_MESSAGE)

    @rx.event
    def set_kind(self, value: str):
        if value in self.kinds:
            self.kind = value
            self.errors = {}

    @rx.event
    def back_to_inn(self):
        self.step = "inn"
        self.form, self.errors, self.lookup_note, self.lookup_found = {}, {}, "", False

    def _sent(self, actor):  # type: ignore[no-untyped-def]
        self.step = "inn"
        self.link_inn = self.link_message = self.inn_error = self.lookup_note = ""
        self.form, self.errors, self.lookup_found = {}, {}, False
        self._reload(actor)
        return rx.toast.success("Запрос отправлен. Мы сообщим о решении по e-mail.")

    @rx.event
    async def submit_inn(self):
        """Step 1: link to the organisation with this INN, or open the counterparty form."""
        actor = self._actor()
        if actor is None:
            yield rx.redirect(routes.LOGIN)
            return
        self.busy = True
        yield  # show the spinner while the lookup runs
        try:
            try:
                inn = rules.validate_inn(self.link_inn)
                with session_scope() as s:
                    service.request_link(
                        s,
                        actor_id=actor.id,
                        inn=inn,
                        message=self.link_message,
                        ip=self._client_ip(),
                    )
            except service.NeedsCounterparty:
                await self._open_counterparty_form(inn)
                return
            except DomainError as e:
                self.inn_error = e.message
                return
            yield self._sent(actor)
        finally:
            self.busy = False

    async def _open_counterparty_form(self, inn: str) -> None:
        """No organisation with this INN: show its kind's fields, prefilled from DaData."""
        self.step = "form"
        self.kinds = [str(k) for k in rules.kinds_for_inn(inn)]
        self.kind = str(rules.kind_for_inn(inn))
        self.form, self.errors = _full_form({"inn": inn}), {}
        self.lookup_note, self.lookup_found = "", False
        result = await alookup_by_inn(inn)
        if result.company is not None:
            if result.company.kind in self.kinds:
                self.kind = result.company.kind
            self.form = _full_form({**result.company.as_form(), "inn": inn})
            self.lookup_found = True
            self.lookup_note = "Данные заполнены из справочника организаций — проверьте их."
        elif result.enabled:
            self.lookup_note = result.message

    @rx.event
    def submit_counterparty(self):
        """Step 2: create the new (inactive) organisation together with the request."""
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if self.step != "form":
            return None
        try:
            with session_scope() as s:
                service.request_link(
                    s,
                    actor_id=actor.id,
                    inn=self.form.get("inn", ""),
                    message=self.link_message,
                    kind=self.kind,
                    counterparty=dict(self.form),
                    ip=self._client_ip(),
                )
        except DomainError as e:
            self.errors = _field_error(e)
            if not isinstance(e, ValidationFailed) or "form" in self.errors:
                return rx.toast.error(e.message)
            return None
        return self._sent(actor)

    @rx.event
    def cancel_request(self, request_id: int):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.cancel_link_request(
                    s, actor_id=actor.id, request_id=int(request_id), ip=self._client_ip()
                )
        except (DomainError, TypeError, ValueError) as e:
            return rx.toast.error(getattr(e, "message", "Запрос не найден."))
        self._reload(actor)
        return rx.toast.success("Запрос отменён.")


class OrgProfileState(CounterpartyFormMixin, SessionState):
    """/organisations/profile?id=N: one organisation's card, its users for its administrator."""

    org: OrgProfile = queries.EMPTY_PROFILE
    has_org: bool = False
    missing: bool = False
    editing: bool = False

    def _org_id(self) -> int | None:
        raw = self.router.url.query_parameters.get("id", "")
        return int(raw) if raw.isdigit() and len(raw) < 12 else None

    def _fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        org_id = self._org_id()
        self.org, self.has_org, self.missing = queries.EMPTY_PROFILE, False, False
        if org_id is None:
            self.missing = True
            return
        try:
            with session_scope() as s:
                self.org = queries.organisation_profile(s, actor, org_id)
            self.has_org = True
        except DomainError:
            self.missing = True

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.editing, self.errors = False, {}
        self._fetch(actor)
        return None

    @rx.event
    def start_edit(self):
        if self.has_org and self.org.can_manage:
            self.form = _full_form(self.org.form_values())
            self.errors = {}
            self.editing = True

    @rx.event
    def cancel_edit(self):
        self.editing, self.errors = False, {}

    @rx.event
    def save(self):
        actor = self._actor()
        org_id = self._org_id()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if org_id is None:
            return None
        try:
            with session_scope() as s:
                service.update_organisation(
                    s, actor_id=actor.id, org_id=org_id, data=dict(self.form), ip=self._client_ip()
                )
        except DomainError as e:
            self.errors = _field_error(e)
            if not isinstance(e, ValidationFailed) or "form" in self.errors:
                return rx.toast.error(e.message)
            return None
        self.editing = False
        self._fetch(actor)
        return rx.toast.success("Данные организации сохранены.")

    def _member_action(self, user_id: int, action: str):  # type: ignore[no-untyped-def]
        actor = self._actor()
        org_id = self._org_id()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if org_id is None:
            return None
        try:
            uid = int(user_id)
            with session_scope() as s:
                if action == "remove":
                    service.remove_member(
                        s, actor_id=actor.id, org_id=org_id, user_id=uid, ip=self._client_ip()
                    )
                else:
                    service.set_customer_admin(
                        s,
                        actor_id=actor.id,
                        org_id=org_id,
                        user_id=uid,
                        make=action == "make_admin",
                        ip=self._client_ip(),
                    )
        except (TypeError, ValueError):
            return rx.toast.error("Пользователь не найден.")
        except DomainError as e:
            return rx.toast.error(e.message)
        self._fetch(actor)
        return rx.toast.success("Готово.")

    @rx.event
    def remove_member(self, user_id: int):
        return self._member_action(user_id, "remove")

    @rx.event
    def make_admin(self, user_id: int):
        return self._member_action(user_id, "make_admin")

    @rx.event
    def unmake_admin(self, user_id: int):
        return self._member_action(user_id, "unmake_admin")


STATUS_FILTERS = ("pending", "approved", "rejected", "cancelled")


class LinkQueueState(SessionState):
    """/admin/link-requests: the decision queue (assigned organisations, or all)."""

    rows: list[QueueRow] = []
    allowed: bool = True
    f_status: str = ""
    f_q: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    first_href: str = routes.ADMIN_LINK_REQUESTS
    # the decision dialog
    dlg_open: bool = False
    dlg_id: int = 0
    dlg_approve: bool = True
    dlg_title: str = ""
    dlg_role: str = str(BuiltinRole.CUSTOMER)
    dlg_comment: str = ""
    dlg_error: str = ""

    def _fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        params = self.router.url.query_parameters
        status = params.get("status", "")
        self.f_status = status if status in STATUS_FILTERS else ""
        self.f_q = _clip(params.get("q", ""), 100)
        after, before = page_params(params)
        self.query_key = f"{self.f_status}|{self.f_q}|{after}|{before}"
        try:
            with session_scope() as s:
                page = queries.link_request_queue(
                    s, actor, status=self.f_status, q=self.f_q, after=after, before=before
                )
        except ValidationFailed:  # a damaged cursor: start from the first page
            with session_scope() as s:
                page = queries.link_request_queue(s, actor, status=self.f_status, q=self.f_q)
        self.allowed = True
        self.rows = page.rows
        base = {"status": self.f_status, "q": self.f_q}
        self.first_href = routes.with_query(routes.ADMIN_LINK_REQUESTS, **base)
        self.next_href = (
            routes.with_query(routes.ADMIN_LINK_REQUESTS, **base, after=page.next_after)
            if page.next_after
            else ""
        )
        self.prev_href = (
            routes.with_query(routes.ADMIN_LINK_REQUESTS, **base, before=page.prev_before)
            if page.prev_before
            else ""
        )

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.dlg_open = False
        try:
            self._fetch(actor)
        except DomainError:
            self.allowed, self.rows, self.next_href, self.prev_href = False, [], "", ""
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        """The filter form: validate and put the filters into the URL (bookmarkable)."""
        if not isinstance(form_data, dict):
            form_data = {}
        status = str(form_data.get("status", "") or "")
        q = " ".join(str(form_data.get("q", "") or "").split())[:100]
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_LINK_REQUESTS,
                status=status if status in STATUS_FILTERS else "",
                q=q,
            )
        )

    @rx.event
    def open_decision(self, request_id: int, approve: bool):
        """Open the dialog for one request (the decision itself is checked on confirm)."""
        row = next((r for r in self.rows if r.id == request_id), None)
        if row is None:
            return rx.toast.error("Запрос не найден.")
        self.dlg_id = row.id
        self.dlg_approve = bool(approve)
        self.dlg_title = f"{row.user_name} → {row.org_name} (ИНН {row.inn})"
        self.dlg_role = str(BuiltinRole.CUSTOMER)
        self.dlg_comment = ""
        self.dlg_error = ""
        self.dlg_open = True
        return None

    @rx.event
    def close_decision(self):
        self.dlg_open = False

    @rx.event
    def set_dlg_open(self, value: bool):
        self.dlg_open = bool(value)

    @rx.event
    def set_dlg_role(self, value: str):
        if value in {str(r) for r in rules.GRANTABLE_ROLES}:
            self.dlg_role = value

    @rx.event
    def set_dlg_comment(self, value: str):
        self.dlg_comment = _clip(value, rules.MAX_COMMENT)
        self.dlg_error = ""

    @rx.event
    def confirm_decision(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.decide_link_request(
                    s,
                    actor_id=actor.id,
                    request_id=self.dlg_id,
                    approve=self.dlg_approve,
                    role_code=self.dlg_role,
                    comment=self.dlg_comment,
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.dlg_error = e.message
            return None
        except DomainError as e:
            self.dlg_open = False
            self._safe_fetch(actor)
            return rx.toast.error(e.message)
        self.dlg_open = False
        self._safe_fetch(actor)
        return rx.toast.success("Запрос одобрен." if self.dlg_approve else "Запрос отклонён.")

    def _safe_fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        try:
            self._fetch(actor)
        except (DomainError, NotAuthenticated):
            self.allowed, self.rows = False, []
