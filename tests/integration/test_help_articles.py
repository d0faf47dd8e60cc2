"""Help articles on a real database: editor permission, audit, slugs, Cyrillic search."""

from __future__ import annotations

import itertools

import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.help import queries, service
from models import AuditEvent, HelpArticle, User

pytestmark = pytest.mark.db

_seq = itertools.count(1)


def make_user(db, role: str | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Справкин {n}", email=f"help{n}@test.local", phone=f"+7906{n:07d}",
        password_hash="x",
    )  # fmt: skip
    db.add(user)
    db.flush()
    if role:
        grant_role(db, user_id=user.id, role_code=role)
    return user


@pytest.fixture
def admin(db) -> User:
    ensure_builtin_roles(db)
    return make_user(db, BuiltinRole.ADMIN)


def _article(db, admin, **kw) -> HelpArticle:
    data = {
        "title": "Регистрация в Личном Кабинете",
        "body": "## Шаги\n\nУкажите **ПАРОЛЬ** и ёлку.",
        "section": "Начало",
        "published": True,
    }
    data.update(kw)
    return service.create_article(db, actor_id=admin.id, **data)


def test_admin_creates_article_with_slug_from_title_and_audit(db, admin):
    a = _article(db, admin)
    assert a.slug == "registratsiya-v-lichnom-kabinete"
    assert "пароль" in a.search_text
    events = db.exec(select(AuditEvent).where(AuditEvent.object_type == "help_article")).all()
    assert [e.action for e in events] == ["help.create"]


def test_customer_cannot_create_or_edit_articles(db, admin):
    client = make_user(db, BuiltinRole.CUSTOMER)
    with pytest.raises(PermissionDenied):
        _article(db, client)
    a = _article(db, admin)
    with pytest.raises(PermissionDenied):
        service.update_article(db, actor_id=client.id, article_id=a.id, title="Взлом", body="текст")
    with pytest.raises(PermissionDenied):
        service.delete_article(db, actor_id=client.id, article_id=a.id)
    assert db.get(HelpArticle, a.id).title == "Регистрация в Личном Кабинете"


def test_operator_without_help_manage_is_refused(db, admin):
    operator = make_user(db, BuiltinRole.OPERATOR)
    with pytest.raises(PermissionDenied):
        _article(db, operator)


def test_duplicate_slug_refused_with_field_message(db, admin):
    _article(db, admin, slug="one")
    with pytest.raises(ValidationFailed) as e:
        _article(db, admin, slug="one", title="Другая статья")
    assert e.value.field == "slug"
    assert len(db.exec(select(HelpArticle)).all()) == 1


def test_bad_input_writes_nothing(db, admin):
    with pytest.raises(ValidationFailed) as e:
        _article(db, admin, title="a")
    assert e.value.field == "title"
    with pytest.raises(ValidationFailed):
        _article(db, admin, slug="Плохой слаг")
    assert db.exec(select(HelpArticle)).all() == []
    assert db.exec(select(AuditEvent).where(AuditEvent.object_type == "help_article")).all() == []


def test_update_rewrites_search_text_and_audits_before_after(db, admin):
    a = _article(db, admin)
    service.update_article(
        db,
        actor_id=admin.id,
        article_id=a.id,
        title="Вход",
        slug=a.slug,
        body="Двухфакторная АУТЕНТИФИКАЦИЯ",
        published=True,
    )
    db.refresh(a)
    assert "аутентификация" in a.search_text and "пароль" not in a.search_text
    ev = db.exec(select(AuditEvent).where(AuditEvent.action == "help.update")).one()
    assert ev.before["title"] == "Регистрация в Личном Кабинете" and ev.after["title"] == "Вход"


@pytest.mark.parametrize("query", ["ПАРОЛЬ", "пароль", "Пароль", "ЁЛКУ", "елку", "кабинете шаги"])
def test_search_finds_cyrillic_case_insensitively(db, admin, query):
    _article(db, admin)
    _article(db, admin, title="Другое", slug="other", body="Ничего общего.")
    groups = queries.public_sections(db, q=query)
    titles = [r.title for g in groups for r in g.articles]
    assert titles == ["Регистрация в Личном Кабинете"]


def test_search_escapes_like_wildcards(db, admin):
    _article(db, admin)
    assert queries.public_sections(db, q="%") == []
    assert queries.public_sections(db, q="_") == []


def test_drafts_hidden_from_public_but_visible_to_editor(db, admin):
    a = _article(db, admin, published=False)
    client = load_actor(db, make_user(db, BuiltinRole.CUSTOMER).id)
    assert queries.public_sections(db) == []
    with pytest.raises(NotFound):
        queries.article_by_slug(db, None, a.slug)
    with pytest.raises(NotFound):
        queries.article_by_slug(db, client, a.slug)
    assert queries.article_by_slug(db, load_actor(db, admin.id), a.slug).id == a.id
    service.set_published(db, actor_id=admin.id, article_id=a.id, published=True)
    assert queries.article_by_slug(db, None, a.slug).title == a.title


def test_admin_list_pages_and_filters(db, admin):
    for n in range(5):
        _article(db, admin, title=f"Статья номер {n}", slug=f"a{n}", published=n % 2 == 0)
    actor = load_actor(db, admin.id)
    first = queries.admin_articles(db, actor, limit=2)
    assert [r.slug for r in first.rows] == ["a4", "a3"] and first.next_after
    second = queries.admin_articles(db, actor, after=first.next_after, limit=2)
    assert [r.slug for r in second.rows] == ["a2", "a1"]
    drafts = queries.admin_articles(db, actor, published="no")
    assert {r.slug for r in drafts.rows} == {"a1", "a3"}
    with pytest.raises(PermissionDenied):
        queries.admin_articles(db, load_actor(db, make_user(db, BuiltinRole.CUSTOMER).id))


def test_delete_article(db, admin):
    a = _article(db, admin)
    service.delete_article(db, actor_id=admin.id, article_id=a.id)
    assert db.get(HelpArticle, a.id) is None
    with pytest.raises(NotFound):
        service.delete_article(db, actor_id=admin.id, article_id=a.id)
