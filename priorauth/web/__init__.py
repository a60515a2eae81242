"""Server-rendered pages for clinic staff."""

from __future__ import annotations

from importlib import import_module
from zoneinfo import ZoneInfo

from flask_login import current_user

from priorauth.domain import vocab
from priorauth.models.base import utcnow
from priorauth.permissions import BILLING, MANAGE_STAFF, VIEW_AUDIT, has_role
from priorauth.schemas.labels import field_label


def local_time(value, fmt: str = "%Y-%m-%d %H:%M"):
    """Jinja filter: a stored UTC timestamp shown in the signed-in user's clinic time zone."""
    if value is None:
        return ""
    zone = ZoneInfo(current_user.clinic.timezone) if current_user.is_authenticated else None
    if zone is None:
        return value.strftime(fmt)
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).strftime(fmt)


NAV_LINKS = (
    ("patients.index", "Patients"),
    ("authorizations.index", "Requests"),
    ("schedule.index", "Schedule"),
    ("schedule.coverage_check", "Coverage check"),
    ("digests.reminders", "Reminders"),
    ("digests.mine", "My digest"),
    ("billing.index", "Billing"),
    ("payers.index", "Payers"),
    ("reports.index", "Reports"),
    ("clinic.settings", "Clinic"),
    ("staff.index", "Staff"),
    ("audit.index", "Audit"),
)
# Links shown only to some roles (the rest are for everyone signed in).
NAV_ROLES = {"staff.index": MANAGE_STAFF, "audit.index": VIEW_AUDIT, "billing.index": BILLING}


def nav_allowed(endpoint: str) -> bool:
    """Jinja global: whether the signed-in user sees this navigation link."""
    roles = NAV_ROLES.get(endpoint)
    return roles is None or (current_user.is_authenticated and has_role(current_user, roles))


# The page modules, in the order their blueprints are registered (priorauth.web.<name>).
PAGE_MODULES = (
    "auth",
    "home",
    "patients",
    "attachments",
    "payers",
    "rates",
    "authorizations",
    "letters",
    "schedule",
    "infusions",
    "billing",
    "search",
    "digests",
    "clinic",
    "owners",
    "staff",
    "audit",
    "reports",
    "follow_through",
    "calendar",
    "calendar_feed",
    "exports",
    "imports",
)


def register_blueprints(app) -> None:
    """Every page blueprint, then the globals and filters the templates use."""
    for name in PAGE_MODULES:
        app.register_blueprint(import_module(f"priorauth.web.{name}").bp)
    register_template_helpers(app)


def register_template_helpers(app) -> None:
    """Jinja globals and filters shared by every page."""
    from priorauth.web import dose

    app.jinja_env.globals["nav_links"] = [
        (endpoint, label) for endpoint, label in NAV_LINKS if endpoint in app.view_functions
    ]
    app.jinja_env.globals["nav_allowed"] = nav_allowed
    app.jinja_env.globals["dose_preview"] = dose.dose_preview  # dose field: units, payer limit
    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(vocab.label, "label")  # {{ infusion.status|label }}: No-show
    app.jinja_env.globals["field_label"] = field_label  # the words for a field name
    app.jinja_env.globals["choices"] = vocab.choices  # choices(vocab.Sex): select options
    app.jinja_env.globals["vocab"] = vocab
    app.jinja_env.globals["utcnow"] = utcnow
