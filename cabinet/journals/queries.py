"""Reads of the journals module, every one scoped to what the actor may see.

Scope: an operator administrator (JOURNALS_ADMIN) sees every object; operator staff
(JOURNALS_WRITE) the objects they are assigned to or responsible for; a subscriber's people
(JOURNALS_VIEW inside the organisation) their organisation's objects. A record outside the
scope answers "not found", as a missing one does (`access_*`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.errors import NotFound, ValidationFailed
from cabinet.esign.queries import register_content_resolver
from cabinet.files.queries import register_read_rule
from cabinet.formatting import fmt_date, fmt_dt
from cabinet.journals import pdf, rules
from cabinet.journals.rules import ObjectRights
from cabinet.pagination import SortSpec, fetch_page
from cabinet.settings import settings
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
    User,
)
from models.base import utcnow
from models.journals import EntryState, JournalStatus, PersonRole, Side

PAGE_SIZE = 30
OBJECTS_ORDER = SortSpec(name="journal_objects", id=ServiceObject.id, descending=True)
ENTRIES_ORDER = SortSpec(
    name="journal_entries", id=JournalEntry.id, key=JournalEntry.work_at, descending=True
)
AWAITING_ORDER = SortSpec(name="journal_awaiting", id=JournalEntry.id, descending=True)


def object_url(object_id: int | str) -> str:
    return routes.with_query(routes.JOURNAL_OBJECT, id=object_id)


def journal_url(journal_id: int | str) -> str:
    return routes.with_query(routes.JOURNAL_VIEW, id=journal_id)


def entry_url(entry_id: int | str) -> str:
    return routes.with_query(routes.JOURNAL_ENTRY, id=entry_id)


def verify_url(code: str) -> str:
    """The public verification page of one signature (absolute, for PDFs and QR codes)."""
    return f"{settings.public_url.rstrip('/')}/verify?code={code}"


# --------------------------------------------------------------------------- scope


def _is_operator(actor: Actor) -> bool:
    return Perm.JOURNALS_WRITE in actor.global_perms


def _is_admin(actor: Actor) -> bool:
    return Perm.JOURNALS_ADMIN in actor.global_perms


def _subscriber_orgs(actor: Actor) -> set[int]:
    return {o for o, perms in actor.org_perms.items() if Perm.JOURNALS_VIEW in perms}


def rights_for(session: Session, actor: Actor, obj: ServiceObject) -> ObjectRights:
    """What `actor` may do on `obj`, from their permissions and the object's people."""
    roles = set(
        session.exec(
            select(ObjectPerson.role).where(
                ObjectPerson.object_id == obj.id, ObjectPerson.user_id == actor.id
            )
        ).all()
    )
    org = obj.organisation_id
    operator = _is_operator(actor) or _is_admin(actor)
    member = Perm.JOURNALS_VIEW in actor.org_perms.get(org, frozenset())
    sides: set[str] = set()
    if operator and PersonRole.OPERATOR_RESPONSIBLE in roles:
        sides.add(Side.OPERATOR)
    if member and PersonRole.SUBSCRIBER_RESPONSIBLE in roles:
        sides.add(Side.SUBSCRIBER)
    return ObjectRights(
        is_admin=_is_admin(actor),
        is_staff=_is_operator(actor) and PersonRole.STAFF in roles,
        subscriber_member=member,
        subscriber_admin=actor.has(Perm.JOURNALS_SUBSCRIBER_ADMIN, org)
        and (member or Perm.JOURNALS_SUBSCRIBER_ADMIN in actor.global_perms),
        sides=frozenset(sides),
    )


