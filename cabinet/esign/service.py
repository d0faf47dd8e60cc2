"""E-signature actions: the only writers of this module.

One function = one user action = one transaction (it commits), except `make_signature`,
which is part of the calling module's action and leaves the commit to it.
"""

from __future__ import annotations

import hashlib
import io
import secrets
import zipfile
from datetime import timedelta
from typing import Any

from cryptography import x509
from sqlalchemy import update
from sqlmodel import Session, col, select

from cabinet import audit, routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor, require
from cabinet.errors import DomainError, NotFound, ValidationFailed
from cabinet.esign import ca, cms, queries, rules
from cabinet.formatting import fmt_dt
from cabinet.notifications.service import emit
from cabinet.settings import settings
from models import Organisation, User
from models.base import utcnow
from models.esign import CertificateStatus, Signature, SignatureCertificate

# --------------------------------------------------------------------------- helpers


def _snapshot(c: SignatureCertificate) -> dict[str, Any]:
    return {
        "user_id": c.user_id,
        "status": c.status,
        "full_name": c.full_name,
        "position": c.position,
        "organisation": c.organisation,
        "serial": c.serial,
        "not_after": c.not_after,
        "revoked_at": c.revoked_at,
    }


def _own_certificate(session: Session, actor: Actor, certificate_id: int) -> SignatureCertificate:
    cert = session.get(SignatureCertificate, certificate_id)
    if cert is None or cert.user_id != actor.id:
        raise NotFound("Сертификат не найден.")
    return cert


def _locked_certificate(session: Session, certificate_id: int) -> SignatureCertificate:
    cert = session.exec(
        select(SignatureCertificate)
        .where(SignatureCertificate.id == certificate_id)
        .with_for_update()
    ).first()
    if cert is None:
        raise NotFound("Сертификат не найден.")
    return cert


def _sealed(cert: SignatureCertificate) -> ca.SealedKey:
    return ca.SealedKey(
        ciphertext=bytes(cert.key_ciphertext),
        salt=bytes(cert.key_salt),
        nonce=bytes(cert.key_nonce),
    )


def _check_not_locked(cert: SignatureCertificate) -> None:
    now = utcnow()
    if cert.pin_locked_until is not None and cert.pin_locked_until > now:
        raise DomainError(
            "Ключ подписи заблокирован после неверных PIN-кодов до "
            f"{fmt_dt(cert.pin_locked_until)}."
        )


def _wrong_pin(session: Session, certificate_id: int) -> DomainError:
    """Count one failed PIN in its own transaction and return the error to raise.

    The caller's action is over: its pending changes are rolled back, only the count (and a
    lock after settings.esign_pin_max_failures in a row) is committed.
    """
    session.rollback()
    session.execute(
        update(SignatureCertificate)
        .where(col(SignatureCertificate.id) == certificate_id)
        .values(pin_failures=SignatureCertificate.pin_failures + 1)
    )
    cert = session.get(SignatureCertificate, certificate_id, populate_existing=True)
    assert cert is not None
    left = settings.esign_pin_max_failures - cert.pin_failures
    if left <= 0:
        cert.pin_failures = 0
        cert.pin_locked_until = utcnow() + timedelta(minutes=settings.esign_pin_lockout_minutes)
        session.add(cert)
        audit.record(
            session,
            actor_id=cert.user_id,
            action="esign.key_locked",
            object_type="esign_certificate",
            object_id=certificate_id,
        )
        session.commit()
        return DomainError(
            "Неверный PIN-код. Ключ подписи заблокирован на "
            f"{settings.esign_pin_lockout_minutes} мин.",
            field="pin",
        )
    session.commit()
    return DomainError(f"Неверный PIN-код. Осталось попыток: {left}.", field="pin")


def _open_key(session: Session, cert: SignatureCertificate, pin: str) -> Any:
    assert cert.id is not None
    _check_not_locked(cert)
    try:
        key = ca.open_private_key(_sealed(cert), pin, ca.key_aad(cert.user_id, cert.public_key_pem))
    except ca.WrongPinError:
        raise _wrong_pin(session, cert.id) from None
    if cert.pin_failures:
        cert.pin_failures = 0
        session.add(cert)
    return key


