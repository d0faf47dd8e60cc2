"""Reads of the help module: the public list and search, one article, the editor's list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cabinet.access.rules import Actor, Perm
from cabinet.errors import NotFound, PermissionDenied
from cabinet.formatting import fmt_dt
from cabinet.help import rules
from cabinet.pagination import SortSpec, fetch_page
from models import HelpArticle

PUBLIC_LIMIT = 200
PAGE_SIZE = 30


@dataclass
class ArticleRow:
    id: int
    slug: str
    title: str
    section: str
    excerpt: str
    is_published: bool
    updated_at: str


@dataclass
class SectionGroup:
    section: str
    articles: list[ArticleRow]


@dataclass
class ArticleView:
    id: int
    slug: str
    title: str
    section: str
    body: str
    is_published: bool
    updated_at: str
    position: int


EMPTY_ARTICLE = ArticleView(0, "", "", "", "", False, "", 100)


def _row(a: HelpArticle) -> ArticleRow:
    return ArticleRow(
        id=a.id or 0,
        slug=a.slug,
        title=a.title,
        section=a.section,
        excerpt=rules.excerpt(a.body),
        is_published=a.is_published,
        updated_at=fmt_dt(a.updated_at),
    )


def _search(query: str) -> list[ColumnElement[bool]]:
    """Every word of the query must occur in the article's lower-cased search column."""
    return [
        col(HelpArticle.search_text).like(rules.like_pattern(term), escape="\\")
        for term in rules.search_terms(query)
    ]


def may_edit(actor: Actor | None) -> bool:
    return actor is not None and actor.has(Perm.HELP_MANAGE)


def public_sections(session: Session, *, q: str = "") -> list[SectionGroup]:
    """Published articles (matching `q`), grouped by section in order."""
    stmt = select(HelpArticle).where(col(HelpArticle.is_published).is_(True), *_search(q))
    rows = session.exec(
        stmt.order_by(
            col(HelpArticle.section), col(HelpArticle.position), col(HelpArticle.id)
        ).limit(PUBLIC_LIMIT)
    ).all()
    groups: dict[str, list[ArticleRow]] = {}
    for a in rows:
        groups.setdefault(a.section, []).append(_row(a))
    return [SectionGroup(section=k, articles=v) for k, v in groups.items()]


def article_by_slug(session: Session, actor: Actor | None, slug: str) -> ArticleView:
    """A published article; an editor also sees drafts. Missing and draft look the same."""
    slug = (slug or "").strip().lower()[: rules.SLUG_MAX]
    if not slug or not rules.SLUG_RE.match(slug):
        raise NotFound("Статья не найдена.")
    a = session.exec(select(HelpArticle).where(HelpArticle.slug == slug)).first()
    if a is None or (not a.is_published and not may_edit(actor)):
        raise NotFound("Статья не найдена.")
    return _view(a)


def _view(a: HelpArticle) -> ArticleView:
    return ArticleView(
        id=a.id or 0,
        slug=a.slug,
        title=a.title,
        section=a.section,
        body=a.body,
        is_published=a.is_published,
        updated_at=fmt_dt(a.updated_at),
        position=a.position,
    )


def article_for_edit(session: Session, actor: Actor, article_id: int) -> ArticleView:
    if not may_edit(actor):
        raise PermissionDenied()
    a = session.get(HelpArticle, article_id)
    if a is None:
        raise NotFound("Статья не найдена.")
    return _view(a)


ADMIN_ORDER = SortSpec(name="help_articles", id=HelpArticle.id, descending=True)


@dataclass
class AdminPage:
    rows: list[ArticleRow]
    next_after: str
    prev_before: str


def admin_articles(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    published: str = "",
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> AdminPage:
    """Every article (drafts too) for editors, newest first, keyset pages."""
    if not may_edit(actor):
        raise PermissionDenied()
    stmt = select(HelpArticle).where(*_search(q))
    if published in ("yes", "no"):
        stmt = stmt.where(col(HelpArticle.is_published).is_(published == "yes"))
    page = fetch_page(
        session, stmt, ADMIN_ORDER, after=after, before=before, limit=limit, scalars=True
    )
    return AdminPage([_row(a) for a in page.rows], page.next_after, page.prev_before)


def sections(session: Session) -> list[str]:
    """Existing section names (suggestions in the editor)."""
    return [
        s
        for s in session.exec(
            select(HelpArticle.section).distinct().order_by(HelpArticle.section)
        ).all()
        if s
    ]
