"""Electronic signatures: the system's certification authority, users' signature certificates
(with their PIN-encrypted private keys) and the signatures made with them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import ts_field


class CertificateStatus(StrEnum):
    REQUESTED = "requested"  # the user asked; the key pair exists, no certificate yet
    ISSUED = "issued"  # the owner issued it (may still be expired by date)
    REJECTED = "rejected"  # the owner refused the request
    REVOKED = "revoked"  # the owner revoked it; listed in the CRL


class CertificationAuthority(SQLModel, table=True):
    """The system's own CA: one row per name ("root"), created on first start.

    The private key is PKCS#8 PEM encrypted under a key derived from SECRET_KEY.
    """

    __tablename__ = "esign_ca"
    __table_args__ = {"extend_existing": True}

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True)
    cert_pem: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    key_pem_encrypted: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    serial: str = Field(max_length=64)
    created_at: datetime = ts_field(default_now=True)


class SignatureCertificate(SQLModel, table=True):
    """A user's signature certificate from request to revocation.

    The key pair is made on the server at request time; the private key (PKCS#8 DER) is kept
    only AES-GCM-encrypted under a key derived from the user's PIN (scrypt) and SECRET_KEY.
    """

    __tablename__ = "esign_certificates"
    __table_args__ = (
        sa.Index("ix_esign_certificates_status_id", "status", "id"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(default=CertificateStatus.REQUESTED, max_length=20)
    # Subject data the user confirmed (the owner checks it before issuing)
    full_name: str = Field(max_length=200)
    position: str = Field(default="", max_length=200)
    organisation: str = Field(default="", max_length=300)
    organisation_id: int | None = Field(default=None, foreign_key="organisations.id")
    email: str = Field(max_length=254)
    # Key pair
    public_key_pem: str = Field(sa_column=sa.Column(sa.Text(), nullable=False))
    key_ciphertext: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    key_salt: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    key_nonce: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    pin_failures: int = Field(default=0)
    pin_locked_until: datetime | None = ts_field(nullable=True)
    requested_at: datetime = ts_field(default_now=True)
    # Issue / reject
    serial: str | None = Field(default=None, max_length=64, unique=True)  # hex, upper case
    cert_pem: str = Field(default="", sa_column=sa.Column(sa.Text(), nullable=False))
    not_before: datetime | None = ts_field(nullable=True)
    not_after: datetime | None = ts_field(nullable=True)
    decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    decided_at: datetime | None = ts_field(nullable=True)
    reject_reason: str = Field(default="", max_length=500)
    # Revocation
    revoke_requested_at: datetime | None = ts_field(nullable=True)
    revoke_request_reason: str = Field(default="", max_length=500)
    revoked_at: datetime | None = ts_field(nullable=True, index=True)
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id")
    revocation_reason: str = Field(default="", max_length=30)  # x509 ReasonFlags name
    revocation_comment: str = Field(default="", max_length=500)


# The name the esign API uses (models.documents has its own, unrelated Certificate).
Certificate = SignatureCertificate


class Signature(SQLModel, table=True):
    """A detached CMS (PKCS#7) signature over `content`, made by one certificate.

    `code` is the public, unguessable id used in URLs and QR codes; `purpose` + `subject_ref`
    name what was signed in the owning module (e.g. "journals.entry", "entry-version:42").
    """

    __tablename__ = "esign_signatures"
    __table_args__ = (
        sa.Index("ix_esign_signatures_subject", "purpose", "subject_ref"),
        {"extend_existing": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    certificate_id: int = Field(foreign_key="esign_certificates.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    purpose: str = Field(max_length=50)
    subject_ref: str = Field(max_length=200)
    signer_role: str = Field(default="", max_length=100)
    signed_at: datetime = ts_field(default_now=True)
    content_sha256: str = Field(max_length=64)
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
    cms_der: bytes = Field(sa_column=sa.Column(sa.LargeBinary(), nullable=False))
