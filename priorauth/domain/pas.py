"""A request as a Da Vinci PAS Claim request Bundle (FHIR R4), from plain values.

The Bundle (type collection) carries the Claim (use preauthorization) first, then the
Patient, the Coverage, the payer's and the clinic's Organization and, when the request names
one, the ordering Practitioner. Each entry's fullUrl is a `urn:uuid:` derived from the clinic
and the row, so the same request always gives the same references. The evidence (latest lab of
each test, oral iron trials, latest CKD status, prior IV iron products) is the Claim's
supportingInfo (domain/pas_evidence.py). services/pas.py checks the result with fhir.resources.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from priorauth.domain.evidence import PatientEvidence
from priorauth.domain.pas_evidence import supporting_info

HCPCS = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
ICD10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
CLAIM_TYPE = "http://terminology.hl7.org/CodeSystem/claim-type"
PRIORITY = "http://terminology.hl7.org/CodeSystem/processpriority"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
COVERAGE_CLASS = "http://terminology.hl7.org/CodeSystem/coverage-class"
CARE_TEAM_ROLE = "http://terminology.hl7.org/CodeSystem/claimcareteamrole"
GENDERS = {"F": "female", "M": "male", "X": "other"}


@dataclass(frozen=True)
class PasPatient:
    id: int
    mrn: str
    first_name: str
    last_name: str
    birth_date: date
    sex: str | None


@dataclass(frozen=True)
class PasCoverage:
    id: int
    member_id: str
    plan_name: str | None
    start_date: date
    end_date: date | None


@dataclass(frozen=True)
class PasOrganization:
    id: int
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class PasRequest:
    id: int
    hcpcs_code: str
    drug_name: str
    diagnosis_codes: tuple[str, ...]
    ordering_provider: str | None
    dose_mg: Decimal
    administrations: int
    units_requested: int
    requested_start: date
    requested_end: date
    expedited: bool


@dataclass(frozen=True)
class PasFacts:
    """Everything the Bundle says, read from the rows by services/pas.py."""

    clinic: PasOrganization
    payer: PasOrganization
    patient: PasPatient
    coverage: PasCoverage
    request: PasRequest
    evidence: PatientEvidence


def urn(clinic_id: int, kind: str, row_id: int | str) -> str:
    """The stable fullUrl of one resource of the clinic's bundles."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'priorauth:{clinic_id}:{kind}:{row_id}')}"


def coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    return found | ({"display": display} if display else {})


def _ref(clinic_id: int, kind: str, row_id: int | str) -> dict:
    return {"reference": urn(clinic_id, kind, row_id)}


def _patient(facts: PasFacts) -> dict:
    p = facts.patient
    mrn_type = {"coding": [coding(V2_0203, "MR", "Medical record number")]}
    return {
        "resourceType": "Patient",
        "id": f"patient-{p.id}",
        "identifier": [
            {
                "type": mrn_type,
                "system": f"urn:priorauth:clinic:{facts.clinic.id}:mrn",
                "value": p.mrn,
            }
        ],
        "name": [{"family": p.last_name, "given": [p.first_name]}],
        "birthDate": p.birth_date.isoformat(),
        "gender": GENDERS.get(p.sex or "", "unknown"),
    }


def _coverage(facts: PasFacts) -> dict:
    c, clinic = facts.coverage, facts.clinic.id
    period = {"start": c.start_date.isoformat()}
    if c.end_date:
        period["end"] = c.end_date.isoformat()
    found = {
        "resourceType": "Coverage",
        "id": f"coverage-{c.id}",
        "identifier": [
            {"type": {"coding": [coding(V2_0203, "MB", "Member Number")]}, "value": c.member_id}
        ],
        "status": "active",
        "subscriberId": c.member_id,
        "beneficiary": _ref(clinic, "patient", facts.patient.id),
        "period": period,
        "payor": [_ref(clinic, "payer", facts.payer.id)],
    }
    if c.plan_name:
        found["class"] = [
            {"type": {"coding": [coding(COVERAGE_CLASS, "plan")]}, "value": c.plan_name}
        ]
    return found


