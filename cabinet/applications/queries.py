"""Reads of grid-connection applications, scoped through cabinet.access; plain dataclasses out.

Who sees an application:
- the applicant side: members of its organisation who hold APPLICATIONS_CREATE there (the whole
  organisation's applications, drafts included);
- staff with APPLICATIONS_PROCESS: submitted (non-draft) applications of organisations they may
  see (assigned managers their organisations, ORGS_ALL every one) and those assigned to them.
Anything else answers "not found", exactly as a missing application does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, false, or_, select

from cabinet import routes
from cabinet.access.rules import Actor, Perm
from cabinet.applications import rules
from cabinet.applications.rules import Side
from cabinet.errors import NotFound, PermissionDenied
from cabinet.formatting import fmt_date as fmt_d
from cabinet.formatting import fmt_dt
from cabinet.pagination import SortSpec, fetch_page
from models import (
    Application,
    ApplicationComment,
    ApplicationEvent,
    ApplicationFile,
    Organisation,
    StoredFile,
    User,
)
from models.applications import AppStatus, FileKind
from models.base import utcnow

PAGE_SIZE = 20
NOT_FOUND = "Заявка не найдена."


# --------------------------------------------------------------------------- scope


def is_processor(actor: Actor) -> bool:
    return Perm.APPLICATIONS_PROCESS in actor.global_perms


def applicant_org_ids(actor: Actor) -> list[int]:
    """Organisations the actor may file and follow applications for."""
    return sorted(o for o in actor.member_org_ids if actor.has(Perm.APPLICATIONS_CREATE, o))


def side_of(actor: Actor, app: Application) -> Side | None:
    """Which side of the application the actor is on; None: they may not see it."""
    if app.organisation_id in applicant_org_ids(actor):
        return Side.APPLICANT
    if is_processor(actor) and app.status != AppStatus.DRAFT:
        visible = actor.visible_org_ids()
        if visible is None or app.organisation_id in visible or app.assignee_id == actor.id:
            return Side.STAFF
    return None


def access_application(
    session: Session, actor: Actor, application_id: int, *, lock: bool = False
) -> tuple[Application, Side]:
    """Fetch and authorise in one call: missing and forbidden both answer NotFound."""
    try:
        app_id = int(application_id)
    except (TypeError, ValueError):
        raise NotFound(NOT_FOUND) from None
    if not 0 < app_id < 2**31:
        raise NotFound(NOT_FOUND)
    stmt = select(Application).where(Application.id == app_id)
    if lock:
        stmt = stmt.with_for_update()
    app = session.exec(stmt).first()
    if app is None:
        raise NotFound(NOT_FOUND)
    if lock:
        session.refresh(app)
    side = side_of(actor, app)
    if side is None:
        raise NotFound(NOT_FOUND)
    return app, side


def _applicant_scope(actor: Actor, stmt: Any) -> Any:
    orgs = applicant_org_ids(actor)
    return stmt.where(col(Application.organisation_id).in_(orgs)) if orgs else stmt.where(false())


def _staff_scope(actor: Actor, stmt: Any) -> Any:
    stmt = stmt.where(Application.status != AppStatus.DRAFT)
    visible = actor.visible_org_ids()
    if visible is None:
        return stmt
    conds = [col(Application.assignee_id) == actor.id]
    if visible:
        conds.append(col(Application.organisation_id).in_(visible))
    return stmt.where(or_(*conds))


# --------------------------------------------------------------------------- lists


@dataclass(frozen=True)
class Filters:
    tab: str = ""  # "", "draft", "active", "action", "closed"
    status: str = ""
    date_from: date | None = None
    date_to: date | None = None
    number: str = ""
    object: str = ""
    q: str = ""
    sort: str = "new"  # "new", "old", "changed"
    assignee: str = ""  # staff: "me", "none", a user id
    overdue: bool = False  # staff


TABS: dict[str, tuple[str, str]] = {
    "": ("Все", "All"),
    "draft": ("Черновики", "Drafts"),
    "action": ("Ждут моих действий", "Need my action"),
    "active": ("В работе", "In progress"),
    "closed": ("Завершённые", "Closed"),
}
STAFF_TABS: dict[str, tuple[str, str]] = {
    "": ("Все", "All"),
    "action": ("Ждут действий сотрудника", "Staff to act"),
    "active": ("В работе", "In progress"),
    "closed": ("Завершённые", "Closed"),
}
SORTS: dict[str, tuple[str, str]] = {
    "new": ("Сначала новые", "Newest first"),
    "old": ("Сначала старые", "Oldest first"),
    "changed": ("По дате изменения статуса", "By status change"),
}

_SPECS: dict[str, SortSpec] = {
    "new": SortSpec("applications.new", Application.id, Application.created_at, descending=True),
    "old": SortSpec("applications.old", Application.id, Application.created_at, descending=False),
    "changed": SortSpec(
        "applications.changed", Application.id, Application.status_changed_at, descending=True
    ),
}
_SORT_COLUMN = {"new": "created_at", "old": "created_at", "changed": "status_changed_at"}


@dataclass
class ListRow:
    id: int
    number: str
    status: str
    status_label: str
    status_color: str
    organisation: str
    object_name: str
    object_address: str
    power: str
    assignee: str
    created_at: str
    status_changed_at: str
    due_at: str
    overdue: bool
    to_act: str  # "applicant" / "staff" / ""
    href: str


@dataclass
class ListPage:
    rows: list[ListRow]
    next_after: str
    prev_before: str


def _bounds(d: date | None, *, end: bool = False) -> datetime | None:
    if d is None:
        return None
    moment = datetime.combine(d, time.min, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment


def _filtered(stmt: Any, f: Filters, side: Side, actor: Actor, now: datetime) -> Any:
    to_act = rules.STAFF_DAYS if side == Side.STAFF else None
    if f.tab == "draft":
        stmt = stmt.where(Application.status == AppStatus.DRAFT)
    elif f.tab == "active":
        stmt = stmt.where(col(Application.status).not_in([AppStatus.DRAFT, *rules.FINAL]))
    elif f.tab == "closed":
        stmt = stmt.where(col(Application.status).in_(rules.FINAL))
    elif f.tab == "action":
        if to_act is not None:
            stmt = stmt.where(col(Application.status).in_(list(to_act)))
        else:
            waiting = [
                s
                for s in AppStatus
                if rules.side_of_status(s) == Side.APPLICANT and s != AppStatus.DRAFT
            ]
            stmt = stmt.where(col(Application.status).in_(waiting))
    if f.status in rules.STATUS_LABELS:
        stmt = stmt.where(Application.status == f.status)
    start, end = _bounds(f.date_from), _bounds(f.date_to, end=True)
    if start is not None:
        stmt = stmt.where(col(Application.created_at) >= start)
    if end is not None:
        stmt = stmt.where(col(Application.created_at) < end)
    # The number's tail is the zero-padded id ("ТП-2026-000042"): any digits typed name the id,
    # so the search is an index lookup, not a scan.
    digits = re.findall(r"\d+", f.number[:30])
    if digits:
        tail = digits[-1].lstrip("0") or "0"
        stmt = stmt.where(Application.id == int(tail) if len(tail) <= 9 else false())
    elif f.number.strip():
        stmt = stmt.where(false())
    obj = " ".join(f.object.split())[:100].lower()
    if obj:
        stmt = stmt.where(col(Application.search_text).contains(obj, autoescape=True))
    q = " ".join(f.q.split())[:100].lower()
    if q:
        stmt = stmt.where(col(Application.search_text).contains(q, autoescape=True))
    if side == Side.STAFF:
        if f.assignee == "me":
            stmt = stmt.where(Application.assignee_id == actor.id)
        elif f.assignee == "none":
            stmt = stmt.where(col(Application.assignee_id).is_(None))
        elif f.assignee.isdigit() and len(f.assignee) < 11:
            stmt = stmt.where(Application.assignee_id == int(f.assignee))
        if f.overdue:
            # due_at is set only while staff are to act (rules.due_at), so the range alone
            # finds the overdue ones, on its index.
            stmt = stmt.where(col(Application.due_at) < now)
    return stmt


def _list_stmt() -> Any:
    assignee = aliased(User)
    return (
        select(Application, Organisation.name, assignee.full_name)
        .join(Organisation, col(Organisation.id) == Application.organisation_id)
        .join(assignee, col(assignee.id) == Application.assignee_id, isouter=True)
    )


def _row(app: Application, org: str, assignee: str | None, now: datetime) -> ListRow:
    return ListRow(
        id=app.id or 0,
        number=app.number or rules.draft_number(app.id or 0),
        status=app.status,
        status_label=rules.STATUS_LABELS.get(app.status, (app.status, ""))[0],
        status_color=rules.status_color(app.status),
        organisation=org,
        object_name=app.object_name or "—",
        object_address=app.object_address,
        power=f"{rules.fmt_power(app.max_power_kw)} кВт" if app.max_power_kw is not None else "",
        assignee=assignee or "",
        created_at=fmt_d(app.created_at),
        status_changed_at=fmt_d(app.status_changed_at),
        due_at=fmt_d(app.due_at) if app.status in rules.STAFF_DAYS else "",
        overdue=rules.is_overdue(app.status, app.due_at, now),
        to_act=rules.side_of_status(app.status),
        href=routes.application_url(app.id or 0),
    )


def _page(
    session: Session, stmt: Any, f: Filters, *, after: str, before: str, limit: int, now: datetime
) -> ListPage:
    sort = f.sort if f.sort in _SPECS else "new"
    attr = _SORT_COLUMN[sort]
    page = fetch_page(
        session,
        stmt,
        _SPECS[sort],
        after=after,
        before=before,
        limit=limit,
        key_of=lambda row: (getattr(row[0], attr), row[0].id),
    )
    return ListPage(
        [_row(a, org, asg, now) for a, org, asg in page.rows], page.next_after, page.prev_before
    )


def my_applications(
    session: Session,
    actor: Actor,
    f: Filters,
    *,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> ListPage:
    """ "Мои заявки": every application of the actor's organisations, filtered, keyset paged."""
    now = now or utcnow()
    stmt = _filtered(_applicant_scope(actor, _list_stmt()), f, Side.APPLICANT, actor, now)
    return _page(session, stmt, f, after=after, before=before, limit=limit, now=now)


