"""Detached CMS (PKCS#7) SignedData: made with cryptography, checked with asn1crypto +
cryptography. The output is what `openssl cms -verify -binary -inform DER` accepts.

The signature carries the signed attributes contentType, signingTime and messageDigest
(SHA-256), the signer's certificate and the CA certificate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms as acms  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

_HASHES = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}


def sign_detached(
    content: bytes,
    cert: x509.Certificate,
    key: ec.EllipticCurvePrivateKey,
    *,
    extra_certs: tuple[x509.Certificate, ...] = (),
) -> bytes:
    """DER of a detached SignedData over `content` (binary, no MIME canonicalisation)."""
    builder = pkcs7.PKCS7SignatureBuilder().set_data(content).add_signer(cert, key, hashes.SHA256())
    for extra in extra_certs:
        builder = builder.add_certificate(extra)
    return builder.sign(
        serialization.Encoding.DER,
        [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary],
    )


@dataclass(frozen=True)
class CmsCheck:
    ok: bool
    reason: str  # Russian, empty when ok
    signing_time: datetime | None = None
    signer_serial: int | None = None
    signer_cert: x509.Certificate | None = None


def _fail(reason: str, **kw: object) -> CmsCheck:
    return CmsCheck(False, reason, **kw)  # type: ignore[arg-type]


def verify_detached(cms_der: bytes, content: bytes, ca_cert: x509.Certificate) -> CmsCheck:
    """Check one signer's signature over `content` and that the CA issued the signer's
    certificate. Never raises on bad input: returns ok=False with a reason."""
    try:
        info = acms.ContentInfo.load(cms_der)
        if info["content_type"].native != "signed_data":
            return _fail("Это не подпись CMS SignedData.")
        sd = info["content"]
        if sd["encap_content_info"]["content"].native is not None:
            return _fail("Подпись не отсоединённая.")
        signer_infos = list(sd["signer_infos"])
        if len(signer_infos) != 1:
            return _fail("В подписи должен быть ровно один подписант.")
        si = signer_infos[0]
        sid = si["sid"]
        if sid.name != "issuer_and_serial_number":
            return _fail("Подписант указан неподдерживаемым способом.")
        serial = int(sid.chosen["serial_number"].native)
        signer_der = None
        for choice in sd["certificates"] or []:
            if choice.name == "certificate" and choice.chosen.serial_number == serial:
                signer_der = choice.chosen.dump()
                break
        if signer_der is None:
            return _fail("В подписи нет сертификата подписанта.", signer_serial=serial)
        signer = x509.load_der_x509_certificate(signer_der)
        digest_name = si["digest_algorithm"]["algorithm"].native
        if digest_name not in _HASHES:
            return _fail("Неподдерживаемый алгоритм хеширования.", signer_serial=serial)
        attrs = si["signed_attrs"]
        if not attrs:
            return _fail("В подписи нет подписанных атрибутов.", signer_serial=serial)
        values: dict[str, object] = {}
        for attr in attrs:
            values[attr["type"].native] = attr["values"][0].native
        if values.get("content_type") != "data":
            return _fail("Неверный тип подписанного содержимого.", signer_serial=serial)
        h = hashlib.new(digest_name, content).digest()
        signing_time = values.get("signing_time")
        st = signing_time if isinstance(signing_time, datetime) else None
        if values.get("message_digest") != h:
            return _fail(
                "Хеш содержимого не совпадает с подписанным.",
                signer_serial=serial,
                signing_time=st,
                signer_cert=signer,
            )
        # The signature is over the DER of the attributes as a SET (tag 0x31, not [0]).
        raw = attrs.dump()
        to_verify = b"\x31" + raw[1:]
        sig = si["signature"].native
        pub = signer.public_key()
        if isinstance(pub, ec.EllipticCurvePublicKey):
            pub.verify(sig, to_verify, ec.ECDSA(_HASHES[digest_name]))
        elif isinstance(pub, rsa.RSAPublicKey):
            pub.verify(sig, to_verify, padding.PKCS1v15(), _HASHES[digest_name])
        else:
            return _fail("Неподдерживаемый тип ключа.", signer_serial=serial)
    except InvalidSignature:
        return _fail("Подпись не соответствует сертификату.")
    except (ValueError, TypeError, KeyError, IndexError):
        return _fail("Подпись повреждена или имеет неверный формат.")
    try:
        signer.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return _fail(
            "Сертификат подписанта выпущен не нашим удостоверяющим центром.",
            signer_serial=serial,
            signing_time=st,
            signer_cert=signer,
        )
    return CmsCheck(True, "", signing_time=st, signer_serial=serial, signer_cert=signer)
