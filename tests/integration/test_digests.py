"""The daily digest against a real SMTP server (aiosmtpd on 127.0.0.1): built per role from
the demo clinic at a frozen date, delivered exactly once through failures, crashes and reruns."""

from __future__ import annotations

import email
import html
import logging
import re
import threading
from datetime import date, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth import demo
from priorauth.cli.digests import digests_cli
from priorauth.demo import data as demo_data
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic, DigestDelivery, Infusion, Patient, User
from priorauth.notify import delivery, runner
from priorauth.notify.runner import backoff, send_digests
from priorauth.queries.digests import digest_of_day
from priorauth.queries.reminders import reminders_for
from priorauth.services.clock import moment
from tests.api.test_integrity_conflict import executing, wait_until
from tests.integration.conftest import free_port, smtp_server  # noqa: F401 (imported from here)

FROZEN = date(2026, 3, 16)  # a Monday
RUN_AT = datetime(2026, 3, 16, 10, 5)  # UTC: just after the 06:00 digest hour in New York
LATER = RUN_AT + timedelta(minutes=6)  # past the first backoff and the pending lease
ITEM = re.compile(
    r'<li class="digest-item" data-type="(\w+)"[^>]*>.*?<span class="message">(.*?)</span>'
    r'.*?<a href="([^"]+)"',
    re.S,
)


# helpers (the page tests import them) ----------------------------------------------------


def seed_demo(today: date = FROZEN) -> Clinic:
    demo.seed(today=today)
    db.session.commit()
    return db.session.scalar(sa.select(Clinic))


def items_in(page_or_html: str) -> list[tuple[str, str, str]]:
    """(type, message, link) of every digest item in an email's HTML part or a page."""
    return [(kind, html.unescape(text), href) for kind, text, href in ITEM.findall(page_or_html)]


