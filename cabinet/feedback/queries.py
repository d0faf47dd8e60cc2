"""Reads of the feedback module: the staff feedback list, surveys and their statistics,
rating subjects and rating statistics. Plain dataclasses out; staff reads check the permission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import Session, col, func, select

from cabinet.access.rules import Actor, Perm
from cabinet.errors import NotFound, PermissionDenied
from cabinet.feedback import rules
from cabinet.formatting import fmt_dt
from cabinet.help.rules import like_pattern, search_terms
from cabinet.pagination import SortSpec, fetch_page
from models import (
    Feedback,
    QualityRating,
    RatingSubject,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyResponse,
    User,
)
from models.base import utcnow
from models.feedback import QuestionKind

PAGE_SIZE = 25
TEXT_ANSWERS_LIMIT = 200
RECENT_COMMENTS = 10


def _need(actor: Actor | None, perm: Perm) -> Actor:
    if actor is None or not actor.has(perm):
        raise PermissionDenied()
    return actor


# --------------------------------------------------------------------------- feedback


@dataclass
class FeedbackRow:
    id: int
    topic: str
    text: str
    short: str
    name: str
    email: str
    contact: str
    anonymous: bool
    status: str
    created_at: str
    staff_note: str


@dataclass
class FeedbackPage:
    rows: list[FeedbackRow]
    next_after: str
    prev_before: str
    new_count: int


FEEDBACK_ORDER = SortSpec(name="feedback", id=Feedback.id, descending=True)


def feedback_list(
    session: Session,
    actor: Actor | None,
    *,
    status: str = "",
    topic: str = "",
    q: str = "",
    feedback_id: int = 0,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> FeedbackPage:
    """Feedback for staff with FEEDBACK_VIEW, newest first, keyset pages, filters.
    `feedback_id`: just that message (the link in the staff notification)."""
    _need(actor, Perm.FEEDBACK_VIEW)
    stmt = select(Feedback)
    if feedback_id > 0:
        stmt = stmt.where(Feedback.id == feedback_id)
    if rules.feedback_status_allowed(status):
        stmt = stmt.where(Feedback.status == status)
    if topic in rules.TOPICS:
        stmt = stmt.where(Feedback.topic == topic)
    for term in search_terms(q):
        stmt = stmt.where(col(Feedback.search_text).like(like_pattern(term), escape="\\"))
    page = fetch_page(
        session, stmt, FEEDBACK_ORDER, after=after, before=before, limit=limit, scalars=True
    )
    new_count = int(
        session.exec(
            select(func.count()).select_from(Feedback).where(Feedback.status == "new")
        ).one()
    )
    rows = [
        FeedbackRow(
            id=f.id or 0,
            topic=f.topic,
            text=f.text,
            short=f.text if len(f.text) <= 140 else f.text[:140].rsplit(" ", 1)[0] + "…",
            name=f.name,
            email=f.email,
            contact=f.contact,
            anonymous=f.user_id is None,
            status=f.status,
            created_at=fmt_dt(f.created_at),
            staff_note=f.staff_note,
        )
        for f in page.rows
    ]
    return FeedbackPage(rows, page.next_after, page.prev_before, new_count)


# --------------------------------------------------------------------------- surveys


@dataclass
class QuestionRow:
    id: int
    position: int
    kind: str
    text: str
    options: list[str]
    required: bool


@dataclass
class SurveyCard:
    id: int
    title: str
    description: str
    is_active: bool
    answered: bool
    responses: int
    question_count: int
    created_at: str
    questions: list[QuestionRow] = field(default_factory=list)


EMPTY_SURVEY = SurveyCard(0, "", "", False, False, 0, 0, "")


def _question_rows(session: Session, survey_ids: list[int]) -> dict[int, list[QuestionRow]]:
    if not survey_ids:
        return {}
    out: dict[int, list[QuestionRow]] = {}
    for q in session.exec(
        select(SurveyQuestion)
        .where(col(SurveyQuestion.survey_id).in_(survey_ids))
        .order_by(
            col(SurveyQuestion.survey_id), col(SurveyQuestion.position), col(SurveyQuestion.id)
        )
    ).all():
        out.setdefault(q.survey_id, []).append(
            QuestionRow(
                id=q.id or 0,
                position=q.position,
                kind=q.kind,
                text=q.text,
                options=[str(o) for o in (q.options or [])],
                required=q.required,
            )
        )
    return out


def _response_counts(session: Session, survey_ids: list[int]) -> dict[int, int]:
    if not survey_ids:
        return {}
    return {
        sid: int(n)
        for sid, n in session.exec(
            select(SurveyResponse.survey_id, func.count())
            .where(col(SurveyResponse.survey_id).in_(survey_ids))
            .group_by(col(SurveyResponse.survey_id))
        ).all()
    }


def active_surveys(session: Session, actor: Actor) -> list[SurveyCard]:
    """Active surveys with their questions and whether the caller has answered."""
    surveys = session.exec(
        select(Survey).where(col(Survey.is_active).is_(True)).order_by(col(Survey.id).desc())
    ).all()
    ids = [s.id or 0 for s in surveys]
    questions = _question_rows(session, ids)
    answered = set(
        session.exec(
            select(SurveyResponse.survey_id).where(
                SurveyResponse.user_id == actor.id, col(SurveyResponse.survey_id).in_(ids)
            )
        ).all()
    )
    return [
        SurveyCard(
            id=s.id or 0,
            title=s.title,
            description=s.description,
            is_active=True,
            answered=s.id in answered,
            responses=0,
            question_count=len(questions.get(s.id or 0, [])),
            created_at=fmt_dt(s.created_at),
            questions=questions.get(s.id or 0, []),
        )
        for s in surveys
        if questions.get(s.id or 0)
    ]


def admin_surveys(session: Session, actor: Actor | None, *, limit: int = 200) -> list[SurveyCard]:
    """Every survey for SURVEYS_MANAGE, newest first (a handful: no paging needed past 200)."""
    _need(actor, Perm.SURVEYS_MANAGE)
    surveys = session.exec(select(Survey).order_by(col(Survey.id).desc()).limit(limit)).all()
    ids = [s.id or 0 for s in surveys]
    counts = _response_counts(session, ids)
    questions = _question_rows(session, ids)
    return [
        SurveyCard(
            id=s.id or 0,
            title=s.title,
            description=s.description,
            is_active=s.is_active,
            answered=False,
            responses=counts.get(s.id or 0, 0),
            question_count=len(questions.get(s.id or 0, [])),
            created_at=fmt_dt(s.created_at),
        )
        for s in surveys
    ]


def survey_for_edit(session: Session, actor: Actor | None, survey_id: int) -> SurveyCard:
    _need(actor, Perm.SURVEYS_MANAGE)
    s = session.get(Survey, survey_id)
    if s is None:
        raise NotFound("Опрос не найден.")
    questions = _question_rows(session, [survey_id]).get(survey_id, [])
    return SurveyCard(
        id=survey_id,
        title=s.title,
        description=s.description,
        is_active=s.is_active,
        answered=False,
        responses=_response_counts(session, [survey_id]).get(survey_id, 0),
        question_count=len(questions),
        created_at=fmt_dt(s.created_at),
        questions=questions,
    )


@dataclass
class Bar:
    label: str
    count: int


@dataclass
class TextAnswer:
    text: str
    at: str


@dataclass
class QuestionStats:
    id: int
    kind: str
    text: str
    answers: int
    average: float  # scale questions only
    bars: list[Bar]  # scale: 1..5; choice: each option
    texts: list[TextAnswer]  # free-text answers, newest first


@dataclass
class SurveyStats:
    survey: SurveyCard
    questions: list[QuestionStats]


def survey_stats(session: Session, actor: Actor | None, survey_id: int) -> SurveyStats:
    """Per question: answer count; scale — average and distribution; choice — count per option;
    text — the answers (newest first, up to TEXT_ANSWERS_LIMIT)."""
    card = survey_for_edit(session, actor, survey_id)
    out: list[QuestionStats] = []
    for q in card.questions:
        if q.kind == QuestionKind.TEXT:
            rows = session.exec(
                select(SurveyAnswer.text, SurveyResponse.created_at)
                .join(SurveyResponse, col(SurveyResponse.id) == col(SurveyAnswer.response_id))
                .where(SurveyAnswer.question_id == q.id, SurveyAnswer.text != "")
                .order_by(col(SurveyAnswer.id).desc())
                .limit(TEXT_ANSWERS_LIMIT)
            ).all()
            total = int(
                session.exec(
                    select(func.count())
                    .select_from(SurveyAnswer)
                    .where(SurveyAnswer.question_id == q.id, SurveyAnswer.text != "")
                ).one()
            )
            out.append(
                QuestionStats(
                    q.id,
                    q.kind,
                    q.text,
                    total,
                    0.0,
                    [],
                    [TextAnswer(text=t, at=fmt_dt(at)) for t, at in rows],
                )
            )
            continue
        key = SurveyAnswer.score if q.kind == QuestionKind.SCALE else SurveyAnswer.choice
        grouped = {
            k: int(n)
            for k, n in session.exec(
                select(key, func.count()).where(SurveyAnswer.question_id == q.id).group_by(col(key))
            ).all()
            if k not in (None, "")
        }
        if q.kind == QuestionKind.SCALE:
            counts = rules.distribution([])
            for k, n in grouped.items():
                if k in counts:
                    counts[int(k)] = n
            bars = [Bar(label=str(k), count=v) for k, v in counts.items()]
            avg = rules.average(counts)
        else:
            bars = [Bar(label=o, count=grouped.get(o, 0)) for o in q.options]
            avg = 0.0
        out.append(QuestionStats(q.id, q.kind, q.text, sum(b.count for b in bars), avg, bars, []))
    return SurveyStats(survey=card, questions=out)


# --------------------------------------------------------------------------- ratings


@dataclass
class SubjectRow:
    code: str
    name_ru: str
    name_en: str


def rating_subjects(session: Session) -> list[SubjectRow]:
    return [
        SubjectRow(code=s.code, name_ru=s.name_ru, name_en=s.name_en or s.name_ru)
        for s in session.exec(
            select(RatingSubject)
            .where(col(RatingSubject.is_active).is_(True))
            .order_by(col(RatingSubject.position), col(RatingSubject.id))
        ).all()
    ]


def my_recent_ratings(session: Session, actor: Actor) -> dict[str, int]:
    """{subject code: stars} of the caller's latest rating per subject."""
    latest = (
        select(QualityRating.subject_id, func.max(QualityRating.id).label("last_id"))
        .where(QualityRating.user_id == actor.id)
        .group_by(col(QualityRating.subject_id))
        .subquery()
    )
    rows = session.exec(
        select(RatingSubject.code, QualityRating.stars)
        .join(latest, latest.c.last_id == QualityRating.id)
        .join(RatingSubject, col(RatingSubject.id) == col(QualityRating.subject_id))
    ).all()
    return {code: int(stars) for code, stars in rows}


