"""Every application page builds (Vars, ids and the workflow buttons fit together) without a
server."""

from __future__ import annotations

import pytest

from cabinet.applications import pages

PAGES = [
    pages.my_applications_page,
    pages.form_page,
    pages.view_page,
    pages.registry_page,
]


@pytest.mark.parametrize("page", PAGES)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_for_end_to_end_tests_are_present():
    rendered = " ".join(str(p().render()) for p in PAGES)
    for stable_id in (
        "app-new",
        "apps-tab-draft",
        "apps-q",
        "apps-number",
        "apps-object",
        "apps-status",
        "apps-from",
        "apps-to",
        "apps-sort",
        "apps-apply",
        "apps-list",
        "app-object-name",
        "app-object-address",
        "app-cadastral-number",
        "app-max-power-kw",
        "app-existing-power-kw",
        "app-voltage",
        "app-reliability",
        "app-reason",
        "app-stages",
        "app-upload-kind",
        "app-upload",
        "app-save",
        "app-submit",
        "app-delete",
        "app-next-step",
        "app-actions",
        "app-action-comment",
        "app-action-confirm",
        "app-documents",
        "app-timeline",
        "app-comment-text",
        "app-comment-send",
        "reg-assignee",
        "app-assignee",
        "app-assign-me",
        "reg-overdue",
        "reg-export-csv",
        "reg-export-xlsx",
        "reg-list",
    ):
        assert stable_id in rendered, stable_id
