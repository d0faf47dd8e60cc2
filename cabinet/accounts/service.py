"""Account actions. One function = one user action = one transaction (each commits).

Registration with e-mail and phone codes, login with throttling and lockout, the second factor,
password reset by code, sessions, profile. No Reflex here: states call these with a Session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cabinet import audit, messaging, routes
from cabinet.access.service import load_actor
from cabinet.accounts import rules
from cabinet.accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from cabinet.accounts.rules import FormErrors
from cabinet.accounts.sessions import (
    create_session,
    find_session,
    hash_token,
    revoke_user_sessions,
)
from cabinet.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
)
from cabinet.settings import settings
from models import (
    AuditEvent,
    LoginAttempt,
    Membership,
    OneTimeCode,
    Organisation,
    User,
    UserSession,
)
from models.accounts import CodePurpose, TwoFactorMethod
from models.base import utcnow
from models.messaging import Channel

TOTP_ISSUER = "Личный кабинет"
WRONG_LOGIN = "Неверный e-mail/телефон или пароль."
BLOCKED = "Учётная запись заблокирована. Обратитесь к администратору."


# --- helpers --------------------------------------------------------------------------------


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotAuthenticated()
    return user


def _self(session: Session, actor_id: int) -> User:
    """The acting user, reloaded (blocked or missing → not authenticated)."""
    load_actor(session, actor_id)
    return _user(session, actor_id)


def _latest_code(
    session: Session, *, purpose: str, target: str, user_id: int | None
) -> OneTimeCode | None:
    stmt = select(OneTimeCode).where(OneTimeCode.purpose == purpose, OneTimeCode.target == target)
    stmt = stmt.where(
        OneTimeCode.user_id == user_id
        if user_id is not None
        else col(OneTimeCode.user_id).is_(None)
    )
    return session.exec(stmt.order_by(col(OneTimeCode.id).desc()).limit(1)).first()


_CODE_TEXT = {
    CodePurpose.CONFIRM_EMAIL: ("Подтверждение e-mail", "Код подтверждения e-mail"),
    CodePurpose.CONFIRM_PHONE: ("Подтверждение телефона", "Код подтверждения телефона"),
    CodePurpose.RESET_PASSWORD: ("Восстановление пароля", "Код для восстановления пароля"),
    CodePurpose.LOGIN_2FA: ("Код для входа", "Код для входа в личный кабинет"),
}


def _issue_code(
    session: Session,
    *,
    user_id: int | None,
    purpose: CodePurpose,
    channel: Channel,
    target: str,
    deliver: bool = True,
    field: str | None = None,
) -> None:
    """Replace the live code for (purpose, target) with a new one and send it (no commit).

    Refuses inside the resend cooldown. `deliver=False` keeps the timing and the cooldown of a
    real code without sending anything (password reset for an unknown login).
    """
    now = utcnow()
    last = _latest_code(session, purpose=purpose, target=target, user_id=user_id)
    wait = rules.resend_wait_seconds(
        now=now,
        last_sent_at=last.sent_at if last else None,
        cooldown=settings.code_resend_seconds,
    )
    if wait:
        raise RateLimited(rules.resend_wait_message(wait), field=field)
    if last is not None and last.consumed_at is None and last.expires_at > now:
        last.expires_at = now  # one live code per purpose and target
        session.add(last)
    code = rules.new_code()
    session.add(
        OneTimeCode(
            user_id=user_id,
            purpose=purpose,
            channel=channel,
            target=target,
            code_hash=rules.hash_code(
                settings.secret_key, purpose=purpose, target=target, code=code
            ),
            sent_at=now,
            expires_at=now + timedelta(seconds=settings.code_ttl_seconds),
        )
    )
    if not deliver:
        return
    subject, lead = _CODE_TEXT[purpose]
    minutes = max(1, settings.code_ttl_seconds // 60)
    if channel == Channel.EMAIL:
        messaging.send_email(
            session,
            to=target,
            subject=f"{subject}: {code}",
            body=(
                f"{lead}: {code}\n\nКод действует {minutes} мин. "
                "Никому не сообщайте его. Если это были не вы, просто проигнорируйте письмо."
            ),
        )
    else:
        messaging.send_sms(session, to=target, body=f"{lead}: {code}. Действует {minutes} мин.")


def _use_code(
    session: Session,
    *,
    user_id: int | None,
    purpose: CodePurpose,
    target: str,
    code: str,
    field: str,
) -> None:
    """Accept the live code or raise with a precise message. Counts the attempt (no commit).

    On a wrong code the attempt counter is flushed; the caller commits before re-raising so
    that the attempt counts even though the action fails.
    """
    code = rules.clean_code(code, field=field)
    row = _latest_code(session, purpose=purpose, target=target, user_id=user_id)
    if row is None:
        raise ValidationFailed("Код не запрошен или устарел. Запросите новый код.", field=field)
    status = rules.code_status(
        now=utcnow(),
        expires_at=row.expires_at,
        attempts=row.attempts,
        max_attempts=settings.code_max_attempts,
        consumed_at=row.consumed_at,
    )
    if status != rules.CodeStatus.LIVE:
        raise ValidationFailed(rules.CODE_STATUS_MESSAGES[status], field=field)
    ok = user_id is not None and rules.code_matches(
        settings.secret_key, purpose=purpose, target=target, code=code, code_hash=row.code_hash
    )
    if not ok:
        row.attempts += 1
        session.add(row)
        session.flush()
        raise ValidationFailed(
            rules.wrong_code_message(settings.code_max_attempts - row.attempts), field=field
        )
    row.consumed_at = utcnow()
    session.add(row)


def _org_requires_2fa(session: Session, user_id: int) -> bool:
    row = session.exec(
        select(Organisation.id)
        .join(Membership, col(Membership.organisation_id) == Organisation.id)
        .where(Membership.user_id == user_id, col(Organisation.require_2fa).is_(True))
        .limit(1)
    ).first()
    return row is not None


def _fernet() -> Fernet:
    return Fernet(rules.fernet_key(settings.secret_key))


def _encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        return ""


def _totp_accept(user: User, code: str, *, field: str) -> None:
    """Check a TOTP code against the user's secret; a used time step is not accepted again."""
    code = rules.clean_code(code, field=field)
    secret = _decrypt(user.totp_secret)
    if not secret:
        raise ValidationFailed("Приложение-аутентификатор не настроено.", field=field)
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for step in (now_step - 1, now_step, now_step + 1):
        if step > user.totp_last_step and totp.generate_otp(step) == code:
            user.totp_last_step = step
            return
    raise ValidationFailed("Неверный код из приложения.", field=field)


