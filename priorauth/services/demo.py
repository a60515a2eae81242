"""The demo clinic: a living Riverside Infusion Center, built through the services.

`seed()` reads the tables in demo_data, turns their day offsets into dates around
`today` and goes through the same services as the pages, so every row has its
audit events. The same `today` always gives the same clinic (fixed random seed).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Clinic
from priorauth.services import (
    accounts,
    administration,
    authorizations,
    clock,
    infusions,
    patients,
    payers,
    transitions,
)
from priorauth.services import demo_data as data

RANDOM_SEED = 20260401
DATE_FIELDS = ("approved_start", "approved_end", "decided_on")
SLOTS = (time(8, 30), time(9, 0), time(10, 0), time(11, 30), time(13, 0), time(14, 30))
DEFAULT_OVERRIDE = "Clinical notes sent with the request"


def seed(force: bool = False, today: date | None = None) -> list[tuple[str, str]] | None:
    """Create the demo clinic and return its (email, role) sign-ins; None if it exists."""
    suffix = _free_suffix(force)
    if suffix is None:
        return None
    clinic = accounts.find_or_create_clinic(_numbered(data.CLINIC_NAME, suffix), data.TIMEZONE)
    clinic.digest_hour = data.DIGEST_HOUR
    seeder = _Seeder(clinic, today or clock.clinic_today(clinic), suffix)
    seeder.run()
    return [(user.email, user.role) for user in seeder.users.values()]


def _numbered(name: str, suffix: int) -> str:
    return name if suffix == 1 else f"{name} {suffix}"


def _free_suffix(force: bool) -> int | None:
    """1 for the first demo clinic; with force, the next free number; None: already there."""
    names = set(db.session.scalars(sa.select(Clinic.name)))
    if data.CLINIC_NAME in names and not force:
        return None
    suffix = 1
    while _numbered(data.CLINIC_NAME, suffix) in names:
        suffix += 1
    return suffix


class _Seeder:
    """Builds one demo clinic; day offsets in demo_data are counted from `today`."""

    def __init__(self, clinic: Clinic, today: date, suffix: int):
        self.clinic, self.today, self.suffix = clinic, today, suffix
        self.rng = random.Random(RANDOM_SEED)
        self.users: dict[str, object] = {}
        self.payers: dict[str, object] = {}
        self.patients: dict[str, object] = {}
        self.coverages: dict[tuple[str, str], object] = {}

    def run(self) -> None:
        self.add_users()
        self.add_payers()
        for row in data.PATIENTS:
            self.add_patient(row)
        for row in data.REQUESTS:
            self.add_request(row)
        for row in sorted(data.INFUSIONS, key=lambda r: r[2]):
            self.add_infusion(*row)

    # dates -------------------------------------------------------------------------------

    def day(self, offset) -> date:
        if offset == data.LAST_MONTH_END:
            return self.today.replace(day=1) - timedelta(days=1)
        return self.today + timedelta(days=offset)

    def moment(self, offset) -> datetime:
        """A UTC time mid-morning in New York on that day (when staff record things)."""
        return datetime.combine(self.day(offset), time(15, 0))

    # people and payers -------------------------------------------------------------------

    def add_users(self) -> None:
        tag = "" if self.suffix == 1 else str(self.suffix)
        for mailbox, name, role in data.USERS:
            email = f"{mailbox}{tag}@{data.EMAIL_DOMAIN}"
            user, _ = accounts.create_user(self.clinic, email, name, role, data.PASSWORD)
            self.users[role] = user

    def add_payers(self) -> None:
        admin = self.users["admin"]
        for key, fields in data.PAYERS.items():
            self.payers[key] = payers.create_payer(admin, {"kind": "commercial", **fields})
        for (key, code), policy in data.POLICIES.items():
            payers.put_policy(admin, self.payers[key].id, code, policy)

    def add_patient(self, row: dict) -> None:
        desk = self.users["front_desk"]
        fields = {k: row[k] for k in ("mrn", "first_name", "last_name", "sex")}
        fields["birth_date"] = date.fromisoformat(row["birth_date"])
        patient = patients.create_patient(desk, fields)
        self.patients[row["mrn"]] = patient
        for payer, start, end in row["cover"]:
            self.add_coverage(row["mrn"], payer, start, end)
        for kind, evidence in self.evidence_of(row):
            patients.add_evidence(desk, patient.id, kind, evidence)

    def add_coverage(self, mrn: str, payer: str, start, end) -> None:
        coverage = patients.add_coverage(
            self.users["front_desk"],
            self.patients[mrn].id,
            {
                "payer_id": self.payers[payer].id,
                "member_id": f"{payer}{self.rng.randint(100000000, 999999999)}",
                "plan_name": data.PLANS[payer],
                "start_date": self.day(start),
                "end_date": None if end is None else self.day(end),
            },
        )
        self.coverages[(mrn, payer)] = coverage

    def evidence_of(self, row: dict) -> list[tuple[str, dict]]:
        """The patient's dated evidence as (kind, fields) in the order a clinic records it."""
        found = [("diagnosis", {"code": code, "observed_on": self.day(-400)}) for code in row["dx"]]
        if row["ckd"]:
            stage, dialysis, on = row["ckd"]
            found.append(
                ("ckd_status", {"stage": stage, "dialysis": dialysis, "observed_on": self.day(on)})
            )
        if row["oral"]:
            found.append(("oral_iron_trial", self.oral_trial(*row["oral"])))
        if row["prior"] is not None:
            found.append(
                (
                    "prior_product",
                    {
                        "hcpcs_code": "J1756",
                        "given_on": self.day(row["prior"]),
                        "note": "iron sucrose at Lakeside Regional Hospital, partial response",
                    },
                )
            )
        return found + self.labs(row["labs"])

    def oral_trial(self, start, end, outcome, note=None) -> dict:
        drug = "ferrous gluconate 324 mg" if outcome == "intolerance" else "ferrous sulfate 325 mg"
        return {
            "drug": drug,
            "start_date": self.day(start),
            "end_date": self.day(end),
            "outcome": outcome,
            "note": note,
        }

    def labs(self, labs) -> list[tuple[str, dict]]:
        if labs is None:
            return []
        on, *values = labs
        tests = zip(("ferritin", "tsat", "hemoglobin"), values, strict=True)
        return [
            ("lab", {"test": test, "value": Decimal(str(value)), "observed_on": self.day(on)})
            for test, value in tests
        ]

    # requests ----------------------------------------------------------------------------

    def add_request(self, row: dict) -> None:
        patient_row = next(p for p in data.PATIENTS if p["mrn"] == row["mrn"])
        start = self.day(row["start"])
        auth = authorizations.create_authorization(
            self.users["front_desk"],
            {
                "patient_id": self.patients[row["mrn"]].id,
                "coverage_id": self.coverages[(row["mrn"], row["payer"])].id,
                "hcpcs_code": row["code"],
                "diagnosis_codes": list(patient_row["dx"]),
                "ordering_provider": self.rng.choice(data.PROVIDERS),
                "dose_mg": row["dose"],
                "administrations": row["admins"],
                "requested_start": start,
                "requested_end": start + timedelta(days=row["days"] - 1),
                "urgency": row["urgency"],
            },
        )
        for step in row["steps"]:
            self.apply_step(auth, step)

    def apply_step(self, auth, step: dict) -> None:
        """One workflow step, recorded as of its own day (back-dated submissions included)."""
        payload = {k: v for k, v in step.items() if k != "on" and v is not None}
        for field in DATE_FIELDS:
            if field in payload:
                payload[field] = self.day(payload[field])
        if "auth_number" in payload:
            payload["auth_number"] = payload["auth_number"].format(year=self.today.year)
        on = self.day(step["on"])
        if payload["to"] == "submitted" and not self.ready(auth, on, payload):
            payload["override_reason"] = DEFAULT_OVERRIDE
        transitions.transition(
            self.users["front_desk"], auth.id, payload, self.moment(step["on"]), on
        )

    @staticmethod
    def ready(auth, on: date, payload: dict) -> bool:
        """Submittable as is: an override is given, or the checklist is ready on that day."""
        return "override_reason" in payload or authorizations.checklist_for(auth, on).ready

    # infusions ---------------------------------------------------------------------------

    def add_infusion(self, mrn, code, offset, dose, discarded, override) -> None:
        when = datetime.combine(self.day(offset), self.rng.choice(SLOTS))
        booking = {
            "patient_id": self.patients[mrn].id,
            "hcpcs_code": code,
            "scheduled_at": when,
            "dose_mg": Decimal(dose),
        }
        if override:
            booking["override_reason"] = override
        infusion, _ = infusions.book(self.users["scheduler"], booking)
        if discarded is not None:
            self.administer(infusion, mrn, offset, dose, discarded)

    def administer(self, infusion, mrn, offset, dose, discarded) -> None:
        given_at = infusion.scheduled_at + timedelta(minutes=40)
        record = {
            "dose_mg": Decimal(dose),
            "discarded_mg": Decimal(discarded),
            "lot_number": f"{infusion.hcpcs_code[0]}{self.rng.randint(100000, 999999)}",
            "lot_expiration": given_at.date() + timedelta(days=self.rng.randint(120, 540)),
            "reaction": data.REACTIONS.get((mrn, offset), "none observed"),
            "container": "single",
        }
        administration.administer(self.users["billing"], infusion.id, record, now_local=given_at)
