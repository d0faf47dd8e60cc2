"""Every public event handler of every State, called over a real websocket by a stranger.

Reflex lets any connected browser call any public handler of any State by name with any
arguments. This test takes the list of handlers from the running app's own registry (so it grows
by itself as modules add states), connects to the backend's `/_event` socket the way the
frontend does, and calls each handler with hostile arguments:

- as an anonymous visitor, and
- as a logged-in customer of another organisation (other@demo.local, ИП Иванов),

with ids of the first organisation's objects (ООО «Ромашка»: its users, memberships, roles, a
pending link request, a session), huge strings, wrong types, missing and unexpected arguments.

Each call must be refused or change nothing it should not: the whole database is compared
row by row before and after each handler. What a stranger may legitimately cause is spelled
out below (log tables, their own rows, and the writes of the few public handlers), everything
else is protected. The answers the server sends must not carry the first organisation's data.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import time
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select, text
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from tests.e2e.helpers import SESSION_COOKIE, EventClient, session_token, user_id

pytestmark = pytest.mark.e2e

ATTACKER = "other@demo.local"  # customer of ИП Иванов (500100732259)
VICTIM_ORG_INN = "7707083893"  # ООО «Ромашка»
OTHER_ORG_INN = "7736207543"  # АО «Северсталь-Сервис» (the attacker is not a member either)
APPLICANT_EMAIL = "applicant-victim@e2e.local"


# --- what is called ---------------------------------------------------------------------------

# Framework states of Reflex itself that are not called, each with the reason. Everything
# else, Reflex's own handlers included, is called.
FRAMEWORK_SKIP: dict[str, str] = {
    "reflex.state.FrontendEventExceptionState.handle_frontend_exception": (
        "Reflex's own: hands the text to the app's frontend_exception_handler, which only "
        "writes it to the server log; no app code, no database"
    ),
}

# --- who may change what ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Change:
    table: str
    op: str  # insert | update | delete
    key: tuple
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def changed_columns(self) -> set[str]:
        if self.before is None or self.after is None:
            return set()
        return {k for k in self.after if self.before.get(k) != self.after.get(k)}

    def __str__(self) -> str:
        if self.op == "update":
            cols = sorted(self.changed_columns())
            diff = {c: (self.before[c], self.after[c]) for c in cols}  # type: ignore[index]
            return f"{self.table}{list(self.key)} updated {diff}"
        row = self.after if self.op == "insert" else self.before
        verb = "inserted" if self.op == "insert" else "deleted"
        return f"{self.table}{list(self.key)} {verb}: {_short(row)}"


def _short(value: object, limit: int = 300) -> str:
    s = repr(value)
    return s if len(s) <= limit else s[:limit] + "…"


@dataclasses.dataclass
class Ctx:
    caller_id: int | None
    after: dict[str, dict[tuple, dict[str, Any]]]
    before: dict[str, dict[tuple, dict[str, Any]]] = dataclasses.field(default_factory=dict)

    def row(self, table: str, row_id: object) -> dict[str, Any] | None:
        """The row as it is after the calls, or as it was before them when they deleted it
        (a step under a draft the caller discarded together with it)."""
        found = self.after.get(table, {}).get((row_id,))
        return found if found is not None else self.before.get(table, {}).get((row_id,))

    @property
    def member_orgs(self) -> set[object]:
        return {
            r.get("organisation_id")
            for r in self.after.get("memberships", {}).values()
            if r.get("user_id") == self.caller_id
        }


Rule = Callable[[Change, Ctx], bool]

# Append-only logs that a refusal may write (a failed login, a refused action's audit entry,
# a code sent): inserts are fine; audit entries are never changed or deleted.
LOG_TABLES = {"login_attempts", "outbox_messages", "audit_events", "notifications"}
APPEND_ONLY = {"audit_events", "notifications"}  # notifying someone is fine, editing theirs not
# The delivery machinery of e-mail/SMS/in-app notifications (a worker moves these along).
DELIVERY_TABLES = {"notification_deliveries", "notification_attempts"}

# Who may do what, and to which organisation: never changed by a stranger's call.
PRIVILEGE_TABLES = {
    "memberships",
    "user_roles",
    "manager_assignments",
    "roles",
    "role_permissions",
    "support_department_members",
}
# A row is "theirs" when one of these names the caller (and its organisation is theirs).
OWNER_COLUMNS = ("user_id", "author_id", "owner_id", "created_by_id", "applicant_id")
# Rows that hang under a parent row: theirs only if the parent is theirs.
PARENTS = {
    "application_events": ("application_id", "applications"),
    "link_request_events": ("request_id", "link_requests"),
    "support_messages": ("request_id", "support_requests"),
}

# Columns of their own user row that a logged-in user may change without further proof.
SELF_FIXED_USER_COLUMNS = {
    "id",
    "email",
    "phone",
    "password_hash",
    "email_confirmed_at",
    "phone_confirmed_at",
    "is_blocked",
    "created_at",
}


def _own(change: Change, ctx: Ctx, column: str = "user_id") -> bool:
    rows = [r for r in (change.before, change.after) if r is not None]
    return ctx.caller_id is not None and all(r.get(column) == ctx.caller_id for r in rows)


def always_allowed(change: Change, ctx: Ctx) -> bool:
    """What any call may cause, refused or not."""
    if change.table in LOG_TABLES:
        return change.table not in APPEND_ONLY or change.op == "insert"
    if change.table in DELIVERY_TABLES:
        return True
    if change.table == "user_sessions":
        # Resolving the caller touches their own session; ending it is theirs to do.
        return _own(change, ctx)
    return False


def self_service(change: Change, ctx: Ctx) -> bool:
    """What a logged-in user may do to their own data (never to memberships or roles)."""
    if ctx.caller_id is None:
        return False
    t = change.table
    if t == "users":
        return (
            change.op == "update"
            and change.key == (ctx.caller_id,)
            and not (change.changed_columns() & SELF_FIXED_USER_COLUMNS)
        )
    if t == "one_time_codes":
        return _own(change, ctx)
    if t == "stored_files":
        return change.op == "insert" and _own(change, ctx, "owner_id")
    if t == "link_requests":
        # Their own request: send it, or withdraw it; never decide it.
        after = change.after or {}
        return (
            change.op in ("insert", "update")
            and _own(change, ctx)
            and after.get("status") in ("pending", "cancelled")
            and after.get("decided_by_id") in (None, ctx.caller_id)
            and not after.get("role_code")
        )
    if t == "link_request_events":
        return (change.after or {}).get("action") in ("create", "cancel") and _own_row(change, ctx)
    if t == "organisations":
        # A link request for an unknown INN brings a new, inactive organisation with it.
        after = change.after or {}
        return (
            change.op == "insert"
            and not after.get("is_active")
            and any(
                r.get("organisation_id") == after.get("id")
                and r.get("user_id") == ctx.caller_id
                and r.get("created_org")
                for r in ctx.after.get("link_requests", {}).values()
            )
        )
    if t in PRIVILEGE_TABLES:
        return False
    return _own_row(change, ctx)


def _owned(table: str, row: dict[str, Any], ctx: Ctx, depth: int = 0) -> bool:
    """The row names the caller as its owner, inside one of the caller's organisations."""
    if "organisation_id" in row and row["organisation_id"] not in (None, *ctx.member_orgs):
        return False
    owner = next((c for c in OWNER_COLUMNS if c in row), None)
    if owner is not None and row[owner] == ctx.caller_id:
        return True
    if table in PARENTS and depth < 3:
        column, parent_table = PARENTS[table]
        parent = ctx.row(parent_table, row.get(column))
        return parent is not None and _owned(parent_table, parent, ctx, depth + 1)
    return False


