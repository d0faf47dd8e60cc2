"""The journal's PDF print form: header, entries with versions, signers with certificate serials
and signing times, a QR per signature; the text is extracted with pypdf and checked."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest

from cabinet.access.service import load_actor
from cabinet.errors import NotFound, ValidationFailed
from cabinet.files.queries import open_file
from cabinet.journals import queries, service
from models.base import utcnow
from tests.integration.test_journals_service import certified, sign, submitted, w  # noqa: F401

pytestmark = pytest.mark.db


def _text(db, user_id, file_id) -> str:
    _row, path = open_file(db, actor_id=user_id, file_id=file_id)
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_shows_entries_versions_signers_and_serials(db, certified):  # noqa: F811
    world = certified
    entry = submitted(db, world, work_kind="Проверка шлейфов", findings="Замечаний нет")
    op = sign(db, world.op_resp, entry)
    service.update_entry(
        db,
        actor_id=world.staff.id,
        entry_id=entry.id,
        expected_version=1,
        work_at=entry.work_at,
        work_kind="Проверка шлейфов",
        description="Проверены шлейфы, заменён извещатель ИП-212",
        findings="Замечаний нет",
    )
    db.refresh(entry)
    second = sign(db, world.sub_resp, entry)
    stored = service.print_journal(db, actor_id=world.sub_user.id, journal_id=world.journal.id)
    assert stored.content_type == "application/pdf"
    text = _text(db, world.sub_user.id, stored.id)
    flat = " ".join(text.split())
    for expected in (
        "Журнал технического обслуживания",
        "Пожарная сигнализация",
        "Склад № 1",
        "ООО «Ромашка»",
        "весь журнал",
        "Запись № 1",
        "Версия 2",
        "Версия 1",
        "заменён извещатель ИП-212",
        op.certificate_serial,
        second.certificate_serial,
        "отозвана",
    ):
        assert expected in flat, expected
    reader = pypdf.PdfReader(
        io.BytesIO(open_file(db, actor_id=world.sub_user.id, file_id=stored.id)[1].read_bytes())
    )
    assert reader.pages[0].extract_text()


def test_pdf_of_a_period_and_refusals(db, w):  # noqa: F811
    old = submitted(db, w, work_at=utcnow() - timedelta(days=40), work_kind="Старая работа")
    submitted(db, w, work_kind="Свежая работа")
    today = utcnow().date()
    data = queries.print_data(
        db, load_actor(db, w.staff.id), w.journal.id, day_from=today - timedelta(days=7)
    )
    kinds = [v.work_kind for e in data.entries for v in e.versions]
    assert kinds == ["Свежая работа"] and old.id
    with pytest.raises(NotFound):
        service.print_journal(db, actor_id=w.stranger.id, journal_id=w.journal.id)
    with pytest.raises(ValidationFailed):
        service.print_journal(
            db,
            actor_id=w.staff.id,
            journal_id=w.journal.id,
            day_from=today,
            day_to=today - timedelta(days=1),
        )
