"""The only writers of the journals module: one function = one user action = one transaction.

Every function reloads the actor, fetches through queries.access_* (scope: "not found" for
other people's records), checks the rules, writes with an audit event, emits notifications
and commits. Signing calls the e-signature module's `make_signature` (PIN, certificate) and
records the EntrySignature in the same transaction: a wrong PIN or an invalid certificate
raises before anything is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from cabinet import audit
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor
from cabinet.errors import NotFound, PermissionDenied, ValidationFailed
from cabinet.files.service import store_upload
from cabinet.journals import pdf, queries, rules
from cabinet.journals.rules import EntryFields, SigningRefused, StaleVersion
from cabinet.notifications.service import emit
from models import (
    EntryFile,
    EntrySignature,
    EntryVersion,
    Journal,
    JournalEntry,
    JournalType,
    ObjectPerson,
    Organisation,
    ServiceObject,
    StoredFile,
)
from models.base import utcnow
from models.journals import EntryState, JournalStatus, PersonRole, Side

# --------------------------------------------------------------------------- reference data


def save_journal_type(
    session: Session,
    *,
    actor_id: int,
    type_id: int | None,
    code: str,
    name: str,
    description: str = "",
    is_active: bool = True,
) -> JournalType:
    """Create or edit a journal type (operator administrators)."""
    actor = load_actor(session, actor_id)
    if not queries._is_admin(actor):
        raise PermissionDenied()
    code = (code or "").strip().lower()
    if not code or len(code) > 50 or not all(c.isalnum() or c in "_-" for c in code):
        raise ValidationFailed("Код: латинские буквы, цифры, «_» и «-».", field="code")
    name = rules.clean_text(name, limit=200, field_name="name", label="Название", required=True)
    description = rules.clean_text(
        description, limit=500, field_name="description", label="Описание", required=False
    )
    if type_id:
        row = session.get(JournalType, type_id)
        if row is None:
            raise NotFound("Тип журнала не найден.")
        before = {"code": row.code, "name": row.name, "is_active": row.is_active}
    else:
        row, before = JournalType(code=code, name=name), None
    for other in session.exec(
        select(JournalType).where((JournalType.code == code) | (JournalType.name == name))
    ).all():
        if other.id != row.id:
            raise ValidationFailed("Тип с таким кодом или названием уже есть.", field="name")
    row.code, row.name, row.description, row.is_active = code, name, description, is_active
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="journals.type_save",
        object_type="journal_type",
        object_id=row.id,
        before=before,
        after={"code": code, "name": name, "is_active": is_active},
    )
    session.commit()
    return row


# --------------------------------------------------------------------------- objects and people


def save_object(
    session: Session,
    *,
    actor_id: int,
    object_id: int | None,
    organisation_id: int | None = None,
    name: str,
    address: str,
    systems: str = "",
) -> ServiceObject:
    """Create (for `organisation_id`) or edit a service object: the operator administrator for
    any subscriber, the subscriber's administrator for their own organisation."""
    actor = load_actor(session, actor_id)
    name, address, systems = rules.clean_object(name=name, address=address, systems=systems)
    if object_id:
        obj, rights = queries.access_object(session, actor, object_id)
        if not rights.can_edit_object:
            raise PermissionDenied()
        before: dict[str, Any] | None = {"name": obj.name, "address": obj.address}
    else:
        org = session.get(Organisation, organisation_id) if organisation_id else None
        if org is None or org.id is None:
            raise ValidationFailed("Выберите абонента.", field="organisation_id")
        if not (queries._is_admin(actor) or actor.has(Perm.JOURNALS_SUBSCRIBER_ADMIN, org.id)):
            raise NotFound("Организация не найдена.")
        obj = ServiceObject(organisation_id=org.id, name=name, created_by=actor.id)
        before = None
    clash = session.exec(
        select(ServiceObject).where(
            ServiceObject.organisation_id == obj.organisation_id, ServiceObject.name == name
        )
    ).first()
    if clash is not None and clash.id != obj.id:
        raise ValidationFailed("У абонента уже есть объект с таким названием.", field="name")
    obj.name, obj.address, obj.systems = name, address, systems
    session.add(obj)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="journals.object_save",
        object_type="service_object",
        object_id=obj.id,
        before=before,
        after={"name": name, "address": address, "systems": systems},
    )
    session.commit()
    return obj


