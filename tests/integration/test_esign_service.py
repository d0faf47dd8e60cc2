"""E-signatures on a real database: request → issue → sign → verify; revocation, expiry,
wrong PINs and lock-out, changed content, CRL, bundle, owner's list."""

from __future__ import annotations

import io
import itertools
import zipfile
from datetime import timedelta

import pytest
from cryptography import x509
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.esign import ca, queries, service
from cabinet.settings import settings
from models import AuditEvent, Membership, Notification, Organisation, User
from models.base import utcnow
from models.esign import CertificateStatus, Signature, SignatureCertificate

pytestmark = pytest.mark.db

_seq = itertools.count(1)
PIN = "1234"


def make_user(db, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Подписантов {n}",
        email=f"esign{n}@test.local",
        phone=f"+7906{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    if role:
        grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


@pytest.fixture
def w(db):
    ensure_builtin_roles(db)
    n = next(_seq)
    org = Organisation(name=f"ООО Подписи {n}", inn=f"78{n:08d}")
    db.add(org)
    db.flush()

    class W:
        pass

    w = W()
    w.org = org
    w.client = make_user(db, role=BuiltinRole.CUSTOMER, org=org)
    w.operator = make_user(db, role=BuiltinRole.OPERATOR)
    w.owner = make_user(db, role=BuiltinRole.ADMIN)
    w.nobody = make_user(db)
    return w


def request(db, user, *, org_id: int | None = None, pin: str = PIN) -> SignatureCertificate:
    return service.request_certificate(
        db,
        actor_id=user.id,
        position="Инженер",
        organisation_id=org_id,
        pin=pin,
        pin_repeat=pin,
        confirmed=True,
    )


def issued(db, w, user, *, org_id: int | None = None) -> SignatureCertificate:
    cert = request(db, user, org_id=org_id)
    return service.issue_certificate(db, actor_id=w.owner.id, certificate_id=cert.id, days=365)


def sign(db, user, content: bytes = b"entry v1", *, pin: str = PIN, ref: str = "e:1"):
    sig = service.make_signature(
        db,
        actor_id=user.id,
        pin=pin,
        content=content,
        purpose="test.doc",
        subject_ref=ref,
        signer_role="Исполнитель",
    )
    db.commit()
    return sig


def test_request_issue_sign_verify_round_trip(db, w):
    cert = request(db, w.client, org_id=w.org.id)
    assert cert.status == CertificateStatus.REQUESTED
    assert cert.organisation == w.org.name
    assert b"PRIVATE" not in cert.key_ciphertext and PIN.encode() not in cert.key_ciphertext
    assert queries.active_certificate(db, w.client.id) is None

    cert = service.issue_certificate(db, actor_id=w.owner.id, certificate_id=cert.id, days=30)
    assert cert.status == CertificateStatus.ISSUED and cert.serial
    x = x509.load_pem_x509_certificate(cert.cert_pem.encode())
    assert format(x.serial_number, "X") == cert.serial
    assert (cert.not_after - cert.not_before).days in (29, 30)
    assert queries.active_certificate(db, w.client.id).id == cert.id
    assert (
        db.exec(select(Notification).where(Notification.user_id == w.client.id)).first() is not None
    )

    sig = sign(db, w.client, b"hello journal")
    assert len(sig.code) >= 20 and sig.certificate_id == cert.id
    v = queries.verify_signature(db, sig.code)
    assert v.found and v.valid and v.crypto_ok, v.problems
    assert v.signer_name == w.client.full_name and v.organisation == w.org.name
    assert v.certificate_serial == cert.serial
    assert v.status_now == "valid" and v.status_at_signing == "valid"
    assert v.content_unchanged is None  # no resolver for this purpose
    assert v.cms_signing_time is not None
    assert abs((v.cms_signing_time - v.signed_at).total_seconds()) < 5
    # A pasted verification URL finds it too.
    assert queries.verify_signature(db, queries.verify_url(sig.code)).found


def test_staff_certificate_carries_the_owner_organisation(db, w):
    cert = issued(db, w, w.operator)
    assert cert.organisation == settings.esign_owner_organisation


def test_customer_must_pick_own_organisation(db, w):
    other = Organisation(name="ООО Чужая", inn="7799999999")
    db.add(other)
    db.flush()
    with pytest.raises(ValidationFailed):
        request(db, w.client, org_id=other.id)
    with pytest.raises(ValidationFailed):
        request(db, w.client, org_id=None)


def test_user_without_permission_cannot_request_or_sign(db, w):
    with pytest.raises(PermissionDenied):
        request(db, w.nobody)
    with pytest.raises(PermissionDenied):
        sign(db, w.nobody)


def test_only_the_owner_issues(db, w):
    cert = request(db, w.client, org_id=w.org.id)
    with pytest.raises(PermissionDenied):
        service.issue_certificate(db, actor_id=w.operator.id, certificate_id=cert.id)
    with pytest.raises(PermissionDenied):
        service.issue_certificate(db, actor_id=w.client.id, certificate_id=cert.id)


def test_second_request_refused_while_one_waits_or_is_valid(db, w):
    request(db, w.client, org_id=w.org.id)
    with pytest.raises(DomainError, match="уже отправлен"):
        request(db, w.client, org_id=w.org.id)


def test_reject_keeps_no_key(db, w):
    cert = request(db, w.client, org_id=w.org.id)
    cert = service.reject_request(
        db, actor_id=w.owner.id, certificate_id=cert.id, reason="Неверная должность"
    )
    assert cert.status == CertificateStatus.REJECTED and cert.key_ciphertext == b""
    # A new request is allowed after a rejection.
    assert request(db, w.client, org_id=w.org.id).status == CertificateStatus.REQUESTED


def test_no_certificate_no_signature(db, w):
    request(db, w.client, org_id=w.org.id)
    with pytest.raises(DomainError, match="Нет действующего сертификата"):
        sign(db, w.client)


def test_wrong_pin_writes_nothing_but_the_count_and_locks_after_max(db, w):
    cert = issued(db, w, w.client, org_id=w.org.id)
    # The caller's pending change is discarded with the failed action.
    w.client.full_name = "Изменено в том же действии"
    db.add(w.client)
    with pytest.raises(DomainError, match="Неверный PIN-код"):
        service.make_signature(
            db,
            actor_id=w.client.id,
            pin="9999",
            content=b"x",
            purpose="test.doc",
            subject_ref="e:1",
            signer_role="",
        )
    db.expire_all()
    assert db.get(User, w.client.id).full_name != "Изменено в том же действии"
    assert db.exec(select(Signature).where(Signature.user_id == w.client.id)).first() is None
    assert db.get(SignatureCertificate, cert.id).pin_failures == 1
    for _ in range(settings.esign_pin_max_failures - 1):
        with pytest.raises(DomainError, match="Неверный PIN-код"):
            sign(db, w.client, pin="0000")
    db.expire_all()
    locked = db.get(SignatureCertificate, cert.id)
    assert locked.pin_locked_until is not None and locked.pin_locked_until > utcnow()
    with pytest.raises(DomainError, match="заблокирован"):
        sign(db, w.client)  # even the right PIN waits for the lock to end
    locked.pin_locked_until = utcnow() - timedelta(seconds=1)
    db.add(locked)
    db.commit()
    assert sign(db, w.client).code


def test_right_pin_resets_failures(db, w):
    cert = issued(db, w, w.client, org_id=w.org.id)
    with pytest.raises(DomainError):
        sign(db, w.client, pin="1111")
    sign(db, w.client)
    db.expire_all()
    assert db.get(SignatureCertificate, cert.id).pin_failures == 0


def test_change_pin(db, w):
    cert = issued(db, w, w.client, org_id=w.org.id)
    with pytest.raises(DomainError, match="Неверный PIN-код"):
        service.change_pin(
            db,
            actor_id=w.client.id,
            certificate_id=cert.id,
            old_pin="0000",
            new_pin="5678",
            new_pin_repeat="5678",
        )
    service.change_pin(
        db,
        actor_id=w.client.id,
        certificate_id=cert.id,
        old_pin=PIN,
        new_pin="5678",
        new_pin_repeat="5678",
    )
    with pytest.raises(DomainError, match="Неверный PIN-код"):
        sign(db, w.client, pin=PIN)
    assert sign(db, w.client, pin="5678").code


def test_someone_elses_certificate_is_not_found(db, w):
    cert = issued(db, w, w.client, org_id=w.org.id)
    with pytest.raises(NotFound):
        service.request_revocation(
            db, actor_id=w.operator.id, certificate_id=cert.id, reason="Хочу"
        )
    with pytest.raises(NotFound):
        service.change_pin(
            db,
            actor_id=w.operator.id,
            certificate_id=cert.id,
            old_pin=PIN,
            new_pin="5678",
            new_pin_repeat="5678",
        )


def test_revoked_certificate_refuses_signing_and_its_signatures_show_invalid(db, w):
    cert = issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client)
    service.request_revocation(db, actor_id=w.client.id, certificate_id=cert.id, reason="Уволился")
    assert queries.active_certificate(db, w.client.id) is not None  # until the owner acts
    service.revoke_certificate(
        db, actor_id=w.owner.id, certificate_id=cert.id, reason="cessation_of_operation"
    )
    assert queries.active_certificate(db, w.client.id) is None
    with pytest.raises(DomainError, match="Нет действующего сертификата"):
        sign(db, w.client)
    v = queries.verify_signature(db, sig.code)
    assert v.crypto_ok and v.status_at_signing == "valid"
    assert not v.valid and v.status_now == "revoked"
    assert "отозван" in v.verdict
    crl = service.current_crl(db)
    assert crl.get_revoked_certificate_by_serial_number(int(cert.serial, 16)) is not None
    assert db.exec(
        select(AuditEvent).where(AuditEvent.action == "esign.certificate_revoked")
    ).first()


