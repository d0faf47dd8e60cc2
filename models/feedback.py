"""Feedback to the site administrator, satisfaction surveys and one-click quality ratings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field


class FeedbackStatus(StrEnum):
    NEW = "new"
    READ = "read"
    ANSWERED = "answered"


class QuestionKind(StrEnum):
    SCALE = "scale"  # 1..5
    CHOICE = "choice"  # one of the options
    TEXT = "text"  # free text


class Feedback(SQLModel, table=True):
    """A message to the site administrator, from a user or an anonymous visitor (e-mail)."""

    __tablename__ = "feedback"
    __table_args__ = (
        sa.Index("ix_feedback_status_id", "status", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    topic: str = Field(max_length=20, index=True)
    text: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)  # where to answer (own or given)
    contact: str = Field(default="", max_length=200)  # an optional phone or other contact
    status: str = Field(default=FeedbackStatus.NEW, max_length=20)
    # Lower-cased text, name and e-mail: case-insensitive search on every engine.
    search_text: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, default=""))
    ip: str = Field(default="", max_length=64, index=True)
    staff_note: str = Field(default="", max_length=4000)
    handled_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True, index=True)
    read_at: datetime | None = ts_field(nullable=True)
    answered_at: datetime | None = ts_field(nullable=True)


class Survey(SQLModel, table=True):
    """A satisfaction survey; customers answer an active one once."""

    __tablename__ = "surveys"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    is_active: bool = Field(default=False, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class SurveyQuestion(SQLModel, table=True):
    __tablename__ = "survey_questions"
    __table_args__ = (
        sa.Index("ix_survey_questions_survey_position", "survey_id", "position"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="surveys.id")
    position: int = Field(default=0)
    kind: str = Field(max_length=10)
    text: str = Field(max_length=500)
    options: list[Any] | None = json_field()  # the choices of a "choice" question
    required: bool = Field(default=True)


class SurveyResponse(SQLModel, table=True):
    """One user's answers to one survey (once per survey per user)."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        sa.UniqueConstraint("survey_id", "user_id", name="uq_survey_response_user"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="surveys.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    created_at: datetime = ts_field(default_now=True)


class SurveyAnswer(SQLModel, table=True):
    __tablename__ = "survey_answers"
    __table_args__ = (
        sa.UniqueConstraint("response_id", "question_id", name="uq_survey_answer_question"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(foreign_key="survey_responses.id", index=True)
    question_id: int = Field(foreign_key="survey_questions.id", index=True)
    score: int | None = Field(default=None)  # scale: 1..5
    choice: str = Field(default="", max_length=200)  # choice: the option chosen
    text: str = Field(default="", max_length=2000)  # text: the answer


class RatingSubject(SQLModel, table=True):
    """What customers rate with one click ("Качество связи", "Скорость интернета", ...)."""

    __tablename__ = "rating_subjects"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name_ru: str = Field(max_length=200)
    name_en: str = Field(default="", max_length=200)
    position: int = Field(default=100)
    is_active: bool = Field(default=True)


class QualityRating(SQLModel, table=True):
    """One rating (1–5 stars) of a subject by a user; a re-click soon after changes it."""

    __tablename__ = "quality_ratings"
    __table_args__ = (
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="ck_quality_rating_stars"),
        sa.Index("ix_quality_ratings_subject_id", "subject_id", "id"),
        sa.Index("ix_quality_ratings_user_subject", "user_id", "subject_id", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="rating_subjects.id")
    user_id: int = Field(foreign_key="users.id")
    stars: int
    comment: str = Field(default="", max_length=1000)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
