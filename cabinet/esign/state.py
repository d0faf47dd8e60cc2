"""Thin Reflex states of the e-signature pages: my signature, the owner's certificate list and
the public verification page.

Every public handler resolves the caller on the server and takes only ids and plain values;
services and queries check the permissions. PINs pass through handlers and are never kept in
state.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Perm
from cabinet.access.state import SessionState
from cabinet.db import in_thread, session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.esign import queries, rules, service
from cabinet.esign.queries import ADMIN_STATUSES, CertRow
from cabinet.formatting import fmt_dt
from cabinet.pagination import page_params
from cabinet.settings import settings


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


def _form(form_data: object) -> dict[str, str]:
    if not isinstance(form_data, dict):
        return {}
    return {str(k)[:40]: _clip(v, 1000) for k, v in list(form_data.items())[:30]}


def _int(value: object) -> int:
    raw = str(value or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else 0


@dataclass
class OrgOption:
    value: str
    label: str


# --------------------------------------------------------------------------- /esign


class MyEsignState(SessionState):
    """/esign: request a certificate, see it, download it, ask to revoke, change the PIN."""

    allowed: bool = True
    loaded: bool = False
    certs: list[CertRow] = []
    org_options: list[OrgOption] = []
    default_org: str = ""
    may_request: bool = False
    request_block: str = ""  # why a new request is not possible now
    errors: dict[str, str] = {}
    form_key: int = 0
    dlg: str = ""  # "" | "revoke" | "pin"
    dlg_id: int = 0
    dlg_error: str = ""

    def _reload(self, actor) -> None:  # type: ignore[no-untyped-def]
        with session_scope() as s:
            try:
                self.certs = queries.my_certificates(s, actor.id)
            except DomainError:
                self.allowed, self.certs, self.org_options = False, [], []
                self.loaded = True
                return
            choices = queries.organisation_choices(s, actor)
            why = queries.request_block(s, actor.id)
        self.allowed = True
        self.org_options = [OrgOption(str(c.id), c.name) for c in choices]
        self.default_org = self.org_options[0].value if self.org_options else ""
        self.may_request = why is None and bool(self.org_options)
        self.request_block = why or ""
        self.loaded = True

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.errors, self.dlg, self.dlg_error = {}, "", ""
        self._reload(actor)
        return None

    @rx.event
    async def submit_request(self, form_data: dict):
        """Ask for a certificate: the key pair is made and sealed under the PIN (scrypt,
        ~100 ms of CPU by design) in a thread, so the worker's other pages go on."""
        data = _form(form_data)
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)

        try:
            await in_thread(
                lambda s: service.request_certificate(
                    s,
                    actor_id=actor.id,
                    position=data.get("position", ""),
                    organisation_id=_int(data.get("organisation_id", "")) or None,
                    pin=data.get("pin", ""),
                    pin_repeat=data.get("pin_repeat", ""),
                    confirmed=data.get("confirmed", "") in ("on", "true", "1"),
                )
            )
        except ValidationFailed as e:
            self.errors = {e.field or "form": e.message}
            return None
        except DomainError as e:
            self.errors = {"form": e.message}
            return None
        self.errors = {}
        self.form_key += 1
        self._reload(actor)
        return rx.toast.success("Запрос отправлен владельцу системы.")

    @rx.event
    def cancel_request(self, certificate_id: int):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.cancel_request(s, actor_id=actor.id, certificate_id=_int(certificate_id))
        except DomainError as e:
            return rx.toast.error(e.message)
        self._reload(actor)
        return rx.toast.success("Запрос отозван.")

    @rx.event
    def open_dialog(self, kind: str, certificate_id: int):
        if kind not in ("revoke", "pin"):
            return None
        cid = _int(certificate_id)
        if not any(c.id == cid for c in self.certs):
            return rx.toast.error("Сертификат не найден.")
        self.dlg, self.dlg_id, self.dlg_error = kind, cid, ""
        return None

    @rx.event
    def set_dialog_open(self, value: bool):
        if not value:
            self.dlg, self.dlg_error = "", ""

    @rx.event
    def submit_revoke(self, form_data: dict):
        data = _form(form_data)
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.request_revocation(
                    s,
                    actor_id=actor.id,
                    certificate_id=self.dlg_id,
                    reason=data.get("reason", ""),
                )
        except DomainError as e:
            self.dlg_error = e.message
            return None
        self.dlg = ""
        self._reload(actor)
        return rx.toast.success("Запрос на отзыв отправлен.")

    @rx.event
    async def submit_pin(self, form_data: dict):
        """Change the key's PIN (two scrypt derivations: in a thread, see submit_request)."""
        data = _form(form_data)
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        certificate_id = self.dlg_id

        try:
            await in_thread(
                lambda s: service.change_pin(
                    s,
                    actor_id=actor.id,
                    certificate_id=certificate_id,
                    old_pin=data.get("old_pin", ""),
                    new_pin=data.get("pin", ""),
                    new_pin_repeat=data.get("pin_repeat", ""),
                )
            )
        except DomainError as e:
            self.dlg_error = e.message
            self._reload(actor)
            return None
        self.dlg = ""
        self._reload(actor)
        return rx.toast.success("PIN-код изменён.")


