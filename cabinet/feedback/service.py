"""Feedback, survey and rating actions: the only writers of this module.

One function = one user action = one transaction: reload the actor, check, write, audit,
commit. Anonymous feedback (no actor) is limited per IP address.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from cabinet import audit, routes
from cabinet.access.rules import Perm
from cabinet.access.service import load_actor, require
from cabinet.accounts.rules import normalize_email
from cabinet.errors import DomainError, NotFound, RateLimited, ValidationFailed
from cabinet.feedback import rules
from cabinet.help.rules import normalise
from models import (
    Feedback,
    QualityRating,
    RatingSubject,
    RolePermission,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    UserRole,
)
from models.base import utcnow
from models.feedback import FeedbackStatus, QuestionKind

FEEDBACK_EVENT = "feedback.received"


class AlreadyAnswered(DomainError):
    default = "Вы уже ответили на этот опрос. Спасибо!"


# --------------------------------------------------------------------------- feedback


def _feedback_snapshot(f: Feedback) -> dict[str, Any]:
    return {
        "user_id": f.user_id,
        "topic": f.topic,
        "status": f.status,
        "email": f.email,
        "text_length": len(f.text),
        "staff_note": f.staff_note,
    }


def _count_since(session: Session, *conds: Any, within: timedelta) -> int:
    stmt = (
        select(func.count())
        .select_from(Feedback)
        .where(Feedback.created_at > utcnow() - within, *conds)
    )
    return int(session.exec(stmt).one())


def feedback_recipients(session: Session) -> list[int]:
    """Staff who read feedback: holders of FEEDBACK_VIEW platform-wide."""
    return sorted(
        set(
            session.exec(
                select(UserRole.user_id)
                .join(RolePermission, col(RolePermission.role_id) == col(UserRole.role_id))
                .where(
                    RolePermission.permission == Perm.FEEDBACK_VIEW,
                    col(UserRole.organisation_id).is_(None),
                )
            ).all()
        )
    )


def _notify_staff(session: Session, fb: Feedback) -> bool:
    """Tell the staff through the notification engine, when its catalog knows the event."""
    try:
        from cabinet.notifications.catalog import EVENTS
        from cabinet.notifications.service import emit
    except ImportError:  # pragma: no cover - the engine is part of the portal
        return False
    if FEEDBACK_EVENT not in EVENTS:
        return False
    ids = [i for i in feedback_recipients(session) if i != fb.user_id]
    if not ids:
        return False
    topic = rules.TOPICS.get(fb.topic, (fb.topic, fb.topic))[0]
    emit(
        session,
        event=FEEDBACK_EVENT,
        recipient_ids=ids,
        context={
            "feedback_number": str(fb.id),
            "topic": topic,
            "author_name": fb.name or fb.email,
            "email": fb.email,
            "text": fb.text[:500],
        },
        link=routes.with_query(routes.ADMIN_FEEDBACK, id=fb.id),
    )
    return True


def send_feedback(
    session: Session,
    *,
    actor_id: int | None,
    topic: str,
    text: str,
    name: str = "",
    email: str = "",
    contact: str = "",
    ip: str = "",
) -> Feedback:
    """A message to the site administrator. A logged-in user answers to their own e-mail;
    an anonymous visitor must give one, and one address may send only a few an hour."""
    data = rules.clean_feedback(topic=topic, text=text, name=name, email=email, contact=contact)
    ip = (ip or "")[:64]
    if actor_id is not None:
        actor = load_actor(session, actor_id)
        name, address = actor.full_name, actor.email
        if (
            _count_since(session, Feedback.user_id == actor.id, within=timedelta(hours=1))
            >= rules.USER_PER_HOUR
        ):
            raise RateLimited("Вы отправили много сообщений за час. Попробуйте позже.")
    else:
        address = normalize_email(data.email, field="email")
        name = data.name
        if (
            _count_since(
                session,
                col(Feedback.user_id).is_(None),
                Feedback.ip == ip,
                within=timedelta(hours=1),
            )
            >= rules.ANON_PER_IP_HOUR
        ):
            raise RateLimited("Слишком много сообщений с вашего адреса. Попробуйте через час.")
    fb = Feedback(
        user_id=actor_id,
        topic=data.topic,
        text=data.text,
        name=name,
        email=address,
        contact=data.contact,
        ip=ip,
        search_text=normalise(f"{data.text} {name} {address} {data.contact}"),
    )
    session.add(fb)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="feedback.create",
        object_type="feedback",
        object_id=fb.id,
        after=_feedback_snapshot(fb),
        ip=ip,
    )
    _notify_staff(session, fb)
    session.commit()
    return fb


def set_feedback_status(
    session: Session,
    *,
    actor_id: int,
    feedback_id: int,
    status: str,
    note: str | None = None,
    ip: str = "",
) -> Feedback:
    """Staff mark a message new / read / answered, optionally with an internal note."""
    actor = require(load_actor(session, actor_id), Perm.FEEDBACK_VIEW)
    if not rules.feedback_status_allowed(status):
        raise ValidationFailed("Неизвестный статус.", field="status")
    if note is not None:
        note = note.replace("\r\n", "\n").strip()
        if len(note) > rules.NOTE_MAX:
            raise ValidationFailed(f"Заметка: не длиннее {rules.NOTE_MAX} символов.", field="note")
    fb = session.exec(select(Feedback).where(Feedback.id == feedback_id).with_for_update()).first()
    if fb is None:
        raise NotFound("Сообщение не найдено.")
    session.refresh(fb)
    before = _feedback_snapshot(fb)
    now = utcnow()
    fb.status = status
    if status != FeedbackStatus.NEW and fb.read_at is None:
        fb.read_at = now
    if status == FeedbackStatus.ANSWERED and fb.answered_at is None:
        fb.answered_at = now
    if status == FeedbackStatus.NEW:
        fb.read_at = None
        fb.answered_at = None
    if note is not None:
        fb.staff_note = note
    fb.handled_by_id = actor.id
    session.add(fb)
    audit.record(
        session,
        actor_id=actor.id,
        action="feedback.status",
        object_type="feedback",
        object_id=fb.id,
        before=before,
        after=_feedback_snapshot(fb),
        ip=ip,
    )
    session.commit()
    return fb


# --------------------------------------------------------------------------- surveys


def _survey_snapshot(s: Survey) -> dict[str, Any]:
    return {"title": s.title, "description": s.description, "is_active": s.is_active}


def _locked_survey(session: Session, survey_id: int) -> Survey:
    survey = session.exec(select(Survey).where(Survey.id == survey_id).with_for_update()).first()
    if survey is None:
        raise NotFound("Опрос не найден.")
    session.refresh(survey)
    return survey


def _questions(session: Session, survey_id: int) -> list[SurveyQuestion]:
    return list(
        session.exec(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey_id)
            .order_by(col(SurveyQuestion.position), col(SurveyQuestion.id))
        ).all()
    )


def _response_count(session: Session, survey_id: int) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id)
        ).one()
    )


def create_survey(
    session: Session, *, actor_id: int, title: str, description: str = "", ip: str = ""
) -> Survey:
    actor = require(load_actor(session, actor_id), Perm.SURVEYS_MANAGE)
    title, description = rules.clean_survey(title=title, description=description)
    survey = Survey(title=title, description=description, created_by_id=actor.id)
    session.add(survey)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="survey.create",
        object_type="survey",
        object_id=survey.id,
        after=_survey_snapshot(survey),
        ip=ip,
    )
    session.commit()
    return survey


def update_survey(
    session: Session,
    *,
    actor_id: int,
    survey_id: int,
    title: str,
    description: str = "",
    ip: str = "",
) -> Survey:
    actor = require(load_actor(session, actor_id), Perm.SURVEYS_MANAGE)
    title, description = rules.clean_survey(title=title, description=description)
    survey = _locked_survey(session, survey_id)
    before = _survey_snapshot(survey)
    survey.title, survey.description, survey.updated_at = title, description, utcnow()
    session.add(survey)
    audit.record(
        session,
        actor_id=actor.id,
        action="survey.update",
        object_type="survey",
        object_id=survey.id,
        before=before,
        after=_survey_snapshot(survey),
        ip=ip,
    )
    session.commit()
    return survey


def set_survey_active(
    session: Session, *, actor_id: int, survey_id: int, active: bool, ip: str = ""
) -> Survey:
    actor = require(load_actor(session, actor_id), Perm.SURVEYS_MANAGE)
    survey = _locked_survey(session, survey_id)
    if active and not _questions(session, survey_id):
        raise ValidationFailed("Добавьте в опрос хотя бы один вопрос, затем включите его.")
    before = _survey_snapshot(survey)
    survey.is_active, survey.updated_at = bool(active), utcnow()
    session.add(survey)
    audit.record(
        session,
        actor_id=actor.id,
        action="survey.activate" if active else "survey.deactivate",
        object_type="survey",
        object_id=survey.id,
        before=before,
        after=_survey_snapshot(survey),
        ip=ip,
    )
    session.commit()
    return survey


def add_question(
    session: Session,
    *,
    actor_id: int,
    survey_id: int,
    kind: str,
    text: str,
    options: str | list[str] = "",
    required: bool = True,
    ip: str = "",
) -> SurveyQuestion:
    actor = require(load_actor(session, actor_id), Perm.SURVEYS_MANAGE)
    data = rules.clean_question(kind=kind, text=text, options=options, required=required)
    survey = _locked_survey(session, survey_id)
    existing = _questions(session, survey_id)
    if len(existing) >= rules.QUESTIONS_MAX:
        raise ValidationFailed(f"В опросе не больше {rules.QUESTIONS_MAX} вопросов.")
    position = max((q.position for q in existing), default=0) + 10
    q = SurveyQuestion(
        survey_id=survey_id,
        position=position,
        kind=data.kind,
        text=data.text,
        options=data.options or None,
        required=data.required,
    )
    session.add(q)
    survey.updated_at = utcnow()
    session.add(survey)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="survey.question_add",
        object_type="survey",
        object_id=survey_id,
        after={"question_id": q.id, "kind": q.kind, "text": q.text, "options": q.options},
        ip=ip,
    )
    session.commit()
    return q


def _locked_question(session: Session, question_id: int) -> tuple[Survey, SurveyQuestion]:
    q = session.get(SurveyQuestion, question_id)
    if q is None:
        raise NotFound("Вопрос не найден.")
    survey = _locked_survey(session, q.survey_id)
    session.refresh(q)
    return survey, q


def delete_question(session: Session, *, actor_id: int, question_id: int, ip: str = "") -> None:
    """Remove a question that nobody has answered yet (answers are never thrown away)."""
    actor = require(load_actor(session, actor_id), Perm.SURVEYS_MANAGE)
    survey, q = _locked_question(session, question_id)
    answered = session.exec(
        select(SurveyAnswer.id).where(SurveyAnswer.question_id == question_id).limit(1)
    ).first()
    if answered is not None:
        raise DomainError(
            "На этот вопрос уже отвечали — его нельзя удалить. Выключите опрос и создайте новый."
        )
    if survey.is_active and len(_questions(session, survey.id or 0)) == 1:
        raise DomainError("Нельзя удалить последний вопрос включённого опроса.")
    before = {"question_id": q.id, "kind": q.kind, "text": q.text}
    session.delete(q)
    audit.record(
        session,
        actor_id=actor.id,
        action="survey.question_delete",
        object_type="survey",
        object_id=survey.id,
        before=before,
        ip=ip,
    )
    session.commit()


def move_question(
    session: Session, *, actor_id: int, question_id: int, up: bool, ip: str = ""
) -> None:
    """Swap a question with its neighbour above (up) or below."""
    actor = require(load_actor(session, actor_id), Perm.SURVEYS_MANAGE)
    survey, q = _locked_question(session, question_id)
    qs = _questions(session, survey.id or 0)
    i = next(n for n, x in enumerate(qs) if x.id == q.id)
    j = i - 1 if up else i + 1
    if not 0 <= j < len(qs):
        return
    order = [x.id for x in qs]
    order[i], order[j] = order[j], order[i]
    for pos, x in enumerate(sorted(qs, key=lambda x: order.index(x.id)), start=1):
        x.position = pos * 10
        session.add(x)
    audit.record(
        session,
        actor_id=actor.id,
        action="survey.question_move",
        object_type="survey",
        object_id=survey.id,
        after={"order": order},
        ip=ip,
    )
    session.commit()


def question_specs(session: Session, survey_id: int) -> list[rules.QuestionSpec]:
    return [
        rules.QuestionSpec(
            id=q.id or 0,
            kind=q.kind,
            text=q.text,
            options=[str(o) for o in (q.options or [])],
            required=q.required,
        )
        for q in _questions(session, survey_id)
    ]


def answer_survey(
    session: Session,
    *,
    actor_id: int,
    survey_id: int,
    answers: dict[str, object] | dict[int, object],
    ip: str = "",
) -> SurveyResponse:
    """A user's answers to an active survey, once per survey; all answers or none."""
    actor = load_actor(session, actor_id)
    survey = session.get(Survey, survey_id)
    if survey is None or not survey.is_active:
        raise NotFound("Опрос не найден или уже завершён.")
    values = rules.clean_answers(question_specs(session, survey_id), answers)
    if session.exec(
        select(SurveyResponse.id).where(
            SurveyResponse.survey_id == survey_id, SurveyResponse.user_id == actor.id
        )
    ).first():
        raise AlreadyAnswered()
    response = SurveyResponse(survey_id=survey_id, user_id=actor.id)
    session.add(response)
    try:
        session.flush()
    except IntegrityError:  # a second tab answered a moment ago
        session.rollback()
        raise AlreadyAnswered() from None
    for v in values:
        if v.empty:
            continue
        session.add(
            SurveyAnswer(
                response_id=response.id or 0,
                question_id=v.question_id,
                score=v.score,
                choice=v.choice,
                text=v.text,
            )
        )
    audit.record(
        session,
        actor_id=actor.id,
        action="survey.answer",
        object_type="survey",
        object_id=survey_id,
        after={"response_id": response.id, "answered": sum(1 for v in values if not v.empty)},
        ip=ip,
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise AlreadyAnswered() from None
    return response


# --------------------------------------------------------------------------- ratings


def rate(
    session: Session,
    *,
    actor_id: int,
    subject_code: str,
    stars: object,
    comment: str | None = None,
    ip: str = "",
) -> QualityRating:
    """One click: save 1–5 stars for a subject. A second click (or a comment) soon after
    changes the same rating instead of adding another."""
    actor = load_actor(session, actor_id)
    value = rules.clean_stars(stars)
    text = rules.clean_rating_comment(comment) if comment is not None else None
    subject = session.exec(
        select(RatingSubject).where(
            RatingSubject.code == (subject_code or "")[:40], col(RatingSubject.is_active).is_(True)
        )
    ).first()
    if subject is None:
        raise NotFound("Нечего оценивать: раздел оценки не найден.")
    now = utcnow()
    recent = session.exec(
        select(QualityRating)
        .where(
            QualityRating.user_id == actor.id,
            QualityRating.subject_id == subject.id,
            QualityRating.created_at > now - rules.REVISE_WINDOW,
        )
        .order_by(col(QualityRating.id).desc())
        .limit(1)
        .with_for_update()
    ).first()
    if recent is not None:
        before: dict[str, Any] | None = {"stars": recent.stars, "comment": recent.comment}
        rating = recent
        rating.stars = value
        if text is not None:
            rating.comment = text
        rating.updated_at = now
    else:
        before = None
        rating = QualityRating(
            subject_id=subject.id or 0, user_id=actor.id, stars=value, comment=text or ""
        )
    session.add(rating)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="rating.update" if before else "rating.create",
        object_type="quality_rating",
        object_id=rating.id,
        before=before,
        after={"subject": subject.code, "stars": rating.stars, "comment": rating.comment},
        ip=ip,
    )
    session.commit()
    return rating