def scope_clause(actor: Actor) -> Any:
    """SQL condition on ServiceObject for the objects `actor` may see (None: all)."""
    if _is_admin(actor):
        return None
    conds: list[Any] = []
    orgs = _subscriber_orgs(actor)
    if orgs:
        conds.append(col(ServiceObject.organisation_id).in_(sorted(orgs)))
    if _is_operator(actor):
        conds.append(
            col(ServiceObject.id).in_(
                select(ObjectPerson.object_id).where(
                    ObjectPerson.user_id == actor.id,
                    col(ObjectPerson.role).in_([PersonRole.STAFF, PersonRole.OPERATOR_RESPONSIBLE]),
                )
            )
        )
    return sa.or_(*conds) if conds else sa.false()


def may_use_journals(actor: Actor) -> bool:
    return _is_admin(actor) or _is_operator(actor) or bool(_subscriber_orgs(actor))


def access_object(
    session: Session, actor: Actor, object_id: int
) -> tuple[ServiceObject, ObjectRights]:
    obj = session.get(ServiceObject, object_id) if 0 < object_id < 2**31 else None
    if obj is None:
        raise NotFound("Объект не найден.")
    rights = rights_for(session, actor, obj)
    if not rights.can_view:
        raise NotFound("Объект не найден.")
    return obj, rights


def access_journal(
    session: Session, actor: Actor, journal_id: int
) -> tuple[Journal, ServiceObject, ObjectRights]:
    journal = session.get(Journal, journal_id) if 0 < journal_id < 2**31 else None
    if journal is None:
        raise NotFound("Журнал не найден.")
    try:
        obj, rights = access_object(session, actor, journal.object_id)
    except NotFound as e:
        raise NotFound("Журнал не найден.") from e
    return journal, obj, rights


def access_entry(
    session: Session, actor: Actor, entry_id: int
) -> tuple[JournalEntry, Journal, ServiceObject, ObjectRights]:
    entry = session.get(JournalEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None:
        raise NotFound("Запись не найдена.")
    try:
        journal, obj, rights = access_journal(session, actor, entry.journal_id)
    except NotFound as e:
        raise NotFound("Запись не найдена.") from e
    return entry, journal, obj, rights


# --------------------------------------------------------------------------- helpers


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        u.id: u.full_name
        for u in session.exec(select(User).where(col(User.id).in_(sorted(ids)))).all()
        if u.id is not None
    }


