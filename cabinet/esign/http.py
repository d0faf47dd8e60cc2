"""Public HTTP endpoints of the e-signature module (no login): the CA certificate, the CRL,
issued certificates and signature bundles. Mounted in cabinet/api.py."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from cabinet.errors import DomainError

_PUBLIC = {"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"}


def _not_found() -> Response:
    return Response("Не найдено.", status_code=404, media_type="text/plain; charset=utf-8")


def ca_pem(_request: Request) -> Response:
    from cabinet.db import session_scope
    from cabinet.esign import ca

    with session_scope() as s:
        row = ca.ensure_ca(s)
        body = row.cert_pem
    return Response(
        body,
        media_type="application/x-pem-file",
        headers={**_PUBLIC, "Content-Disposition": 'attachment; filename="ca.pem"'},
    )


def _crl(encoding: serialization.Encoding) -> bytes:
    from cabinet.db import session_scope
    from cabinet.esign import service

    with session_scope() as s:
        return service.current_crl(s).public_bytes(encoding)


def crl_der(_request: Request) -> Response:
    return Response(
        _crl(serialization.Encoding.DER),
        media_type="application/pkix-crl",
        headers={**_PUBLIC, "Content-Disposition": 'attachment; filename="crl.der"'},
    )


def crl_pem(_request: Request) -> Response:
    return Response(
        _crl(serialization.Encoding.PEM),
        media_type="application/x-pem-file",
        headers={**_PUBLIC, "Content-Disposition": 'attachment; filename="crl.pem"'},
    )


def certificate_pem(request: Request) -> Response:
    from cabinet.db import session_scope
    from cabinet.esign import queries

    serial = str(request.path_params["serial"])
    with session_scope() as s:
        pem = queries.certificate_pem_by_serial(s, serial)
    if pem is None:
        return _not_found()
    return Response(
        pem,
        media_type="application/x-pem-file",
        headers={
            **_PUBLIC,
            "Content-Disposition": f'attachment; filename="certificate-{serial.upper()}.pem"',
        },
    )


def signature_zip(request: Request) -> Response:
    from cabinet.db import session_scope
    from cabinet.esign import rules, service

    code = rules.normalise_code(str(request.path_params["code"]))
    if not code:
        return _not_found()
    with session_scope() as s:
        try:
            data = service.signature_bundle(s, code)
        except DomainError:
            return _not_found()
    return Response(
        data,
        media_type="application/zip",
        headers={
            **_PUBLIC,
            "Content-Disposition": f'attachment; filename="signature-{code}.zip"',
        },
    )


ROUTES: list[Route] = [
    Route("/api/esign/ca.pem", ca_pem, methods=["GET"]),
    Route("/api/esign/crl.der", crl_der, methods=["GET"]),
    Route("/api/esign/crl.pem", crl_pem, methods=["GET"]),
    Route("/api/esign/certificates/{serial}.pem", certificate_pem, methods=["GET"]),
    Route("/api/esign/signatures/{code}.zip", signature_zip, methods=["GET"]),
]
