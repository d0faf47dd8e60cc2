"""Reading stored files: who may download which file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlmodel import Session

from cabinet.access.rules import Actor, Perm
from cabinet.access.service import load_actor
from cabinet.errors import NotFound
from cabinet.files.service import blob_path
from cabinet.settings import Settings
from models import StoredFile

# Modules that attach files to their own records register a rule here: "may this actor read
# this file because of my record?" (e.g. staff of the support department a request went to).
ExtraReadRule = Callable[[Session, Actor, int], bool]
EXTRA_READ_RULES: list[ExtraReadRule] = []


def register_read_rule(rule: ExtraReadRule) -> ExtraReadRule:
    if rule not in EXTRA_READ_RULES:
        EXTRA_READ_RULES.append(rule)
    return rule


def may_read(actor: Actor, row: StoredFile) -> bool:
    """The uploader, or anyone who may see the file's organisation (members with ORG_VIEW,
    staff with ORGS_VIEW for their assigned or all organisations)."""
    if row.owner_id == actor.id:
        return True
    org = row.organisation_id
    if org is None:
        return False
    visible = actor.visible_org_ids()
    if visible is not None and org not in visible:
        return False
    return actor.has(Perm.ORG_VIEW, org) or actor.has(Perm.ORGS_VIEW, org)


def open_file(
    session: Session, *, actor_id: int, file_id: int, config: Settings | None = None
) -> tuple[StoredFile, Path]:
    """The row and the path of its bytes; NotFound for missing and forbidden alike."""
    actor = load_actor(session, actor_id)
    row = session.get(StoredFile, file_id) if 0 < file_id < 2**31 else None
    if row is None or not (
        may_read(actor, row) or any(rule(session, actor, file_id) for rule in EXTRA_READ_RULES)
    ):
        raise NotFound("Файл не найден.")
    path = blob_path(row.storage_key, config)
    if not path.is_file():
        raise NotFound("Файл не найден.")
    return row, path
