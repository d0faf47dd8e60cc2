"""Orders mirrored from the ERP (a carrier's transport orders or a producer's supply orders).

Synced rows carry `erp_id` (the ERP's key, unique: the upsert target), `organisation_id`
(denormalised on every row, also on lines/events/vehicles/services, so every read is scoped by
one indexed column) and `erp_updated_at` (the ERP's change time). Rows the portal writes itself
(change requests, the portal's own timeline lines) have no erp_id.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field
from models.finance import money_field


class OrderStatus(StrEnum):
    PLACED = "placed"  # оформлен
    IN_PROGRESS = "in_progress"  # в работе
    COMPLETED = "completed"  # выполнен
    CANCELLED = "cancelled"  # отменён


class ChangeKind(StrEnum):
    CHANGE = "change"
    CANCEL = "cancel"


class ChangeStatus(StrEnum):
    PENDING = "pending"  # created by the customer, waiting in the outbound queue
    SENT = "sent"  # delivered to the ERP, waiting for its decision
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAILED = "failed"  # the ERP could not be reached after every retry


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (
        sa.Index("ix_orders_org_created", "organisation_id", "created_at", "id"),
        sa.Index("ix_orders_org_status_created", "organisation_id", "status", "created_at", "id"),
        sa.Index("ix_orders_org_number", "organisation_id", "number"),
        sa.Index("ix_orders_org_amount", "organisation_id", "amount", "id"),
        sa.Index("ix_orders_created_id", "created_at", "id"),
        sa.Index("ix_orders_status_created", "status", "created_at", "id"),
        sa.Index("ix_orders_number", "number"),
        # the ERP sync maps documents' order keys to ids from this index alone (migration 0009)
        sa.Index("ix_orders_erp_id_id", "erp_id", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    contract_id: int | None = Field(default=None, foreign_key="contracts.id", index=True)
    number: str = Field(max_length=40)
    status: str = Field(default=OrderStatus.PLACED, max_length=20)
    # True while a customer's change/cancel request waits for the ERP's answer.
    pending_request: bool = Field(default=False)
    kind: str = Field(default="supply", max_length=20)  # "supply" (продукция) | "transport" (груз)
    route_from: str = Field(default="", max_length=200)  # станция/пункт отправления
    route_to: str = Field(default="", max_length=200)  # станция/пункт назначения
    consignee: str = Field(default="", max_length=300)  # грузополучатель
    product_summary: str = Field(default="", max_length=300)  # продукция или груз, кратко
    amount: Decimal = money_field()
    currency: str = Field(default="RUB", max_length=3)
    planned_production_on: date | None = Field(default=None)
    planned_shipment_on: date | None = Field(default=None)
    planned_delivery_on: date | None = Field(default=None)
    location: str = Field(default="", max_length=300)  # дислокация
    location_at: datetime | None = ts_field(nullable=True)
    params: dict[str, Any] | None = json_field()  # параметры груза/продукции: вес, объём…
    legal_details: dict[str, Any] | None = json_field()  # юридические данные сторон
    # Lower-cased number, route, consignee and product: case-insensitive search in one column.
    search_text: str = Field(default="", max_length=1200)
    created_at: datetime = ts_field(default_now=True)  # the order's date in the ERP
    erp_updated_at: datetime | None = ts_field(nullable=True)
    updated_at: datetime = ts_field(default_now=True)


class OrderLine(SQLModel, table=True):
    """A specification line: product, grade, dimensions, quantity and price."""

    __tablename__ = "order_lines"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    order_id: int = Field(foreign_key="orders.id", index=True)
    position: int = Field(default=1)
    product_code: str = Field(default="", max_length=40)
    product_name: str = Field(default="", max_length=300)
    grade: str = Field(default="", max_length=60)  # марка стали
    dimensions: str = Field(default="", max_length=100)  # "530×10 мм"
    standard: str = Field(default="", max_length=100)  # ГОСТ / ТУ
    quantity: Decimal = Field(
        default=Decimal("0"), sa_column=sa.Column(sa.Numeric(18, 3), nullable=False)
    )
    unit: str = Field(default="т", max_length=10)
    price: Decimal = money_field()
    amount: Decimal = money_field()
    erp_updated_at: datetime | None = ts_field(nullable=True)


class OrderEvent(SQLModel, table=True):
    """One line of the order's timeline (status changes, dislocation reports, ERP answers)."""

    __tablename__ = "order_events"
    __table_args__ = (
        sa.Index("ix_order_events_order_at", "order_id", "at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str | None = Field(default=None, max_length=64, unique=True)  # None: portal's own
    organisation_id: int = Field(foreign_key="organisations.id")
    order_id: int = Field(foreign_key="orders.id")
    status: str = Field(default="", max_length=20)  # the order status reached, if any
    title: str = Field(max_length=200)
    comment: str = Field(default="", max_length=1000)
    location: str = Field(default="", max_length=300)
    at: datetime = ts_field(default_now=True)
    erp_updated_at: datetime | None = ts_field(nullable=True)


class OrderVehicle(SQLModel, table=True):
    """A wagon / truck / container used by the order."""

    __tablename__ = "order_vehicles"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    order_id: int = Field(foreign_key="orders.id", index=True)
    number: str = Field(max_length=40)  # номер вагона / госномер
    kind: str = Field(default="", max_length=60)  # полувагон, платформа, автомобиль…
    status: str = Field(default="", max_length=60)  # в пути, под погрузкой, прибыл…
    location: str = Field(default="", max_length=300)
    weight_t: Decimal | None = Field(
        default=None, sa_column=sa.Column(sa.Numeric(12, 3), nullable=True)
    )
    erp_updated_at: datetime | None = ts_field(nullable=True)


class OrderService(SQLModel, table=True):
    """An extra service on the order (сопровождение, хранение, страхование…)."""

    __tablename__ = "order_services"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    order_id: int = Field(foreign_key="orders.id", index=True)
    name: str = Field(max_length=200)
    quantity: Decimal = Field(
        default=Decimal("1"), sa_column=sa.Column(sa.Numeric(18, 3), nullable=False)
    )
    amount: Decimal = money_field()
    status: str = Field(default="", max_length=60)
    erp_updated_at: datetime | None = ts_field(nullable=True)


class OrderChangeRequest(SQLModel, table=True):
    """A customer's request to change or cancel an order; sent to the ERP by the outbound queue.

    At most one open (pending or sent) request per order: a partial unique index.
    """

    __tablename__ = "order_change_requests"
    __table_args__ = (
        sa.Index(
            "uq_order_change_requests_open",
            "order_id",
            unique=True,
            sqlite_where=sa.text("status IN ('pending', 'sent')"),
            postgresql_where=sa.text("status IN ('pending', 'sent')"),
        ),
        sa.Index("ix_order_change_requests_status_next", "status", "next_attempt_at", "id"),
        sa.Index("ix_order_change_requests_org_created", "organisation_id", "created_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    # Idempotency key the ERP sees: a resend after a crash is recognised, not applied twice.
    request_key: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    order_id: int = Field(foreign_key="orders.id", index=True)
    kind: str = Field(max_length=10)  # ChangeKind
    payload: dict[str, Any] | None = json_field()  # requested changes {field: new value}
    comment: str = Field(default="", max_length=2000)
    status: str = Field(default=ChangeStatus.PENDING, max_length=20)
    erp_answer: str = Field(default="", max_length=2000)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = ts_field(nullable=True)
    last_error: str = Field(default="", max_length=1000)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)
    sent_at: datetime | None = ts_field(nullable=True)
    answered_at: datetime | None = ts_field(nullable=True)
