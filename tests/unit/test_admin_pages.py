"""Every admin page builds without a server, and carries the stable ids the browser tests use."""

from __future__ import annotations

import pytest

from cabinet.admin import pages

PAGES = [
    pages.users_page,
    pages.user_page,
    pages.organisations_page,
    pages.organisation_page,
    pages.roles_page,
    pages.audit_page,
    pages.admin_index,
]


@pytest.mark.parametrize("page", PAGES)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_are_present():
    rendered = " ".join(str(p().render()) for p in PAGES)
    for stable_id in (
        "users-q",
        "users-status",
        "users-role",
        "users-filter-apply",
        "users-filter-reset",
        "users-page-next",
        "users-page-prev",
        "user-block",
        "user-block-confirm",
        "user-unblock",
        "user-reset-2fa",
        "assign-role",
        "role-remove-",
        "orgs-q",
        "orgs-kind",
        "org-save",
        "assign-manager",
        "manager-remove-",
        "role-create",
        "role-save",
        "role-edit-",
        "role-delete-",
        "perm-users-manage",
        "audit-actor",
        "audit-from",
        "audit-to",
        "audit-filter-apply",
        "no-access",
    ):
        assert stable_id in rendered, stable_id


def test_the_admin_index_offers_every_staff_section_once() -> None:
    from cabinet.admin.pages import _tile_id
    from components.shell import ADMIN_NAV

    ids = [_tile_id(item.route) for item in ADMIN_NAV]
    assert len(ids) == len(set(ids))
    assert "admin-tile-erp" in ids and "admin-tile-telecom-sims" in ids
    assert all(item.perm for item in ADMIN_NAV)  # the index shows a section by its permission