def _own_row(change: Change, ctx: Ctx) -> bool:
    rows = [r for r in (change.before, change.after) if r is not None]
    if change.table in PARENTS:
        # A message or step under the caller's own record, written by the caller.
        column, parent_table = PARENTS[change.table]
        parent = ctx.row(parent_table, rows[-1].get(column))
        if parent is None or not _owned(parent_table, parent, ctx):
            return False
        return all(
            r.get(c) in (None, ctx.caller_id) for r in rows for c in (*OWNER_COLUMNS, "actor_id")
        )
    return bool(rows) and all(_owned(change.table, r, ctx) for r in rows)


def nothing(change: Change, ctx: Ctx) -> bool:
    return False


def _new_unconfirmed_user(ctx: Ctx, uid: object) -> bool:
    user = ctx.row("users", uid)
    return user is not None and user.get("email_confirmed_at") is None


def registration(change: Change, ctx: Ctx) -> bool:
    """Sign-up makes a new, unconfirmed user with its two codes and a limited session."""
    row = change.after or {}
    if change.op != "insert":
        return False
    if change.table == "users":
        return row.get("email_confirmed_at") is None and row.get("phone_confirmed_at") is None
    if change.table in ("one_time_codes", "user_sessions"):
        return _new_unconfirmed_user(ctx, row.get("user_id"))
    return False


