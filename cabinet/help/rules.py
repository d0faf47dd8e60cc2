"""Help article rules: field limits, slugs, search normalisation. No DB, no Reflex."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cabinet.errors import ValidationFailed

TITLE_MIN = 3
TITLE_MAX = 200
SECTION_MAX = 100
BODY_MAX = 50_000
SLUG_MAX = 80
POSITION_MAX = 10_000
QUERY_MAX = 100
MAX_TERMS = 8
EXCERPT_LEN = 180

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip

# Markdown punctuation that search should not see: headings, emphasis, links, code, lists.
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKS = re.compile(r"[#*_`>~]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ArticleInput:
    title: str
    slug: str
    section: str
    body: str
    position: int


def normalise(text: str) -> str:
    """Lower-case (Unicode, not ASCII-only), ё → е, single spaces: what search compares."""
    return _SPACES.sub(" ", (text or "").casefold().replace("ё", "е")).strip()


def plain_text(body: str) -> str:
    """Markdown without its marks: link texts kept, URLs and formatting dropped."""
    text = _MD_MARKS.sub("", _MD_LINK.sub(r"\1", body or "")).replace("|", " ")
    return _SPACES.sub(" ", text).strip()


def search_text(title: str, section: str, body: str) -> str:
    """The stored search column of an article."""
    return normalise(f"{title} {section} {plain_text(body)}")


def search_terms(query: str) -> list[str]:
    """The words of a search query, normalised; at most MAX_TERMS, each up to 50 characters."""
    words = normalise(query[:QUERY_MAX]).split(" ")
    out: list[str] = []
    for w in words:
        w = w.strip(".,;:!?\"'()«»")[:50]
        if w and w not in out:
            out.append(w)
    return out[:MAX_TERMS]


def like_pattern(term: str) -> str:
    """`%term%` with LIKE's wildcards escaped (use with escape="\\")."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def slugify(title: str) -> str:
    """A URL slug from a (Russian or English) title: transliterated, lower-case, dashes."""
    out = []
    for ch in (title or "").lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        else:
            out.append("-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    return slug[:SLUG_MAX].rstrip("-")


def clean_slug(slug: str, title: str = "") -> str:
    """The given slug (or one made from the title) if it is well formed."""
    value = (slug or "").strip().lower() or slugify(title)
    if not value:
        raise ValidationFailed("Укажите адрес статьи (латиница, цифры и дефисы).", field="slug")
    if len(value) > SLUG_MAX:
        raise ValidationFailed(f"Адрес статьи: не длиннее {SLUG_MAX} символов.", field="slug")
    if not SLUG_RE.match(value):
        raise ValidationFailed(
            "Адрес статьи: только латинские буквы, цифры и дефисы между ними.", field="slug"
        )
    return value


def clean_article(
    *, title: str, slug: str, section: str, body: str, position: int | str = 100
) -> ArticleInput:
    """Validate an article form; the first problem raises ValidationFailed with its field."""
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN:
        raise ValidationFailed(f"Заголовок: не короче {TITLE_MIN} символов.", field="title")
    if len(title) > TITLE_MAX:
        raise ValidationFailed(f"Заголовок: не длиннее {TITLE_MAX} символов.", field="title")
    section = " ".join((section or "").split())
    if len(section) > SECTION_MAX:
        raise ValidationFailed(f"Раздел: не длиннее {SECTION_MAX} символов.", field="section")
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ValidationFailed("Напишите текст статьи.", field="body")
    if len(body) > BODY_MAX:
        raise ValidationFailed(
            f"Текст статьи: не длиннее {BODY_MAX} символов (сейчас {len(body)}).", field="body"
        )
    try:
        pos = int(str(position).strip() or "100")
    except ValueError:
        raise ValidationFailed("Порядок: целое число.", field="position") from None
    if not 0 <= pos <= POSITION_MAX:
        raise ValidationFailed(f"Порядок: от 0 до {POSITION_MAX}.", field="position")
    return ArticleInput(
        title=title, slug=clean_slug(slug, title), section=section, body=body, position=pos
    )


def excerpt(body: str, length: int = EXCERPT_LEN) -> str:
    """The first words of an article as plain text."""
    text = plain_text(body)
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut + "…"
