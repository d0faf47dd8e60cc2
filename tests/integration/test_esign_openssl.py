"""Third-party checks with the real `openssl` binary: an exported signature bundle verifies
against the CA certificate (and fails for tampered content); the CRL lists a revoked serial.
Plus the public HTTP routes (CA certificate, CRL, unknown bundle)."""

from __future__ import annotations

import asyncio
import io
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cabinet.api import api
from cabinet.esign import ca, service
from models.base import utcnow
from tests.integration.test_esign_service import PIN, issued, sign, w  # noqa: F401

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl binary not installed"),
]


def openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
    )


def unpack(data: bytes, into: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        z.extractall(into)
    return into


VERIFY = (
    "cms",
    "-verify",
    "-binary",
    "-inform",
    "DER",
    "-in",
    "signature.p7s",
    "-content",
    "content.bin",
    "-CAfile",
    "ca.pem",
    "-purpose",
    "any",
    "-out",
    "/dev/null",
)


def test_openssl_verifies_an_exported_bundle(db, w, tmp_path):  # noqa: F811
    issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client, "Запись журнала: проверка АПС\n".encode())
    d = unpack(service.signature_bundle(db, sig.code), tmp_path)
    ok = openssl(*VERIFY, cwd=d)
    assert ok.returncode == 0, ok.stderr
    assert "Verification successful" in ok.stderr
    # The exact command of the README works as written (without -out it prints the content).
    readme = (d / "README.txt").read_text()
    line = next(x.strip() for x in readme.splitlines() if x.strip().startswith("openssl cms"))
    assert (
        subprocess.run(shlex.split(line), cwd=d, capture_output=True, check=False).returncode == 0
    )
    # The signer certificate says what the certificate builder promised.
    text = openssl("x509", "-in", "signer.pem", "-noout", "-text", cwd=d).stdout
    assert "Digital Signature, Non Repudiation" in text
    assert "E-mail Protection" in text


def test_openssl_refuses_tampered_content(db, w, tmp_path):  # noqa: F811
    issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client, b"original entry")
    d = unpack(service.signature_bundle(db, sig.code), tmp_path)
    (d / "content.bin").write_bytes(b"original entrY")
    bad = openssl(*VERIFY, cwd=d)
    assert bad.returncode != 0
    assert "Verification failure" in bad.stderr or "digest failure" in bad.stderr.lower()


def test_openssl_refuses_another_ca(db, w, tmp_path):  # noqa: F811
    issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client, b"entry")
    d = unpack(service.signature_bundle(db, sig.code), tmp_path)
    stranger, _key = ca.build_ca(utcnow())
    (d / "ca.pem").write_bytes(ca.cert_pem(stranger))
    assert openssl(*VERIFY, cwd=d).returncode != 0


def test_openssl_crl_lists_a_revoked_serial(db, w, tmp_path):  # noqa: F811
    cert = issued(db, w, w.client, org_id=w.org.id)
    service.revoke_certificate(
        db, actor_id=w.owner.id, certificate_id=cert.id, reason="key_compromise"
    )
    crl = service.current_crl(db)
    (tmp_path / "crl.der").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    out = openssl("crl", "-inform", "DER", "-in", "crl.der", "-text", "-noout", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    listed = {
        int(line.split(":", 1)[1].strip(), 16)
        for line in out.stdout.splitlines()
        if line.strip().startswith("Serial Number:")
    }
    assert int(cert.serial, 16) in listed
    assert "Key Compromise" in out.stdout
    # ... and the CA's signature on it checks out.
    (tmp_path / "ca.pem").write_bytes(ca.cert_pem(ca.ca_certificate(db)))
    check = openssl(
        "crl", "-inform", "DER", "-in", "crl.der", "-CAfile", "ca.pem", "-noout", cwd=tmp_path
    )
    assert check.returncode == 0 and "verify OK" in (check.stderr + check.stdout)


def get(url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.get(url)

    return asyncio.run(go())


def test_public_routes_serve_ca_and_crl_without_login(migrated_engine):
    r = get("/api/esign/ca.pem")
    assert r.status_code == 200
    ca_cert = x509.load_pem_x509_certificate(r.content)
    assert ca_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    r = get("/api/esign/crl.der")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pkix-crl"
    crl = x509.load_der_x509_crl(r.content)
    assert crl.is_signature_valid(ca_cert.public_key())
    r = get("/api/esign/crl.pem")
    assert r.status_code == 200 and b"BEGIN X509 CRL" in r.content
    assert get("/api/esign/signatures/" + "A" * 24 + ".zip").status_code == 404
    assert get("/api/esign/signatures/bad.zip").status_code == 404
    assert get("/api/esign/certificates/ABC.pem").status_code == 404
    assert get("/api/esign/certificates/zz.pem").status_code == 404


def test_openssl_with_the_crl_refuses_a_revoked_signer(db, w, tmp_path):  # noqa: F811
    cert = issued(db, w, w.client, org_id=w.org.id)
    sig = sign(db, w.client, b"entry")
    d = unpack(service.signature_bundle(db, sig.code), tmp_path)
    with_crl = [*VERIFY, "-crl_check"]
    with_crl[with_crl.index("ca.pem")] = "ca-crl.pem"  # CRLs travel in the trusted store
    pem = serialization.Encoding.PEM
    ca_pem = (d / "ca.pem").read_bytes()
    (d / "ca-crl.pem").write_bytes(ca_pem + service.current_crl(db).public_bytes(pem))
    ok = openssl(*with_crl, cwd=d)
    assert ok.returncode == 0, ok.stderr
    service.revoke_certificate(
        db, actor_id=w.owner.id, certificate_id=cert.id, reason="key_compromise"
    )
    (d / "ca-crl.pem").write_bytes(ca_pem + service.current_crl(db).public_bytes(pem))
    bad = openssl(*with_crl, cwd=d)
    assert bad.returncode != 0
    assert "revoked" in bad.stderr.lower()
