"""The scale data's clinics, staff and payers: each clinic gets one user per role (one shared
password, hashed once), four commercial payers and their policies (demo/policies.toml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from priorauth.demo import data
from priorauth.domain.vocab import Role
from priorauth.extensions import db
from priorauth.models import Clinic, DrugCode
from priorauth.models.base import utcnow
from priorauth.services import clock

CLINIC_PREFIX = "Scale Clinic "
PASSWORD = "scale-password"
TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
STAFF = {
    Role.ADMIN: ("admin", "Ada Admin"),
    Role.FRONT_DESK: ("frontdesk", "Frank Desk"),
    Role.SCHEDULER: ("scheduler", "Sue Scheduler"),
    Role.BILLING: ("billing", "Bill Billing"),
}
# A fourth payer beside the demo's three: Summit Mutual's rules, Evergreen's dialysis policy.
NORTHWIND = {
    "name": "Northwind Care",
    "plan": "Northwind Care Select",
    "phone": "1-866-555-0190",
    "portal_url": "https://auth.northwindcare.example",
    "contact": "Prior authorization unit",
    "standard_response_days": 10,
    "expedited_response_hours": 48,
    "appeal_window_days": 90,
    "requires_waste_modifiers": True,
}
PAYERS = {**data.PAYERS, "NW": NORTHWIND}
POLICY_SOURCES = {"BH": "BH", "SM": "SM", "EC": "EC", "NW": "SM"}
EXTRA_POLICIES = {("NW", "Q0139"): ("EC", "Q0139")}
POLICY_COLUMNS = (
    "pa_required",
    "accepted_diagnoses",
    "ferritin_max",
    "tsat_max",
    "ferritin_max_ckd",
    "tsat_max_ckd",
    "hemoglobin_max",
    "labs_max_age_days",
    "oral_iron_min_days",
    "preferred_codes",
    "max_mg_per_dose",
    "max_mg_per_authorization",
    "max_administrations",
    "min_days_between_doses",
    "default_authorization_days",
)


@dataclass(frozen=True)
class PayerInfo:
    id: int
    key: str
    plan: str
    standard_response_days: int
    appeal_window_days: int
    requires_waste_modifiers: bool
    pa_codes: frozenset[str]  # codes whose policy requires prior authorization
    free_codes: frozenset[str]  # codes with a policy that needs none


@dataclass
class ClinicInfo:
    """What the generator needs of one clinic while it writes that clinic's patients."""

    id: int
    number: int
    today: date
    users: dict[str, int] = field(default_factory=dict)
    payers: list[PayerInfo] = field(default_factory=list)


def policies_of(key: str) -> dict[str, dict]:
    """Code -> policy fields for one payer key."""
    source = POLICY_SOURCES[key]
    found = {code: fields for (payer, code), fields in data.POLICIES.items() if payer == source}
    for (payer, code), (other, other_code) in EXTRA_POLICIES.items():
        if payer == key:
            found[code] = data.POLICIES[(other, other_code)]
    return found


def next_clinic_number() -> int:
    """1 on an empty database; after existing scale clinics, the next number."""
    names = db.session.scalars(
        sa.select(Clinic.name).where(Clinic.name.like(f"{CLINIC_PREFIX}%"))
    ).all()
    numbers = [int(n.removeprefix(CLINIC_PREFIX)) for n in names if n[-1].isdigit()]
    return max(numbers, default=0) + 1


def mg_per_unit() -> dict[str, object]:
    return dict(db.session.execute(sa.select(DrugCode.code, DrugCode.mg_per_unit)).all())


class Setup:
    """Writes clinics, users, payers and policies; ids come from the generator's counters."""

    def __init__(self, writer, ids):
        self.writer, self.ids = writer, ids
        self.password_hash = generate_password_hash(PASSWORD)  # once: hashing is slow
        self.now = utcnow()

    def clinic(self, number: int) -> ClinicInfo:
        zone = TIMEZONES[(number - 1) % len(TIMEZONES)]
        clinic_id = self.ids.take("clinics")
        self.writer.add("clinics", {"id": clinic_id, **self._clinic_row(number, zone)})
        today = clock.clinic_today(Clinic(timezone=zone))
        info = ClinicInfo(clinic_id, number, today)
        for role, (mailbox, name) in STAFF.items():
            info.users[role.value] = self._user(info, role.value, mailbox, name)
        info.payers = [self._payer(info, key, row) for key, row in PAYERS.items()]
        return info

    @staticmethod
    def _clinic_row(number: int, zone: str) -> dict:
        return {
            "name": f"{CLINIC_PREFIX}{number:02d}",
            "timezone": zone,
            "digest_hour": 6,
            "expiring_days": "30,14,7",
            "uncovered_days": 7,
            "appeal_days": 14,
            "upcoming_business_days": 2,
            "digest_items_per_type": 10,
        }

    def _user(self, clinic: ClinicInfo, role: str, mailbox: str, name: str) -> int:
        user_id = self.ids.take("users")
        row = {
            "id": user_id,
            "clinic_id": clinic.id,
            "email": f"{mailbox}@clinic-{clinic.number:02d}.scale.test",
            "name": f"{name} {clinic.number:02d}",
            "role": role,
            "password_hash": self.password_hash,
            "created_at": self.now,
        }
        self.writer.add("users", row)
        return user_id

    def _payer(self, clinic: ClinicInfo, key: str, row: dict) -> PayerInfo:
        payer_id = self.ids.take("payers")
        fields = {k: v for k, v in row.items() if k != "plan"}
        self.writer.add(
            "payers", {"id": payer_id, "clinic_id": clinic.id, "kind": "commercial", **fields}
        )
        policies = policies_of(key)
        for code, policy in policies.items():
            self._policy(clinic.id, payer_id, code, policy)
        return PayerInfo(
            payer_id,
            key,
            row["plan"],
            row["standard_response_days"],
            row["appeal_window_days"],
            row["requires_waste_modifiers"],
            frozenset(c for c, p in policies.items() if p.get("pa_required", True)),
            frozenset(c for c, p in policies.items() if not p.get("pa_required", True)),
        )

    def _policy(self, clinic_id: int, payer_id: int, code: str, policy: dict) -> None:
        row = {column: policy.get(column) for column in POLICY_COLUMNS}
        row["pa_required"] = policy.get("pa_required", True)
        row["accepted_diagnoses"] = list(policy.get("accepted_diagnoses") or [])
        row["preferred_codes"] = list(policy.get("preferred_codes") or [])
        self.writer.add(
            "payer_policies",
            {
                "id": self.ids.take("payer_policies"),
                "clinic_id": clinic_id,
                "payer_id": payer_id,
                "hcpcs_code": code,
                "updated_at": self.now,
                **row,
            },
        )


def recorded_moment(day: date) -> datetime:
    """Naive UTC mid-morning US time on that day: when staff record things."""
    return datetime(day.year, day.month, day.day, 15, 0)
