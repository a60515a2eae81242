"""The digest's edge cases: an unknown clinic, a dry run over failed rows, one item, a user's
role with no digest types, a failed send retried only once its backoff has passed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from priorauth.domain import digests
from priorauth.domain.digests import subject_of
from priorauth.domain.reminders import Thresholds
from priorauth.extensions import db
from priorauth.models import DigestDelivery
from priorauth.notify.runner import OUTCOMES, backoff, send_digests
from priorauth.queries import digests as digest_queries
from priorauth.queries.digests import stored_digest
from tests import factories
from tests.integration.test_digests import deliveries, smtp_server

DAY = date(2026, 3, 16)
RUN_AT = datetime(2026, 3, 16, 10, 5)


@pytest.fixture
def wants_empty(clinic):
    """An admin of a quiet clinic who asked for the digest even when nothing is due."""
    user = factories.user(clinic, "admin")
    user.digest_opt_in, user.digest_when_empty = True, True
    db.session.commit()
    return user


def _item(kind: str, **ids) -> digests.DigestItem:
    return digests.DigestItem(kind, DAY, "MRN-1 (A.L.): something", "/x", 0, **ids)


def test_a_clinic_that_does_not_exist_gets_no_digests(app_ctx, mail):
    counts = send_digests(987654, DAY, now_utc=RUN_AT)
    assert counts == dict.fromkeys(OUTCOMES, 0)


def test_an_empty_digest_for_who_asked_says_nothing_due(wants_empty, mail):
    with smtp_server(mail["MAIL_PORT"]) as inbox:
        assert send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT)["sent"] == 1
    (message,) = inbox.messages
    assert message["Subject"] == f"{wants_empty.clinic.name} digest for {DAY}: nothing due"
    assert deliveries()[wants_empty.email].items == []


def test_a_dry_run_tells_a_due_retry_from_one_still_backing_off(wants_empty, mail):
    counts = send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT)  # no server: fails
    assert counts["failed"] == 1
    row = deliveries()[wants_empty.email]
    assert row.status == "failed" and row.next_attempt_at == RUN_AT + backoff(1)
    early = send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT + timedelta(minutes=1))
    assert early["waiting"] == 1  # not claimed: the backoff has not passed
    dry = send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT + backoff(1), dry_run=True)
    assert dry["would_send"] == 1
    dry_early = send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT, dry_run=True)
    assert dry_early["waiting"] == 1
    assert deliveries()[wants_empty.email].attempts == 1  # dry runs touched nothing


def test_a_retry_after_the_backoff_sends_the_stored_digest(wants_empty, mail):
    send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT)
    with smtp_server(mail["MAIL_PORT"]) as inbox:
        later = RUN_AT + backoff(1)
        assert send_digests(wants_empty.clinic_id, DAY, now_utc=later)["sent"] == 1
    row = deliveries()[wants_empty.email]
    assert (row.status, row.attempts, row.sent_at) == ("sent", 2, later)
    assert len(inbox.messages) == 1 and "nothing due" in inbox.messages[0]["Subject"]


def test_a_pending_row_without_a_next_attempt_is_claimed_after_the_lease(wants_empty, mail):
    row = DigestDelivery(
        clinic_id=wants_empty.clinic_id,
        user_id=wants_empty.id,
        digest_date=DAY,
        status="pending",
        items=None,
        attempts=0,
        next_attempt_at=None,
        created_at=RUN_AT,
    )
    db.session.add(row)
    db.session.commit()
    assert stored_digest(row).is_empty
    soon = send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT + timedelta(minutes=4))
    assert soon["waiting"] == 1
    with smtp_server(mail["MAIL_PORT"]) as inbox:
        late = send_digests(wants_empty.clinic_id, DAY, now_utc=RUN_AT + timedelta(minutes=5))
    assert late["sent"] == 1 and len(inbox.messages) == 1


def test_backoff_doubles_and_stops_at_six_hours():
    assert [backoff(n) for n in (0, 1, 2, 3)] == [timedelta(minutes=m) for m in (5, 5, 10, 20)]
    assert backoff(30) == timedelta(hours=6)


def test_one_item_is_counted_in_the_singular():
    one = digests.group([_item("AUTH_EXPIRING", authorization_id=4)], DAY, Thresholds())
    assert subject_of(one, "Harbor") == f"Harbor digest for {DAY}: 1 item"
    two = digests.group(
        [_item("AUTH_EXPIRING", authorization_id=4), _item("UNITS_LOW", authorization_id=5)],
        DAY,
        Thresholds(),
    )
    assert subject_of(two, "Harbor") == f"Harbor digest for {DAY}: 2 items"


def test_items_link_to_their_infusion_else_their_authorization():
    on_auth = _item("AUTH_EXPIRING", authorization_id=4)
    on_infusion = _item("INFUSION_UPCOMING", authorization_id=4, infusion_id=9)
    assert on_auth.link_text == "Open authorization #4"
    assert on_infusion.link_text == "Open infusion #9"
    assert digests.DigestItem.from_json(on_infusion.to_json()) == on_infusion


def test_a_role_without_digest_types_gets_an_empty_digest():
    items = [_item("AUTH_EXPIRING", authorization_id=4)]
    assert digests.for_role(items, "auditor") == []
    assert [i.type for i in digests.for_role(items, "front_desk")] == ["AUTH_EXPIRING"]


def test_names_are_looked_up_only_for_items_about_a_patient(app_ctx):
    items = [_item("AUTH_EXPIRING", authorization_id=4)]
    assert digest_queries.with_names(items) == items
