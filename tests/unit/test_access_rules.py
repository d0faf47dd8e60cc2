"""The permission matrix of the built-in roles and the Actor's scope rules."""

from __future__ import annotations

import pytest

from cabinet.access.rules import BUILTIN_ROLES, Actor, BuiltinRole, Perm


def _actor(**kw) -> Actor:
    return Actor(id=1, full_name="Тест", email="t@example.com", **kw)


@pytest.mark.parametrize("perm", list(Perm))
def test_superadmin_holds_every_permission(perm):
    assert perm in BUILTIN_ROLES[BuiltinRole.SUPERADMIN].perms


def test_customer_roles_are_organisation_scoped_and_staff_are_not():
    for code, spec in BUILTIN_ROLES.items():
        assert spec.org_scoped == (code in {BuiltinRole.CUSTOMER, BuiltinRole.CUSTOMER_ADMIN})


def test_org_permission_applies_only_inside_that_organisation():
    actor = _actor(org_perms={7: frozenset({Perm.ORG_VIEW})}, member_org_ids=frozenset({7}))
    assert actor.has(Perm.ORG_VIEW, 7)
    assert not actor.has(Perm.ORG_VIEW, 8)
    assert actor.visible_org_ids() == frozenset({7})


def test_manager_sees_only_assigned_organisations():
    actor = _actor(
        global_perms=frozenset({Perm.ORGS_VIEW, Perm.LINKS_DECIDE}), managed_org_ids=frozenset({3})
    )
    assert actor.has(Perm.LINKS_DECIDE, 3)
    assert not actor.has(Perm.LINKS_DECIDE, 4)
    assert actor.visible_org_ids() == frozenset({3})


def test_orgs_all_widens_scope_to_every_organisation():
    actor = _actor(global_perms=frozenset({Perm.ORGS_VIEW, Perm.LINKS_DECIDE, Perm.ORGS_ALL}))
    assert actor.has(Perm.LINKS_DECIDE, 99)
    assert actor.visible_org_ids() is None