def failed_login(change: Change, ctx: Ctx) -> bool:
    """A wrong password counts against the account it names (throttling and lockout)."""
    return change.table == "users" and change.changed_columns() <= {
        "failed_logins",
        "locked_until",
    }


def reset_code(change: Change, ctx: Ctx) -> bool:
    """Anyone may ask for a password-reset code for any login; wrong codes count attempts."""
    if change.table != "one_time_codes":
        return False
    row = change.after or {}
    if change.op == "insert":
        return row.get("purpose") == "reset_password"
    return (
        change.op == "update"
        and row.get("purpose") == "reset_password"
        and change.changed_columns() <= {"attempts", "consumed_at", "expires_at"}
    )


def code_attempt(change: Change, ctx: Ctx) -> bool:
    """A wrong one-time code counts an attempt on the code it was checked against."""
    return (
        change.table == "one_time_codes"
        and change.op == "update"
        and change.changed_columns() <= {"attempts"}
    )


@dataclasses.dataclass(frozen=True)
class Public:
    reason: str
    writes: Rule = nothing  # the only extra writes a stranger's call may cause


# Handlers a visitor or a stranger may legitimately call, each with the reason. They are called
# with hostile arguments like every other handler and must not touch other organisations'
# data; `writes` is the only thing they may do beyond the general rules above.
PUBLIC_HANDLERS: dict[str, Public] = {
    "cabinet.i18n.LangState.set_lang": Public("the interface language: the caller's cookie"),
    "cabinet.i18n.LangState.toggle_lang": Public("the interface language: the caller's cookie"),
    "cabinet.access.state.SessionState.load_identity": Public("shows who is logged in, if anyone"),
    "cabinet.access.state.SessionState.require_login": Public(
        "on_load guard: sends strangers away"
    ),
    "cabinet.access.state.SessionState.logout": Public("ends the caller's own session only"),
    "cabinet.accounts.state.RegisterState.load": Public("the sign-up page"),
    "cabinet.accounts.state.RegisterState.submit": Public("sign-up", registration),
    "cabinet.accounts.state.ConfirmState.load": Public("the confirm page of a new sign-up"),
    "cabinet.accounts.state.ConfirmState.submit": Public(
        "codes of the caller's sign-up", code_attempt
    ),
    "cabinet.accounts.state.ConfirmState.resend": Public("codes of the caller's sign-up"),
    "cabinet.accounts.state.LoginState.load": Public("the login page"),
    "cabinet.accounts.state.LoginState.submit": Public("login", failed_login),
    "cabinet.accounts.state.SecondFactorState.load": Public("second step of the caller's login"),
    "cabinet.accounts.state.SecondFactorState.submit": Public(
        "second step of the caller's login", code_attempt
    ),
    "cabinet.accounts.state.SecondFactorState.resend": Public("second step of the caller's login"),
    "cabinet.accounts.state.SecondFactorState.cancel": Public("gives up the caller's own login"),
    "cabinet.accounts.state.ResetState.load": Public("the password-reset page"),
    "cabinet.accounts.state.ResetState.request_code": Public("password reset by code", reset_code),
    "cabinet.accounts.state.ResetState.resend": Public("password reset by code", reset_code),
    "cabinet.accounts.state.ResetState.restart": Public("password reset: back to step one"),
    "cabinet.accounts.state.ResetState.submit": Public("password reset by code", reset_code),
    "cabinet.esign.state.VerifyState.load": Public("public signature check: reads only"),
    "cabinet.esign.state.VerifyState.check": Public("public signature check: reads only"),
    "cabinet.documents.state.TraceState.load": Public(
        "public QR page of a certificate: reads only, by its unguessable code"
    ),
}


