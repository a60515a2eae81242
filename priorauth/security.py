"""Security headers on every response, and owner-only files for what holds PHI.

The Content-Security-Policy allows nothing inline: pages keep their CSS in static/app.css and
their scripts in static/*.js. `img-src data:` is for the CSS's own data-URI images.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from flask import current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # Flask-WTF's HTTPS referrer check needs same-origin
}
HSTS = "max-age=31536000; includeSubDomains"
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def add_security_headers(response):
    """after_request: the headers above; nothing but static files may be cached."""
    response.headers.update(SECURITY_HEADERS)
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers["Strict-Transport-Security"] = HSTS
    return response


# owner-only files -------------------------------------------------------------------------


def private_dir(path: str | os.PathLike) -> Path:
    """Create the folder (and its parents) if needed and make it owner-only (0700)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, PRIVATE_DIR)
    return folder


def write_private(path: str | os.PathLike, data: bytes) -> None:
    """Write a new file that only its owner can read (0600 whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), PRIVATE_FILE)
        handle.write(data)


def make_private(*paths: str | os.PathLike) -> None:
    """chmod 0600 each of these files that exists."""
    for path in paths:
        try:
            os.chmod(path, PRIVATE_FILE)
        except FileNotFoundError:
            continue


def sqlite_files(database: str) -> tuple[str, ...]:
    """The database file and its write-ahead log and shared-memory files."""
    return (database, f"{database}-wal", f"{database}-shm")


# logs -------------------------------------------------------------------------------------

QUERY_STRING = re.compile(r"\?[^\s\"]*")


class DropQueryStrings(logging.Filter):
    """Access-log lines keep the path but not the query string (it may carry search text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args and isinstance(record.args, tuple):
            record.args = tuple(
                QUERY_STRING.sub("?…", arg) if isinstance(arg, str) else arg for arg in record.args
            )
        elif isinstance(record.msg, str):
            record.msg = QUERY_STRING.sub("?…", record.msg)
        return True
