"""Telecom operator admin: CSV import jobs of SIM cards.

An import is checked first (a preview with row errors, nothing written), then written in ONE
transaction by a background task. The job row carries the progress the page shows, the first
row errors and the outcome; the uploaded bytes live in the data folder under `file_key`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field


class ImportStatus(StrEnum):
    CHECKING = "checking"  # the file is being read and checked
    READY = "ready"  # checked, no errors: waits for "Import"
    INVALID = "invalid"  # checked, errors found: nothing can be written
    IMPORTING = "importing"  # being written (one transaction)
    DONE = "done"
    FAILED = "failed"  # the write failed and was rolled back: nothing written
    CANCELLED = "cancelled"


class ImportMode(StrEnum):
    """What an import does with the file's SIM cards (chosen at upload)."""

    CREATE = "create"  # add new cards: ICCID and number must be new
    UPDATE = "update"  # change stored cards found by ICCID: the columns the file has
    DELETE = "delete"  # delete stored stock cards found by ICCID


class ImportJob(SQLModel, table=True):
    __tablename__ = "telecom_import_jobs"
    __table_args__ = (
        sa.Index("ix_telecom_import_jobs_created_id", "created_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    created_by_id: int = Field(foreign_key="users.id", index=True)
    filename: str = Field(max_length=255)
    file_key: str = Field(max_length=120)  # path under data_dir/telecom_imports
    sha256: str = Field(max_length=64)
    size: int = Field(default=0)
    status: str = Field(default=ImportStatus.CHECKING, max_length=10, index=True)
    mode: str = Field(default=ImportMode.CREATE, max_length=10)  # ImportMode
    encoding: str = Field(default="", max_length=20)
    delimiter: str = Field(default="", max_length=4)
    total_rows: int = Field(default=0)  # data rows in the file
    processed_rows: int = Field(default=0)  # progress of the current phase
    valid_rows: int = Field(default=0)
    error_count: int = Field(default=0)
    errors: list[dict[str, Any]] | None = json_field()  # first row errors: row, column, message
    preview: list[dict[str, Any]] | None = json_field()  # first valid rows
    created_count: int = Field(default=0)  # cards written: created, changed or deleted (mode)
    unchanged_count: int = Field(default=0)  # update: rows that already matched the database
    message: str = Field(default="", max_length=1000)  # a whole-file problem or the outcome
    version: int = Field(default=1)  # conditional updates move the status
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    finished_at: datetime | None = ts_field(nullable=True)
