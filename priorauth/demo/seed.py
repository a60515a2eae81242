"""Seed the demo clinic through the same services as the pages, one story day at a time.

Each row is written inside `clock.replaying(...)` at its story moment, so its audit event
carries the day the story gives it (a request submitted thirty days ago shows its submission
thirty days ago). The same `today` always gives the same clinic (fixed random seed).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from priorauth.demo import data
from priorauth.demo import owners as demo_owners
from priorauth.demo.history import evidence_of
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

RANDOM_SEED = 20260401
DATE_FIELDS = ("approved_start", "approved_end")
DECIDED = ("approved", "partially_approved", "denied")  # steps that carry decided_on
SLOTS = (time(8, 30), time(9, 0), time(10, 0), time(11, 30), time(13, 0), time(14, 30))
DEFAULT_OVERRIDE = "Clinical notes sent with the request"
RECORDED_AT = time(15, 0)  # UTC: mid-morning in New York, when staff record things


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
    """Builds one demo clinic; day offsets in the data files are counted from `today`."""

    def __init__(self, clinic: Clinic, today: date, suffix: int):
        self.clinic, self.today, self.suffix = clinic, today, suffix
        self.rng = random.Random(RANDOM_SEED)
        self.users: dict[str, object] = {}
        self.payers: dict[str, object] = {}
        self.patients: dict[str, object] = {}
        self.coverages: dict[tuple[str, str], object] = {}

    def run(self) -> None:
        with self.on(data.SETUP_DAY):
            self.add_users()
            self.add_payers()
            demo_owners.set_queue_owners(self.users)
        for row in data.PATIENTS:
            with self.on(row["registered"]):
                self.add_patient(row)
        for row in data.REQUESTS:
            self.add_request(row)
        for row in sorted(data.INFUSIONS, key=lambda r: r["day"]):
            self.add_infusion(row)

    # dates -------------------------------------------------------------------------------

    def day(self, offset) -> date:
        if offset == data.LAST_MONTH_END:
            return self.today.replace(day=1) - timedelta(days=1)
        return self.today + timedelta(days=offset)

    def moment(self, offset) -> datetime:
        """The UTC moment staff record things on that day."""
        return datetime.combine(self.day(offset), RECORDED_AT)

    def on(self, offset):
        """Audit events written inside happen on that story day."""
        return clock.replaying(self.moment(offset))

    # people and payers -------------------------------------------------------------------

    def add_users(self) -> None:
        tag = "" if self.suffix == 1 else str(self.suffix)
        for mailbox, name, role in data.USERS:
            email = f"{mailbox}{tag}@{data.EMAIL_DOMAIN}"
            user, _ = accounts.create_user(self.clinic, email, name, role, data.PASSWORD)
            self.users[role] = user

    def add_payers(self) -> None:
        admin = self.users["admin"]
        for key, row in data.PAYERS.items():
            fields = {k: v for k, v in row.items() if k != "plan"}
            self.payers[key] = payers.create_payer(admin, {"kind": "commercial", **fields})
        for (key, code), policy in data.POLICIES.items():
            payers.put_policy(admin, self.payers[key].id, code, policy)

    def add_patient(self, row: dict) -> None:
        desk = self.users["front_desk"]
        fields = {k: row[k] for k in ("mrn", "first_name", "last_name", "sex", "birth_date")}
        patient = patients.create_patient(desk, fields)
        self.patients[row["mrn"]] = patient
        for coverage in row["coverage"]:
            self.add_coverage(row["mrn"], coverage)
        for kind, evidence in evidence_of(row, self.day):
            patients.add_evidence(desk, patient.id, kind, evidence)

    def add_coverage(self, mrn: str, row: dict) -> None:
        payer = row["payer"]
        end = row.get("end")
        coverage = patients.add_coverage(
            self.users["front_desk"],
            self.patients[mrn].id,
            {
                "payer_id": self.payers[payer].id,
                "member_id": f"{payer}{self.rng.randint(100000000, 999999999)}",
                "plan_name": data.PAYERS[payer]["plan"],
                "start_date": self.day(row["start"]),
                "end_date": None if end is None else self.day(end),
            },
        )
        self.coverages[(mrn, payer)] = coverage

    # requests ----------------------------------------------------------------------------

    def add_request(self, row: dict) -> None:
        patient_row = next(p for p in data.PATIENTS if p["mrn"] == row["mrn"])
        start = self.day(row["start"])
        fields = {
            "patient_id": self.patients[row["mrn"]].id,
            "coverage_id": self.coverages[(row["mrn"], row["payer"])].id,
            "hcpcs_code": row["code"],
            "diagnosis_codes": list(patient_row["diagnoses"]),
            "ordering_provider": self.rng.choice(data.PROVIDERS),
            "dose_mg": Decimal(str(row["dose_mg"])),
            "administrations": row["administrations"],
            "requested_start": start,
            "requested_end": start + timedelta(days=row["days"] - 1),
            "urgency": row.get("urgency", "standard"),
        }
        with self.on(row["created"]):
            auth = authorizations.create_authorization(self.users["front_desk"], fields)
            demo_owners.give(self.users, auth, row)
        for step in row.get("steps", ()):
            with self.on(step["on"]):
                self.apply_step(auth, step)

    def apply_step(self, auth, step: dict) -> None:
        """One workflow step, recorded as of its own day (back-dated submissions included)."""
        payload = {k: v for k, v in step.items() if k != "on"}
        for field in DATE_FIELDS:
            if field in payload:
                payload[field] = self.day(payload[field])
        if payload["to"] in DECIDED:
            payload["decided_on"] = self.day(step["on"])
        if "auth_number" in payload:
            payload["auth_number"] = payload["auth_number"].format(year=self.today.year)
        on = self.day(step["on"])
        if payload["to"] == "submitted":
            payload.setdefault("channel", "portal")
            if not self.ready(auth, on, payload):
                payload["override_reason"] = DEFAULT_OVERRIDE
        transitions.transition(
            self.users["front_desk"], auth.id, payload, self.moment(step["on"]), on
        )

    @staticmethod
    def ready(auth, on: date, payload: dict) -> bool:
        """Submittable as is: an override is given, or the checklist is ready on that day."""
        return "override_reason" in payload or authorizations.checklist_for(auth, on).ready

    # infusions ---------------------------------------------------------------------------

    def add_infusion(self, row: dict) -> None:
        when = datetime.combine(self.day(row["day"]), self.rng.choice(SLOTS))
        booking = {
            "patient_id": self.patients[row["mrn"]].id,
            "hcpcs_code": row["code"],
            "scheduled_at": when,
            "dose_mg": Decimal(row["dose_mg"]),
        }
        if "override_reason" in row:
            booking["override_reason"] = row["override_reason"]
        with self.on(row["booked"]):
            infusion, _ = infusions.book(self.users["scheduler"], booking)
        if "discarded_mg" in row:
            self.administer(infusion, row)

    def administer(self, infusion, row: dict) -> None:
        given_at = infusion.scheduled_at + timedelta(minutes=40)
        record = {
            "dose_mg": Decimal(row["dose_mg"]),
            "discarded_mg": Decimal(row["discarded_mg"]),
            "lot_number": f"{infusion.hcpcs_code[0]}{self.rng.randint(100000, 999999)}",
            "lot_expiration": given_at.date() + timedelta(days=self.rng.randint(120, 540)),
            "reaction": row.get("reaction", "none observed"),
            "container": "single",
        }
        with clock.replaying(self._utc(given_at)):
            administration.administer(
                self.users["billing"], infusion.id, record, now_local=given_at
            )

    def _utc(self, local: datetime) -> datetime:
        """A clinic-local wall-clock time as naive UTC."""
        aware = local.replace(tzinfo=ZoneInfo(self.clinic.timezone))
        return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