@dataclass
class RatingComment:
    stars: int
    comment: str
    user_name: str
    at: str


@dataclass
class SubjectStats:
    code: str
    name_ru: str
    name_en: str
    count: int
    average: float
    bars: list[Bar]
    comments: list[RatingComment]


def rating_stats(session: Session, actor: Actor | None, *, days: int = 0) -> list[SubjectStats]:
    """Per subject: count, average, distribution and the latest comments (FEEDBACK_VIEW).
    `days` > 0 limits to that many recent days."""
    _need(actor, Perm.FEEDBACK_VIEW)
    since = None
    if days > 0:
        since = utcnow() - timedelta(days=min(days, 3650))
    subjects = session.exec(
        select(RatingSubject).order_by(col(RatingSubject.position), col(RatingSubject.id))
    ).all()
    out: list[SubjectStats] = []
    for s in subjects:
        conds = [QualityRating.subject_id == s.id]
        if since is not None:
            conds.append(QualityRating.created_at >= since)
        counts = rules.distribution([])
        for stars, n in session.exec(
            select(QualityRating.stars, func.count())
            .where(*conds)
            .group_by(col(QualityRating.stars))
        ).all():
            if stars in counts:
                counts[int(stars)] = int(n)
        comments = session.exec(
            select(QualityRating, User.full_name)
            .join(User, col(User.id) == col(QualityRating.user_id))
            .where(*conds, QualityRating.comment != "")
            .order_by(col(QualityRating.id).desc())
            .limit(RECENT_COMMENTS)
        ).all()
        out.append(
            SubjectStats(
                code=s.code,
                name_ru=s.name_ru,
                name_en=s.name_en or s.name_ru,
                count=sum(counts.values()),
                average=rules.average(counts),
                bars=[Bar(label=str(k), count=v) for k, v in counts.items()],
                comments=[
                    RatingComment(
                        stars=r.stars, comment=r.comment, user_name=name, at=fmt_dt(r.updated_at)
                    )
                    for r, name in comments
                ],
            )
        )
    return out
