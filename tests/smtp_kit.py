"""A local SMTP server for the tests (aiosmtpd): it keeps every message it accepts and refuses,
with 550, the addresses that start with « refuse »."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from diagnostic.campaigns.mailer import SmtpConfig

REFUSED_PREFIX = "refuse"


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.lower().startswith(REFUSED_PREFIX):
            self.refused.append(address)
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, SmtpConfig]]:
    """A server on 127.0.0.1 for the duration of the block, and the settings to reach it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield (
            inbox,
            SmtpConfig(
                host="127.0.0.1",
                port=port,
                security="aucune",
                sender="Diagnostic <diagnostic@cc-test.fr>",
            ),
        )
    finally:
        controller.stop()
