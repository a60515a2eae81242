"""Escalation of reminders nobody acknowledged (docs/follow-through.md).

A due reminder is known by its key (its type, what it is about and, for most types, its due
date: a new due date is a new reminder). It escalates when it is still unacknowledged N
business days (the clinic's `escalation_business_days`) after the day it was first seen due,
i.e. the day it first reached the reminders list and the digest. Counting from that day, not
from the date the reminder names, matters both ways: an approval's expiry or an appeal
deadline names a day still ahead, and escalating after it would be too late; a reminder found
long overdue (the day the clinic starts) gets its N days too instead of escalating at once.
Business days skip weekends and the clinic's holidays (domain/business_days.py).
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date

from priorauth.domain.business_days import NO_HOLIDAYS, add_business_days

ESCALATED = "ESCALATED"  # the digest group of escalated reminders (admins')
# Types whose due date is the day they are judged on (units short, labs missing): the date
# moves every day, so it is not part of the key.
UNDATED_TYPES = frozenset({"UNITS_LOW", "EVIDENCE_STALE"})


def reminder_key(
    kind: str, authorization_id: int | None, infusion_id: int | None, due_date: date
) -> str:
    """The reminder's identity: "PAYER_RESPONSE_OVERDUE:a12:2026-11-20", "UNITS_LOW:a7",
    "INFUSION_UNCOVERED:i40:2026-12-01"."""
    subject = f"i{infusion_id}" if infusion_id is not None else f"a{authorization_id}"
    if kind in UNDATED_TYPES:
        return f"{kind}:{subject}"
    return f"{kind}:{subject}:{due_date.isoformat()}"


def escalates_on(
    first_seen_on: date, business_days: int, holidays: Container[date] = NO_HOLIDAYS
) -> date:
    """The day an unacknowledged reminder escalates: N business days after it was first seen."""
    return add_business_days(first_seen_on, business_days, holidays)


def escalated(
    first_seen_on: date,
    acknowledged: bool,
    today: date,
    business_days: int,
    holidays: Container[date] = NO_HOLIDAYS,
) -> bool:
    """Whether the reminder has escalated by `today`: unacknowledged on or after its
    escalation day (never a day before)."""
    if acknowledged:
        return False
    return today >= escalates_on(first_seen_on, business_days, holidays)


def days_overdue(due_on: date, today: date) -> int:
    """Calendar days since the due date (0 when it is today or later)."""
    return max((today - due_on).days, 0)
