"""Every resource of the PAS Claim Bundle stated in full: the codes, their systems and
displays, the references between the entries and the sequence numbers a payer reads.
(domain/pas.py; the supporting info is pinned in test_pas_evidence_pins.py.)"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from priorauth.domain import pas
from priorauth.domain.evidence import PatientEvidence

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
CLINIC = 3
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"
ORG_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"


def _facts() -> pas.PasFacts:
    request = pas.PasRequest(
        id=7,
        hcpcs_code="J1439",
        drug_name="ferric carboxymaltose",
        diagnosis_codes=("D50.9", "N18.4"),
        ordering_provider="Dr. Grace Hopper",
        dose_mg=Decimal("750.000"),
        administrations=2,
        units_requested=1500,
        requested_start=date(2026, 3, 1),
        requested_end=date(2026, 5, 31),
        expedited=False,
    )
    return pas.PasFacts(
        clinic=pas.PasOrganization(CLINIC, "Riverside Infusion"),
        payer=pas.PasOrganization(5, "Blue Harbor Health", "800-555-0100"),
        patient=pas.PasPatient(11, "MRN-1", "Ada", "Lovelace", date(1970, 3, 1), "F"),
        coverage=pas.PasCoverage(13, "M123", "Gold PPO", date(2025, 1, 1), date(2026, 12, 31)),
        request=request,
        evidence=PatientEvidence(),
    )


def _ref(kind: str, row_id: int) -> dict:
    return {"reference": pas.urn(CLINIC, kind, row_id)}


def _resource(resource_id: str) -> dict:
    bundle = pas.claim_bundle(_facts(), NOW)
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["id"] == resource_id)


def test_the_claim_is_a_focal_professional_preauthorization_numbered_from_one():
    """The claim is identified by the request id, typed `professional`, prioritized in the
    processpriority system, and its one insurance (focal), item, care team member and
    diagnoses are numbered from 1; the dose text names the number of administrations."""
    assert _resource("request-7") == {
        "resourceType": "Claim",
        "id": "request-7",
        "identifier": [{"system": "urn:priorauth:clinic:3:request", "value": "7"}],
        "status": "active",
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/claim-type",
                    "code": "professional",
                }
            ]
        },
        "use": "preauthorization",
        "patient": _ref("patient", 11),
        "created": "2026-03-16T12:00:00+00:00",
        "insurer": _ref("payer", 5),
        "provider": _ref("clinic", CLINIC),
        "priority": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/processpriority",
                    "code": "normal",
                }
            ]
        },
        "insurance": [{"sequence": 1, "focal": True, "coverage": _ref("coverage", 13)}],
        "item": [
            {
                "sequence": 1,
                "productOrService": {
                    "coding": [
                        {
                            "system": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
                            "code": "J1439",
                            "display": "ferric carboxymaltose",
                        }
                    ]
                },
                "servicedPeriod": {"start": "2026-03-01", "end": "2026-05-31"},
                "quantity": {"value": 1500, "unit": "units"},
                "diagnosisSequence": [1, 2],
                "careTeamSequence": [1],
            }
        ],
        "supportingInfo": [
            {
                "sequence": 1,
                "category": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/claiminformationcategory",
                            "code": "info",
                            "display": "Information",
                        }
                    ]
                },
                "code": {"text": "Requested dose"},
                "valueString": "750 mg per administration, 2 administrations",
            }
        ],
        "careTeam": [
            {
                "sequence": 1,
                "provider": _ref("practitioner", 7),
                "role": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/claimcareteamrole",
                            "code": "primary",
                        }
                    ]
                },
            }
        ],
        "diagnosis": [
            {
                "sequence": 1,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "D50.9"}]
                },
            },
            {
                "sequence": 2,
                "diagnosisCodeableConcept": {
                    "coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "N18.4"}]
                },
            },
        ],
    }


def test_the_patient_is_identified_by_its_medical_record_number_in_the_clinic():
    assert _resource("patient-11") == {
        "resourceType": "Patient",
        "id": "patient-11",
        "identifier": [
            {
                "type": {
                    "coding": [
                        {"system": V2_0203, "code": "MR", "display": "Medical record number"}
                    ]
                },
                "system": "urn:priorauth:clinic:3:mrn",
                "value": "MRN-1",
            }
        ],
        "name": [{"family": "Lovelace", "given": ["Ada"]}],
        "birthDate": "1970-03-01",
        "gender": "female",
    }


def test_the_coverage_is_active_for_the_member_of_the_payer_and_names_the_plan():
    """The member id is both the MB identifier and the subscriberId; the beneficiary is the
    bundle's patient, the payor its payer, the plan a coverage-class `plan`."""
    assert _resource("coverage-13") == {
        "resourceType": "Coverage",
        "id": "coverage-13",
        "identifier": [
            {
                "type": {"coding": [{"system": V2_0203, "code": "MB", "display": "Member Number"}]},
                "value": "M123",
            }
        ],
        "status": "active",
        "subscriberId": "M123",
        "beneficiary": _ref("patient", 11),
        "period": {"start": "2025-01-01", "end": "2026-12-31"},
        "payor": [_ref("payer", 5)],
        "class": [
            {
                "type": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/coverage-class",
                            "code": "plan",
                        }
                    ]
                },
                "value": "Gold PPO",
            }
        ],
    }


def test_the_payer_is_a_pay_organization_and_the_clinic_a_prov_organization():
    assert _resource("payer-5") == {
        "resourceType": "Organization",
        "id": "payer-5",
        "type": [{"coding": [{"system": ORG_TYPE, "code": "pay"}]}],
        "name": "Blue Harbor Health",
        "telecom": [{"system": "phone", "value": "800-555-0100"}],
    }
    assert _resource("clinic-3") == {
        "resourceType": "Organization",
        "id": "clinic-3",
        "type": [{"coding": [{"system": ORG_TYPE, "code": "prov"}]}],
        "name": "Riverside Infusion",
    }


def test_each_entry_full_url_is_the_urn_of_its_kind_and_row():
    bundle = pas.claim_bundle(_facts(), NOW)
    assert [e["fullUrl"] for e in bundle["entry"]] == [
        pas.urn(CLINIC, "claim", 7),
        pas.urn(CLINIC, "patient", 11),
        pas.urn(CLINIC, "coverage", 13),
        pas.urn(CLINIC, "payer", 5),
        pas.urn(CLINIC, "clinic", CLINIC),
        pas.urn(CLINIC, "practitioner", 7),
    ]
    assert pas.urn(CLINIC, "claim", 7) == "urn:uuid:03d4d5fc-2f20-5dc9-ad4c-7e42ca057af8"