def parse_day(value: str, field_name: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError as e:
        raise ValidationFailed("Дата в формате ГГГГ-ММ-ДД.", field=field_name) from e


def day_bounds(
    day_from: date | None, day_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """[start, end) in UTC of a period given as local days (the display time zone)."""
    zone = ZoneInfo(settings.display_timezone)
    start = datetime.combine(day_from, time.min, zone).astimezone(UTC) if day_from else None
    end = (
        datetime.combine(day_to + timedelta(days=1), time.min, zone).astimezone(UTC)
        if day_to
        else None
    )
    return start, end


def signed_sides(session: Session, entry: JournalEntry) -> dict[str, int]:
    """Side -> signer of the entry's current version (withdrawn signatures not counted)."""
    rows = session.exec(
        select(EntrySignature).where(
            EntrySignature.entry_id == entry.id,
            EntrySignature.version == entry.version,
            col(EntrySignature.withdrawn_at).is_(None),
        )
    ).all()
    return {r.side: r.user_id for r in rows}


def current_version(session: Session, entry: JournalEntry) -> EntryVersion:
    row = session.exec(
        select(EntryVersion).where(
            EntryVersion.entry_id == entry.id, EntryVersion.version == entry.version
        )
    ).first()
    if row is None:  # pragma: no cover - every entry has its current version
        raise NotFound("Версия записи не найдена.")
    return row


def current_canonical(session: Session, subject_ref: str) -> bytes | None:
    """The e-signature module's content resolver: the CURRENT canonical bytes of an entry, so
    a signature over an older version shows as "content changed"."""
    try:
        entry_id = int(subject_ref)
    except (TypeError, ValueError):
        return None
    entry = session.get(JournalEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None:
        return None
    return current_version(session, entry).canonical.encode()


def may_read_entry_file(session: Session, actor: Actor, file_id: int) -> bool:
    """Read rule for cabinet.files: an entry's attachment is readable by whoever sees the entry."""
    entry_ids = session.exec(select(EntryFile.entry_id).where(EntryFile.file_id == file_id)).all()
    for entry_id in entry_ids:
        try:
            access_entry(session, actor, entry_id)
        except NotFound:
            continue
        return True
    return False


# --------------------------------------------------------------------------- lists


@dataclass
class ListPage:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_after: str = ""
    prev_before: str = ""


def journal_types(session: Session, *, include_inactive: bool = False) -> list[dict[str, Any]]:
    stmt = select(JournalType).order_by(col(JournalType.name))
    if not include_inactive:
        stmt = stmt.where(col(JournalType.is_active).is_(True))
    return [
        {
            "id": t.id,
            "code": t.code,
            "name": t.name,
            "description": t.description,
            "is_active": t.is_active,
        }
        for t in session.exec(stmt).all()
    ]


def list_objects(
    session: Session,
    actor: Actor,
    *,
    q: str = "",
    organisation_id: int | None = None,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> ListPage:
    stmt = select(ServiceObject, Organisation.name).join(
        Organisation, col(Organisation.id) == ServiceObject.organisation_id
    )
    clause = scope_clause(actor)
    if clause is not None:
        stmt = stmt.where(clause)
    if organisation_id:
        stmt = stmt.where(ServiceObject.organisation_id == organisation_id)
    q = (q or "").strip()[:100]
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(ServiceObject.name).like(like),
                sa.func.lower(ServiceObject.address).like(like),
                sa.func.lower(Organisation.name).like(like),
            )
        )
    page = fetch_page(
        session,
        stmt,
        OBJECTS_ORDER,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: (None, row[0].id),
    )
    ids = [row[0].id for row in page.rows]
    active: dict[int, int] = {}
    if ids:
        active = dict(
            session.exec(
                select(Journal.object_id, sa.func.count())
                .where(col(Journal.object_id).in_(ids), Journal.status == JournalStatus.ACTIVE)
                .group_by(col(Journal.object_id))
            ).all()
        )
    rows = [
        {
            "id": obj.id,
            "name": obj.name,
            "address": obj.address,
            "systems": obj.systems,
            "organisation": org_name,
            "journals": active.get(obj.id or 0, 0),
            "href": object_url(obj.id or 0),
        }
        for obj, org_name in page.rows
    ]
    return ListPage(rows, page.next_after, page.prev_before)


def object_orgs(session: Session, actor: Actor, limit: int = 500) -> list[dict[str, str]]:
    """Subscribers the actor may add service objects to (value/label options)."""
    stmt = select(Organisation).where(col(Organisation.is_active).is_(True))
    if not _is_admin(actor):
        mine = sorted(
            o for o, perms in actor.org_perms.items() if Perm.JOURNALS_SUBSCRIBER_ADMIN in perms
        )
        if not mine:
            return []
        stmt = stmt.where(col(Organisation.id).in_(mine))
    rows = session.exec(stmt.order_by(col(Organisation.name)).limit(limit)).all()
    return [{"value": str(o.id), "label": o.name} for o in rows]


def _awaiting_stmt(actor: Actor) -> Any:
    """Entries whose current version waits for the actor's side and not yet signed by them."""
    conds: list[Any] = []
    sig = sa.orm.aliased(EntrySignature)
    for role, side, allowed in (
        (
            PersonRole.OPERATOR_RESPONSIBLE,
            Side.OPERATOR,
            _is_operator(actor) or _is_admin(actor),
        ),
        (PersonRole.SUBSCRIBER_RESPONSIBLE, Side.SUBSCRIBER, True),
    ):
        if not allowed:
            continue
        person = sa.exists().where(
            col(ObjectPerson.object_id) == col(ServiceObject.id),
            col(ObjectPerson.user_id) == actor.id,
            col(ObjectPerson.role) == role,
        )
        done = sa.exists().where(
            col(sig.entry_id) == col(JournalEntry.id),
            col(sig.version) == col(JournalEntry.version),
            col(sig.withdrawn_at).is_(None),
            sa.or_(col(sig.side) == side, col(sig.user_id) == actor.id),
        )
        cond = sa.and_(person, ~done)
        if side == Side.SUBSCRIBER:
            orgs = _subscriber_orgs(actor)
            if not orgs:
                continue
            cond = sa.and_(cond, col(ServiceObject.organisation_id).in_(sorted(orgs)))
        conds.append(cond)
    stmt = (
        select(JournalEntry, Journal, ServiceObject, JournalType.name)
        .join(Journal, col(Journal.id) == JournalEntry.journal_id)
        .join(ServiceObject, col(ServiceObject.id) == Journal.object_id)
        .join(JournalType, col(JournalType.id) == Journal.type_id)
        .where(col(JournalEntry.state).in_([EntryState.AWAITING, EntryState.PARTIAL]))
        .where(sa.or_(*conds) if conds else sa.false())
    )
    return stmt


def awaiting_count(session: Session, actor: Actor) -> int:
    sub = _awaiting_stmt(actor).with_only_columns(JournalEntry.id).subquery()
    return int(session.exec(select(sa.func.count()).select_from(sub)).one())


def awaiting_me(
    session: Session, actor: Actor, *, after: str = "", before: str = "", limit: int = PAGE_SIZE
) -> ListPage:
    page = fetch_page(
        session,
        _awaiting_stmt(actor),
        AWAITING_ORDER,
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: (None, row[0].id),
    )
    rows = []
    for entry, _journal, obj, type_name in page.rows:
        version = current_version(session, entry)
        rows.append(
            {
                "id": entry.id,
                "title": rules.entry_title(entry.number, version.work_kind),
                "object": obj.name,
                "journal": type_name,
                "work_at": fmt_dt(entry.work_at),
                "state": rules.STATE_LABELS[entry.state][0],
                "state_en": rules.STATE_LABELS[entry.state][1],
                "color": rules.STATE_COLORS[entry.state],
                "href": entry_url(entry.id or 0),
            }
        )
    return ListPage(rows, page.next_after, page.prev_before)


# --------------------------------------------------------------------------- detail pages


def people_of(session: Session, object_id: int) -> list[dict[str, Any]]:
    rows = session.exec(
        select(ObjectPerson, User)
        .join(User, col(User.id) == ObjectPerson.user_id)
        .where(ObjectPerson.object_id == object_id)
        .order_by(col(ObjectPerson.role), col(User.full_name))
    ).all()
    return [
        {
            "id": p.id,
            "user_id": u.id,
            "name": u.full_name,
            "email": u.email,
            "role": p.role,
            "role_label": rules.ROLE_LABELS[p.role][0],
            "role_label_en": rules.ROLE_LABELS[p.role][1],
        }
        for p, u in rows
    ]


def candidates(session: Session, obj: ServiceObject, role: str) -> list[dict[str, Any]]:
    """Users who may take `role` on `obj`: members of the subscriber for its side, platform
    staff holding JOURNALS_WRITE (or JOURNALS_ADMIN) for the operator's."""
    from cabinet.access.service import load_actor
    from models import Membership, RolePermission, UserRole

    if role == PersonRole.SUBSCRIBER_RESPONSIBLE:
        users = session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == User.id)
            .where(Membership.organisation_id == obj.organisation_id)
            .order_by(col(User.full_name))
        ).all()
        keep = [
            u
            for u in users
            if u.id is not None
            and Perm.JOURNALS_VIEW
            in load_actor(session, u.id).org_perms.get(obj.organisation_id, ())
        ]
    else:
        users = session.exec(
            select(User)
            .join(UserRole, col(UserRole.user_id) == User.id)
            .join(RolePermission, col(RolePermission.role_id) == UserRole.role_id)
            .where(
                col(UserRole.organisation_id).is_(None),
                RolePermission.permission == Perm.JOURNALS_WRITE,
            )
            .distinct()
            .order_by(col(User.full_name))
        ).all()
        keep = [u for u in users if not u.is_blocked]
    return [{"id": str(u.id), "label": f"{u.full_name} ({u.email})"} for u in keep]