def _owner_ids(session: Session) -> list[int]:
    return queries.issuer_ids(session)


# --------------------------------------------------------------------------- user actions


def request_certificate(
    session: Session,
    *,
    actor_id: int,
    position: str,
    organisation_id: int | None,
    pin: str,
    pin_repeat: str,
    confirmed: bool,
) -> SignatureCertificate:
    """The user confirms their data and sets a PIN; the key pair is made and sealed now."""
    actor = require(load_actor(session, actor_id), Perm.ESIGN_USE)
    if not confirmed:
        raise ValidationFailed("Подтвердите, что данные верны.", field="confirmed")
    position = rules.clean_text(
        position, field="position", label="должность", max_len=200, required=True
    )
    rules.check_new_pin(pin, pin_repeat)
    if organisation_id:
        if not actor.has(Perm.ESIGN_USE, organisation_id):
            raise ValidationFailed("Выберите свою организацию.", field="organisation_id")
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise ValidationFailed("Выберите свою организацию.", field="organisation_id")
        org_name = org.name
    else:
        if Perm.ESIGN_USE not in actor.global_perms:
            raise ValidationFailed("Выберите свою организацию.", field="organisation_id")
        organisation_id = None
        org_name = settings.esign_owner_organisation
    user = session.get(User, actor_id)
    assert user is not None
    # One request at a time per user: lock the user row, then look.
    session.exec(select(User).where(User.id == actor_id).with_for_update()).first()
    existing = session.exec(
        select(SignatureCertificate).where(SignatureCertificate.user_id == actor_id)
    ).all()
    why = rules.may_request_new([queries.facts(c) for c in existing], utcnow())
    if why:
        raise DomainError(why)
    key = ca.new_user_key()
    public_pem = ca.public_key_pem(key)
    sealed = ca.seal_private_key(key, pin, ca.key_aad(actor_id, public_pem))
    cert = SignatureCertificate(
        user_id=actor_id,
        status=CertificateStatus.REQUESTED,
        full_name=user.full_name,
        position=position,
        organisation=org_name,
        organisation_id=organisation_id,
        email=user.email,
        public_key_pem=public_pem,
        key_ciphertext=sealed.ciphertext,
        key_salt=sealed.salt,
        key_nonce=sealed.nonce,
    )
    session.add(cert)
    session.flush()
    audit.record(
        session,
        actor_id=actor_id,
        action="esign.certificate_requested",
        object_type="esign_certificate",
        object_id=cert.id,
        after=_snapshot(cert),
    )
    owners = [i for i in _owner_ids(session) if i != actor_id]
    if owners:
        emit(
            session,
            event="esign.certificate_requested",
            recipient_ids=owners,
            context={"signer_name": cert.full_name, "organisation": cert.organisation},
            link=routes.ESIGN_ADMIN,
        )
    session.commit()
    return cert


def request_revocation(
    session: Session, *, actor_id: int, certificate_id: int, reason: str
) -> SignatureCertificate:
    """The holder asks the owner to revoke their certificate (it stays usable until then)."""
    actor = require(load_actor(session, actor_id), Perm.ESIGN_USE)
    reason = rules.clean_text(reason, field="reason", label="причина", max_len=500, required=True)
    cert = _own_certificate(session, actor, certificate_id)
    cert = _locked_certificate(session, certificate_id)
    if cert.status != CertificateStatus.ISSUED or cert.revoked_at is not None:
        raise DomainError("Отозвать можно только выпущенный сертификат.")
    if cert.revoke_requested_at is not None:
        raise DomainError("Запрос на отзыв уже отправлен.")
    before = _snapshot(cert)
    cert.revoke_requested_at = utcnow()
    cert.revoke_request_reason = reason
    session.add(cert)
    audit.record(
        session,
        actor_id=actor_id,
        action="esign.revocation_requested",
        object_type="esign_certificate",
        object_id=cert.id,
        before=before,
        after={"reason": reason},
    )
    owners = [i for i in _owner_ids(session) if i != actor_id]
    if owners:
        emit(
            session,
            event="esign.certificate_requested",
            recipient_ids=owners,
            context={"signer_name": cert.full_name, "organisation": cert.organisation},
            link=routes.ESIGN_ADMIN,
        )
    session.commit()
    return cert


