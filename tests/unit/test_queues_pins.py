"""The work-queue registry's rules (priorauth/domain/queues.py) the other queue tests leave
open: which states `members` keeps, membership by a due reminder, the evidence queues'
split, the answer-due day of a request not yet sent and the names a title may use.

The registry builds each queue's membership test once, when the module is imported; the
builders are called here too so that the rules they state are checked where they are made."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from priorauth.domain import queues as registry
from priorauth.domain.reminders import AuthState, ReminderType, Thresholds

TODAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 10, 9, 30)
LIMITS = Thresholds()
WIDE = Thresholds(expiring_days=(45, 7))


def auth(**changes) -> AuthState:
    fields = dict(id=1, patient_id=7, patient_label="MRN 1 (J.D.)", hcpcs_code="J1439")
    return AuthState(**(fields | {"status": "approved"} | changes))


def ending_in(days: int) -> AuthState:
    return auth(id=days, approved_end=TODAY + timedelta(days=days), units_not_yet_used=10)


def test_members_are_the_states_the_queue_keeps_in_their_order_with_the_clinics_windows():
    states = [ending_in(40), ending_in(60), ending_in(5)]
    expiring = registry.BY_NAME["expiring"]
    assert registry.members(expiring, states, NOW, WIDE) == [states[0], states[2]]
    assert registry.members(expiring, states, NOW, LIMITS) == [states[2]]
    assert registry.members(expiring, [], NOW, LIMITS) == []


def test_membership_by_reminder_is_whether_that_reminder_is_due_now_with_the_clinics_windows():
    expiring = registry.has_reminder(ReminderType.AUTH_EXPIRING)
    assert expiring(ending_in(40), NOW, WIDE) is True
    assert expiring(ending_in(40), NOW, LIMITS) is False
    assert expiring(ending_in(40), NOW + timedelta(days=30), LIMITS) is True
    assert expiring(ending_in(-1), NOW, WIDE) is False


def test_a_request_to_prepare_is_in_the_evidence_queue_its_checklist_says():
    ready, lacking = registry._evidence(True), registry._evidence(False)
    for status in ("draft", "pended"):
        assert ready(auth(status=status, evidence_ready=True), NOW, LIMITS) is True
        assert lacking(auth(status=status, evidence_ready=True), NOW, LIMITS) is False
        assert lacking(auth(status=status, evidence_ready=False), NOW, LIMITS) is True
        assert ready(auth(status=status, evidence_ready=False), NOW, LIMITS) is False


def test_a_request_already_sent_is_in_neither_evidence_queue():
    for ready in (True, False):
        member = registry._evidence(ready)
        for status in ("submitted", "approved", "denied"):
            assert member(auth(status=status, evidence_ready=ready), NOW, LIMITS) is False


def test_a_request_not_yet_sent_has_no_answer_due_day():
    assert registry.response_day(auth(status="draft")) is None
    sent = auth(status="submitted", submitted_at=NOW, standard_response_days=15)
    assert registry.response_day(sent) == TODAY + timedelta(days=15)


def test_the_names_a_queue_title_may_use():
    mine = Thresholds(expiring_days=(60, 14), uncovered_days=10, appeal_days=21)
    assert registry.window_values(mine) == {
        "uncovered_days": 10,
        "appeal_days": 21,
        "upcoming_business_days": 2,
        "follow_up_business_days": 2,
        "renewal_buffer_business_days": 3,
        "expiring_window": 60,
    }
