"""store_upload: the one writer of stored files, used by every module that accepts uploads.

    stored = store_upload(
        session, actor_id=actor.id, filename=f.name, source=f.file,
        allowed_types=("pdf", "jpeg", "png"), max_bytes=5 * 1024 * 1024,
        organisation_id=org_id,
    )

The bytes are read in chunks into a temporary file next to the store while their SHA-256 is
computed; reading stops as soon as the size passes `max_bytes`, so an oversized file is never
read whole. The type is decided from the first bytes (rules.detect), not from the name. The
file is then moved into `data_dir/files/<sha[:2]>/<sha>` with an atomic rename (fsync first);
when those bytes are already stored the temporary copy is dropped (deduplication). Refused
uploads leave neither a row nor a file behind.

The row (name, owner, organisation scope, checksum) is the only thing in the database. A
repeated upload of the same bytes under the same name by the same user into the same scope
returns the existing row. If the transaction fails after the rename, the content-addressed
file stays as an unreferenced blob (harmless; nothing points to it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, col, select

from cabinet import audit
from cabinet.access.service import load_actor, require_org_visible
from cabinet.files import rules
from cabinet.settings import Settings, settings
from models import StoredFile

CHUNK = 64 * 1024

Source = bytes | bytearray | memoryview | BinaryIO | Iterable[bytes]


def files_root(config: Settings | None = None) -> Path:
    return Path((config or settings).data_dir) / "files"


def blob_path(storage_key: str, config: Settings | None = None) -> Path:
    return files_root(config) / storage_key


def _chunks(source: Source) -> Iterator[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source)
        for i in range(0, len(view), CHUNK):
            yield bytes(view[i : i + CHUNK])
    elif hasattr(source, "read"):
        while True:
            block = source.read(CHUNK)
            if not block:
                return
            yield block
    else:
        yield from source


def _spool(source: Source, tmp_dir: Path, max_bytes: int) -> tuple[Path, str, int, bytes]:
    """Copy `source` into a temp file; (path, sha256, size, first bytes). Stops past the limit."""
    if isinstance(source, bytes | bytearray | memoryview) and len(source) > max_bytes:
        raise rules.too_large(max_bytes)
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=tmp_dir)
    path = Path(name)
    digest = hashlib.sha256()
    size = 0
    head = bytearray()
    try:
        with os.fdopen(fd, "wb") as out:
            for block in _chunks(source):
                size += len(block)
                if size > max_bytes:
                    raise rules.too_large(max_bytes)
                if len(head) < rules.HEAD_BYTES:
                    head += block[: rules.HEAD_BYTES - len(head)]
                digest.update(block)
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, digest.hexdigest(), size, bytes(head)


def _place(tmp: Path, key: str, root: Path) -> None:
    """Move the temp file to its content address, or drop it if those bytes are stored."""
    final = root / key
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        tmp.unlink(missing_ok=True)
        return
    tmp.replace(final)  # atomic on one filesystem (tmp lives under the same root)
    with contextlib.suppress(OSError):  # make the rename durable where the OS allows
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def store_upload(
    session: Session,
    *,
    actor_id: int,
    filename: str,
    source: Source,
    allowed_types: Iterable[str] = rules.DEFAULT_TYPES,
    max_bytes: int | None = None,
    organisation_id: int | None = None,
    ip: str = "",
    config: Settings | None = None,
) -> StoredFile:
    """Check, store and record one uploaded file; commits. Raises ValidationFailed (field
    "file") for a too large, empty or wrong-type file, NotFound for an invisible organisation.
    """
    config = config or settings
    limit = max_bytes if max_bytes is not None else config.upload_max_bytes
    allowed = tuple(allowed_types)
    rules.kinds(allowed)  # unknown kinds are a programming error: fail before reading
    actor = load_actor(session, actor_id)
    if organisation_id is not None:
        require_org_visible(actor, organisation_id)

    root = files_root(config)
    tmp, sha, size, head = _spool(source, root / "tmp", limit)
    try:
        rules.check_size(size, limit)
        kind = rules.detect(head, allowed)
        key = rules.storage_key(sha)
        _place(tmp, key, root)
    finally:
        tmp.unlink(missing_ok=True)

    name = rules.safe_filename(filename, kind)
    owner_match = (
        StoredFile.organisation_id == organisation_id
        if organisation_id is not None
        else col(StoredFile.organisation_id).is_(None)
    )
    existing = session.exec(
        select(StoredFile).where(
            StoredFile.sha256 == sha,
            StoredFile.owner_id == actor.id,
            owner_match,
            StoredFile.filename == name,
        )
    ).first()
    if existing is not None:
        return existing

    row = StoredFile(
        owner_id=actor.id,
        organisation_id=organisation_id,
        filename=name,
        content_type=kind.mime,
        size=size,
        sha256=sha,
        storage_key=key,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="file.upload",
        object_type="stored_file",
        object_id=row.id,
        after={
            "filename": name,
            "content_type": kind.mime,
            "size": size,
            "sha256": sha,
            "organisation_id": organisation_id,
        },
        ip=ip,
    )
    session.commit()
    return row
