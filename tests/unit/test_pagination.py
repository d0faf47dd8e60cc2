"""Keyset cursors: opaque, signed, bound to one list; the WHERE/ORDER BY they produce."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from cabinet.pagination import (
    Cursor,
    InvalidCursor,
    SortSpec,
    clamp_limit,
    decode_cursor,
    encode_cursor,
    page_params,
)
from models import Organisation, User

SECRET = "unit-test-secret"


@pytest.mark.parametrize(
    "key",
    [None, 0, 42, 'ООО "Ромашка"', "", True, datetime(2026, 11, 29, 12, 30, 5, 123, tzinfo=UTC)],
)
def test_cursor_roundtrip_keeps_key_and_id(key):
    token = encode_cursor("orgs.name", key, 17, secret=SECRET)
    assert decode_cursor(token, "orgs.name", secret=SECRET) == Cursor(key=key, id=17)


def test_cursor_is_url_safe_and_opaque():
    token = encode_cursor("users.new", "Иванов", 5, secret=SECRET)
    assert all(c.isalnum() or c in "-_." for c in token)
    assert "Иванов" not in token


def _flip(ch: str) -> str:
    return "B" if ch != "B" else "C"


@pytest.mark.parametrize("where", ["body", "sig"])
def test_tampered_cursor_is_rejected(where):
    token = encode_cursor("users.new", None, 100, secret=SECRET)
    body, sig = token.split(".")
    if where == "body":
        forged = encode_cursor("users.new", None, 5, secret=SECRET).split(".")[0] + "." + sig
    else:
        forged = body + "." + _flip(sig[0]) + sig[1:]
    with pytest.raises(InvalidCursor):
        decode_cursor(forged, "users.new", secret=SECRET)


def test_cursor_of_another_list_or_secret_is_rejected():
    token = encode_cursor("users.new", None, 100, secret=SECRET)
    with pytest.raises(InvalidCursor):
        decode_cursor(token, "audit.new", secret=SECRET)
    with pytest.raises(InvalidCursor):
        decode_cursor(token, "users.new", secret="another-secret")


@pytest.mark.parametrize("junk", ["", "abc", "a.b.c", "!!!.???", "x" * 5000, ".", "e30.AAAA"])
def test_garbage_cursor_is_rejected(junk):
    with pytest.raises(InvalidCursor):
        decode_cursor(junk, "users.new", secret=SECRET)


def test_invalid_cursor_has_a_russian_message():
    assert "Ссылка" in InvalidCursor().message


def _sql(expr, dialect=None) -> str:
    compiled = expr.compile(
        dialect=dialect or sqlite.dialect(), compile_kwargs={"literal_binds": False}
    )
    return str(compiled)


def test_ascending_order_reads_rows_greater_than_the_cursor():
    spec = SortSpec("orgs.name", id=Organisation.id, key=Organisation.name)
    where = _sql(spec.after(Cursor("Б", 3)))
    assert "(organisations.name, organisations.id) > (" in where
    assert [str(c) for c in spec.order_by()] == [
        "organisations.name ASC",
        "organisations.id ASC",
    ]


def test_descending_order_reads_rows_smaller_than_the_cursor():
    spec = SortSpec("users.new", id=User.id, descending=True)
    assert _sql(spec.after(Cursor(None, 9))) == "users.id < ?"
    assert [str(c) for c in spec.order_by()] == ["users.id DESC"]


def test_backward_reading_flips_comparison_and_order():
    spec = SortSpec("orgs.name", id=Organisation.id, key=Organisation.name, descending=True)
    where = _sql(spec.after(Cursor("Б", 3), backward=True), postgresql.dialect())
    assert "(organisations.name, organisations.id) > (" in where
    assert [str(c) for c in spec.order_by(backward=True)] == [
        "organisations.name ASC",
        "organisations.id ASC",
    ]


def test_there_is_no_offset_in_the_helper_or_the_admin_lists():
    from pathlib import Path

    import cabinet.pagination as mod

    root = Path(mod.__file__).parent
    for path in [Path(mod.__file__), *sorted((root / "admin").glob("*.py"))]:
        source = path.read_text(encoding="utf-8").lower()
        assert ".offset(" not in source, path
        assert " offset " not in source.replace("never use offset", ""), path


@pytest.mark.parametrize(
    ("given", "expected"), [(None, 50), ("", 50), ("abc", 50), ("0", 1), ("20", 20), (10**9, 200)]
)
def test_limit_is_clamped(given, expected):
    assert clamp_limit(given) == expected


def test_only_one_direction_is_taken_from_the_url():
    assert page_params({"after": "a", "before": "b"}) == ("a", "")
    assert page_params({"before": "b"}) == ("", "b")
    assert page_params({}) == ("", "")