def _unique_conflicts(
    session: Session, *, email: str | None, phone: str | None, exclude_id: int | None = None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if email:
        stmt = select(User.id).where((User.email == email) | (User.pending_email == email))
        if exclude_id is not None:
            stmt = stmt.where(User.id != exclude_id)
        if session.exec(stmt).first() is not None:
            errors["email"] = "Пользователь с таким e-mail уже зарегистрирован."
    if phone:
        stmt = select(User.id).where((User.phone == phone) | (User.pending_phone == phone))
        if exclude_id is not None:
            stmt = stmt.where(User.id != exclude_id)
        if session.exec(stmt).first() is not None:
            errors["phone"] = "Пользователь с таким номером телефона уже зарегистрирован."
    return errors


def _events(
    session: Session,
    *,
    action: str,
    ip: str = "",
    object_id: str = "",
    within: timedelta | None = None,
) -> int:
    """How many audit events of `action` (from `ip`, about `object_id`, inside `within`)."""
    stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
    if ip:
        stmt = stmt.where(AuditEvent.ip == ip)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if within is not None:
        stmt = stmt.where(AuditEvent.at > utcnow() - within)
    return int(session.exec(stmt).one())


def _limit_per_ip(session: Session, *, action: str, ip: str, limit: int) -> None:
    """At most `limit` such actions an hour from one address (registration, reset codes)."""
    if ip and _events(session, action=action, ip=ip, within=timedelta(hours=1)) >= limit:
        raise RateLimited("Слишком много запросов с вашего адреса. Попробуйте через час.")


# --- registration ---------------------------------------------------------------------------


def _release_abandoned(session: Session, *, email: str, phone: str, ip: str = "") -> int:
    """Free the e-mail and phone of abandoned registrations (`rules.is_abandoned`) that hold
    them: such an account keeps its row (its audit trail stays whole) but gets placeholder
    contacts, is blocked and loses its sessions. Otherwise whoever typed somebody else's
    e-mail or phone once — by mistake or on purpose — would keep its owner out for good.
    No commit (the caller's transaction). How many were released."""
    now = utcnow()
    holders = session.exec(select(User).where((User.email == email) | (User.phone == phone))).all()
    released = 0
    for user in holders:
        if user.id is None or not rules.is_abandoned(
            email_confirmed_at=user.email_confirmed_at,
            phone_confirmed_at=user.phone_confirmed_at,
            created_at=user.created_at,
            now=now,
        ):
            continue
        before = {"email": user.email, "phone": user.phone}
        user.email, user.phone = rules.released_contacts(user.id)
        user.pending_email = user.pending_phone = ""
        user.is_blocked = True
        session.add(user)
        revoke_user_sessions(session, user_id=user.id)
        audit.record(
            session,
            actor_id=None,
            action="accounts.release_unconfirmed",
            object_type="user",
            object_id=user.id,
            before=before,
            after={"email": user.email, "phone": user.phone, "is_blocked": True},
            ip=ip,
        )
        released += 1
    if released:
        session.flush()  # the unique columns are free before the new user is inserted
    return released


@dataclass(frozen=True)
class Registered:
    user_id: int
    token: str  # a session with limited rights until both contacts are confirmed


def register(
    session: Session,
    *,
    full_name: str,
    email: str,
    phone: str,
    password: str,
    password2: str,
    ip: str = "",
    user_agent: str = "",
) -> Registered:
    """Step 1: create the unconfirmed user, send both codes, open a limited session."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    checks: tuple[tuple[str, Callable[[], str]], ...] = (
        ("full_name", lambda: rules.clean_full_name(full_name)),
        ("email", lambda: rules.normalize_email(email)),
        ("phone", lambda: rules.normalize_phone(phone)),
        ("password", lambda: rules.check_new_password(password, password2)),
    )
    for name, check in checks:
        try:
            values[name] = check()
        except ValidationFailed as e:
            errors[e.field or name] = e.message
    if errors:
        raise FormErrors(
            {
                **_unique_conflicts(session, email=values.get("email"), phone=values.get("phone")),
                **errors,
            }
        )
    _limit_per_ip(session, action="accounts.register", ip=ip, limit=rules.REGISTER_PER_IP_HOUR)
    # In the registration's own transaction: undone with it if anything below refuses.
    _release_abandoned(session, email=values["email"], phone=values["phone"], ip=ip)
    errors = _unique_conflicts(session, email=values["email"], phone=values["phone"])
    if errors:
        raise FormErrors(errors)
    user = User(
        full_name=values["full_name"],
        email=values["email"],
        phone=values["phone"],
        password_hash=hash_password(values["password"]),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise FormErrors(
            _unique_conflicts(session, email=values["email"], phone=values["phone"])
            or {"email": "Пользователь с таким e-mail или телефоном уже зарегистрирован."}
        ) from None
    assert user.id is not None
    _issue_code(
        session,
        user_id=user.id,
        purpose=CodePurpose.CONFIRM_EMAIL,
        channel=Channel.EMAIL,
        target=user.email,
    )
    _issue_code(
        session,
        user_id=user.id,
        purpose=CodePurpose.CONFIRM_PHONE,
        channel=Channel.SMS,
        target=user.phone,
    )
    token = create_session(session, user_id=user.id, ip=ip, user_agent=user_agent)
    audit.record(
        session,
        actor_id=user.id,
        action="accounts.register",
        object_type="user",
        object_id=user.id,
        after={"full_name": user.full_name, "email": user.email, "phone": user.phone},
        ip=ip,
    )
    session.commit()
    return Registered(user_id=user.id, token=token)


@dataclass(frozen=True)
class ConfirmView:
    email: str
    phone: str
    email_confirmed: bool
    phone_confirmed: bool


def pending_user_id(session: Session, token: str) -> int | None:
    """The user of a live session that may still lack confirmation (the confirm page)."""
    row = find_session(session, token, need_confirmed=False)
    return row.user_id if row else None


def session_stage(session: Session, token: str) -> str | None:
    """Where this browser's session belongs: home, the confirm page, the second-factor page;
    None without a live session (the login and registration pages use it)."""
    row = find_session(session, token, need_second_factor=False, need_confirmed=False)
    if row is None:
        return None
    user = _user(session, row.user_id)
    if not user.is_confirmed:
        return routes.CONFIRM
    if not row.second_factor_ok:
        return routes.LOGIN_2FA
    return routes.HOME


def confirm_view(session: Session, *, user_id: int) -> ConfirmView:
    user = _user(session, user_id)
    return ConfirmView(
        email=user.email,
        phone=user.phone,
        email_confirmed=user.email_confirmed_at is not None,
        phone_confirmed=user.phone_confirmed_at is not None,
    )


def resend_confirmation(session: Session, *, user_id: int, channel: str, ip: str = "") -> None:
    """Send a new e-mail or phone confirmation code (cooldown applies)."""
    user = _user(session, user_id)
    if channel == Channel.EMAIL:
        if user.email_confirmed_at is not None:
            raise ValidationFailed("E-mail уже подтверждён.", field="email_code")
        _issue_code(
            session,
            user_id=user_id,
            purpose=CodePurpose.CONFIRM_EMAIL,
            channel=Channel.EMAIL,
            target=user.email,
            field="email_code",
        )
    elif channel == Channel.SMS:
        if user.phone_confirmed_at is not None:
            raise ValidationFailed("Телефон уже подтверждён.", field="phone_code")
        _issue_code(
            session,
            user_id=user_id,
            purpose=CodePurpose.CONFIRM_PHONE,
            channel=Channel.SMS,
            target=user.phone,
            field="phone_code",
        )
    else:
        raise ValidationFailed("Неизвестный способ доставки.")
    session.commit()


def confirm_contacts(
    session: Session, *, user_id: int, email_code: str = "", phone_code: str = "", ip: str = ""
) -> bool:
    """Step 2: check the codes of the still unconfirmed contacts. True when both are confirmed.

    Each correct code is kept even if the other is wrong; wrong attempts are counted.
    """
    user = _user(session, user_id)
    errors: dict[str, str] = {}
    now = utcnow()
    steps = (
        ("email_code", email_code, CodePurpose.CONFIRM_EMAIL, user.email, "email_confirmed_at"),
        ("phone_code", phone_code, CodePurpose.CONFIRM_PHONE, user.phone, "phone_confirmed_at"),
    )
    for field, code, purpose, target, column in steps:
        if getattr(user, column) is not None:
            continue
        try:
            _use_code(
                session, user_id=user_id, purpose=purpose, target=target, code=code, field=field
            )
        except ValidationFailed as e:
            errors[field] = e.message
            continue
        setattr(user, column, now)
        session.add(user)
    done = user.is_confirmed
    if done and not errors:
        audit.record(
            session,
            actor_id=user_id,
            action="accounts.confirm",
            object_type="user",
            object_id=user_id,
            after={"email": user.email, "phone": user.phone},
            ip=ip,
        )
    session.commit()
    if errors:
        raise FormErrors(errors)
    return done


# --- login ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedIn:
    token: str
    next_route: str  # home, the confirm page, the second-factor page or the security page


def _record_attempt(session: Session, *, login: str, ip: str, success: bool) -> None:
    session.add(LoginAttempt(login=login[:254], ip=ip[:64], success=success, at=utcnow()))


def _failures_since(session: Session, *, keys: list[str], since: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                col(LoginAttempt.login).in_(keys),
                col(LoginAttempt.success).is_(False),
                LoginAttempt.at > since,
            )
        ).one()
    )


def _last_success(session: Session, keys: list[str]) -> datetime | None:
    return session.exec(
        select(func.max(LoginAttempt.at)).where(
            col(LoginAttempt.login).in_(keys), col(LoginAttempt.success).is_(True)
        )
    ).one()


def _check_ip(session: Session, ip: str) -> None:
    if not ip:
        return
    now = utcnow()
    since = now - timedelta(minutes=settings.login_window_minutes)
    failures = int(
        session.exec(
            select(func.count())
            .select_from(LoginAttempt)
            .where(
                LoginAttempt.ip == ip,
                col(LoginAttempt.success).is_(False),
                LoginAttempt.at > since,
            )
        ).one()
    )
    if failures >= settings.login_max_failures * rules.IP_FAILURE_FACTOR:
        raise RateLimited(
            "Слишком много неудачных попыток входа с вашего адреса. "
            f"Попробуйте через {settings.login_window_minutes} мин."
        )


def _find_by_login(session: Session, login: rules.LoginId) -> User | None:
    column = User.email if login.kind == "email" else User.phone
    return session.exec(select(User).where(column == login.value)).first()


def login(
    session: Session, *, login: str, password: str, ip: str = "", user_agent: str = ""
) -> LoggedIn:
    """Check the password (throttled, with a temporary lockout) and open a session."""
    who = rules.parse_login(login, field="login")
    if not password:
        raise ValidationFailed("Введите пароль.", field="password")
    if len(password) > rules.PASSWORD_MAX:
        raise ValidationFailed(WRONG_LOGIN, field="password")
    _check_ip(session, ip)
    now = utcnow()
    user = _find_by_login(session, who)
    if user is None:
        verify_password(password, DUMMY_HASH)  # same time as for a real account
        _record_attempt(session, login=who.value, ip=ip, success=False)
        audit.record(
            session,
            actor_id=None,
            action="accounts.login_failed",
            object_type="user",
            after={"login": who.value, "reason": "unknown"},
            ip=ip,
        )
        session.commit()
        raise ValidationFailed(WRONG_LOGIN, field="password")
    assert user.id is not None
    minutes = rules.lock_minutes_left(now=now, locked_until=user.locked_until)
    if minutes:
        _record_attempt(session, login=who.value, ip=ip, success=False)
        session.commit()
        raise RateLimited(rules.lockout_message(minutes), field="password")
    if not verify_password(password, user.password_hash):
        _record_attempt(session, login=who.value, ip=ip, success=False)
        session.flush()
        keys = [user.email, user.phone]
        since = rules.failure_window_start(
            now=now,
            window_minutes=settings.login_window_minutes,
            last_success_at=_last_success(session, keys),
            locked_until=user.locked_until,
        )
        failures = _failures_since(session, keys=keys, since=since)
        user.failed_logins = failures
        audit.record(
            session,
            actor_id=None,
            action="accounts.login_failed",
            object_type="user",
            object_id=user.id,
            after={"login": who.value, "reason": "password", "failures": failures},
            ip=ip,
        )
        lock = rules.lock_after_failure(
            failures=failures,
            max_failures=settings.login_max_failures,
            now=now,
            lockout_minutes=settings.login_lockout_minutes,
        )
        if lock is not None:
            user.locked_until = lock
            user.failed_logins = 0
            audit.record(
                session,
                actor_id=None,
                action="accounts.lockout",
                object_type="user",
                object_id=user.id,
                after={"locked_until": lock, "failures": failures},
                ip=ip,
            )
        session.add(user)
        session.commit()
        if lock is not None:
            raise RateLimited(
                rules.lockout_message(settings.login_lockout_minutes), field="password"
            )
        raise _wrong_login(failures)
    if user.is_blocked:
        _record_attempt(session, login=who.value, ip=ip, success=False)
        audit.record(
            session,
            actor_id=user.id,
            action="accounts.login_failed",
            object_type="user",
            object_id=user.id,
            after={"login": who.value, "reason": "blocked"},
            ip=ip,
        )
        session.commit()
        raise PermissionDenied(BLOCKED)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    _record_attempt(session, login=who.value, ip=ip, success=True)
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    twofa = user.twofa_method if user.is_confirmed else TwoFactorMethod.NONE
    token = create_session(
        session,
        user_id=user.id,
        ip=ip,
        user_agent=user_agent,
        second_factor_ok=twofa == TwoFactorMethod.NONE,
    )
    if twofa in (TwoFactorMethod.SMS, TwoFactorMethod.EMAIL):
        with contextlib.suppress(RateLimited):  # the code sent a moment ago is still valid
            _send_login_code(session, user)
    audit.record(
        session,
        actor_id=user.id,
        action="accounts.login",
        object_type="user",
        object_id=user.id,
        after={"login": who.value, "second_factor": twofa or "none"},
        ip=ip,
    )
    session.commit()
    if not user.is_confirmed:
        next_route = routes.CONFIRM
    elif twofa != TwoFactorMethod.NONE:
        next_route = routes.LOGIN_2FA
    elif _org_requires_2fa(session, user.id):
        next_route = routes.SECURITY
    else:
        next_route = routes.HOME
    return LoggedIn(token=token, next_route=next_route)


def _wrong_login(failures: int) -> ValidationFailed:
    left = settings.login_max_failures - failures
    hint = f" Осталось попыток до временной блокировки: {left}." if 0 < left <= 2 else ""
    return ValidationFailed(WRONG_LOGIN + hint, field="password")


def _send_login_code(session: Session, user: User) -> None:
    assert user.id is not None
    if user.twofa_method == TwoFactorMethod.SMS:
        channel, target = Channel.SMS, user.phone
    else:
        channel, target = Channel.EMAIL, user.email
    _issue_code(
        session,
        user_id=user.id,
        purpose=CodePurpose.LOGIN_2FA,
        channel=channel,
        target=target,
        field="code",
    )


@dataclass(frozen=True)
class SecondFactorView:
    method: str
    target: str  # masked phone or e-mail for SMS / e-mail codes


def _pending_2fa(session: Session, token: str) -> tuple[UserSession, User]:
    row = find_session(session, token, need_second_factor=False)
    if row is None:
        raise NotAuthenticated()
    user = _user(session, row.user_id)
    return row, user


def second_factor_view(session: Session, *, token: str) -> SecondFactorView | None:
    """What the second-factor page asks for; None when the session needs nothing more."""
    row, user = _pending_2fa(session, token)
    if row.second_factor_ok or user.twofa_method == TwoFactorMethod.NONE:
        return None
    target = ""
    if user.twofa_method == TwoFactorMethod.SMS:
        target = rules.mask_phone(user.phone)
    elif user.twofa_method == TwoFactorMethod.EMAIL:
        target = rules.mask_email(user.email)
    return SecondFactorView(method=user.twofa_method, target=target)


def resend_login_code(session: Session, *, token: str) -> None:
    row, user = _pending_2fa(session, token)
    if row.second_factor_ok or user.twofa_method not in (
        TwoFactorMethod.SMS,
        TwoFactorMethod.EMAIL,
    ):
        raise ValidationFailed("Код не требуется.", field="code")
    _send_login_code(session, user)
    session.commit()


def verify_second_factor(session: Session, *, token: str, code: str, ip: str = "") -> str:
    """Check the TOTP or the sent code and mark the session complete. Returns the next route."""
    row, user = _pending_2fa(session, token)
    assert user.id is not None
    if not row.second_factor_ok:
        try:
            if user.twofa_method == TwoFactorMethod.TOTP:
                _totp_accept(user, code, field="code")
            else:
                target = user.phone if user.twofa_method == TwoFactorMethod.SMS else user.email
                _use_code(
                    session,
                    user_id=user.id,
                    purpose=CodePurpose.LOGIN_2FA,
                    target=target,
                    code=code,
                    field="code",
                )
        except ValidationFailed:
            audit.record(
                session,
                actor_id=user.id,
                action="accounts.2fa_failed",
                object_type="session",
                object_id=row.id,
                ip=ip,
            )
            session.flush()
            if _events(session, action="accounts.2fa_failed", object_id=str(row.id)) >= (
                settings.code_max_attempts
            ):
                row.revoked_at = utcnow()  # no guessing a 6-digit code: log in again
                session.add(row)
                session.commit()
                raise NotAuthenticated("Слишком много неверных кодов. Войдите заново.") from None
            session.commit()
            raise
        row.second_factor_ok = True
        row.last_seen_at = utcnow()
        session.add(row)
        session.add(user)
        audit.record(
            session,
            actor_id=user.id,
            action="accounts.2fa_passed",
            object_type="session",
            object_id=row.id,
            ip=ip,
        )
        session.commit()
    return routes.HOME


# --- password reset -------------------------------------------------------------------------


def request_password_reset(session: Session, *, login: str, ip: str = "") -> None:
    """Send a reset code to the e-mail or phone. Answers the same whether the account exists."""
    who = rules.parse_login(login, field="login")
    _limit_per_ip(session, action="accounts.reset_requested", ip=ip, limit=rules.RESET_PER_IP_HOUR)
    user = _find_by_login(session, who)
    _issue_code(
        session,
        user_id=user.id if user else None,
        purpose=CodePurpose.RESET_PASSWORD,
        channel=Channel.EMAIL if who.kind == "email" else Channel.SMS,
        target=who.value,
        deliver=user is not None and not user.is_blocked,
        field="login",
    )
    audit.record(
        session,
        actor_id=user.id if user else None,
        action="accounts.reset_requested",
        object_type="user",
        object_id=user.id if user and user.id else "",
        after={"login": who.value},
        ip=ip,
    )
    session.commit()


def reset_password(
    session: Session, *, login: str, code: str, password: str, password2: str, ip: str = ""
) -> None:
    """Set a new password with the code; every session of the user is ended."""
    who = rules.parse_login(login, field="login")
    rules.check_new_password(password, password2)
    user = _find_by_login(session, who)
    try:
        _use_code(
            session,
            user_id=user.id if user else None,
            purpose=CodePurpose.RESET_PASSWORD,
            target=who.value,
            code=code,
            field="code",
        )
    except ValidationFailed:
        session.commit()  # the wrong attempt counts
        raise
    assert user is not None and user.id is not None
    user.password_hash = hash_password(password)
    user.locked_until = None
    user.failed_logins = 0
    # The code proves the channel: an unconfirmed contact it reached is now confirmed.
    if who.kind == "email" and user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    if who.kind == "phone" and user.phone_confirmed_at is None:
        user.phone_confirmed_at = utcnow()
    session.add(user)
    ended = revoke_user_sessions(session, user_id=user.id)
    audit.record(
        session,
        actor_id=user.id,
        action="accounts.password_reset",
        object_type="user",
        object_id=user.id,
        after={"sessions_ended": ended},
        ip=ip,
    )
    session.commit()


# --- second factor settings -----------------------------------------------------------------


@dataclass(frozen=True)
class SecurityView:
    method: str
    org_requires: bool
    email: str
    phone: str


def security_view(session: Session, *, actor_id: int) -> SecurityView:
    user = _self(session, actor_id)
    return SecurityView(
        method=user.twofa_method,
        org_requires=_org_requires_2fa(session, actor_id),
        email=user.email,
        phone=user.phone,
    )


@dataclass(frozen=True)
class TotpSetup:
    secret: str
    uri: str
    qr_data_uri: str


def start_totp_setup(session: Session, *, actor_id: int) -> TotpSetup:
    """Make a new TOTP secret (kept encrypted, not active until confirmed by a code)."""
    user = _self(session, actor_id)
    if user.twofa_method == TwoFactorMethod.TOTP:
        raise ValidationFailed("Приложение-аутентификатор уже подключено.")
    secret = pyotp.random_base32()
    user.totp_secret = _encrypt(secret)
    user.totp_last_step = 0
    session.add(user)
    session.commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return TotpSetup(secret=secret, uri=uri, qr_data_uri=qr)


def enable_totp(session: Session, *, actor_id: int, code: str, ip: str = "") -> None:
    user = _self(session, actor_id)
    if user.twofa_method == TwoFactorMethod.TOTP:
        raise ValidationFailed("Приложение-аутентификатор уже подключено.")
    if not user.totp_secret:
        raise ValidationFailed("Сначала начните подключение приложения.", field="totp_code")
    before = user.twofa_method
    _totp_accept(user, code, field="totp_code")
    user.twofa_method = TwoFactorMethod.TOTP
    session.add(user)
    audit.record(
        session,
        actor_id=actor_id,
        action="accounts.2fa_on",
        object_type="user",
        object_id=actor_id,
        before={"twofa_method": before or "none"},
        after={"twofa_method": TwoFactorMethod.TOTP},
        ip=ip,
    )
    session.commit()


def enable_code_2fa(
    session: Session, *, actor_id: int, method: str, password: str, ip: str = ""
) -> None:
    """Turn on codes by SMS or e-mail (the contacts are already confirmed). Needs the password."""
    if method not in (TwoFactorMethod.SMS, TwoFactorMethod.EMAIL):
        raise ValidationFailed("Неизвестный способ.")
    user = _self(session, actor_id)
    if not verify_password(password or "", user.password_hash):
        raise ValidationFailed("Неверный пароль.", field="password")
    before = user.twofa_method
    user.twofa_method = method
    if method != TwoFactorMethod.TOTP:
        user.totp_secret = ""
    session.add(user)
    audit.record(
        session,
        actor_id=actor_id,
        action="accounts.2fa_on",
        object_type="user",
        object_id=actor_id,
        before={"twofa_method": before or "none"},
        after={"twofa_method": method},
        ip=ip,
    )
    session.commit()


def disable_2fa(session: Session, *, actor_id: int, password: str, ip: str = "") -> None:
    user = _self(session, actor_id)
    if user.twofa_method == TwoFactorMethod.NONE:
        raise ValidationFailed("Второй фактор не включён.")
    if _org_requires_2fa(session, actor_id):
        raise PermissionDenied(
            "Ваша организация требует второй фактор: его нельзя отключить, можно сменить способ."
        )
    if not verify_password(password or "", user.password_hash):
        raise ValidationFailed("Неверный пароль.", field="disable_password")
    before = user.twofa_method
    user.twofa_method = TwoFactorMethod.NONE
    user.totp_secret = ""
    user.totp_last_step = 0
    session.add(user)
    audit.record(
        session,
        actor_id=actor_id,
        action="accounts.2fa_off",
        object_type="user",
        object_id=actor_id,
        before={"twofa_method": before},
        after={"twofa_method": "none"},
        ip=ip,
    )
    session.commit()


# --- sessions -------------------------------------------------------------------------------


def end_session(session: Session, *, actor_id: int, session_id: int, ip: str = "") -> None:
    """End one of the actor's own sessions (another user's looks like a missing one)."""
    _self(session, actor_id)
    row = session.get(UserSession, session_id)
    if row is None or row.user_id != actor_id or row.revoked_at is not None:
        raise NotFound("Сеанс не найден.")
    row.revoked_at = utcnow()
    session.add(row)
    audit.record(
        session,
        actor_id=actor_id,
        action="accounts.session_end",
        object_type="session",
        object_id=session_id,
        ip=ip,
    )
    session.commit()


def end_other_sessions(session: Session, *, actor_id: int, current_token: str, ip: str = "") -> int:
    _self(session, actor_id)
    ended = revoke_user_sessions(session, user_id=actor_id, keep_token=current_token)
    audit.record(
        session,
        actor_id=actor_id,
        action="accounts.sessions_end_others",
        object_type="user",
        object_id=actor_id,
        after={"sessions_ended": ended},
        ip=ip,
    )
    session.commit()
    return ended


def current_session_hash(token: str) -> str:
    return hash_token(token) if token else ""


# --- profile --------------------------------------------------------------------------------


def update_profile(session: Session, *, actor_id: int, full_name: str, ip: str = "") -> None:
    user = _self(session, actor_id)
    name = rules.clean_full_name(full_name)
    if name == user.full_name:
        return
    before = {"full_name": user.full_name}
    user.full_name = name
    session.add(user)
    audit.record(
        session,
        actor_id=actor_id,
        action="accounts.profile_update",
        object_type="user",
        object_id=actor_id,
        before=before,
        after={"full_name": name},
        ip=ip,
    )
    session.commit()


def change_password(
    session: Session,
    *,
    actor_id: int,
    current: str,
    password: str,
    password2: str,
    current_token: str = "",
    ip: str = "",
) -> int:
    """New password after the current one; other sessions end. Returns how many ended."""
    user = _self(session, actor_id)
    if not verify_password(current or "", user.password_hash):
        raise ValidationFailed("Текущий пароль указан неверно.", field="current_password")
    rules.check_new_password(password, password2, field="new_password")
    if verify_password(password, user.password_hash):
        raise ValidationFailed("Новый пароль совпадает с текущим.", field="new_password")
    user.password_hash = hash_password(password)
    session.add(user)
    ended = revoke_user_sessions(session, user_id=actor_id, keep_token=current_token)
    audit.record(
        session,
        actor_id=actor_id,
        action="accounts.password_change",
        object_type="user",
        object_id=actor_id,
        after={"sessions_ended": ended},
        ip=ip,
    )
    session.commit()
    return ended


def request_contact_change(
    session: Session, *, actor_id: int, kind: str, value: str, password: str, ip: str = ""
) -> str:
    """Start changing the e-mail or phone: a code goes to the new one. Returns it normalised."""
    user = _self(session, actor_id)
    if kind == "email":
        new = rules.normalize_email(value, field="new_email")
        field, same = "new_email", new == user.email
    elif kind == "phone":
        new = rules.normalize_phone(value, field="new_phone")
        field, same = "new_phone", new == user.phone
    else:
        raise ValidationFailed("Неизвестное поле.")
    if same:
        raise ValidationFailed("Это ваш текущий адрес.", field=field)
    if not verify_password(password or "", user.password_hash):
        raise ValidationFailed("Неверный пароль.", field=f"{kind}_password")
    conflicts = _unique_conflicts(
        session,
        email=new if kind == "email" else None,
        phone=new if kind == "phone" else None,
        exclude_id=actor_id,
    )
    if conflicts:
        raise ValidationFailed(next(iter(conflicts.values())), field=field)
    if kind == "email":
        user.pending_email = new
        purpose, channel = CodePurpose.CONFIRM_EMAIL, Channel.EMAIL
    else:
        user.pending_phone = new
        purpose, channel = CodePurpose.CONFIRM_PHONE, Channel.SMS
    session.add(user)
    _issue_code(
        session, user_id=actor_id, purpose=purpose, channel=channel, target=new, field=field
    )
    session.commit()
    return new


def confirm_contact_change(
    session: Session, *, actor_id: int, kind: str, code: str, ip: str = ""
) -> None:
    user = _self(session, actor_id)
    new = user.pending_email if kind == "email" else user.pending_phone
    field = f"{kind}_code"
    if kind not in ("email", "phone") or not new:
        raise ValidationFailed("Нет изменения, ожидающего подтверждения.", field=field)
    purpose = CodePurpose.CONFIRM_EMAIL if kind == "email" else CodePurpose.CONFIRM_PHONE
    try:
        _use_code(session, user_id=actor_id, purpose=purpose, target=new, code=code, field=field)
    except ValidationFailed:
        session.commit()
        raise
    conflicts = _unique_conflicts(
        session,
        email=new if kind == "email" else None,
        phone=new if kind == "phone" else None,
        exclude_id=actor_id,
    )
    if conflicts:
        raise ValidationFailed(next(iter(conflicts.values())), field=field)
    old = user.email if kind == "email" else user.phone
    if kind == "email":
        user.email, user.pending_email, user.email_confirmed_at = new, "", utcnow()
    else:
        user.phone, user.pending_phone, user.phone_confirmed_at = new, "", utcnow()
    session.add(user)
    audit.record(
        session,
        actor_id=actor_id,
        action=f"accounts.{kind}_change",
        object_type="user",
        object_id=actor_id,
        before={kind: old},
        after={kind: new},
        ip=ip,
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ValidationFailed("Этот адрес уже занят.", field=field) from None


def cancel_contact_change(session: Session, *, actor_id: int, kind: str) -> None:
    user = _self(session, actor_id)
    if kind == "email":
        user.pending_email = ""
    elif kind == "phone":
        user.pending_phone = ""
    session.add(user)
    session.commit()
