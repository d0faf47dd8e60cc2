"""Every support page builds (Vars, ids and the workflow buttons fit together) without a server."""

from __future__ import annotations

import pytest

from cabinet.support import pages

PAGES = [
    pages.my_requests_page,
    pages.new_request_page,
    pages.request_page,
    pages.queue_page,
    pages.settings_page,
]


@pytest.mark.parametrize("page", PAGES)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_for_end_to_end_tests_are_present():
    rendered = " ".join(str(p().render()) for p in PAGES)
    for stable_id in (
        "support-new",
        "support-subject",
        "support-text",
        "support-recipient",
        "support-category",
        "support-submit",
        "support-upload",
        "support-reply-text",
        "support-reply-submit",
        "support-reply-internal",
        "support-action-take",
        "support-action-resolve",
        "support-action-close",
        "support-action-reopen",
        "support-assignee",
        "support-assign-me",
        "support-thread",
        "support-status-badge",
        "support-queue",
        "support-f-overdue",
        "support-f-q",
        "support-dept-new",
        "support-cat-new",
        "support-set-save",
    ):
        assert stable_id in rendered, stable_id
