"""Account pages: login, registration + confirmation, second factor, password reset, profile,
security (second factor settings) and "my sessions". Inputs and buttons carry stable ids."""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.accounts.state import (
    ConfirmState,
    LoginState,
    ProfileState,
    RegisterState,
    ResetState,
    SecondFactorState,
    SecurityState,
    SessionRow,
    SessionsState,
)
from cabinet.i18n import t
from cabinet.settings import settings
from components.hint import with_hint
from components.shell import public_shell, shell

_TTL_MIN = max(1, settings.code_ttl_seconds // 60)

# --- small pieces ---------------------------------------------------------------------------


def _error(state: type, key: str, el_id: str) -> rx.Component:
    return rx.cond(
        state.errors.contains(key),
        rx.text(state.errors[key], color_scheme="red", size="2", id=f"{el_id}-error"),
    )


def _field(
    state: type,
    label: rx.Var | str,
    name: str,
    el_id: str,
    *,
    type_: str = "text",
    placeholder: rx.Var | str = "",
    auto_complete: str = "off",
    hint: rx.Var | str | None = None,
    error_key: str | None = None,
    default_value: rx.Var | str | None = None,
    input_mode: str | None = None,
    max_length: int = 300,
) -> rx.Component:
    extra = {}
    if default_value is not None:
        extra["default_value"] = default_value
    if input_mode:
        extra["input_mode"] = input_mode
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium", as_="span"), html_for=el_id),
        rx.input(
            name=name,
            id=el_id,
            type=type_,
            placeholder=placeholder,
            auto_complete=auto_complete,
            max_length=max_length,
            width="100%",
            size="3",
            **extra,
        ),
        *([rx.text(hint, size="1", color_scheme="gray")] if hint is not None else []),
        _error(state, error_key or name, el_id),
        spacing="1",
        width="100%",
    )


def _form_error(state: type, el_id: str) -> rx.Component:
    return rx.cond(
        state.errors.contains("form"),
        rx.callout(state.errors["form"], icon="triangle-alert", color_scheme="red", id=el_id),
    )


def _notice(state: type, el_id: str) -> rx.Component:
    return rx.cond(
        state.notice != "",
        rx.callout(state.notice, icon="info", color_scheme="green", id=el_id),
    )


def _submit(label: rx.Var | str, el_id: str) -> rx.Component:
    return rx.button(label, type="submit", id=el_id, size="3", width="100%")


def _heading(ru: str, en: str) -> rx.Component:
    return rx.heading(t(ru, en), size="6", as_="h1")


def _card(*children: rx.Component, title: rx.Var | str, el_id: str = "") -> rx.Component:
    return rx.card(
        rx.vstack(rx.heading(title, size="4", as_="h2"), *children, spacing="3", width="100%"),
        width="100%",
        id=el_id or None,
    )


# --- login ----------------------------------------------------------------------------------


