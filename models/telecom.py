"""Telecom: partners, tariffs, contracts, SIM cards, payments, saved cards, auto-payments,
subscriber requests (tariff change, block, activation) and the block history.

A subscriber is an organisation (models.organisations.Organisation); its users who hold
Perm.TELECOM_USE in it see its contracts and SIM cards. Money is integer kopecks everywhere.
A SIM's balance changes only through a BalanceEntry, written once per confirmed payment
(unique payment_id), so an outcome can never be applied twice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class TariffStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class SimStatus(StrEnum):
    INACTIVE = "inactive"  # in stock or issued but not activated yet
    ACTIVE = "active"
    BLOCKED = "blocked"


class PaymentKind(StrEnum):
    TOPUP = "topup"  # a subscriber's top-up through the provider's payment page
    AUTOPAY = "autopay"  # a monthly charge of a saved card token
    REFUND = "refund"  # money returned to the card (negative effect on the balance)


class PaymentStatus(StrEnum):
    CREATED = "created"  # recorded, the provider not called yet (or the call did not answer)
    PENDING = "pending"  # the provider knows it; waiting for the card holder / the bank
    SUCCEEDED = "succeeded"
    DECLINED = "declined"  # the bank or the provider said no (decline_reason says why)
    FAILED = "failed"  # technical failure or expired without an outcome
    REFUNDED = "refunded"  # a succeeded payment later returned in full


class BalanceEntryKind(StrEnum):
    PAYMENT = "payment"  # a confirmed top-up or auto-payment
    REFUND = "refund"
    FEE = "fee"  # monthly tariff fee
    ADJUSTMENT = "adjustment"  # by an operator administrator


class AutoPayRunStatus(StrEnum):
    CLAIMED = "claimed"  # a worker took this period; the charge is being made
    RETRY = "retry"  # the last attempt failed; next_attempt_at says when to try again
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # gave up after the last attempt
    SKIPPED = "skipped"  # nothing to charge (disabled, SIM blocked, card removed)


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"  # withdrawn by the one who asked


class RequestSource(StrEnum):
    SUBSCRIBER = "subscriber"
    PARTNER = "partner"
    OPERATOR = "operator"


class Partner(SQLModel, table=True):
    """A company that sells the operator's SIM cards and earns a share of their payments."""

    __tablename__ = "telecom_partners"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300)
    inn: str = Field(default="", max_length=12, index=True)
    # The partner's own cabinet organisation, when its staff log in (activation requests).
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    contact_name: str = Field(default="", max_length=200)
    contact_email: str = Field(default="", max_length=254)
    contact_phone: str = Field(default="", max_length=20)
    # Share of the subscribers' succeeded payments the partner earns, per cent (e.g. 12.50).
    profit_share_percent: Decimal = Field(
        default=Decimal("0"), sa_column=sa.Column(sa.Numeric(5, 2), nullable=False)
    )
    is_active: bool = Field(default=True)
    note: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, default=""))
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class Tariff(SQLModel, table=True):
    __tablename__ = "telecom_tariffs"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=1000)
    monthly_fee_kopecks: int = Field(
        default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False)
    )
    # Monthly allowances; None = unlimited.
    minutes: int | None = Field(default=None)
    sms: int | None = Field(default=None)
    internet_gb: int | None = Field(default=None)
    status: str = Field(default=TariffStatus.ACTIVE, max_length=10, index=True)
    sort_order: int = Field(default=0)
    archived_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class TelecomContract(SQLModel, table=True):
    """A subscriber's service contract; one or more SIM cards belong to it."""

    __tablename__ = "telecom_contracts"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=40, unique=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="telecom_partners.id", index=True)
    signed_on: date | None = Field(default=None)
    status: str = Field(default=ContractStatus.ACTIVE, max_length=12, index=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class SimCard(SQLModel, table=True):
    """One SIM card. contract_id None = in the operator's (or a partner's) stock."""

    __tablename__ = "telecom_sim_cards"
    __table_args__ = (
        sa.Index("ix_telecom_sim_cards_status_id", "status", "id"),
        sa.Index("ix_telecom_sim_cards_partner_id", "partner_id", "id"),
        sa.Index("ix_telecom_sim_cards_tariff_id", "tariff_id", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    iccid: str = Field(max_length=22, unique=True)  # 19-20 digits
    msisdn: str = Field(max_length=16, unique=True)  # E.164 "+79161234567"
    status: str = Field(default=SimStatus.INACTIVE, max_length=10)
    contract_id: int | None = Field(default=None, foreign_key="telecom_contracts.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="telecom_partners.id")
    tariff_id: int | None = Field(default=None, foreign_key="telecom_tariffs.id")
    label: str = Field(
        default="", max_length=60
    )  # the subscriber's own name for it ("Роутер офис")
    balance_kopecks: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False))
    activated_at: datetime | None = ts_field(nullable=True)
    blocked_at: datetime | None = ts_field(nullable=True)
    block_reason: str = Field(default="", max_length=500)
    blocked_by_id: int | None = Field(default=None, foreign_key="users.id")
    # Lower-cased ICCID, number, label: one search box for the admin registry.
    search_text: str = Field(default="", max_length=200, index=True)
    version: int = Field(default=1)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class SavedCard(SQLModel, table=True):
    """A bank card saved at the provider. Only its token and a masked number; never the PAN."""

    __tablename__ = "telecom_saved_cards"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")  # who saved it
    provider_token: str = Field(max_length=128, unique=True)
    masked_pan: str = Field(max_length=24)  # "•••• 4242"
    brand: str = Field(default="", max_length=20)  # "visa", "mir", ...
    exp_month: int = Field(default=0)
    exp_year: int = Field(default=0)
    is_active: bool = Field(default=True)
    created_at: datetime = ts_field(default_now=True)
    removed_at: datetime | None = ts_field(nullable=True)


class Payment(SQLModel, table=True):
    """One payment. Recorded (status created) before the provider is called; its outcome is
    applied once, by a conditional UPDATE on status, and only a succeeded one moves money."""

    __tablename__ = "telecom_payments"
    __table_args__ = (
        sa.Index("ix_telecom_payments_created_id", "created_at", "id"),
        sa.Index("ix_telecom_payments_partner_created", "partner_id", "created_at", "id"),
        # Covers the partner profit sums (index-only: no table rows read at 1,000,000 payments).
        sa.Index(
            "ix_telecom_payments_partner_profit",
            "partner_id",
            "status",
            "created_at",
            "amount_kopecks",
            "kind",
        ),
        sa.Index("ix_telecom_payments_status_created", "status", "created_at", "id"),
        sa.Index("ix_telecom_payments_sim_created", "sim_id", "created_at", "id"),
        sa.Index("ix_telecom_payments_org_created", "organisation_id", "created_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    sim_id: int = Field(foreign_key="telecom_sim_cards.id")
    contract_id: int | None = Field(default=None, foreign_key="telecom_contracts.id")
    # Denormalised at creation for scoped and admin queries (subscriber, partner profit).
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    partner_id: int | None = Field(default=None, foreign_key="telecom_partners.id")
    kind: str = Field(default=PaymentKind.TOPUP, max_length=10)
    amount_kopecks: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    status: str = Field(default=PaymentStatus.CREATED, max_length=10)
    idempotency_key: str = Field(max_length=64, unique=True)
    provider_payment_id: str = Field(default="", max_length=64, index=True)
    confirmation_url: str = Field(default="", max_length=500)
    decline_reason: str = Field(default="", max_length=300)
    saved_card_id: int | None = Field(default=None, foreign_key="telecom_saved_cards.id")
    save_card: bool = Field(default=False)  # the payer asked to save the card on the page
    refund_of_id: int | None = Field(default=None, foreign_key="telecom_payments.id")
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    attempts: int = Field(default=0)  # provider calls made (create / status checks)
    last_checked_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    confirmed_at: datetime | None = ts_field(nullable=True)  # the final outcome arrived


class BalanceEntry(SQLModel, table=True):
    """A SIM balance ledger line. payment_id is unique: a payment moves money at most once."""

    __tablename__ = "telecom_balance_entries"
    __table_args__ = (
        sa.Index("ix_telecom_balance_entries_sim_created", "sim_id", "created_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    sim_id: int = Field(foreign_key="telecom_sim_cards.id")
    payment_id: int | None = Field(default=None, foreign_key="telecom_payments.id", unique=True)
    kind: str = Field(default=BalanceEntryKind.PAYMENT, max_length=12)
    amount_kopecks: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    balance_after_kopecks: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    note: str = Field(default="", max_length=300)
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = ts_field(default_now=True)


class AutoPayment(SQLModel, table=True):
    """Monthly auto-payment of one SIM from a saved card. day_of_month 1..31; a day past the
    month's end means its last day (31 → 28/29 February)."""

    __tablename__ = "telecom_autopayments"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    sim_id: int = Field(foreign_key="telecom_sim_cards.id", unique=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    saved_card_id: int = Field(foreign_key="telecom_saved_cards.id", index=True)
    day_of_month: int = Field(default=1)
    amount_kopecks: int = Field(sa_column=sa.Column(sa.BigInteger(), nullable=False))
    enabled: bool = Field(default=True, index=True)
    # First period it may charge ("YYYY-MM"): enabling after this month's day waits a month.
    start_period: str = Field(default="", max_length=7)
    created_by_id: int | None = Field(default=None, foreign_key="users.id")
    version: int = Field(default=1)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class AutoPayRun(SQLModel, table=True):
    """One auto-payment's charge for one period. UNIQUE(autopayment_id, period): a worker
    claims the period by inserting this row BEFORE charging, so no period is charged twice,
    whatever the number of workers or restarts."""

    __tablename__ = "telecom_autopay_runs"
    __table_args__ = (
        sa.UniqueConstraint("autopayment_id", "period", name="uq_telecom_autopay_runs_period"),
        sa.Index("ix_telecom_autopay_runs_status_next", "status", "next_attempt_at"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    autopayment_id: int = Field(foreign_key="telecom_autopayments.id")
    period: str = Field(max_length=7)  # "2026-02"
    status: str = Field(default=AutoPayRunStatus.CLAIMED, max_length=10)
    attempts: int = Field(default=0)
    amount_kopecks: int = Field(default=0, sa_column=sa.Column(sa.BigInteger(), nullable=False))
    payment_id: int | None = Field(default=None, foreign_key="telecom_payments.id")
    last_error: str = Field(default="", max_length=300)
    claimed_by: str = Field(default="", max_length=80)  # worker id
    lease_until: datetime | None = ts_field(nullable=True)  # a crashed worker's claim expires
    next_attempt_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)
    finished_at: datetime | None = ts_field(nullable=True)


class TariffChangeRequest(SQLModel, table=True):
    __tablename__ = "telecom_tariff_change_requests"
    __table_args__ = (
        sa.Index("ix_telecom_tariff_requests_status_created", "status", "created_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    sim_id: int = Field(foreign_key="telecom_sim_cards.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    from_tariff_id: int | None = Field(default=None, foreign_key="telecom_tariffs.id")
    to_tariff_id: int = Field(foreign_key="telecom_tariffs.id")
    comment: str = Field(default="", max_length=1000)
    status: str = Field(default=RequestStatus.PENDING, max_length=10)
    requested_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = ts_field(nullable=True)
    decision_comment: str = Field(default="", max_length=1000)
    created_at: datetime = ts_field(default_now=True)


class BlockRequest(SQLModel, table=True):
    """A subscriber asks to block a SIM (lost, stolen, not needed)."""

    __tablename__ = "telecom_block_requests"
    __table_args__ = (
        sa.Index("ix_telecom_block_requests_status_created", "status", "created_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    sim_id: int = Field(foreign_key="telecom_sim_cards.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    reason_code: str = Field(default="other", max_length=20)  # lost / stolen / not_needed / other
    reason: str = Field(default="", max_length=1000)
    status: str = Field(default=RequestStatus.PENDING, max_length=10)
    requested_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = ts_field(nullable=True)
    decision_comment: str = Field(default="", max_length=1000)
    created_at: datetime = ts_field(default_now=True)


class ActivationRequest(SQLModel, table=True):
    """A request to activate a SIM card, from a subscriber (their inactive SIM) or a partner
    (a SIM from its stock for a new subscriber)."""

    __tablename__ = "telecom_activation_requests"
    __table_args__ = (
        sa.Index("ix_telecom_activation_requests_status_created", "status", "created_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(default=RequestSource.SUBSCRIBER, max_length=10)
    sim_id: int | None = Field(default=None, foreign_key="telecom_sim_cards.id", index=True)
    iccid: str = Field(default="", max_length=22)  # as typed, when the SIM is not known yet
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    partner_id: int | None = Field(default=None, foreign_key="telecom_partners.id", index=True)
    contract_id: int | None = Field(default=None, foreign_key="telecom_contracts.id")
    tariff_id: int | None = Field(default=None, foreign_key="telecom_tariffs.id")
    comment: str = Field(default="", max_length=1000)
    status: str = Field(default=RequestStatus.PENDING, max_length=10)
    requested_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = ts_field(nullable=True)
    decision_comment: str = Field(default="", max_length=1000)
    created_at: datetime = ts_field(default_now=True)


class SimBlockEvent(SQLModel, table=True):
    """Block history: when, why and by whom a SIM was blocked, and when it was unblocked."""

    __tablename__ = "telecom_sim_block_events"
    __table_args__ = (
        sa.Index("ix_telecom_sim_block_events_blocked", "blocked_at", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    sim_id: int = Field(foreign_key="telecom_sim_cards.id", index=True)
    reason: str = Field(default="", max_length=1000)
    block_request_id: int | None = Field(default=None, foreign_key="telecom_block_requests.id")
    blocked_at: datetime = ts_field(default_now=True)
    blocked_by_id: int | None = Field(default=None, foreign_key="users.id")
    unblocked_at: datetime | None = ts_field(nullable=True)
    unblocked_by_id: int | None = Field(default=None, foreign_key="users.id")
    unblock_comment: str = Field(default="", max_length=1000)