def ensure_rating_subjects(session: Session) -> None:
    """The shipped rating subjects (idempotent; no commit)."""
    for pos, (code, ru, en) in enumerate(rules.DEFAULT_SUBJECTS, start=1):
        if session.exec(select(RatingSubject.id).where(RatingSubject.code == code)).first():
            continue
        session.add(RatingSubject(code=code, name_ru=ru, name_en=en, position=pos * 10))
    session.flush()


def ensure_demo_survey(session: Session) -> None:
    """One active demo survey (idempotent by title; no audit, no commit)."""
    title = "Оцените наше обслуживание"
    if session.exec(select(Survey.id).where(Survey.title == title)).first():
        return
    survey = Survey(
        title=title,
        description="Три коротких вопроса — это займёт минуту. Ответы видят только сотрудники.",
        is_active=True,
    )
    session.add(survey)
    session.flush()
    questions = [
        (QuestionKind.SCALE, "Насколько вы довольны работой личного кабинета?", None),
        (
            QuestionKind.CHOICE,
            "Как быстро вы получаете ответы на обращения?",
            ["В тот же день", "За 1–2 дня", "Дольше", "Не обращался"],
        ),
        (QuestionKind.TEXT, "Что нам улучшить в первую очередь?", None),
    ]
    for pos, (kind, text, options) in enumerate(questions, start=1):
        session.add(
            SurveyQuestion(
                survey_id=survey.id or 0,
                position=pos * 10,
                kind=kind,
                text=text,
                options=options,
                required=kind != QuestionKind.TEXT,
            )
        )
    session.flush()


def load_demo(session: Session) -> None:
    """Demo help articles, rating subjects and a survey (called from cabinet.demo; no commit)."""
    from cabinet.help.service import ensure_demo_articles

    ensure_demo_articles(session)
    ensure_rating_subjects(session)
    ensure_demo_survey(session)