def object_detail(session: Session, actor: Actor, object_id: int) -> dict[str, Any]:
    obj, rights = access_object(session, actor, object_id)
    org = session.get(Organisation, obj.organisation_id)
    journals = session.exec(
        select(Journal, JournalType)
        .join(JournalType, col(JournalType.id) == Journal.type_id)
        .where(Journal.object_id == obj.id)
        .order_by(col(Journal.status), col(JournalType.name), col(Journal.opened_at).desc())
    ).all()
    counts = dict(
        session.exec(
            select(JournalEntry.journal_id, sa.func.count())
            .join(Journal, col(Journal.id) == JournalEntry.journal_id)
            .where(Journal.object_id == obj.id)
            .group_by(col(JournalEntry.journal_id))
        ).all()
    )
    return {
        "object": {
            "id": obj.id,
            "name": obj.name,
            "address": obj.address,
            "systems": obj.systems,
            "organisation": org.name if org else "",
            "organisation_id": obj.organisation_id,
        },
        "journals": [
            {
                "id": j.id,
                "type": t.name,
                "type_id": t.id,
                "active": j.status == JournalStatus.ACTIVE,
                "opened_at": fmt_date(j.opened_at),
                "archived_at": fmt_date(j.archived_at),
                "entries": counts.get(j.id or 0, 0),
                "href": journal_url(j.id or 0),
            }
            for j, t in journals
        ],
        "people": people_of(session, obj.id or 0),
        "rights": rights,
    }


