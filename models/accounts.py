"""Users, their sessions, one-time codes and login attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from models.base import ts_field


class TwoFactorMethod(StrEnum):
    NONE = ""
    TOTP = "totp"
    SMS = "sms"
    EMAIL = "email"


class CodePurpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    CONFIRM_PHONE = "confirm_phone"
    RESET_PASSWORD = "reset_password"
    LOGIN_2FA = "login_2fa"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    full_name: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True, index=True)
    phone: str = Field(max_length=20, unique=True, index=True)  # E.164
    password_hash: str = Field(max_length=255)
    email_confirmed_at: datetime | None = ts_field(nullable=True)
    phone_confirmed_at: datetime | None = ts_field(nullable=True)
    is_blocked: bool = Field(default=False)
    twofa_method: str = Field(default=TwoFactorMethod.NONE, max_length=10)
    totp_secret: str = Field(default="", max_length=255)  # Fernet-encrypted, never plain
    totp_last_step: int = Field(default=0)  # last accepted TOTP time step (no replay)
    pending_email: str = Field(default="", max_length=254)  # new e-mail awaiting its code
    pending_phone: str = Field(default="", max_length=20)  # new phone awaiting its code
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = ts_field(nullable=True)
    lang: str = Field(default="ru", max_length=5)
    created_at: datetime = ts_field(default_now=True)

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None and self.phone_confirmed_at is not None


class UserSession(SQLModel, table=True):
    """A login on one device. The browser holds the token; the table holds its hash."""

    __tablename__ = "user_sessions"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = ts_field(default_now=True)
    last_seen_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field()
    second_factor_ok: bool = Field(default=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    revoked_at: datetime | None = ts_field(nullable=True)


class OneTimeCode(SQLModel, table=True):
    __tablename__ = "one_time_codes"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    purpose: str = Field(max_length=20, index=True)
    channel: str = Field(max_length=10)  # email | sms
    target: str = Field(max_length=254)
    code_hash: str = Field(max_length=128)
    attempts: int = Field(default=0)
    sent_at: datetime = ts_field(default_now=True)
    expires_at: datetime = ts_field()
    consumed_at: datetime | None = ts_field(nullable=True)


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempts"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(max_length=254, index=True)
    ip: str = Field(default="", max_length=64, index=True)
    success: bool = Field(default=False)
    at: datetime = ts_field(default_now=True, index=True)
