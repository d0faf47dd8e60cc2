"""Every public handler of the feedback, survey, rating and help states, called as an anonymous
visitor and as a customer with damaging arguments: staff actions refused, nothing changes, no
staff data reaches the state. The public actions (feedback form, answering a survey, rating)
write only the caller's own rows.

Handlers are called directly on a state instance (the function the websocket would run); the
caller is whatever the session cookie says, resolved from the database.
"""

from __future__ import annotations

import dataclasses
import inspect
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from sqlmodel import Session, col, func, select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.access.state import SessionState
from cabinet.accounts.sessions import create_session
from cabinet.db import get_engine
from cabinet.feedback import queries as fq
from cabinet.feedback import service as fsvc
from cabinet.feedback import state as fs
from cabinet.help import service as hsvc
from cabinet.help import state as hs
from models import (
    AuditEvent,
    Feedback,
    HelpArticle,
    Notification,
    NotificationAttempt,
    NotificationDelivery,
    QualityRating,
    RatingSubject,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    User,
    UserRole,
    UserSession,
)
from models.base import utcnow

pytestmark = pytest.mark.db

STAFF_STATES = [
    fs.FeedbackAdminState,
    fs.SurveyAdminState,
    fs.SurveyEditState,
    fs.SurveyStatsState,
    fs.RatingStatsState,
    hs.HelpAdminState,
    hs.HelpEditState,
]
DATA_VARS = ("rows", "cards", "stats", "new_count")


@pytest.fixture
def world(migrated_engine) -> Iterator[dict[str, Any]]:
    """Committed rows (the states open their own sessions), removed afterwards."""
    tag = secrets.token_hex(4)
    now = utcnow()
    with Session(get_engine(), expire_on_commit=False) as s:
        ensure_builtin_roles(s)
        fsvc.ensure_rating_subjects(s)
        users = {}
        for key, role in [("admin", BuiltinRole.ADMIN), ("customer", None), ("victim", None)]:
            u = User(
                full_name=f"{key} {tag}",
                email=f"{key}-{tag}@test.local",
                phone=f"+7908{secrets.randbelow(10**7):07d}",
                password_hash="x",
                email_confirmed_at=now,
                phone_confirmed_at=now,
            )
            s.add(u)
            s.flush()
            if role:
                grant_role(s, user_id=u.id, role_code=role)
            users[key] = u
        token = create_session(s, user_id=users["customer"].id)
        s.commit()
        fb = fsvc.send_feedback(
            s, actor_id=users["victim"].id, topic="complaint", text=f"Секретная жалоба {tag}"
        )
        article = hsvc.create_article(
            s, actor_id=users["admin"].id, title=f"Черновик {tag}", body="Тайный текст",
            slug=f"draft-{tag}",
        )  # fmt: skip
        survey = fsvc.create_survey(s, actor_id=users["admin"].id, title=f"Опрос {tag}")
        q = fsvc.add_question(
            s, actor_id=users["admin"].id, survey_id=survey.id, kind="scale", text="Оценка?"
        )
        fsvc.set_survey_active(s, actor_id=users["admin"].id, survey_id=survey.id, active=True)
        fsvc.answer_survey(
            s, actor_id=users["victim"].id, survey_id=survey.id, answers={str(q.id): "2"}
        )
    yield {
        "tag": tag,
        "token": token,
        "feedback": fb,
        "article": article,
        "survey": survey,
        "question": q,
        **users,
    }
    with Session(get_engine()) as s:
        ids = [u.id for u in users.values()]
        # feedback.received notifications of this test (to every holder of FEEDBACK_VIEW)
        notes = s.exec(
            select(Notification.id).where(
                Notification.event == "feedback.received", Notification.created_at >= now
            )
        ).all()
        dels = s.exec(
            select(NotificationDelivery.id).where(
                col(NotificationDelivery.notification_id).in_(notes)
                | col(NotificationDelivery.user_id).in_(ids)
            )
        ).all()
        for model, cond in [
            (NotificationAttempt, col(NotificationAttempt.delivery_id).in_(dels)),
            (NotificationDelivery, col(NotificationDelivery.id).in_(dels)),
            (Notification, col(Notification.id).in_(notes) | col(Notification.user_id).in_(ids)),
        ]:
            for row in s.exec(select(model).where(cond)).all():
                s.delete(row)
            s.flush()
        rsp = s.exec(select(SurveyResponse.id).where(SurveyResponse.survey_id == survey.id)).all()
        for model, cond in [
            (SurveyAnswer, col(SurveyAnswer.response_id).in_(rsp)),
            (SurveyResponse, SurveyResponse.survey_id == survey.id),
            (SurveyQuestion, SurveyQuestion.survey_id == survey.id),
            (Survey, Survey.id == survey.id),
            (HelpArticle, col(HelpArticle.created_by_id).in_(ids)),
            (
                AuditEvent,
                (AuditEvent.object_type == "feedback")
                & col(AuditEvent.object_id).in_(
                    [
                        str(i)
                        for i in s.exec(
                            select(Feedback.id).where(
                                col(Feedback.user_id).in_(ids)
                                | col(Feedback.email).like(f"%{tag}%")
                            )
                        ).all()
                    ]
                ),
            ),
            (Feedback, col(Feedback.user_id).in_(ids)),
            (Feedback, col(Feedback.email).like(f"%{tag}%")),
            (QualityRating, col(QualityRating.user_id).in_(ids)),
            (AuditEvent, col(AuditEvent.actor_id).in_(ids)),
            (UserSession, col(UserSession.user_id).in_(ids)),
            (UserRole, col(UserRole.user_id).in_(ids)),
        ]:
            for row in s.exec(select(model).where(cond)).all():
                s.delete(row)
            s.flush()
        for u in ids:
            s.delete(s.get(User, u))
        s.commit()


