"""E-signature reads: the caller's certificates, the owner's lists, public verification of a
signature (cryptographic check + certificate status + "is the signed content still current"),
QR codes. No writes (the CA is only read here, never created)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import segno
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor
from cabinet.errors import PermissionDenied
from cabinet.esign import ca, cms, rules
from cabinet.esign.rules import CertFacts, Validity
from cabinet.formatting import fmt_dt
from cabinet.pagination import SortSpec, fetch_page
from cabinet.settings import settings
from models import Role, RolePermission, User, UserRole
from models.base import utcnow
from models.esign import CertificateStatus, Signature, SignatureCertificate

log = logging.getLogger(__name__)
PAGE_SIZE = 20

# --------------------------------------------------------------------------- certificates


def facts(c: SignatureCertificate) -> CertFacts:
    return CertFacts(c.status, c.not_before, c.not_after, c.revoked_at)


def facts_validity(c: SignatureCertificate, moment: datetime) -> Validity:
    return rules.validity_at(facts(c), moment)


def active_certificate(session: Session, user_id: int) -> SignatureCertificate | None:
    """The user's newest certificate that is issued, in its validity period and not revoked."""
    now = utcnow()
    rows = session.exec(
        select(SignatureCertificate)
        .where(SignatureCertificate.user_id == user_id)
        .where(SignatureCertificate.status == CertificateStatus.ISSUED)
        .where(col(SignatureCertificate.revoked_at).is_(None))
        .order_by(col(SignatureCertificate.id).desc())
    ).all()
    for c in rows:
        if facts_validity(c, now) is Validity.VALID:
            return c
    return None


def issuer_ids(session: Session) -> list[int]:
    """Users who hold ESIGN_ISSUE platform-wide (the system owner's people), not blocked."""
    return sorted(
        set(
            session.exec(
                select(UserRole.user_id)
                .join(Role, col(Role.id) == UserRole.role_id)
                .join(RolePermission, col(RolePermission.role_id) == Role.id)
                .join(User, col(User.id) == UserRole.user_id)
                .where(RolePermission.permission == Perm.ESIGN_ISSUE)
                .where(col(UserRole.organisation_id).is_(None))
                .where(col(User.is_blocked).is_(False))
            ).all()
        )
    )


@dataclass(frozen=True)
class CertRow:
    id: int
    user_id: int
    full_name: str
    position: str
    organisation: str
    email: str
    status: str  # key of rules.STATUS_LABELS
    status_label: str
    serial: str
    requested_at: str
    not_before: str
    not_after: str
    decided_at: str
    reject_reason: str
    revoke_requested: bool
    revoke_request_reason: str
    revoked_at: str
    revocation_reason: str
    pin_locked_until: str
    can_sign: bool


def _row(c: SignatureCertificate, now: datetime) -> CertRow:
    assert c.id is not None
    status = rules.display_status(facts(c), now, revoke_requested=c.revoke_requested_at is not None)
    locked = c.pin_locked_until is not None and c.pin_locked_until > now
    return CertRow(
        id=c.id,
        user_id=c.user_id,
        full_name=c.full_name,
        position=c.position,
        organisation=c.organisation,
        email=c.email,
        status=status,
        status_label=rules.STATUS_LABELS[status][0],
        serial=c.serial or "",
        requested_at=fmt_dt(c.requested_at),
        not_before=fmt_dt(c.not_before) if c.not_before else "",
        not_after=fmt_dt(c.not_after) if c.not_after else "",
        decided_at=fmt_dt(c.decided_at) if c.decided_at else "",
        reject_reason=c.reject_reason,
        revoke_requested=c.revoke_requested_at is not None,
        revoke_request_reason=c.revoke_request_reason,
        revoked_at=fmt_dt(c.revoked_at) if c.revoked_at else "",
        revocation_reason=(
            rules.REVOCATION_LABELS.get(c.revocation_reason, ("", ""))[0] if c.revoked_at else ""
        ),
        pin_locked_until=fmt_dt(c.pin_locked_until) if locked and c.pin_locked_until else "",
        can_sign=facts_validity(c, now) is Validity.VALID and not locked,
    )


