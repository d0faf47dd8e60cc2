"""Help article rules: slugs, limits, search normalisation (no DB)."""

from __future__ import annotations

import pytest

from cabinet.errors import ValidationFailed
from cabinet.help import rules


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Регистрация в личном кабинете", "registratsiya-v-lichnom-kabinete"),
        ("Безопасность и 2FA", "bezopasnost-i-2fa"),
        ("  Счёт — оплата!  ", "schet-oplata"),
        ("Щука, ёж и Юла", "shchuka-ezh-i-yula"),
        ("!!!", ""),
    ],
)
def test_slugify_transliterates_and_dashes(title, slug):
    assert rules.slugify(title) == slug


def test_slugify_caps_length_without_trailing_dash():
    slug = rules.slugify("слово " * 40)
    assert len(slug) <= rules.SLUG_MAX and not slug.endswith("-")


@pytest.mark.parametrize("bad", ["Заглавные", "two--dashes", "-lead", "trail-", "sp ace", "a_b"])
def test_bad_slugs_refused_on_the_slug_field(bad):
    with pytest.raises(ValidationFailed) as e:
        rules.clean_slug(bad)
    assert e.value.field == "slug"


def test_slug_defaults_to_title_and_is_lower_cased():
    assert rules.clean_slug("", "Привязка к организации") == "privyazka-k-organizatsii"
    assert rules.clean_slug("ABC-1") == "abc-1"


def _article(**kw):
    data = {"title": "Заголовок", "slug": "", "section": "", "body": "Текст", "position": 100}
    data.update(kw)
    return rules.clean_article(**data)


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"title": "ab"}, "title"),
        ({"title": "я" * (rules.TITLE_MAX + 1)}, "title"),
        ({"body": "   "}, "body"),
        ({"body": "я" * (rules.BODY_MAX + 1)}, "body"),
        ({"section": "я" * (rules.SECTION_MAX + 1)}, "section"),
        ({"position": "десять"}, "position"),
        ({"position": -1}, "position"),
        ({"slug": "Плохой"}, "slug"),
    ],
)
def test_article_limits(kw, field):
    with pytest.raises(ValidationFailed) as e:
        _article(**kw)
    assert e.value.field == field
    assert e.value.message  # a Russian message for the form


def test_article_cleaned():
    a = _article(title="  Вход   в кабинет ", body="\r\n## Шаг\r\n", position="5")
    assert a.title == "Вход в кабинет" and a.body == "## Шаг" and a.position == 5
    assert a.slug == "vkhod-v-kabinet"


def test_normalise_folds_cyrillic_case_and_yo():
    assert rules.normalise("  ЁЛКА  Пароль ") == "елка пароль"


def test_search_text_drops_markdown_marks_and_urls():
    text = rules.search_text("Заголовок", "Раздел", "## Шаг\n**ПАРОЛЬ** и [ссылка](https://x.ru/q)")
    assert text == "заголовок раздел шаг пароль и ссылка"


def test_search_terms_split_dedupe_and_limit():
    assert rules.search_terms("Пароль,  ПАРОЛЬ «ИНН»") == ["пароль", "инн"]
    assert len(rules.search_terms(" ".join(f"w{i}" for i in range(20)))) == rules.MAX_TERMS
    assert rules.search_terms("   ") == []


def test_like_pattern_escapes_wildcards():
    assert rules.like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_excerpt_is_plain_and_short():
    body = "## Заголовок\n\n" + "слово " * 100
    ex = rules.excerpt(body, 50)
    assert len(ex) <= 51 and ex.endswith("…") and "#" not in ex
