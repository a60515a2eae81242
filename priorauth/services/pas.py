"""Da Vinci PAS: a request as a Claim request Bundle, checked by building it with fhir.resources
(FHIR R4B models, whose R4 Claim, Bundle and ClaimResponse are those of PAS's R4)."""

from __future__ import annotations

import json
from datetime import datetime

from fhir.resources.R4B.bundle import Bundle

from priorauth.domain import pas
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Clinic
from priorauth.services import snapshots
from priorauth.services.scope import get_owned


def _request(auth: AuthorizationRequest) -> pas.PasRequest:
    return pas.PasRequest(
        id=auth.id,
        hcpcs_code=auth.hcpcs_code,
        drug_name=auth.drug.drug,
        diagnosis_codes=tuple(auth.diagnosis_codes or ()),
        ordering_provider=auth.ordering_provider or None,
        dose_mg=auth.dose_mg,
        administrations=auth.administrations,
        units_requested=auth.units_requested,
        requested_start=auth.requested_start,
        requested_end=auth.requested_end,
        expedited=auth.urgency == "expedited",
    )


def facts_of(auth: AuthorizationRequest) -> pas.PasFacts:
    """The plain values the Bundle is built from."""
    patient, coverage = auth.patient, auth.coverage
    clinic = db.session.get(Clinic, auth.clinic_id)
    return pas.PasFacts(
        clinic=pas.PasOrganization(clinic.id, clinic.name),
        payer=pas.PasOrganization(coverage.payer_id, coverage.payer.name, coverage.payer.phone),
        patient=pas.PasPatient(
            patient.id,
            patient.mrn,
            patient.first_name,
            patient.last_name,
            patient.birth_date,
            patient.sex,
        ),
        coverage=pas.PasCoverage(
            coverage.id,
            coverage.member_id,
            coverage.plan_name,
            coverage.start_date,
            coverage.end_date,
        ),
        request=_request(auth),
        evidence=snapshots.patient_evidence(patient.id),
    )


def claim_bundle(clinic_id: int, auth_id: int, now: datetime) -> tuple[AuthorizationRequest, dict]:
    """(the request, its PAS Bundle as FHIR JSON); `now` carries its UTC offset. The Bundle
    is parsed by fhir.resources before it is answered: a mapping that breaks FHIR raises."""
    auth = get_owned(AuthorizationRequest, auth_id, clinic_id, what="authorization")
    bundle = Bundle.model_validate(pas.claim_bundle(facts_of(auth), now))
    return auth, json.loads(bundle.model_dump_json(exclude_none=True, by_alias=True))
