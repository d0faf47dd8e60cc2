"""Administration rules: statuses, escalation, self-protection, audit diff, search prefixes."""

from __future__ import annotations

import pytest

from cabinet.access.rules import (
    BUILTIN_ROLES,
    CUSTOMER_PERMS,
    Actor,
    BuiltinRole,
    Perm,
    is_org_scoped,
    may_grant,
)
from cabinet.admin.rules import (
    diff,
    diff_text,
    like_escape,
    loses_admin_power,
    name_prefixes,
    phone_prefixes,
    search_targets,
    user_status,
)


def _actor(perms) -> Actor:
    return Actor(id=1, full_name="Тест", email="t@example.com", global_perms=frozenset(perms))


@pytest.mark.parametrize(
    ("blocked", "email", "phone", "expected"),
    [
        (False, True, True, "active"),
        (True, True, True, "blocked"),
        (True, False, False, "blocked"),
        (False, False, True, "unconfirmed"),
        (False, True, False, "unconfirmed"),
    ],
)
def test_user_status(blocked, email, phone, expected):
    assert user_status(is_blocked=blocked, email_confirmed=email, phone_confirmed=phone) == expected


@pytest.mark.parametrize("code", list(BuiltinRole))
def test_builtin_role_scope_matches_its_permissions(code):
    spec = BUILTIN_ROLES[code]
    assert is_org_scoped(spec.perms) == spec.org_scoped


def test_an_empty_permission_set_is_not_org_scoped():
    assert not is_org_scoped(frozenset())


def test_customer_roles_can_be_granted_by_any_user_manager():
    manager_of_users = _actor({Perm.USERS_MANAGE})
    assert may_grant(manager_of_users, CUSTOMER_PERMS)


@pytest.mark.parametrize("code", list(BuiltinRole))
def test_admin_grants_every_builtin_role_except_superadmin(code):
    admin = _actor(BUILTIN_ROLES[BuiltinRole.ADMIN].perms)
    assert may_grant(admin, BUILTIN_ROLES[code].perms) == (code != BuiltinRole.SUPERADMIN)


def test_no_one_grants_staff_rights_they_lack():
    roles_only = _actor({Perm.ROLES_MANAGE})
    assert not may_grant(roles_only, {Perm.AUDIT_VIEW})
    assert may_grant(roles_only, {Perm.ROLES_MANAGE})
    # Mixing customer and staff rights makes a platform-wide role: every right must be held.
    assert not may_grant(roles_only, {Perm.ROLES_MANAGE, Perm.ORG_VIEW})


def test_losing_admin_power():
    full = frozenset({Perm.USERS_MANAGE, Perm.ROLES_MANAGE, Perm.AUDIT_VIEW})
    assert loses_admin_power(full, frozenset({Perm.USERS_MANAGE}))
    assert not loses_admin_power(full, full - {Perm.AUDIT_VIEW})
    assert not loses_admin_power(frozenset({Perm.AUDIT_VIEW}), frozenset())


def test_diff_lists_only_changed_fields_in_order():
    changes = diff({"a": 1, "b": True, "c": "x"}, {"a": 1, "b": False, "d": [1, 2]})
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("b", "да", "нет"),
        ("c", "x", "—"),
        ("d", "—", "1, 2"),
    ]


def test_diff_text_for_create_update_delete():
    assert diff_text(None, {"name": "Роль"}) == "name: Роль"
    assert diff_text({"name": "Роль"}, None) == "name: Роль → ∅"
    assert diff_text({"is_blocked": False}, {"is_blocked": True}) == "is_blocked: нет → да"
    assert diff_text(None, None) == ""
    long = diff_text(None, {"x": "я" * 200})
    assert long.endswith("…") and len(long) < 100


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("8 900 123", ["+7900123", "+8900123"]),
        ("+7 (900) 12", ["+790012"]),
        ("79001", ["+79001"]),
        ("900", ["+900", "+7900"]),
        ("Иванов", []),
    ],
)
def test_phone_prefixes(typed, expected):
    assert phone_prefixes(typed) == expected


def test_name_prefixes_cover_case_spellings():
    assert name_prefixes("  иван   петров ") == ["иван петров", "Иван петров", "Иван Петров"]
    assert name_prefixes("") == []


def test_like_escape():
    assert like_escape("50%_a\\b") == "50\\%\\_a\\\\b"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("anna@", {"email"}),
        ("+7 900", {"phone"}),
        ("8900123", {"phone"}),
        ("admin", {"email", "name"}),
        ("Иванов", {"name"}),
        ("Ivan Petrov", {"name"}),
        ("  ", set()),
        ("()", {"email", "name"}),
    ],
)
def test_search_targets(typed, expected):
    assert search_targets(typed) == expected
