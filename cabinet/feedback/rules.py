"""Feedback, survey and rating rules: topics, limits, answer validation. No DB, no Reflex."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from cabinet.errors import ValidationFailed
from models.feedback import FeedbackStatus, QuestionKind

# --------------------------------------------------------------------------- feedback

TOPICS: dict[str, tuple[str, str]] = {
    "question": ("Вопрос", "Question"),
    "suggestion": ("Предложение", "Suggestion"),
    "complaint": ("Жалоба", "Complaint"),
    "site_error": ("Ошибка на сайте", "Site error"),
    "other": ("Другое", "Other"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    FeedbackStatus.NEW: ("Новое", "New"),
    FeedbackStatus.READ: ("Прочитано", "Read"),
    FeedbackStatus.ANSWERED: ("Отвечено", "Answered"),
}
TEXT_MIN = 10
TEXT_MAX = 4000
NAME_MAX = 200
CONTACT_MAX = 200
NOTE_MAX = 4000
# Messages an hour: from one address without logging in, and from one logged-in user.
ANON_PER_IP_HOUR = 5
USER_PER_HOUR = 20


@dataclass(frozen=True)
class FeedbackInput:
    topic: str
    text: str
    name: str
    email: str
    contact: str


def clean_feedback(
    *, topic: str, text: str, name: str = "", email: str = "", contact: str = ""
) -> FeedbackInput:
    """Validate the feedback form (the e-mail is checked by the service: it knows who writes)."""
    if topic not in TOPICS:
        raise ValidationFailed("Выберите тему сообщения.", field="topic")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) < TEXT_MIN:
        raise ValidationFailed(f"Сообщение: не короче {TEXT_MIN} символов.", field="text")
    if len(text) > TEXT_MAX:
        raise ValidationFailed(
            f"Сообщение: не длиннее {TEXT_MAX} символов (сейчас {len(text)}).", field="text"
        )
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX:
        raise ValidationFailed(f"Имя: не длиннее {NAME_MAX} символов.", field="name")
    contact = " ".join((contact or "").split())
    if len(contact) > CONTACT_MAX:
        raise ValidationFailed(f"Контакт: не длиннее {CONTACT_MAX} символов.", field="contact")
    return FeedbackInput(
        topic=topic, text=text, name=name, email=(email or "").strip(), contact=contact
    )


def feedback_status_allowed(status: str) -> bool:
    return status in set(FeedbackStatus)


# --------------------------------------------------------------------------- surveys

SCALE_MIN = 1
SCALE_MAX = 5
SURVEY_TITLE_MIN = 3
SURVEY_TITLE_MAX = 200
SURVEY_DESCRIPTION_MAX = 2000
QUESTION_MIN = 3
QUESTION_MAX = 500
OPTION_MAX = 200
OPTIONS_MIN = 2
OPTIONS_MAX = 10
QUESTIONS_MAX = 30
ANSWER_TEXT_MAX = 2000

KIND_LABELS: dict[str, tuple[str, str]] = {
    QuestionKind.SCALE: ("Оценка от 1 до 5", "Scale 1–5"),
    QuestionKind.CHOICE: ("Один вариант из списка", "Single choice"),
    QuestionKind.TEXT: ("Свободный ответ", "Free text"),
}


@dataclass(frozen=True)
class QuestionInput:
    kind: str
    text: str
    options: list[str]
    required: bool


@dataclass(frozen=True)
class QuestionSpec:
    """What answer validation needs to know about a question."""

    id: int
    kind: str
    text: str
    options: Sequence[str]
    required: bool


@dataclass(frozen=True)
class AnswerValue:
    question_id: int
    score: int | None = None
    choice: str = ""
    text: str = ""

    @property
    def empty(self) -> bool:
        return self.score is None and not self.choice and not self.text


def clean_survey(*, title: str, description: str) -> tuple[str, str]:
    title = " ".join((title or "").split())
    if len(title) < SURVEY_TITLE_MIN:
        raise ValidationFailed(
            f"Название опроса: не короче {SURVEY_TITLE_MIN} символов.", field="title"
        )
    if len(title) > SURVEY_TITLE_MAX:
        raise ValidationFailed(
            f"Название опроса: не длиннее {SURVEY_TITLE_MAX} символов.", field="title"
        )
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > SURVEY_DESCRIPTION_MAX:
        raise ValidationFailed(
            f"Описание: не длиннее {SURVEY_DESCRIPTION_MAX} символов.", field="description"
        )
    return title, description


def parse_options(raw: str | Sequence[str]) -> list[str]:
    """Options from a textarea (one per line) or a list: trimmed, blanks dropped."""
    items = raw.splitlines() if isinstance(raw, str) else list(raw)
    return [" ".join(str(o).split()) for o in items if str(o).strip()]


def clean_question(
    *, kind: str, text: str, options: str | Sequence[str] = "", required: bool = True
) -> QuestionInput:
    if kind not in set(QuestionKind):
        raise ValidationFailed("Выберите тип вопроса.", field="kind")
    text = " ".join((text or "").split())
    if len(text) < QUESTION_MIN:
        raise ValidationFailed(f"Вопрос: не короче {QUESTION_MIN} символов.", field="text")
    if len(text) > QUESTION_MAX:
        raise ValidationFailed(f"Вопрос: не длиннее {QUESTION_MAX} символов.", field="text")
    opts: list[str] = []
    if kind == QuestionKind.CHOICE:
        opts = parse_options(options)
        if len(opts) < OPTIONS_MIN:
            raise ValidationFailed(
                f"Укажите не меньше {OPTIONS_MIN} вариантов ответа, по одному в строке.",
                field="options",
            )
        if len(opts) > OPTIONS_MAX:
            raise ValidationFailed(f"Не больше {OPTIONS_MAX} вариантов ответа.", field="options")
        if any(len(o) > OPTION_MAX for o in opts):
            raise ValidationFailed(
                f"Вариант ответа: не длиннее {OPTION_MAX} символов.", field="options"
            )
        if len({o.casefold() for o in opts}) != len(opts):
            raise ValidationFailed("Варианты ответа повторяются.", field="options")
    return QuestionInput(kind=kind, text=text, options=opts, required=bool(required))


def clean_answer(question: QuestionSpec, raw: object) -> AnswerValue:
    """One answer checked against its question's type; an empty optional answer is allowed."""
    value = "" if raw is None else str(raw).strip()
    label = f"«{question.text}»"
    if not value:
        if question.required:
            raise ValidationFailed(f"Ответьте на вопрос {label}.", field=f"q{question.id}")
        return AnswerValue(question_id=question.id)
    if question.kind == QuestionKind.SCALE:
        if not value.isdigit() or not SCALE_MIN <= int(value) <= SCALE_MAX:
            raise ValidationFailed(
                f"Вопрос {label}: оценка от {SCALE_MIN} до {SCALE_MAX}.", field=f"q{question.id}"
            )
        return AnswerValue(question_id=question.id, score=int(value))
    if question.kind == QuestionKind.CHOICE:
        if value not in question.options:
            raise ValidationFailed(
                f"Вопрос {label}: выберите один из предложенных вариантов.",
                field=f"q{question.id}",
            )
        return AnswerValue(question_id=question.id, choice=value)
    if question.kind == QuestionKind.TEXT:
        value = value.replace("\r\n", "\n")
        if len(value) > ANSWER_TEXT_MAX:
            raise ValidationFailed(
                f"Вопрос {label}: ответ не длиннее {ANSWER_TEXT_MAX} символов.",
                field=f"q{question.id}",
            )
        return AnswerValue(question_id=question.id, text=value)
    raise ValidationFailed("Неизвестный тип вопроса.", field=f"q{question.id}")