def journal_detail(
    session: Session,
    actor: Actor,
    journal_id: int,
    *,
    day_from: date | None = None,
    day_to: date | None = None,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
) -> dict[str, Any]:
    journal, obj, rights = access_journal(session, actor, journal_id)
    jtype = session.get(JournalType, journal.type_id)
    org = session.get(Organisation, obj.organisation_id)
    stmt = select(JournalEntry).where(JournalEntry.journal_id == journal.id)
    start, end = day_bounds(day_from, day_to)
    if start is not None:
        stmt = stmt.where(JournalEntry.work_at >= start)
    if end is not None:
        stmt = stmt.where(JournalEntry.work_at < end)
    page = fetch_page(
        session, stmt, ENTRIES_ORDER, after=after, before=before, limit=limit, scalars=True
    )
    authors = _names(session, {e.author_id for e in page.rows})
    rows = []
    for e in page.rows:
        v = current_version(session, e)
        rows.append(
            {
                "id": e.id,
                "number": e.number,
                "work_at": fmt_dt(e.work_at),
                "work_kind": v.work_kind,
                "description": v.description[:160],
                "version": e.version,
                "author": authors.get(e.author_id, ""),
                "state": rules.STATE_LABELS[e.state][0],
                "state_en": rules.STATE_LABELS[e.state][1],
                "color": rules.STATE_COLORS[e.state],
                "href": entry_url(e.id or 0),
            }
        )
    return {
        "journal": {
            "id": journal.id,
            "type": jtype.name if jtype else "",
            "active": journal.status == JournalStatus.ACTIVE,
            "opened_at": fmt_date(journal.opened_at),
            "archived_at": fmt_date(journal.archived_at),
            "object": obj.name,
            "object_href": object_url(obj.id or 0),
            "organisation": org.name if org else "",
        },
        "page": ListPage(rows, page.next_after, page.prev_before),
        "rights": rights,
    }


