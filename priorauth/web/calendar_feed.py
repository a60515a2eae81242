"""The calendar feed: a per-user secret iCalendar URL for Outlook or Google Calendar. No
session: the secret in the URL is the credential (guards.PUBLIC_BLUEPRINTS), fetches are
limited per address (extensions.THROTTLED_BLUEPRINTS). Events name patients by MRN and
initials only; the account page's buttons are web/calendar.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
from flask import Blueprint, Response, abort, current_app

from priorauth.extensions import db, limiter
from priorauth.queries.calendar import FeedEvent, feed_events
from priorauth.services import audit, calendar_feed, clock
from priorauth.services.clock import clinic_today

bp = Blueprint("calendar_feed", __name__)

INFUSION_LENGTH = timedelta(hours=1)  # the time an infusion blocks in the calendar
FEED_READ_NOTE = "calendar feed"


def _feed_limit() -> str:
    """Fetches per client address (calendar apps poll a few times an hour)."""
    return current_app.config["CALENDAR_FEED_RATE_LIMIT"]


@bp.get("/calendar/<secret>.ics")
@limiter.limit(_feed_limit, scope="calendar-feed")
def feed(secret: str):
    """The feed of the secret's user: their clinic's events; an unknown, rotated or removed
    secret is a 404. Each fetch is one audited read (one row, whatever the events)."""
    user = calendar_feed.user_for_secret(secret)
    if user is None:
        abort(404)
    events = feed_events(user.clinic_id, clinic_today(user.clinic))
    body = to_ical(user.clinic, events, clock.now_utc())
    audit.viewed(user, user, FEED_READ_NOTE)
    db.session.commit()
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = "inline; filename=priorauth.ics"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def to_ical(clinic, events: list[FeedEvent], now_utc: datetime) -> bytes:
    """The events as an iCalendar document in the clinic's time zone (VTIMEZONE included)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//priorauth//calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"priorauth · {clinic.name}")
    calendar.add("x-wr-timezone", clinic.timezone)
    zone, stamp = ZoneInfo(clinic.timezone), now_utc.replace(tzinfo=UTC)
    for event in events:
        calendar.add_component(_vevent(event, zone, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _vevent(event: FeedEvent, zone: ZoneInfo, stamp: datetime) -> icalendar.Event:
    vevent = icalendar.Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", stamp)
    vevent.add("summary", event.summary)
    vevent.add("description", event.description)
    start, end = _span(event.start, zone)
    vevent.add("dtstart", start)
    vevent.add("dtend", end)
    vevent.add("transp", "TRANSPARENT" if type(start) is date else "OPAQUE")
    return vevent


def _span(start: datetime | date, zone: ZoneInfo) -> tuple[date, date]:
    """A booking's hour in the clinic's zone, or a whole day (an authorization's end)."""
    if isinstance(start, datetime):
        local = start.replace(tzinfo=zone)
        return local, local + INFUSION_LENGTH
    return start, start + timedelta(days=1)
