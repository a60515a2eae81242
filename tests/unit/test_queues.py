"""The registry of what needs attention (priorauth/domain/queues.py) and what a digest says
(priorauth/domain/digests.py): plain values in, `now` passed in."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from priorauth.domain import digests
from priorauth.domain import queues as registry
from priorauth.domain.reminders import (
    AuthState,
    InfusionState,
    PayerContact,
    Reminder,
    ReminderType,
    Thresholds,
)

TODAY = date(2026, 3, 10)  # a Tuesday
NOW = datetime(2026, 3, 10, 9, 30)
LIMITS = Thresholds()


def at(days: int) -> date:
    return TODAY + timedelta(days=days)


def auth(**changes) -> AuthState:
    fields = dict(id=1, patient_id=7, patient_label="MRN 1 (J.D.)", hcpcs_code="J1439")
    return AuthState(**(fields | {"status": "approved"} | changes))


def infusion(**changes) -> InfusionState:
    fields = dict(
        id=50,
        patient_id=7,
        patient_label="MRN 1 (J.D.)",
        hcpcs_code="J1439",
        scheduled_on=at(3),
        booked_at=NOW - timedelta(days=5),
        covered=True,
        last_verified_at=NOW,
    )
    return InfusionState(**(fields | changes))


def member(name: str, state, limits: Thresholds = LIMITS) -> bool:
    return registry.BY_NAME[name].member(state, NOW, limits)


# --- the registry -----------------------------------------------------------------------------


def test_every_reminder_type_belongs_to_exactly_one_queue():
    kinds = [q.reminder for q in registry.QUEUES if q.reminder]
    others = [registry.ADMINISTRATION_UNDOCUMENTED, registry.ESCALATED]  # not ReminderTypes
    assert sorted(kinds) == sorted([*map(str, ReminderType), *others])
    assert len(set(kinds)) == len(kinds)


def test_the_dashboard_queues_in_order():
    assert registry.DASHBOARD == (
        "needs_evidence",
        "ready_to_submit",
        "waiting_on_payer",
        "appeal_open",
        "expiring",
        "uncovered_soon",
        "units_low",
    )


def test_titles_follow_the_clinics_thresholds():
    mine = Thresholds(expiring_days=(60, 14), uncovered_days=14, appeal_days=21)
    queue = registry.BY_NAME
    assert queue["uncovered_soon"].title_for(mine) == "Not covered in the next 14 days"
    assert queue["uncovered_soon"].title_for(LIMITS) == "Not covered in the next 7 days"
    assert queue["expiring"].title_for(mine) == "Expiring within 60 days"
    assert "within the next 60 days" in queue["expiring"].description_for(mine)
    assert queue["appeal_open"].group_title_for(mine) == "Appeal deadline within 21 days"
    assert queue["waiting_on_payer"].group_title_for(mine) == "Payer answers overdue"
    assert queue["units_low"].group_title_for(mine) == "Units low"


@pytest.mark.parametrize(
    ("role", "first"),
    [
        (
            "front_desk",
            ("needs_evidence", "ready_to_submit", "waiting_on_payer", "appeal_open", "expiring"),
        ),
        ("scheduler", ("uncovered_soon", "units_low")),
        ("billing", registry.DASHBOARD),
        ("admin", registry.DASHBOARD),
    ],
)
def test_roles_see_their_queues_first(role, first):
    mine, rest = registry.ordered_for(role)
    assert mine == first
    assert rest == tuple(q for q in registry.DASHBOARD if q not in first)


def test_a_roles_digest_lists_the_reminders_of_its_queues():
    assert registry.reminder_types_for("front_desk") == {
        "AUTH_EXPIRING",
        "PAYER_RESPONSE_OVERDUE",
        "APPEAL_DEADLINE",
        "EVIDENCE_STALE",
        "FOLLOW_UP_DUE",
        "RENEWAL_DUE",
    }
    assert registry.reminder_types_for("scheduler") == {
        "INFUSION_UNCOVERED",
        "UNITS_LOW",
        "INFUSION_UPCOMING",
    }
    assert registry.reminder_types_for("billing") == {"ADMINISTRATION_UNDOCUMENTED"}
    assert registry.reminder_types_for("admin") == set(registry.BY_REMINDER)  # every type
    assert registry.reminder_types_for("auditor") == frozenset()


# --- who is in which queue --------------------------------------------------------------------


def test_evidence_queues_split_drafts_by_their_checklist():
    ready, lacking = (
        auth(status="draft", evidence_ready=True),
        auth(status="pended", evidence_ready=False),
    )
    assert member("ready_to_submit", ready) and not member("needs_evidence", ready)
    assert member("needs_evidence", lacking) and not member("ready_to_submit", lacking)
    assert not member("needs_evidence", auth(status="submitted", evidence_ready=False))


def test_waiting_on_payer_flags_the_overdue_answers():
    late = auth(status="submitted", submitted_at=NOW - timedelta(days=16))
    fresh = auth(status="appealed", submitted_at=NOW - timedelta(days=3))
    queue = registry.BY_NAME["waiting_on_payer"]
    assert member("waiting_on_payer", late) and member("waiting_on_payer", fresh)
    assert queue.flags(late, NOW, LIMITS) and not queue.flags(fresh, NOW, LIMITS)
    assert queue.day(late) == (NOW - timedelta(days=1)).date()
    assert not member("waiting_on_payer", auth(status="approved"))


def test_appeal_open_until_the_deadline_flagged_within_the_clinics_days():
    far, near = (
        auth(status="denied", appeal_deadline=at(40)),
        auth(status="denied", appeal_deadline=at(5)),
    )
    queue = registry.BY_NAME["appeal_open"]
    assert member("appeal_open", far) and member("appeal_open", near)
    assert not queue.flags(far, NOW, LIMITS) and queue.flags(near, NOW, LIMITS)
    assert member("appeal_open", auth(status="denied", appeal_deadline=TODAY))
    assert not member("appeal_open", auth(status="denied", appeal_deadline=at(-1)))
    assert not member("appeal_open", auth(status="denied"))


def test_expiring_is_the_expiring_reminder_with_the_clinics_widest_tier():
    ends = auth(approved_end=at(40), units_not_yet_used=10)
    assert not member("expiring", ends)
    assert member("expiring", ends, Thresholds(expiring_days=(45, 7)))
    assert not member("expiring", auth(approved_end=at(5), units_not_yet_used=0))  # exhausted
    assert (
        registry.BY_NAME["expiring"].units(auth(units_not_yet_used=10, units_needed_by_booked=4))
        == 6
    )


def test_uncovered_soon_is_the_not_covered_badge_within_the_clinics_days():
    blocked = infusion(covered=False, badge="not_covered", scheduled_on=at(10))
    assert not member("uncovered_soon", blocked)
    assert member("uncovered_soon", blocked, Thresholds(uncovered_days=10))
    assert not member("uncovered_soon", infusion(covered=True, badge="at_risk"))


def test_units_low_counts_units_short():
    short = auth(units_not_yet_used=6, units_needed_by_booked=10)
    assert member("units_low", short)
    assert registry.BY_NAME["units_low"].units(short) == 4
    assert registry.BY_NAME["units_low"].units(auth()) is None
    assert not member("units_low", auth(units_not_yet_used=10, units_needed_by_booked=10))


def test_queues_without_a_reminder_flag_nothing():
    queue = registry.BY_NAME["needs_evidence"]
    assert not queue.flags(auth(status="draft", evidence_ready=False), NOW, LIMITS)
    assert queue.day(auth(requested_start=at(2))) == at(2)


# --- what a digest says -----------------------------------------------------------------------


def item(kind: str, urgency: int, **more) -> digests.DigestItem:
    return digests.DigestItem(kind, at(urgency), f"item {urgency}", "/x", urgency, **more)


@pytest.mark.parametrize(
    ("kind", "urgency", "text"),
    [
        ("AUTH_EXPIRING", 3, "3 days left"),
        ("AUTH_EXPIRING", 1, "1 day left"),
        ("APPEAL_DEADLINE", 0, "due today"),
        ("PAYER_RESPONSE_OVERDUE", -1, "1 day overdue"),
        ("PAYER_RESPONSE_OVERDUE", -5, "5 days overdue"),
        ("ADMINISTRATION_UNDOCUMENTED", -2, "given 2 days ago"),
        ("ADMINISTRATION_UNDOCUMENTED", -1, "given 1 day ago"),
        ("ADMINISTRATION_UNDOCUMENTED", 0, "given today"),
    ],
)
def test_days_left_in_words(kind, urgency, text):
    assert item(kind, urgency).days_text == text


def test_whom_to_call():
    both = item(
        "AUTH_EXPIRING",
        3,
        payer_name="Blue",
        payer_phone="1-800-555-0100",
        payer_portal="https://blue.example",
    )
    assert both.contact == "Call Blue at 1-800-555-0100 or use Blue's portal https://blue.example."
    portal = item("AUTH_EXPIRING", 3, payer_name="Blue", payer_portal="https://blue.example")
    assert portal.contact == "Use Blue's portal https://blue.example."
    assert (
        item("AUTH_EXPIRING", 3, payer_name="Blue").contact
        == "No phone or portal on file for Blue."
    )
    assert item("INFUSION_UNCOVERED", 3).contact is None


def test_a_reminder_becomes_an_item_with_its_payer():
    payer = PayerContact("Blue", "1-800-555-0100", None)
    reminder = Reminder(ReminderType.AUTH_EXPIRING, at(4), "m", 3, None, 7, 4, payer)
    made = digests.from_reminder(reminder)
    assert (made.path, made.payer_name, made.payer_phone, made.payer_portal) == (
        "/authorizations/3",
        "Blue",
        "1-800-555-0100",
        None,
    )
    on_infusion = Reminder(ReminderType.INFUSION_UNCOVERED, at(1), "m", 3, 9, 7, 1)
    assert digests.from_reminder(on_infusion).path == "/infusions/9"
    assert digests.from_reminder(on_infusion).payer_name is None


def test_stored_items_of_an_older_shape_still_load():
    stored = item("AUTH_EXPIRING", 2, authorization_id=4).to_json()
    older = {k: v for k, v in stored.items() if not k.startswith("payer_")} | {"gone": 1}
    assert digests.DigestItem.from_json(older) == item("AUTH_EXPIRING", 2, authorization_id=4)


def test_groups_and_items_in_deadline_order_under_the_queue_titles():
    found = [
        item("AUTH_EXPIRING", 9, authorization_id=2),
        item("INFUSION_UNCOVERED", 2, infusion_id=8),
        item("AUTH_EXPIRING", 4, authorization_id=3),
        item("PAYER_RESPONSE_OVERDUE", -3, authorization_id=5),
        item("INFUSION_UNCOVERED", 2, infusion_id=6),
    ]
    digest = digests.group(found, TODAY, Thresholds(uncovered_days=14))
    assert [(g.title, [i.urgency for i in g.items]) for g in digest.groups] == [
        ("Payer answers overdue", [-3]),
        ("Not covered in the next 14 days", [2, 2]),
        ("Expiring within 30 days", [4, 9]),
    ]
    assert [i.infusion_id for i in digest.groups[1].items] == [6, 8]
    assert digest.total == 5 and not digest.is_empty
    mine = digests.digest_for("scheduler", found, TODAY, LIMITS)
    assert [g.type for g in mine.groups] == ["INFUSION_UNCOVERED"]


def test_the_subject_counts_the_items():
    one = digests.group([item("UNITS_LOW", 0, authorization_id=1)], TODAY, LIMITS)
    assert digests.subject_of(one, "Harbor") == f"Harbor digest for {TODAY}: 1 item"
    empty = digests.Digest(TODAY)
    assert digests.subject_of(empty, "Harbor") == f"Harbor digest for {TODAY}: nothing due"
    context = digests.email_context(one, "Harbor", "Sam", "http://x.test/")
    assert context["base_url"] == "http://x.test" and context["recipient_name"] == "Sam"
