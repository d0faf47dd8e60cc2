"""Every feedback, survey and rating page builds without a server; stable ids are present."""

from __future__ import annotations

import pytest

from cabinet.feedback import pages


@pytest.mark.parametrize(
    "page",
    [
        pages.feedback_page,
        pages.admin_feedback_page,
        pages.surveys_page,
        pages.admin_surveys_page,
        pages.admin_survey_page,
        pages.admin_survey_stats_page,
        pages.rate_page,
        pages.admin_ratings_page,
    ],
)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_present():
    rendered = " ".join(
        str(p().render())
        for p in (
            pages.feedback_page,
            pages.admin_feedback_page,
            pages.admin_survey_page,
            pages.rate_page,
        )
    )
    for stable_id in (
        "fb-topic",
        "fb-text",
        "fb-email",
        "fb-submit",
        "fb-f-status",
        "fb-mark-answered",
        "q-new-text",
        "q-new-submit",
        "survey-active",
        "rate-",
    ):
        assert stable_id in rendered, stable_id


def test_rating_widget_embeds_with_a_subject_code():
    rendered = str(pages.rating_widget("connection", "Качество связи").render())
    assert "rate-connection-5" in rendered and "rate-connection-comment" in rendered