# --------------------------------------------------------------------------- /admin/esign


class EsignAdminState(SessionState):
    """/admin/esign: requests and certificates with filters in the URL; issue, reject, revoke."""

    allowed: bool = True
    rows: list[CertRow] = []
    f_status: str = ""
    f_q: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    dlg: str = ""  # "" | "issue" | "reject" | "revoke"
    dlg_id: int = 0
    dlg_error: str = ""
    default_days: str = str(settings.esign_cert_days)

    def _fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        params = self.router.url.query_parameters
        status = params.get("status", "")
        self.f_status = status if status in ADMIN_STATUSES else ""
        self.f_q = " ".join(_clip(params.get("q", ""), 100).split())
        after, before = page_params(params)
        self.query_key = f"{self.f_status}|{self.f_q}|{after}|{before}"
        filters = {"status": self.f_status, "q": self.f_q}
        with session_scope() as s:
            try:
                page = queries.admin_certificates(
                    s, actor.id, after=after, before=before, **filters
                )
            except ValidationFailed:
                page = queries.admin_certificates(s, actor.id, **filters)
        self.rows, self.allowed = page.rows, True
        self.next_href = (
            routes.with_query(routes.ESIGN_ADMIN, **filters, after=page.next_after)
            if page.next_after
            else ""
        )
        self.prev_href = (
            routes.with_query(routes.ESIGN_ADMIN, **filters, before=page.prev_before)
            if page.prev_before
            else ""
        )

    def _safe_fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        try:
            self._fetch(actor)
        except DomainError:
            self.allowed, self.rows, self.next_href, self.prev_href = False, [], "", ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.dlg, self.dlg_error = "", ""
        self._safe_fetch(actor)
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = _form(form_data)
        status = data.get("status", "")
        return rx.redirect(
            routes.with_query(
                routes.ESIGN_ADMIN,
                status=status if status in ADMIN_STATUSES else "",
                q=" ".join(data.get("q", "")[:100].split()),
            )
        )

    @rx.var
    def dlg_row(self) -> CertRow | None:
        return next((r for r in self.rows if r.id == self.dlg_id), None)

    @rx.event
    def open_dialog(self, kind: str, certificate_id: int):
        if kind not in ("issue", "reject", "revoke"):
            return None
        cid = _int(certificate_id)
        if not any(r.id == cid for r in self.rows):
            return rx.toast.error("Сертификат не найден.")
        self.dlg, self.dlg_id, self.dlg_error = kind, cid, ""
        return None

    @rx.event
    def set_dialog_open(self, value: bool):
        if not value:
            self.dlg, self.dlg_error = "", ""

    @rx.event
    def submit_dialog(self, form_data: dict):
        data = _form(form_data)
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        if not actor.has(Perm.ESIGN_ISSUE):
            return rx.toast.error("Недостаточно прав для этого действия.")
        kind, cid = self.dlg, self.dlg_id
        try:
            with session_scope() as s:
                if kind == "issue":
                    days = _int(data.get("days", ""))
                    service.issue_certificate(s, actor_id=actor.id, certificate_id=cid, days=days)
                    done = "Сертификат выпущен."
                elif kind == "reject":
                    service.reject_request(
                        s, actor_id=actor.id, certificate_id=cid, reason=data.get("reason", "")
                    )
                    done = "Запрос отклонён."
                elif kind == "revoke":
                    service.revoke_certificate(
                        s,
                        actor_id=actor.id,
                        certificate_id=cid,
                        reason=data.get("reason", ""),
                        comment=data.get("comment", ""),
                    )
                    done = "Сертификат отозван."
                else:
                    return None
        except DomainError as e:
            self.dlg_error = e.message
            return None
        self.dlg = ""
        self._safe_fetch(actor)
        return rx.toast.success(done)


