"""The send loop: each recipient's digest for a day, delivered exactly once.

Protocol per recipient and day: INSERT the DigestDelivery row (pending, with its items) and
COMMIT before sending; the unique (user_id, digest_date) makes a second sender back off.
After sending, the row becomes `sent`; an SMTP error makes it `failed` with a backoff.
A later run claims (one conditional UPDATE) a failed row whose next_attempt_at has passed,
or a pending row whose lease ran out (a crash between the row and the send), and sends the
items stored in the row. A sent row is never sent again. This module commits: it is the
caller, like an API view.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from priorauth.domain.digests import Digest, stored_items
from priorauth.extensions import db
from priorauth.models import Clinic, DigestDelivery, User
from priorauth.models.base import utcnow
from priorauth.notify import delivery
from priorauth.notify.render import Rendered, build_message, render
from priorauth.permissions import REASSIGN_OWNERS, has_role
from priorauth.queries.digests import delivery_of, digest_for, items_on, stored_digest
from priorauth.queries.escalations import with_escalated
from priorauth.services import action_links

log = logging.getLogger("priorauth.notify")

LEASE = timedelta(minutes=5)  # a pending row untouched this long is taken to be abandoned
FIRST_RETRY = timedelta(minutes=5)
MAX_BACKOFF = timedelta(hours=6)
MAIL_ERRORS = (smtplib.SMTPException, OSError)
OUTCOMES = ("sent", "failed", "skipped_empty", "already_sent", "waiting", "would_send")


def backoff(attempts: int) -> timedelta:
    """5 min after the first failure, doubling, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def recipients(clinic_id: int) -> list[User]:
    """Active users of the clinic who opted in to the digest."""
    query = sa.select(User).where(
        User.clinic_id == clinic_id, User.digest_opt_in.is_(True), User.active.is_(True)
    )
    return db.session.scalars(query.order_by(User.id)).all()


def send_digests(
    clinic_id: int, digest_date: date, now_utc: datetime | None = None, dry_run: bool = False
) -> dict:
    """Send the clinic's digests of the day; counts per outcome (see OUTCOMES)."""
    delivery.check_config(current_app.config)
    counts = dict.fromkeys(OUTCOMES, 0)
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None:
        return counts
    now_utc = now_utc or utcnow()
    items = with_escalated(clinic, digest_date, items_on(clinic, digest_date))
    db.session.commit()  # the reminder states it synced (derived facts, as a page's)
    for user in recipients(clinic_id):
        counts[_send_to(user, digest_date, items, now_utc, dry_run)] += 1
    log.info("digests of %s for %s: %s", clinic.name, digest_date, counts)
    return counts


def _send_to(user: User, digest_date: date, items, now_utc: datetime, dry_run: bool) -> str:
    row = delivery_of(user.id, digest_date)
    if row is not None:
        return _resume(row, now_utc, dry_run)
    digest = digest_for(user, items, digest_date)
    if digest.is_empty and not user.digest_when_empty:
        return "skipped_empty"
    if dry_run:
        return "would_send"
    row = _insert_pending(user, digest, now_utc)
    if row is None:
        return "waiting"
    rendered = render(digest, user, links=_links(user, digest))  # links: after the row's
    return _send(row, user, rendered, now_utc)


def _insert_pending(user: User, digest: Digest, now_utc: datetime) -> DigestDelivery | None:
    """The row, committed before anything is sent; None when another sender has it."""
    user_id, clinic_id = user.id, user.clinic_id
    row = DigestDelivery(
        clinic_id=clinic_id,
        user_id=user_id,
        digest_date=digest.digest_date,
        status="pending",
        items=stored_items(digest),
        attempts=0,
        next_attempt_at=now_utc + LEASE,
        created_at=now_utc,
    )
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("digest of user %s for %s taken by another sender", user_id, digest.digest_date)
        return None
    return row


def _due(now_utc: datetime):
    """SQL: a failed or pending row whose next attempt (or lease end) has come."""
    return sa.and_(
        DigestDelivery.status.in_(("pending", "failed")),
        sa.or_(
            DigestDelivery.next_attempt_at <= now_utc,
            sa.and_(
                DigestDelivery.next_attempt_at.is_(None),
                DigestDelivery.created_at <= now_utc - LEASE,
            ),
        ),
    )


def _claim(row_id: int, now_utc: datetime) -> bool:
    """Take a due row for this run (pending, new lease); False when someone else did."""
    result = db.session.execute(
        sa.update(DigestDelivery)
        .where(DigestDelivery.id == row_id, _due(now_utc))
        .values(status="pending", next_attempt_at=now_utc + LEASE)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result.rowcount == 1


def _resume(row: DigestDelivery, now_utc: datetime, dry_run: bool) -> str:
    if row.status == "sent":
        return "already_sent"
    if dry_run:
        due = db.session.scalar(
            sa.select(DigestDelivery.id).where(DigestDelivery.id == row.id, _due(now_utc))
        )
        return "would_send" if due else "waiting"
    if not _claim(row.id, now_utc):
        return "waiting"
    digest = stored_digest(row)
    return _send(row, row.user, render(digest, row.user, links=_links(row.user, digest)), now_utc)


def _links(user: User, digest: Digest) -> dict:
    """Single-use links to acknowledge (and, for those who may, reassign) each reminder the
    digest shows, made once its row is stored (they commit with the row's outcome)."""
    keys = {item.reminder_key for item in digest.items if item.reminder_key}
    may_reassign = has_role(user, REASSIGN_OWNERS)
    actions = action_links.ACTIONS if may_reassign else ("acknowledge",)
    return action_links.issue(user, sorted(keys), actions)


def _message_id(row: DigestDelivery, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<digest-{row.id}-{row.digest_date}@{domain.strip('>')}>"


def _send(row: DigestDelivery, user: User, rendered: Rendered, now_utc: datetime) -> str:
    sender = current_app.config["MAIL_FROM"]
    message = build_message(rendered, user.email, sender, _message_id(row, sender))
    try:
        delivery.deliver(message)
    except MAIL_ERRORS as error:
        _mark_failed(row, error, now_utc)
        return "failed"
    row.status, row.sent_at, row.next_attempt_at = "sent", now_utc, None
    row.attempts += 1
    db.session.commit()
    return "sent"


def _mark_failed(row: DigestDelivery, error: Exception, now_utc: datetime) -> None:
    row.status = "failed"
    row.attempts += 1
    row.last_error = f"{type(error).__name__}: {error}"[:2000]
    row.next_attempt_at = now_utc + backoff(row.attempts)
    db.session.commit()
    log.warning(
        "digest %s to user %s failed (attempt %s, next at %s): %s",
        row.id,
        row.user_id,
        row.attempts,
        row.next_attempt_at,
        row.last_error,
    )
