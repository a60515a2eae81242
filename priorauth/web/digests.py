"""Pages: "my digest" (exactly what today's email says) and the clinic's reminders by type."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.digests import email_context
from priorauth.queries.digests import clinic_digest, digest_of_day
from priorauth.queries.escalations import sync_items
from priorauth.services import accounts
from priorauth.services.clock import clinic_now, moment
from priorauth.web.commit import committed

bp = Blueprint("digests", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def day_arg(name: str) -> tuple[date | None, dict]:
    """The optional YYYY-MM-DD query argument, or an error to show beside its field."""
    text = request.args.get(name, "").strip()
    if not text:
        return None, {}
    try:
        return date.fromisoformat(text), {}
    except ValueError:
        return None, {name: ["Enter a date as YYYY-MM-DD."]}


def _sending_plan(user, digest, row, digest_date: date) -> str:
    """One sentence: whether and when this digest goes out."""
    clinic = user.clinic
    if row is not None:
        return {"sent": "sent", "failed": "failed", "pending": "pending"}[row.status]
    if not (user.digest_opt_in and user.active):
        return "not_subscribed"
    if digest.is_empty and not user.digest_when_empty:
        return "empty"
    now = clinic_now(clinic)
    if digest_date < now.date():
        return "not_sent"
    return "scheduled" if now < moment(clinic, digest_date) else "due"


def _email_context(digest, base_url: str) -> dict:
    """As the email is rendered (notify/render.py), from the same domain/digests.py context."""
    return email_context(digest, current_user.clinic.name, current_user.name, base_url)


@bp.get("/digests/mine")
def mine():
    """The signed-in user's digest of the day (default today), as the email has it."""
    clinic = current_user.clinic
    day, errors = day_arg("date")
    digest_date = day or clinic_now(clinic).date()
    (digest, row), _ = committed(lambda: digest_of_day(current_user, digest_date))
    page = _email_context(digest, base_url="")
    text = render_template(
        "email/digest.txt", **_email_context(digest, current_app.config["BASE_URL"])
    )
    return render_template(
        "digests/mine.html",
        **page,
        email_text=text,
        row=row,
        errors=errors,
        plan=_sending_plan(current_user, digest, row, digest_date),
        clinic=clinic,
        form={"date": request.args.get("date", "") if errors else digest_date.isoformat()},
    ), (400 if errors else 200)


@bp.post("/digests/settings")
def settings():
    """Opt in or out of the daily email, and whether to get it when nothing is due."""
    _, refusal = committed(
        lambda: accounts.update_digest_settings(
            current_user,
            request.form.get("digest_opt_in") == "on",
            request.form.get("digest_when_empty") == "on",
        )
    )
    if refusal is None:
        flash("Your digest settings are saved.", "success")
    else:
        flash(refusal.message, "error")
    return redirect(url_for("digests.mine"))


@bp.get("/reminders")
def reminders():
    """Every reminder of the clinic (now, or a day at the digest hour), grouped by type."""
    clinic = current_user.clinic
    day, errors = day_arg("as_of")
    now_local = moment(clinic, day)
    digest, _ = committed(lambda: clinic_digest(clinic, now_local))  # stale facts refreshed
    acknowledged = None
    if day is None:  # now: acknowledge buttons, the reminder states in step
        acknowledged, _ = committed(lambda: sync_items(clinic, digest.items, now_local.date()))
    return render_template(
        "digests/reminders.html",
        digest=digest,
        acknowledge_forms=acknowledged is not None,
        acknowledged=acknowledged or set(),
        ack_next="/reminders",
        base_url="",
        now_local=now_local,
        errors=errors,
        form={"as_of": request.args.get("as_of", "")},
    ), (400 if errors else 200)