def my_certificates(session: Session, actor_id: int) -> list[CertRow]:
    """The caller's own certificates and requests, newest first."""
    actor = load_actor(session, actor_id)
    if not actor.has(Perm.ESIGN_USE):
        raise PermissionDenied()
    now = utcnow()
    rows = session.exec(
        select(SignatureCertificate)
        .where(SignatureCertificate.user_id == actor.id)
        .order_by(col(SignatureCertificate.id).desc())
    ).all()
    return [_row(c, now) for c in rows]


def request_block(session: Session, user_id: int) -> str | None:
    """Why the user may not ask for a new certificate now (None: they may)."""
    rows = session.exec(
        select(SignatureCertificate).where(SignatureCertificate.user_id == user_id)
    ).all()
    return rules.may_request_new([facts(r) for r in rows], utcnow())


@dataclass(frozen=True)
class OrgChoice:
    id: int  # 0: the system owner's organisation (staff)
    name: str


def organisation_choices(session: Session, actor: Actor) -> list[OrgChoice]:
    """Organisations the actor may put into their certificate."""
    from models import Organisation

    out: list[OrgChoice] = []
    if Perm.ESIGN_USE in actor.global_perms:
        out.append(OrgChoice(0, settings.esign_owner_organisation))
    ids = sorted(o for o, perms in actor.org_perms.items() if Perm.ESIGN_USE in perms)
    if ids:
        for org in session.exec(
            select(Organisation).where(col(Organisation.id).in_(ids)).order_by(Organisation.name)
        ).all():
            assert org.id is not None
            out.append(OrgChoice(org.id, org.name))
    return out


ADMIN_STATUSES = ("requested", "revoke_requested", "valid", "expired", "revoked", "rejected")
BY_ID_DESC = SortSpec("esign.certificates", SignatureCertificate.id, descending=True)


@dataclass
class AdminPage:
    rows: list[CertRow] = field(default_factory=list)
    next_after: str = ""
    prev_before: str = ""


