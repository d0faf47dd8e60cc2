"""Thin Reflex states of the account pages: resolve the caller, call one service, show the result.

Every public handler takes plain values (form fields are re-validated by the services) and
resolves the caller from the session cookie on the server. Messages come from DomainError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Actor
from cabinet.access.state import SessionState
from cabinet.accounts import queries, service
from cabinet.accounts.rules import FormErrors, format_phone, mask_email, mask_phone
from cabinet.db import in_thread, session_scope
from cabinet.errors import DomainError, NotAuthenticated

_FORM_VALUE_MAX = 2000  # longer values are cut before validation (which then reports them)


def _value(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "") if isinstance(form, dict) else ""
    return value[:_FORM_VALUE_MAX] if isinstance(value, str) else ""


def _errors(error: DomainError) -> dict[str, str]:
    if isinstance(error, FormErrors):
        return dict(error.errors)
    return {error.field or "form": error.message}


class _FormMixin(rx.State, mixin=True):
    """Field errors, a notice and the login-required helper, copied into each page state
    (a mixin, so one page's errors never show on another)."""

    errors: dict[str, str] = {}
    notice: str = ""

    def _fail(self, error: DomainError) -> None:
        self.errors = _errors(error)

    def _clear(self) -> None:
        self.errors = {}
        self.notice = ""

    def _login_required(self) -> Actor | None:
        """Like SessionState.require_login: the caller or None (then the page redirects)."""
        actor = self._actor()  # type: ignore[attr-defined]
        self._show_identity(actor)  # type: ignore[attr-defined]
        return actor


# --- registration and confirmation ----------------------------------------------------------


def _stage_redirect(token: str):  # type: ignore[no-untyped-def]
    """A browser that already has a session goes where that session belongs."""
    with session_scope() as s:
        stage = service.session_stage(s, token)
    return rx.redirect(stage) if stage else None


# The handlers that hash or check a password await `in_thread`: argon2 takes ~100 ms of CPU
# (deliberately), and ten logins at once on the event loop would hold up every page of the
# worker for a second. argon2 lets go of the GIL, so the loop goes on meanwhile.


class RegisterState(_FormMixin, SessionState):
    @rx.event
    def load(self):
        self._clear()
        return _stage_redirect(self.token)

    @rx.event
    async def submit(self, form: dict[str, Any]):
        self._clear()
        values = {
            k: _value(form, k) for k in ("full_name", "email", "phone", "password", "password2")
        }
        ip, agent = self._client_ip(), self._user_agent()
        try:
            reg = await in_thread(lambda s: service.register(s, **values, ip=ip, user_agent=agent))
        except DomainError as e:
            self._fail(e)
            return None
        self.token = reg.token
        return rx.redirect(routes.CONFIRM)


class ConfirmState(_FormMixin, SessionState):
    email: str = ""
    phone: str = ""
    email_confirmed: bool = False
    phone_confirmed: bool = False

    def _pending_user(self) -> int:
        with session_scope() as s:
            user_id = service.pending_user_id(s, self.token)
        if user_id is None:
            raise NotAuthenticated()
        return user_id

    def _show(self, user_id: int) -> None:
        with session_scope() as s:
            view = service.confirm_view(s, user_id=user_id)
        self.email, self.phone = view.email, format_phone(view.phone)
        self.email_confirmed, self.phone_confirmed = view.email_confirmed, view.phone_confirmed

    @rx.event
    def load(self):
        self._clear()
        try:
            user_id = self._pending_user()
        except DomainError:
            return rx.redirect(routes.LOGIN)
        self._show(user_id)
        if self.email_confirmed and self.phone_confirmed:
            return rx.redirect(routes.HOME)
        return None

    @rx.event
    def submit(self, form: dict[str, Any]):
        self._clear()
        try:
            user_id = self._pending_user()
            with session_scope() as s:
                done = service.confirm_contacts(
                    s,
                    user_id=user_id,
                    email_code=_value(form, "email_code"),
                    phone_code=_value(form, "phone_code"),
                    ip=self._client_ip(),
                )
        except NotAuthenticated:
            return rx.redirect(routes.LOGIN)
        except DomainError as e:
            self._fail(e)
            self._show(user_id)
            return None
        self._show(user_id)
        if done:
            return [
                rx.toast.success("E-mail и телефон подтверждены. Добро пожаловать!"),
                rx.redirect(routes.HOME),
            ]
        return None

    @rx.event
    def resend(self, channel: str):
        self._clear()
        try:
            user_id = self._pending_user()
            with session_scope() as s:
                service.resend_confirmation(
                    s, user_id=user_id, channel=str(channel)[:10], ip=self._client_ip()
                )
        except NotAuthenticated:
            return rx.redirect(routes.LOGIN)
        except DomainError as e:
            self._fail(e)
            return None
        self.notice = (
            "Новый код отправлен на e-mail."
            if channel == "email"
            else "Новый код отправлен по SMS."
        )
        return None


# --- login and the second factor ------------------------------------------------------------


class LoginState(_FormMixin, SessionState):
    @rx.event
    def load(self):
        self._clear()
        return _stage_redirect(self.token)

    @rx.event
    async def submit(self, form: dict[str, Any]):
        self._clear()
        login, password = _value(form, "login"), _value(form, "password")
        ip, agent = self._client_ip(), self._user_agent()
        try:
            result = await in_thread(
                lambda s: service.login(s, login=login, password=password, ip=ip, user_agent=agent)
            )
        except DomainError as e:
            self._fail(e)
            return None
        self.token = result.token
        if result.next_route == routes.SECURITY:
            return [
                rx.toast.warning(
                    "Ваша организация требует второй фактор входа. Включите его, пожалуйста."
                ),
                rx.redirect(routes.SECURITY),
            ]
        return rx.redirect(result.next_route)


class SecondFactorState(_FormMixin, SessionState):
    method: str = ""
    target: str = ""

    @rx.event
    def load(self):
        self._clear()
        try:
            with session_scope() as s:
                view = service.second_factor_view(s, token=self.token)
        except DomainError:
            return rx.redirect(routes.LOGIN)
        if view is None:
            return rx.redirect(routes.HOME)
        self.method, self.target = view.method, view.target
        return None

    @rx.event
    def submit(self, form: dict[str, Any]):
        self._clear()
        try:
            with session_scope() as s:
                next_route = service.verify_second_factor(
                    s, token=self.token, code=_value(form, "code"), ip=self._client_ip()
                )
        except NotAuthenticated as e:
            return [rx.toast.error(e.message), rx.redirect(routes.LOGIN)]
        except DomainError as e:
            self._fail(e)
            return None
        return rx.redirect(next_route)

    @rx.event
    def resend(self):
        self._clear()
        try:
            with session_scope() as s:
                service.resend_login_code(s, token=self.token)
        except NotAuthenticated:
            return rx.redirect(routes.LOGIN)
        except DomainError as e:
            self._fail(e)
            return None
        self.notice = "Новый код отправлен."
        return None

    @rx.event
    def cancel(self):
        """Give up the half-finished login (the session is revoked)."""
        return SessionState.logout


# --- password reset -------------------------------------------------------------------------


class ResetState(_FormMixin, SessionState):
    step: str = "ask"  # ask | code
    login: str = ""

    @rx.event
    def load(self):
        self._clear()
        self.step, self.login = "ask", ""

    def _send(self, login: str) -> bool:
        try:
            with session_scope() as s:
                service.request_password_reset(s, login=login, ip=self._client_ip())
        except DomainError as e:
            self._fail(e)
            return False
        return True

    @rx.event
    def request_code(self, form: dict[str, Any]):
        self._clear()
        login = _value(form, "login").strip()
        if self._send(login):
            self.login, self.step = login, "code"
            self.notice = (
                "Если учётная запись с такими данными существует, мы отправили на неё код. "
                "Введите его ниже вместе с новым паролем."
            )

    @rx.event
    def resend(self):
        self._clear()
        if self.login and self._send(self.login):
            self.notice = "Если учётная запись существует, новый код отправлен."

    @rx.event
    def restart(self):
        self._clear()
        self.step, self.login = "ask", ""

    @rx.event
    async def submit(self, form: dict[str, Any]):
        self._clear()
        login, ip = self.login, self._client_ip()
        code, password, password2 = (_value(form, k) for k in ("code", "password", "password2"))
        try:
            await in_thread(
                lambda s: service.reset_password(
                    s, login=login, code=code, password=password, password2=password2, ip=ip
                )
            )
        except DomainError as e:
            self._fail(e)
            return None
        self.token = ""
        self.step, self.login = "ask", ""
        return [
            rx.toast.success("Пароль изменён. Войдите с новым паролем."),
            rx.redirect(routes.LOGIN),
        ]


# --- profile --------------------------------------------------------------------------------


class ProfileState(_FormMixin, SessionState):
    full_name: str = ""
    email: str = ""
    phone: str = ""
    pending_email: str = ""
    pending_phone: str = ""
    created: str = ""
    editing: str = ""  # "" | email | phone: which contact change form is open

    def _reload(self, actor_id: int) -> None:
        with session_scope() as s:
            p = queries.my_profile(s, actor_id=actor_id)
        self.full_name, self.email, self.phone = p["full_name"], p["email"], p["phone"]
        self.pending_email, self.pending_phone = p["pending_email"], p["pending_phone"]
        self.created = p["created"]
        self.me_name = p["full_name"]

    @rx.event
    def load(self):
        self._clear()
        self.editing = ""
        actor = self._login_required()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self._reload(actor.id)
        return None

    async def _run(self, action, ok: str = "") -> bool:  # type: ignore[no-untyped-def]
        """Resolve the caller, run `action(session, actor_id)` in a thread (`in_thread`: some
        of these check the password), show errors; True on success."""
        self._clear()
        actor = self._actor()
        if actor is None:
            self.errors = {"form": NotAuthenticated.default}
            return False
        try:
            await in_thread(lambda s: action(s, actor.id))
        except DomainError as e:
            self._fail(e)
            self._reload(actor.id)
            return False
        self._reload(actor.id)
        self.notice = ok
        return True

    @rx.event
    async def save_name(self, form: dict[str, Any]):
        name, ip = _value(form, "full_name"), self._client_ip()
        if await self._run(
            lambda s, uid: service.update_profile(s, actor_id=uid, full_name=name, ip=ip)
        ):
            return rx.toast.success("Данные сохранены.")
        return None

    @rx.event
    async def change_password(self, form: dict[str, Any]):
        current, new, new2 = (
            _value(form, "current_password"),
            _value(form, "new_password"),
            _value(form, "new_password2"),
        )
        token, ip = self.token, self._client_ip()
        if await self._run(
            lambda s, uid: service.change_password(
                s,
                actor_id=uid,
                current=current,
                password=new,
                password2=new2,
                current_token=token,
                ip=ip,
            )
        ):
            return rx.toast.success("Пароль изменён. Другие сеансы завершены.")
        return None

    @rx.event
    def open_change(self, kind: str):
        self._clear()
        self.editing = kind if kind in ("email", "phone") else ""

    @rx.event
    async def start_change(self, form: dict[str, Any]):
        kind = self.editing
        if kind not in ("email", "phone"):
            return None
        value, password = _value(form, f"new_{kind}"), _value(form, f"{kind}_password")
        ip = self._client_ip()
        if await self._run(
            lambda s, uid: service.request_contact_change(
                s, actor_id=uid, kind=kind, value=value, password=password, ip=ip
            )
        ):
            self.notice = (
                "Код отправлен на новый e-mail." if kind == "email" else "Код отправлен по SMS."
            )
        return None

    @rx.event
    async def confirm_change(self, form: dict[str, Any]):
        kind = self.editing
        if kind not in ("email", "phone"):
            return None
        code, ip = _value(form, f"{kind}_code"), self._client_ip()
        if await self._run(
            lambda s, uid: service.confirm_contact_change(
                s, actor_id=uid, kind=kind, code=code, ip=ip
            )
        ):
            self.editing = ""
            return rx.toast.success("Новый адрес подтверждён.")
        return None

    @rx.event
    async def cancel_change(self):
        kind = self.editing
        self.editing = ""
        if kind in ("email", "phone"):
            await self._run(
                lambda s, uid: service.cancel_contact_change(s, actor_id=uid, kind=kind)
            )


# --- security (second factor) ---------------------------------------------------------------


class SecurityState(_FormMixin, SessionState):
    method: str = ""
    org_requires: bool = False
    email_masked: str = ""
    phone_masked: str = ""
    totp_secret: str = ""  # shown once during setup (the user's own secret, own browser)
    totp_qr: str = ""

    def _reload(self, actor_id: int) -> None:
        with session_scope() as s:
            view = service.security_view(s, actor_id=actor_id)
        self.method, self.org_requires = view.method, view.org_requires
        self.email_masked, self.phone_masked = mask_email(view.email), mask_phone(view.phone)

    @rx.event
    def load(self):
        self._clear()
        self.totp_secret, self.totp_qr = "", ""
        actor = self._login_required()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self._reload(actor.id)
        return None

    def _actor_or_error(self) -> Actor | None:
        self._clear()
        actor = self._actor()
        if actor is None:
            self.errors = {"form": NotAuthenticated.default}
        return actor

    @rx.event
    def start_totp(self):
        actor = self._actor_or_error()
        if actor is None:
            return None
        try:
            with session_scope() as s:
                setup = service.start_totp_setup(s, actor_id=actor.id)
        except DomainError as e:
            self._fail(e)
            return None
        self.totp_secret, self.totp_qr = setup.secret, setup.qr_data_uri
        return None

    @rx.event
    def cancel_totp(self):
        self._clear()
        self.totp_secret, self.totp_qr = "", ""

    @rx.event
    def confirm_totp(self, form: dict[str, Any]):
        actor = self._actor_or_error()
        if actor is None:
            return None
        try:
            with session_scope() as s:
                service.enable_totp(
                    s, actor_id=actor.id, code=_value(form, "totp_code"), ip=self._client_ip()
                )
        except DomainError as e:
            self._fail(e)
            return None
        self.totp_secret, self.totp_qr = "", ""
        self._reload(actor.id)
        return rx.toast.success("Приложение-аутентификатор подключено.")

    @rx.event
    async def enable_code(self, form: dict[str, Any]):
        actor = self._actor_or_error()
        if actor is None:
            return None
        method, password, ip = _value(form, "method"), _value(form, "password"), self._client_ip()
        try:
            await in_thread(
                lambda s: service.enable_code_2fa(
                    s, actor_id=actor.id, method=method, password=password, ip=ip
                )
            )
        except DomainError as e:
            self._fail(e)
            return None
        self.totp_secret, self.totp_qr = "", ""
        self._reload(actor.id)
        return rx.toast.success("Второй фактор включён.")

    @rx.event
    async def disable(self, form: dict[str, Any]):
        actor = self._actor_or_error()
        if actor is None:
            return None
        password, ip = _value(form, "disable_password"), self._client_ip()
        try:
            await in_thread(
                lambda s: service.disable_2fa(s, actor_id=actor.id, password=password, ip=ip)
            )
        except DomainError as e:
            self._fail(e)
            return None
        self._reload(actor.id)
        return rx.toast.success("Второй фактор отключён.")


# --- my sessions ----------------------------------------------------------------------------


@dataclass
class SessionRow:
    id: int = 0
    device: str = ""
    user_agent: str = ""
    ip: str = ""
    created: str = ""
    last_seen: str = ""
    current: bool = False
    pending_2fa: bool = False


class SessionsState(_FormMixin, SessionState):
    rows: list[SessionRow] = []

    def _reload(self, actor_id: int) -> None:
        with session_scope() as s:
            found = queries.my_sessions(s, actor_id=actor_id, current_token=self.token)
        self.rows = [SessionRow(**r) for r in found]

    @rx.event
    def load(self):
        self._clear()
        actor = self._login_required()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self._reload(actor.id)
        return None

    @rx.event
    def end(self, session_id: int):
        self._clear()
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            sid = int(session_id)
            with session_scope() as s:
                service.end_session(s, actor_id=actor.id, session_id=sid, ip=self._client_ip())
        except (TypeError, ValueError):
            return rx.toast.error("Сеанс не найден.")
        except DomainError as e:
            self._reload(actor.id)
            return rx.toast.error(e.message)
        self._reload(actor.id)
        return rx.toast.success("Сеанс завершён.")

    @rx.event
    def end_others(self):
        self._clear()
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        with session_scope() as s:
            ended = service.end_other_sessions(
                s, actor_id=actor.id, current_token=self.token, ip=self._client_ip()
            )
        self._reload(actor.id)
        return rx.toast.success(f"Завершено сеансов: {ended}.")
