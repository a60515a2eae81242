"""Authorization request rows of a scale patient: one per course of their timeline (approved,
partially approved, awaiting the payer, denied, appealed, not required for a code without PA)
and the side requests (renewals, old denials, cancellations, an approval never used)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from priorauth.demo.scale_people import Person
from priorauth.demo.scale_setup import recorded_moment
from priorauth.demo.scale_timeline import Course, Timeline
from priorauth.domain.units import billing_units
from priorauth.domain.workflow import Status

DOSES = {"J1439": 750, "Q0138": 510, "Q0139": 510, "J1756": 200, "J1437": 1000}
PROVIDERS = ("Dr. Elena Vasquez", "Dr. Marcus Hale", "Dr. Priya Raman", "Dr. Tom Okafor")
DENIALS = ("labs_out_of_range", "oral_iron_not_documented", "documentation_missing", "other")
GRANTING = {"approved", "ending_soon", "over_units", "partially_approved"}
STATUS_OF = {"ending_soon": Status.APPROVED, "over_units": Status.APPROVED, "unused": "approved"}
BLANK = dict.fromkeys(
    (
        "submitted_at",
        "submission_channel",
        "payer_reference",
        "decided_on",
        "auth_number",
        "units_approved",
        "administrations_approved",
        "approved_start",
        "approved_end",
        "denial_reason",
        "denial_note",
        "appeal_deadline",
        "notes",
        "renews_id",
    )
)


@dataclass
class Grant:
    """A request as its infusions need it: id, whether it grants, its window and number."""

    id: int
    grants: bool
    start: date | None
    end: date | None
    auth_number: str | None


def days(n: int) -> timedelta:
    return timedelta(days=n)


class Requests:
    """Writes a patient's requests; `write` returns what their infusions need of each course."""

    def __init__(self, writer, ids, rng: random.Random, mg_per_unit: dict):
        self.writer, self.ids, self.rng, self.mg_per_unit = writer, ids, rng, mg_per_unit

    def dose_units(self, code: str) -> int:
        return billing_units(DOSES[code], self.mg_per_unit[code])

    def write(self, person: Person, line: Timeline) -> list[Grant | None]:
        """Rows for every request; returns each course's Grant (None: no request needed)."""
        today, grants, previous_end = person.clinic.today, [], None
        first = line.courses[0].visits[0].date() if line.courses else today
        for case in line.side:
            if case != "renewal":
                self._side(person, case, first - days(self.rng.randint(60, 400)))
        for index, course in enumerate(line.courses):
            following = line.courses[index + 1] if index + 1 < len(line.courses) else None
            grant = self._course(person, course, following, previous_end, today)
            previous_end = grant.end if grant else previous_end
            grants.append(grant)
        current = grants[-1] if grants else None
        for case in line.side:
            if case == "renewal":
                self._renewal(person, current, today)
        return grants

    # courses -----------------------------------------------------------------------------

    def _course(self, person, course: Course, following, previous_end, today) -> Grant | None:
        rng = self.rng
        first, last = course.visits[0].date(), course.visits[-1].date()
        start = first - days(rng.randint(0, 5))
        if previous_end is not None and start <= previous_end:
            start = previous_end + days(1)
        start = min(start, first)
        end = last + days(rng.randint(7, 45) if following is None else rng.randint(3, 20))
        if following is not None:
            end = max(last, min(end, following.visits[0].date() - days(1)))
        plan = person.plan_on(start)
        if person.code in plan.payer.free_codes:
            self._row(person, plan, start, end, len(course.visits), today, Status.NOT_REQUIRED)
            return None
        visits = len(course.visits)
        row = self._base(person, plan, start, end, visits, today, course.case)
        return self._decide(row, course, plan, today)

    def _decide(self, row: dict, course: Course, plan, today: date) -> Grant:
        case, rng = course.case, self.rng
        if case in GRANTING:
            self._approve(row, course, plan, today)
        elif case in ("denied", "appealed"):
            self._deny(row, plan, today, appealed=case == "appealed")
        elif case in ("submitted", "pended"):
            self._submit(row, today - days(rng.randint(0, 25)))
        self.writer.add("authorization_requests", row)
        grants = case in GRANTING
        return Grant(
            row["id"], grants, row["approved_start"], row["approved_end"], row["auth_number"]
        )

    def _approve(self, row: dict, course: Course, plan, today: date) -> None:
        rng, visits = self.rng, len(course.visits)
        self._submit(row, min(row["requested_start"], today) - days(rng.randint(3, 12)))
        submitted = row["submitted_at"].date()
        row["decided_on"] = min(today, submitted + days(rng.randint(1, 8)))
        row["auth_number"] = f"PA{row['id']:09d}"
        row["approved_start"], row["approved_end"] = row["requested_start"], row["requested_end"]
        per_dose = self.dose_units(row["hcpcs_code"])
        row["administrations_approved"] = row["administrations"]
        row["units_approved"] = row["units_requested"]
        if course.case == "ending_soon":
            later = [v.date() for v in course.visits if v.date() > today]
            end = later[-1] - days(1) if later else today + days(rng.randint(1, 30))
            row["approved_end"] = max(end, row["approved_start"])
        elif course.case == "over_units":  # booked more than asked for: the last one short
            row["units_approved"] = per_dose * visits - per_dose // 2
            row["units_requested"] = row["units_approved"]
        elif course.case == "partially_approved":
            row["administrations"] = row["administrations_approved"] + 1
            row["units_requested"] = per_dose * row["administrations"]
        if course.case == "partially_approved" or row["units_approved"] < row["units_requested"]:
            row["status"] = Status.PARTIALLY_APPROVED.value
            row["appeal_deadline"] = row["decided_on"] + days(plan.payer.appeal_window_days)

    def _deny(self, row: dict, plan, today: date, appealed: bool) -> None:
        rng = self.rng
        decided = today - days(rng.randint(2, 40))
        self._submit(row, decided - days(rng.randint(3, 12)))
        row["decided_on"] = decided
        row["denial_reason"] = rng.choice(DENIALS)
        row["appeal_deadline"] = decided + days(plan.payer.appeal_window_days)
        if appealed:
            appealed_on = min(today, decided + days(rng.randint(1, 10)))
            row["submitted_at"] = recorded_moment(appealed_on)

    def _submit(self, row: dict, on: date) -> None:
        row["submitted_at"] = recorded_moment(on)
        row["submission_channel"] = self.rng.choice(("portal", "portal", "fax", "electronic"))
        row["payer_reference"] = f"REF-{row['id']}"
        row["created_at"] = min(row["created_at"], row["submitted_at"])

    # side requests -----------------------------------------------------------------------

    def _side(self, person: Person, case: str, start: date) -> None:
        rng, today = self.rng, person.clinic.today
        end = start + days(rng.randint(30, 120))
        plan = person.plan_on(start)
        row = self._base(person, plan, start, end, rng.randint(1, 3), today, case)
        if case == "denied":
            self._submit(row, start - days(rng.randint(3, 10)))
            row["decided_on"] = start
            row["denial_reason"] = rng.choice(DENIALS)
            row["appeal_deadline"] = start + days(plan.payer.appeal_window_days)
        elif case == "unused":
            self._approve(row, Course([], "approved"), plan, today)
        self.writer.add("authorization_requests", row)

    def _renewal(self, person: Person, current: Grant | None, today: date) -> None:
        """A request to extend the running approval: draft, submitted, pended or approved."""
        rng = self.rng
        start = (current.end if current and current.end else today) + days(1)
        end = start + days(rng.choice((35, 90, 180)) - 1)
        case = rng.choice(("draft", "draft", "submitted", "submitted", "pended", "approved"))
        plan = person.plan_on(min(start, today))
        row = self._base(person, plan, start, end, rng.randint(1, 3), today, case)
        row["renews_id"] = current.id if current and current.grants else None
        row["created_at"] = recorded_moment(today - days(rng.randint(0, 14)))
        course = Course([], "approved")
        if case == "approved":
            self._approve(row, course, plan, today)
        elif case != "draft":
            self._submit(row, today - days(rng.randint(0, 20)))
        self.writer.add("authorization_requests", row)

    # rows --------------------------------------------------------------------------------

    def _row(self, person, plan, start, end, visits, today, status) -> None:
        row = self._base(person, plan, start, end, max(visits, 1), today, "approved")
        row["status"] = Status(status).value
        self.writer.add("authorization_requests", row)

    def _base(self, person, plan, start, end, visits, today, case) -> dict:
        rng, code = self.rng, person.code
        created = min(start - days(rng.randint(7, 21)), today - days(rng.randint(1, 5)))
        visits = max(visits, 1)
        request_id = self.ids.take("authorization_requests")
        return {
            **BLANK,
            "id": request_id,
            "clinic_id": person.clinic.id,
            "patient_id": person.id,
            "coverage_id": plan.id,
            "hcpcs_code": code,
            "diagnosis_codes": list(person.diagnoses),
            "ordering_provider": rng.choice(PROVIDERS),
            "dose_mg": Decimal(DOSES[code]),
            "administrations": visits,
            "units_requested": self.dose_units(code) * visits,
            "requested_start": start,
            "requested_end": max(end, start),
            "urgency": "expedited" if rng.random() < 0.05 else "standard",
            "status": str(STATUS_OF.get(case, case)),
            "created_by_id": person.clinic.users["front_desk"],
            # its creator owns it; one in ten nobody (the dashboard's unowned count)
            "owner_id": None if request_id % 10 == 0 else person.clinic.users["front_desk"],
            "created_at": recorded_moment(created),
            "updated_at": recorded_moment(min(today, max(created, start))),
            "version": 1,
        }