def cancel_request(session: Session, *, actor_id: int, certificate_id: int) -> None:
    """The user withdraws a request nobody has decided yet (the sealed key is deleted)."""
    actor = require(load_actor(session, actor_id), Perm.ESIGN_USE)
    _own_certificate(session, actor, certificate_id)
    cert = _locked_certificate(session, certificate_id)
    if cert.status != CertificateStatus.REQUESTED:
        raise DomainError("Запрос уже рассмотрен.")
    audit.record(
        session,
        actor_id=actor_id,
        action="esign.request_cancelled",
        object_type="esign_certificate",
        object_id=cert.id,
        before=_snapshot(cert),
    )
    session.delete(cert)
    session.commit()


def change_pin(
    session: Session,
    *,
    actor_id: int,
    certificate_id: int,
    old_pin: str,
    new_pin: str,
    new_pin_repeat: str,
) -> None:
    """Re-seal the private key under a new PIN (the old one must open it)."""
    actor = require(load_actor(session, actor_id), Perm.ESIGN_USE)
    rules.check_pin(old_pin, field="old_pin")
    rules.check_new_pin(new_pin, new_pin_repeat)
    _own_certificate(session, actor, certificate_id)
    cert = _locked_certificate(session, certificate_id)
    if cert.status not in (CertificateStatus.REQUESTED, CertificateStatus.ISSUED):
        raise DomainError("PIN-код меняют только у действующего сертификата или запроса.")
    key = _open_key(session, cert, old_pin)
    sealed = ca.seal_private_key(key, new_pin, ca.key_aad(cert.user_id, cert.public_key_pem))
    cert.key_ciphertext = sealed.ciphertext
    cert.key_salt = sealed.salt
    cert.key_nonce = sealed.nonce
    cert.pin_failures = 0
    session.add(cert)
    audit.record(
        session,
        actor_id=actor_id,
        action="esign.pin_changed",
        object_type="esign_certificate",
        object_id=cert.id,
    )
    session.commit()


# --------------------------------------------------------------------------- owner actions


def issue_certificate(
    session: Session, *, actor_id: int, certificate_id: int, days: int | None = None
) -> SignatureCertificate:
    """The owner checked the data: the CA signs an X.509 certificate for the user's key."""
    require(load_actor(session, actor_id), Perm.ESIGN_ISSUE)
    days = rules.check_days(days if days is not None else settings.esign_cert_days)
    authority = ca.load_ca(session)  # may create the CA (commits only then)
    cert = _locked_certificate(session, certificate_id)
    if cert.status != CertificateStatus.REQUESTED:
        raise DomainError("Запрос уже рассмотрен.")
    now = utcnow()
    serial = x509.random_serial_number()
    x = ca.build_user_certificate(
        authority,
        subject=ca.Subject(cert.full_name, cert.organisation, cert.position, cert.email),
        public_pem=cert.public_key_pem,
        serial=serial,
        not_before=now - timedelta(minutes=1),
        not_after=now + timedelta(days=days),
        crl_url=settings.public_url.rstrip("/") + routes.ESIGN_CRL_DER,
    )
    before = _snapshot(cert)
    cert.status = CertificateStatus.ISSUED
    cert.serial = format(serial, "X")
    cert.cert_pem = ca.cert_pem(x).decode()
    cert.not_before = x.not_valid_before_utc
    cert.not_after = x.not_valid_after_utc
    cert.decided_by_id = actor_id
    cert.decided_at = now
    session.add(cert)
    audit.record(
        session,
        actor_id=actor_id,
        action="esign.certificate_issued",
        object_type="esign_certificate",
        object_id=cert.id,
        before=before,
        after=_snapshot(cert),
    )
    emit(
        session,
        event="esign.certificate_issued",
        recipient_ids=[cert.user_id],
        context={"serial": cert.serial, "valid_until": fmt_dt(cert.not_after)},
        link=routes.ESIGN_MY,
    )
    session.commit()
    return cert