def set_person(
    session: Session, *, actor_id: int, object_id: int, user_id: int, role: str, add: bool
) -> None:
    """Assign or remove a person on an object. Staff and the operator's responsible persons:
    operator administrator; the subscriber's responsible persons: the subscriber's admin."""
    actor = load_actor(session, actor_id)
    if role not in set(PersonRole):
        raise ValidationFailed("Неизвестная роль.", field="role")
    obj, rights = queries.access_object(session, actor, object_id)
    if not rights.can_manage(role):
        raise PermissionDenied()
    existing = session.exec(
        select(ObjectPerson).where(
            ObjectPerson.object_id == obj.id,
            ObjectPerson.user_id == user_id,
            ObjectPerson.role == role,
        )
    ).first()
    if add:
        allowed = {int(c["id"]) for c in queries.candidates(session, obj, role)}
        if user_id not in allowed:
            raise ValidationFailed(
                "Этого пользователя нельзя назначить на эту роль.", field="user_id"
            )
        if existing is not None:
            return
        session.add(
            ObjectPerson(object_id=obj.id or 0, user_id=user_id, role=role, assigned_by=actor.id)
        )
    else:
        if existing is None:
            return
        session.delete(existing)
    audit.record(
        session,
        actor_id=actor.id,
        action="journals.person_add" if add else "journals.person_remove",
        object_type="service_object",
        object_id=obj.id,
        after={"user_id": user_id, "role": role},
    )
    session.commit()


# --------------------------------------------------------------------------- journals


def open_journal(session: Session, *, actor_id: int, object_id: int, type_id: int) -> Journal:
    """Open a journal of a type on an object; the active one of that type is archived."""
    actor = load_actor(session, actor_id)
    obj, rights = queries.access_object(session, actor, object_id)
    if not rights.can_open_journal:
        raise PermissionDenied()
    jtype = session.get(JournalType, type_id) if 0 < type_id < 2**31 else None
    if jtype is None or not jtype.is_active:
        raise ValidationFailed("Выберите тип журнала.", field="type_id")
    now = utcnow()
    previous = session.exec(
        select(Journal)
        .where(
            Journal.object_id == obj.id,
            Journal.type_id == type_id,
            Journal.status == JournalStatus.ACTIVE,
        )
        .with_for_update()
    ).first()
    if previous is not None:
        previous.status, previous.archived_at, previous.archived_by = (
            JournalStatus.ARCHIVED,
            now,
            actor.id,
        )
        session.add(previous)
        session.flush()
    journal = Journal(object_id=obj.id or 0, type_id=type_id, opened_by=actor.id, opened_at=now)
    session.add(journal)
    try:
        session.flush()
    except IntegrityError as e:  # another tab opened one at the same moment
        session.rollback()
        raise ValidationFailed("Журнал этого типа только что открыт. Обновите страницу.") from e
    audit.record(
        session,
        actor_id=actor.id,
        action="journals.open",
        object_type="journal",
        object_id=journal.id,
        after={"object_id": obj.id, "type": jtype.code, "archived": previous and previous.id},
    )
    session.commit()
    return journal


# --------------------------------------------------------------------------- entries


def _attachments(session: Session, file_ids: Iterable[int]) -> list[dict[str, Any]]:
    ids = sorted(set(file_ids))
    rows = session.exec(select(StoredFile).where(col(StoredFile.id).in_(ids))).all() if ids else []
    return [
        {
            "id": f.id,
            "filename": f.filename,
            "sha256": f.sha256,
            "size": f.size,
            "content_type": f.content_type,
        }
        for f in sorted(rows, key=lambda f: f.id or 0)
    ]


def _write_version(
    session: Session,
    entry: JournalEntry,
    journal: Journal,
    version: EntryVersion | None,
    fields: EntryFields,
    attachments: list[dict[str, Any]],
    author_id: int,
) -> EntryVersion:
    canonical = rules.canonical_bytes(
        entry_id=entry.id or 0,
        journal_id=journal.id or 0,
        number=entry.number,
        version=entry.version,
        fields=fields,
        attachments=attachments,
    )
    if version is None:
        version = EntryVersion(
            entry_id=entry.id or 0,
            version=entry.version,
            work_at=fields.work_at,
            work_kind=fields.work_kind,
            description=fields.description,
            canonical="",
            sha256="",
            author_id=author_id,
        )
    version.work_at, version.work_kind = fields.work_at, fields.work_kind
    version.description, version.findings = fields.description, fields.findings
    version.attachments = attachments
    version.canonical = canonical.decode()
    version.sha256 = rules.digest(canonical)
    version.author_id = author_id
    session.add(version)
    entry.work_at = fields.work_at
    entry.updated_at = utcnow()
    session.add(entry)
    session.flush()
    return version


