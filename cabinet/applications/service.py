"""Grid-connection application actions: the only writers of this module.

One function = one user action = one transaction. Each reloads the actor, fetches the
application through queries.access_application (missing and forbidden both "not found"),
locks the row where two people may act at once, checks the version the caller saw (two staff
members cannot both win), writes the change with its timeline entry and audit record,
notifies the applicant and commits.

Files go through the shared files service (`store_upload`, which commits the stored file on
its own); the application row is locked and its version re-checked after that, so a stored
file of a refused action is only an unreferenced row, never a half-made change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from cabinet import audit, routes
from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor, require
from cabinet.applications import documents, queries, rules
from cabinet.applications.rules import Action, InvalidTransition, Side
from cabinet.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from cabinet.files.service import Source, store_upload
from cabinet.notifications.service import emit
from models import (
    Application,
    ApplicationComment,
    ApplicationEvent,
    ApplicationFile,
    ManagerAssignment,
    Organisation,
    StoredFile,
)
from models.applications import AppStatus, FileKind
from models.base import utcnow

EVENT = "applications.status_changed"


class StaleVersion(DomainError):
    default = "Заявку только что изменил другой пользователь. Обновите страницу и повторите."


# --------------------------------------------------------------------------- helpers


def _snapshot(app: Application) -> dict[str, Any]:
    return {
        "number": app.number,
        "organisation_id": app.organisation_id,
        "status": app.status,
        "version": app.version,
        "assignee_id": app.assignee_id,
        "object_name": app.object_name,
        "object_address": app.object_address,
        "cadastral_number": app.cadastral_number,
        "max_power_kw": str(app.max_power_kw) if app.max_power_kw is not None else None,
        "existing_power_kw": str(app.existing_power_kw)
        if app.existing_power_kw is not None
        else None,
        "voltage": app.voltage,
        "reliability": app.reliability,
        "reason": app.reason,
    }


def _link(app: Application) -> str:
    return routes.application_url(app.id or 0)


def _check_version(app: Application, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != app.version:
        raise StaleVersion()


def _search(app: Application, org_name: str) -> str:
    return rules.search_text(
        app.number, app.object_name, app.object_address, app.cadastral_number, org_name
    )


def _fields_of(app: Application) -> rules.Fields:
    return rules.Fields(
        object_name=app.object_name,
        object_address=app.object_address,
        cadastral_number=app.cadastral_number,
        max_power_kw=app.max_power_kw,
        existing_power_kw=app.existing_power_kw,
        voltage=app.voltage,
        reliability=app.reliability,
        reason=app.reason,
        stages=app.stages,
    )


def _put_fields(app: Application, f: rules.Fields) -> None:
    app.object_name = f.object_name
    app.object_address = f.object_address
    app.cadastral_number = f.cadastral_number
    app.max_power_kw = f.max_power_kw
    app.existing_power_kw = f.existing_power_kw
    app.voltage = f.voltage
    app.reliability = f.reliability
    app.reason = f.reason
    app.stages = f.stages


def _event(
    session: Session,
    app: Application,
    actor: Actor,
    action: str,
    *,
    old: str = "",
    comment: str = "",
) -> None:
    session.add(
        ApplicationEvent(
            application_id=app.id or 0,
            actor_id=actor.id,
            action=action,
            status_from=old,
            status_to=app.status if old else "",
            comment=comment,
        )
    )


def _notify(session: Session, app: Application, actor: Actor, *, comment: str = "") -> None:
    """Tell the applicant about the new status; when the applicant acted, the assignee (or,
    while nobody has taken the application, the organisation's managers)."""
    recipients: set[int | None] = {app.applicant_id, app.assignee_id}
    if app.assignee_id is None:
        recipients |= set(
            session.exec(
                select(ManagerAssignment.manager_id).where(
                    ManagerAssignment.organisation_id == app.organisation_id
                )
            ).all()
        )
    recipients -= {actor.id, None}
    if not recipients:
        return
    emit(
        session,
        event=EVENT,
        recipient_ids=sorted(r for r in recipients if r),
        context={
            "application_number": app.number or rules.draft_number(app.id or 0),
            "title": app.object_name or "заявка на присоединение",
            "status": rules.STATUS_LABELS[app.status][0].lower(),
            "comment": comment[:500],
        },
        link=_link(app),
    )


def _own_files(session: Session, actor: Actor, org_id: int, file_ids: Iterable[int]) -> list[int]:
    """Ids of files the actor uploaded into the organisation (checked before writing)."""
    ids = list(dict.fromkeys(int(f) for f in file_ids))
    if len(ids) > 5:
        raise ValidationFailed("Не больше 5 файлов за одно действие.", field="files")
    if not ids:
        return []
    rows = {
        r.id: r for r in session.exec(select(StoredFile).where(col(StoredFile.id).in_(ids))).all()
    }
    for fid in ids:
        f = rows.get(fid)
        if f is None or f.owner_id != actor.id or f.organisation_id != org_id:
            raise ValidationFailed("Файл не найден — загрузите его ещё раз.", field="files")
    return ids


def _doc_data(session: Session, app: Application) -> documents.DocData:
    org = session.get(Organisation, app.organisation_id)
    return documents.DocData(
        number=app.number,
        date=utcnow(),
        applicant_kind=app.applicant_kind,
        applicant_name=org.name if org else "",
        applicant_inn=org.inn if org else "",
        applicant_address=(org.legal_address or org.address) if org else "",
        object_name=app.object_name,
        object_address=app.object_address,
        cadastral_number=app.cadastral_number,
        max_power_kw=app.max_power_kw or Decimal(0),
        existing_power_kw=app.existing_power_kw or Decimal(0),
        voltage=app.voltage,
        reliability=app.reliability,
        reason=app.reason,
        stages=app.stages,
    )


# --------------------------------------------------------------------------- drafts


def create_draft(
    session: Session,
    *,
    actor_id: int,
    organisation_id: int,
    fields: Mapping[str, object] | None = None,
    ip: str = "",
) -> Application:
    """A new draft for one of the actor's organisations; the applicant's own details (kind,
    name, INN, address) are read from the organisation's counterparty profile."""
    actor = load_actor(session, actor_id)
    if organisation_id not in actor.member_org_ids:
        raise NotFound("Организация не найдена.")
    require(actor, Perm.APPLICATIONS_CREATE, organisation_id)
    org = session.get(Organisation, organisation_id)
    if org is None or not org.is_active:
        raise NotFound("Организация не найдена.")
    cleaned = rules.clean_fields(dict(fields or {}))
    now = utcnow()
    app = Application(
        organisation_id=organisation_id,
        applicant_id=actor.id,
        applicant_kind=org.kind,
        status=AppStatus.DRAFT,
        created_at=now,
        updated_at=now,
        status_changed_at=now,
    )
    _put_fields(app, cleaned)
    session.add(app)
    session.flush()
    app.search_text = _search(app, org.name)
    _event(session, app, actor, "create")
    audit.record(
        session,
        actor_id=actor.id,
        action="applications.create",
        object_type="application",
        object_id=app.id,
        after=_snapshot(app),
        ip=ip,
    )
    session.commit()
    return app


def save_draft(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    fields: Mapping[str, object],
    expected_version: int | None = None,
    ip: str = "",
) -> Application:
    """Save the form (on demand or by autosave) while the application is a draft or returned
    for revision. Values are checked for format only; completeness is checked on submit."""
    actor = load_actor(session, actor_id)
    app, side = queries.access_application(session, actor, application_id, lock=True)
    if side != Side.APPLICANT:
        raise PermissionDenied()
    require(actor, Perm.APPLICATIONS_CREATE, app.organisation_id)
    if app.status not in rules.EDITABLE:
        raise InvalidTransition("Заявка уже подана — изменить её нельзя.")
    _check_version(app, expected_version)
    cleaned = rules.clean_fields(dict(fields))
    if cleaned == _fields_of(app):
        return app
    before = _snapshot(app)
    _put_fields(app, cleaned)
    org = session.get(Organisation, app.organisation_id)
    app.search_text = _search(app, org.name if org else "")
    app.version += 1
    app.updated_at = utcnow()
    session.add(app)
    audit.record(
        session,
        actor_id=actor.id,
        action="applications.save",
        object_type="application",
        object_id=app.id,
        before=before,
        after=_snapshot(app),
        ip=ip,
    )
    session.commit()
    return app


def delete_draft(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    ip: str = "",
) -> None:
    """Delete a draft that was never submitted (its files stay stored, unlinked)."""
    actor = load_actor(session, actor_id)
    app, side = queries.access_application(session, actor, application_id, lock=True)
    if side != Side.APPLICANT:
        raise PermissionDenied()
    require(actor, Perm.APPLICATIONS_CREATE, app.organisation_id)
    if app.status != AppStatus.DRAFT or app.number:
        raise InvalidTransition("Удалить можно только черновик, который ещё не подавался.")
    before = _snapshot(app)
    for model in (ApplicationEvent, ApplicationFile, ApplicationComment):
        for row in session.exec(select(model).where(model.application_id == app.id)).all():
            session.delete(row)
    session.flush()
    session.delete(app)
    audit.record(
        session,
        actor_id=actor.id,
        action="applications.delete_draft",
        object_type="application",
        object_id=application_id,
        before=before,
        ip=ip,
    )
    session.commit()


# --------------------------------------------------------------------------- workflow


def _check_submit(session: Session, app: Application) -> None:
    rules.check_complete(_fields_of(app), app.applicant_kind)
    missing = rules.missing_files(app.applicant_kind, queries.attached_kinds(session, app.id or 0))
    if missing:
        names = ", ".join(rules.FILE_KIND_LABELS[k][0].lower() for k in missing)
        raise ValidationFailed(f"Приложите документы: {names}.", field="files")


def transition(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    action: str,
    comment: str = "",
    expected_version: int | None = None,
    file_ids: Iterable[int] = (),
    confirmed: bool = True,
    ip: str = "",
) -> Application:
    """Move the application by one declared step (rules.TRANSITIONS). Refused steps change
    nothing. Generates the step's documents (PDF) and links a signed scan when required."""
    actor = load_actor(session, actor_id)
    app, side = queries.access_application(session, actor, application_id, lock=True)
    _check_version(app, expected_version)
    stp = rules.step_of(app.status, action)
    perms_ok = stp is None or actor.has(stp.perm, app.organisation_id)
    comment = rules.clean_comment(comment)
    files = _own_files(session, actor, app.organisation_id, file_ids)
    step = rules.apply(
        app.status,
        action,
        side=side,
        perms_ok=perms_ok,
        comment=comment,
        has_file=bool(files),
        confirmed=confirmed,
    )
    if action == Action.SUBMIT:
        _check_submit(session, app)
    seen_version = app.version
    now = utcnow()
    if action == Action.SUBMIT and not app.number:
        app.number = rules.number(app.id or 0, now.year)
    generated: list[tuple[FileKind, int]] = []
    if step.documents:
        data = _doc_data(session, app)
        for kind in step.documents:
            pdf = documents.render(kind, data)
            stored = store_upload(  # commits the stored file on its own
                session,
                actor_id=actor.id,
                filename=documents.filename(kind, data.number),
                source=pdf,
                allowed_types=("pdf",),
                max_bytes=20 * 1024 * 1024,
                organisation_id=app.organisation_id,
                ip=ip,
            )
            generated.append((kind, stored.id or 0))
        app, side = queries.access_application(session, actor, application_id, lock=True)
        if app.version != seen_version:
            raise StaleVersion()
        if action == Action.SUBMIT and not app.number:
            app.number = rules.number(app.id or 0, now.year)
    before = _snapshot(app)
    old = app.status
    app.status = step.to
    app.version += 1
    app.status_changed_at = now
    app.updated_at = now
    app.due_at = rules.due_at(app.status, now)
    if action == Action.SUBMIT:
        app.submitted_at = now
    if action == Action.TAKE and app.assignee_id is None:
        app.assignee_id = actor.id
    if app.status == AppStatus.COMPLETED:
        app.completed_at = now
    org = session.get(Organisation, app.organisation_id)
    app.search_text = _search(app, org.name if org else "")
    session.add(app)
    for kind, file_id in generated:
        session.add(
            ApplicationFile(
                application_id=app.id or 0,
                file_id=file_id,
                kind=kind,
                generated=True,
                uploaded_by=actor.id,
            )
        )
    if files:
        signs = {
            Action.SIGN_CONTRACT: FileKind.CONTRACT,
            Action.SIGN_ACT: FileKind.ACT_CONNECTION,
        }.get(Action(action))
        target = None
        if signs is not None:
            target = session.exec(
                select(ApplicationFile.id)
                .where(ApplicationFile.application_id == app.id, ApplicationFile.kind == signs)
                .order_by(col(ApplicationFile.id).desc())
            ).first()
        linked = set(
            session.exec(
                select(ApplicationFile.file_id).where(
                    ApplicationFile.application_id == app.id,
                    ApplicationFile.kind == FileKind.SIGNED_SCAN,
                )
            ).all()
        )
        for fid in (f for f in files if f not in linked):
            session.add(
                ApplicationFile(
                    application_id=app.id or 0,
                    file_id=fid,
                    kind=FileKind.SIGNED_SCAN,
                    signed_for_id=target,
                    uploaded_by=actor.id,
                )
            )
    _event(session, app, actor, str(action), old=old, comment=comment)
    audit.record(
        session,
        actor_id=actor.id,
        action=f"applications.{action}",
        object_type="application",
        object_id=app.id,
        before=before,
        after={**_snapshot(app), "documents": [f for _, f in generated], "files": files},
        ip=ip,
    )
    _notify(session, app, actor, comment=comment)
    session.commit()
    return app


def submit(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    expected_version: int | None = None,
    ip: str = "",
) -> Application:
    """Submit a draft (or resubmit after a return): required fields and files are checked."""
    return transition(
        session,
        actor_id=actor_id,
        application_id=application_id,
        action=Action.SUBMIT,
        expected_version=expected_version,
        ip=ip,
    )


def assign(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    assignee_id: int | None,
    ip: str = "",
) -> Application:
    """Staff give the application to a colleague who processes applications (or to nobody)."""
    actor = load_actor(session, actor_id)
    app, side = queries.access_application(session, actor, application_id, lock=True)
    if side != Side.STAFF:
        raise PermissionDenied()
    require(actor, Perm.APPLICATIONS_PROCESS)
    name = ""
    if assignee_id:
        staff = dict(queries.processors(session))
        if str(assignee_id) not in staff:
            raise ValidationFailed(
                "Назначить можно только сотрудника, который обрабатывает заявки.",
                field="assignee",
            )
        name = staff[str(assignee_id)]
    if app.assignee_id == (assignee_id or None):
        return app
    before = _snapshot(app)
    app.assignee_id = assignee_id or None
    app.version += 1
    app.updated_at = utcnow()
    session.add(app)
    _event(session, app, actor, "assign", comment=name or "Ответственный снят")
    audit.record(
        session,
        actor_id=actor.id,
        action="applications.assign",
        object_type="application",
        object_id=app.id,
        before=before,
        after=_snapshot(app),
        ip=ip,
    )
    if assignee_id and assignee_id != actor.id:
        emit(
            session,
            event=EVENT,
            recipient_ids=[assignee_id],
            context={
                "application_number": app.number,
                "title": app.object_name,
                "status": rules.STATUS_LABELS[app.status][0].lower(),
                "comment": "Вас назначили ответственным.",
            },
            link=_link(app),
        )
    session.commit()
    return app


# --------------------------------------------------------------------------- files, comments


def attach_file(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    kind: str,
    filename: str,
    source: Source,
    ip: str = "",
) -> ApplicationFile:
    """Attach one file of `kind` at any status: the applicant their documents (and signed
    scans), staff their own versions of the grid company's documents."""
    actor = load_actor(session, actor_id)
    app, side = queries.access_application(session, actor, application_id)
    allowed = (
        (*rules.APPLICANT_KINDS, FileKind.SIGNED_SCAN)
        if side == Side.APPLICANT
        else (FileKind.OTHER, *rules.GENERATED_KINDS)
    )
    if kind not in allowed:
        raise ValidationFailed("Выберите вид документа.", field="kind")
    stored = store_upload(
        session,
        actor_id=actor.id,
        filename=filename,
        source=source,
        allowed_types=rules.ATTACHMENT_TYPES,
        max_bytes=rules.ATTACHMENT_MAX_BYTES,
        organisation_id=app.organisation_id,
        ip=ip,
    )
    app, side = queries.access_application(session, actor, application_id, lock=True)
    exists = session.exec(
        select(ApplicationFile).where(
            ApplicationFile.application_id == app.id,
            ApplicationFile.file_id == stored.id,
            ApplicationFile.kind == kind,
        )
    ).first()
    if exists is not None:
        return exists
    row = ApplicationFile(
        application_id=app.id or 0, file_id=stored.id or 0, kind=kind, uploaded_by=actor.id
    )
    session.add(row)
    session.flush()
    label = rules.FILE_KIND_LABELS[kind][0]
    _event(session, app, actor, "file", comment=f"{label}: {stored.filename}")
    app.updated_at = utcnow()
    session.add(app)
    audit.record(
        session,
        actor_id=actor.id,
        action="applications.attach",
        object_type="application",
        object_id=app.id,
        after={"kind": kind, "file_id": stored.id, "application_file_id": row.id},
        ip=ip,
    )
    session.commit()
    return row


def remove_file(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    application_file_id: int,
    ip: str = "",
) -> None:
    """The applicant takes an attachment off while the application is editable."""
    actor = load_actor(session, actor_id)
    app, side = queries.access_application(session, actor, application_id, lock=True)
    if side != Side.APPLICANT or app.status not in rules.EDITABLE:
        raise InvalidTransition("Убрать файл можно только из черновика или заявки на доработке.")
    row = session.get(ApplicationFile, application_file_id)
    if row is None or row.application_id != app.id or row.generated:
        raise NotFound("Файл не найден.")
    stored = session.get(StoredFile, row.file_id)
    session.delete(row)
    _event(
        session,
        app,
        actor,
        "file_removed",
        comment=f"{rules.FILE_KIND_LABELS.get(row.kind, (row.kind, ''))[0]}: "
        f"{stored.filename if stored else ''}",
    )
    audit.record(
        session,
        actor_id=actor.id,
        action="applications.remove_file",
        object_type="application",
        object_id=app.id,
        before={"kind": row.kind, "file_id": row.file_id},
        ip=ip,
    )
    session.commit()


def add_comment(
    session: Session,
    *,
    actor_id: int,
    application_id: int,
    text: str,
    ip: str = "",
) -> ApplicationComment:
    """A comment of either side, at any status."""
    actor = load_actor(session, actor_id)
    app, side = queries.access_application(session, actor, application_id)
    body = rules.clean_comment(text, required=True)
    row = ApplicationComment(
        application_id=app.id or 0,
        author_id=actor.id,
        from_staff=side == Side.STAFF,
        body=body,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor_id=actor.id,
        action="applications.comment",
        object_type="application",
        object_id=app.id,
        after={"comment_id": row.id},
        ip=ip,
    )
    session.commit()
    return row


# --------------------------------------------------------------------------- demo data

DEMO_OBJECTS = [
    ("Склад готовой продукции", "г. Москва, ул. Складская, 7", "77:01:0001001:101", "150", None),
    ("Офисное здание", "г. Москва, Пресненская наб., 12", "77:01:0004012:55", "480", "submit"),
    ("Котельная", "г. Москва, ул. Заводская, 3", "77:05:0002003:17", "95,5", "return"),
    (
        "Цех металлоконструкций",
        "г. Москва, ул. Промышленная, 21",
        "77:04:0003004:9",
        "900",
        "contract",
    ),
]


def load_applications_demo(session: Session) -> None:
    """Idempotent demo: applications of the demo client's organisation at several stages."""
    from models import User

    if session.exec(select(Application.id).limit(1)).first() is not None:
        return
    client = session.exec(select(User).where(User.email == "client@demo.local")).first()
    manager = session.exec(select(User).where(User.email == "manager@demo.local")).first()
    org = session.exec(select(Organisation).where(Organisation.inn == "7707083893")).first()
    if client is None or manager is None or org is None or client.id is None:
        return
    for name, address, cadastral, power, stage in DEMO_OBJECTS:
        app = create_draft(
            session,
            actor_id=client.id,
            organisation_id=org.id or 0,
            fields={
                "object_name": name,
                "object_address": address,
                "cadastral_number": cadastral,
                "max_power_kw": power,
                "voltage": "10",
                "reliability": "III",
                "reason": "new",
            },
        )
        if stage is None:
            continue
        for kind in rules.required_files(app.applicant_kind):
            title = rules.FILE_KIND_LABELS[kind][0]
            attach_file(
                session,
                actor_id=client.id,
                application_id=app.id or 0,
                kind=kind,
                filename=f"{kind}.pdf",
                source=documents.sample_pdf(f"{title} — {name}"),
            )
        app = submit(session, actor_id=client.id, application_id=app.id or 0)
        steps: list[tuple[Action, str]] = {
            "submit": [],
            "return": [
                (Action.TAKE, ""),
                (Action.RETURN, "Уточните кадастровый номер земельного участка."),
            ],
            "contract": [
                (Action.TAKE, ""),
                (Action.ACCEPT, ""),
                (Action.PREPARE_CONTRACT, ""),
                (Action.SEND_CONTRACT, ""),
            ],
        }.get(stage, [])
        for action, comment in steps:
            app = transition(
                session,
                actor_id=manager.id or 0,
                application_id=app.id or 0,
                action=action,
                comment=comment,
            )


__all__ = [
    "EVENT",
    "StaleVersion",
    "add_comment",
    "assign",
    "attach_file",
    "create_draft",
    "delete_draft",
    "load_applications_demo",
    "remove_file",
    "save_draft",
    "submit",
    "transition",
]