def allowed(handler: str, change: Change, ctx: Ctx) -> bool:
    if always_allowed(change, ctx) or self_service(change, ctx):
        return True
    public = PUBLIC_HANDLERS.get(handler)
    return public is not None and public.writes(change, ctx)


# --- the database, table by table ---------------------------------------------------------------

Snapshot = dict[str, dict[tuple, dict[str, Any]]]


_TABLES: dict[int, MetaData] = {}
_LAST: dict[int, Snapshot] = {}
DIRTY = "guard_dirty_tables"  # test-only bookkeeping table, made by the first snapshot


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every table, keyed by primary key (values as JSON-able text).

    On SQLite (the e2e database) the first call puts triggers on every table that note the
    table's name in DIRTY on any insert, update or delete; later calls re-read only the noted
    tables and take the rest from the previous snapshot, so a round costs what it changed,
    not the size of the demo data. Other engines are read whole every time."""
    meta = _TABLES.get(id(engine))
    if meta is None:  # the tables as the migrations made them, read once
        meta = _TABLES[id(engine)] = MetaData()
        meta.reflect(engine)
        if engine.dialect.name == "sqlite":
            _install_triggers(engine, meta)
    tables = {n: t for n, t in meta.tables.items() if n not in ("alembic_version", DIRTY)}
    last = _LAST.get(id(engine))
    with engine.begin() as conn:
        if last is not None and engine.dialect.name == "sqlite":
            gone = conn.exec_driver_sql(f"DELETE FROM {DIRTY} RETURNING name")
            dirty = {r[0] for r in gone}
            read = [n for n in tables if n in dirty]
            out = dict(last)
        else:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql(f"DELETE FROM {DIRTY}")
            read, out = list(tables), {}
        for name in read:
            table = tables[name]
            pk = [c.name for c in table.primary_key.columns] or [c.name for c in table.columns]
            rows = conn.execute(select(table)).mappings().all()
            out[name] = {
                tuple(r[c] for c in pk): {k: _plain(v) for k, v in r.items()} for r in rows
            }
    _LAST[id(engine)] = out
    return out


def _install_triggers(engine: Engine, meta: MetaData) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {DIRTY} (name TEXT PRIMARY KEY)")
        for name in meta.tables:
            if name in ("alembic_version", DIRTY):
                continue
            for op in ("INSERT", "UPDATE", "DELETE"):
                # names from the reflected schema, not from input
                trigger = f'"guard_{name}_{op.lower()}" AFTER {op} ON "{name}"'
                note = f"INSERT OR IGNORE INTO {DIRTY} VALUES ('{name}')"
                conn.exec_driver_sql(f"CREATE TRIGGER IF NOT EXISTS {trigger} BEGIN {note}; END")


def _plain(value: object) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    changes: list[Change] = []
    for table in sorted(set(before) | set(after)):
        b, a = before.get(table, {}), after.get(table, {})
        changes.extend(Change(table, "insert", k, None, a[k]) for k in a.keys() - b.keys())
        changes.extend(Change(table, "delete", k, b[k], None) for k in b.keys() - a.keys())
        changes.extend(
            Change(table, "update", k, b[k], a[k]) for k in a.keys() & b.keys() if a[k] != b[k]
        )
    return changes


# --- the victims: the first organisation's objects ----------------------------------------------


@dataclasses.dataclass
class Victims:
    ids: list[int]  # ids of objects of ООО «Ромашка» (and of strangers to the attacker)
    primary: list[int]  # the organisation, a user, the pending request, a role grant
    strings: list[str]  # e-mails, phones, INNs that belong to others
    markers: list[str]  # text that must never reach the attacker's browser


@pytest.fixture(scope="module")
def victims(e2e_engine: Engine) -> Victims:
    """Ids of the first organisation's objects, plus a pending link request and a session."""
    from cabinet.accounts.passwords import hash_password
    from models import (
        LinkRequest,
        LinkRequestEvent,
        ManagerAssignment,
        Membership,
        Organisation,
        Role,
        User,
        UserRole,
    )
    from models.base import utcnow

    with Session(e2e_engine, expire_on_commit=False) as s:
        org = s.exec(sm_select(Organisation).where(Organisation.inn == VICTIM_ORG_INN)).one()
        other_org = s.exec(sm_select(Organisation).where(Organisation.inn == OTHER_ORG_INN)).one()
        applicant = s.exec(sm_select(User).where(User.email == APPLICANT_EMAIL)).first()
        if applicant is None:
            now = utcnow()
            applicant = User(
                full_name="Заявкина Зоя Захаровна",
                email=APPLICANT_EMAIL,
                phone="+79000000099",
                password_hash=hash_password("Victim-2026!"),
                email_confirmed_at=now,
                phone_confirmed_at=now,
            )
            s.add(applicant)
            s.flush()
            assert applicant.id is not None and org.id is not None
            req = LinkRequest(
                user_id=applicant.id, organisation_id=org.id, message="Прошу привязать"
            )
            s.add(req)
            s.flush()
            assert req.id is not None
            s.add(
                LinkRequestEvent(
                    request_id=req.id,
                    actor_id=applicant.id,
                    action="create",
                    status="pending",
                    comment="Прошу привязать",
                )
            )
            s.commit()
        req_id = s.exec(sm_select(LinkRequest.id).where(LinkRequest.user_id == applicant.id)).one()
        members = s.exec(
            sm_select(Membership.id, Membership.user_id).where(Membership.organisation_id == org.id)
        ).all()
        roles = s.exec(sm_select(UserRole.id).where(UserRole.organisation_id == org.id)).all()
        top_roles = s.exec(
            sm_select(Role.id).where(col(Role.code).in_(["superadmin", "admin"]))
        ).all()
        assignments = s.exec(
            sm_select(ManagerAssignment.id).where(ManagerAssignment.organisation_id == org.id)
        ).all()
    victim_user = next(uid for _, uid in members if uid != user_id(ATTACKER))
    client_session = _session_id(e2e_engine, session_token("client@demo.local"))
    ids = sorted(
        {
            org.id,
            other_org.id,
            req_id,
            applicant.id,
            client_session,
            *(uid for _, uid in members),
            *(mid for mid, _ in members),
            *roles,
            *top_roles,
            *assignments,
        }
    )
    return Victims(
        ids=ids,
        primary=list(dict.fromkeys([org.id, victim_user, req_id, roles[0]])),
        strings=["client@demo.local", "+79000000006", VICTIM_ORG_INN, OTHER_ORG_INN, "superadmin"],
        markers=["Клиентова", "Покупателев", "Заявкина", "Вавилова", "1027700132195"],
    )