def registry(
    session: Session,
    actor: Actor,
    f: Filters,
    *,
    after: str = "",
    before: str = "",
    limit: int = PAGE_SIZE,
    now: datetime | None = None,
) -> ListPage:
    """The staff registry: submitted applications in scope, with assignee and overdue filters."""
    if not is_processor(actor):
        raise PermissionDenied()
    now = now or utcnow()
    stmt = _filtered(_staff_scope(actor, _list_stmt()), f, Side.STAFF, actor, now)
    return _page(session, stmt, f, after=after, before=before, limit=limit, now=now)


EXPORT_HEADERS = [
    "Номер",
    "Статус",
    "Организация",
    "Объект",
    "Адрес объекта",
    "Мощность, кВт",
    "Ответственный",
    "Создана",
    "Статус изменён",
    "Срок",
    "Просрочена",
]
EXPORT_MAX = 50_000


def export_rows(
    session: Session, actor: Actor, f: Filters, *, now: datetime | None = None
) -> Iterator[list[str]]:
    """The registry's rows for CSV/XLSX, read page by page on the same keyset (no OFFSET)."""
    after = ""
    sent = 0
    while True:
        page = registry(session, actor, f, after=after, limit=200, now=now)
        for r in page.rows:
            yield [
                r.number,
                r.status_label,
                r.organisation,
                r.object_name,
                r.object_address,
                r.power.replace(" кВт", ""),
                r.assignee,
                r.created_at,
                r.status_changed_at,
                r.due_at,
                "да" if r.overdue else "",
            ]
            sent += 1
        if not page.next_after or sent >= EXPORT_MAX:
            return
        after = page.next_after