def entry_detail(session: Session, actor: Actor, entry_id: int) -> dict[str, Any]:
    entry, journal, obj, rights = access_entry(session, actor, entry_id)
    jtype = session.get(JournalType, journal.type_id)
    versions = session.exec(
        select(EntryVersion)
        .where(EntryVersion.entry_id == entry.id)
        .order_by(col(EntryVersion.version).desc())
    ).all()
    sigs = session.exec(
        select(EntrySignature)
        .where(EntrySignature.entry_id == entry.id)
        .order_by(col(EntrySignature.signed_at))
    ).all()
    names = _names(session, {v.author_id for v in versions} | {s.user_id for s in sigs})
    signed = signed_sides(session, entry)
    by_version: dict[int, list[dict[str, Any]]] = {}
    for s in sigs:
        by_version.setdefault(s.version, []).append(
            {
                "id": s.id,
                "side": rules.SIDE_LABELS[s.side][0],
                "side_en": rules.SIDE_LABELS[s.side][1],
                "signer": names.get(s.user_id, ""),
                "signed_at": fmt_dt(s.signed_at),
                "serial": s.certificate_serial,
                "code": s.signature_code,
                "withdrawn": s.withdrawn_at is not None,
                "withdrawn_at": fmt_dt(s.withdrawn_at),
                "verify_href": f"/verify?code={s.signature_code}",
            }
        )
    files = {
        f.id: f
        for f in session.exec(
            select(StoredFile)
            .join(EntryFile, col(EntryFile.file_id) == StoredFile.id)
            .where(EntryFile.entry_id == entry.id)
        ).all()
    }
    version_rows = [
        {
            "version": v.version,
            "current": v.version == entry.version,
            "work_at": fmt_dt(v.work_at),
            "work_kind": v.work_kind,
            "description": v.description,
            "findings": v.findings,
            "author": names.get(v.author_id, ""),
            "created_at": fmt_dt(v.created_at),
            "sha256": v.sha256,
            "attachments": [
                {
                    "id": int(str(a["id"])),
                    "filename": str(a["filename"]),
                    "size": int(str(a["size"])),
                    "is_image": str(a.get("content_type", "")).startswith("image/"),
                }
                for a in (v.attachments or [])
                if int(str(a["id"])) in files
            ],
            "signatures": by_version.get(v.version, []),
        }
        for v in versions
    ]
    current = current_version(session, entry)
    sign_side = rules.may_sign(rights, state=entry.state, signed=signed, actor_id=actor.id)
    return {
        "entry": {
            "id": entry.id,
            "number": entry.number,
            "state": entry.state,
            "state_label": rules.STATE_LABELS[entry.state][0],
            "state_label_en": rules.STATE_LABELS[entry.state][1],
            "color": rules.STATE_COLORS[entry.state],
            "version": entry.version,
            "journal": jtype.name if jtype else "",
            "journal_href": journal_url(journal.id or 0),
            "journal_active": journal.status == JournalStatus.ACTIVE,
            "object": obj.name,
            "object_href": object_url(obj.id or 0),
            "work_at_input": _local_input(current.work_at),
            "work_kind": current.work_kind,
            "description": current.description,
            "findings": current.findings,
            "operator_signed": Side.OPERATOR in signed,
            "subscriber_signed": Side.SUBSCRIBER in signed,
        },
        "versions": version_rows,
        "rights": rights,
        "sign_side": sign_side or "",
        "can_edit": rights.can_write and rules.journal_takes_entries(journal.status),
        "can_submit": rights.can_write
        and rules.journal_takes_entries(journal.status)
        and entry.state == EntryState.DRAFT,
    }


def _local_input(value: datetime) -> str:
    """A datetime-local input's value in the display time zone."""
    return value.astimezone(ZoneInfo(settings.display_timezone)).strftime("%Y-%m-%dT%H:%M")