def _responsible(session: Session, object_id: int, side: str | None = None) -> list[int]:
    roles = (
        [PersonRole.OPERATOR_RESPONSIBLE, PersonRole.SUBSCRIBER_RESPONSIBLE]
        if side is None
        else [
            PersonRole.OPERATOR_RESPONSIBLE
            if side == Side.OPERATOR
            else PersonRole.SUBSCRIBER_RESPONSIBLE
        ]
    )
    return list(
        session.exec(
            select(ObjectPerson.user_id).where(
                ObjectPerson.object_id == object_id, col(ObjectPerson.role).in_(roles)
            )
        ).all()
    )


def _context(
    session: Session, entry: JournalEntry, journal: Journal, work_kind: str
) -> dict[str, str]:
    jtype = session.get(JournalType, journal.type_id)
    obj = session.get(ServiceObject, journal.object_id)
    return {
        "document": rules.entry_title(entry.number, work_kind),
        "journal": f"{jtype.name if jtype else ''} — {obj.name if obj else ''}",
        "deadline": "—",
    }


def _writable(
    session: Session, actor: Actor, entry_id: int
) -> tuple[JournalEntry, Journal, ServiceObject]:
    entry, journal, obj, rights = queries.access_entry(session, actor, entry_id)
    if not rights.can_write:
        raise PermissionDenied("Записи ведут только сотрудники оператора, назначенные на объект.")
    if not rules.journal_takes_entries(journal.status):
        raise ValidationFailed("Журнал в архиве: записи в нём не меняются.")
    return entry, journal, obj


def create_entry(
    session: Session,
    *,
    actor_id: int,
    journal_id: int,
    work_at: datetime | None,
    work_kind: str,
    description: str,
    findings: str = "",
    file_ids: Iterable[int] = (),
) -> JournalEntry:
    """A new entry as a draft (version 1), written by operator staff assigned to the object."""
    actor = load_actor(session, actor_id)
    journal, _obj, rights = queries.access_journal(session, actor, journal_id)
    if not rights.can_write:
        raise PermissionDenied("Записи ведут только сотрудники оператора, назначенные на объект.")
    if not rules.journal_takes_entries(journal.status):
        raise ValidationFailed("Журнал в архиве: новые записи в нём не ведутся.")
    fields = rules.clean_entry(
        work_at=work_at,
        work_kind=work_kind,
        description=description,
        findings=findings,
        now=utcnow(),
    )
    files = _own_files(session, actor, file_ids)
    locked = session.exec(select(Journal).where(Journal.id == journal.id).with_for_update()).one()
    last = session.exec(
        select(JournalEntry.number)
        .where(JournalEntry.journal_id == locked.id)
        .order_by(col(JournalEntry.number).desc())
        .limit(1)
    ).first()
    entry = JournalEntry(
        journal_id=journal.id or 0,
        number=(last or 0) + 1,
        state=EntryState.DRAFT,
        version=1,
        work_at=fields.work_at,
        author_id=actor.id,
    )
    session.add(entry)
    session.flush()
    for f in files:
        session.add(EntryFile(entry_id=entry.id or 0, file_id=f, added_by=actor.id))
    _write_version(session, entry, journal, None, fields, _attachments(session, files), actor.id)
    audit.record(
        session,
        actor_id=actor.id,
        action="journals.entry_create",
        object_type="journal_entry",
        object_id=entry.id,
        after={"journal_id": journal.id, "number": entry.number, "work_kind": fields.work_kind},
    )
    session.commit()
    return entry


def _own_files(session: Session, actor: Actor, file_ids: Iterable[int]) -> list[int]:
    """Attachments must be files the writer uploaded (checked type and size by store_upload)."""
    ids = sorted({int(i) for i in file_ids})
    if len(ids) > rules.MAX_ATTACHMENTS:
        raise ValidationFailed(f"Не больше {rules.MAX_ATTACHMENTS} вложений.", field="file")
    if not ids:
        return []
    rows = session.exec(select(StoredFile).where(col(StoredFile.id).in_(ids))).all()
    found = {r.id for r in rows}
    for fid in ids:
        row = next((r for r in rows if r.id == fid), None)
        linked = session.exec(select(EntryFile.id).where(EntryFile.file_id == fid)).first()
        if fid not in found or row is None or (row.owner_id != actor.id and linked is None):
            raise NotFound("Файл не найден.")
    return ids


