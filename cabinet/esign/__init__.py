"""Electronic signatures (unqualified, after 63-FZ): the system's own CA, users' signature
certificates, detached CMS signatures, public verification, CRL. A platform module that other
modules (journals) sign with.

Certificates
    A user with Perm.ESIGN_USE asks for a certificate on /esign (confirms name, position,
    organisation, sets a PIN). The EC P-256 key pair is made on the server; the private key is
    stored only AES-GCM-sealed under scrypt(PIN) mixed with SECRET_KEY. The owner
    (Perm.ESIGN_ISSUE, /admin/esign) issues an X.509 certificate from the CA (ca.py) or
    rejects; users ask to revoke, the owner revokes; revoked serials are in the CRL.

API for other modules (stable names and semantics)
    cabinet.esign.service.make_signature(session, *, actor_id, pin, content, purpose,
            subject_ref, signer_role) -> models.esign.Signature
        Signs `content` (bytes) with the caller's currently valid certificate: detached CMS
        SignedData (SHA-256, signingTime attribute, signer + CA certificates). Adds the
        Signature row (random public `code`, certificate_id, user_id, purpose, subject_ref,
        signer_role, signed_at = server clock, content_sha256, content, cms_der) and an audit
        row, flushes, and does NOT commit: the caller's action commits, so signing and marking
        its own record signed are one transaction.
        Errors (DomainError, Russian message): no valid certificate; key locked after
        settings.esign_pin_max_failures wrong PINs; wrong PIN → "Неверный PIN-код. …" — then
        the caller's action is over: make_signature rolls the session back, commits only the
        failed-attempt count, and raises (nothing of the caller's is written).
    cabinet.esign.queries.verify_signature(session, code) -> Verification
        Signer, organisation, certificate serial and validity, status now and at signing,
        signed_at, cryptographic check (CMS against stored content and our CA), and
        content_unchanged (True/False, None if no resolver or the subject is gone). `valid` is
        True only when all of these hold; `problems` lists what failed.
    cabinet.esign.queries.register_content_resolver(purpose, fn, *, label="")
        fn(session, subject_ref) -> current canonical bytes | None. Register at import of the
        owning module (e.g. in its queries.py).
    cabinet.esign.queries.active_certificate(session, user_id) -> SignatureCertificate | None
    cabinet.esign.queries.signatures_for(session, purpose, subject_ref) -> list[Signature]
    cabinet.esign.queries.qr_png(code) / qr_svg(code) -> bytes   (QR of the verify URL)
    cabinet.esign.queries.verify_url(code) -> absolute URL of the public page
    cabinet.esign.service.signature_bundle(session, code) -> bytes (zip: content.bin,
        signature.p7s, signer.pem, ca.pem, README.txt with the openssl command)

Public URLs (cabinet/api.py): /api/esign/ca.pem, /api/esign/crl.der, /api/esign/crl.pem,
/api/esign/certificates/<serial>.pem, /api/esign/signatures/<code>.zip; page /verify?code=…

`models.esign.Certificate` is an alias of `SignatureCertificate`.
"""
