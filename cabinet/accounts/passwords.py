"""Password hashing: argon2 through passlib (the maintained libpass fork)."""

from __future__ import annotations

from passlib.context import CryptContext  # type: ignore[import-untyped]

_ctx = CryptContext(schemes=["argon2"], deprecated="auto")


def hash_password(password: str) -> str:
    hashed: str = _ctx.hash(password)
    return hashed


def verify_password(password: str, password_hash: str) -> bool:
    try:
        ok: bool = _ctx.verify(password, password_hash)
        return ok
    except (ValueError, TypeError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash uses outdated parameters (re-hash after a successful login)."""
    try:
        return bool(_ctx.needs_update(password_hash))
    except (ValueError, TypeError):
        return False


# A real hash to verify against when the login is unknown, so timing does not reveal it.
DUMMY_HASH = _ctx.hash("not-a-real-password")