def update_entry(
    session: Session,
    *,
    actor_id: int,
    entry_id: int,
    expected_version: int,
    work_at: datetime | None,
    work_kind: str,
    description: str,
    findings: str = "",
    file_ids: Iterable[int] | None = None,
) -> JournalEntry:
    """Change an entry. A draft is changed in place; a submitted entry gets a NEW version: the
    signatures of the previous one are withdrawn (kept, marked) and approval starts again."""
    actor = load_actor(session, actor_id)
    entry, journal, _obj = _writable(session, actor, entry_id)
    locked = session.exec(
        select(JournalEntry).where(JournalEntry.id == entry.id).with_for_update()
    ).one()
    if locked.version != expected_version:
        raise StaleVersion()
    current = queries.current_version(session, locked)
    fields = rules.clean_entry(
        work_at=work_at,
        work_kind=work_kind,
        description=description,
        findings=findings,
        now=utcnow(),
    )
    old_files = [int(str(a["id"])) for a in (current.attachments or [])]
    new_files = old_files if file_ids is None else _own_files(session, actor, file_ids)
    old_fields = EntryFields(
        current.work_at, current.work_kind, current.description, current.findings
    )
    if rules.same_content(fields, old_fields, new_files, old_files):
        return locked
    for f in set(new_files) - set(old_files):
        if (
            session.exec(
                select(EntryFile).where(EntryFile.entry_id == locked.id, EntryFile.file_id == f)
            ).first()
            is None
        ):
            session.add(EntryFile(entry_id=locked.id or 0, file_id=f, added_by=actor.id))
    attachments = _attachments(session, new_files)
    if locked.state == EntryState.DRAFT:
        _write_version(session, locked, journal, current, fields, attachments, actor.id)
        action, withdrawn = "journals.entry_edit_draft", []
    else:
        withdrawn = _withdraw(session, locked)
        locked.version += 1
        locked.state = EntryState.AWAITING
        _write_version(session, locked, journal, None, fields, attachments, actor.id)
        action = "journals.entry_new_version"
        ctx = _context(session, locked, journal, fields.work_kind)
        link = queries.entry_url(locked.id or 0)
        signers = {s.user_id for s in withdrawn}
        if signers:
            emit(
                session,
                event="journals.signatures_withdrawn",
                recipient_ids=signers,
                context={**ctx, "version": str(locked.version)},
                link=link,
            )
        emit(
            session,
            event="journals.signature_requested",
            recipient_ids=set(_responsible(session, journal.object_id)) - {actor.id},
            context=ctx,
            link=link,
        )
    audit.record(
        session,
        actor_id=actor.id,
        action=action,
        object_type="journal_entry",
        object_id=locked.id,
        before={"version": current.version, "sha256": current.sha256},
        after={
            "version": locked.version,
            "work_kind": fields.work_kind,
            "withdrawn_signatures": [s.id for s in withdrawn],
        },
    )
    session.commit()
    return locked


def _withdraw(session: Session, entry: JournalEntry) -> list[EntrySignature]:
    now = utcnow()
    rows = list(
        session.exec(
            select(EntrySignature).where(
                EntrySignature.entry_id == entry.id, col(EntrySignature.withdrawn_at).is_(None)
            )
        ).all()
    )
    for s in rows:
        s.withdrawn_at = now
        session.add(s)
    session.flush()
    return rows


def submit_entry(session: Session, *, actor_id: int, entry_id: int) -> JournalEntry:
    """Send a draft for signatures: the responsible persons of both sides are notified."""
    actor = load_actor(session, actor_id)
    entry, journal, obj = _writable(session, actor, entry_id)
    locked = session.exec(
        select(JournalEntry).where(JournalEntry.id == entry.id).with_for_update()
    ).one()
    if locked.state != EntryState.DRAFT:
        raise ValidationFailed("Запись уже отправлена на подпись.")
    sides = {
        rules.SIDE_OF_ROLE[p.role]
        for p in session.exec(
            select(ObjectPerson).where(
                ObjectPerson.object_id == obj.id,
                col(ObjectPerson.role).in_(list(rules.SIDE_OF_ROLE)),
            )
        ).all()
    }
    if len(sides) < 2:
        raise ValidationFailed(
            "У объекта не назначены ответственные лица обеих сторон: подписывать некому."
        )
    locked.state = EntryState.AWAITING
    locked.updated_at = utcnow()
    session.add(locked)
    version = queries.current_version(session, locked)
    emit(
        session,
        event="journals.signature_requested",
        recipient_ids=set(_responsible(session, obj.id or 0)) - {actor.id},
        context=_context(session, locked, journal, version.work_kind),
        link=queries.entry_url(locked.id or 0),
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="journals.entry_submit",
        object_type="journal_entry",
        object_id=locked.id,
        after={"version": locked.version, "sha256": version.sha256},
    )
    session.commit()
    return locked


