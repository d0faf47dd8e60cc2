"""Quality certificates and shipping/closing documents mirrored from the ERP.

Millions of rows: exact and prefix search by number and batch go through the composite indexes
(organisation_id, number) / (organisation_id, batch) as a range `col >= :p AND col < :p_next`
(see cabinet/documents/rules.py); staff searching every organisation use the single-column
indexes. Registries page by keyset on (date, id).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import json_field, ts_field
from models.finance import money_field


def code_column(length: int = 40, *, default: str | None = None) -> str:
    """A document number / batch column compared byte-wise (collation "C" on PostgreSQL,
    SQLite's default BINARY), so the prefix range `>= p AND < p_next` is exact in any locale."""
    kind = sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")
    if default is None:
        return Field(sa_column=sa.Column(kind, nullable=False))  # type: ignore[no-any-return]
    return Field(default=default, sa_column=sa.Column(kind, nullable=False))  # type: ignore[no-any-return]


def new_public_code() -> str:
    """An unguessable code for a certificate's public QR page (22 url-safe characters)."""
    return secrets.token_urlsafe(16)


class DocType(StrEnum):
    INVOICE = "invoice"  # счёт-фактура
    WAYBILL = "waybill"  # транспортная / железнодорожная накладная
    UPD = "upd"  # универсальный передаточный документ
    TORG12 = "torg12"  # товарная накладная ТОРГ-12
    ACT = "act"  # акт оказанных услуг
    SPECIFICATION = "specification"
    CONTRACT = "contract"
    PACKING_LIST = "packing_list"  # упаковочный лист


class DeliveryType(StrEnum):
    RAIL = "rail"
    ROAD = "road"
    PICKUP = "pickup"  # самовывоз
    SEA = "sea"


class Certificate(SQLModel, table=True):
    """A quality certificate (сертификат качества) for a product batch / heat."""

    __tablename__ = "certificates"
    __table_args__ = (
        sa.Index("ix_certificates_org_number", "organisation_id", "number", "id"),
        sa.Index("ix_certificates_org_batch", "organisation_id", "batch", "id"),
        sa.Index("ix_certificates_org_issued", "organisation_id", "issued_on", "id"),
        sa.Index("ix_certificates_issued_id", "issued_on", "id"),
        sa.Index("ix_certificates_number", "number", "id"),
        sa.Index("ix_certificates_batch", "batch", "id"),
        # room for in-place (HOT) updates by the ERP sync: migration 0009
        {"extend_existing": True, "postgresql_with": {"fillfactor": 80}},
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    number: str = code_column(40)
    batch: str = code_column(40, default="")  # партия
    heat: str = Field(default="", max_length=40)  # плавка
    product_code: str = Field(default="", max_length=40)
    product_name: str = Field(default="", max_length=300)
    grade: str = Field(default="", max_length=60)
    dimensions: str = Field(default="", max_length=100)
    standard: str = Field(default="", max_length=100)
    quantity: Decimal | None = Field(
        default=None, sa_column=sa.Column(sa.Numeric(18, 3), nullable=True)
    )
    unit: str = Field(default="т", max_length=10)
    issued_on: date
    consignee: str = Field(default="", max_length=300)
    producer: str = Field(default="", max_length=300)  # завод-изготовитель
    # The QR page's address: random, unguessable; set once on insert, never changed by sync.
    public_code: str = Field(default_factory=new_public_code, max_length=32, unique=True)
    # What the producer discloses on the public page: {"chemistry": {...}, "mechanics": {...},
    # "fields": ["product_name", "grade", ...]}; never the customer or prices.
    disclosed: dict[str, Any] | None = json_field()
    file_id: int | None = Field(default=None, foreign_key="stored_files.id")
    erp_updated_at: datetime | None = ts_field(nullable=True)
    updated_at: datetime = ts_field(default_now=True)


class ShippingDocument(SQLModel, table=True):
    """A shipping or closing document: invoice, waybill, УПД, act, specification…"""

    __tablename__ = "shipping_documents"
    __table_args__ = (
        sa.Index("ix_shipping_documents_org_number", "organisation_id", "number", "id"),
        sa.Index("ix_shipping_documents_org_date", "organisation_id", "doc_date", "id"),
        sa.Index("ix_shipping_documents_date_id", "doc_date", "id"),
        sa.Index("ix_shipping_documents_number", "number", "id"),
        {"extend_existing": True, "postgresql_with": {"fillfactor": 90}},  # migration 0009
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    doc_type: str = Field(max_length=20)  # DocType
    number: str = code_column(40)
    doc_date: date
    delivery_type: str = Field(default="", max_length=20)  # DeliveryType
    consignee: str = Field(default="", max_length=300)
    product_code: str = Field(default="", max_length=40)
    amount: Decimal | None = money_field(nullable=True)
    currency: str = Field(default="RUB", max_length=3)
    file_id: int | None = Field(default=None, foreign_key="stored_files.id")
    erp_updated_at: datetime | None = ts_field(nullable=True)
    updated_at: datetime = ts_field(default_now=True)
