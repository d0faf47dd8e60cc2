"""store_upload and file access on a real database and a real directory."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
from sqlmodel import select

from cabinet.access.rules import BuiltinRole
from cabinet.access.service import ensure_builtin_roles, grant_role
from cabinet.errors import NotFound, ValidationFailed
from cabinet.files import rules
from cabinet.files.queries import open_file
from cabinet.files.service import CHUNK, blob_path, files_root, store_upload
from cabinet.settings import Settings
from models import AuditEvent, ManagerAssignment, Membership, Organisation, StoredFile, User
from tests.unit.test_files_rules import JPEG, PDF, PNG, ooxml

pytestmark = pytest.mark.db

_seq = itertools.count(1)


@pytest.fixture
def config(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, upload_max_bytes=1024 * 1024)


def make_user(db, *, role: str | None = None, org: Organisation | None = None) -> User:
    n = next(_seq)
    user = User(
        full_name=f"Файлов {n}",
        email=f"files{n}@test.local",
        phone=f"+7904{n:07d}",
        password_hash="x",
    )
    db.add(user)
    db.flush()
    if org is not None:
        db.add(Membership(user_id=user.id, organisation_id=org.id))
        db.flush()
    if role:
        ensure_builtin_roles(db)
        grant_role(db, user_id=user.id, role_code=role, organisation_id=org.id if org else None)
    return user


def make_org(db) -> Organisation:
    n = next(_seq)
    org = Organisation(name=f"ООО Файлы {n}", inn=f"78{n:08d}")
    db.add(org)
    db.flush()
    return org


def stored_blobs(config: Settings) -> list[Path]:
    root = files_root(config)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_upload_is_stored_outside_the_database_with_its_checksum(db, config):
    user = make_user(db)
    data = PDF + b"x" * 5000

    row = store_upload(
        db,
        actor_id=user.id,
        filename="Акт сверки.pdf",
        source=data,
        allowed_types=("pdf",),
        config=config,
    )

    sha = hashlib.sha256(data).hexdigest()
    assert (row.sha256, row.size, row.content_type) == (sha, len(data), "application/pdf")
    assert row.filename == "Акт сверки.pdf"
    assert row.storage_key == f"{sha[:2]}/{sha}"
    path = blob_path(row.storage_key, config)
    assert path == config.data_dir / "files" / sha[:2] / sha
    assert path.read_bytes() == data
    assert stored_blobs(config) == [path]  # no temporary file left
    audit = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "file.upload", AuditEvent.object_id == str(row.id)
        )
    ).one()
    assert audit.after["sha256"] == sha


def test_a_file_object_is_read_in_chunks(db, config, tmp_path):
    user = make_user(db)
    src = tmp_path / "upload.png"
    src.write_bytes(PNG + b"\x00" * (3 * CHUNK))
    with src.open("rb") as f:
        row = store_upload(
            db,
            actor_id=user.id,
            filename="scan.png",
            source=f,
            allowed_types=rules.IMAGES,
            config=config,
        )
    assert row.size == src.stat().st_size
    assert row.content_type == "image/png"


def test_oversize_upload_is_refused_before_it_is_read_whole(db, config):
    user = make_user(db)
    limit = 200 * 1024
    produced = 0

    def endless():
        nonlocal produced
        yield PDF
        while True:  # a client that would send forever
            produced += CHUNK
            yield b"\x00" * CHUNK

    with pytest.raises(ValidationFailed) as err:
        store_upload(
            db,
            actor_id=user.id,
            filename="huge.pdf",
            source=endless(),
            allowed_types=("pdf",),
            max_bytes=limit,
            config=config,
        )
    assert err.value.message == "Файл больше 200 КБ."
    assert produced <= limit + CHUNK  # reading stopped right after the limit
    assert db.exec(select(StoredFile).where(StoredFile.owner_id == user.id)).all() == []
    assert stored_blobs(config) == []


def test_oversize_bytes_are_refused_without_touching_the_disk(db, config):
    user = make_user(db)
    with pytest.raises(ValidationFailed):
        store_upload(
            db,
            actor_id=user.id,
            filename="big.pdf",
            source=PDF + b"0" * 2048,
            max_bytes=1024,
            config=config,
        )
    assert not files_root(config).exists() or stored_blobs(config) == []


def test_wrong_type_by_content_is_refused_and_nothing_is_left(db, config):
    user = make_user(db)
    with pytest.raises(ValidationFailed, match="Недопустимый тип файла"):
        store_upload(
            db,
            actor_id=user.id,
            filename="invoice.pdf",  # the name says PDF, the bytes are an executable
            source=b"MZ\x90\x00" + b"\x00" * 4096,
            allowed_types=("pdf",),
            config=config,
        )
    with pytest.raises(ValidationFailed):
        store_upload(
            db,
            actor_id=user.id,
            filename="photo.pdf",
            source=JPEG,
            allowed_types=("pdf",),
            config=config,
        )
    assert db.exec(select(StoredFile).where(StoredFile.owner_id == user.id)).all() == []
    assert stored_blobs(config) == []


def test_same_bytes_are_stored_once(db, config):
    user = make_user(db)
    other = make_user(db)
    data = ooxml("xl")

    first = store_upload(db, actor_id=user.id, filename="Реестр.xlsx", source=data, config=config)
    again = store_upload(db, actor_id=user.id, filename="Реестр.xlsx", source=data, config=config)
    renamed = store_upload(db, actor_id=user.id, filename="Копия.xlsx", source=data, config=config)
    by_other = store_upload(
        db, actor_id=other.id, filename="Реестр.xlsx", source=data, config=config
    )

    assert again.id == first.id  # a repeated upload returns the same row
    assert len({first.id, renamed.id, by_other.id}) == 3
    assert {r.storage_key for r in (first, renamed, by_other)} == {first.storage_key}
    assert len(stored_blobs(config)) == 1
    assert first.content_type == rules.KINDS["xlsx"].mime


def test_upload_into_an_invisible_organisation_is_refused(db, config):
    mine, theirs = make_org(db), make_org(db)
    customer = make_user(db, role=BuiltinRole.CUSTOMER, org=mine)

    row = store_upload(
        db,
        actor_id=customer.id,
        filename="a.pdf",
        source=PDF,
        organisation_id=mine.id,
        config=config,
    )
    assert row.organisation_id == mine.id
    with pytest.raises(NotFound):
        store_upload(
            db,
            actor_id=customer.id,
            filename="b.pdf",
            source=PDF + b"1",
            organisation_id=theirs.id,
            config=config,
        )


def test_who_may_download_a_file(db, config):
    org, other_org = make_org(db), make_org(db)
    owner = make_user(db, role=BuiltinRole.CUSTOMER, org=org)
    colleague = make_user(db, role=BuiltinRole.CUSTOMER, org=org)
    stranger = make_user(db, role=BuiltinRole.CUSTOMER, org=other_org)
    manager = make_user(db, role=BuiltinRole.MANAGER)
    db.add(ManagerAssignment(manager_id=manager.id, organisation_id=org.id))
    other_manager = make_user(db, role=BuiltinRole.MANAGER)
    admin = make_user(db, role=BuiltinRole.ADMIN)
    shared = store_upload(
        db,
        actor_id=owner.id,
        filename="org.pdf",
        source=PDF + b"org",
        organisation_id=org.id,
        config=config,
    )
    private = store_upload(
        db, actor_id=owner.id, filename="me.pdf", source=PDF + b"me", config=config
    )

    for reader in (owner, colleague, manager, admin):
        _row, path = open_file(db, actor_id=reader.id, file_id=shared.id, config=config)
        assert path.read_bytes() == PDF + b"org"
    for outsider in (stranger, other_manager):
        with pytest.raises(NotFound):
            open_file(db, actor_id=outsider.id, file_id=shared.id, config=config)
    open_file(db, actor_id=owner.id, file_id=private.id, config=config)
    for other in (colleague, manager, admin):
        with pytest.raises(NotFound):
            open_file(db, actor_id=other.id, file_id=private.id, config=config)
    with pytest.raises(NotFound):
        open_file(db, actor_id=owner.id, file_id=10**12, config=config)
