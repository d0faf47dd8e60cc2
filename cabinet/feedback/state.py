"""Thin Reflex states of the feedback pages: the form, the staff list, surveys, ratings.

Every public handler resolves the caller on the server and takes only ids and plain values;
the services and queries check the permissions.
"""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Perm
from cabinet.access.state import SessionState
from cabinet.db import session_scope
from cabinet.errors import DomainError, ValidationFailed
from cabinet.feedback import queries, rules, service
from cabinet.feedback.queries import (
    FeedbackRow,
    SubjectRow,
    SubjectStats,
    SurveyCard,
    SurveyStats,
)
from cabinet.pagination import page_params
from models.feedback import FeedbackStatus


def _clip(value: object, n: int) -> str:
    return str(value or "")[:n]


def _form(form_data: object) -> dict[str, str]:
    if not isinstance(form_data, dict):
        return {}
    return {str(k)[:40]: _clip(v, 5000) for k, v in list(form_data.items())[:60]}


def _int(value: object) -> int:
    raw = str(value or "")
    return int(raw) if raw.isdigit() and len(raw) < 12 else 0


# --------------------------------------------------------------------------- feedback form


class FeedbackFormState(SessionState):
    """/feedback: a message to the site administrator (logged in, or with an e-mail)."""

    errors: dict[str, str] = {}
    sent: bool = False
    form_key: int = 0

    @rx.event
    def load(self):
        self._show_identity(self._actor())
        self.errors, self.sent = {}, False

    @rx.event
    def submit(self, form_data: dict):
        data = _form(form_data)
        actor = self._actor()
        try:
            with session_scope() as s:
                service.send_feedback(
                    s,
                    actor_id=actor.id if actor else None,
                    topic=data.get("topic", ""),
                    text=data.get("text", ""),
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                    contact=data.get("contact", ""),
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.errors = {e.field or "form": e.message}
            return None
        except DomainError as e:
            self.errors = {"form": e.message}
            return None
        self.errors, self.sent = {}, True
        self.form_key += 1
        return None

    @rx.event
    def write_again(self):
        self.sent, self.errors = False, {}


# --------------------------------------------------------------------------- staff list


STATUS_FILTERS = tuple(str(s) for s in FeedbackStatus)


class FeedbackAdminState(SessionState):
    """/admin/feedback: staff list with status/topic/search filters in the URL."""

    rows: list[FeedbackRow] = []
    allowed: bool = True
    new_count: int = 0
    f_status: str = ""
    f_topic: str = ""
    f_q: str = ""
    f_id: int = 0  # ?id=N: one message (the link in the staff notification), opened at once
    query_key: str = ""
    next_href: str = ""
    prev_href: str = ""
    dlg_open: bool = False
    dlg_id: int = 0
    dlg_note: str = ""
    dlg_error: str = ""

    def _fetch(self, actor) -> None:  # type: ignore[no-untyped-def]
        params = self.router.url.query_parameters
        status, topic = params.get("status", ""), params.get("topic", "")
        self.f_status = status if status in STATUS_FILTERS else ""
        self.f_topic = topic if topic in rules.TOPICS else ""
        self.f_q = " ".join(_clip(params.get("q", ""), 100).split())
        self.f_id = _int(params.get("id", ""))
        after, before = page_params(params)
        self.query_key = f"{self.f_status}|{self.f_topic}|{self.f_q}|{self.f_id}|{after}|{before}"
        filters = {"status": self.f_status, "topic": self.f_topic, "q": self.f_q}
        with session_scope() as s:
            try:
                page = queries.feedback_list(
                    s, actor, after=after, before=before, feedback_id=self.f_id, **filters
                )
            except ValidationFailed:
                page = queries.feedback_list(s, actor, feedback_id=self.f_id, **filters)
        self.rows, self.new_count, self.allowed = page.rows, page.new_count, True
        self.next_href = (
            routes.with_query(routes.ADMIN_FEEDBACK, **filters, after=page.next_after)
            if page.next_after
            else ""
        )
        self.prev_href = (
            routes.with_query(routes.ADMIN_FEEDBACK, **filters, before=page.prev_before)
            if page.prev_before
            else ""
        )

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
        self.dlg_open = False
        self._safe_fetch(actor)
        if self.f_id and len(self.rows) == 1:
            return FeedbackAdminState.open_item(self.rows[0].id)
        return None

    @rx.event
    def apply_filters(self, form_data: dict):
        data = _form(form_data)
        status, topic = data.get("status", ""), data.get("topic", "")
        return rx.redirect(
            routes.with_query(
                routes.ADMIN_FEEDBACK,
                status=status if status in STATUS_FILTERS else "",
                topic=topic if topic in rules.TOPICS else "",
                q=" ".join(data.get("q", "")[:100].split()),
            )
        )

    @rx.var
    def dlg_row(self) -> FeedbackRow | None:
        return next((r for r in self.rows if r.id == self.dlg_id), None)

    def _set_status(self, feedback_id: int, status: str, note: str | None):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                service.set_feedback_status(
                    s,
                    actor_id=actor.id,
                    feedback_id=int(feedback_id),
                    status=status,
                    note=note,
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.dlg_error = e.message
            return None
        except (DomainError, TypeError, ValueError) as e:
            self.dlg_open = False
            self._safe_fetch(actor)
            return rx.toast.error(getattr(e, "message", "Сообщение не найдено."))
        self._safe_fetch(actor)
        return None

    @rx.event
    def open_item(self, feedback_id: int):
        """Show one message; opening a new one marks it read."""
        row = next((r for r in self.rows if r.id == feedback_id), None)
        if row is None:
            return rx.toast.error("Сообщение не найдено.")
        self.dlg_id, self.dlg_note, self.dlg_error = row.id, row.staff_note, ""
        self.dlg_open = True
        if row.status == FeedbackStatus.NEW:
            return self._set_status(row.id, FeedbackStatus.READ, None)
        return None

    @rx.event
    def set_dlg_open(self, value: bool):
        self.dlg_open = bool(value)

    @rx.event
    def set_dlg_note(self, value: str):
        self.dlg_note = _clip(value, rules.NOTE_MAX)
        self.dlg_error = ""

    @rx.event
    def mark(self, status: str):
        """Save the dialog: the chosen status and the internal note."""
        if status not in STATUS_FILTERS or not self.dlg_id:
            return None
        out = self._set_status(self.dlg_id, status, self.dlg_note)
        if out is None and not self.dlg_error:
            self.dlg_open = False
            return rx.toast.success("Сохранено.")
        return out


# --------------------------------------------------------------------------- surveys


class SurveysState(SessionState):
    """/surveys: active surveys; a user answers each once."""

    cards: list[SurveyCard] = []
    errors: dict[str, str] = {}
    loaded: bool = False

    def _reload(self, actor) -> None:  # type: ignore[no-untyped-def]
        with session_scope() as s:
            self.cards = queries.active_surveys(s, actor)
        self.loaded = True

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.errors = {}
        self._reload(actor)
        return None

    @rx.event
    def submit(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = _form(form_data)
        survey_id = _int(data.get("survey_id"))
        answers = {k[1:]: v for k, v in data.items() if k.startswith("q") and k[1:].isdigit()}
        key = str(survey_id)
        try:
            with session_scope() as s:
                service.answer_survey(
                    s,
                    actor_id=actor.id,
                    survey_id=survey_id,
                    answers=answers,
                    ip=self._client_ip(),
                )
        except DomainError as e:
            self.errors = {**self.errors, key: e.message}
            if isinstance(e, service.AlreadyAnswered):
                self._reload(actor)
            return None
        self.errors = {k: v for k, v in self.errors.items() if k != key}
        self._reload(actor)
        return rx.toast.success("Спасибо! Ваши ответы сохранены.")


class SurveyAdminState(SessionState):
    """/admin/surveys: every survey, and a form to start a new one."""

    cards: list[SurveyCard] = []
    allowed: bool = True
    errors: dict[str, str] = {}

    def _reload(self, actor) -> None:  # type: ignore[no-untyped-def]
        try:
            with session_scope() as s:
                self.cards = queries.admin_surveys(s, actor)
            self.allowed = True
        except DomainError:
            self.allowed, self.cards = False, []

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.errors = {}
        self._reload(actor)
        return None

    @rx.event
    def create(self, form_data: dict):
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        data = _form(form_data)
        try:
            with session_scope() as s:
                survey = service.create_survey(
                    s,
                    actor_id=actor.id,
                    title=data.get("title", ""),
                    description=data.get("description", ""),
                    ip=self._client_ip(),
                )
        except ValidationFailed as e:
            self.errors = {e.field or "form": e.message}
            return None
        except DomainError as e:
            return rx.toast.error(e.message)
        return rx.redirect(routes.with_query(routes.ADMIN_SURVEY, id=survey.id))


class SurveyEditState(SessionState):
    """/admin/surveys/edit?id=N: title, active switch, questions (add, move, delete)."""

    card: SurveyCard = queries.EMPTY_SURVEY
    allowed: bool = True
    missing: bool = False
    errors: dict[str, str] = {}
    new_kind: str = "scale"
    form_key: int = 0

    def _id(self) -> int:
        return _int(self.router.url.query_parameters.get("id", ""))

    def _reload(self, actor) -> None:  # type: ignore[no-untyped-def]
        self.missing = False
        try:
            with session_scope() as s:
                self.card = queries.survey_for_edit(s, actor, self._id())
            self.allowed = True
        except DomainError:
            self.card = queries.EMPTY_SURVEY
            self.allowed = actor.has(Perm.SURVEYS_MANAGE)
            self.missing = self.allowed

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.errors, self.new_kind = {}, "scale"
        self._reload(actor)
        return None

    def _run(self, fn, ok: str, **kwargs):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.redirect(routes.LOGIN)
        try:
            with session_scope() as s:
                fn(s, actor_id=actor.id, ip=self._client_ip(), **kwargs)
        except ValidationFailed as e:
            self.errors = {e.field or "form": e.message}
            if not e.field:
                return rx.toast.error(e.message)
            return None
        except DomainError as e:
            return rx.toast.error(e.message)
        self.errors = {}
        self._reload(actor)
        return rx.toast.success(ok)

    @rx.event
    def save_survey(self, form_data: dict):
        data = _form(form_data)
        return self._run(
            service.update_survey,
            "Опрос сохранён.",
            survey_id=self.card.id,
            title=data.get("title", ""),
            description=data.get("description", ""),
        )

    @rx.event
    def set_active(self, value: bool):
        return self._run(
            service.set_survey_active,
            "Опрос включён." if value else "Опрос выключен.",
            survey_id=self.card.id,
            active=bool(value),
        )

    @rx.event
    def set_new_kind(self, value: str):
        if value in rules.KIND_LABELS:
            self.new_kind = value

    @rx.event
    def add_question(self, form_data: dict):
        data = _form(form_data)
        out = self._run(
            service.add_question,
            "Вопрос добавлен.",
            survey_id=self.card.id,
            kind=self.new_kind,
            text=data.get("text", ""),
            options=data.get("options", ""),
            required=data.get("required", "") in ("on", "true", "1"),
        )
        if not self.errors:
            self.form_key += 1
        return out

    @rx.event
    def move(self, question_id: int, up: bool):
        return self._run(
            service.move_question, "Порядок изменён.", question_id=_int(question_id), up=bool(up)
        )

    @rx.event
    def delete_question(self, question_id: int):
        return self._run(service.delete_question, "Вопрос удалён.", question_id=_int(question_id))


class SurveyStatsState(SessionState):
    """/admin/surveys/stats?id=N: per question averages, distributions, free-text answers."""

    stats: SurveyStats = SurveyStats(survey=queries.EMPTY_SURVEY, questions=[])
    allowed: bool = True
    missing: bool = False

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.allowed, self.missing = actor.has(Perm.SURVEYS_MANAGE), False
        try:
            with session_scope() as s:
                self.stats = queries.survey_stats(
                    s, actor, _int(self.router.url.query_parameters.get("id", ""))
                )
        except DomainError:
            self.stats = SurveyStats(survey=queries.EMPTY_SURVEY, questions=[])
            self.missing = self.allowed
        return None


# --------------------------------------------------------------------------- ratings


class RatingState(SessionState):
    """The one-click rating widget (any page) and /rate."""

    subjects: list[SubjectRow] = []
    mine: dict[str, int] = {}
    comments: dict[str, str] = {}
    rating_loaded: bool = False

    def _load(self, actor) -> None:  # type: ignore[no-untyped-def]
        if actor is None:
            self.subjects, self.mine = [], {}
            return
        with session_scope() as s:
            self.subjects = queries.rating_subjects(s)
            self.mine = queries.my_recent_ratings(s, actor)
        self.rating_loaded = True

    @rx.event
    def load_ratings(self):
        """on_mount of an embedded widget: subjects and my latest stars."""
        self._load(self._actor())

    @rx.event
    def load(self):
        """on_load of /rate."""
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        self.comments = {}
        self._load(actor)
        return None

    def _rate(self, code: str, stars: object, comment: str | None):  # type: ignore[no-untyped-def]
        actor = self._actor()
        if actor is None:
            return rx.toast.error("Войдите в личный кабинет, чтобы поставить оценку.")
        code = _clip(code, 40)
        try:
            with session_scope() as s:
                r = service.rate(
                    s,
                    actor_id=actor.id,
                    subject_code=code,
                    stars=stars,
                    comment=comment,
                    ip=self._client_ip(),
                )
        except DomainError as e:
            return rx.toast.error(e.message)
        self.mine = {**self.mine, code: r.stars}
        return None

    @rx.event
    def rate(self, code: str, stars: int):
        out = self._rate(code, stars, None)
        return out or rx.toast.success("Спасибо за оценку!")

    @rx.event
    def set_comment(self, code: str, value: str):
        self.comments = {**self.comments, _clip(code, 40): _clip(value, rules.RATING_COMMENT_MAX)}

    @rx.event
    def send_comment(self, code: str):
        code = _clip(code, 40)
        if code not in self.mine:
            return rx.toast.error("Сначала поставьте оценку звёздами.")
        out = self._rate(code, self.mine[code], self.comments.get(code, ""))
        if out is not None:
            return out
        self.comments = {k: v for k, v in self.comments.items() if k != code}
        return rx.toast.success("Комментарий сохранён. Спасибо!")


class RatingStatsState(SessionState):
    """/admin/ratings: per subject average, count, distribution, recent comments."""

    stats: list[SubjectStats] = []
    allowed: bool = True
    days: str = ""

    @rx.event
    def load(self):
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        raw = self.router.url.query_parameters.get("days", "")
        self.days = raw if raw in ("7", "30", "90", "365") else ""
        try:
            with session_scope() as s:
                self.stats = queries.rating_stats(s, actor, days=int(self.days or 0))
            self.allowed = True
        except DomainError:
            self.allowed, self.stats = False, []
        return None

    @rx.event
    def set_days(self, value: str):
        days = value if value in ("7", "30", "90", "365") else ""
        return rx.redirect(routes.with_query(routes.ADMIN_RATINGS, days=days))