# --------------------------------------------------------------------------- /verify (public)


@dataclass
class VerifyView:
    found: bool = False
    valid: bool = False
    code: str = ""
    verdict: str = ""
    problems: list[str] | None = None
    signer_name: str = ""
    position: str = ""
    organisation: str = ""
    signer_role: str = ""
    purpose_label: str = ""
    subject_ref: str = ""
    serial: str = ""
    cert_valid_from: str = ""
    cert_valid_to: str = ""
    status_now: str = ""
    status_now_text: str = ""
    status_at_signing_text: str = ""
    signed_at: str = ""
    crypto_ok: bool = False
    crypto_text: str = ""
    content_text: str = ""  # "не изменено" / "изменено после подписания" / "не проверялось"
    content_state: str = ""  # "same" | "changed" | "unknown"
    sha256: str = ""
    bundle_href: str = ""
    cert_href: str = ""


class VerifyState(SessionState):
    """/verify?code=…: anyone checks a signature (no login, reads only)."""

    code: str = ""
    searched: bool = False
    view: VerifyView = VerifyView()
    qr_src: str = ""

    @rx.event
    def load(self):
        self._show_identity(self._actor())
        raw = _clip(self.router.url.query_parameters.get("code", ""), 300)
        self._check(raw)

    def _check(self, raw: str) -> None:
        code = rules.normalise_code(raw)
        self.code = code or raw.strip()[:60]
        self.searched = bool(raw.strip())
        self.qr_src = ""
        if not code:
            self.view = VerifyView()
            return
        with session_scope() as s:
            v = queries.verify_signature(s, code)
        if not v.found:
            self.view = VerifyView()
            return
        unchanged = v.content_unchanged
        self.view = VerifyView(
            found=True,
            valid=v.valid,
            code=v.code,
            verdict=v.verdict,
            problems=list(v.problems),
            signer_name=v.signer_name,
            position=v.position,
            organisation=v.organisation,
            signer_role=v.signer_role,
            purpose_label=v.purpose_label,
            subject_ref=v.subject_ref,
            serial=v.certificate_serial,
            cert_valid_from=fmt_dt(v.certificate_not_before) if v.certificate_not_before else "",
            cert_valid_to=fmt_dt(v.certificate_not_after) if v.certificate_not_after else "",
            status_now=v.status_now,
            status_now_text=v.status_now_text,
            status_at_signing_text=v.status_at_signing_text,
            signed_at=fmt_dt(v.signed_at) if v.signed_at else "",
            crypto_ok=v.crypto_ok,
            crypto_text=(
                "подпись математически верна, сертификат выпущен нашим удостоверяющим центром"
                if v.crypto_ok
                else v.crypto_reason
            ),
            content_text=(
                "не проверялось"
                if unchanged is None
                else ("не изменено" if unchanged else "изменено после подписания")
            ),
            content_state="unknown" if unchanged is None else ("same" if unchanged else "changed"),
            sha256=v.content_sha256,
            bundle_href=routes.esign_bundle_url(v.code),
            cert_href=f"{routes.ESIGN_CERT_PEM}/{v.certificate_serial}.pem",
        )
        self.qr_src = "data:image/png;base64," + base64.b64encode(
            queries.qr_png(v.code, scale=4)
        ).decode("ascii")

    @rx.event
    def check(self, form_data: dict):
        raw = _form(form_data).get("code", "")
        code = rules.normalise_code(raw)
        if not code:
            self.code, self.searched, self.view, self.qr_src = (
                raw.strip()[:60],
                True,
                VerifyView(),
                "",
            )
            return None
        return rx.redirect(routes.verify_url(code))
