"""Seconds to render a 1,000-entry maintenance journal as PDF.

Renders `cabinet.journals.pdf.render` over a synthetic journal: N entries (default 1,000),
each with one version (work time, kind, a few lines of description and findings) and two
signatures (operator and subscriber: signer, certificate serial, time, code and a QR code of
the verification URL); a tenth of the entries have a second, earlier version whose signatures
were withdrawn. Reports the median of the runs, the page count and the file size; also the
time for one QR code. Prints; never asserts.

    python bench/bench_journals.py                # 1,000 entries, 3 runs
    python bench/bench_journals.py --entries 200 --runs 5
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def journal(n: int):  # type: ignore[no-untyped-def]
    from cabinet.journals import pdf

    def sig(side: str, who: str, day: int, withdrawn: str = "") -> pdf.PrintSignature:
        code = secrets.token_urlsafe(18)
        return pdf.PrintSignature(
            side=side,
            signer=who,
            serial=secrets.token_hex(16).upper(),
            signed_at=f"{day % 28 + 1:02d}.11.2026 14:{day % 60:02d}",
            code=code,
            url=f"https://cabinet.example.ru/verify?code={code}",
            withdrawn_at=withdrawn,
        )

    entries = []
    for i in range(1, n + 1):
        current = pdf.PrintVersion(
            version=2 if i % 10 == 0 else 1,
            current=True,
            work_at=f"{i % 28 + 1:02d}.11.2026 10:{i % 60:02d}",
            work_kind="Плановое техническое обслуживание АПС",
            description=(
                "Проверена работоспособность дымовых извещателей, прибора приёмно-контрольного "
                "и шлейфов сигнализации 1–4. Проведено тестирование системы оповещения."
            ),
            findings="Замечаний нет." if i % 3 else "Рекомендуется очистка извещателей.",
            author="Операторов Олег Ильич",
            attachments=["фото-щита.jpg (SHA-256 3f2a9c0d1e4b5a6c…)"] if i % 5 == 0 else [],
            signatures=[
                sig("Оператор", "Операторов Олег Ильич", i),
                sig("Абонент", "Клиентова Кира Андреевна", i),
            ],
        )
        versions = [current]
        if i % 10 == 0:
            versions.append(
                pdf.PrintVersion(
                    version=1,
                    current=False,
                    work_at=current.work_at,
                    work_kind=current.work_kind,
                    description="Первая редакция описания работ.",
                    findings="",
                    author=current.author,
                    signatures=[sig("Оператор", "Операторов Олег Ильич", i, "01.12.2026 09:00")],
                )
            )
        entries.append(pdf.PrintEntry(number=i, state="Подписана", versions=versions))
    return pdf.PrintData(
        object_name="Склад № 1",
        object_address="г. Москва, ул. Складская, д. 7",
        systems="АПС, СОУЭ, видеонаблюдение",
        subscriber="ООО «Ромашка»",
        subscriber_inn="7707083893",
        journal_type="Пожарная сигнализация",
        journal_status="действующий",
        opened_at="01.01.2026",
        period="весь журнал",
        generated_at="29.11.2026 15:00",
        entries=entries,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import pypdf

    from cabinet.journals import pdf

    data = journal(args.entries)
    pdf.render(journal(5))  # fonts registered, modules warm
    times = []
    content = b""
    for _ in range(args.runs):
        start = time.perf_counter()
        content = pdf.render(data)
        times.append(time.perf_counter() - start)
    pages = len(pypdf.PdfReader(io.BytesIO(content)).pages)
    qr_start = time.perf_counter()
    for _ in range(200):
        pdf.QrCode("https://cabinet.example.ru/verify?code=" + secrets.token_urlsafe(18))
    qr_ms = (time.perf_counter() - qr_start) / 200 * 1000
    signatures = sum(len(v.signatures) for e in data.entries for v in e.versions)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"journal PDF: {args.entries} entries, {signatures} signatures with QR codes")
    print(f"  load average {load}")
    print(
        f"  render  median {statistics.median(times):6.2f} s   min {min(times):6.2f} s"
        f"   max {max(times):6.2f} s   (runs={args.runs})"
    )
    print(f"  result  {pages} pages, {len(content) / 1024 / 1024:.1f} MiB")
    print(f"  one QR code matrix (segno): {qr_ms:.2f} ms")


if __name__ == "__main__":
    main()