def _session_id(engine: Engine, token: str) -> int:
    from cabinet.accounts.sessions import hash_token

    with engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM user_sessions WHERE token_hash = :h"), {"h": hash_token(token)}
        ).scalar_one()


# --- handlers and hostile arguments ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Handler:
    event: str  # the name the socket sends: "<state full name>.<handler>"
    key: str  # module.Class.handler, for the lists above and the report
    params: tuple[tuple[str, Any], ...]
    var_names: tuple[str, ...]
    background: bool


def registered_handlers() -> list[Handler]:
    """Every handler the running backend would dispatch, from its own registry."""
    from reflex_base.registry import RegistrationContext

    out = []
    for event, reg in sorted(RegistrationContext.get().event_handlers.items()):
        state = reg.states[0]
        fn = reg.handler.fn
        try:
            hints = typing.get_type_hints(fn)
        except Exception:
            hints = {}
        params = tuple(
            (p.name, hints.get(p.name, Any))
            for p in list(inspect.signature(fn).parameters.values())[1:]
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        )
        out.append(
            Handler(
                event=event,
                key=f"{state.__module__}.{state.__name__}.{event.rpartition('.')[2]}",
                params=params,
                var_names=tuple(sorted({*(state.vars or {}), *(state._backend_vars or {})})),
                background=reg.handler.is_background,
            )
        )
    return out