def clean_answers(
    questions: Sequence[QuestionSpec], answers: dict[str, object] | dict[int, object]
) -> list[AnswerValue]:
    """All answers of one response: keys are question ids (int or str); unknown keys refused."""
    by_id: dict[int, object] = {}
    for key, value in answers.items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            raise ValidationFailed("Ответ на неизвестный вопрос.") from None
        by_id[qid] = value
    known = {q.id for q in questions}
    if set(by_id) - known:
        raise ValidationFailed("Ответ на неизвестный вопрос.")
    out = [clean_answer(q, by_id.get(q.id)) for q in questions]
    if all(a.empty for a in out):
        raise ValidationFailed("Ответьте хотя бы на один вопрос.")
    return out


def distribution(scores: Sequence[int]) -> dict[int, int]:
    """How many answers gave each score of the scale (every score present, zeros included)."""
    counts = dict.fromkeys(range(SCALE_MIN, SCALE_MAX + 1), 0)
    for s in scores:
        if s in counts:
            counts[s] += 1
    return counts


def average(counts: dict[int, int]) -> float:
    total = sum(counts.values())
    if not total:
        return 0.0
    return round(sum(k * v for k, v in counts.items()) / total, 2)


# --------------------------------------------------------------------------- ratings

STARS_MIN = 1
STARS_MAX = 5
RATING_COMMENT_MAX = 1000
# A second click on the same subject within this time changes the rating instead of adding one.
REVISE_WINDOW = timedelta(minutes=30)
SUBJECT_CODE_RE = r"^[a-z][a-z0-9_]{1,39}$"

# Shipped subjects (loaded by the demo data; staff may add more rows).
DEFAULT_SUBJECTS: list[tuple[str, str, str]] = [
    ("connection", "Качество связи", "Connection quality"),
    ("internet_speed", "Скорость интернета", "Internet speed"),
    ("portal", "Работа личного кабинета", "The customer portal"),
]


def clean_stars(stars: object) -> int:
    try:
        value = int(str(stars).strip())
    except (TypeError, ValueError):
        raise ValidationFailed(
            f"Оценка: от {STARS_MIN} до {STARS_MAX} звёзд.", field="stars"
        ) from None
    if not STARS_MIN <= value <= STARS_MAX:
        raise ValidationFailed(f"Оценка: от {STARS_MIN} до {STARS_MAX} звёзд.", field="stars")
    return value


def clean_rating_comment(comment: str) -> str:
    comment = " ".join((comment or "").split())
    if len(comment) > RATING_COMMENT_MAX:
        raise ValidationFailed(
            f"Комментарий: не длиннее {RATING_COMMENT_MAX} символов.", field="comment"
        )
    return comment