def login_page() -> rx.Component:
    return public_shell(
        _heading("Вход в личный кабинет", "Log in"),
        rx.form(
            rx.vstack(
                _field(
                    LoginState,
                    t("E-mail или телефон", "E-mail or phone"),
                    "login",
                    "login-id",
                    placeholder="name@example.ru / +7 912 345-67-89",
                    auto_complete="username",
                ),
                _field(
                    LoginState,
                    t("Пароль", "Password"),
                    "password",
                    "login-password",
                    type_="password",
                    auto_complete="current-password",
                ),
                _form_error(LoginState, "login-error"),
                _submit(t("Войти", "Log in"), "login-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=LoginState.submit,
            width="100%",
        ),
        rx.hstack(
            rx.link(
                t("Забыли пароль?", "Forgot password?"),
                href=routes.RESET_PASSWORD,
                id="login-forgot",
            ),
            rx.spacer(),
            rx.link(t("Регистрация", "Sign up"), href=routes.REGISTER, id="login-register"),
            width="100%",
            wrap="wrap",
        ),
    )


# --- registration ---------------------------------------------------------------------------


def register_page() -> rx.Component:
    s = RegisterState
    return public_shell(
        _heading("Регистрация", "Sign up"),
        rx.text(
            t(
                "Шаг 1 из 2. После регистрации мы пришлём коды на e-mail и по SMS.",
                "Step 1 of 2. We will send codes to your e-mail and phone.",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                _field(
                    s,
                    t("ФИО", "Full name"),
                    "full_name",
                    "reg-full-name",
                    placeholder=t("Иванов Иван Иванович", "John Smith"),
                    auto_complete="name",
                ),
                _field(
                    s,
                    "E-mail",
                    "email",
                    "reg-email",
                    input_mode="email",  # type=email would block the form before our message
                    placeholder="name@example.ru",
                    auto_complete="email",
                ),
                _field(
                    s,
                    t("Телефон", "Phone"),
                    "phone",
                    "reg-phone",
                    type_="tel",
                    placeholder="+7 912 345-67-89",
                    auto_complete="tel",
                ),
                _field(
                    s,
                    with_hint(
                        t("Пароль", "Password"),
                        "Надёжный пароль: 8+ символов, буквы и цифры; не используйте его на других "
                        "сайтах. Потом включите вход с кодом из приложения в разделе «Безопасность».",
                        "A strong password: 8+ characters, letters and digits; do not reuse it. "
                        "Later turn on app codes in Security.",
                        id="reg-password-hint",
                        article="bezopasnost-i-2fa",
                    ),
                    "password",
                    "reg-password",
                    type_="password",
                    auto_complete="new-password",
                    hint=t(
                        "Не короче 8 символов, буквы и цифры.",
                        "At least 8 characters, letters and digits.",
                    ),
                ),
                _field(
                    s,
                    t("Повторите пароль", "Repeat password"),
                    "password2",
                    "reg-password2",
                    type_="password",
                    auto_complete="new-password",
                ),
                _form_error(s, "reg-error"),
                _submit(t("Зарегистрироваться", "Sign up"), "reg-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.submit,
            width="100%",
        ),
        rx.hstack(
            rx.text(t("Уже зарегистрированы?", "Already registered?"), size="2"),
            rx.link(t("Войти", "Log in"), href=routes.LOGIN, id="reg-login", size="2"),
            spacing="2",
        ),
    )


def _confirm_block(
    confirmed: rx.Var,
    label: rx.Var,
    done_label: rx.Var,
    target: rx.Var,
    name: str,
    el_id: str,
    channel: str,
) -> rx.Component:
    s = ConfirmState
    return rx.cond(
        confirmed,
        rx.hstack(
            rx.icon("circle-check", color=rx.color("green", 9), flex_shrink="0"),
            rx.text(done_label, ": ", target, size="2", overflow_wrap="anywhere"),
            align="center",
            id=f"{el_id}-done",
        ),
        rx.vstack(
            _field(
                s,
                rx.fragment(label, ": ", target),
                name,
                el_id,
                placeholder="123456",
                auto_complete="one-time-code",
                input_mode="numeric",
                max_length=12,
            ),
            rx.button(
                t("Отправить код ещё раз", "Send the code again"),
                on_click=s.resend(channel),
                type="button",
                variant="ghost",
                size="1",
                id=f"{el_id}-resend",
            ),
            spacing="1",
            width="100%",
            align="start",
        ),
    )


def confirm_page() -> rx.Component:
    s = ConfirmState
    return public_shell(
        _heading("Подтверждение e-mail и телефона", "Confirm e-mail and phone"),
        rx.text(
            t(
                f"Шаг 2 из 2. Введите коды из письма и SMS. Код действует {_TTL_MIN} мин.",
                f"Step 2 of 2. Enter the codes from the e-mail and the SMS. A code is valid for {_TTL_MIN} min.",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                _confirm_block(
                    s.email_confirmed,
                    t("Код из письма", "Code from the e-mail"),
                    t("E-mail подтверждён", "E-mail confirmed"),
                    s.email,
                    "email_code",
                    "confirm-email-code",
                    "email",
                ),
                _confirm_block(
                    s.phone_confirmed,
                    t("Код из SMS", "Code from the SMS"),
                    t("Телефон подтверждён", "Phone confirmed"),
                    s.phone,
                    "phone_code",
                    "confirm-phone-code",
                    "sms",
                ),
                _notice(s, "confirm-notice"),
                _form_error(s, "confirm-error"),
                _submit(t("Подтвердить", "Confirm"), "confirm-submit"),
                spacing="4",
                width="100%",
            ),
            on_submit=s.submit,
            width="100%",
        ),
        rx.button(
            t("Выйти", "Log out"),
            on_click=s.logout,
            variant="ghost",
            size="1",
            color_scheme="gray",
            id="confirm-logout",
        ),
    )


# --- second factor at login -----------------------------------------------------------------


def login_2fa_page() -> rx.Component:
    s = SecondFactorState
    return public_shell(
        _heading("Подтверждение входа", "Confirm the login"),
        rx.match(
            s.method,
            (
                "totp",
                rx.text(
                    t(
                        "Введите 6-значный код из приложения-аутентификатора.",
                        "Enter the 6-digit code from your authenticator app.",
                    ),
                    size="2",
                ),
            ),
            (
                "sms",
                rx.text(
                    t("Мы отправили код по SMS на ", "We sent a code by SMS to "),
                    s.target,
                    size="2",
                ),
            ),
            rx.text(t("Мы отправили код на e-mail ", "We sent a code to "), s.target, size="2"),
        ),
        rx.form(
            rx.vstack(
                _field(
                    s,
                    t("Код", "Code"),
                    "code",
                    "login2fa-code",
                    placeholder="123456",
                    auto_complete="one-time-code",
                    input_mode="numeric",
                    max_length=12,
                ),
                _notice(s, "login2fa-notice"),
                _form_error(s, "login2fa-error"),
                _submit(t("Войти", "Log in"), "login2fa-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.submit,
            width="100%",
        ),
        rx.hstack(
            rx.cond(
                s.method != "totp",
                rx.button(
                    t("Отправить код ещё раз", "Send the code again"),
                    on_click=s.resend,
                    variant="ghost",
                    size="1",
                    id="login2fa-resend",
                ),
            ),
            rx.spacer(),
            rx.button(
                t("Отмена", "Cancel"),
                on_click=s.cancel,
                variant="ghost",
                size="1",
                color_scheme="gray",
                id="login2fa-cancel",
            ),
            width="100%",
        ),
    )


# --- password reset -------------------------------------------------------------------------


def reset_page() -> rx.Component:
    s = ResetState
    ask = rx.form(
        rx.vstack(
            rx.text(
                t(
                    "Укажите e-mail или телефон, указанные при регистрации: мы пришлём код.",
                    "Enter the e-mail or phone of your account: we will send a code.",
                ),
                size="2",
            ),
            _field(
                s,
                t("E-mail или телефон", "E-mail or phone"),
                "login",
                "reset-login",
                placeholder="name@example.ru / +7 912 345-67-89",
                auto_complete="username",
            ),
            _form_error(s, "reset-error"),
            _submit(t("Получить код", "Get a code"), "reset-send"),
            spacing="3",
            width="100%",
        ),
        on_submit=s.request_code,
        width="100%",
    )
    code = rx.form(
        rx.vstack(
            _notice(s, "reset-notice"),
            rx.text(
                t("E-mail или телефон: ", "E-mail or phone: "), rx.text.strong(s.login), size="2"
            ),
            _field(
                s,
                t("Код", "Code"),
                "code",
                "reset-code",
                placeholder="123456",
                auto_complete="one-time-code",
                input_mode="numeric",
                max_length=12,
            ),
            _field(
                s,
                t("Новый пароль", "New password"),
                "password",
                "reset-password",
                type_="password",
                auto_complete="new-password",
                hint=t(
                    "Не короче 8 символов, буквы и цифры.",
                    "At least 8 characters, letters and digits.",
                ),
            ),
            _field(
                s,
                t("Повторите пароль", "Repeat password"),
                "password2",
                "reset-password2",
                type_="password",
                auto_complete="new-password",
            ),
            _error(s, "login", "reset-login"),
            _form_error(s, "reset-error"),
            _submit(t("Сменить пароль", "Change password"), "reset-submit"),
            rx.hstack(
                rx.button(
                    t("Отправить код ещё раз", "Send the code again"),
                    on_click=s.resend,
                    type="button",
                    variant="ghost",
                    size="1",
                    id="reset-resend",
                ),
                rx.spacer(),
                rx.button(
                    t("Другой e-mail или телефон", "Another e-mail or phone"),
                    on_click=s.restart,
                    type="button",
                    variant="ghost",
                    size="1",
                    color_scheme="gray",
                    id="reset-restart",
                ),
                width="100%",
                wrap="wrap",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=s.submit,
        reset_on_submit=False,
        width="100%",
    )
    return public_shell(
        _heading("Восстановление пароля", "Reset password"),
        rx.cond(s.step == "code", code, ask),
        rx.link(
            t("Вернуться ко входу", "Back to login"), href=routes.LOGIN, size="2", id="reset-back"
        ),
    )


# --- profile --------------------------------------------------------------------------------


def _contact_row(
    label: rx.Var, value: rx.Var, pending: rx.Var, kind: str, input_type: str
) -> rx.Component:
    s = ProfileState
    change_form = rx.form(
        rx.vstack(
            _field(
                s,
                t("Новый e-mail", "New e-mail")
                if kind == "email"
                else t("Новый телефон", "New phone"),
                f"new_{kind}",
                f"profile-new-{kind}",
                input_mode=input_type,
                auto_complete="off",
            ),
            _field(
                s,
                t("Текущий пароль", "Current password"),
                f"{kind}_password",
                f"profile-{kind}-password",
                type_="password",
                auto_complete="current-password",
            ),
            rx.hstack(
                rx.button(
                    t("Получить код", "Get a code"), type="submit", id=f"profile-{kind}-send"
                ),
                rx.button(
                    t("Отмена", "Cancel"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=s.cancel_change,
                    id=f"profile-{kind}-cancel",
                ),
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=s.start_change,
        width="100%",
    )
    code_form = rx.form(
        rx.vstack(
            rx.text(t("Код отправлен на ", "Code sent to "), rx.text.strong(pending), size="2"),
            _field(
                s,
                t("Код подтверждения", "Confirmation code"),
                f"{kind}_code",
                f"profile-{kind}-code",
                placeholder="123456",
                auto_complete="one-time-code",
                input_mode="numeric",
                max_length=12,
            ),
            rx.hstack(
                rx.button(t("Подтвердить", "Confirm"), type="submit", id=f"profile-{kind}-confirm"),
                rx.button(
                    t("Отменить изменение", "Cancel the change"),
                    type="button",
                    variant="soft",
                    color_scheme="gray",
                    on_click=s.cancel_change,
                    id=f"profile-{kind}-cancel",
                ),
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=s.confirm_change,
        width="100%",
    )
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.text(label, size="1", color_scheme="gray"),
                rx.text(value, size="3", id=f"profile-{kind}"),
                spacing="0",
                min_width="0",
            ),
            rx.spacer(),
            rx.cond(
                s.editing != kind,
                rx.button(
                    t("Изменить", "Change"),
                    variant="soft",
                    size="1",
                    on_click=s.open_change(kind),
                    id=f"profile-{kind}-change",
                ),
            ),
            width="100%",
            align="center",
        ),
        rx.cond(s.editing == kind, rx.cond(pending != "", code_form, change_form)),
        spacing="2",
        width="100%",
    )


def profile_page() -> rx.Component:
    s = ProfileState
    details = _card(
        rx.form(
            rx.vstack(
                _field(
                    s,
                    t("ФИО", "Full name"),
                    "full_name",
                    "profile-full-name",
                    default_value=s.full_name,
                    auto_complete="name",
                ),
                rx.button(t("Сохранить", "Save"), type="submit", id="profile-save"),
                spacing="2",
                width="100%",
                align="start",
            ),
            on_submit=s.save_name,
            key=s.full_name,  # re-mounts the input (default value) when the saved name changes
            width="100%",
        ),
        rx.divider(),
        _contact_row(t("E-mail", "E-mail"), s.email, s.pending_email, "email", "email"),
        rx.divider(),
        _contact_row(t("Телефон", "Phone"), s.phone, s.pending_phone, "phone", "tel"),
        _notice(s, "profile-notice"),
        _form_error(s, "profile-error"),
        rx.text(t("Зарегистрирован: ", "Registered: "), s.created, size="1", color_scheme="gray"),
        title=t("Основные данные", "Details"),
        el_id="profile-details",
    )
    password = _card(
        rx.form(
            rx.vstack(
                _field(
                    s,
                    t("Текущий пароль", "Current password"),
                    "current_password",
                    "profile-current-password",
                    type_="password",
                    auto_complete="current-password",
                ),
                _field(
                    s,
                    t("Новый пароль", "New password"),
                    "new_password",
                    "profile-new-password",
                    type_="password",
                    auto_complete="new-password",
                    hint=t(
                        "Не короче 8 символов, буквы и цифры. Другие сеансы будут завершены.",
                        "At least 8 characters, letters and digits. Other sessions will end.",
                    ),
                ),
                _field(
                    s,
                    t("Повторите новый пароль", "Repeat the new password"),
                    "new_password2",
                    "profile-new-password2",
                    type_="password",
                    auto_complete="new-password",
                ),
                rx.button(
                    t("Сменить пароль", "Change password"),
                    type="submit",
                    id="profile-password-submit",
                ),
                spacing="2",
                width="100%",
                align="start",
            ),
            on_submit=s.change_password,
            reset_on_submit=True,
            width="100%",
        ),
        title=t("Пароль", "Password"),
        el_id="profile-password",
    )
    return shell(
        rx.grid(
            details,
            password,
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
            align="start",
        ),
        title=t("Мои данные", "My details"),
    )


# --- security -------------------------------------------------------------------------------


def _method_label(method: rx.Var) -> rx.Component:
    return rx.match(
        method,
        ("totp", t("приложение-аутентификатор", "authenticator app")),
        ("sms", t("код по SMS", "code by SMS")),
        ("email", t("код на e-mail", "code by e-mail")),
        t("выключен", "off"),
    )


def security_page() -> rx.Component:
    s = SecurityState
    status = rx.hstack(
        rx.text(t("Второй фактор входа: ", "Second factor: "), size="3"),
        rx.badge(
            _method_label(s.method),
            color_scheme=rx.cond(s.method == "", "gray", "green"),
            size="2",
            id="security-status",
        ),
        align="center",
        wrap="wrap",
    )
    required = rx.cond(
        s.org_requires,
        rx.callout(
            t(
                "Ваша организация требует второй фактор входа: отключить его нельзя, можно выбрать другой способ.",
                "Your organisation requires a second factor: it cannot be turned off, only changed.",
            ),
            icon="shield-alert",
            color_scheme=rx.cond(s.method == "", "orange", "blue"),
            id="security-required",
        ),
    )
    totp_setup = rx.vstack(
        rx.text(
            t(
                "Отсканируйте QR-код приложением (Яндекс Ключ, Google Authenticator и др.) "
                "или введите ключ вручную, затем введите код из приложения.",
                "Scan the QR code with an authenticator app or type the key, then enter the code.",
            ),
            size="2",
        ),
        rx.image(
            src=s.totp_qr,
            width="200px",
            height="200px",
            alt="QR",
            id="totp-qr",
            background="white",
            border_radius="8px",
        ),
        rx.text(
            t("Ключ: ", "Key: "),
            rx.code(s.totp_secret, id="totp-secret"),
            size="2",
            word_break="break_all",
        ),
        rx.form(
            rx.vstack(
                _field(
                    s,
                    t("Код из приложения", "Code from the app"),
                    "totp_code",
                    "totp-code",
                    placeholder="123456",
                    auto_complete="one-time-code",
                    input_mode="numeric",
                    max_length=12,
                ),
                rx.hstack(
                    rx.button(t("Подключить", "Enable"), type="submit", id="totp-confirm"),
                    rx.button(
                        t("Отмена", "Cancel"),
                        type="button",
                        variant="soft",
                        color_scheme="gray",
                        on_click=s.cancel_totp,
                        id="totp-cancel",
                    ),
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=s.confirm_totp,
            width="100%",
        ),
        spacing="3",
        width="100%",
        align="start",
    )
    totp_card = _card(
        rx.text(
            t(
                "Код меняется каждые 30 секунд и работает без сети.",
                "The code changes every 30 seconds and works offline.",
            ),
            size="2",
            color_scheme="gray",
        ),
        rx.cond(
            s.method == "totp",
            rx.badge(t("Подключено", "Enabled"), color_scheme="green", id="totp-enabled"),
            rx.cond(
                s.totp_qr != "",
                totp_setup,
                rx.button(
                    t("Подключить приложение", "Set up the app"),
                    on_click=s.start_totp,
                    id="totp-start",
                ),
            ),
        ),
        title=t("Приложение-аутентификатор", "Authenticator app"),
        el_id="security-totp",
    )
    code_card = _card(
        rx.text(
            t("При входе мы пришлём одноразовый код.", "We send a one-time code at every login."),
            size="2",
            color_scheme="gray",
        ),
        rx.form(
            rx.vstack(
                rx.radio_group.root(
                    rx.vstack(
                        rx.radio_group.item(
                            rx.text(t("SMS на ", "SMS to "), s.phone_masked),
                            value="sms",
                            id="code-method-sms",
                        ),
                        rx.radio_group.item(
                            rx.text(t("E-mail на ", "E-mail to "), s.email_masked),
                            value="email",
                            id="code-method-email",
                        ),
                        spacing="2",
                    ),
                    name="method",
                    default_value="sms",
                ),
                _field(
                    s,
                    t("Текущий пароль", "Current password"),
                    "password",
                    "code-password",
                    type_="password",
                    auto_complete="current-password",
                ),
                rx.button(t("Включить", "Enable"), type="submit", id="code-enable"),
                spacing="3",
                width="100%",
                align="start",
            ),
            on_submit=s.enable_code,
            reset_on_submit=True,
            width="100%",
        ),
        title=t("Код по SMS или e-mail", "Code by SMS or e-mail"),
        el_id="security-code",
    )
    disable_card = rx.cond(
        (s.method != "") & ~s.org_requires,
        _card(
            rx.form(
                rx.vstack(
                    _field(
                        s,
                        t("Текущий пароль", "Current password"),
                        "disable_password",
                        "disable-password",
                        type_="password",
                        auto_complete="current-password",
                    ),
                    rx.button(
                        t("Отключить второй фактор", "Turn off"),
                        type="submit",
                        color_scheme="red",
                        variant="soft",
                        id="twofa-disable",
                    ),
                    spacing="2",
                    width="100%",
                    align="start",
                ),
                on_submit=s.disable,
                reset_on_submit=True,
                width="100%",
            ),
            title=t("Отключить", "Turn off"),
            el_id="security-disable",
        ),
    )
    return shell(
        status,
        required,
        _form_error(s, "security-error"),
        rx.grid(
            totp_card,
            code_card,
            disable_card,
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
            align="start",
        ),
        rx.link(t("Мои сеансы →", "My sessions →"), href=routes.SESSIONS, size="2"),
        title=t("Безопасность", "Security"),
    )


# --- my sessions ----------------------------------------------------------------------------


def _session_card(row: SessionRow) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon("monitor-smartphone", size=18),
                rx.text(row.device, weight="medium", size="3"),
                rx.cond(
                    row.current, rx.badge(t("Этот сеанс", "This session"), color_scheme="green")
                ),
                rx.cond(
                    row.pending_2fa,
                    rx.badge(t("ждёт 2-й фактор", "awaiting 2FA"), color_scheme="orange"),
                ),
                align="center",
                wrap="wrap",
                spacing="2",
            ),
            rx.text("IP: ", row.ip, size="2", color_scheme="gray"),
            rx.text(t("Вход: ", "Signed in: "), row.created, size="2", color_scheme="gray"),
            rx.text(t("Активность: ", "Last seen: "), row.last_seen, size="2", color_scheme="gray"),
            rx.cond(
                ~row.current,
                rx.button(
                    t("Завершить", "End"),
                    on_click=SessionsState.end(row.id),
                    variant="soft",
                    color_scheme="red",
                    size="1",
                    id=f"session-end-{row.id}",
                    class_name="session-end",
                ),
            ),
            spacing="1",
            align="start",
            width="100%",
        ),
        width="100%",
        class_name="session-row",
        title=row.user_agent,
    )


def sessions_page() -> rx.Component:
    s = SessionsState
    return shell(
        rx.hstack(
            rx.text(
                t(
                    "Здесь видны все устройства, где выполнен вход. Незнакомый сеанс — завершите его и смените пароль.",
                    "All devices where you are logged in. End any session you do not recognise and change your password.",
                ),
                size="2",
                color_scheme="gray",
            ),
            width="100%",
        ),
        rx.button(
            rx.icon("log-out", size=16),
            t("Завершить все другие сеансы", "End all other sessions"),
            on_click=s.end_others,
            variant="outline",
            color_scheme="red",
            id="sessions-end-others",
        ),
        rx.grid(
            rx.foreach(s.rows, _session_card),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="3",
            width="100%",
            id="sessions-list",
        ),
        title=t("Мои сеансы", "My sessions"),
    )


def add_pages(app: rx.App) -> None:
    app.add_page(
        login_page, route=routes.LOGIN, title="Вход — Личный кабинет", on_load=LoginState.load
    )
    app.add_page(
        register_page,
        route=routes.REGISTER,
        title="Регистрация — Личный кабинет",
        on_load=RegisterState.load,
    )
    app.add_page(
        confirm_page,
        route=routes.CONFIRM,
        title="Подтверждение — Личный кабинет",
        on_load=ConfirmState.load,
    )
    app.add_page(
        login_2fa_page,
        route=routes.LOGIN_2FA,
        title="Подтверждение входа — Личный кабинет",
        on_load=SecondFactorState.load,
    )
    app.add_page(
        reset_page,
        route=routes.RESET_PASSWORD,
        title="Восстановление пароля — Личный кабинет",
        on_load=ResetState.load,
    )
    app.add_page(
        profile_page,
        route=routes.PROFILE,
        title="Мои данные — Личный кабинет",
        on_load=ProfileState.load,
    )
    app.add_page(
        security_page,
        route=routes.SECURITY,
        title="Безопасность — Личный кабинет",
        on_load=SecurityState.load,
    )
    app.add_page(
        sessions_page,
        route=routes.SESSIONS,
        title="Мои сеансы — Личный кабинет",
        on_load=SessionsState.load,
    )