def test_expired_certificate_refuses_signing_and_shows_invalid(db, w):
    cert = issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client)
    cert.not_after = utcnow() - timedelta(minutes=1)
    db.add(cert)
    db.commit()
    with pytest.raises(DomainError, match="Нет действующего сертификата"):
        sign(db, w.client)
    v = queries.verify_signature(db, sig.code)
    assert not v.valid and v.status_now == "expired" and "истёк" in v.verdict


def test_changed_content_shown_changed(db, w):
    issued(db, w, w.client, org_id=w.org.id)
    current = {"e:7": b"entry v1"}
    queries.register_content_resolver(
        "test.changing", lambda _s, ref: current.get(ref), label="Тестовый документ"
    )
    sig = service.make_signature(
        db,
        actor_id=w.client.id,
        pin=PIN,
        content=b"entry v1",
        purpose="test.changing",
        subject_ref="e:7",
        signer_role="",
    )
    db.commit()
    v = queries.verify_signature(db, sig.code)
    assert v.valid and v.content_unchanged is True and v.purpose_label == "Тестовый документ"
    current["e:7"] = b"entry v2"
    v = queries.verify_signature(db, sig.code)
    assert not v.valid and v.content_unchanged is False
    assert "изменено после подписания" in v.verdict
    del current["e:7"]
    assert queries.verify_signature(db, sig.code).content_unchanged is None