def processors(session: Session) -> list[tuple[str, str]]:
    """Staff who may process applications (for the assignee filter)."""
    from models import RolePermission, UserRole

    rows = session.exec(
        select(User.id, User.full_name)
        .join(UserRole, col(UserRole.user_id) == User.id)
        .join(RolePermission, col(RolePermission.role_id) == UserRole.role_id)
        .where(
            col(UserRole.organisation_id).is_(None),
            RolePermission.permission == Perm.APPLICATIONS_PROCESS,
            col(User.is_blocked).is_(False),
        )
        .distinct()
        .order_by(col(User.full_name), col(User.id))
    ).all()
    return [(str(uid), name) for uid, name in rows]


# --------------------------------------------------------------------------- one application


@dataclass
class FileRow:
    id: int  # ApplicationFile id
    file_id: int  # StoredFile id (download)
    kind: str
    kind_label: str
    filename: str
    size: str
    at: str
    generated: bool
    mine: bool
    removable: bool


@dataclass
class TimelineItem:
    id: int
    at: str
    actor: str
    action: str
    text: str
    status_from: str
    status_to: str
    comment: str


@dataclass
class CommentRow:
    id: int
    at: str
    author: str
    from_staff: bool
    mine: bool
    body: str


@dataclass
class ActionButton:
    action: str
    label: str
    needs_comment: bool
    needs_file: bool
    needs_confirm: bool
    danger: bool