def parts(message) -> tuple[str, str]:
    """(text, html) of a multipart/alternative digest message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    body = message.get_body(preferencelist=("html",)).get_content()
    return text, body


def user(email_address: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email_address))


def demo_user(role: str) -> User:
    mailbox = {"front_desk": "frontdesk"}.get(role, role)
    return user(f"{mailbox}@{demo_data.EMAIL_DOMAIN}")


def auth_of(mrn: str) -> int:
    query = sa.select(AuthorizationRequest.id).join(Patient).where(Patient.mrn == mrn)
    return db.session.scalars(query).one()


def infusion_of(mrn: str, offset: int, today: date = FROZEN) -> int:
    day = today + timedelta(days=offset)
    rows = db.session.scalars(sa.select(Infusion).join(Patient).where(Patient.mrn == mrn)).all()
    return next(i.id for i in rows if i.scheduled_at.date() == day)


def expected_items(today: date = FROZEN) -> dict[str, list[tuple[str, int]]]:
    """(type, authorization or infusion id) per role, in the order the digest lists them
    (the demo seeded on `today`, its digest of that day)."""
    stale = [("EVIDENCE_STALE", auth_of("MRN-10214")), ("EVIDENCE_STALE", auth_of("MRN-10249"))]
    overdue = [("PAYER_RESPONSE_OVERDUE", auth_of("MRN-10096"))]
    upcoming = [
        ("INFUSION_UPCOMING", infusion_of("MRN-10047", 1, today)),
        ("INFUSION_UPCOMING", infusion_of("MRN-10023", 2, today)),
        ("INFUSION_UPCOMING", infusion_of("MRN-10176", 2, today)),
    ]
    units_low = [("UNITS_LOW", auth_of("MRN-10047"))]
    uncovered = [
        ("INFUSION_UNCOVERED", infusion_of("MRN-10047", 1, today)),
        ("INFUSION_UNCOVERED", infusion_of("MRN-10285", 6, today)),
    ]
    expiring = [("AUTH_EXPIRING", auth_of(mrn)) for mrn in ("MRN-10062", "MRN-10074", "MRN-10058")]
    appeal = [("APPEAL_DEADLINE", auth_of("MRN-10139"))]
    follow_up = [("FOLLOW_UP_DUE", auth_of("MRN-10096")), ("FOLLOW_UP_DUE", auth_of("MRN-10151"))]
    renewal = [("RENEWAL_DUE", auth_of("MRN-10047")), ("RENEWAL_DUE", auth_of("MRN-10062"))]
    leading = _most_overdue_first(follow_up, renewal, today)
    return {
        "front_desk": leading + stale + overdue + expiring + appeal,
        "scheduler": units_low + uncovered + upcoming,
        "admin": leading + stale + overdue + units_low + uncovered + upcoming + expiring + appeal,
    }


def _most_overdue_first(follow_up: list, renewal: list, today: date) -> list:
    """The follow-ups and renewals lead, weeks overdue in the story; which of the two groups
    is first depends on how business days fall around the seed day (the group with the most
    overdue item first; a tie: follow-ups, by type order)."""
    clinic = db.session.scalar(sa.select(Clinic))
    found = reminders_for(clinic, moment(clinic, today))
    urgency = {(str(r.type), r.authorization_id): r.urgency for r in found}
    if urgency[renewal[0]] < urgency[follow_up[0]]:
        return renewal + follow_up
    return follow_up + renewal


def linked_ids(items) -> list[tuple[str, int]]:
    return [(kind, int(href.rsplit("/", 1)[1])) for kind, _, href in items]


def deliveries() -> dict[str, DigestDelivery]:
    db.session.expire_all()
    rows = db.session.scalars(sa.select(DigestDelivery)).all()
    return {row.user.email: row for row in rows}


@pytest.fixture
def clinic_id(app_ctx):
    return seed_demo().id


# the digests of the demo clinic ------------------------------------------------------------


def test_demo_digests_have_each_roles_items(clinic_id, inbox):
    counts = send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    assert (counts["sent"], counts["skipped_empty"], counts["failed"]) == (3, 1, 0)
    expected = expected_items()
    for role in ("front_desk", "scheduler", "admin"):
        message = inbox.of(demo_user(role).email)
        text, body = parts(message)
        items = items_in(body)
        assert linked_ids(items) == expected[role], role
        assert message["Subject"].endswith(f"{FROZEN}: {len(expected[role])} items")
        for _kind, message_text, href in items:
            assert href.startswith("http://127.0.0.1:5000/")
            assert message_text in text and href in text
    assert demo_user("billing").email not in inbox.to()


def test_digest_counts_come_first_and_groups_most_urgent_first(clinic_id, inbox):
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    text, body = parts(inbox.of(demo_user("front_desk").email))
    head = text.split("FOLLOW-UPS DUE")[0]
    assert "11 items due:" in head
    assert re.search(
        r"2\s+Follow-ups due\s+2\s+Renewals to start"
        r"\s+2\s+Evidence too old\s+1\s+Payer answers overdue"
        r"\s+3\s+Expiring within 30 days\s+1\s+Appeal deadline within 14 days",
        head,
    )
    assert body.index("digest-counts") < body.index('class="digest-group"')
    assert "authorization #" in text and "payer answer due 2026-03-11" in text


def test_items_are_stored_on_the_delivery_row(clinic_id, inbox):
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    row = deliveries()[demo_user("scheduler").email]
    assert (row.status, row.attempts, row.sent_at, row.digest_date) == ("sent", 1, RUN_AT, FROZEN)
    stored = [(i["type"], i["infusion_id"] or i["authorization_id"]) for i in row.items]
    assert stored == expected_items()["scheduler"]
    assert row.items[1]["path"] == f"/infusions/{row.items[1]['infusion_id']}"


def test_mrn_and_initials_only_by_default(clinic_id, inbox, mail):
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    sent = "\n".join(part for m in inbox.messages for part in parts(m))
    assert "MRN-10096 (T.W.)" in sent and "MRN-10047 (L.C.)" in sent
    for _, staff_name, _ in demo_data.USERS:  # the greeting names the staff member (Sam Patel)
        sent = sent.replace(staff_name, "")
    for row in demo_data.PATIENTS:
        assert f"{row['first_name']} {row['last_name']}" not in sent
        assert not re.search(rf"\b{re.escape(row['last_name'])}\b", sent), row["last_name"]
        assert not any(code in sent for code in row["diagnoses"]), row["diagnoses"]
    mail["DIGEST_SHOW_NAMES"] = True
    digest, _ = digest_of_day(demo_user("scheduler"), FROZEN + timedelta(days=1))
    assert "Maria Alvarez" in [item.patient_name for item in digest.items]


# delivery: exactly once --------------------------------------------------------------------


def test_smtp_down_then_up_sends_one_message_per_user(clinic_id, mail):
    down = send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    assert (down["failed"], down["sent"]) == (3, 0)
    rows = deliveries()
    assert len(rows) == 3
    for row in rows.values():
        assert (row.status, row.attempts) == ("failed", 1)
        assert "Connection" in row.last_error or "refused" in row.last_error.lower()
        assert row.next_attempt_at == RUN_AT + timedelta(minutes=5)
    with smtp_server(mail["MAIL_PORT"]) as inbox:
        early = send_digests(clinic_id, FROZEN, now_utc=RUN_AT + timedelta(minutes=1))
        assert (early["waiting"], inbox.messages) == (3, [])
        up = send_digests(clinic_id, FROZEN, now_utc=LATER)
        again = send_digests(clinic_id, FROZEN, now_utc=LATER + timedelta(hours=1))
    assert (up["sent"], again["already_sent"], again["sent"]) == (3, 3, 0)
    assert sorted(inbox.to().values()) == [1, 1, 1]
    assert {(r.status, r.attempts, r.sent_at) for r in deliveries().values()} == {
        ("sent", 2, LATER)
    }


def test_failures_back_off_longer_each_time(clinic_id, mail):
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    second = RUN_AT + timedelta(minutes=5)
    assert send_digests(clinic_id, FROZEN, now_utc=second)["failed"] == 3
    row = deliveries()[demo_user("admin").email]
    assert (row.attempts, row.next_attempt_at) == (2, second + timedelta(minutes=10))
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (5, 10, 20)]
    assert backoff(12) == timedelta(hours=6)


def test_two_runs_the_same_day_send_one_message_each(clinic_id, inbox):
    first = send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    second = send_digests(clinic_id, FROZEN, now_utc=RUN_AT + timedelta(hours=3))
    assert (first["sent"], second["sent"], second["already_sent"]) == (3, 0, 3)
    assert sorted(inbox.to().values()) == [1, 1, 1]
    assert len(deliveries()) == 3


def test_a_crash_between_the_row_and_the_send_is_sent_once_later(clinic_id, inbox, monkeypatch):
    real, crashed = delivery.deliver, []

    def crash_once(message):
        if not crashed:
            crashed.append(message["To"])
            raise RuntimeError("worker killed after the row was committed")
        return real(message)

    monkeypatch.setattr(delivery, "deliver", crash_once)
    with pytest.raises(RuntimeError):
        send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    victim = crashed[0]
    assert (deliveries()[victim].status, inbox.messages) == ("pending", [])
    soon = send_digests(clinic_id, FROZEN, now_utc=RUN_AT + timedelta(minutes=1))
    assert (soon["sent"], soon["waiting"]) == (2, 1)  # the pending row's lease still runs
    assert victim not in inbox.to()
    late = send_digests(clinic_id, FROZEN, now_utc=LATER)
    assert (late["sent"], late["already_sent"]) == (1, 2)
    assert inbox.to()[victim] == 1 and sorted(inbox.to().values()) == [1, 1, 1]
    assert deliveries()[victim].status == "sent"


def _pending_row(user: User, day: date) -> dict:
    """A delivery row as another sender writes it just before sending (lease running)."""
    return {
        "clinic_id": user.clinic_id,
        "user_id": user.id,
        "digest_date": day,
        "status": "pending",
        "items": [],
        "attempts": 0,
        "next_attempt_at": RUN_AT + runner.LEASE,
        "created_at": RUN_AT,
    }


def test_a_second_sender_that_loses_the_insert_backs_off(clinic_id, inbox, app_ctx, caplog):
    """A real race: another sender inserts the rows after this run looked for them and
    before its own insert; this run's insert then hits the unique (user, date) and it backs
    off; the next users' rows it finds pending within their lease, so it waits for them."""
    caplog.set_level(logging.INFO, logger="priorauth.notify")
    first = demo_user("front_desk")  # the first recipient with something due (lowest id)
    others = [demo_user(role) for role in ("scheduler", "admin")]
    answer: dict = {}

    def second_sender() -> None:
        with app_ctx.app_context():
            answer.update(send_digests(clinic_id, FROZEN, now_utc=RUN_AT + timedelta(minutes=1)))

    with db.engine.connect() as other_sender:
        other_tx = other_sender.begin()
        for recipient in (first, *others):
            other_sender.execute(sa.insert(DigestDelivery), _pending_row(recipient, FROZEN))
        thread = threading.Thread(target=second_sender)
        thread.start()
        wait_until(lambda: executing(thread, "INSERT INTO digest_deliveries"), thread)
        other_tx.commit()
        thread.join(timeout=60)
    assert (answer["waiting"], answer["sent"], answer["failed"]) == (3, 0, 0)
    lost = [r.getMessage() for r in caplog.records if "taken by another sender" in r.message]
    assert lost == [f"digest of user {first.id} for {FROZEN} taken by another sender"]
    assert inbox.messages == []
    rows = deliveries()
    assert {email: (r.status, r.attempts) for email, r in rows.items()} == {
        u.email: ("pending", 0) for u in (first, *others)
    }


