"""Finance mirrored from the ERP: contracts, invoices, the payment schedule and operations.

Every synced row carries the ERP's key (`erp_id`, unique: the upsert target), the organisation
it belongs to (denormalised on every row so each query is scoped by one indexed column) and the
ERP's change time (`erp_updated_at`, the delta-sync watermark). Money is Numeric(18, 2).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


def money_field(*, nullable: bool = False) -> Decimal:
    return Field(  # type: ignore[no-any-return]
        default=None if nullable else Decimal("0"),
        sa_column=sa.Column(sa.Numeric(18, 2), nullable=nullable),
    )


class ContractStatus(StrEnum):
    DRAFT = "draft"  # на согласовании
    ACTIVE = "active"  # действует
    SUSPENDED = "suspended"  # приостановлен
    CLOSED = "closed"  # закрыт / истёк


class InvoiceStatus(StrEnum):
    ISSUED = "issued"  # выставлен, не оплачен
    PARTIAL = "partial"  # оплачен частично
    PAID = "paid"
    CANCELLED = "cancelled"


class OperationKind(StrEnum):
    """A line of the operation history (an accounting movement on a contract)."""

    SHIPMENT = "shipment"  # отгрузка / оказание услуг (долг клиента растёт)
    INVOICE = "invoice"  # выставлен счёт
    PAYMENT = "payment"  # оплата клиента (долг уменьшается)
    PREPAYMENT = "prepayment"
    CREDIT_NOTE = "credit_note"  # корректировка в пользу клиента
    ADJUSTMENT = "adjustment"


class ScheduleStatus(StrEnum):
    PLANNED = "planned"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


class Contract(SQLModel, table=True):
    """A supply / transport contract of an organisation, with its credit limit and balance."""

    __tablename__ = "contracts"
    __table_args__ = (
        sa.Index("ix_contracts_org_number", "organisation_id", "number"),
        sa.Index("ix_contracts_org_valid", "organisation_id", "valid_from", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    number: str = Field(max_length=40)
    title: str = Field(default="", max_length=300)  # предмет договора
    status: str = Field(default=ContractStatus.ACTIVE, max_length=20)
    valid_from: date | None = Field(default=None)
    valid_to: date | None = Field(default=None)
    currency: str = Field(default="RUB", max_length=3)
    credit_limit: Decimal = money_field()
    # Operating balance (сальдо): positive = the customer owes, negative = prepaid.
    balance: Decimal = money_field()
    payment_terms_days: int = Field(default=0)  # отсрочка платежа, дней
    erp_updated_at: datetime | None = ts_field(nullable=True)
    updated_at: datetime = ts_field(default_now=True)


class Invoice(SQLModel, table=True):
    """An invoice (счёт / счёт-фактура) to the organisation under a contract."""

    __tablename__ = "invoices"
    __table_args__ = (
        sa.Index("ix_invoices_org_issued", "organisation_id", "issued_on", "id"),
        sa.Index("ix_invoices_org_status_issued", "organisation_id", "status", "issued_on", "id"),
        sa.Index("ix_invoices_org_due", "organisation_id", "due_on", "id"),
        sa.Index("ix_invoices_org_number", "organisation_id", "number"),
        sa.Index("ix_invoices_issued_id", "issued_on", "id"),
        sa.Index("ix_invoices_number", "number"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    contract_id: int | None = Field(default=None, foreign_key="contracts.id", index=True)
    order_id: int | None = Field(default=None, foreign_key="orders.id", index=True)
    number: str = Field(max_length=40)
    issued_on: date
    due_on: date | None = Field(default=None)
    amount: Decimal = money_field()
    paid_amount: Decimal = money_field()
    currency: str = Field(default="RUB", max_length=3)
    status: str = Field(default=InvoiceStatus.ISSUED, max_length=20)
    description: str = Field(default="", max_length=500)
    file_id: int | None = Field(default=None, foreign_key="stored_files.id")
    erp_updated_at: datetime | None = ts_field(nullable=True)
    updated_at: datetime = ts_field(default_now=True)


class PaymentScheduleItem(SQLModel, table=True):
    """One planned payment (график платежей) under a contract."""

    __tablename__ = "payment_schedule"
    __table_args__ = (
        sa.Index("ix_payment_schedule_org_due", "organisation_id", "due_on", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    contract_id: int | None = Field(default=None, foreign_key="contracts.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoices.id", index=True)
    due_on: date
    amount: Decimal = money_field()
    currency: str = Field(default="RUB", max_length=3)
    status: str = Field(default=ScheduleStatus.PLANNED, max_length=20)
    note: str = Field(default="", max_length=300)
    erp_updated_at: datetime | None = ts_field(nullable=True)
    updated_at: datetime = ts_field(default_now=True)


class FinanceOperation(SQLModel, table=True):
    """One movement of the operation history: shipment, invoice, payment, correction.

    `amount` is signed from the customer's side: positive increases what they owe,
    negative (payments, credit notes) decreases it.
    """

    __tablename__ = "finance_operations"
    __table_args__ = (
        sa.Index("ix_finance_operations_org_date", "organisation_id", "op_date", "id"),
        sa.Index("ix_finance_operations_contract_date", "contract_id", "op_date", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    erp_id: str = Field(max_length=64, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    contract_id: int | None = Field(default=None, foreign_key="contracts.id")
    invoice_id: int | None = Field(default=None, foreign_key="invoices.id", index=True)
    op_date: date
    kind: str = Field(max_length=20)
    amount: Decimal = money_field()
    currency: str = Field(default="RUB", max_length=3)
    document_ref: str = Field(default="", max_length=100)  # "п/п № 123 от 01.11.2026"
    description: str = Field(default="", max_length=300)
    erp_updated_at: datetime | None = ts_field(nullable=True)
    updated_at: datetime = ts_field(default_now=True)
