"""Every notifications page builds without a server, with the ids tests and screenshots use."""

from __future__ import annotations

import pytest

from cabinet.notifications import pages
from components.shell import bell

PAGES = [pages.notifications_page, pages.preferences_page, pages.templates_page, pages.stats_page]


@pytest.mark.parametrize("page", PAGES)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_are_present():
    rendered = " ".join(str(p().render()) for p in PAGES) + str(bell().render())
    for stable_id in (
        "bell",
        "bell-count",
        "notes-read-all",
        "note-read-",
        "pref-save",
        "pref-telegram-chat",
        "tpl-body",
        "tpl-save",
        "tpl-switch-",
        "tpl-preview-body",
        "stats-from",
        "failed-resend-selected",
        "failed-resend-",
        "stats-chart-status",
    ):
        assert stable_id in rendered, stable_id
