"""Sending one message: SMTP when MAIL_HOST is set, else an .eml file in MAIL_OUTBOX."""

from __future__ import annotations

import logging
import os
import re
import smtplib
import ssl
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from flask import current_app

from priorauth.security import private_dir, write_private

log = logging.getLogger("priorauth.notify")
SECURITY_MODES = ("none", "starttls", "ssl")
SMTP_TIMEOUT = 30  # seconds per SMTP operation; well under the runner's pending lease


class MailConfigError(ValueError):
    """The MAIL_* settings cannot work."""


def check_config(config) -> None:
    if config.get("MAIL_SECURITY", "none") not in SECURITY_MODES:
        raise MailConfigError(
            f"MAIL_SECURITY must be one of {', '.join(SECURITY_MODES)},"
            f" not {config.get('MAIL_SECURITY')!r}"
        )


def deliver(message: EmailMessage) -> str:
    """Send the message; returns where it went. SMTP and file errors propagate."""
    config = current_app.config
    check_config(config)
    if not config.get("MAIL_HOST"):
        return write_outbox(message, Path(config["MAIL_OUTBOX"]))
    return send_smtp(message, config)


def tls_context(config) -> ssl.SSLContext:
    """Verifies the server's certificate and host name: against the CA certificates in
    MAIL_CA_FILE when set (a private CA), else the system's trusted CAs."""
    return ssl.create_default_context(cafile=config.get("MAIL_CA_FILE") or None)


def _smtp_client(config) -> smtplib.SMTP:
    host, port = config["MAIL_HOST"], int(config["MAIL_PORT"])
    if config["MAIL_SECURITY"] == "ssl":
        context = tls_context(config)
        return smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT, context=context)
    return smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)


def send_smtp(message: EmailMessage, config) -> str:
    with _smtp_client(config) as smtp:
        if config["MAIL_SECURITY"] == "starttls":
            smtp.starttls(context=tls_context(config))
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
    where = f"smtp://{config['MAIL_HOST']}:{config['MAIL_PORT']}"
    log.info("digest %s sent via %s", message["Message-ID"], where)
    return where


def _file_name(message: EmailMessage) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    recipient = re.sub(r"[^A-Za-z0-9._-]+", "_", str(message["To"]))
    return f"{stamp}-{recipient}-{uuid.uuid4().hex[:8]}.eml"


def write_outbox(message: EmailMessage, outbox: Path) -> str:
    """Write the message whole (temporary file, then rename) and log where it is.

    The folder is 0700 and each file 0600: a digest may name patients."""
    private_dir(outbox)
    path = outbox / _file_name(message)
    partial = path.with_suffix(".part")
    write_private(partial, message.as_bytes())
    os.replace(partial, path)
    log.info("digest %s written to %s", message["Message-ID"], outbox)
    return str(path)
