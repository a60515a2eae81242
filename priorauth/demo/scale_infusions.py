"""Infusion rows of a scale patient: visits before today administered (units used and claim
lines as services/administration.py stores them) or cancelled / no-show; visits from today on
booked, under the course's approval when it covers the day, else booked with an override."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

from priorauth.demo.scale_people import Person
from priorauth.demo.scale_requests import DOSES, Grant
from priorauth.domain.units import billing_units, claim_lines

NURSES = ("RN Maya Chen", "RN Luis Ortega", "RN Grace Kim")
SMALLER_DOSE = {"J1439": (500, 250), "J1756": (100, 100)}  # (dose, discarded) sometimes given
OVERRIDE = "Booked while the authorization is pending; clinical notes sent"
UTC_OFFSET = timedelta(hours=5)  # near enough for booked_at / billed_at stamps


def covers(grant: Grant | None, day: date) -> bool:
    return bool(grant and grant.grants and grant.start <= day <= grant.end)


class Infusions:
    """Writes the infusion rows of a course of visits."""

    def __init__(self, writer, ids, rng: random.Random, mg_per_unit: dict):
        self.writer, self.ids, self.rng, self.mg_per_unit = writer, ids, rng, mg_per_unit

    def write(self, person: Person, visits: list[datetime], grant: Grant | None, free: bool):
        """One course's visits; `free`: the payer needs no authorization for the code."""
        for when in visits:
            self.writer.add("infusions", self._row(person, when, grant, free))

    def _row(self, person: Person, when: datetime, grant: Grant | None, free: bool) -> dict:
        rng, today = self.rng, person.clinic.today
        day = when.date()
        covered = covers(grant, day)
        row = self._booking(person, when)
        row["authorization_id"] = grant.id if covered else None
        if day >= today:
            row["status"] = "cancelled" if rng.random() < 0.03 else "scheduled"
            row["override_reason"] = None if covered or free else OVERRIDE
            return row
        roll = rng.random()
        if roll < 0.05:
            row["status"] = "cancelled" if roll < 0.03 else "no_show"
            return row
        self._administer(row, person, grant if covered else None, free)
        if today - day > timedelta(days=10) and rng.random() < 0.85:
            row["billed_at"] = (
                row["administered_at"] + UTC_OFFSET + timedelta(days=rng.randint(2, 9))
            )
            row["billed_by_id"] = person.clinic.users["billing"]
        return row

    def _booking(self, person: Person, when: datetime) -> dict:
        code = person.code
        dose = Decimal(DOSES[code])
        if code in SMALLER_DOSE and self.rng.random() < 0.1:
            dose = Decimal(SMALLER_DOSE[code][0])
        return {
            **BLANK,
            "id": self.ids.take("infusions"),
            "clinic_id": person.clinic.id,
            "patient_id": person.id,
            "hcpcs_code": code,
            "scheduled_at": when,
            "dose_mg": dose,
            "units_reserved": billing_units(dose, self.mg_per_unit[code]),
            "booked_at": when + UTC_OFFSET - timedelta(days=self.rng.randint(3, 30)),
            "booked_by_id": person.clinic.users["scheduler"],
        }

    def _administer(self, row: dict, person: Person, grant: Grant | None, free: bool) -> None:
        rng, code = self.rng, person.code
        given_at = row["scheduled_at"] + timedelta(minutes=40)
        dose = row["dose_mg"]
        discarded = Decimal(SMALLER_DOSE[code][1]) if dose != DOSES[code] else Decimal(0)
        plan = person.plan_on(given_at.date())
        lines = claim_lines(
            code,
            self.mg_per_unit[code],
            dose,
            discarded,
            waste_modifiers=plan.payer.requires_waste_modifiers,
            service_date=given_at.date(),
        )
        extra = {
            "auth_number": grant.auth_number if grant else None,
            "auth_required": not free,
            "coverage_id": plan.id,
        }
        stored = [_stored(line, extra) for line in lines]
        row.update(
            status="administered",
            administered_at=given_at,
            dose_given_mg=dose,
            discarded_mg=discarded,
            multi_dose=False,
            lot_number=f"{code[0]}{rng.randint(100000, 999999)}",
            lot_expiration=given_at.date() + timedelta(days=rng.randint(120, 540)),
            reaction="none observed",
            administered_by=rng.choice(NURSES),
            units_used=sum(line["units"] for line in stored),
            claim_lines=stored,
        )


def _stored(line, extra: dict) -> dict:
    """A claim line as services/administration.py stores it (asdict, without its deep copy)."""
    return {
        "hcpcs_code": line.hcpcs_code,
        "units": line.units,
        "modifiers": list(line.modifiers),
        "service_date": line.service_date.isoformat() if line.service_date else None,
        **extra,
    }


# claim_lines is left out, not None: a JSON column stores None as JSON null, not SQL NULL.
BLANK = dict.fromkeys(
    (
        "authorization_id",
        "status",
        "override_reason",
        "administered_at",
        "dose_given_mg",
        "discarded_mg",
        "multi_dose",
        "lot_number",
        "lot_expiration",
        "reaction",
        "administered_by",
        "units_used",
        "billed_at",
        "billed_by_id",
        "coverage_badge",
        "coverage_summary",
        "coverage_reason",
    )
)
