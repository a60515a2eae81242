"""A real SMTP server for the digest tests (aiosmtpd on 127.0.0.1), and the mail settings
that point the app at it: fixtures `mail` (settings, no server yet) and `inbox` (a server)."""

from __future__ import annotations

import email
import socket
from collections import Counter
from contextlib import contextmanager
from email import policy

import pytest
from aiosmtpd.controller import Controller

MAIL_KEYS = ("MAIL_HOST", "MAIL_PORT", "MAIL_SECURITY", "MAIL_OUTBOX", "DIGEST_SHOW_NAMES")


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        return "250 OK"

    def to(self) -> Counter:
        return Counter(m["To"] for m in self.messages)

    def of(self, address: str):
        return next(m for m in self.messages if m["To"] == address)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(port: int):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def mail(app_ctx, tmp_path):
    """SMTP settings pointing at a free local port (no server until one is started)."""
    saved = {key: app_ctx.config[key] for key in MAIL_KEYS}
    app_ctx.config.update(
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=free_port(),
        MAIL_SECURITY="none",
        MAIL_OUTBOX=str(tmp_path / "outbox"),
        DIGEST_SHOW_NAMES=False,
    )
    yield app_ctx.config
    app_ctx.config.update(saved)


@pytest.fixture
def inbox(mail):
    with smtp_server(mail["MAIL_PORT"]) as box:
        yield box
