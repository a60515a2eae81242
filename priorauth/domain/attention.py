"""What the reminder rules and the work queues look at (docs/domain.md §7): a clinic's
thresholds and one authorization or booked infusion as plain values, `today` not included."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime

from priorauth.domain.business_days import NO_HOLIDAYS


@dataclass(frozen=True)
class Thresholds:
    """A clinic's reminder windows; expiring_days are tiers named in the message. holidays:
    the clinic's public holidays for business-day counts (not compared, not a window)."""

    expiring_days: tuple[int, ...] = (30, 14, 7)
    uncovered_days: int = 7
    appeal_days: int = 14
    upcoming_business_days: int = 2
    follow_up_business_days: int = 2
    renewal_buffer_business_days: int = 3
    holidays: Container[date] = field(default=NO_HOLIDAYS, compare=False, repr=False)

    @property
    def expiring_window(self) -> int:
        """The widest expiring tier: how far ahead an approval counts as expiring (0: none)."""
        return max(self.expiring_days, default=0)


@dataclass(frozen=True)
class PayerContact:
    """Whom to call: the payer's prior-authorization phone line, portal and fax, when on
    file."""

    name: str
    phone: str | None = None
    portal_url: str | None = None
    fax: str | None = None


@dataclass(frozen=True)
class AuthState:
    """One authorization as the reminders see it.

    units_not_yet_used is approved minus given (docs/domain.md §9: booked infusions not
    subtracted), None when unlimited or not approved; units_needed_by_booked is what the
    booked infusions reserve. Messages say "left" as every page does: approved − given − booked.
    submitted_at is the last submission (or appeal) time. evidence_ready is the checklist's
    verdict for a draft or pended request (None otherwise), evidence_problems its items to fix.
    uncovered_booking_on / _id: the first booked infusion of this patient and code after
    approved_end that no authorization covers (the one this approval's end leaves uncovered).
    """

    id: int
    patient_id: int
    patient_label: str
    hcpcs_code: str
    status: str
    urgency: str = "standard"
    submitted_at: datetime | None = None
    standard_response_days: int = 15
    expedited_response_hours: int = 72
    approved_end: date | None = None
    units_not_yet_used: int | None = None
    administrations_not_yet_used: int | None = None
    units_needed_by_booked: int = 0
    booked_after_today: int = 0
    appeal_deadline: date | None = None
    appealed: bool = False
    labs_max_age_days: int | None = None
    latest_lab_on: date | None = None
    payer: PayerContact | None = None
    requested_start: date | None = None
    evidence_ready: bool | None = None
    evidence_problems: tuple = ()
    uncovered_booking_on: date | None = None
    uncovered_booking_id: int | None = None
    last_follow_up_at: datetime | None = None
    renewal: RenewalFacts | None = None


@dataclass(frozen=True)
class RenewalFacts:
    """What RENEWAL_DUE needs of an approval (docs/follow-through.md): the day its renewal
    must be answered by (`target_on`: the first booked infusion it will not cover, or its end
    when more infusions are planned), what that day is (`target`, for the message), the
    payer's turnaround for the code in days and how many decisions it comes from (below
    MIN_DECISIONS it is the payer's configured response time), and whether a renewal is
    already in progress."""

    target_on: date
    target: str
    turnaround_days: int
    decisions: int
    renewal_in_progress: bool = False


@dataclass(frozen=True)
class InfusionState:
    """One scheduled infusion; last_verified_at is the last re-verification found "active".

    covered is False exactly when the schedule's badge says "not covered"; badge is that
    badge (covered, at_risk, not_covered), the one the week view shows.
    """

    id: int
    patient_id: int
    patient_label: str
    hcpcs_code: str
    scheduled_on: date
    booked_at: datetime
    covered: bool
    reason_codes: tuple[str, ...] = ()
    reason_text: str = ""
    last_verified_at: datetime | None = None
    authorization_id: int | None = None
    badge: str | None = None
