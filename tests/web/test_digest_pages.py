"""The "my digest" page says what the email says; the reminders page groups by type."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest

from priorauth.notify.runner import send_digests
from priorauth.services.clock import clinic_today
from tests import factories
from tests.integration.test_digests import (
    FROZEN,
    RUN_AT,
    demo_user,
    expected_items,
    items_in,
    linked_ids,
    parts,
    seed_demo,
)

PASSWORD = "demo-password"


@pytest.fixture
def outbox(app_ctx, tmp_path):
    """Mail goes to a fresh outbox directory (no SMTP) for the test."""
    saved = {k: app_ctx.config[k] for k in ("MAIL_HOST", "MAIL_OUTBOX", "DIGEST_SHOW_NAMES")}
    app_ctx.config.update(MAIL_HOST="", MAIL_OUTBOX=str(tmp_path), DIGEST_SHOW_NAMES=False)
    yield tmp_path
    app_ctx.config.update(saved)


@pytest.fixture
def clinic_id(app_ctx):
    return seed_demo().id


def sign_in(client, address: str, password: str = PASSWORD) -> None:
    response = client.post("/login", data={"email": address, "password": password})
    assert response.status_code == 302


def emailed_to(outbox: Path, address: str):
    for path in outbox.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            return message
    raise AssertionError(f"no email to {address}")


def on_page(items):
    """Page items with the email's absolute links made relative, as the page has them."""
    return [(kind, text, re.sub(r"^https?://[^/]+", "", href)) for kind, text, href in items]


def test_my_digest_page_shows_what_the_email_says(client, clinic_id, outbox):
    desk = demo_user("front_desk")
    sign_in(client, desk.email)
    before = client.get(f"/digests/mine?date={FROZEN}")
    assert before.status_code == 200
    page = before.get_data(as_text=True)
    assert linked_ids(items_in(page)) == expected_items()["front_desk"]
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    text, body = parts(emailed_to(outbox, desk.email))
    assert items_in(page) == on_page(items_in(body))
    after = client.get(f"/digests/mine?date={FROZEN}").get_data(as_text=True)
    assert items_in(after) == items_in(page)
    assert f"Sent to {desk.email}" in after
    assert "PAYER ANSWERS OVERDUE (1)" in after and "MRN-10096 (T.W.)" in text


def test_my_digest_page_follows_the_role(client, clinic_id, outbox):
    sign_in(client, demo_user("scheduler").email)
    page = client.get(f"/digests/mine?date={FROZEN}").get_data(as_text=True)
    assert linked_ids(items_in(page)) == expected_items()["scheduler"]
    assert 'href="/infusions/' in page
    sign_in(client, demo_user("billing").email)
    empty = client.get(f"/digests/mine?date={FROZEN}").get_data(as_text=True)
    assert "Nothing is due." in empty and "no email is sent" in empty


def test_my_digest_defaults_to_today(client, app_ctx):
    clinic = factories.clinic()
    admin = factories.user(clinic, "admin")
    sign_in(client, admin.email, "correct-horse-7")
    response = client.get("/digests/mine")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"My digest for {clinic_today(clinic)}</h1>" in page
    assert "Nothing is due." in page and items_in(page) == []


def test_my_digest_refuses_a_bad_date_and_needs_a_sign_in(client, app_ctx):
    assert client.get("/digests/mine").status_code == 302
    assert client.get("/reminders").status_code == 302
    admin = factories.user(factories.clinic(), "admin")
    sign_in(client, admin.email, "correct-horse-7")
    response = client.get("/digests/mine?date=16/03/2026")
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD." in response.get_data(as_text=True)


def test_reminders_page_groups_every_reminder_by_type(client, clinic_id):
    sign_in(client, demo_user("scheduler").email)
    response = client.get(f"/reminders?as_of={FROZEN}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    sections = re.findall(r'<section class="digest-group" data-type="(\w+)"', page)
    assert sections == [
        "FOLLOW_UP_DUE",
        "RENEWAL_DUE",
        "EVIDENCE_STALE",
        "PAYER_RESPONSE_OVERDUE",
        "UNITS_LOW",
        "INFUSION_UNCOVERED",
        "INFUSION_UPCOMING",
        "AUTH_EXPIRING",
        "APPEAL_DEADLINE",
    ]
    items = items_in(page)
    assert linked_ids(items) == expected_items()["admin"]
    kinds = [kind for kind, _, _ in items]
    assert kinds == sorted(kinds, key=sections.index), "each type's items sit together"
    assert "Upcoming infusions to re-verify (3)" in page and "17 items due" in page
    assert "(Thomas Wright)" in page  # inside the tracker names are shown; email has MRNs
    for _, _, href in items[:2] + items[-1:]:
        assert href.startswith("/") and client.get(href).status_code == 200


def test_reminders_page_of_another_day(client, clinic_id):
    sign_in(client, demo_user("admin").email)
    later = client.get(f"/reminders?as_of={FROZEN + timedelta(days=9)}").get_data(as_text=True)
    assert "APPEAL_DEADLINE" not in re.findall(r'data-type="(\w+)"', later)  # its day has passed
    bad = client.get("/reminders?as_of=tomorrow")
    assert bad.status_code == 400


def test_a_user_can_opt_out_and_ask_for_empty_digests(client, front_desk):
    from priorauth.extensions import db
    from priorauth.models import AuditEvent

    client.post("/login", data={"email": front_desk.email, "password": "correct-horse-7"})
    page = client.get("/digests/mine").get_data(as_text=True)
    assert 'name="digest_opt_in" checked' in page
    response = client.post("/digests/settings", data={"digest_when_empty": "on"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (front_desk.digest_opt_in, front_desk.digest_when_empty) == (False, True)
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == "digest_settings")
    ).one()
    assert event.changes == {"digest_opt_in": False, "digest_when_empty": True}
    assert "You have not opted in" in client.get("/digests/mine").get_data(as_text=True)
