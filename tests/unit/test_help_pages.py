"""Every help page and the hint component build (Vars, ids fit together) without a server."""

from __future__ import annotations

import pytest

from cabinet.help import pages
from components.hint import hint, with_hint


@pytest.mark.parametrize(
    "page",
    [pages.help_page, pages.help_article_page, pages.admin_help_page, pages.admin_help_edit_page],
)
def test_page_builds(page):
    assert str(page().render())


def test_stable_ids_present():
    rendered = " ".join(
        str(p().render())
        for p in (pages.help_page, pages.help_article_page, pages.admin_help_edit_page)
    )
    for stable_id in (
        "help-q",
        "help-search",
        "help-article-body",
        "help-title",
        "help-slug",
        "help-body",
        "help-save",
        "help-preview",
        "help-published",
    ):
        assert stable_id in rendered, stable_id


def test_markdown_preview_does_not_render_raw_html():
    rendered = str(pages.markdown("<script>x</script>").render())
    assert "rehypeRaw" not in rendered


def test_hint_has_button_text_and_help_link():
    rendered = str(hint("Подсказка", "Hint", id="h1", article="registratsiya").render())
    assert "h1" in rendered and "/help/registratsiya" in rendered
    assert "h2" in str(with_hint("Пароль", "Подсказка", "Hint", id="h2").render())
