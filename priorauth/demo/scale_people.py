"""One scale patient: the row, their coverages (some ended, some changed plan, some ending
soon) and their evidence (diagnoses, labs, CKD status with some on dialysis, oral iron trials,
an earlier IV iron product)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from priorauth.demo.scale_setup import ClinicInfo, PayerInfo, recorded_moment

FIRST = ("Ana", "Ben", "Carla", "Dev", "Elif", "Femi", "Gus", "Hana", "Ivo", "Jun", "Kira", "Leo")
LAST = ("Abbott", "Brandt", "Castro", "Dunn", "Ekwu", "Fisher", "Grant", "Huang", "Ibsen", "Jovic")
# (code, weight, on dialysis)
CODES = (
    ("J1439", 28, False),
    ("Q0138", 20, False),
    ("J1756", 26, False),
    ("J1437", 16, False),
    ("Q0139", 10, True),
)
IRON_DEFICIENCY = ("D50.9", "D50.0", "D50.8", "D63.8", "K50", "K51", "K90")
DIALYSIS_DIAGNOSES = ("N18.6", "Z99.2", "D63.1")
ORAL = ("ferrous sulfate 325 mg", "ferrous gluconate 324 mg")
OUTCOMES = ("inadequate_response", "intolerance", "contraindication")


@dataclass(frozen=True)
class Plan:
    """A coverage as the requests need it: its id, payer and dates."""

    id: int
    payer: PayerInfo
    start: date
    end: date | None

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass
class Person:
    id: int
    clinic: ClinicInfo
    code: str
    dialysis: bool
    diagnoses: tuple[str, ...]
    plans: list[Plan]

    def plan_on(self, day: date) -> Plan:
        """The coverage active that day, else the latest one."""
        for plan in reversed(self.plans):
            if plan.active_on(day):
                return plan
        return self.plans[-1]


def pick_code(rng: random.Random) -> tuple[str, bool]:
    code, _, dialysis = rng.choices(CODES, weights=[w for _, w, _ in CODES])[0]
    return code, dialysis


def payers_for(clinic: ClinicInfo, code: str) -> list[PayerInfo]:
    return [p for p in clinic.payers if code in p.pa_codes or code in p.free_codes]


class People:
    """Writes one patient with coverages and evidence; returns the Person for the requests."""

    def __init__(self, writer, ids, rng: random.Random):
        self.writer, self.ids, self.rng = writer, ids, rng

    def person(self, clinic: ClinicInfo, number: int) -> Person:
        rng, today = self.rng, clinic.today
        patient_id = self.ids.take("patients")
        code, dialysis = pick_code(rng)
        self._patient(clinic, patient_id, number)
        diagnoses = self._diagnoses(dialysis)
        person = Person(patient_id, clinic, code, dialysis, diagnoses, [])
        person.plans = self._coverages(person, today)
        self._evidence(person, today)
        return person

    def _patient(self, clinic: ClinicInfo, patient_id: int, number: int) -> None:
        rng = self.rng
        self.writer.add(
            "patients",
            {
                "id": patient_id,
                "clinic_id": clinic.id,
                "mrn": f"S{clinic.number:02d}-{number:07d}",
                "first_name": rng.choice(FIRST),
                "last_name": f"{rng.choice(LAST)}-{number}",
                "birth_date": clinic.today - timedelta(days=rng.randint(18 * 365, 90 * 365)),
                "sex": rng.choice("FFMMX" if number % 50 == 0 else "FFM"),
                "created_at": recorded_moment(clinic.today - timedelta(days=rng.randint(30, 900))),
            },
        )

    def _diagnoses(self, dialysis: bool) -> tuple[str, ...]:
        if dialysis:
            return DIALYSIS_DIAGNOSES
        first = self.rng.choice(IRON_DEFICIENCY)
        return (first,) if self.rng.random() < 0.7 else (first, "D63.8")

    # coverages ---------------------------------------------------------------------------

    def _coverages(self, person: Person, today: date) -> list[Plan]:
        """One plan for most; 10% changed plan in the last months; 1.5% end within 30 days."""
        rng = self.rng
        options = payers_for(person.clinic, person.code)
        first = rng.choice(options)
        start = today - timedelta(days=rng.randint(400, 1500))
        roll = rng.random()
        if roll < 0.10 and len(options) > 1:
            changed = today - timedelta(days=rng.randint(15, 200))
            second = rng.choice([p for p in options if p is not first])
            return [
                self._coverage(person, first, start, changed - timedelta(days=1)),
                self._coverage(person, second, changed, None),
            ]
        end = today + timedelta(days=rng.randint(3, 30)) if roll > 0.985 else None
        return [self._coverage(person, first, start, end)]

    def _coverage(self, person: Person, payer: PayerInfo, start: date, end: date | None) -> Plan:
        plan = Plan(self.ids.take("coverages"), payer, start, end)
        self.writer.add(
            "coverages",
            {
                "id": plan.id,
                "clinic_id": person.clinic.id,
                "patient_id": person.id,
                "payer_id": payer.id,
                "member_id": f"{payer.key}{self.rng.randint(100000000, 999999999)}",
                "plan_name": payer.plan,
                "start_date": start,
                "end_date": end,
                "created_at": recorded_moment(start),
            },
        )
        return plan

    # evidence ----------------------------------------------------------------------------

    def _evidence(self, person: Person, today: date) -> None:
        rng = self.rng
        diagnosed = today - timedelta(days=rng.randint(200, 900))
        for code in person.diagnoses:
            self._add(person, "diagnoses", diagnosed, code=code, observed_on=diagnosed)
        self._labs(person, today - timedelta(days=rng.randint(2, 75)))
        if rng.random() < 0.4:
            self._labs(person, today - timedelta(days=rng.randint(90, 200)))
        if person.dialysis or rng.random() < 0.25:
            self._ckd(person, today - timedelta(days=rng.randint(10, 300)))
        if not person.dialysis and rng.random() < 0.75:
            self._oral_trial(person, today)
        if rng.random() < 0.1:
            given = today - timedelta(days=rng.randint(200, 600))
            self._add(
                person, "prior_therapies", given, hcpcs_code="J1756", given_on=given, note=None
            )

    def _labs(self, person: Person, drawn: date) -> None:
        rng = self.rng
        values = {
            "ferritin": Decimal(rng.randint(5, 140)),
            "tsat": Decimal(rng.randint(4, 34)),
            "hemoglobin": Decimal(rng.randint(78, 128)) / 10,
        }
        for test, value in values.items():
            self._add(person, "lab_results", drawn, test=test, value=value, observed_on=drawn)

    def _ckd(self, person: Person, observed: date) -> None:
        if person.dialysis:
            stage, dialysis = 5, "hemodialysis" if self.rng.random() < 0.85 else "peritoneal"
        else:
            stage, dialysis = self.rng.randint(2, 4), "none"
        self._add(
            person, "ckd_statuses", observed, stage=stage, dialysis=dialysis, observed_on=observed
        )

    def _oral_trial(self, person: Person, today: date) -> None:
        rng = self.rng
        start = today - timedelta(days=rng.randint(150, 420))
        end = start + timedelta(days=rng.randint(30, 130))
        self._add(
            person,
            "oral_iron_trials",
            end,
            drug=rng.choice(ORAL),
            start_date=start,
            end_date=end,
            outcome=rng.choice(OUTCOMES),
            note=None,
        )

    def _add(self, person: Person, table: str, day: date, **fields) -> None:
        self.writer.add(
            table,
            {
                "id": self.ids.take(table),
                "clinic_id": person.clinic.id,
                "patient_id": person.id,
                "recorded_at": recorded_moment(day),
                "recorded_by_id": person.clinic.users["front_desk"],
                **fields,
            },
        )