@dataclass
class ApplicationView:
    id: int
    number: str
    status: str
    status_label: str
    status_color: str
    side: str
    version: int
    organisation_id: int
    organisation: str
    applicant_kind: str
    applicant_kind_label: str
    applicant: str
    assignee: str
    assignee_id: int
    object_name: str
    object_address: str
    cadastral_number: str
    max_power_kw: str
    existing_power_kw: str
    voltage: str
    reliability: str
    reason: str
    voltage_label: str
    reliability_label: str
    reason_label: str
    stages: str
    created_at: str
    submitted_at: str
    due_at: str
    overdue: bool
    next_step: str
    editable: bool
    buttons: list[ActionButton] = field(default_factory=list)
    documents: list[FileRow] = field(default_factory=list)
    attachments: list[FileRow] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # labels of required files not attached
    timeline: list[TimelineItem] = field(default_factory=list)
    comments: list[CommentRow] = field(default_factory=list)


KIND_LABELS = {
    "legal": "Юридическое лицо",
    "sole": "Индивидуальный предприниматель",
    "person": "Физическое лицо",
}

_DANGER = {rules.Action.REJECT, rules.Action.CANCEL, rules.Action.WITHDRAW, rules.Action.RETURN}

ACTION_TEXT = {
    "create": "Черновик создан",
    "file": "Приложен файл",
    "file_removed": "Файл удалён",
    "document": "Сформирован документ",
    "assign": "Назначен ответственный",
}


def _event_text(e: ApplicationEvent) -> str:
    if e.status_to and e.status_to != e.status_from:
        act = rules.ACTION_LABELS.get(e.action, (e.action, ""))[0]
        return f"{act}: {rules.STATUS_LABELS.get(e.status_to, (e.status_to, ''))[0]}"
    return ACTION_TEXT.get(e.action, e.action)


