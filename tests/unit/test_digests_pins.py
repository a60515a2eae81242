"""What a digest says (priorauth/domain/digests.py), the rules the other digest tests leave
open: every field a reminder hands on, the administration-missing-documentation item, the
tie-breaks among equally urgent items, the plural subject and the email context."""

from __future__ import annotations

from datetime import date, timedelta

from priorauth.domain import digests
from priorauth.domain.reminders import PayerContact, Reminder, ReminderType, Thresholds

TODAY = date(2026, 3, 10)
LIMITS = Thresholds()


def at(days: int) -> date:
    return TODAY + timedelta(days=days)


def item(kind: str, urgency: int = 2, **ids) -> digests.DigestItem:
    return digests.DigestItem(kind, at(urgency), f"item {ids}", "/x", urgency, **ids)


def order(items) -> list[tuple]:
    digest = digests.group(items, TODAY, LIMITS)
    return [(i.infusion_id, i.authorization_id) for i in digest.items]


def test_a_reminder_on_an_authorization_hands_on_every_field_and_its_payers_contact():
    payer = PayerContact("Blue", "1-800-555-0100", "https://blue.example")
    reminder = Reminder(ReminderType.AUTH_EXPIRING, at(4), "ends soon", 3, None, 7, 4, payer)
    assert digests.from_reminder(reminder) == digests.DigestItem(
        type="AUTH_EXPIRING",
        due_date=at(4),
        message="ends soon",
        path="/authorizations/3",
        urgency=4,
        authorization_id=3,
        infusion_id=None,
        patient_id=7,
        payer_name="Blue",
        payer_phone="1-800-555-0100",
        payer_portal="https://blue.example",
        reminder_key="AUTH_EXPIRING:a3:" + at(4).isoformat(),  # docs/follow-through.md
    )
    assert type(digests.from_reminder(reminder).type) is str  # stored as JSON text


def test_a_reminder_on_an_infusion_keeps_its_authorization_and_infusion():
    reminder = Reminder(ReminderType.INFUSION_UNCOVERED, at(1), "not covered", 3, 9, 7, 1)
    assert digests.from_reminder(reminder) == digests.DigestItem(
        "INFUSION_UNCOVERED",
        at(1),
        "not covered",
        "/infusions/9",
        1,
        3,
        9,
        7,
        reminder_key="INFUSION_UNCOVERED:i9:" + at(1).isoformat(),
    )


def test_an_administration_missing_documentation_says_what_is_missing_and_when_it_was_given():
    made = digests.undocumented(
        "MRN 1 (J.D.)", "J1439", at(-2), ["no lot number", "no vial size"], TODAY, (3, 9, 7)
    )
    assert made == digests.DigestItem(
        "ADMINISTRATION_UNDOCUMENTED",
        at(-2),
        "MRN 1 (J.D.), J1439 infusion given on 2026-03-08: no lot number and no vial size.",
        "/infusions/9",
        -2,
        authorization_id=3,
        infusion_id=9,
        patient_id=7,
    )
    assert made.days_text == "given 2 days ago"


def test_an_administration_without_authorization_still_links_to_its_infusion():
    made = digests.undocumented("MRN 2", "J1756", TODAY, ["no units"], TODAY, (None, 4, 8))
    assert (made.path, made.authorization_id, made.urgency) == ("/infusions/4", None, 0)
    assert made.message == "MRN 2, J1756 infusion given on 2026-03-10: no units."


def test_equally_urgent_items_of_one_type_go_by_infusion_then_authorization_id():
    kind = "AUTH_EXPIRING"
    assert order([item(kind, authorization_id=5), item(kind, authorization_id=3)]) == [
        (None, 3),
        (None, 5),
    ]
    kind = "INFUSION_UNCOVERED"
    found = [item(kind, infusion_id=6, authorization_id=1), item(kind, infusion_id=6)]
    assert order(found) == [(6, None), (6, 1)]


def test_among_equally_urgent_items_one_without_an_infusion_comes_first():
    found = [item("AUTH_EXPIRING", infusion_id=1, authorization_id=2)]
    found.append(item("AUTH_EXPIRING", authorization_id=9))
    assert order(found) == [(None, 9), (1, 2)]


def test_the_recipients_digest_is_for_the_day_asked():
    found = [item("UNITS_LOW", authorization_id=1)]
    digest = digests.digest_for("scheduler", found, TODAY, LIMITS)
    assert digest.digest_date == TODAY and digest.total == 1


def test_the_subject_counts_several_items_in_the_plural():
    found = [item("UNITS_LOW", authorization_id=1), item("UNITS_LOW", authorization_id=2)]
    digest = digests.group(found, TODAY, LIMITS)
    assert digests.subject_of(digest, "Harbor") == "Harbor digest for 2026-03-10: 2 items"


def test_the_email_is_rendered_with_the_digest_its_subject_and_whom_it_is_for():
    digest = digests.group([item("UNITS_LOW", authorization_id=1)], TODAY, LIMITS)
    context = digests.email_context(digest, "Harbor", "Sam", "https://PA.CLINIC.BOX//")
    assert context == {
        "digest": digest,
        "subject": "Harbor digest for 2026-03-10: 1 item",
        "clinic_name": "Harbor",
        "recipient_name": "Sam",
        "base_url": "https://PA.CLINIC.BOX",  # only the trailing slashes go
    }
