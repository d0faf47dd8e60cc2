"""Feedback, surveys and quality ratings on a real database."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role, load_actor
from cabinet.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from cabinet.feedback import queries, rules, service
from models import (
    AuditEvent,
    Feedback,
    QualityRating,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from models.base import utcnow

pytestmark = pytest.mark.db

_seq = itertools.count(1)


def make_user(db, role: str | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Отзывов {n}", email=f"fb{n}@test.local", phone=f"+7907{n:07d}",
        password_hash="x",
    )  # fmt: skip
    db.add(user)
    db.flush()
    if role:
        grant_role(db, user_id=user.id, role_code=role)
    return user


@pytest.fixture
def w(db):
    ensure_builtin_roles(db)
    service.ensure_rating_subjects(db)

    class W:
        admin = make_user(db, BuiltinRole.ADMIN)
        operator = make_user(db, BuiltinRole.OPERATOR)
        manager = make_user(db, BuiltinRole.MANAGER)
        client = make_user(db, BuiltinRole.CUSTOMER)
        other = make_user(db, BuiltinRole.CUSTOMER)

    return W


# --------------------------------------------------------------------------- feedback


def test_logged_in_feedback_uses_own_email_and_audits(db, w):
    fb = service.send_feedback(
        db, actor_id=w.client.id, topic="question", text="Как сменить тариф связи?", ip="10.0.0.1"
    )
    assert fb.email == w.client.email and fb.name == w.client.full_name
    assert fb.status == "new" and fb.user_id == w.client.id
    ev = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "feedback.create", AuditEvent.object_id == str(fb.id)
        )
    ).one()
    assert ev.object_id == str(fb.id) and ev.actor_id == w.client.id


def test_anonymous_feedback_needs_valid_email(db, w):
    with pytest.raises(ValidationFailed) as e:
        service.send_feedback(db, actor_id=None, topic="other", text="Сайт не открывается")
    assert e.value.field == "email"
    fb = service.send_feedback(
        db,
        actor_id=None,
        topic="site_error",
        text="Сайт не открывается вечером",
        email="Guest@Example.ru",
        name="Гость",
        ip="10.0.0.2",
    )
    assert fb.user_id is None and fb.email == "guest@example.ru"


def test_anonymous_feedback_is_rate_limited_per_ip(db, w):
    for _ in range(rules.ANON_PER_IP_HOUR):
        service.send_feedback(
            db, actor_id=None, topic="other", text="Сообщение гостя", email="g@example.ru",
            ip="10.9.9.9",
        )  # fmt: skip
    with pytest.raises(RateLimited):
        service.send_feedback(
            db, actor_id=None, topic="other", text="Ещё одно сообщение", email="g@example.ru",
            ip="10.9.9.9",
        )  # fmt: skip
    # another address is not affected; nor is a logged-in user at the same address
    service.send_feedback(
        db, actor_id=None, topic="other", text="С другого адреса", email="h@example.ru",
        ip="10.9.9.8",
    )  # fmt: skip
    service.send_feedback(
        db, actor_id=w.client.id, topic="other", text="Я вошёл в кабинет", ip="10.9.9.9"
    )
    assert len(db.exec(select(Feedback).where(Feedback.ip == "10.9.9.9")).all()) == 6


@pytest.mark.parametrize(
    ("topic", "text", "field"),
    [("nope", "Достаточно длинный текст", "topic"), ("question", "коротко", "text"),
     ("question", "я" * (rules.TEXT_MAX + 1), "text")],
)  # fmt: skip
def test_bad_feedback_refused_with_field_and_nothing_written(db, w, topic, text, field):
    with pytest.raises(ValidationFailed) as e:
        service.send_feedback(db, actor_id=w.client.id, topic=topic, text=text)
    assert e.value.field == field
    assert db.exec(select(Feedback)).all() == []


def test_staff_list_scoped_to_feedback_view(db, w):
    service.send_feedback(db, actor_id=w.client.id, topic="question", text="Вопрос про СЧЁТ")
    service.send_feedback(db, actor_id=w.other.id, topic="complaint", text="Жалоба на связь")
    for staff in (w.admin, w.operator):
        page = queries.feedback_list(db, load_actor(db, staff.id))
        assert len(page.rows) == 2 and page.new_count == 2
    for outsider in (w.client, w.manager):
        with pytest.raises(PermissionDenied):
            queries.feedback_list(db, load_actor(db, outsider.id))
    with pytest.raises(PermissionDenied):
        queries.feedback_list(db, None)


def test_staff_filters_and_cyrillic_search(db, w):
    a = service.send_feedback(db, actor_id=w.client.id, topic="question", text="Вопрос про СЧЁТ")
    service.send_feedback(db, actor_id=w.other.id, topic="complaint", text="Жалоба на связь")
    actor = load_actor(db, w.admin.id)
    assert [r.id for r in queries.feedback_list(db, actor, q="счет").rows] == [a.id]
    assert [r.topic for r in queries.feedback_list(db, actor, topic="complaint").rows] == [
        "complaint"
    ]
    service.set_feedback_status(db, actor_id=w.admin.id, feedback_id=a.id, status="answered")
    answered = queries.feedback_list(db, actor, status="answered")
    assert [r.id for r in answered.rows] == [a.id] and answered.new_count == 1


def test_status_change_by_staff_only_and_audited(db, w):
    fb = service.send_feedback(db, actor_id=w.client.id, topic="question", text="Вопрос про счёт")
    with pytest.raises(PermissionDenied):
        service.set_feedback_status(db, actor_id=w.client.id, feedback_id=fb.id, status="read")
    with pytest.raises(ValidationFailed):
        service.set_feedback_status(db, actor_id=w.operator.id, feedback_id=fb.id, status="gone")
    service.set_feedback_status(
        db, actor_id=w.operator.id, feedback_id=fb.id, status="answered", note="Позвонили"
    )
    db.refresh(fb)
    assert fb.status == "answered" and fb.read_at and fb.answered_at
    assert fb.staff_note == "Позвонили" and fb.handled_by_id == w.operator.id
    ev = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "feedback.status", AuditEvent.object_id == str(fb.id)
        )
    ).one()
    assert ev.before["status"] == "new" and ev.after["status"] == "answered"
    with pytest.raises(NotFound):
        service.set_feedback_status(db, actor_id=w.admin.id, feedback_id=10**9, status="read")


def test_feedback_notifies_staff_when_catalog_knows_the_event(db, w):
    from cabinet.notifications.catalog import EVENTS
    from models import Notification

    fb = service.send_feedback(db, actor_id=w.client.id, topic="question", text="Есть вопрос!")
    got = db.exec(select(Notification.user_id)).all()
    if service.FEEDBACK_EVENT in EVENTS:
        assert w.admin.id in got and w.operator.id in got and w.client.id not in got
    else:
        assert got == []
    assert fb.id


# --------------------------------------------------------------------------- surveys


def _survey(db, w, active=True):
    s = service.create_survey(db, actor_id=w.admin.id, title="Качество обслуживания")
    scale = service.add_question(
        db, actor_id=w.admin.id, survey_id=s.id, kind="scale", text="Оцените работу кабинета"
    )
    choice = service.add_question(
        db, actor_id=w.admin.id, survey_id=s.id, kind="choice", text="Как часто заходите?",
        options="Каждый день\nРаз в неделю\nРеже",
    )  # fmt: skip
    text = service.add_question(
        db, actor_id=w.admin.id, survey_id=s.id, kind="text", text="Что улучшить?",
        required=False,
    )  # fmt: skip
    if active:
        service.set_survey_active(db, actor_id=w.admin.id, survey_id=s.id, active=True)
    return s, scale, choice, text


def test_survey_management_needs_surveys_manage(db, w):
    for who in (w.client, w.operator, w.manager):
        with pytest.raises(PermissionDenied):
            service.create_survey(db, actor_id=who.id, title="Опрос")
    s, _scale, *_ = _survey(db, w)
    with pytest.raises(PermissionDenied):
        service.add_question(db, actor_id=w.operator.id, survey_id=s.id, kind="scale", text="Ещё?")
    with pytest.raises(PermissionDenied):
        queries.survey_stats(db, load_actor(db, w.operator.id), s.id)


def test_survey_cannot_be_activated_without_questions(db, w):
    s = service.create_survey(db, actor_id=w.admin.id, title="Пустой опрос")
    with pytest.raises(ValidationFailed):
        service.set_survey_active(db, actor_id=w.admin.id, survey_id=s.id, active=True)


def test_questions_keep_order_and_move(db, w):
    s, scale, choice, text = _survey(db, w, active=False)
    service.move_question(db, actor_id=w.admin.id, question_id=text.id, up=True)
    card = queries.survey_for_edit(db, load_actor(db, w.admin.id), s.id)
    assert [q.id for q in card.questions] == [scale.id, text.id, choice.id]
    service.delete_question(db, actor_id=w.admin.id, question_id=scale.id)
    card = queries.survey_for_edit(db, load_actor(db, w.admin.id), s.id)
    assert [q.id for q in card.questions] == [text.id, choice.id]


def test_answer_once_per_user(db, w):
    s, scale, choice, text = _survey(db, w)
    answers = {str(scale.id): "4", str(choice.id): "Раз в неделю", str(text.id): "Тёмную тему"}
    service.answer_survey(db, actor_id=w.client.id, survey_id=s.id, answers=answers)
    with pytest.raises(service.AlreadyAnswered):
        service.answer_survey(db, actor_id=w.client.id, survey_id=s.id, answers=answers)
    assert len(db.exec(select(SurveyResponse)).all()) == 1
    assert len(db.exec(select(SurveyAnswer)).all()) == 3
    cards = queries.active_surveys(db, load_actor(db, w.client.id))
    assert [c.answered for c in cards] == [True]
    assert [c.answered for c in queries.active_surveys(db, load_actor(db, w.other.id))] == [False]


@pytest.mark.parametrize(
    "bad",
    [{"scale": "6"}, {"scale": "abc"}, {"choice": "Никогда"}, {"scale": ""}],
)
def test_bad_answers_write_nothing(db, w, bad):
    s, scale, choice, _text = _survey(db, w)
    ids = {"scale": scale.id, "choice": choice.id}
    answers = {str(scale.id): "5", str(choice.id): "Реже"}
    for k, v in bad.items():
        answers[str(ids[k])] = v
    with pytest.raises(ValidationFailed):
        service.answer_survey(db, actor_id=w.client.id, survey_id=s.id, answers=answers)
    assert db.exec(select(SurveyResponse)).all() == []
    assert db.exec(select(SurveyAnswer)).all() == []


def test_inactive_survey_cannot_be_answered(db, w):
    s, scale, choice, _ = _survey(db, w, active=False)
    with pytest.raises(NotFound):
        service.answer_survey(
            db, actor_id=w.client.id, survey_id=s.id,
            answers={str(scale.id): "5", str(choice.id): "Реже"},
        )  # fmt: skip
    assert queries.active_surveys(db, load_actor(db, w.client.id)) == []


def test_answered_question_cannot_be_deleted(db, w):
    s, scale, choice, _ = _survey(db, w)
    service.answer_survey(
        db, actor_id=w.client.id, survey_id=s.id,
        answers={str(scale.id): "5", str(choice.id): "Реже"},
    )  # fmt: skip
    with pytest.raises(Exception, match="уже отвечали"):
        service.delete_question(db, actor_id=w.admin.id, question_id=scale.id)
    assert db.get(SurveyQuestion, scale.id) is not None


def test_survey_statistics_figures(db, w):
    s, scale, choice, text = _survey(db, w)
    people = [w.client, w.other, w.operator, w.manager]
    scores = ["5", "4", "4", "1"]
    picks = ["Каждый день", "Реже", "Реже", "Реже"]
    texts = ["Быстрее отвечать", "", "Тёмную тему", ""]
    for p, sc, ch, tx in zip(people, scores, picks, texts, strict=True):
        service.answer_survey(
            db, actor_id=p.id, survey_id=s.id,
            answers={str(scale.id): sc, str(choice.id): ch, str(text.id): tx},
        )  # fmt: skip
    stats = queries.survey_stats(db, load_actor(db, w.admin.id), s.id)
    assert stats.survey.responses == 4
    q_scale, q_choice, q_text = stats.questions
    assert q_scale.answers == 4 and q_scale.average == 3.5
    assert [(b.label, b.count) for b in q_scale.bars] == [
        ("1", 1), ("2", 0), ("3", 0), ("4", 2), ("5", 1),
    ]  # fmt: skip
    assert [(b.label, b.count) for b in q_choice.bars] == [
        ("Каждый день", 1), ("Раз в неделю", 0), ("Реже", 3),
    ]  # fmt: skip
    assert q_text.answers == 2
    assert [t.text for t in q_text.texts] == ["Тёмную тему", "Быстрее отвечать"]


# --------------------------------------------------------------------------- ratings


def test_rating_saves_with_one_click_and_revises_within_window(db, w):
    r1 = service.rate(db, actor_id=w.client.id, subject_code="connection", stars=2)
    r2 = service.rate(
        db, actor_id=w.client.id, subject_code="connection", stars=3, comment="Обрывы вечером"
    )
    assert r1.id == r2.id and r2.stars == 3 and r2.comment == "Обрывы вечером"
    assert len(db.exec(select(QualityRating)).all()) == 1
    # after the window a click is a new rating
    r2.created_at = utcnow() - rules.REVISE_WINDOW - timedelta(minutes=1)
    db.add(r2)
    db.flush()
    r3 = service.rate(db, actor_id=w.client.id, subject_code="connection", stars=5)
    assert r3.id != r1.id
    assert queries.my_recent_ratings(db, load_actor(db, w.client.id)) == {"connection": 5}
    actions = db.exec(
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "quality_rating")
        .order_by(AuditEvent.id)
    ).all()
    assert actions == ["rating.create", "rating.update", "rating.create"]


@pytest.mark.parametrize("stars", [0, 6, "x", None, -1])
def test_rating_bounds(db, w, stars):
    with pytest.raises(ValidationFailed):
        service.rate(db, actor_id=w.client.id, subject_code="connection", stars=stars)
    assert db.exec(select(QualityRating)).all() == []


def test_rating_unknown_subject(db, w):
    with pytest.raises(NotFound):
        service.rate(db, actor_id=w.client.id, subject_code="nope", stars=5)


def test_rating_statistics(db, w):
    for who, stars, comment in [
        (w.client, 5, ""), (w.other, 4, "Хорошо"), (w.operator, 2, "Медленно"),
    ]:  # fmt: skip
        service.rate(
            db, actor_id=who.id, subject_code="internet_speed", stars=stars, comment=comment
        )
    stats = {s.code: s for s in queries.rating_stats(db, load_actor(db, w.admin.id))}
    speed = stats["internet_speed"]
    assert speed.count == 3 and speed.average == pytest.approx(3.67)
    assert [b.count for b in speed.bars] == [0, 1, 0, 1, 1]
    assert [c.comment for c in speed.comments] == ["Медленно", "Хорошо"]
    assert stats["connection"].count == 0 and stats["connection"].average == 0.0
    with pytest.raises(PermissionDenied):
        queries.rating_stats(db, load_actor(db, w.client.id))


def test_staff_link_to_one_message(db, w):
    a = service.send_feedback(db, actor_id=w.client.id, topic="question", text="Первое сообщение")
    service.send_feedback(db, actor_id=w.other.id, topic="question", text="Второе сообщение")
    page = queries.feedback_list(db, load_actor(db, w.admin.id), feedback_id=a.id)
    assert [r.id for r in page.rows] == [a.id]