def reject_request(
    session: Session, *, actor_id: int, certificate_id: int, reason: str
) -> SignatureCertificate:
    require(load_actor(session, actor_id), Perm.ESIGN_ISSUE)
    reason = rules.clean_text(reason, field="reason", label="причина", max_len=500, required=True)
    cert = _locked_certificate(session, certificate_id)
    if cert.status != CertificateStatus.REQUESTED:
        raise DomainError("Запрос уже рассмотрен.")
    before = _snapshot(cert)
    cert.status = CertificateStatus.REJECTED
    cert.reject_reason = reason
    cert.decided_by_id = actor_id
    cert.decided_at = utcnow()
    # The key is useless now: drop the sealed copy.
    cert.key_ciphertext = b""
    session.add(cert)
    audit.record(
        session,
        actor_id=actor_id,
        action="esign.request_rejected",
        object_type="esign_certificate",
        object_id=cert.id,
        before=before,
        after={"reason": reason},
    )
    session.commit()
    return cert


def revoke_certificate(
    session: Session, *, actor_id: int, certificate_id: int, reason: str, comment: str = ""
) -> SignatureCertificate:
    """The owner revokes a certificate: from now on it signs nothing and is in the CRL."""
    require(load_actor(session, actor_id), Perm.ESIGN_ISSUE)
    if reason not in rules.REVOCATION_LABELS:
        raise ValidationFailed("Выберите причину отзыва.", field="reason")
    comment = rules.clean_text(
        comment, field="comment", label="комментарий", max_len=500, required=False
    )
    cert = _locked_certificate(session, certificate_id)
    if cert.status != CertificateStatus.ISSUED or cert.revoked_at is not None:
        raise DomainError("Отозвать можно только выпущенный и не отозванный сертификат.")
    before = _snapshot(cert)
    cert.status = CertificateStatus.REVOKED
    cert.revoked_at = utcnow()
    cert.revoked_by_id = actor_id
    cert.revocation_reason = reason
    cert.revocation_comment = comment
    cert.key_ciphertext = b""  # a revoked key is never opened again
    session.add(cert)
    audit.record(
        session,
        actor_id=actor_id,
        action="esign.certificate_revoked",
        object_type="esign_certificate",
        object_id=cert.id,
        before=before,
        after={"reason": reason, "comment": comment},
    )
    emit(
        session,
        event="esign.certificate_revoked",
        recipient_ids=[cert.user_id],
        context={
            "serial": cert.serial or "",
            "reason": rules.REVOCATION_LABELS[reason][0],
        },
        link=routes.ESIGN_MY,
    )
    session.commit()
    return cert


# --------------------------------------------------------------------------- signing


def make_signature(
    session: Session,
    *,
    actor_id: int,
    pin: str,
    content: bytes,
    purpose: str,
    subject_ref: str,
    signer_role: str,
) -> Signature:
    """Sign `content` with the caller's valid certificate. Adds the Signature; does NOT commit.

    A wrong PIN ends the caller's action: the session is rolled back, the failed attempt is
    counted and committed on its own, and DomainError("Неверный PIN-код. …") is raised.
    """
    actor = require(load_actor(session, actor_id), Perm.ESIGN_USE)
    if not purpose or len(purpose) > 50 or not subject_ref or len(subject_ref) > 200:
        raise ValidationFailed("Неверные данные подписываемого документа.")
    try:
        rules.check_pin(pin)
    except ValidationFailed:
        raise DomainError("Неверный PIN-код.", field="pin") from None
    found = queries.active_certificate(session, actor.id)
    if found is None:
        raise DomainError(
            "Нет действующего сертификата подписи: запросите его на странице "
            "«Моя электронная подпись»."
        )
    assert found.id is not None
    cert = _locked_certificate(session, found.id)
    if queries.facts_validity(cert, utcnow()) is not rules.Validity.VALID:
        raise DomainError("Сертификат подписи не действует.")
    key = _open_key(session, cert, pin)
    signer = ca.load_cert(cert.cert_pem)
    authority = ca.ca_certificate(session)
    extra = (authority,) if authority is not None else ()
    der = cms.sign_detached(content, signer, key, extra_certs=extra)
    sig = Signature(
        code=secrets.token_urlsafe(18),
        certificate_id=found.id,
        user_id=actor.id,
        purpose=purpose,
        subject_ref=subject_ref,
        signer_role=signer_role[:100],
        signed_at=utcnow(),
        content_sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        cms_der=der,
    )
    session.add(sig)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="esign.signed",
        object_type="esign_signature",
        object_id=sig.code,
        after={"purpose": purpose, "subject_ref": subject_ref, "certificate": cert.serial},
    )
    return sig


