"""Help article actions: the only writers of this module (HELP_MANAGE).

One function = one user action = one transaction: reload the actor, check, write, audit, commit.
The search column is written here from the title, section and body.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cabinet import audit
from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import NotFound, ValidationFailed
from cabinet.help import rules
from models import HelpArticle
from models.base import utcnow


class SlugTaken(ValidationFailed):
    default = "Статья с таким адресом уже есть — выберите другой адрес."

    def __init__(self) -> None:
        super().__init__(field="slug")


def _snapshot(a: HelpArticle) -> dict[str, Any]:
    return {
        "slug": a.slug,
        "title": a.title,
        "section": a.section,
        "position": a.position,
        "is_published": a.is_published,
        "body_length": len(a.body),
    }


def _slug_taken(session: Session, slug: str, own_id: int | None) -> bool:
    row = session.exec(select(HelpArticle.id).where(HelpArticle.slug == slug)).first()
    return row is not None and row != own_id


def _apply(article: HelpArticle, data: rules.ArticleInput, published: bool, actor_id: int) -> None:
    article.title = data.title
    article.slug = data.slug
    article.section = data.section
    article.body = data.body
    article.position = data.position
    article.is_published = bool(published)
    article.search_text = rules.search_text(data.title, data.section, data.body)
    article.updated_by_id = actor_id
    article.updated_at = utcnow()


def _commit(session: Session) -> None:
    try:
        session.commit()
    except IntegrityError:  # the same slug saved a moment ago by someone else
        session.rollback()
        raise SlugTaken() from None


def create_article(
    session: Session,
    *,
    actor_id: int,
    title: str,
    body: str,
    slug: str = "",
    section: str = "",
    position: int | str = 100,
    published: bool = False,
    ip: str = "",
) -> HelpArticle:
    actor = require(load_actor(session, actor_id), Perm.HELP_MANAGE)
    data = rules.clean_article(
        title=title, slug=slug, section=section, body=body, position=position
    )
    if _slug_taken(session, data.slug, None):
        raise SlugTaken()
    article = HelpArticle(slug=data.slug, title=data.title, created_by_id=actor.id)
    _apply(article, data, published, actor.id)
    session.add(article)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise SlugTaken() from None
    audit.record(
        session,
        actor_id=actor.id,
        action="help.create",
        object_type="help_article",
        object_id=article.id,
        after=_snapshot(article),
        ip=ip,
    )
    _commit(session)
    return article


def _locked(session: Session, article_id: int) -> HelpArticle:
    article = session.exec(
        select(HelpArticle).where(HelpArticle.id == article_id).with_for_update()
    ).first()
    if article is None:
        raise NotFound("Статья не найдена.")
    session.refresh(article)
    return article


def update_article(
    session: Session,
    *,
    actor_id: int,
    article_id: int,
    title: str,
    body: str,
    slug: str = "",
    section: str = "",
    position: int | str = 100,
    published: bool = False,
    ip: str = "",
) -> HelpArticle:
    actor = require(load_actor(session, actor_id), Perm.HELP_MANAGE)
    data = rules.clean_article(
        title=title, slug=slug, section=section, body=body, position=position
    )
    article = _locked(session, article_id)
    if _slug_taken(session, data.slug, article.id):
        raise SlugTaken()
    before = _snapshot(article)
    _apply(article, data, published, actor.id)
    session.add(article)
    audit.record(
        session,
        actor_id=actor.id,
        action="help.update",
        object_type="help_article",
        object_id=article.id,
        before=before,
        after=_snapshot(article),
        ip=ip,
    )
    _commit(session)
    return article


def set_published(
    session: Session, *, actor_id: int, article_id: int, published: bool, ip: str = ""
) -> HelpArticle:
    actor = require(load_actor(session, actor_id), Perm.HELP_MANAGE)
    article = _locked(session, article_id)
    before = _snapshot(article)
    article.is_published = bool(published)
    article.updated_by_id = actor.id
    article.updated_at = utcnow()
    session.add(article)
    audit.record(
        session,
        actor_id=actor.id,
        action="help.publish" if published else "help.unpublish",
        object_type="help_article",
        object_id=article.id,
        before=before,
        after=_snapshot(article),
        ip=ip,
    )
    session.commit()
    return article


def delete_article(session: Session, *, actor_id: int, article_id: int, ip: str = "") -> None:
    actor = require(load_actor(session, actor_id), Perm.HELP_MANAGE)
    article = _locked(session, article_id)
    before = _snapshot(article)
    session.delete(article)
    audit.record(
        session,
        actor_id=actor.id,
        action="help.delete",
        object_type="help_article",
        object_id=article_id,
        before=before,
        ip=ip,
    )
    session.commit()


DEMO_ARTICLES: list[dict[str, Any]] = [
    {
        "slug": "registratsiya",
        "title": "Регистрация в личном кабинете",
        "section": "Начало работы",
        "position": 10,
        "body": (
            "## Как зарегистрироваться\n\n"
            "1. Откройте страницу **Регистрация** и укажите ФИО, e-mail и номер телефона.\n"
            "2. Придумайте пароль: не короче 8 символов, с буквами и цифрами.\n"
            "3. Введите коды, которые придут на e-mail и по SMS.\n\n"
            "После подтверждения обоих контактов кабинет откроется полностью.\n\n"
            "> Код не пришёл? Проверьте папку «Спам» и запросите код повторно через минуту."
        ),
    },
    {
        "slug": "privyazka-k-organizatsii",
        "title": "Привязка к организации",
        "section": "Начало работы",
        "position": 20,
        "body": (
            "## Зачем привязываться\n\n"
            "Документы, заявки и обращения организации видны только её сотрудникам.\n\n"
            "## Как отправить запрос\n\n"
            "1. Откройте **Мои организации**.\n"
            "2. Укажите **ИНН** организации (10 цифр для юрлица, 12 — для ИП и физлица).\n"
            "3. Если организация ещё не зарегистрирована, заполните её реквизиты — "
            "часть данных подставится из справочника.\n\n"
            "Менеджер рассмотрит запрос; о решении придёт уведомление."
        ),
    },
    {
        "slug": "bezopasnost-i-2fa",
        "title": "Безопасность и двухфакторная аутентификация",
        "section": "Безопасность",
        "position": 30,
        "body": (
            "## Второй фактор\n\n"
            "В разделе **Безопасность** включите вход с одноразовым кодом из приложения "
            "(Google Authenticator, «Яндекс Ключ» и другие): отсканируйте QR-код и введите "
            "код из приложения.\n\n"
            "## Если телефон потерян\n\n"
            "Обратитесь к администратору: после проверки он сбросит второй фактор, и вы "
            "подключите новое приложение.\n\n"
            "## Сеансы\n\n"
            "В разделе **Мои сеансы** видно, где открыт кабинет; чужой сеанс можно завершить."
        ),
    },
]


def ensure_demo_articles(session: Session) -> None:
    """Demo help articles (idempotent, by slug; no audit, no commit)."""
    for item in DEMO_ARTICLES:
        if session.exec(select(HelpArticle.id).where(HelpArticle.slug == item["slug"])).first():
            continue
        data = rules.clean_article(**item)
        article = HelpArticle(slug=data.slug, title=data.title)
        _apply(article, data, True, 0)
        article.updated_by_id = None
        session.add(article)
    session.flush()
