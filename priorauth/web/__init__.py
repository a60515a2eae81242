"""Server-rendered pages for clinic staff."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_login import current_user

from priorauth.models.base import utcnow


def local_time(value, fmt: str = "%Y-%m-%d %H:%M"):
    """Jinja filter: a stored UTC timestamp shown in the signed-in user's clinic time zone."""
    if value is None:
        return ""
    zone = ZoneInfo(current_user.clinic.timezone) if current_user.is_authenticated else None
    if zone is None:
        return value.strftime(fmt)
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime(fmt)


def register_blueprints(app) -> None:
    from priorauth.web import auth, home

    app.register_blueprint(auth.bp)
    app.register_blueprint(home.bp)
    app.add_template_filter(local_time, "local_time")
    app.jinja_env.globals["utcnow"] = utcnow