def _organization(org: PasOrganization, kind: str, type_code: str) -> dict:
    found = {
        "resourceType": "Organization",
        "id": f"{kind}-{org.id}",
        "type": [{"coding": [coding(ORGANIZATION_TYPE, type_code)]}],
        "name": org.name,
    }
    if org.phone:
        found["telecom"] = [{"system": "phone", "value": org.phone}]
    return found


def _practitioner(name: str) -> dict:
    return {"resourceType": "Practitioner", "id": "ordering-provider", "name": [{"text": name}]}


def _diagnoses(codes: tuple[str, ...]) -> list[dict]:
    return [
        {"sequence": n, "diagnosisCodeableConcept": {"coding": [coding(ICD10_CM, code)]}}
        for n, code in enumerate(codes, start=1)
    ]


def _item(r: PasRequest) -> dict:
    item = {
        "sequence": 1,
        "productOrService": {"coding": [coding(HCPCS, r.hcpcs_code, r.drug_name)]},
        "servicedPeriod": {
            "start": r.requested_start.isoformat(),
            "end": r.requested_end.isoformat(),
        },
        "quantity": {"value": r.units_requested, "unit": "units"},
    }
    if r.diagnosis_codes:
        item["diagnosisSequence"] = list(range(1, len(r.diagnosis_codes) + 1))
    if r.ordering_provider:
        item["careTeamSequence"] = [1]
    return item


def _claim(facts: PasFacts, now: datetime) -> dict:
    r, clinic = facts.request, facts.clinic.id
    claim = {
        "resourceType": "Claim",
        "id": f"request-{r.id}",
        "identifier": [{"system": f"urn:priorauth:clinic:{clinic}:request", "value": str(r.id)}],
        "status": "active",
        "type": {"coding": [coding(CLAIM_TYPE, "professional")]},
        "use": "preauthorization",
        "patient": _ref(clinic, "patient", facts.patient.id),
        "created": now.isoformat(),
        "insurer": _ref(clinic, "payer", facts.payer.id),
        "provider": _ref(clinic, "clinic", clinic),
        "priority": {"coding": [coding(PRIORITY, "stat" if r.expedited else "normal")]},
        "insurance": [
            {"sequence": 1, "focal": True, "coverage": _ref(clinic, "coverage", facts.coverage.id)}
        ],
        "item": [_item(r)],
    }
    return claim | _optional_parts(facts)


def _optional_parts(facts: PasFacts) -> dict:
    """The care team, diagnoses and supporting info, each left out when empty (FHIR allows
    no empty arrays)."""
    r, clinic = facts.request, facts.clinic.id
    parts = {"supportingInfo": supporting_info(r.dose_mg, r.administrations, facts.evidence)}
    if r.ordering_provider:
        role = {"coding": [coding(CARE_TEAM_ROLE, "primary")]}
        provider = _ref(clinic, "practitioner", r.id)
        parts["careTeam"] = [{"sequence": 1, "provider": provider, "role": role}]
    if r.diagnosis_codes:
        parts["diagnosis"] = _diagnoses(r.diagnosis_codes)
    return parts


def _entries(facts: PasFacts, now: datetime) -> list[tuple[str, int | str, dict]]:
    clinic = facts.clinic.id
    found = [
        ("claim", facts.request.id, _claim(facts, now)),
        ("patient", facts.patient.id, _patient(facts)),
        ("coverage", facts.coverage.id, _coverage(facts)),
        ("payer", facts.payer.id, _organization(facts.payer, "payer", "pay")),
        ("clinic", clinic, _organization(facts.clinic, "clinic", "prov")),
    ]
    if facts.request.ordering_provider:
        practitioner = _practitioner(facts.request.ordering_provider)
        found.append(("practitioner", facts.request.id, practitioner))
    return found


def claim_bundle(facts: PasFacts, now: datetime) -> dict:
    """The PAS Claim request Bundle as FHIR JSON; `now` (with its offset) stamps it."""
    clinic = facts.clinic.id
    return {
        "resourceType": "Bundle",
        "identifier": {
            "system": f"urn:priorauth:clinic:{clinic}:pas-bundle",
            "value": f"request-{facts.request.id}",
        },
        "type": "collection",
        "timestamp": now.isoformat(),
        "entry": [
            {"fullUrl": urn(clinic, kind, row_id), "resource": resource}
            for kind, row_id, resource in _entries(facts, now)
        ],
    }
