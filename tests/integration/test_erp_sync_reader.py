"""SQLite: documents and certificates pages after an entity's first are read and parsed by a
forked process (`sync._ChildReader`, which then goes on with the next entity of the wave), against the fake ERP server over real HTTP. The rows,
counters and reported issues are those of a run that reads everything itself; an ERP error
or the reader's death fails the run at that page and the next run resumes cleanly."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet.erp import sync
from cabinet.erp.client import ErpClient, Page
from models.documents import Certificate, ShippingDocument
from models.erp import ErpWatermark, SyncIssue, SyncStatus
from tests.fakes.erp_server import ErpData, FakeErp

pytestmark = pytest.mark.db

SIZES = {"orgs": 12, "orders": 90, "documents": 240}  # 120 documents, 120 certificates


@pytest.fixture(autouse=True)
def sqlite_only(db: Session) -> None:
    if db.get_bind().dialect.name != "sqlite":
        pytest.skip("the reader process serves SQLite runs only")


@pytest.fixture
def erp() -> Iterator[FakeErp]:
    with FakeErp(ErpData(**SIZES)) as server:
        yield server


@pytest.fixture
def client(erp: FakeErp) -> Iterator[ErpClient]:
    with ErpClient(url=erp.url) as c:
        yield c


class _Recording:
    """The ERP client, noting which process asked for which entity's page (a file: the
    reader is another process); `die_at`: the reader process exits at that entity's n-th
    page of its own, as a killed process would."""

    def __init__(
        self, inner: Any, log: Path, die_at: tuple[str, int] | None = None, parent: int = 0
    ) -> None:
        self.inner, self.log, self.die_at = inner, log, die_at
        self.parent = parent or os.getpid()
        self.asked = 0

    def for_child(self) -> _Recording:  # called in the reader process
        return _Recording(self.inner.for_child(), self.log, self.die_at, self.parent)

    def changes(self, entity: str, since: str, limit: int) -> Page:
        with self.log.open("a") as f:
            f.write(f"{entity} {os.getpid()}\n")
        if os.getpid() != self.parent and self.die_at and entity == self.die_at[0]:
            self.asked += 1
            if self.asked >= self.die_at[1]:
                os._exit(3)
        return self.inner.changes(entity, since, limit)  # type: ignore[no-any-return]


def _readers(log: Path) -> dict[str, set[int]]:
    seen: dict[str, set[int]] = {}
    for line in log.read_text().splitlines():
        entity, pid = line.split()
        seen.setdefault(entity, set()).add(int(pid))
    return seen


def _cert_rows(db: Session) -> list[tuple[str, str, str, str]]:
    return [
        (c.erp_id, c.consignee, c.batch, str(c.quantity))
        for c in db.exec(select(Certificate).order_by(col(Certificate.erp_id))).all()
    ]


def test_pages_after_the_first_are_read_in_a_process_with_the_same_result(
    db: Session, erp: FakeErp, client: ErpClient, tmp_path: Path
):
    erp.data.malformed["certificates"] = {60, 61, 62}  # on the reader's pages
    log = tmp_path / "asked.log"

    report = sync.run_sync(db, _Recording(client, log), batch=40)

    assert report is not None and report.status == SyncStatus.PARTIAL, report
    readers = _readers(log)
    me = os.getpid()
    child = readers["documents"] - {me}
    assert me in readers["documents"] and len(child) == 1  # the first page here, the rest there
    assert readers["certificates"] == child  # the same reader goes on with the wave's next
    for entity in ("organisations", "orders", "invoices"):
        assert readers[entity] == {me}
    assert report.entities["certificates"].rows_in == 120
    assert report.entities["certificates"].failed == 3
    issues = db.exec(select(SyncIssue).where(SyncIssue.entity == "certificates")).all()
    assert {i.erp_id for i in issues} >= {"CRT-00000060", "CRT-00000062"}
    assert all(i.error and i.payload for i in issues)
    assert db.exec(select(sa.func.count()).select_from(ShippingDocument)).one() == 120
    assert db.exec(select(sa.func.count()).select_from(Certificate)).one() == 117
    wm = db.get(ErpWatermark, "certificates")
    assert wm is not None and wm.rows_total == 117

    # a delta over several pages, read the same way, changes the rows in place
    erp.data.malformed.clear()
    for i in range(0, 120, 2):
        erp.data.touch("certificates", i, consignee=f'ООО "Новый {i}"', quantity="3.5")
    again = sync.run_sync(db, _Recording(client, log), batch=40)
    assert again is not None and again.rows_in == 60, again
    db.expire_all()
    rows = {r[0]: r for r in _cert_rows(db)}
    assert rows["CRT-00000010"][1:] == ('ООО "Новый 10"', rows["CRT-00000010"][2], "3.500")
    assert rows["CRT-00000060"][1] == 'ООО "Новый 60"'  # no longer malformed: now stored


@pytest.mark.parametrize("mode", ["500", "drop"])
def test_an_erp_error_on_a_page_the_process_reads_fails_the_run_at_that_page(
    db: Session, erp: FakeErp, client: ErpClient, mode: str
):
    before_certificates = 12 + 24 + 90 + 90 + 120
    erp.fail_after(before_certificates + 50, mode=mode)  # the second certificates page

    failed = sync.run_sync(db, client, batch=40)

    assert failed is not None and failed.status == SyncStatus.FAILED, failed
    assert failed.error
    stored = db.exec(select(sa.func.count()).select_from(Certificate)).one()
    assert 0 < stored < 120
    wm = db.get(ErpWatermark, "certificates")
    assert wm is not None and wm.rows_total == stored  # the watermark matches the commits

    again = sync.run_sync(db, client, batch=40)

    assert again is not None and again.status == SyncStatus.OK
    assert db.exec(select(sa.func.count()).select_from(Certificate)).one() == 120
    assert len({r[0] for r in _cert_rows(db)}) == 120


def test_a_reader_process_that_dies_fails_the_run_and_the_next_resumes(
    db: Session, erp: FakeErp, client: ErpClient, tmp_path: Path
):
    feed = _Recording(client, tmp_path / "asked.log", die_at=("certificates", 2))

    failed = sync.run_sync(db, feed, batch=40)

    assert failed is not None and failed.status == SyncStatus.FAILED
    assert failed.error == sync.CHILD_DIED
    stored = db.exec(select(sa.func.count()).select_from(Certificate)).one()
    # what arrived before the reader's death is committed (the reader also read the
    # certificates' first page; it may have died before that page left it)
    assert stored < 120
    wm = db.get(ErpWatermark, "certificates")
    assert (wm.rows_total if wm else 0) == stored

    again = sync.run_sync(db, client, batch=40)

    assert again is not None and again.status == SyncStatus.OK
    assert again.entities["certificates"].rows_in == 120 - stored
    assert db.exec(select(sa.func.count()).select_from(Certificate)).one() == 120