def test_tampered_stored_content_fails_crypto(db, w):
    issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client, b"original")
    sig.content = b"forged"
    db.add(sig)
    db.commit()
    v = queries.verify_signature(db, sig.code)
    assert not v.valid and not v.crypto_ok


def test_unknown_code_not_found(db):
    assert not queries.verify_signature(db, "nope").found
    assert not queries.verify_signature(db, "A" * 24).found
    with pytest.raises(NotFound):
        service.signature_bundle(db, "A" * 24)


def test_bundle_contains_everything(db, w):
    issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client, b"bundle me")
    data = service.signature_bundle(db, sig.code)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        assert {"content.bin", "signature.p7s", "signer.pem", "ca.pem", "README.txt"} <= names
        assert z.read("content.bin") == b"bundle me"
        command = (
            "openssl cms -verify -binary -inform DER -in signature.p7s -content content.bin "
            "-CAfile ca.pem -purpose any\n"
        )
        assert command in z.read("README.txt").decode()


def test_ca_is_created_once(db):
    first = ca.ensure_ca(db)
    again = ca.ensure_ca(db)
    assert first.id == again.id
    assert b"ENCRYPTED PRIVATE KEY" in first.key_pem_encrypted


def test_owner_list_filters_and_pages(db, w):
    a = request(db, w.client, org_id=w.org.id)
    b = issued(db, w, w.operator)
    page = queries.admin_certificates(db, w.owner.id, status="requested")
    assert a.id in [r.id for r in page.rows] and b.id not in [r.id for r in page.rows]
    page = queries.admin_certificates(db, w.owner.id, status="valid", q=b.full_name)
    assert [r.id for r in page.rows] == [b.id]
    first = queries.admin_certificates(db, w.owner.id, limit=1)
    assert len(first.rows) == 1 and first.next_after
    second = queries.admin_certificates(db, w.owner.id, limit=1, after=first.next_after)
    assert second.rows[0].id < first.rows[0].id
    with pytest.raises(PermissionDenied):
        queries.admin_certificates(db, w.client.id)
