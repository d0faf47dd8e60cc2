"""The identity every page state builds on: the session token and the caller resolved from it.

The token lives in a cookie so a reload or a dropped websocket keeps the user logged in; it is
re-checked against the database on every call and never trusted as identity by itself.
"""

from __future__ import annotations

import reflex as rx

from cabinet import routes
from cabinet.access.rules import Actor
from cabinet.access.service import load_actor
from cabinet.accounts.sessions import resolve_user_id
from cabinet.db import session_scope
from cabinet.errors import DomainError, NotAuthenticated

SESSION_COOKIE = "cabinet_session"


class SessionState(rx.State):
    """Base of every state that needs to know who is calling."""

    token: str = rx.Cookie("", name=SESSION_COOKIE, same_site="strict", max_age=30 * 24 * 3600)
    # What the shell shows about the caller. Display only: handlers re-resolve the actor.
    me_name: str = ""
    me_email: str = ""
    me_perms: list[str] = []
    me_orgs: int = 0
    me_staff: bool = False

    def _client_ip(self) -> str:
        try:
            return self.router.session.client_ip or ""
        except AttributeError:
            return ""

    def _user_agent(self) -> str:
        try:
            return str(self.router.headers.user_agent or "")
        except AttributeError:
            return ""

    def _actor(self) -> Actor | None:
        """The caller, resolved from the database; None for an anonymous visitor."""
        with session_scope() as s:
            user_id = resolve_user_id(s, self.token)
            if user_id is None:
                return None
            try:
                return load_actor(s, user_id)
            except DomainError:
                return None

    def _require_actor(self) -> Actor:
        actor = self._actor()
        if actor is None:
            raise NotAuthenticated()
        return actor

    def _show_identity(self, actor: Actor | None) -> None:
        if actor is None:
            self.me_name, self.me_email, self.me_perms, self.me_orgs = "", "", [], 0
            self.me_staff = False
        else:
            self.me_name = actor.full_name
            self.me_email = actor.email
            self.me_perms = sorted(
                actor.global_perms | {p for ps in actor.org_perms.values() for p in ps}
            )
            self.me_orgs = len(actor.member_org_ids)
            self.me_staff = actor.is_staff

    @rx.var
    def logged_in(self) -> bool:
        return self.me_name != ""

    @rx.event
    def require_login(self):
        """on_load of every page behind the login: unknown or expired session → login page."""
        actor = self._actor()
        self._show_identity(actor)
        if actor is None:
            return rx.redirect(routes.LOGIN)
        return None

    @rx.event
    def logout(self):
        """End this browser's session on the server and forget the token."""
        from cabinet.accounts.sessions import revoke_token

        if self.token:
            with session_scope() as s:
                revoke_token(s, self.token)
        self.token = ""
        self._show_identity(None)
        return rx.redirect(routes.LOGIN)

    @rx.event
    def load_identity(self):
        """on_load of public pages: show who is logged in, if anyone."""
        self._show_identity(self._actor())


def fail(error: DomainError):
    """The UI outcome of a refused action: a toast with the Russian message."""
    return rx.toast.error(error.message)


__all__ = ["SESSION_COOKIE", "NotAuthenticated", "SessionState", "fail"]
