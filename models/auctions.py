"""Auctions: auctions, their lots, the bid ledger, participants' pseudonyms and results.

The rules (forms, steps, soft close, winners) are in cabinet/auctions/rules.py; every write
goes through cabinet/auctions/service.py. The bid ledger (`auction_bids`) is append-only: a
row is never updated or deleted. A withdrawn, replaced or annulled bid gets one row in
`auction_bid_voids` instead, so the ledger keeps what was said and when.

A lot carries its current best open bid (`best_amount`, `best_bid_id`) and a `version` counter
that every accepted bid bumps with a compare-and-set UPDATE (… WHERE version = :seen), so two
bidders can never both lead; `last_seq` numbers the lot's ledger rows without gaps.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class AuctionForm(StrEnum):
    OPEN = "open"  # open bids only (открытая форма)
    CLOSED = "closed"  # closed price offers only (закрытая форма)
    MIXED = "mixed"  # both (смешанная форма)


class AuctionStatus(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"
    RUNNING = "running"
    FINISHED = "finished"
    CANCELLED = "cancelled"


class StepKind(StrEnum):
    AMOUNT = "amount"  # a fixed amount in the lot's currency
    PERCENT = "percent"  # a percentage of the current price (of the start price for the first)


class BidKind(StrEnum):
    OPEN = "open"  # open bid (ставка): raises the price, seen by everyone anonymised
    OFFER = "offer"  # closed price offer (ценовое предложение): below the start price, hidden


class VoidKind(StrEnum):
    WITHDRAWN = "withdrawn"  # the participant cancelled their price offer
    REPLACED = "replaced"  # a later offer or an open bid of the same organisation replaced it
    ANNULLED = "annulled"  # the organiser annulled it with a reason


class ResultKind(StrEnum):
    OPEN = "open"  # won by the highest open bid
    OFFER = "offer"  # no open bids: won by the highest price offer at its own price
    NONE = "none"  # nobody bid


class Auction(SQLModel, table=True):
    __tablename__ = "auctions"
    __table_args__ = (
        sa.Index("ix_auctions_starts_id", "starts_at", "id"),
        sa.Index("ix_auctions_status_starts", "status", "starts_at"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False, default=""))
    organiser_org_id: int | None = Field(default=None, foreign_key="organisations.id")
    organiser_id: int = Field(foreign_key="users.id", index=True)
    form: str = Field(default=AuctionForm.OPEN, max_length=10)
    status: str = Field(default=AuctionStatus.DRAFT, max_length=12, index=True)
    starts_at: datetime = ts_field()
    ends_at: datetime = ts_field()
    step_kind: str = Field(default=StepKind.AMOUNT, max_length=10)
    step_value: Decimal = Field(sa_column=sa.Column(sa.Numeric(18, 2), nullable=False))
    soft_close_minutes: int = Field(default=2)  # a bid in the last N minutes…
    extension_minutes: int = Field(default=2)  # …moves the lot's end to M minutes after it
    version: int = Field(default=1)  # bumped by every organiser's change (stale-edit check)
    started_at: datetime | None = ts_field(nullable=True)
    finished_at: datetime | None = ts_field(nullable=True)
    ending_soon_sent_at: datetime | None = ts_field(nullable=True)
    cancel_reason: str = Field(default="", max_length=500)
    created_at: datetime = ts_field(default_now=True)
    updated_at: datetime = ts_field(default_now=True)


class AuctionLot(SQLModel, table=True):
    __tablename__ = "auction_lots"
    __table_args__ = (
        sa.UniqueConstraint("auction_id", "number", name="uq_auction_lot_number"),
        sa.Index("ix_auction_lots_open_end", "closed_at", "effective_end"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    auction_id: int = Field(foreign_key="auctions.id", index=True)
    number: int = Field(default=1)  # lot № within the auction
    product: str = Field(max_length=300)
    quantity: Decimal = Field(sa_column=sa.Column(sa.Numeric(14, 3), nullable=False))
    unit: str = Field(default="т", max_length=20)
    start_price: Decimal = Field(sa_column=sa.Column(sa.Numeric(18, 2), nullable=False))
    currency: str = Field(default="RUB", max_length=3)
    delivery_terms: str = Field(default="", max_length=500)
    search_text: str = Field(default="", max_length=1200)  # lower-cased product, terms, title
    effective_end: datetime = ts_field()  # the auction's end, moved by soft-close extensions
    best_amount: Decimal | None = Field(
        default=None, sa_column=sa.Column(sa.Numeric(18, 2), nullable=True)
    )
    best_bid_id: int | None = Field(default=None)  # the leading open bid (no FK: set after it)
    open_bids: int = Field(default=0)  # active open bids (an offer is allowed only at 0)
    version: int = Field(default=0)  # compare-and-set counter, bumped by every accepted change
    last_seq: int = Field(default=0)  # the last ledger sequence number of this lot
    closed_at: datetime | None = ts_field(nullable=True)
    created_at: datetime = ts_field(default_now=True)


class AuctionParticipant(SQLModel, table=True):
    """An organisation's stable pseudonym in one auction: "Участник N"."""

    __tablename__ = "auction_participants"
    __table_args__ = (
        sa.UniqueConstraint("auction_id", "organisation_id", name="uq_auction_participant_org"),
        sa.UniqueConstraint("auction_id", "number", name="uq_auction_participant_number"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    auction_id: int = Field(foreign_key="auctions.id", index=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    number: int
    created_at: datetime = ts_field(default_now=True)


class AuctionBid(SQLModel, table=True):
    """One ledger row: an open bid or a closed price offer. Never updated, never deleted."""

    __tablename__ = "auction_bids"
    __table_args__ = (
        sa.UniqueConstraint("lot_id", "seq", name="uq_auction_bid_seq"),
        sa.Index("ix_auction_bids_org_lot", "organisation_id", "lot_id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(foreign_key="auction_lots.id", index=True)
    auction_id: int = Field(foreign_key="auctions.id", index=True)
    seq: int  # 1, 2, 3 … per lot, gap-free, in the order the server accepted them
    organisation_id: int = Field(foreign_key="organisations.id")
    user_id: int = Field(foreign_key="users.id", index=True)
    participant_no: int  # the organisation's pseudonym number in this auction
    kind: str = Field(max_length=10)
    amount: Decimal = Field(sa_column=sa.Column(sa.Numeric(18, 2), nullable=False))
    created_at: datetime = ts_field(default_now=True)


class AuctionBidVoid(SQLModel, table=True):
    """A ledger row that no longer counts: withdrawn, replaced or annulled (with reason)."""

    __tablename__ = "auction_bid_voids"
    __table_args__ = (
        sa.UniqueConstraint("bid_id", name="uq_auction_bid_void"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    bid_id: int = Field(foreign_key="auction_bids.id")
    lot_id: int = Field(foreign_key="auction_lots.id", index=True)
    kind: str = Field(max_length=10)
    reason: str = Field(default="", max_length=500)
    by_user_id: int | None = Field(default=None, foreign_key="users.id")
    at: datetime = ts_field(default_now=True)


class AuctionResult(SQLModel, table=True):
    """The final record of one lot, written once when it closes."""

    __tablename__ = "auction_results"
    __table_args__ = (
        sa.UniqueConstraint("lot_id", name="uq_auction_result_lot"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    lot_id: int = Field(foreign_key="auction_lots.id")
    auction_id: int = Field(foreign_key="auctions.id", index=True)
    kind: str = Field(default=ResultKind.NONE, max_length=10)
    winner_org_id: int | None = Field(default=None, foreign_key="organisations.id", index=True)
    winner_user_id: int | None = Field(default=None, foreign_key="users.id")
    bid_id: int | None = Field(default=None, foreign_key="auction_bids.id")
    price: Decimal | None = Field(
        default=None, sa_column=sa.Column(sa.Numeric(18, 2), nullable=True)
    )
    decided_at: datetime = ts_field(default_now=True)
