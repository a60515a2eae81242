"""The facts a checklist is built from: the patient's evidence, the payer's policy for a code,
and the request (docs/domain.md §3). Plain values; the rules are in evidence.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum


class LabTest(StrEnum):
    HEMOGLOBIN = "hemoglobin"
    FERRITIN = "ferritin"
    TSAT = "tsat"


class TrialOutcome(StrEnum):
    INADEQUATE_RESPONSE = "inadequate_response"
    INTOLERANCE = "intolerance"
    CONTRAINDICATION = "contraindication"


class Dialysis(StrEnum):
    NONE = "none"
    HEMODIALYSIS = "hemodialysis"
    PERITONEAL = "peritoneal"


class Requirement(StrEnum):
    """The stable requirement codes, in checklist order."""

    PAYER_POLICY = "PAYER_POLICY"
    PRIOR_AUTHORIZATION = "PRIOR_AUTHORIZATION"
    DIAGNOSIS_SUPPORTED = "DIAGNOSIS_SUPPORTED"
    ORAL_IRON_TRIAL = "ORAL_IRON_TRIAL"
    CKD_STATUS = "CKD_STATUS"
    IRON_LABS = "IRON_LABS"
    HEMOGLOBIN = "HEMOGLOBIN"
    LABS_RECENT = "LABS_RECENT"
    STEP_THERAPY = "STEP_THERAPY"
    DOSE_PER_ADMINISTRATION = "DOSE_PER_ADMINISTRATION"
    DOSE_PER_AUTHORIZATION = "DOSE_PER_AUTHORIZATION"
    ADMINISTRATIONS = "ADMINISTRATIONS"


@dataclass(frozen=True)
class Lab:
    test: LabTest
    value: Decimal
    observed_on: date


@dataclass(frozen=True)
class OralIronTrial:
    """end_date None: ongoing; outcome None: not yet recorded."""

    drug: str
    start_date: date
    end_date: date | None
    outcome: TrialOutcome | None
    note: str = ""


@dataclass(frozen=True)
class CkdStatus:
    stage: int
    dialysis: Dialysis
    observed_on: date


@dataclass(frozen=True)
class Diagnosis:
    code: str
    observed_on: date


@dataclass(frozen=True)
class PriorProduct:
    """An IV iron product the patient already received (for step therapy)."""

    hcpcs_code: str
    given_on: date


@dataclass(frozen=True)
class PatientEvidence:
    labs: tuple[Lab, ...] = ()
    trials: tuple[OralIronTrial, ...] = ()
    ckd: tuple[CkdStatus, ...] = ()
    diagnoses: tuple[Diagnosis, ...] = ()
    prior_products: tuple[PriorProduct, ...] = ()

    def as_of(self, day: date) -> PatientEvidence:
        """Only the evidence dated on or before day."""
        return PatientEvidence(
            labs=tuple(x for x in self.labs if x.observed_on <= day),
            trials=tuple(x for x in self.trials if x.start_date <= day),
            ckd=tuple(x for x in self.ckd if x.observed_on <= day),
            diagnoses=tuple(x for x in self.diagnoses if x.observed_on <= day),
            prior_products=tuple(x for x in self.prior_products if x.given_on <= day),
        )


@dataclass(frozen=True)
class Policy:
    """One payer's criteria for one code; None or empty means the payer does not ask."""

    pa_required: bool = True
    accepted_diagnoses: tuple[str, ...] = ()
    ferritin_max: Decimal | None = None
    tsat_max: Decimal | None = None
    ferritin_max_ckd: Decimal | None = None
    tsat_max_ckd: Decimal | None = None
    hemoglobin_max: Decimal | None = None
    labs_max_age_days: int | None = None
    oral_iron_min_days: int | None = None
    preferred_codes: tuple[str, ...] = ()
    max_mg_per_dose: Decimal | None = None
    max_mg_per_authorization: Decimal | None = None
    max_administrations: int | None = None
    min_days_between_doses: int | None = None
    default_authorization_days: int | None = None


@dataclass(frozen=True)
class RequestFacts:
    """requires_dialysis comes from the drug catalog (Q0139, J1443, J1444, J1445)."""

    hcpcs_code: str
    dose_mg: Decimal | None
    administrations: int | None
    diagnosis_codes: tuple[str, ...] = ()
    requires_dialysis: bool = False
    payer_name: str = "the payer"
