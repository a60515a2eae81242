"""Digests over an encrypted, authenticated SMTP connection: aiosmtpd on 127.0.0.1 with a
certificate signed by a CA made at test time (openssl), trusted through MAIL_CA_FILE.

STARTTLS (port 587 style) and implicit TLS (port 465 style), each with a login; the
certificate is verified, so a server the client cannot trust gets nothing, nor does a wrong
password."""

from __future__ import annotations

import email
import shutil
import ssl
import subprocess
from contextlib import contextmanager
from datetime import date, datetime
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from priorauth.extensions import db
from priorauth.models import DigestDelivery
from priorauth.notify.runner import send_digests
from tests import factories
from tests.integration.test_digests import free_port

DAY = date(2026, 3, 16)
RUN_AT = datetime(2026, 3, 16, 10, 5)
LOGIN, PASSWORD = "digest-bot", "smtp-pass-7f3a"
MAIL_KEYS = (
    "MAIL_HOST",
    "MAIL_PORT",
    "MAIL_SECURITY",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_CA_FILE",
    "MAIL_OUTBOX",
)
SERVER_EXTENSIONS = (
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
    "basicConstraints=critical,CA:FALSE\n"
    "keyUsage=critical,digitalSignature,keyEncipherment\n"
    "extendedKeyUsage=serverAuth\n"
)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _make_ca(folder: Path, name: str) -> None:
    _openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
        "-nodes", "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
        "-subj", f"/CN=priorauth test {name}",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=folder,
    )  # fmt: skip


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> dict[str, Path]:
    """A test CA, a server certificate it signed for 127.0.0.1, and an unrelated CA."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make a test certificate")
    folder = tmp_path_factory.mktemp("certs")
    _make_ca(folder, "ca")
    _make_ca(folder, "other-ca")
    (folder / "server.ext").write_text(SERVER_EXTENSIONS)
    _openssl(
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1",
        cwd=folder,
    )  # fmt: skip
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext",
        cwd=folder,
    )  # fmt: skip
    return {
        "ca": folder / "ca.pem",
        "other_ca": folder / "other-ca.pem",
        "cert": folder / "server.pem",
        "key": folder / "server.key",
    }


class SecureInbox:
    """Keeps each accepted message with how it arrived: the TLS version and the login."""

    def __init__(self):
        self.received: list[dict] = []

    async def handle_DATA(self, server, session, envelope):
        tls = server.transport.get_extra_info("ssl_object")
        self.received.append(
            {
                "message": email.message_from_bytes(envelope.content, policy=policy.default),
                "tls": tls.version() if tls else None,
                "authenticated": session.authenticated,
                "login": session.auth_data.login if session.auth_data else None,
            }
        )
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        LOGIN.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd answers a refusal with 535 (its default, True, answers nothing)
    return AuthResult(success=good, handled=False, auth_data=auth_data if good else None)


def server_context(certs) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs["cert"], certs["key"])
    return context


@contextmanager
def smtp_server(port: int, certs, mode: str):
    """STARTTLS required before AUTH and MAIL, or TLS from the first byte; login required."""
    inbox = SecureInbox()
    context = server_context(certs)
    if mode == "starttls":
        options = {"tls_context": context, "require_starttls": True}
    else:
        options = {"ssl_context": context, "auth_require_tls": False}
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_required=True,
        **options,
    )
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def recipient(app_ctx):
    """One admin who asked for the digest even when nothing is due."""
    user = factories.user(factories.clinic(), "admin")
    user.digest_when_empty = True
    db.session.commit()
    return user


@pytest.fixture
def mail(app_ctx, certs, tmp_path):
    saved = {key: app_ctx.config.get(key) for key in MAIL_KEYS}
    app_ctx.config.update(
        MAIL_HOST="127.0.0.1",
        MAIL_PORT=free_port(),
        MAIL_USERNAME=LOGIN,
        MAIL_PASSWORD=PASSWORD,
        MAIL_CA_FILE=str(certs["ca"]),
        MAIL_OUTBOX=str(tmp_path / "outbox"),
    )
    yield app_ctx.config
    app_ctx.config.update(saved)


def the_row() -> DigestDelivery:
    db.session.expire_all()
    return db.session.scalars(sa.select(DigestDelivery)).one()


# aiosmtpd warns that AUTH without STARTTLS is unsafe: it cannot tell the socket is TLS already
IMPLICIT_TLS = pytest.param(
    "ssl",
    marks=pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
)


@pytest.mark.parametrize("mode", ["starttls", IMPLICIT_TLS])
def test_digest_is_sent_encrypted_after_login(mode, mail, certs, recipient):
    mail["MAIL_SECURITY"] = mode
    with smtp_server(mail["MAIL_PORT"], certs, mode) as inbox:
        counts = send_digests(recipient.clinic_id, DAY, now_utc=RUN_AT)
    assert (counts["sent"], counts["failed"]) == (1, 0)
    [arrived] = inbox.received
    assert arrived["tls"] in ("TLSv1.2", "TLSv1.3")
    assert (arrived["authenticated"], arrived["login"]) == (True, LOGIN.encode())
    assert arrived["message"]["To"] == recipient.email
    assert arrived["message"]["Subject"].endswith(f"{DAY}: nothing due")
    row = the_row()
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 1, RUN_AT, None)


@pytest.mark.parametrize("mode", ["starttls", IMPLICIT_TLS])
def test_a_server_certificate_from_an_untrusted_ca_gets_nothing(mode, mail, certs, recipient):
    mail.update(MAIL_SECURITY=mode, MAIL_CA_FILE=str(certs["other_ca"]))
    with smtp_server(mail["MAIL_PORT"], certs, mode) as inbox:
        counts = send_digests(recipient.clinic_id, DAY, now_utc=RUN_AT)
    assert (counts["sent"], counts["failed"], inbox.received) == (0, 1, [])
    row = the_row()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error


def test_without_a_ca_file_the_system_cas_do_not_trust_a_private_ca(mail, certs, recipient):
    mail.update(MAIL_SECURITY="starttls", MAIL_CA_FILE="")
    with smtp_server(mail["MAIL_PORT"], certs, "starttls") as inbox:
        counts = send_digests(recipient.clinic_id, DAY, now_utc=RUN_AT)
    assert (counts["failed"], inbox.received) == (1, [])
    assert "CERTIFICATE_VERIFY_FAILED" in the_row().last_error


def test_a_wrong_password_is_a_failed_delivery_to_retry(mail, certs, recipient):
    mail.update(MAIL_SECURITY="starttls", MAIL_PASSWORD="not-the-password")
    with smtp_server(mail["MAIL_PORT"], certs, "starttls") as inbox:
        counts = send_digests(recipient.clinic_id, DAY, now_utc=RUN_AT)
    assert (counts["failed"], inbox.received) == (1, [])
    row = the_row()
    assert row.status == "failed" and row.last_error.startswith("SMTPAuthenticationError")
    assert "not-the-password" not in row.last_error


def test_plain_connection_to_a_starttls_only_server_sends_nothing(mail, certs, recipient):
    mail.update(MAIL_SECURITY="none")
    with smtp_server(mail["MAIL_PORT"], certs, "starttls") as inbox:
        counts = send_digests(recipient.clinic_id, DAY, now_utc=RUN_AT)
    assert (counts["failed"], inbox.received) == (1, [])
    assert the_row().status == "failed"
