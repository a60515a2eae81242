"""The account page's calendar section: create, rotate and remove the user's secret feed URL
(the feed itself is web/calendar_feed.py, reached without a session)."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from priorauth.services import calendar_feed
from priorauth.web.commit import committed

bp = Blueprint("calendar", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every button here needs a signed-in user."""


@bp.post("/account/calendar")
def issue():
    """Create the feed URL, or replace it (the old URL stops working); shown once."""
    user = current_user._get_current_object()
    secret, _ = committed(lambda: calendar_feed.issue(user))
    return render_template("calendar/created.html", url=feed_url(secret))


@bp.post("/account/calendar/remove")
def remove():
    _, refusal = committed(lambda: calendar_feed.remove(current_user._get_current_object()))
    if refusal is None:
        flash("Your calendar feed is removed: its URL no longer works.", "success")
    else:
        flash(refusal.message, "error")
    return redirect(url_for("auth.change_password"))


def feed_url(secret: str) -> str:
    """The full URL under BASE_URL (what the calendar app is given)."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("calendar_feed.feed", secret=secret)