def admin_certificates(
    session: Session,
    actor_id: int,
    *,
    status: str = "",
    q: str = "",
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> AdminPage:
    """The owner's list of requests and certificates: filters, newest first, keyset pages."""
    actor = load_actor(session, actor_id)
    if not actor.has(Perm.ESIGN_ISSUE):
        raise PermissionDenied()
    now = utcnow()
    stmt = select(SignatureCertificate)
    if status == "requested":
        stmt = stmt.where(SignatureCertificate.status == CertificateStatus.REQUESTED)
    elif status == "rejected":
        stmt = stmt.where(SignatureCertificate.status == CertificateStatus.REJECTED)
    elif status == "revoked":
        stmt = stmt.where(SignatureCertificate.status == CertificateStatus.REVOKED)
    elif status in ("valid", "revoke_requested"):
        stmt = (
            stmt.where(SignatureCertificate.status == CertificateStatus.ISSUED)
            .where(col(SignatureCertificate.not_after) > now)
            .where(col(SignatureCertificate.revoked_at).is_(None))
        )
        if status == "revoke_requested":
            stmt = stmt.where(col(SignatureCertificate.revoke_requested_at).is_not(None))
    elif status == "expired":
        stmt = stmt.where(SignatureCertificate.status == CertificateStatus.ISSUED).where(
            col(SignatureCertificate.not_after) <= now
        )
    q = " ".join(q.split())[:100]
    if q:
        # Case variants instead of lower(): SQLite's lower() leaves Cyrillic as it is.
        variants = {q, q.lower(), q.upper(), q.title(), q[:1].upper() + q[1:]}
        columns: list[Any] = [
            col(SignatureCertificate.full_name),
            col(SignatureCertificate.email),
            col(SignatureCertificate.organisation),
            func.coalesce(col(SignatureCertificate.serial), ""),
        ]
        stmt = stmt.where(or_(*[c.contains(v, autoescape=True) for c in columns for v in variants]))
    page = fetch_page(
        session, stmt, BY_ID_DESC, after=after, before=before, limit=limit, scalars=True
    )
    return AdminPage([_row(c, now) for c in page.rows], page.next_after, page.prev_before)


def certificate_pem_by_serial(session: Session, serial: str) -> str | None:
    """An issued certificate's PEM (public data) by its hex serial."""
    serial = serial.strip().upper()
    if not serial or len(serial) > 64 or any(ch not in "0123456789ABCDEF" for ch in serial):
        return None
    row = session.exec(
        select(SignatureCertificate).where(SignatureCertificate.serial == serial)
    ).first()
    return row.cert_pem if row and row.cert_pem else None


def my_certificate_pem(session: Session, actor_id: int, certificate_id: int) -> str | None:
    row = session.get(SignatureCertificate, certificate_id)
    if row is None or row.user_id != actor_id or not row.cert_pem:
        return None
    return row.cert_pem


# --------------------------------------------------------------------------- verification

ContentResolver = Callable[[Session, str], bytes | None]
_RESOLVERS: dict[str, ContentResolver] = {}
_PURPOSE_LABELS: dict[str, str] = {}


def register_content_resolver(purpose: str, fn: ContentResolver, *, label: str = "") -> None:
    """The module that owns `purpose` tells how to get the CURRENT canonical bytes of a
    subject_ref (None if it no longer exists). Verification compares them with what was signed.
    `label` is shown on the verification page (e.g. "Запись журнала обслуживания")."""
    _RESOLVERS[purpose] = fn
    if label:
        _PURPOSE_LABELS[purpose] = label


def purpose_label(purpose: str) -> str:
    return _PURPOSE_LABELS.get(purpose, purpose)


def verify_url(code: str) -> str:
    return settings.public_url.rstrip("/") + routes.verify_url(code)


def _status_text(v: Validity, c: SignatureCertificate) -> str:
    if v is Validity.VALID:
        return "действует"
    if v is Validity.REVOKED and c.revoked_at is not None:
        return f"отозван {fmt_dt(c.revoked_at)}"
    if v is Validity.EXPIRED and c.not_after is not None:
        return f"истёк {fmt_dt(c.not_after)}"
    if v is Validity.NOT_YET_VALID and c.not_before is not None:
        return f"начнёт действовать {fmt_dt(c.not_before)}"
    return "не выпущен"


@dataclass(frozen=True)
class Verification:
    """What the public page shows about one signature. `valid` is the one verdict: True only
    if the CMS checks out against the stored content and our CA, the certificate was valid at
    signing and is valid now (not revoked, not expired), and the content was not changed."""

    found: bool
    code: str = ""
    valid: bool = False
    verdict: str = "Подпись не найдена."
    problems: tuple[str, ...] = ()
    signer_name: str = ""
    position: str = ""
    organisation: str = ""
    email: str = ""
    signer_role: str = ""
    purpose: str = ""
    purpose_label: str = ""
    subject_ref: str = ""
    certificate_serial: str = ""
    certificate_not_before: datetime | None = None
    certificate_not_after: datetime | None = None
    status_now: str = ""  # Validity value
    status_now_text: str = ""
    status_at_signing: str = ""
    status_at_signing_text: str = ""
    signed_at: datetime | None = None
    cms_signing_time: datetime | None = None
    crypto_ok: bool = False
    crypto_reason: str = ""
    content_unchanged: bool | None = None
    content_sha256: str = ""


def verify_signature(session: Session, code: str) -> Verification:
    code = rules.normalise_code(code)
    if not code:
        return Verification(found=False)
    sig = session.exec(select(Signature).where(Signature.code == code)).first()
    if sig is None:
        return Verification(found=False)
    cert = session.get(SignatureCertificate, sig.certificate_id)
    if cert is None:  # pragma: no cover - foreign key
        return Verification(found=False)
    now = utcnow()
    problems: list[str] = []
    # 1. Cryptography: the CMS over the stored content, signed by a certificate of our CA,
    #    and that certificate is the one on record.
    authority = ca.ca_certificate(session)
    if authority is None:
        check = cms.CmsCheck(False, "Удостоверяющий центр не найден.")
    else:
        check = cms.verify_detached(bytes(sig.cms_der), bytes(sig.content), authority)
    crypto_ok = check.ok
    crypto_reason = check.reason
    if crypto_ok and check.signer_cert is not None and cert.cert_pem:
        on_record = ca.load_cert(cert.cert_pem)
        if ca.cert_der(on_record) != ca.cert_der(check.signer_cert):
            crypto_ok = False
            crypto_reason = "Сертификат в подписи не совпадает с выпущенным."
    if not crypto_ok:
        problems.append(f"Криптографическая проверка не пройдена: {crypto_reason}")
    # 2. The certificate at signing time and now.
    at_signing = facts_validity(cert, sig.signed_at)
    now_v = facts_validity(cert, now)
    if at_signing is not Validity.VALID:
        problems.append(f"На момент подписания сертификат {_status_text(at_signing, cert)}.")
    if now_v is not Validity.VALID and now_v is not at_signing:
        problems.append(f"Сертификат подписи {_status_text(now_v, cert)}.")
    # 3. Is the signed content still what the owning module holds?
    unchanged: bool | None = None
    resolver = _RESOLVERS.get(sig.purpose)
    if resolver is not None:
        try:
            current = resolver(session, sig.subject_ref)
        except Exception:  # a resolver bug must not break the public page
            log.exception("esign content resolver for %s failed", sig.purpose)
            current = None
        if current is not None:
            unchanged = bytes(current) == bytes(sig.content)
            if not unchanged:
                problems.append("Содержимое изменено после подписания.")
    valid = not problems
    verdict = (
        "Подпись действительна."
        if valid
        else "Подпись недействительна: " + problems[0][0].lower() + problems[0][1:]
    )
    return Verification(
        found=True,
        code=sig.code,
        valid=valid,
        verdict=verdict,
        problems=tuple(problems),
        signer_name=cert.full_name,
        position=cert.position,
        organisation=cert.organisation,
        email=cert.email,
        signer_role=sig.signer_role,
        purpose=sig.purpose,
        purpose_label=purpose_label(sig.purpose),
        subject_ref=sig.subject_ref,
        certificate_serial=cert.serial or "",
        certificate_not_before=cert.not_before,
        certificate_not_after=cert.not_after,
        status_now=now_v.value,
        status_now_text=_status_text(now_v, cert),
        status_at_signing=at_signing.value,
        status_at_signing_text=(
            "действовал" if at_signing is Validity.VALID else _status_text(at_signing, cert)
        ),
        signed_at=sig.signed_at,
        cms_signing_time=check.signing_time,
        crypto_ok=crypto_ok,
        crypto_reason=crypto_reason,
        content_unchanged=unchanged,
        content_sha256=sig.content_sha256,
    )


def signatures_for(session: Session, purpose: str, subject_ref: str) -> list[Signature]:
    """Signatures made over one subject (for the owning module's pages and PDFs)."""
    return list(
        session.exec(
            select(Signature)
            .where(Signature.purpose == purpose)
            .where(Signature.subject_ref == subject_ref)
            .order_by(col(Signature.signed_at), col(Signature.id))
        ).all()
    )


# --------------------------------------------------------------------------- QR codes


def qr_png(code: str, *, scale: int = 4) -> bytes:
    """A PNG QR code of the signature's public verification URL."""
    buf = io.BytesIO()
    segno.make(verify_url(code), error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def qr_svg(code: str, *, scale: int = 4) -> bytes:
    buf = io.BytesIO()
    segno.make(verify_url(code), error="m").save(buf, kind="svg", scale=scale, border=2)
    return buf.getvalue()
