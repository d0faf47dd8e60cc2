"""E-signatures: signatures made and verified per second.

- sign: `cabinet.esign.service.make_signature` + commit, each in its own database session as a
  page event would do it (reload the actor, find the valid certificate, open the private key
  with the PIN — scrypt — build the detached CMS, store it);
- verify: `cabinet.esign.queries.verify_signature` (load, parse the CMS, check the signature,
  the chain to our CA, the certificate status and the content through a resolver);
- and, for comparison, the parts alone: PIN unlock (scrypt + AES-GCM), CMS sign, CMS verify.

    python bench/bench_esign.py                    # a fresh SQLite database in a temp folder
    python bench/bench_esign.py --database-url postgresql+psycopg://cabinet:cabinet@127.0.0.1:5432/cabinet_bench

The database is migrated, the demo data loaded (idempotent: the CA and two certificates with
PIN 1234). Prints; never asserts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def line(label: str, samples: list[float]) -> str:
    total = sum(samples) / 1000
    rate = len(samples) / total if total else 0.0
    return (
        f"  {label:<34} {rate:8.1f}/s   p50 {statistics.median(samples):7.2f} ms"
        f"   p95 {pct(samples, 95):7.2f} ms   (n={len(samples)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temp SQLite file")
    parser.add_argument("-n", type=int, default=200, help="signatures to make and verify")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="cabinet-bench-esign-"))
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    os.environ.setdefault("DATA_DIR", str(tmp / "data"))
    sys.path.insert(0, str(ROOT))

    from alembic.config import Config
    from sqlmodel import select

    from alembic import command
    from cabinet.db import get_engine, session_scope
    from cabinet.demo import load_demo
    from cabinet.esign import ca, cms, queries, service
    from cabinet.esign.demo import DEMO_PIN
    from models import User
    from models.esign import SignatureCertificate

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    command.upgrade(cfg, "head")
    with session_scope() as s:
        load_demo(s)
        signer = s.exec(select(User).where(User.email == "operator@demo.local")).one()
        assert signer.id is not None
        signer_id = signer.id
        cert_row = queries.active_certificate(s, signer_id)
        assert cert_row is not None
        ca_cert = ca.ca_certificate(s)
        assert ca_cert is not None

    contents = {
        f"bench:{i}": f"Запись {i}: ТО выполнено, замечаний нет.".encode() for i in range(args.n)
    }
    queries.register_content_resolver("bench.entry", lambda _s, ref: contents.get(ref))

    made: list[float] = []
    codes: list[str] = []
    for i in range(args.n):
        t0 = time.perf_counter()
        with session_scope() as s:
            sig = service.make_signature(
                s,
                actor_id=signer_id,
                pin=DEMO_PIN,
                content=contents[f"bench:{i}"],
                purpose="bench.entry",
                subject_ref=f"bench:{i}",
                signer_role="bench",
            )
            s.commit()
            codes.append(sig.code)
        made.append((time.perf_counter() - t0) * 1000)

    checked: list[float] = []
    for code in codes:
        t0 = time.perf_counter()
        with session_scope() as s:
            v = queries.verify_signature(s, code)
        checked.append((time.perf_counter() - t0) * 1000)
        assert v.valid, v.problems

    # The parts alone.
    with session_scope() as s:
        row = s.get(SignatureCertificate, cert_row.id)
        assert row is not None
        sealed = ca.SealedKey(bytes(row.key_ciphertext), bytes(row.key_salt), bytes(row.key_nonce))
        aad = ca.key_aad(row.user_id, row.public_key_pem)
        x = ca.load_cert(row.cert_pem)
    unlock: list[float] = []
    raw_sign: list[float] = []
    raw_verify: list[float] = []
    key = ca.open_private_key(sealed, DEMO_PIN, aad)
    for i in range(min(args.n, 100)):
        t0 = time.perf_counter()
        ca.open_private_key(sealed, DEMO_PIN, aad)
        t1 = time.perf_counter()
        der = cms.sign_detached(contents[f"bench:{i}"], x, key, extra_certs=(ca_cert,))
        t2 = time.perf_counter()
        assert cms.verify_detached(der, contents[f"bench:{i}"], ca_cert).ok
        t3 = time.perf_counter()
        unlock.append((t1 - t0) * 1000)
        raw_sign.append((t2 - t1) * 1000)
        raw_verify.append((t3 - t2) * 1000)

    print(f"e-signatures on {get_engine().dialect.name} ({os.cpu_count()} CPUs, one thread):")
    print(line("make_signature + commit", made))
    print(line("verify_signature (full check)", checked))
    print(line("  PIN unlock (scrypt n=2^14)", unlock))
    print(line("  CMS sign alone (ECDSA P-256)", raw_sign))
    print(line("  CMS verify alone", raw_verify))
    print(f"  load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