# --------------------------------------------------------------------------- public files


BUNDLE_README = """Электронная подпись {code}
================================

Состав архива:
  content.bin      подписанное содержимое (байты как есть)
  signature.p7s    отсоединённая подпись CMS (PKCS#7) в DER
  signer.pem       сертификат подписанта
  ca.pem           сертификат удостоверяющего центра
  README.txt       этот файл

Проверка подписи стандартным OpenSSL (любая система):

  openssl cms -verify -binary -inform DER -in signature.p7s -content content.bin -CAfile ca.pem -purpose any

(команда выводит содержимое; добавьте -out /dev/null, чтобы его не печатать).
Ответ "CMS Verification successful" означает: содержимое не изменено и подписано ключом
сертификата, выпущенного этим удостоверяющим центром. Эта команда не знает об отзыве
сертификата; с актуальным списком отозванных сертификатов (CRL) проверка такая:

  curl -o crl.pem {crl_url}
  cat ca.pem crl.pem > ca-crl.pem
  openssl cms -verify -binary -inform DER -in signature.p7s -content content.bin -CAfile ca-crl.pem -purpose any -crl_check

Страница проверки (отзыв, срок действия, актуальность содержимого): {verify_url}

SHA-256 содержимого: {sha256}
Подписант: {signer}; сертификат № {serial}
Время подписания (UTC): {signed_at}
"""


def signature_bundle(session: Session, code: str) -> bytes:
    """A zip with the signed content, the DER signature, both certificates and a README."""
    code = rules.normalise_code(code)
    sig = session.exec(select(Signature).where(Signature.code == code)).first() if code else None
    if sig is None:
        raise NotFound("Подпись не найдена.")
    cert = session.get(SignatureCertificate, sig.certificate_id)
    authority = ca.ca_certificate(session)
    if cert is None or authority is None:
        raise NotFound("Подпись не найдена.")
    base = settings.public_url.rstrip("/")
    readme = BUNDLE_README.format(
        code=sig.code,
        crl_url=base + routes.ESIGN_CRL_PEM,
        verify_url=queries.verify_url(sig.code),
        sha256=sig.content_sha256,
        signer=cert.full_name,
        serial=cert.serial,
        signed_at=sig.signed_at.isoformat(timespec="seconds"),
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("content.bin", bytes(sig.content))
        z.writestr("signature.p7s", bytes(sig.cms_der))
        z.writestr("signer.pem", cert.cert_pem)
        z.writestr("ca.pem", ca.cert_pem(authority))
        z.writestr("README.txt", readme)
    return buf.getvalue()


def current_crl(session: Session) -> x509.CertificateRevocationList:
    """The CRL signed now by the CA (created on first use): every revoked certificate."""
    authority = ca.load_ca(session)
    rows = session.exec(
        select(SignatureCertificate)
        .where(col(SignatureCertificate.revoked_at).is_not(None))
        .where(col(SignatureCertificate.serial).is_not(None))
        .order_by(col(SignatureCertificate.revoked_at))
    ).all()
    entries = [
        ca.RevokedEntry(r.serial or "0", r.revoked_at, r.revocation_reason)
        for r in rows
        if r.revoked_at is not None
    ]
    return ca.build_crl(authority, entries, now=utcnow())
