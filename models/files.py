"""Files stored outside the database, described by a row with a checksum.

The bytes live once per checksum under `data_dir/files/<sha256[:2]>/<sha256>` (`storage_key`
is that relative path); several rows (different names, owners, organisations) may share one.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.base import ts_field


class StoredFile(SQLModel, table=True):
    __tablename__ = "stored_files"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    sha256: str = Field(max_length=64, index=True)
    storage_key: str = Field(max_length=300)
    created_at: datetime = ts_field(default_now=True)
