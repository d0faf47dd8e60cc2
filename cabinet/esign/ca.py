"""The system's certification authority and the key material around it (cryptography).

- The CA (EC P-256 key, self-signed certificate) is one row of `esign_ca` named "root",
  created on first use: two workers racing both try to insert, the unique name lets one win
  and the other reads the winner's row. Its private key is PKCS#8 PEM encrypted
  (BestAvailableEncryption) under a password derived from SECRET_KEY.
- Users' private keys (EC P-256) are sealed with AES-256-GCM under a key derived from the
  user's PIN (scrypt, per-key salt) mixed with SECRET_KEY, so neither the database alone nor
  the PIN alone opens them; a wrong PIN fails the GCM tag.
- Certificates and CRLs are built here; nothing in this module touches Reflex.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from cabinet.errors import DomainError
from cabinet.settings import settings
from models.base import utcnow
from models.esign import CertificationAuthority

CA_NAME = "root"
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


class WrongPinError(Exception):
    """The PIN did not open the sealed key (GCM tag mismatch)."""


# --------------------------------------------------------------------------- secrets


def _derive(label: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=label).derive(
        settings.secret_key.encode()
    )


def _ca_password() -> bytes:
    return _derive(b"cabinet-esign-ca-key").hex().encode()


def _pin_key(pin: str, salt: bytes) -> bytes:
    stretched = Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(
        pin.encode()
    )
    return hmac.new(_derive(b"cabinet-esign-pin-pepper"), stretched, hashlib.sha256).digest()


@dataclass(frozen=True)
class SealedKey:
    ciphertext: bytes
    salt: bytes
    nonce: bytes


def new_user_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def seal_private_key(key: ec.EllipticCurvePrivateKey, pin: str, aad: bytes) -> SealedKey:
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt = os.urandom(16)
    nonce = os.urandom(12)
    ct = AESGCM(_pin_key(pin, salt)).encrypt(nonce, der, aad)
    return SealedKey(ciphertext=ct, salt=salt, nonce=nonce)


def open_private_key(sealed: SealedKey, pin: str, aad: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        der = AESGCM(_pin_key(pin, sealed.salt)).decrypt(sealed.nonce, sealed.ciphertext, aad)
    except InvalidTag:
        raise WrongPinError from None
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):  # pragma: no cover - we only seal EC
        raise DomainError("Ключ подписи повреждён.")
    return key


def public_key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def key_aad(user_id: int, public_pem: str) -> bytes:
    """Binds a sealed key to its owner and public key (a row copied to another user fails)."""
    return f"cabinet-esign:{user_id}:".encode() + hashlib.sha256(public_pem.encode()).digest()


# --------------------------------------------------------------------------- the CA


@dataclass(frozen=True)
class LoadedCA:
    id: int
    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


def build_ca(now: datetime) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "RU"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.esign_owner_organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, settings.esign_ca_name),
        ]
    )
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * settings.esign_ca_years))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return cert, key


def ensure_ca(session: Session) -> CertificationAuthority:
    """The CA row, created if missing. Commits only when it creates (race-safe)."""
    row = session.exec(
        select(CertificationAuthority).where(CertificationAuthority.name == CA_NAME)
    ).first()
    if row is not None:
        return row
    cert, key = build_ca(utcnow())
    row = CertificationAuthority(
        name=CA_NAME,
        cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        key_pem_encrypted=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(_ca_password()),
        ),
        serial=format(cert.serial_number, "X"),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker created it first
        pass
    session.commit()
    winner = session.exec(
        select(CertificationAuthority).where(CertificationAuthority.name == CA_NAME)
    ).one()
    return winner


def ca_certificate(session: Session) -> x509.Certificate | None:
    """The CA certificate if the CA exists (never creates it)."""
    row = session.exec(
        select(CertificationAuthority).where(CertificationAuthority.name == CA_NAME)
    ).first()
    return _load_cert(row.cert_pem) if row else None


@lru_cache(maxsize=64)
def _load_cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


@lru_cache(maxsize=4)
def _load_ca_key(pem: bytes, password: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=password)
    except ValueError:
        raise DomainError(
            "Ключ удостоверяющего центра не расшифровывается: изменился SECRET_KEY?"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):  # pragma: no cover
        raise DomainError("Ключ удостоверяющего центра повреждён.")
    return key


def load_ca(session: Session) -> LoadedCA:
    """The CA with its decrypted key (created on first use)."""
    row = ensure_ca(session)
    assert row.id is not None
    return LoadedCA(
        id=row.id,
        cert=_load_cert(row.cert_pem),
        key=_load_ca_key(bytes(row.key_pem_encrypted), _ca_password()),
    )


def load_cert(pem: str) -> x509.Certificate:
    return _load_cert(pem)


# --------------------------------------------------------------------------- user certificates


@dataclass(frozen=True)
class Subject:
    full_name: str
    organisation: str
    position: str
    email: str


def subject_name(subject: Subject) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "RU")]
    if subject.organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, subject.organisation))
    if subject.position:
        attrs.append(x509.NameAttribute(NameOID.TITLE, subject.position))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, subject.full_name))
    attrs.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, subject.email))
    return x509.Name(attrs)


def build_user_certificate(
    ca: LoadedCA,
    *,
    subject: Subject,
    public_pem: str,
    serial: int,
    not_before: datetime,
    not_after: datetime,
    crl_url: str,
) -> x509.Certificate:
    """A signature certificate: digitalSignature + nonRepudiation, emailProtection."""
    public_key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(public_key, ec.EllipticCurvePublicKey):  # pragma: no cover
        raise DomainError("Открытый ключ повреждён.")
    ca_ski = ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject_name(subject))
        .issuer_name(ca.cert.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.SubjectAlternativeName([x509.RFC822Name(subject.email)]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski),
            critical=False,
        )
    )
    if crl_url:
        builder = builder.add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier(crl_url)],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
    return builder.sign(ca.key, hashes.SHA256())


@dataclass(frozen=True)
class RevokedEntry:
    serial_hex: str
    revoked_at: datetime
    reason: str  # x509.ReasonFlags name


def build_crl(
    ca: LoadedCA, revoked: list[RevokedEntry], *, now: datetime, next_hours: int = 24
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.cert.subject)
        .last_update(now)
        .next_update(now + timedelta(hours=next_hours))
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
    )
    for r in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(int(r.serial_hex, 16))
            .revocation_date(r.revoked_at)
        )
        reason = getattr(x509.ReasonFlags, r.reason, x509.ReasonFlags.unspecified)
        if reason is not x509.ReasonFlags.unspecified:
            entry = entry.add_extension(x509.CRLReason(reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    return builder.sign(ca.key, hashes.SHA256())


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


async def ensure_ca_on_start() -> None:
    """Lifespan task: create the CA at start (every worker tries; the unique name decides)."""
    import asyncio
    import logging

    from cabinet.db import session_scope

    def run() -> None:
        with session_scope() as s:
            ensure_ca(s)

    try:
        await asyncio.to_thread(run)
    except Exception:  # a missing table before `alembic upgrade` must not stop the app
        logging.getLogger(__name__).exception("esign: could not create the CA at start")
