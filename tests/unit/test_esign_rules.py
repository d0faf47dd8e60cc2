"""E-signature rules and the pure crypto pieces (no database): PINs, certificate validity at a
moment, certificate builder fields, CMS round trip, wrong PIN, changed bytes, CRL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cabinet.errors import ValidationFailed
from cabinet.esign import ca, cms, rules
from cabinet.esign.rules import CertFacts, Validity

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("pin", ["1234", "000000", "123456789012"])
def test_good_pins(pin):
    assert rules.check_pin(pin) == pin


@pytest.mark.parametrize("pin", ["", "123", "12a4", "1234567890123", " 1234", "１２３４"])
def test_bad_pins(pin):
    with pytest.raises(ValidationFailed):
        rules.check_pin(pin)


def test_new_pin_must_repeat():
    with pytest.raises(ValidationFailed) as e:
        rules.check_new_pin("1234", "1235")
    assert e.value.field == "pin_repeat"


@pytest.mark.parametrize("days", [0, -1, rules.MAX_DAYS + 1])
def test_days_out_of_range(days):
    with pytest.raises(ValidationFailed):
        rules.check_days(days)


def test_normalise_code_accepts_urls_and_rejects_junk():
    code = "AbCdEfGhIjKlMnOpQrStUvWx"
    assert rules.normalise_code(f"  {code} ") == code
    assert rules.normalise_code(f"https://x.ru/verify?code={code}&x=1") == code
    assert rules.normalise_code("short") == ""
    assert rules.normalise_code("' or 1=1 --") == ""


def facts(**kw) -> CertFacts:
    base = {
        "status": "issued",
        "not_before": NOW - timedelta(days=10),
        "not_after": NOW + timedelta(days=10),
        "revoked_at": None,
    }
    return CertFacts(**{**base, **kw})


def test_validity_at_moments():
    f = facts()
    assert rules.validity_at(f, NOW) is Validity.VALID
    assert rules.validity_at(f, NOW - timedelta(days=11)) is Validity.NOT_YET_VALID
    assert rules.validity_at(f, NOW + timedelta(days=10)) is Validity.EXPIRED
    assert rules.validity_at(facts(status="requested"), NOW) is Validity.NOT_ISSUED


def test_revocation_counts_from_its_time():
    f = facts(status="revoked", revoked_at=NOW)
    assert rules.validity_at(f, NOW - timedelta(seconds=1)) is Validity.VALID
    assert rules.validity_at(f, NOW) is Validity.REVOKED
    assert rules.display_status(f, NOW + timedelta(days=1)) == "revoked"


def test_display_status_for_lists():
    assert rules.display_status(facts(), NOW) == "issued"
    assert rules.display_status(facts(), NOW, revoke_requested=True) == "revoke_requested"
    assert rules.display_status(facts(), NOW + timedelta(days=30)) == "expired"
    for key in ("issued", "revoked", "expired", "requested", "rejected", "revoke_requested"):
        assert key in rules.STATUS_LABELS


def test_may_request_new():
    assert rules.may_request_new([], NOW) is None
    assert "ждёт" in (rules.may_request_new([facts(status="requested")], NOW) or "")
    long_valid = facts(not_after=NOW + timedelta(days=300))
    assert rules.may_request_new([long_valid], NOW)
    assert rules.may_request_new([facts()], NOW) is None  # ends in 10 days: renew
    assert rules.may_request_new([facts(status="rejected")], NOW) is None


def test_revocation_reasons_are_x509_reason_flags():
    for name in rules.REVOCATION_LABELS:
        assert hasattr(x509.ReasonFlags, name)


# --------------------------------------------------------------------------- crypto pieces


@pytest.fixture(scope="module")
def authority() -> ca.LoadedCA:
    cert, key = ca.build_ca(NOW)
    return ca.LoadedCA(1, cert, key)


@pytest.fixture(scope="module")
def user_key():
    return ca.new_user_key()


@pytest.fixture(scope="module")
def user_cert(authority, user_key) -> x509.Certificate:
    return ca.build_user_certificate(
        authority,
        subject=ca.Subject("Иванов Иван Иванович", "ООО «Ромашка»", "Инженер", "ivanov@x.ru"),
        public_pem=ca.public_key_pem(user_key),
        serial=0x1F2E3D,
        not_before=NOW,
        not_after=NOW + timedelta(days=365),
        crl_url="https://cabinet.example.ru/api/esign/crl.der",
    )


def test_ca_certificate_is_a_ca(authority):
    bc = authority.cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    ku = authority.cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert bc.ca and ku.key_cert_sign and ku.crl_sign
    assert authority.cert.subject == authority.cert.issuer


def test_user_certificate_fields(authority, user_cert):
    subj = user_cert.subject
    assert subj.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Иванов Иван Иванович"
    assert subj.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "ООО «Ромашка»"
    assert subj.get_attributes_for_oid(NameOID.TITLE)[0].value == "Инженер"
    assert subj.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)[0].value == "ivanov@x.ru"
    assert user_cert.issuer == authority.cert.subject
    assert user_cert.serial_number == 0x1F2E3D
    assert user_cert.not_valid_after_utc - user_cert.not_valid_before_utc == timedelta(days=365)
    ext = user_cert.extensions
    ku = ext.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert not ku.value.key_cert_sign
    eku = ext.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in list(eku)
    assert not ext.get_extension_for_class(x509.BasicConstraints).value.ca
    dp = ext.get_extension_for_class(x509.CRLDistributionPoints).value
    assert dp[0].full_name[0].value.endswith("/api/esign/crl.der")
    user_cert.verify_directly_issued_by(authority.cert)


def test_cms_round_trip(authority, user_cert, user_key):
    der = cms.sign_detached(b"entry v1", user_cert, user_key, extra_certs=(authority.cert,))
    check = cms.verify_detached(der, b"entry v1", authority.cert)
    assert check.ok, check.reason
    assert check.signer_serial == user_cert.serial_number
    assert check.signing_time is not None


def test_changed_bytes_fail_verification(authority, user_cert, user_key):
    der = cms.sign_detached(b"entry v1", user_cert, user_key)
    check = cms.verify_detached(der, b"entry v2", authority.cert)
    assert not check.ok and "Хеш" in check.reason


def test_another_ca_fails_verification(user_cert, user_key):
    stranger, _ = ca.build_ca(NOW)
    der = cms.sign_detached(b"x", user_cert, user_key)
    check = cms.verify_detached(der, b"x", stranger)
    assert not check.ok and "удостоверяющим центром" in check.reason


def test_garbage_never_raises(authority):
    assert not cms.verify_detached(b"\x30\x03\x02\x01\x01", b"x", authority.cert).ok
    assert not cms.verify_detached(b"not der at all", b"x", authority.cert).ok


def test_flipped_signature_byte_fails(authority, user_cert, user_key):
    der = bytearray(cms.sign_detached(b"x", user_cert, user_key))
    der[-5] ^= 0x01  # inside the signature value at the end
    assert not cms.verify_detached(bytes(der), b"x", authority.cert).ok


def test_sealed_key_needs_the_pin_and_the_owner(user_key):
    aad = ca.key_aad(7, ca.public_key_pem(user_key))
    sealed = ca.seal_private_key(user_key, "1234", aad)
    assert ca.open_private_key(sealed, "1234", aad).private_numbers() == (
        user_key.private_numbers()
    )
    with pytest.raises(ca.WrongPinError):
        ca.open_private_key(sealed, "4321", aad)
    with pytest.raises(ca.WrongPinError):  # the same row moved to another user
        ca.open_private_key(sealed, "1234", ca.key_aad(8, ca.public_key_pem(user_key)))


def test_crl_lists_revoked_serials_with_reason(authority):
    crl = ca.build_crl(
        authority,
        [ca.RevokedEntry("1F2E3D", NOW, "key_compromise"), ca.RevokedEntry("AB", NOW, "x")],
        now=NOW,
    )
    assert crl.is_signature_valid(authority.cert.public_key())
    entry = crl.get_revoked_certificate_by_serial_number(0x1F2E3D)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
        x509.ReasonFlags.key_compromise
    )
    assert crl.get_revoked_certificate_by_serial_number(0xAB) is not None