HUGE = "Я" * 100_000
STRINGS = ["", HUGE, "' OR '1'='1' --<img src=x onerror=alert(1)>\x00"]
JUNK: list[Any] = [None, 2**63, {"$ne": None}]
FORM_KEYS = [
    "id",
    "user_id",
    "organisation_id",
    "org_id",
    "request_id",
    "role_id",
    "session_id",
    "email",
    "phone",
    "login",
    "password",
    "password2",
    "full_name",
    "name",
    "inn",
    "kpp",
    "ogrn",
    "code",
    "comment",
    "message",
    "role",
    "role_code",
    "status",
    "kind",
    "permissions",
]


def _as(hint: Any, value: Any) -> Any:
    """`value` in the shape the parameter's annotation asks for (ids as ints or text)."""
    base = typing.get_origin(hint) or hint
    if base in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        base = (typing.get_origin(args[0]) or args[0]) if args else Any
    if base is int:
        return value if isinstance(value, int) else str(value)
    if base is float:
        return value
    if base is bool:
        return True
    if base is str:
        return str(value)
    if base in (list, tuple, set, frozenset):
        return [value]
    if base is dict or base is Any:
        return dict.fromkeys(FORM_KEYS, value)
    return value


# The server drops a socket whose message exceeds 1 MB (REFLEX_SOCKET_MAX_HTTP_BUFFER_SIZE); that
# is Reflex's own limit, so payloads are kept under it.
MAX_MESSAGE = 800_000