def sign_entry(
    session: Session, *, actor_id: int, entry_id: int, version: int, pin: str
) -> EntrySignature:
    """Sign the current version of an entry for the actor's side, with their PIN.

    Refused: not a responsible person of the object, a side that already signed this version,
    a stale version, a draft; the e-signature module refuses a wrong PIN and an expired or
    revoked certificate. Nothing is written when refused."""
    from cabinet.esign import service as esign

    actor = load_actor(session, actor_id)
    entry, journal, obj, rights = queries.access_entry(session, actor, entry_id)
    locked = session.exec(
        select(JournalEntry).where(JournalEntry.id == entry.id).with_for_update()
    ).one()
    signed = queries.signed_sides(session, locked)
    side = rules.sign_side(
        rights,
        state=locked.state,
        current_version=locked.version,
        version=version,
        signed=signed,
        actor_id=actor.id,
    )
    current = queries.current_version(session, locked)
    signature = esign.make_signature(
        session,
        actor_id=actor.id,
        pin=pin,
        content=current.canonical.encode(),
        purpose=rules.SIGN_PURPOSE,
        subject_ref=str(locked.id),
        signer_role=str(side),
    )
    session.flush()
    serial = _certificate_serial(session, signature)
    row = EntrySignature(
        entry_id=locked.id or 0,
        version_id=current.id or 0,
        version=current.version,
        side=side,
        user_id=actor.id,
        signature_id=getattr(signature, "id", None),
        signature_code=str(signature.code),
        certificate_serial=serial,
        signed_at=signature.signed_at or utcnow(),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError as e:
        session.rollback()
        raise SigningRefused("Эта сторона уже подписала эту версию записи.") from e
    signed[side] = actor.id
    locked.state = rules.state_after_signatures(set(signed))
    locked.updated_at = utcnow()
    session.add(locked)
    ctx = {
        **_context(session, locked, journal, current.work_kind),
        "side": rules.SIDE_LABELS[side][0],
        "signer": actor.full_name,
    }
    emit(
        session,
        event="journals.entry_signed",
        recipient_ids=(set(_responsible(session, obj.id or 0)) | {locked.author_id}) - {actor.id},
        context=ctx,
        link=queries.entry_url(locked.id or 0),
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="journals.entry_sign",
        object_type="journal_entry",
        object_id=locked.id,
        after={
            "version": current.version,
            "side": str(side),
            "signature": row.signature_code,
            "sha256": current.sha256,
            "state": locked.state,
        },
    )
    session.commit()
    return row


def _certificate_serial(session: Session, signature: Any) -> str:
    """The serial of the certificate the signature was made with (sig's certificate row)."""
    try:
        from models.esign import SignatureCertificate
    except ImportError:  # pragma: no cover - the e-signature tables are always there
        return ""
    cert = session.get(SignatureCertificate, getattr(signature, "certificate_id", None) or 0)
    if cert is None:
        return ""
    return str(getattr(cert, "serial", "") or getattr(cert, "serial_number", "") or "")


# --------------------------------------------------------------------------- print form


def print_journal(
    session: Session,
    *,
    actor_id: int,
    journal_id: int,
    day_from: date | None = None,
    day_to: date | None = None,
) -> StoredFile:
    """Render the journal (or a period of it) as PDF and store it for the caller to download
    through the authorised /api/files route (owner: the caller; the same bytes are kept once)."""
    actor = load_actor(session, actor_id)
    if day_from and day_to and day_from > day_to:
        raise ValidationFailed("Начало периода позже конца.", field="from")
    data = queries.print_data(session, actor, journal_id, day_from=day_from, day_to=day_to)
    content = pdf.render(data)
    period = "_".join(d.isoformat() for d in (day_from, day_to) if d)
    return store_upload(  # checks the type and size, commits
        session,
        actor_id=actor.id,
        filename=pdf.filename(journal_id, period),
        source=content,
        allowed_types=("pdf",),
        max_bytes=200 * 1024 * 1024,
    )