def test_empty_digest_is_sent_only_to_who_asked(clinic_id, inbox):
    billing = demo_user("billing")
    assert send_digests(clinic_id, FROZEN, now_utc=RUN_AT)["skipped_empty"] == 1
    assert billing.email not in deliveries() and billing.email not in inbox.to()
    billing.digest_when_empty = True
    db.session.commit()
    counts = send_digests(clinic_id, FROZEN, now_utc=LATER)
    assert (counts["sent"], counts["skipped_empty"]) == (1, 0)
    message = inbox.of(billing.email)
    assert message["Subject"].endswith("nothing due")
    assert "Nothing is due." in parts(message)[0]


def test_opted_out_and_inactive_users_get_nothing(clinic_id, inbox):
    demo_user("front_desk").digest_opt_in = False
    demo_user("scheduler").active = False
    db.session.commit()
    assert send_digests(clinic_id, FROZEN, now_utc=RUN_AT)["sent"] == 1
    assert list(inbox.to()) == [demo_user("admin").email]


def test_billing_gets_administrations_missing_documentation(clinic_id, inbox):
    no_note = db.session.get(Infusion, infusion_of("MRN-10031", -6))
    no_number = db.session.get(Infusion, infusion_of("MRN-10058", -3))
    too_old = db.session.get(Infusion, infusion_of("MRN-10047", -13))
    no_note.reaction = "  "
    no_number.claim_lines = [{**line, "auth_number": None} for line in no_number.claim_lines]
    too_old.reaction = None
    db.session.commit()
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    text, body = parts(inbox.of(demo_user("billing").email))
    undocumented = [("ADMINISTRATION_UNDOCUMENTED", i.id) for i in (no_note, no_number)]
    assert linked_ids(items_in(body)) == undocumented
    assert "no reaction or tolerance note" in text
    assert "no authorization number on its claim lines" in text
    assert f"/infusions/{no_note.id}" in text
    admin_items = linked_ids(items_in(parts(inbox.of(demo_user("admin").email))[1]))
    assert set(undocumented) <= set(admin_items)


