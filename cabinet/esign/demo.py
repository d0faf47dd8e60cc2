"""Demo data of the e-signature module (idempotent): the CA, and issued certificates with
PIN "1234" for operator@demo.local and client-admin@demo.local, so the journals demo can sign.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from cabinet.esign import ca, queries, service
from models import User
from models.esign import CertificateStatus, SignatureCertificate

DEMO_PIN = "1234"
DEMO_SIGNERS: tuple[tuple[str, str], ...] = (
    ("operator@demo.local", "Инженер сервисной службы"),
    ("client-admin@demo.local", "Главный инженер"),
)
ISSUER_EMAILS = ("superadmin@demo.local", "admin@demo.local")


def load_esign_demo(session: Session) -> None:
    ca.ensure_ca(session)
    issuer = session.exec(
        select(User).where(col(User.email).in_(ISSUER_EMAILS)).order_by(col(User.id))
    ).first()
    if issuer is None or issuer.id is None:
        return
    for email, position in DEMO_SIGNERS:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None or user.id is None:
            continue
        if queries.active_certificate(session, user.id) is not None:
            continue
        pending = session.exec(
            select(SignatureCertificate)
            .where(SignatureCertificate.user_id == user.id)
            .where(SignatureCertificate.status == CertificateStatus.REQUESTED)
        ).first()
        if pending is None:
            from cabinet.access.service import load_actor

            choices = queries.organisation_choices(session, load_actor(session, user.id))
            if not choices:
                continue
            pending = service.request_certificate(
                session,
                actor_id=user.id,
                position=position,
                organisation_id=choices[0].id or None,
                pin=DEMO_PIN,
                pin_repeat=DEMO_PIN,
                confirmed=True,
            )
        assert pending.id is not None
        service.issue_certificate(session, actor_id=issuer.id, certificate_id=pending.id)
