"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives.

    with FakeSMTP() as smtp:
        settings = Settings(smtp_host=smtp.host, smtp_port=smtp.port)
        ...
        assert smtp.messages[0]["To"] == "a@example.com"

`smtp.fail_next(n, code=451)` makes the next n DATA commands answer with that code
(4xx: temporary, 5xx: permanent). With user/password the server offers AUTH LOGIN/PLAIN and records good logins.
"""

from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler:
    def __init__(self, owner: FakeSMTP) -> None:
        self.owner = owner

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        with self.owner._lock:
            if self.owner._failures > 0:
                self.owner._failures -= 1
                self.owner.refused += 1
                code = self.owner._fail_code
                return f"{code} {'4.3.0' if code < 500 else '5.7.1'} refused by the test"
            msg = message_from_bytes(envelope.content, policy=policy.default)
            self.owner.messages.append(msg)  # type: ignore[arg-type]
            self.owner.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


class FakeSMTP:
    def __init__(self, *, user: str = "", password: str = "") -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refused = 0
        self.logins: list[str] = []
        self._failures = 0
        self._fail_code = 451
        self._lock = threading.Lock()
        kwargs: dict[str, Any] = {}
        if user:

            def authenticator(_server, _session, _envelope, mechanism, data):  # type: ignore[no-untyped-def]
                ok = (
                    isinstance(data, LoginPassword)
                    and data.login.decode() == user
                    and data.password.decode() == password
                )
                if ok:
                    self.logins.append(user)
                return AuthResult(success=ok, handled=False)

            kwargs = {
                "authenticator": authenticator,
                "auth_require_tls": False,
            }
        self.controller = Controller(_Handler(self), hostname=self.host, port=self.port, **kwargs)

    def fail_next(self, n: int, *, code: int = 451) -> None:
        with self._lock:
            self._failures, self._fail_code = n, code

    def start(self) -> FakeSMTP:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> FakeSMTP:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
