"""Help pages: markdown articles that administrators edit, grouped by section."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class HelpArticle(SQLModel, table=True):
    """One help article. `search_text` is the lower-cased title + body, written by the
    service, so search is case-insensitive on every engine (SQLite's lower() is ASCII-only)."""

    __tablename__ = "help_articles"
    __table_args__ = (
        sa.Index("ix_help_articles_section_position", "section", "position", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=80, unique=True)
    title: str = Field(max_length=200)
    section: str = Field(default="", max_length=100)
    position: int = Field(default=100)
    body: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, default=""))
    search_text: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, default=""))
    is_published: bool = Field(default=False, index=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    updated_by_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
