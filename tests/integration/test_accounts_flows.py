"""Accounts on a real database: registration, codes, login, lockout, reset, 2FA, sessions."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import Session, col, select

from cabinet import routes
from cabinet.accounts import rules, service
from cabinet.accounts.rules import FormErrors
from cabinet.accounts.sessions import find_session, resolve_user_id
from cabinet.errors import NotAuthenticated, PermissionDenied, RateLimited, ValidationFailed
from cabinet.settings import settings
from models import AuditEvent, Membership, OneTimeCode, Organisation, OutboxMessage, User
from models.accounts import CodePurpose, TwoFactorMethod
from models.base import utcnow

pytestmark = pytest.mark.db

PASSWORD = "Secret-2026"
_seq = itertools.count(random.randrange(1_000_000, 8_000_000))


@dataclass(frozen=True)
class Person:
    """Unique contacts for one test (tests never rely on an empty table)."""

    email: str
    phone: str  # E.164
    phone_typed: str  # as a person types it


def new_person() -> Person:
    n = next(_seq)
    digits = f"{n:07d}"
    return Person(
        email=f"anna{n}@example.ru",
        phone=f"+7912{digits}",
        phone_typed=f"8 (912) {digits[:3]}-{digits[3:5]}-{digits[5:]}",
    )


@pytest.fixture
def anna() -> Person:
    return new_person()


def new_ip() -> str:
    n = next(_seq)
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250}"


@pytest.fixture
def ip() -> str:
    return new_ip()


def last_code(db: Session, recipient: str) -> str:
    msg = db.exec(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == recipient)
        .order_by(col(OutboxMessage.id).desc())
    ).first()
    assert msg is not None, f"no message to {recipient}"
    match = re.search(r"\b(\d{6})\b", msg.body)
    assert match
    return match.group(1)


def register(db: Session, p: Person, **kw):
    password = kw.get("password", PASSWORD)
    return service.register(
        db,
        full_name=kw.get("full_name", "Анна Петрова"),
        email=kw.get("email", p.email),
        phone=kw.get("phone", p.phone_typed),
        password=password,
        password2=kw.get("password2", password),
        ip=kw.get("ip", new_ip()),
        user_agent="pytest",
    )


def confirmed_user(db: Session, p: Person) -> User:
    reg = register(db, p)
    service.confirm_contacts(
        db,
        user_id=reg.user_id,
        email_code=last_code(db, p.email),
        phone_code=last_code(db, p.phone),
    )
    user = db.get(User, reg.user_id)
    assert user is not None and user.is_confirmed
    return user


def shift_codes(db: Session, user_id: int, *, sent=None, expire=False) -> None:
    for row in db.exec(select(OneTimeCode).where(OneTimeCode.user_id == user_id)).all():
        if sent:
            row.sent_at -= timedelta(seconds=sent)
        if expire:
            row.expires_at = utcnow() - timedelta(seconds=1)
        db.add(row)
    db.commit()


def actions_of(db: Session, user_id: int) -> set[str]:
    rows = db.exec(
        select(AuditEvent.action).where(
            (AuditEvent.actor_id == user_id) | (AuditEvent.object_id == str(user_id))
        )
    ).all()
    return set(rows)


# --- registration ---------------------------------------------------------------------------


def test_register_sends_both_codes_and_confirm_unlocks_the_account(db, anna):
    reg = register(db, anna)
    user = db.get(User, reg.user_id)
    assert user is not None and not user.is_confirmed
    assert user.phone == anna.phone
    assert user.password_hash.startswith("$argon2")
    # The limited session opens the confirm page only.
    assert resolve_user_id(db, reg.token) is None
    assert service.pending_user_id(db, reg.token) == reg.user_id
    email_code = last_code(db, anna.email)
    phone_code = last_code(db, anna.phone)
    codes = db.exec(select(OneTimeCode).where(OneTimeCode.user_id == reg.user_id)).all()
    assert len(codes) == 2
    assert all(len(c.code_hash) == 64 and email_code not in c.code_hash for c in codes)

    done = service.confirm_contacts(
        db, user_id=reg.user_id, email_code=email_code, phone_code=phone_code
    )

    assert done
    assert resolve_user_id(db, reg.token) == reg.user_id
    assert {"accounts.register", "accounts.confirm"} <= actions_of(db, reg.user_id)


def test_a_correct_code_is_kept_when_the_other_is_wrong(db, anna):
    reg = register(db, anna)
    email_code = last_code(db, anna.email)
    with pytest.raises(FormErrors) as err:
        service.confirm_contacts(db, user_id=reg.user_id, email_code=email_code, phone_code="00000")
    assert set(err.value.errors) == {"phone_code"}
    view = service.confirm_view(db, user_id=reg.user_id)
    assert view.email_confirmed and not view.phone_confirmed
    assert service.confirm_contacts(db, user_id=reg.user_id, phone_code=last_code(db, anna.phone))


@pytest.mark.parametrize("field", ["email", "phone"])
def test_duplicate_email_or_phone_is_refused_with_a_field_message(db, anna, field):
    register(db, anna)
    other = new_person()
    taken = {"email": anna.email.upper(), "phone": anna.phone_typed}[field]
    users_before = len(db.exec(select(User.id)).all())
    with pytest.raises(FormErrors) as err:
        register(db, other, **{field: taken})
    assert set(err.value.errors) == {field}
    assert "уже зарегистрирован" in err.value.errors[field]
    assert len(db.exec(select(User.id)).all()) == users_before


def _age(db: Session, user_id: int, hours: float) -> None:
    user = db.get(User, user_id)
    assert user is not None
    user.created_at = utcnow() - timedelta(hours=hours)
    db.add(user)
    db.commit()


def test_an_abandoned_registration_no_longer_blocks_its_email_and_phone(db, anna):
    squatter = register(db, anna)  # never confirmed
    _age(db, squatter.user_id, 25)
    other = new_person()

    reg = register(db, other, email=anna.email, phone=anna.phone_typed)

    new = db.get(User, reg.user_id)
    assert new is not None and (new.email, new.phone) == (anna.email, anna.phone)
    old = db.get(User, squatter.user_id)
    assert old is not None and old.is_blocked
    assert (old.email, old.phone) == rules.released_contacts(squatter.user_id)
    assert find_session(db, squatter.token, need_confirmed=False) is None  # its session ended
    assert "accounts.release_unconfirmed" in actions_of(db, squatter.user_id)
    # the new owner confirms and logs in; the old password leads nowhere
    service.confirm_contacts(
        db,
        user_id=reg.user_id,
        email_code=last_code(db, anna.email),
        phone_code=last_code(db, anna.phone),
    )
    with pytest.raises(PermissionDenied):  # blocked
        service.login(db, login=rules.released_contacts(squatter.user_id)[0], password=PASSWORD)
    logged = service.login(db, login=anna.email, password=PASSWORD)
    assert resolve_user_id(db, logged.token) == reg.user_id


@pytest.mark.parametrize("confirmed", ["none_yet", "email"])
def test_a_recent_or_confirmed_registration_still_blocks(db, anna, confirmed):
    first = register(db, anna)
    if confirmed == "email":
        with pytest.raises(FormErrors):  # the e-mail's code is right, the phone's is not
            service.confirm_contacts(
                db, user_id=first.user_id, email_code=last_code(db, anna.email), phone_code="0"
            )
        assert service.confirm_view(db, user_id=first.user_id).email_confirmed
        _age(db, first.user_id, 24 * 30)  # old, but its e-mail was proven
    else:
        _age(db, first.user_id, 23)  # younger than rules.UNCONFIRMED_KEEP
    with pytest.raises(FormErrors) as err:
        register(db, new_person(), email=anna.email)
    assert set(err.value.errors) == {"email"}
    db.rollback()
    user = db.get(User, first.user_id)
    assert user is not None and user.email == anna.email and not user.is_blocked


def test_a_refused_registration_releases_nothing(db, anna):
    squatter = register(db, anna)
    _age(db, squatter.user_id, 25)
    owner = new_person()
    confirmed_user(db, owner)
    # the e-mail is abandoned, but the phone belongs to a confirmed account
    with pytest.raises(FormErrors) as err:
        register(db, new_person(), email=anna.email, phone=owner.phone_typed)
    assert set(err.value.errors) == {"phone"}
    db.rollback()
    old = db.get(User, squatter.user_id)
    assert old is not None and old.email == anna.email and not old.is_blocked


def test_invalid_registration_reports_every_field_and_writes_nothing(db):
    users = len(db.exec(select(User.id)).all())
    messages = len(db.exec(select(OutboxMessage.id)).all())
    with pytest.raises(FormErrors) as err:
        service.register(
            db,
            full_name="x" * 500,
            email="not-an-email",
            phone="12345",
            password="short",
            password2="short",
        )
    assert set(err.value.errors) == {"full_name", "email", "phone", "password"}
    assert len(db.exec(select(User.id)).all()) == users
    assert len(db.exec(select(OutboxMessage.id)).all()) == messages


def test_mismatched_password_repeat_is_reported_on_the_repeat_field(db, anna):
    with pytest.raises(FormErrors) as err:
        register(db, anna, password="Secret-2026", password2="Secret-2027")
    assert set(err.value.errors) == {"password2"}


def test_expired_code_is_refused(db, anna):
    reg = register(db, anna)
    code = last_code(db, anna.email)
    shift_codes(db, reg.user_id, expire=True)
    with pytest.raises(FormErrors) as err:
        service.confirm_contacts(db, user_id=reg.user_id, email_code=code)
    assert "истёк" in err.value.errors["email_code"]


def test_code_dies_after_the_attempt_limit(db, anna):
    reg = register(db, anna)
    code = last_code(db, anna.email)
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(settings.code_max_attempts):
        with pytest.raises(FormErrors) as err:
            service.confirm_contacts(db, user_id=reg.user_id, email_code=wrong)
        assert "Неверный код" in err.value.errors["email_code"]
    with pytest.raises(FormErrors) as err:
        service.confirm_contacts(db, user_id=reg.user_id, email_code=code)
    assert "Превышено число попыток" in err.value.errors["email_code"]
    # After the cooldown a new code works.
    shift_codes(db, reg.user_id, sent=settings.code_resend_seconds + 1)
    service.resend_confirmation(db, user_id=reg.user_id, channel="email")
    with pytest.raises(FormErrors):  # the phone is still unconfirmed
        service.confirm_contacts(db, user_id=reg.user_id, email_code=last_code(db, anna.email))
    assert service.confirm_view(db, user_id=reg.user_id).email_confirmed


def test_resend_inside_the_cooldown_says_how_long_to_wait(db, anna):
    reg = register(db, anna)
    with pytest.raises(RateLimited) as err:
        service.resend_confirmation(db, user_id=reg.user_id, channel="sms")
    assert re.search(r"через \d+ с", err.value.message)
    assert err.value.field == "phone_code"
    shift_codes(db, reg.user_id, sent=settings.code_resend_seconds + 1)
    old = last_code(db, anna.phone)
    service.resend_confirmation(db, user_id=reg.user_id, channel="sms")
    new = last_code(db, anna.phone)
    if old != new:  # the replaced code no longer works
        with pytest.raises(FormErrors):
            service.confirm_contacts(
                db, user_id=reg.user_id, email_code=last_code(db, anna.email), phone_code=old
            )
    assert service.confirm_contacts(
        db, user_id=reg.user_id, email_code=last_code(db, anna.email), phone_code=new
    )


# --- login ----------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["email", "EMAIL", "e164", "typed"])
def test_login_by_email_or_phone(db, anna, ip, how):
    user = confirmed_user(db, anna)
    login = {
        "email": anna.email,
        "EMAIL": anna.email.upper(),
        "e164": anna.phone,
        "typed": anna.phone_typed,
    }[how]
    result = service.login(db, login=login, password=PASSWORD, ip=ip, user_agent="ua")
    assert result.next_route == routes.HOME
    assert resolve_user_id(db, result.token) == user.id
    assert "accounts.login" in actions_of(db, user.id)


def test_wrong_password_and_unknown_login_give_the_same_message(db, anna, ip):
    user = confirmed_user(db, anna)
    with pytest.raises(ValidationFailed) as wrong:
        service.login(db, login=anna.email, password="Wrong-0000", ip=ip)
    with pytest.raises(ValidationFailed) as unknown:
        service.login(db, login=new_person().email, password="Wrong-0000", ip=ip)
    assert wrong.value.message == unknown.value.message
    failed = db.exec(
        select(AuditEvent).where(AuditEvent.action == "accounts.login_failed", AuditEvent.ip == ip)
    ).all()
    assert len(failed) == 2
    assert any(e.object_id == str(user.id) for e in failed)


def test_unconfirmed_user_logs_in_to_the_confirm_page(db, anna):
    register(db, anna)
    result = service.login(db, login=anna.email, password=PASSWORD)
    assert result.next_route == routes.CONFIRM
    assert resolve_user_id(db, result.token) is None
    assert service.pending_user_id(db, result.token) is not None


def test_lockout_after_repeated_failures(db, anna, ip):
    user = confirmed_user(db, anna)
    assert user.id is not None
    for _ in range(settings.login_max_failures - 1):
        with pytest.raises(ValidationFailed):
            service.login(db, login=anna.email, password="Wrong-0000", ip=ip)
    with pytest.raises(RateLimited) as locked:  # failures by e-mail and phone add up
        service.login(db, login=anna.phone, password="Wrong-0000", ip=ip)
    assert "заблокирован" in locked.value.message
    with pytest.raises(RateLimited) as still:  # even the right password, while locked
        service.login(db, login=anna.email, password=PASSWORD, ip=ip)
    assert re.search(r"через \d+ мин", still.value.message)
    db.refresh(user)
    assert user.locked_until is not None
    assert "accounts.lockout" in actions_of(db, user.id)
    # When the lockout is over the password works again.
    user.locked_until = utcnow() - timedelta(seconds=1)
    db.add(user)
    db.commit()
    assert service.login(db, login=anna.email, password=PASSWORD).next_route == routes.HOME


def test_successful_login_resets_the_failure_count(db, anna, ip):
    confirmed_user(db, anna)
    for _ in range(settings.login_max_failures - 1):
        with pytest.raises(ValidationFailed):
            service.login(db, login=anna.email, password="Wrong-0000", ip=ip)
    service.login(db, login=anna.email, password=PASSWORD, ip=ip)
    with pytest.raises(ValidationFailed):
        service.login(db, login=anna.email, password="Wrong-0000", ip=ip)
    assert service.login(db, login=anna.email, password=PASSWORD, ip=ip).token


def test_one_address_is_limited_across_logins(db, ip):
    for _ in range(settings.login_max_failures * 4):
        with pytest.raises(ValidationFailed):
            service.login(db, login=new_person().email, password="Wrong-0000", ip=ip)
    with pytest.raises(RateLimited):
        service.login(db, login=new_person().email, password="Wrong-0000", ip=ip)


def test_blocked_user_cannot_log_in(db, anna):
    user = confirmed_user(db, anna)
    user.is_blocked = True
    db.add(user)
    db.commit()
    with pytest.raises(PermissionDenied):
        service.login(db, login=anna.email, password=PASSWORD)


# --- password reset -------------------------------------------------------------------------


def test_password_reset_by_code_ends_every_session(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    first = service.login(db, login=anna.email, password=PASSWORD).token
    second = service.login(db, login=anna.phone, password=PASSWORD).token
    service.request_password_reset(db, login=anna.phone_typed)
    code = last_code(db, anna.phone)

    service.reset_password(
        db, login=anna.phone, code=code, password="Brand-new-1", password2="Brand-new-1"
    )

    assert resolve_user_id(db, first) is None
    assert resolve_user_id(db, second) is None
    with pytest.raises(ValidationFailed):
        service.login(db, login=anna.email, password=PASSWORD)
    assert service.login(db, login=anna.email, password="Brand-new-1").token
    assert "accounts.password_reset" in actions_of(db, user.id)


def test_password_reset_for_an_unknown_login_looks_the_same_and_sends_nothing(db):
    ghost = new_person()
    service.request_password_reset(db, login=ghost.email)
    assert (
        db.exec(select(OutboxMessage).where(OutboxMessage.recipient == ghost.email)).first() is None
    )
    with pytest.raises(RateLimited):  # the same cooldown as for a real account
        service.request_password_reset(db, login=ghost.email)
    with pytest.raises(ValidationFailed) as err:
        service.reset_password(
            db, login=ghost.email, code="123456", password="Brand-new-1", password2="Brand-new-1"
        )
    assert "Неверный код" in err.value.message


def test_reset_code_is_single_use(db, anna):
    confirmed_user(db, anna)
    service.request_password_reset(db, login=anna.email)
    code = last_code(db, anna.email)
    service.reset_password(
        db, login=anna.email, code=code, password="Brand-new-1", password2="Brand-new-1"
    )
    with pytest.raises(ValidationFailed) as err:
        service.reset_password(
            db, login=anna.email, code=code, password="Brand-new-2", password2="Brand-new-2"
        )
    assert "уже использован" in err.value.message


# --- second factor --------------------------------------------------------------------------


def test_totp_enable_then_login_needs_the_app_code(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    setup = service.start_totp_setup(db, actor_id=user.id)
    assert setup.qr_data_uri.startswith("data:image/svg+xml")
    db.refresh(user)
    assert user.totp_secret and setup.secret not in user.totp_secret  # encrypted at rest
    totp = pyotp.TOTP(setup.secret)
    bad = "000000" if totp.now() != "000000" else "111111"
    with pytest.raises(ValidationFailed):
        service.enable_totp(db, actor_id=user.id, code=bad)
    step = totp.timecode(utcnow())
    service.enable_totp(db, actor_id=user.id, code=totp.generate_otp(step))
    db.refresh(user)
    assert user.twofa_method == TwoFactorMethod.TOTP

    result = service.login(db, login=anna.email, password=PASSWORD)

    assert result.next_route == routes.LOGIN_2FA
    assert resolve_user_id(db, result.token) is None  # not yet a full session
    view = service.second_factor_view(db, token=result.token)
    assert view is not None and view.method == TwoFactorMethod.TOTP
    with pytest.raises(ValidationFailed):  # a used code is not accepted again
        service.verify_second_factor(db, token=result.token, code=totp.generate_otp(step))
    service.verify_second_factor(db, token=result.token, code=totp.generate_otp(step + 1))
    assert resolve_user_id(db, result.token) == user.id
    assert "accounts.2fa_on" in actions_of(db, user.id)


def test_sms_second_factor_sends_a_code_at_login(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    with pytest.raises(ValidationFailed):
        service.enable_code_2fa(db, actor_id=user.id, method="sms", password="Wrong-0000")
    service.enable_code_2fa(db, actor_id=user.id, method="sms", password=PASSWORD)
    result = service.login(db, login=anna.email, password=PASSWORD)
    assert result.next_route == routes.LOGIN_2FA
    sent = db.exec(
        select(OneTimeCode).where(
            OneTimeCode.user_id == user.id, OneTimeCode.purpose == CodePurpose.LOGIN_2FA
        )
    ).first()
    assert sent is not None and sent.channel == "sms"
    service.verify_second_factor(db, token=result.token, code=last_code(db, anna.phone))
    row = find_session(db, result.token)
    assert row is not None and row.second_factor_ok


def test_second_factor_can_be_turned_off_with_the_password(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    service.enable_code_2fa(db, actor_id=user.id, method="email", password=PASSWORD)
    with pytest.raises(ValidationFailed):
        service.disable_2fa(db, actor_id=user.id, password="Wrong-0000")
    service.disable_2fa(db, actor_id=user.id, password=PASSWORD)
    db.refresh(user)
    assert user.twofa_method == TwoFactorMethod.NONE
    assert {"accounts.2fa_on", "accounts.2fa_off"} <= actions_of(db, user.id)


def test_organisation_requiring_2fa_sends_user_to_security_and_forbids_turning_it_off(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    org = Organisation(name='ООО "Строгая"', inn="", require_2fa=True)
    db.add(org)
    db.flush()
    assert org.id is not None
    db.add(Membership(user_id=user.id, organisation_id=org.id))
    db.commit()

    result = service.login(db, login=anna.email, password=PASSWORD)
    assert result.next_route == routes.SECURITY
    assert service.security_view(db, actor_id=user.id).org_requires

    service.enable_code_2fa(db, actor_id=user.id, method="sms", password=PASSWORD)
    with pytest.raises(PermissionDenied):
        service.disable_2fa(db, actor_id=user.id, password=PASSWORD)


# --- sessions and profile -------------------------------------------------------------------


def test_my_sessions_lists_and_ends_own_sessions_only(db, anna):
    from cabinet.accounts.queries import my_sessions
    from cabinet.errors import NotFound

    boris_p = new_person()
    user = confirmed_user(db, anna)
    boris = confirmed_user(db, boris_p)
    assert user.id is not None and boris.id is not None
    here = service.login(
        db, login=anna.email, password=PASSWORD, user_agent="Mozilla/5.0 (X11; Linux) Firefox/140"
    ).token
    other = service.login(db, login=anna.email, password=PASSWORD).token
    third = service.login(db, login=anna.email, password=PASSWORD).token
    boris_token = service.login(db, login=boris_p.email, password=PASSWORD).token

    rows = my_sessions(db, actor_id=user.id, current_token=here)
    assert len(rows) == 4  # three logins + the registration session
    assert [r["device"] for r in rows if r["current"]] == ["Firefox · Linux"]

    boris_row = find_session(db, boris_token)
    assert boris_row is not None and boris_row.id is not None
    with pytest.raises(NotFound):
        service.end_session(db, actor_id=user.id, session_id=boris_row.id)

    other_row = find_session(db, other)
    assert other_row is not None and other_row.id is not None
    service.end_session(db, actor_id=user.id, session_id=other_row.id)
    assert resolve_user_id(db, other) is None

    service.end_other_sessions(db, actor_id=user.id, current_token=here)
    assert resolve_user_id(db, third) is None
    assert resolve_user_id(db, here) == user.id
    assert resolve_user_id(db, boris_token) == boris.id
    assert "accounts.session_end" in actions_of(db, user.id)


def test_change_password_needs_the_current_one_and_ends_other_sessions(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    here = service.login(db, login=anna.email, password=PASSWORD).token
    other = service.login(db, login=anna.email, password=PASSWORD).token
    with pytest.raises(ValidationFailed) as err:
        service.change_password(
            db,
            actor_id=user.id,
            current="Wrong-0000",
            password="Brand-new-1",
            password2="Brand-new-1",
        )
    assert err.value.field == "current_password"
    service.change_password(
        db,
        actor_id=user.id,
        current=PASSWORD,
        password="Brand-new-1",
        password2="Brand-new-1",
        current_token=here,
    )
    assert resolve_user_id(db, here) == user.id
    assert resolve_user_id(db, other) is None


def test_change_email_takes_effect_after_the_code(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    wanted = new_person().email
    new = service.request_contact_change(
        db, actor_id=user.id, kind="email", value=wanted.upper(), password=PASSWORD
    )
    assert new == wanted
    db.refresh(user)
    assert user.email == anna.email and user.pending_email == new
    service.confirm_contact_change(db, actor_id=user.id, kind="email", code=last_code(db, new))
    db.refresh(user)
    assert user.email == new and user.pending_email == ""
    assert service.login(db, login=new, password=PASSWORD).token


def test_profile_name_is_validated(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    with pytest.raises(ValidationFailed):
        service.update_profile(db, actor_id=user.id, full_name="   ")
    service.update_profile(db, actor_id=user.id, full_name="  Анна   Сергеевна ")
    db.refresh(user)
    assert user.full_name == "Анна Сергеевна"


def test_session_stage_sends_each_session_where_it_belongs(db, anna):
    reg = register(db, anna)
    assert service.session_stage(db, reg.token) == routes.CONFIRM
    assert service.session_stage(db, "no-such-token") is None
    service.confirm_contacts(
        db,
        user_id=reg.user_id,
        email_code=last_code(db, anna.email),
        phone_code=last_code(db, anna.phone),
    )
    assert service.session_stage(db, reg.token) == routes.HOME
    service.enable_code_2fa(db, actor_id=reg.user_id, method="email", password=PASSWORD)
    pending = service.login(db, login=anna.email, password=PASSWORD).token
    assert service.session_stage(db, pending) == routes.LOGIN_2FA


def test_guessing_the_second_factor_ends_the_half_open_session(db, anna):
    user = confirmed_user(db, anna)
    assert user.id is not None
    setup = service.start_totp_setup(db, actor_id=user.id)
    totp = pyotp.TOTP(setup.secret)
    service.enable_totp(db, actor_id=user.id, code=totp.now())
    token = service.login(db, login=anna.email, password=PASSWORD).token
    now_codes = {totp.at(utcnow() + timedelta(seconds=d)) for d in (-30, 0, 30)}
    wrong = next(c for c in ("000000", "111111", "222222", "333333") if c not in now_codes)
    for _ in range(settings.code_max_attempts - 1):
        with pytest.raises(ValidationFailed):
            service.verify_second_factor(db, token=token, code=wrong)
    with pytest.raises(NotAuthenticated):
        service.verify_second_factor(db, token=token, code=wrong)
    assert service.session_stage(db, token) is None  # the session is gone
    with pytest.raises(NotAuthenticated):
        service.verify_second_factor(db, token=token, code=totp.now())


def test_reset_codes_from_one_address_are_limited(db, ip):
    for _ in range(rules.RESET_PER_IP_HOUR):
        service.request_password_reset(db, login=new_person().email, ip=ip)
    with pytest.raises(RateLimited):
        service.request_password_reset(db, login=new_person().email, ip=ip)
    service.request_password_reset(db, login=new_person().email, ip=new_ip())
