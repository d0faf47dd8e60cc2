"""Thin Reflex states of the help pages: resolve the caller, call a service or query, show it."""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.access.state import SessionState
from cabinet.db import session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.help import queries, rules, service
from cabinet.help.queries import ArticleRow, ArticleView, SectionGroup
from cabinet.pagination import page_params


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


class HelpListState(SessionState):
    """/help: published articles by section, search with ?q= in the URL."""

    groups: list[SectionGroup] = []
    q: str = ""
    can_edit: bool = False
    loaded: bool = False

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.can_edit = queries.may_edit(actor)
        self.q = " ".join(_clip(self.router.url.query_parameters.get("q", ""), 100).split())
        with session_scope() as s:
            self.groups = queries.public_sections(s, q=self.q)
        self.loaded = True

    @rx.event
    def search(self, form_data: dict):
        q = ""
        if isinstance(form_data, dict):
            q = " ".join(_clip(form_data.get("q", ""), rules.QUERY_MAX).split())
        return rx.redirect(routes.with_query(routes.HELP, q=q))

    @rx.var
    def found(self) -> int:
        return sum(len(g.articles) for g in self.groups)


class HelpArticleState(SessionState):
    """/help/<slug>: one published article (editors also see drafts)."""

    article: ArticleView = queries.EMPTY_ARTICLE
    missing: bool = False
    can_edit: bool = False

    def _slug(self) -> str:
        path = str(self.router.url.path or "").rstrip("/")
        return path.rsplit("/", 1)[-1][: rules.SLUG_MAX] if path.count("/") >= 2 else ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        self.can_edit = queries.may_edit(actor)
        self.missing = False
        try:
            with session_scope() as s:
                self.article = queries.article_by_slug(s, actor, self._slug())
        except DomainError:
            self.article, self.missing = queries.EMPTY_ARTICLE, True


PUBLISHED_FILTERS = ("yes", "no")


class HelpAdminState(SessionState):
    """/admin/help: every article for editors, filters and cursor in the URL."""

    rows: list[ArticleRow] = []
    allowed: bool = True
    f_q: str = ""
    f_published: str = ""
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""

    def _fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        params = self.router.url.query_parameters
        self.f_q = " ".join(_clip(params.get("q", ""), 100).split())
        pub = params.get("published", "")
        self.f_published = pub if pub in PUBLISHED_FILTERS else ""
        after, before = page_params(params)
        self.query_key = f"{self.f_q}|{self.f_published}|{after}|{before}"
        with session_scope() as s:
            try:
                page = queries.admin_articles(
                    s, actor, q=self.f_q, published=self.f_published, after=after, before=before
                )
            except ValidationFailed:  # a damaged cursor: the first page
                page = queries.admin_articles(s, actor, q=self.f_q, published=self.f_published)
        self.rows = page.rows
        base = {"q": self.f_q, "published": self.f_published}
        self.next_href = (
            routes.with_query(routes.ADMIN_HELP, **base, after=page.next_after)
            if page.next_after
            else ""
        )
        self.prev_href = (
            routes.with_query(routes.ADMIN_HELP, **base, before=page.prev_before)
            if page.prev_before
            else ""
        )
        self.allowed = True

    def _safe_fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        try:
            self._fetch(actor)
        except DomainError:
            self.allowed, self.rows, self.next_href, self.prev_href = False, [], "", ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self._safe_fetch(actor)
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        if not isinstance(form_data, dict):
            form_data = {}
        pub = str(form_data.get("published", "") or "")
        q = " ".join(_clip(form_data.get("q", ""), 100).split())
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_HELP, q=q, published=pub if pub in PUBLISHED_FILTERS else ""
            )
        )

    @rx.event
    def toggle_published(self, article_id: int, published: bool):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.set_published(
                    s,
                    actor_id=actor.id,
                    article_id=int(article_id),
                    published=bool(published),
                    ip=self._client_ip(),
                )
        except (TypeError, ValueError):
            return rx.toast.error("Статья не найдена.")
        except DomainError as e:
            return rx.toast.error(e.message)
        self._safe_fetch(actor)
        return rx.toast.success(
            "Статья опубликована." if published else "Статья снята с публикации."
        )