def _snapshot(w: dict[str, Any]) -> dict[str, Any]:
    with Session(get_engine()) as s:
        fb = s.get(Feedback, w["feedback"].id)
        art = s.get(HelpArticle, w["article"].id)
        sv = s.get(Survey, w["survey"].id)
        return {
            "feedback": (fb.status, fb.staff_note) if fb else None,
            "article": (art.title, art.is_published, art.body) if art else None,
            "survey": (sv.title, sv.is_active) if sv else None,
            "articles": s.exec(select(func.count()).select_from(HelpArticle)).one(),
            "surveys": s.exec(select(func.count()).select_from(Survey)).one(),
            "questions": s.exec(
                select(SurveyQuestion.id, SurveyQuestion.position).order_by(SurveyQuestion.id)
            ).all(),
            "subjects": s.exec(select(func.count()).select_from(RatingSubject)).one(),
        }


def _args(w: dict[str, Any], handler: Any) -> list[Any]:
    hostile_form = {
        "title": "Взлом",
        "description": "",
        "text": "Вопрос от взломщика",
        "kind": "scale",
        "options": "",
        "required": "on",
        "q": "",
        "status": "answered",
        "topic": "question",
    }
    by_name = {
        "form_data": hostile_form,
        "status": "answered",
        "feedback_id": w["feedback"].id,
        "article_id": w["article"].id,
        "published": True,
        "question_id": w["question"].id,
        "up": True,
        "value": True,
        "key": "title",
        "code": "connection",
        "stars": 1,
    }
    return [by_name[p] for p in list(inspect.signature(handler.fn).parameters)[1:]]


def _public_handlers(cls: type[rx.State]) -> list[str]:
    own = set(SessionState.event_handlers)
    return sorted(n for n in cls.event_handlers if not n.startswith("_") and n not in own)


def _instance(cls: type[rx.State], token: str, w: dict[str, Any]) -> Any:
    """A state whose remembered ids point at the victim's objects (the worst case)."""
    st = rx.State(_reflex_internal_init=True).get_substate(cls.get_full_name().split(".")[1:])
    st.token = token
    if cls is fs.FeedbackAdminState:
        st.dlg_id = w["feedback"].id
        st.dlg_note = "взлом"
    if cls is fs.SurveyEditState:
        st.card = dataclasses.replace(fq.EMPTY_SURVEY, id=w["survey"].id)
    if cls is hs.HelpEditState:
        st.article_id = w["article"].id
        st.form = {"title": "Взлом", "slug": "vzlom", "section": "", "body": "x", "position": "1"}
    return st


def test_every_staff_handler_is_covered():
    names = {f"{c.__name__}.{n}" for c in STAFF_STATES for n in _public_handlers(c)}
    assert {
        "FeedbackAdminState.mark",
        "HelpEditState.delete",
        "SurveyEditState.set_active",
    } <= names
    assert len(names) >= 25


