"""Every organisations page builds (Vars, ids and field sets fit together) without a server."""

from __future__ import annotations

import pytest

from cabinet.organisations import pages


@pytest.mark.parametrize(
    "page", [pages.organisations_page, pages.requests_page, pages.profile_page, pages.queue_page]
)
def test_page_builds(page):
    component = page()
    rendered = str(component.render())
    assert rendered


def test_stable_ids_for_end_to_end_tests_are_present():
    rendered = " ".join(
        str(p().render()) for p in (pages.organisations_page, pages.requests_page, pages.queue_page)
    )
    for stable_id in (
        "link-inn",
        "link-submit",
        "org-list",
        "request-approve-",
        "request-reject-",
        "decision-comment",
        "decision-submit",
        "request-cancel-",
    ):
        assert stable_id in rendered, stable_id