def parse_local_input(value: str) -> datetime | None:
    """A datetime-local input's value (display time zone) as UTC; None when empty/invalid."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value[:19])
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return naive.replace(tzinfo=ZoneInfo(settings.display_timezone)).astimezone(UTC)


# --------------------------------------------------------------------------- print form


def print_data(
    session: Session,
    actor: Actor,
    journal_id: int,
    *,
    day_from: date | None = None,
    day_to: date | None = None,
) -> pdf.PrintData:
    """Everything the PDF shows: the journal's entries in the period (oldest first), each with
    all its versions and the signatures over each version. A few bulk reads, not one per entry."""
    journal, obj, _rights = access_journal(session, actor, journal_id)
    jtype = session.get(JournalType, journal.type_id)
    org = session.get(Organisation, obj.organisation_id)
    stmt = select(JournalEntry).where(JournalEntry.journal_id == journal.id)
    start, end = day_bounds(day_from, day_to)
    if start is not None:
        stmt = stmt.where(JournalEntry.work_at >= start)
    if end is not None:
        stmt = stmt.where(JournalEntry.work_at < end)
    entries = session.exec(stmt.order_by(col(JournalEntry.work_at), col(JournalEntry.id))).all()
    ids = [e.id for e in entries]
    versions: dict[int, list[EntryVersion]] = {}
    sigs: dict[tuple[int, int], list[EntrySignature]] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for v in session.exec(
            select(EntryVersion)
            .where(col(EntryVersion.entry_id).in_(chunk))
            .order_by(col(EntryVersion.version))
        ).all():
            versions.setdefault(v.entry_id, []).append(v)
        for s in session.exec(
            select(EntrySignature)
            .where(col(EntrySignature.entry_id).in_(chunk))
            .order_by(col(EntrySignature.signed_at))
        ).all():
            sigs.setdefault((s.entry_id, s.version), []).append(s)
    names = _names(
        session,
        {v.author_id for vs in versions.values() for v in vs}
        | {s.user_id for ss in sigs.values() for s in ss},
    )
    out = []
    for e in entries:
        vrows = [
            pdf.PrintVersion(
                version=v.version,
                current=v.version == e.version,
                work_at=fmt_dt(v.work_at),
                work_kind=v.work_kind,
                description=v.description,
                findings=v.findings,
                author=names.get(v.author_id, ""),
                attachments=[
                    f"{a['filename']} (SHA-256 {str(a['sha256'])[:16]}…)"
                    for a in (v.attachments or [])
                ],
                signatures=[
                    pdf.PrintSignature(
                        side=rules.SIDE_LABELS[s.side][0],
                        signer=names.get(s.user_id, ""),
                        serial=s.certificate_serial,
                        signed_at=fmt_dt(s.signed_at),
                        code=s.signature_code,
                        url=verify_url(s.signature_code),
                        withdrawn_at=fmt_dt(s.withdrawn_at),
                    )
                    for s in sigs.get((e.id or 0, v.version), [])
                ],
            )
            for v in versions.get(e.id or 0, [])
        ]
        out.append(
            pdf.PrintEntry(number=e.number, state=rules.STATE_LABELS[e.state][0], versions=vrows)
        )
    if day_from or day_to:
        period = f"{day_from.strftime('%d.%m.%Y') if day_from else '…'} — " + (
            day_to.strftime("%d.%m.%Y") if day_to else "…"
        )
    else:
        period = "весь журнал"
    return pdf.PrintData(
        object_name=obj.name,
        object_address=obj.address,
        systems=obj.systems,
        subscriber=org.name if org else "",
        subscriber_inn=org.inn if org else "",
        journal_type=jtype.name if jtype else "",
        journal_status="действующий"
        if journal.status == JournalStatus.ACTIVE
        else f"в архиве с {fmt_date(journal.archived_at)}",
        opened_at=fmt_date(journal.opened_at),
        period=period,
        generated_at=fmt_dt(utcnow()),
        entries=out,
    )


# --------------------------------------------------------------------------- registrations

register_read_rule(may_read_entry_file)
register_content_resolver(
    rules.SIGN_PURPOSE, current_canonical, label="Запись журнала технического обслуживания"
)