def _fit(payload: dict[str, Any]) -> dict[str, Any]:
    size = len(json.dumps(payload, ensure_ascii=False))
    if size <= MAX_MESSAGE:
        return payload
    keep = max(1, len(HUGE) * MAX_MESSAGE // size)

    def cut(value: Any) -> Any:
        if isinstance(value, str):
            return value[:keep]
        if isinstance(value, dict):
            return {k: cut(x) for k, x in value.items()}
        return value

    return cut(payload)


def hostile_payloads(h: Handler, v: Victims) -> Iterator[dict[str, Any]]:
    return (_fit(p) for p in _payloads(h, v))


def _payloads(h: Handler, v: Victims) -> Iterator[dict[str, Any]]:
    names = [n for n, _ in h.params]
    if h.event.endswith(".setvar"):
        # Reflex's generic setter: it may only reach explicit `set_<var>` handlers (called
        # under their own names too), never set a var directly (automatic setters are off).
        own = [n for n in h.var_names if not n.startswith(("rx_", "router", "is_hydrated"))]
        for var in [*own[:3], "token", "me_perms", "is_hydrated", "_x", HUGE]:
            yield {"var_name": var, "value": v.ids[0]}
        yield {"var_name": "me_perms", "value": ["users.manage", "roles.manage"]}
        return
    yield {}  # missing arguments
    if not names:
        yield {"unexpected": v.ids[0]}
        return
    for value in [*v.primary, *v.strings]:
        yield {n: _as(hint, value) for n, hint in h.params}
    for s in STRINGS:
        yield {n: _as(hint, s) for n, hint in h.params}
    for junk in JUNK:
        yield dict.fromkeys(names, junk)
    yield {**{n: _as(hint, v.ids[0]) for n, hint in h.params}, "unexpected": "x"}


# --- the test ---------------------------------------------------------------------------------------


@dataclasses.dataclass
class Identity:
    name: str
    email: str | None
    token: str = ""

    def caller_id(self) -> int | None:
        return user_id(self.email) if self.email else None

    def cookies(self) -> dict[str, str]:
        return {SESSION_COOKIE: self.token} if self.email else {}

    def refresh(self, engine: Engine) -> bool:
        """A live session for the identity; True when a new one had to be made."""
        if not self.email:
            return False
        from cabinet.accounts.sessions import find_session

        with Session(engine) as s:
            live = self.token and find_session(s, self.token) is not None
        if not live:
            self.token = session_token(self.email)
        return not live


@dataclasses.dataclass
class Finding:
    handler: str
    problem: str


# Pages read ids from the URL (router data), which the caller controls like any argument.
ID_QUERY_KEYS = ["id", "user_id", "org_id", "organisation_id", "request_id", "role_id"]

Call = tuple[str, dict[str, Any], dict[str, str]]  # event, payload, URL query


def _query(victim_id: int) -> dict[str, str]:
    return dict.fromkeys(ID_QUERY_KEYS, str(victim_id))


def single_calls(h: Handler, v: Victims) -> list[Call]:
    """One handler with every hostile payload, the URL naming the victims' ids in turn."""
    return [
        (h.event, payload, _query(v.primary[i % len(v.primary)]))
        for i, payload in enumerate(hostile_payloads(h, v))
    ]


PRIMING = ("load", "open_", "set_", "select", "start_", "show", "edit")


def primed_calls(state_handlers: list[Handler], v: Victims) -> list[Call]:
    """A page's whole state as one tab would drive it: open it on a victim's URL, fill its
    fields with the victim's ids, then press every button. Catches handlers that trust what
    an earlier handler of the same state left in it."""
    prime = [h for h in state_handlers if h.key.rpartition(".")[2].startswith(PRIMING)]
    act = [h for h in state_handlers if h not in prime]
    calls: list[Call] = []
    for vid in v.primary:
        q = _query(vid)
        calls += [(h.event, {n: _as(t, vid) for n, t in h.params}, q) for h in prime]
        for h in act:
            calls.append((h.event, {n: _as(t, vid) for n, t in h.params}, q))
            if h.params:
                calls.append((h.event, {}, q))
    return calls


def _exercise(
    calls: list[Call],
    who: Identity,
    v: Victims,
    engine: Engine,
    backend_url: str,
    before: Snapshot,
    background: bool = False,
) -> tuple[list[Change], Snapshot, list[str]]:
    """Make the calls in one tab; return the database changes and the leaked markers."""
    who.refresh(engine)
    seen: list[dict] = []
    with EventClient(backend_url, who.cookies()) as client:
        for event, payload, query in calls:
            client.call(event, payload, query=query)
        if background:
            time.sleep(0.5)
        client.settle()
        seen = client.log
    if who.refresh(engine):
        # A call ended the caller's session (logout): make each call again in a tab with a
        # fresh session, so no call is made as a mere visitor by accident.
        for event, payload, query in calls:
            with EventClient(backend_url, who.cookies()) as client:
                client.call(event, payload, query=query)
                client.settle()
                seen += client.log
            who.refresh(engine)
    after = snapshot(engine)
    wire = json.dumps(seen, ensure_ascii=False, default=str)
    leaked = [m for m in v.markers if m in wire]
    return diff(before, after), after, leaked


@pytest.fixture(scope="module")
def handlers(app_harness) -> list[Handler]:  # type: ignore[no-untyped-def]
    found = registered_handlers()
    return [h for h in found if h.key not in FRAMEWORK_SKIP]


def test_the_registry_lists_every_state_handler(handlers: list[Handler]) -> None:
    """The list the guard walks is complete: every State class's handlers are in it."""
    from reflex.state import State

    def walk(cls: type) -> Iterator[type]:
        yield cls
        for sub in cls.get_substates():  # type: ignore[attr-defined]
            yield from walk(sub)

    expected = {
        f"{cls.get_full_name()}.{name}"  # type: ignore[attr-defined]
        for cls in walk(State)
        for name in cls.event_handlers  # type: ignore[attr-defined]
    }
    called = {h.event for h in handlers}
    skipped = {
        f"{cls.get_full_name()}.{name}"  # type: ignore[attr-defined]
        for cls in walk(State)
        for name in cls.event_handlers  # type: ignore[attr-defined]
        if f"{cls.__module__}.{cls.__name__}.{name}" in FRAMEWORK_SKIP
    }
    assert expected - skipped <= called
    # Sanity: the app's own states are there.
    keys = {h.key for h in handlers}
    assert "cabinet.access.state.SessionState.logout" in keys
    assert "cabinet.i18n.LangState.set_lang" in keys
    stale = (set(PUBLIC_HANDLERS) | set(FRAMEWORK_SKIP)) - {h.key for h in registered_handlers()}
    assert not stale, f"allowlist entries for handlers that no longer exist: {sorted(stale)}"


@pytest.mark.timeout(2400)  # several hundred handlers; minutes on a busy 2-core machine
@pytest.mark.parametrize("who", ["anonymous", "customer of another organisation"])
def test_every_handler_refuses_strangers(
    who: str,
    handlers: list[Handler],
    victims: Victims,
    e2e_engine: Engine,
    backend_url: str,
) -> None:
    identity = Identity(who, None if who == "anonymous" else ATTACKER)
    caller = identity.caller_id()
    findings: list[Finding] = []
    start = after = snapshot(e2e_engine)
    judged: set[tuple[str, tuple]] = set()
    rounds: list[tuple[str, list[str], list[Call], bool]] = [
        (h.key, [h.key], single_calls(h, victims), h.background) for h in handlers
    ]
    by_state: dict[str, list[Handler]] = {}
    for h in handlers:
        if not h.key.startswith("reflex.") and not h.event.endswith(".setvar"):
            by_state.setdefault(h.key.rpartition(".")[0], []).append(h)
    rounds += [
        (
            f"{state} (one tab, all handlers)",
            [h.key for h in hs],
            primed_calls(hs, victims),
            any(h.background for h in hs),
        )
        for state, hs in by_state.items()
    ]
    for label, keys, calls, background in rounds:
        before = after
        changes, after, leaked = _exercise(
            calls, identity, victims, e2e_engine, backend_url, after, background
        )
        ctx = Ctx(caller_id=caller, after=after, before=before)
        judged |= {(c.table, c.key) for c in changes}
        findings += [
            Finding(label, f"changed {c}")
            for c in changes
            if not any(allowed(k, c, ctx) for k in keys)
        ]
        findings += [Finding(label, f"sent another organisation's data: {m!r}") for m in leaked]
    # Late writes (background work) show up only in the whole run's difference.
    end = snapshot(e2e_engine)
    ctx = Ctx(caller_id=caller, after=end, before=start)
    findings += [
        Finding("(whole run, late write)", f"changed {c}")
        for c in diff(start, end)
        if (c.table, c.key) not in judged and not allowed("", c, ctx)
    ]
    _reset_throttling(e2e_engine)
    assert not findings, (
        f"{len(findings)} problem(s) calling {len(handlers)} handlers as {who}:\n"
        + "\n".join(f"- {f.handler}: {f.problem}" for f in findings[:60])
    )


def _reset_throttling(engine: Engine) -> None:
    """Hostile logins may have locked demo accounts and throttled 127.0.0.1; the other e2e
    tests log in from the same address, so lift that (it is the point of throttling, not a
    change of data)."""
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM login_attempts"))
        conn.execute(text("UPDATE users SET failed_logins = 0, locked_until = NULL"))
