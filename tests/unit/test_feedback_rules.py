"""Feedback, survey and rating rules (no DB): limits, answer validation per question type."""

from __future__ import annotations

import pytest

from cabinet.errors import ValidationFailed
from cabinet.feedback import rules
from cabinet.feedback.rules import QuestionSpec

SCALE = QuestionSpec(id=1, kind="scale", text="Оценка", options=[], required=True)
CHOICE = QuestionSpec(id=2, kind="choice", text="Выбор", options=["Да", "Нет"], required=True)
TEXT = QuestionSpec(id=3, kind="text", text="Комментарий", options=[], required=False)


def test_feedback_cleaned():
    f = rules.clean_feedback(topic="question", text="  Вопрос\r\nпро счёт  ", name=" Иван  Петров ")
    assert f.text == "Вопрос\nпро счёт" and f.name == "Иван Петров"


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"topic": "spam"}, "topic"),
        ({"text": "коротко"}, "text"),
        ({"text": "я" * (rules.TEXT_MAX + 1)}, "text"),
        ({"name": "я" * (rules.NAME_MAX + 1)}, "name"),
        ({"contact": "я" * (rules.CONTACT_MAX + 1)}, "contact"),
    ],
)
def test_feedback_limits(kw, field):
    data = {"topic": "question", "text": "Достаточно длинный текст"}
    data.update(kw)
    with pytest.raises(ValidationFailed) as e:
        rules.clean_feedback(**data)
    assert e.value.field == field


@pytest.mark.parametrize(("raw", "score"), [("1", 1), ("5", 5), (" 3 ", 3), (4, 4)])
def test_scale_answer_in_bounds(raw, score):
    assert rules.clean_answer(SCALE, raw).score == score


@pytest.mark.parametrize("raw", ["0", "6", "-1", "3.5", "пять", "10"])
def test_scale_answer_out_of_bounds(raw):
    with pytest.raises(ValidationFailed) as e:
        rules.clean_answer(SCALE, raw)
    assert e.value.field == "q1"


def test_choice_answer_must_be_an_option():
    assert rules.clean_answer(CHOICE, "Да").choice == "Да"
    with pytest.raises(ValidationFailed):
        rules.clean_answer(CHOICE, "Может быть")


def test_required_answer_missing_and_optional_empty():
    with pytest.raises(ValidationFailed):
        rules.clean_answer(SCALE, "")
    assert rules.clean_answer(TEXT, None).empty


def test_text_answer_length():
    assert rules.clean_answer(TEXT, " ok ").text == "ok"
    with pytest.raises(ValidationFailed):
        rules.clean_answer(TEXT, "я" * (rules.ANSWER_TEXT_MAX + 1))


def test_answers_refuse_unknown_questions_and_all_empty():
    with pytest.raises(ValidationFailed):
        rules.clean_answers([SCALE], {"1": "5", "99": "x"})
    with pytest.raises(ValidationFailed):
        rules.clean_answers([SCALE], {"abc": "5"})
    with pytest.raises(ValidationFailed):
        rules.clean_answers([TEXT], {})
    out = rules.clean_answers([SCALE, CHOICE, TEXT], {1: "5", "2": "Нет"})
    assert [(a.score, a.choice, a.text) for a in out] == [
        (5, "", ""),
        (None, "Нет", ""),
        (None, "", ""),
    ]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "multi"}, "kind"),
        ({"text": "ab"}, "text"),
        ({"kind": "choice", "options": "Один"}, "options"),
        ({"kind": "choice", "options": "Да\nда"}, "options"),
        ({"kind": "choice", "options": "\n".join(str(i) for i in range(11))}, "options"),
    ],
)
def test_question_validation(kw, field):
    data = {"kind": "scale", "text": "Нормальный вопрос"}
    data.update(kw)
    with pytest.raises(ValidationFailed) as e:
        rules.clean_question(**data)
    assert e.value.field == field


def test_choice_question_options_from_lines():
    q = rules.clean_question(kind="choice", text="Как часто?", options="  Часто \n\n Редко ")
    assert q.options == ["Часто", "Редко"]
    assert rules.clean_question(kind="scale", text="Оценка?", options="x\ny").options == []


def test_distribution_and_average():
    counts = rules.distribution([5, 4, 4, 1, 9])
    assert counts == {1: 1, 2: 0, 3: 0, 4: 2, 5: 1}
    assert rules.average(counts) == 3.5
    assert rules.average(rules.distribution([])) == 0.0


@pytest.mark.parametrize("stars", [1, 5, "3"])
def test_stars_in_bounds(stars):
    assert rules.clean_stars(stars) == int(stars)


@pytest.mark.parametrize("stars", [0, 6, -1, "x", None, "", 2.5])
def test_stars_out_of_bounds(stars):
    with pytest.raises(ValidationFailed) as e:
        rules.clean_stars(stars)
    assert e.value.field == "stars"


def test_rating_comment_limit():
    assert rules.clean_rating_comment("  хорошо   всё ") == "хорошо всё"
    with pytest.raises(ValidationFailed):
        rules.clean_rating_comment("я" * (rules.RATING_COMMENT_MAX + 1))
