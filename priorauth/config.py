"""Settings from environment variables, with safe defaults for a laptop."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production


class ConfigError(RuntimeError):
    """The configuration is unsafe or unusable."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'priorauth.sqlite'}"


# Settings that do not come from the environment.
FIXED_SETTINGS = {
    "MAX_CONTENT_LENGTH": 1024 * 1024,  # 1 MiB: no body but an upload needs more (guards.py)
    "WTF_CSRF_CHECK_DEFAULT": False,  # priorauth.guards.protect_from_csrf decides
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "API_TITLE": "priorauth",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


def from_environment(instance_path: str) -> dict:
    """Every setting priorauth reads (and FIXED_SETTINGS); the README has the same table."""
    return {
        **FIXED_SETTINGS,
        "PRIORAUTH_ENV": os.environ.get("PRIORAUTH_ENV", "development"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL")
        or default_database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {},  # a fresh dict per app; see engine_options
        "MAIL_HOST": os.environ.get("MAIL_HOST", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_SECURITY": os.environ.get("MAIL_SECURITY", "none"),  # none | starttls | ssl
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_CA_FILE": os.environ.get("MAIL_CA_FILE", ""),  # extra CAs to trust (PEM)
        "MAIL_FROM": os.environ.get("MAIL_FROM", "priorauth@localhost"),
        "MAIL_OUTBOX": os.environ.get("MAIL_OUTBOX") or str(Path(instance_path) / "outbox"),
        "DIGEST_SHOW_NAMES": _bool("DIGEST_SHOW_NAMES", False),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "SCHEDULER_LOCK_ID": _int("SCHEDULER_LOCK_ID", 7_428_001),
        "SCHEDULER_HEARTBEAT_SECONDS": _int("SCHEDULER_HEARTBEAT_SECONDS", 300),
        "SESSION_COOKIE_SECURE": _bool(
            "SESSION_COOKIE_SECURE", os.environ.get("PRIORAUTH_ENV") == "production"
        ),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 12),
        "SIGN_IN_RATE_LIMIT": os.environ.get("SIGN_IN_RATE_LIMIT") or "10 per 15 minutes",
        "CALENDAR_FEED_RATE_LIMIT": os.environ.get("CALENDAR_FEED_RATE_LIMIT") or "120 per hour",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        "SIGN_IN_LOCKOUT_FAILURES": _int("SIGN_IN_LOCKOUT_FAILURES", 10),
        "SIGN_IN_LOCKOUT_MINUTES": _int("SIGN_IN_LOCKOUT_MINUTES", 15),
        "PASSWORD_RESET_LINK_HOURS": _int("PASSWORD_RESET_LINK_HOURS", 24),
        "PASSWORD_INVITE_LINK_HOURS": _int("PASSWORD_INVITE_LINK_HOURS", 72),
        # a digest's acknowledge / reassign links (services/action_links.py)
        "ACTION_LINK_DAYS": _int("ACTION_LINK_DAYS", 7),
        # the largest attachment; an upload's body may be UPLOAD_BODY_MARGIN more (guards.py)
        "ATTACHMENT_MAX_BYTES": _int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
    }


def engine_options(config) -> None:
    """A database server's connections are tested before use (it may have restarted and
    dropped them); an SQLite file has no connection to lose, and the test would cost every
    request a statement."""
    if not config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)


def check_safe(config) -> None:
    """Refuse to run in production with a default or empty secret key."""
    if config.get("PRIORAUTH_ENV") == "production" and config.get("SECRET_KEY") in (
        DEFAULT_SECRET_KEY,
        "",
        None,
    ):
        raise ConfigError("SECRET_KEY must be set to a random value when PRIORAUTH_ENV=production")
