"""Several workers starting at once make one CA (PostgreSQL: real concurrent transactions)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func
from sqlmodel import Session, select

from cabinet.esign import ca
from models.esign import CertificationAuthority

pytestmark = pytest.mark.db


def test_concurrent_first_start_creates_one_ca(migrated_engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises the whole file)")
    with Session(migrated_engine) as s:
        before = s.exec(select(CertificationAuthority)).all()
        s.execute(delete(CertificationAuthority))
        s.commit()
    n = 4
    barrier = threading.Barrier(n)
    ids: list[int | None] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with Session(migrated_engine, expire_on_commit=False) as s:
                barrier.wait(timeout=10)
                ids.append(ca.ensure_ca(s).id)
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert not errors, errors
        assert len(ids) == n and len(set(ids)) == 1
        with Session(migrated_engine) as s:
            assert s.exec(select(func.count()).select_from(CertificationAuthority)).one() == 1
    finally:
        # Leave the CA as the other tests found it (a committed one, if there was one).
        with Session(migrated_engine) as s:
            s.execute(delete(CertificationAuthority))
            for row in before:
                s.add(
                    CertificationAuthority(
                        id=row.id,
                        name=row.name,
                        cert_pem=row.cert_pem,
                        key_pem_encrypted=row.key_pem_encrypted,
                        serial=row.serial,
                        created_at=row.created_at,
                    )
                )
            s.commit()