@pytest.mark.parametrize("who", ["anonymous", "customer"])
@pytest.mark.parametrize(
    ("cls", "name"), [(c, n) for c in STAFF_STATES for n in _public_handlers(c)], ids=str
)
def test_staff_handler_refuses_and_changes_nothing(world, who, cls, name):
    token = "" if who == "anonymous" else world["token"]
    st = _instance(cls, token, world)
    before = _snapshot(world)
    cls.event_handlers[name].fn(st, *_args(world, cls.event_handlers[name]))
    assert _snapshot(world) == before
    for var in DATA_VARS:
        if var in cls.vars:
            value = getattr(st, var)
            assert not getattr(value, "questions", value), f"{cls.__name__}.{var}"
    if cls is hs.HelpEditState:
        assert world["tag"] not in str(st.form)
    if name == "load" and who == "customer" and "allowed" in cls.vars:
        assert st.allowed is False


def test_anonymous_feedback_through_the_form_state(world):
    st = _instance(fs.FeedbackFormState, "", world)
    email = f"guest-{world['tag']}@example.ru"
    form = {"topic": "other", "text": "Сообщение без входа", "email": email}
    fs.FeedbackFormState.event_handlers["submit"].fn(st, form)
    assert st.sent and not st.errors
    with Session(get_engine()) as s:
        row = s.exec(select(Feedback).where(Feedback.email == email)).one()
        assert row.user_id is None and row.status == "new"
    st.sent = False
    fs.FeedbackFormState.event_handlers["submit"].fn(st, {**form, "email": "not-an-email"})
    assert not st.sent and "email" in st.errors


def test_public_actions_write_only_the_callers_rows(world):
    cust = world["customer"].id
    surveys = _instance(fs.SurveysState, world["token"], world)
    answers = {"survey_id": str(world["survey"].id), f"q{world['question'].id}": "5"}
    fs.SurveysState.event_handlers["submit"].fn(surveys, answers)
    fs.SurveysState.event_handlers["submit"].fn(surveys, answers)  # a second time: refused
    assert "уже ответили" in surveys.errors[str(world["survey"].id)]
    rating = _instance(fs.RatingState, world["token"], world)
    fs.RatingState.event_handlers["rate"].fn(rating, "connection", 4)
    fs.RatingState.event_handlers["rate"].fn(rating, "connection", 99)
    anonymous = _instance(fs.RatingState, "", world)
    fs.RatingState.event_handlers["rate"].fn(anonymous, "connection", 5)
    with Session(get_engine()) as s:
        responses = s.exec(
            select(SurveyResponse.user_id).where(SurveyResponse.survey_id == world["survey"].id)
        ).all()
        assert sorted(responses) == sorted([world["victim"].id, cust])
        ratings = s.exec(select(QualityRating.user_id, QualityRating.stars)).all()
        assert [r for r in ratings if r[0] in (cust, None)] == [(cust, 4)]
    assert rating.mine == {"connection": 4}


def test_admin_sees_and_acts_through_the_same_handlers(world):
    with Session(get_engine(), expire_on_commit=False) as s:
        token = create_session(s, user_id=world["admin"].id)
        s.commit()
    st = _instance(fs.FeedbackAdminState, token, world)
    fid = world["feedback"].id
    st.router = RouterData.from_router_data(
        {
            "pathname": "/admin/feedback",
            "asPath": f"/admin/feedback?id={fid}",
            "headers": {"origin": "http://localhost:3000"},
        }
    )
    opened = fs.FeedbackAdminState.event_handlers["load"].fn(st)
    assert st.allowed and [r.id for r in st.rows] == [fid] and opened is not None
    fs.FeedbackAdminState.event_handlers["open_item"].fn(st, world["feedback"].id)
    fs.FeedbackAdminState.event_handlers["set_dlg_note"].fn(st, "Позвонили клиенту")
    fs.FeedbackAdminState.event_handlers["mark"].fn(st, "answered")
    with Session(get_engine()) as s:
        fb = s.get(Feedback, world["feedback"].id)
        assert fb.status == "answered" and fb.staff_note == "Позвонили клиенту"
        actions = s.exec(
            select(AuditEvent.action).where(
                AuditEvent.actor_id == world["admin"].id, AuditEvent.object_type == "feedback"
            )
        ).all()
        assert actions == ["feedback.status", "feedback.status"]