def application_view(
    session: Session, actor: Actor, application_id: int, *, now: datetime | None = None
) -> ApplicationView:
    from cabinet.files.rules import human_size

    now = now or utcnow()
    app, side = access_application(session, actor, application_id)
    org = session.get(Organisation, app.organisation_id)
    applicant = session.get(User, app.applicant_id)
    assignee = session.get(User, app.assignee_id) if app.assignee_id else None
    editable = side == Side.APPLICANT and app.status in rules.EDITABLE
    files = session.exec(
        select(ApplicationFile, StoredFile)
        .join(StoredFile, col(StoredFile.id) == ApplicationFile.file_id)
        .where(ApplicationFile.application_id == app.id)
        .order_by(col(ApplicationFile.id))
    ).all()
    documents: list[FileRow] = []
    attachments: list[FileRow] = []
    for af, sf in files:
        row = FileRow(
            id=af.id or 0,
            file_id=sf.id or 0,
            kind=af.kind,
            kind_label=rules.FILE_KIND_LABELS.get(af.kind, (af.kind, ""))[0],
            filename=sf.filename,
            size=human_size(sf.size),
            at=fmt_dt(af.created_at),
            generated=af.generated,
            mine=af.uploaded_by == actor.id,
            removable=editable and not af.generated and af.kind in rules.APPLICANT_KINDS,
        )
        if af.generated or af.kind == FileKind.SIGNED_SCAN or af.kind in rules.GENERATED_KINDS:
            documents.append(row)
        else:
            attachments.append(row)
    have = {a.kind for a in attachments}
    events = session.exec(
        select(ApplicationEvent, User.full_name)
        .join(User, col(User.id) == ApplicationEvent.actor_id, isouter=True)
        .where(ApplicationEvent.application_id == app.id)
        .order_by(col(ApplicationEvent.id))
    ).all()
    comments = session.exec(
        select(ApplicationComment, User.full_name)
        .join(User, col(User.id) == ApplicationComment.author_id)
        .where(ApplicationComment.application_id == app.id)
        .order_by(col(ApplicationComment.id))
    ).all()
    buttons = []
    for act in rules.actions_for(app.status, side):
        stp = rules.TRANSITIONS[(AppStatus(app.status), rules.Action(act))]
        perm_ok = actor.has(stp.perm, app.organisation_id)
        if not perm_ok:
            continue
        buttons.append(
            ActionButton(
                action=act,
                label=rules.ACTION_LABELS[act][0],
                needs_comment=stp.needs_comment,
                needs_file=stp.needs_file,
                needs_confirm=stp.needs_confirm,
                danger=act in _DANGER,
            )
        )
    staff = side == Side.STAFF
    return ApplicationView(
        id=app.id or 0,
        number=app.number or rules.draft_number(app.id or 0),
        status=app.status,
        status_label=rules.STATUS_LABELS.get(app.status, (app.status, ""))[0],
        status_color=rules.status_color(app.status),
        side=str(side),
        version=app.version,
        organisation_id=app.organisation_id,
        organisation=org.name if org else "",
        applicant_kind=app.applicant_kind,
        applicant_kind_label=KIND_LABELS.get(app.applicant_kind, app.applicant_kind),
        applicant=applicant.full_name if applicant else "",
        assignee=assignee.full_name if assignee else "",
        assignee_id=app.assignee_id or 0,
        object_name=app.object_name,
        object_address=app.object_address,
        cadastral_number=app.cadastral_number,
        max_power_kw=rules.fmt_power(app.max_power_kw),
        existing_power_kw=rules.fmt_power(app.existing_power_kw),
        voltage=app.voltage,
        reliability=app.reliability,
        reason=app.reason,
        voltage_label=rules.VOLTAGES.get(app.voltage, ("", ""))[0],
        reliability_label=rules.RELIABILITY.get(app.reliability, ("", ""))[0],
        reason_label=rules.REASONS.get(app.reason, ("", ""))[0],
        stages=app.stages,
        created_at=fmt_dt(app.created_at),
        submitted_at=fmt_dt(app.submitted_at),
        due_at=fmt_d(app.due_at) if staff and app.status in rules.STAFF_DAYS else "",
        overdue=staff and rules.is_overdue(app.status, app.due_at, now),
        next_step=rules.NEXT_STEP.get(app.status, ("", ""))[1 if staff else 0],
        editable=editable,
        buttons=buttons,
        documents=documents,
        attachments=attachments,
        missing=[
            rules.FILE_KIND_LABELS[k][0] for k in rules.missing_files(app.applicant_kind, have)
        ]
        if app.status in rules.EDITABLE
        else [],
        timeline=[
            TimelineItem(
                id=e.id or 0,
                at=fmt_dt(e.at),
                actor=name or "",
                action=e.action,
                text=_event_text(e),
                status_from=e.status_from,
                status_to=e.status_to,
                comment=e.comment,
            )
            for e, name in events
        ],
        comments=[
            CommentRow(
                id=c.id or 0,
                at=fmt_dt(c.created_at),
                author=name,
                from_staff=c.from_staff,
                mine=c.author_id == actor.id,
                body=c.body,
            )
            for c, name in comments
        ],
    )


def attached_kinds(session: Session, application_id: int) -> set[str]:
    return set(
        session.exec(
            select(ApplicationFile.kind).where(ApplicationFile.application_id == application_id)
        ).all()
    )