_FORM_KEYS = ("title", "slug", "section", "body", "position")
_FORM_LIMITS = {
    "title": rules.TITLE_MAX,
    "slug": rules.SLUG_MAX,
    "section": rules.SECTION_MAX,
    "body": rules.BODY_MAX,
    "position": 6,
}


class HelpEditState(SessionState):
    """/admin/help/edit?id=N (or a new article): the markdown editor with a live preview."""

    form: dict[str, str] = {}
    published: bool = False
    errors: dict[str, str] = {}
    article_id: int = 0
    allowed: bool = True
    missing: bool = False
    saved_slug: str = ""
    tab: str = "edit"
    confirm_delete: bool = False

    def _id(self) -> int:
        raw = self.router.url.query_parameters.get("id", "")
        return int(raw) if raw.isdigit() and len(raw) < 12 else 0

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.errors, self.missing, self.tab, self.confirm_delete = {}, False, "edit", False
        self.allowed = queries.may_edit(actor)
        self.article_id = self._id()
        if not self.allowed:
            return None
        if not self.article_id:
            self.form = {"title": "", "slug": "", "section": "", "body": "", "position": "100"}
            self.published, self.saved_slug = False, ""
            return None
        try:
            with session_scope() as s:
                a = queries.article_for_edit(s, actor, self.article_id)
        except DomainError:
            self.missing = True
            return None
        self.form = {
            "title": a.title,
            "slug": a.slug,
            "section": a.section,
            "body": a.body,
            "position": str(a.position),
        }
        self.published, self.saved_slug = a.is_published, a.slug
        return None

    @rx.event
    def set_field(self, key: str, value: str):
        if key in _FORM_KEYS:
            self.form = {**self.form, key: _clip(value, _FORM_LIMITS[key])}
            if key in self.errors:
                self.errors = {k: v for k, v in self.errors.items() if k != key}

    @rx.event
    def set_published(self, value: bool):
        self.published = bool(value)

    @rx.event
    def set_tab(self, value: str):
        self.tab = "preview" if value == "preview" else "edit"

    @rx.event
    def suggest_slug(self):
        if not self.form.get("slug"):
            self.form = {**self.form, "slug": rules.slugify(self.form.get("title", ""))}

    @rx.event
    def save(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        values = {k: self.form.get(k, "") for k in _FORM_KEYS}
        try:
            with session_scope() as s:
                if self.article_id:
                    a = service.update_article(
                        s,
                        actor_id=actor.id,
                        article_id=self.article_id,
                        published=self.published,
                        ip=self._client_ip(),
                        **values,
                    )
                else:
                    a = service.create_article(
                        s,
                        actor_id=actor.id,
                        published=self.published,
                        ip=self._client_ip(),
                        **values,
                    )
        except ValidationFailed as e:
            self.errors = {e.field or "form": e.message}
            self.tab = "edit"
            return rx.toast.error(e.message) if not e.field else None
        except DomainError as e:
            return rx.toast.error(e.message)
        self.errors = {}
        self.form = {**self.form, "slug": a.slug, "title": a.title}
        self.saved_slug = a.slug
        if not self.article_id:
            return [
                rx.redirect(routes.with_query(routes.ADMIN_HELP_EDIT, id=a.id)),
                rx.toast.success("Статья создана."),
            ]
        return rx.toast.success("Статья сохранена.")

    @rx.event
    def ask_delete(self, value: bool):
        self.confirm_delete = bool(value)

    @rx.event
    def delete(self):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.confirm_delete = False
        try:
            with session_scope() as s:
                service.delete_article(
                    s, actor_id=actor.id, article_id=self.article_id, ip=self._client_ip()
                )
        except DomainError as e:
            return rx.toast.error(e.message)
        return [rx.redirect(routes.ADMIN_HELP), rx.toast.success("Статья удалена.")]
