"""ERP integration: sync watermarks, runs, the run lease, skipped rows, organisation mapping
and the integration API's tokens (the outbound queue lives on the order change requests).

The synced business tables themselves (contracts, orders, invoices, documents, ...) live in
models/orders.py, models/finance.py and models/documents.py; organisations are the
platform's table, mapped to their ERP key here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field


class SyncStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"  # every entity read to the end, no malformed rows
    PARTIAL = "partial"  # finished, but some rows were skipped as malformed
    FAILED = "failed"  # stopped by an error (committed batches stay; the next run resumes)


class SyncTrigger(StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"  # "run now" on the admin page
    DEMO = "demo"  # make demo / make demo-large
    BENCH = "bench"


class ErpWatermark(SQLModel, table=True):
    """How far the sync has read one ERP entity's change feed: the (updated_at, id) of the
    last row of the last *committed* batch. Written in the same transaction as that batch."""

    __tablename__ = "erp_watermarks"
    __table_args__ = {"extend_existing": True}

    entity: str = Field(primary_key=True, max_length=30)
    cursor: str = Field(default="", max_length=200)  # opaque, as the ERP returned it
    last_updated_at: datetime | None = ts_field(nullable=True)  # newest erp_updated_at seen
    rows_total: int = Field(default=0)  # rows applied through this watermark, ever
    updated_at: datetime = ts_field(default_now=True)


class SyncRun(SQLModel, table=True):
    """One sync run, its counters and outcome (shown on the admin page)."""

    __tablename__ = "erp_sync_runs"
    __table_args__ = (
        sa.Index("ix_erp_sync_runs_started", "started_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    trigger: str = Field(default=SyncTrigger.SCHEDULE, max_length=10)
    status: str = Field(default=SyncStatus.RUNNING, max_length=10, index=True)
    started_by_id: int | None = Field(default=None, foreign_key="users.id")
    worker: str = Field(default="", max_length=100)
    started_at: datetime = ts_field(default_now=True)
    finished_at: datetime | None = ts_field(nullable=True)
    rows_in: int = Field(default=0)  # rows read from the ERP
    rows_updated: int = Field(default=0)  # rows inserted or updated
    rows_failed: int = Field(default=0)  # malformed rows skipped
    duration_ms: int = Field(default=0)
    lag_seconds: int | None = Field(default=None)  # finish time − newest erp_updated_at
    last_error: str = Field(default="", max_length=2000)
    entities: dict[str, Any] | None = json_field()  # entity -> {"in", "updated", "failed"}


class SyncIssue(SQLModel, table=True):
    """A malformed ERP row that a run skipped (reported, not fatal)."""

    __tablename__ = "erp_sync_issues"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="erp_sync_runs.id", index=True)
    entity: str = Field(max_length=30)
    erp_id: str = Field(default="", max_length=64)
    error: str = Field(default="", max_length=500)
    payload: str = Field(default="", max_length=2000)  # the row as received (truncated)
    created_at: datetime = ts_field(default_now=True)


class SyncLease(SQLModel, table=True):
    """The run lock: one row per job; a worker owns it while `expires_at` is in the future.

    Claimed by a conditional UPDATE (`... WHERE name = ? AND (holder = '' OR expires_at <
    now)`), so two workers or two clicks never run the same job at once, and a dead worker's
    lease lapses on its own."""

    __tablename__ = "erp_sync_leases"
    __table_args__ = {"extend_existing": True}

    name: str = Field(primary_key=True, max_length=30)
    holder: str = Field(default="", max_length=100)
    run_id: int | None = Field(default=None)
    expires_at: datetime | None = ts_field(nullable=True)
    requested_at: datetime | None = ts_field(nullable=True)  # "run now" asked, not yet started
    requested_by_id: int | None = Field(default=None, foreign_key="users.id")


class ErpOrganisation(SQLModel, table=True):
    """The ERP key of a platform organisation (organisations are upserted by INN)."""

    __tablename__ = "erp_organisations"
    __table_args__ = {"extend_existing": True}

    erp_id: str = Field(primary_key=True, max_length=64)
    organisation_id: int = Field(foreign_key="organisations.id", unique=True)
    erp_updated_at: datetime = ts_field()


class ApiToken(SQLModel, table=True):
    """A token of the integration API, issued for one organisation by its administrator.

    Only sha256 of the secret is stored; the secret is shown once. `window_*` is the rate
    limit's fixed window, updated by one conditional UPDATE per request."""

    __tablename__ = "api_tokens"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)  # the secret's first characters, to tell tokens apart
    token_hash: str = Field(max_length=64, unique=True)
    created_by_id: int = Field(foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
    last_used_at: datetime | None = ts_field(nullable=True)
    revoked_at: datetime | None = ts_field(nullable=True)
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id")
    window_start: datetime | None = ts_field(nullable=True)
    window_count: int = Field(default=0)