def test_dry_run_sends_and_records_nothing(clinic_id, inbox):
    counts = send_digests(clinic_id, FROZEN, now_utc=RUN_AT, dry_run=True)
    assert (counts["would_send"], counts["sent"], counts["skipped_empty"]) == (3, 0, 1)
    assert (deliveries(), inbox.messages) == ({}, [])


def test_outbox_mode_writes_eml_files(clinic_id, mail):
    mail["MAIL_HOST"] = ""
    assert send_digests(clinic_id, FROZEN, now_utc=RUN_AT)["sent"] == 3
    files = sorted(Path(mail["MAIL_OUTBOX"]).glob("*.eml"))
    assert len(files) == 3
    messages = [email.message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    admin = next(m for m in messages if m["To"] == demo_user("admin").email)
    assert linked_ids(items_in(parts(admin)[1])) == expected_items()["admin"]
    assert admin["From"] == mail.get("MAIL_FROM") and admin["Message-ID"].startswith("<digest-")
    assert send_digests(clinic_id, FROZEN, now_utc=LATER)["already_sent"] == 3
    assert len(list(Path(mail["MAIL_OUTBOX"]).glob("*.eml"))) == 3


def test_unknown_mail_security_is_refused_before_any_row(clinic_id, mail):
    mail["MAIL_SECURITY"] = "tls-please"
    with pytest.raises(delivery.MailConfigError):
        send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    assert deliveries() == {}


# the operators' commands -------------------------------------------------------------------


def test_cli_preview_prints_the_text_part(clinic_id, mail, app_ctx):
    cli = app_ctx.test_cli_runner()
    result = cli.invoke(
        digests_cli, ["preview", demo_user("front_desk").email, "--date", FROZEN.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert f"Subject: Riverside Infusion Center digest for {FROZEN}: 11 items" in result.output
    assert "PAYER ANSWERS OVERDUE (1)" in result.output and "MRN-10096 (T.W.)" in result.output
    assert deliveries() == {}
    missing = cli.invoke(digests_cli, ["preview", "nobody@example.test"])
    assert missing.exit_code != 0 and "no user" in missing.output


def test_cli_send_dry_run_then_for_real(clinic_id, mail, app_ctx):
    mail["MAIL_HOST"] = ""
    cli = app_ctx.test_cli_runner()
    dry = cli.invoke(digests_cli, ["send", "--date", FROZEN.isoformat(), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "(dry run)" in dry.output and "would_send 3" in dry.output
    assert f"{demo_user('scheduler').email} (scheduler): 6 items" in dry.output
    assert deliveries() == {}
    real = cli.invoke(
        digests_cli, ["send", "--date", FROZEN.isoformat(), "--clinic", demo_data.CLINIC_NAME]
    )
    assert real.exit_code == 0, real.output
    assert "sent 3" in real.output and len(deliveries()) == 3
    assert len(list(Path(mail["MAIL_OUTBOX"]).glob("*.eml"))) == 3
    unknown = cli.invoke(digests_cli, ["send", "--clinic", "Nowhere Clinic"])
    assert unknown.exit_code != 0 and "no clinic" in unknown.output
