"""A spreadsheet import's columns: the fields a row may carry, their labels (the headers of our
own template), and how a clinic's headers are matched to them (docs/interop.md)."""

from __future__ import annotations

import re
from enum import StrEnum

# field -> the header our template uses for it; the order of the template's columns.
FIELDS: dict[str, str] = {
    "mrn": "MRN",
    "first_name": "First name",
    "last_name": "Last name",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "payer": "Payer",
    "member_id": "Member ID",
    "hcpcs_code": "HCPCS code",
    "dose_mg": "Dose (mg)",
    "administrations": "Administrations",
    "units_requested": "Units requested",
    "diagnosis_codes": "Diagnoses",
    "requested_start": "Requested start",
    "requested_end": "Requested end",
    "status": "Status",
    "submitted_on": "Submitted on",
    "auth_number": "Auth number",
    "units_approved": "Units approved",
    "approved_start": "Approved start",
    "approved_end": "Approved end",
    "decided_on": "Decision date",
    "ordering_provider": "Ordering provider",
    "notes": "Notes",
}
REQUIRED = ("mrn", "payer", "hcpcs_code", "dose_mg", "requested_start", "requested_end", "status")

# Other headers clinics use for a field, normalized (see `normalize`).
SYNONYMS: dict[str, str] = {
    "medicalrecordnumber": "mrn",
    "patientmrn": "mrn",
    "mrnumber": "mrn",
    "patientid": "mrn",
    "firstname": "first_name",
    "first": "first_name",
    "lastname": "last_name",
    "last": "last_name",
    "surname": "last_name",
    "dob": "birth_date",
    "birthdate": "birth_date",
    "dateofbirth": "birth_date",
    "gender": "sex",
    "insurance": "payer",
    "insurer": "payer",
    "payername": "payer",
    "plan": "payer",
    "memberid": "member_id",
    "member": "member_id",
    "memberno": "member_id",
    "subscriberid": "member_id",
    "policynumber": "member_id",
    "hcpcs": "hcpcs_code",
    "code": "hcpcs_code",
    "jcode": "hcpcs_code",
    "drugcode": "hcpcs_code",
    "dose": "dose_mg",
    "dosemg": "dose_mg",
    "visits": "administrations",
    "infusions": "administrations",
    "units": "units_requested",
    "diagnosis": "diagnosis_codes",
    "dx": "diagnosis_codes",
    "icd10": "diagnosis_codes",
    "startdate": "requested_start",
    "start": "requested_start",
    "from": "requested_start",
    "enddate": "requested_end",
    "end": "requested_end",
    "to": "requested_end",
    "authstatus": "status",
    "submitted": "submitted_on",
    "datesubmitted": "submitted_on",
    "auth": "auth_number",
    "auth#": "auth_number",
    "authno": "auth_number",
    "authorizationnumber": "auth_number",
    "authorization#": "auth_number",
    "approvedunits": "units_approved",
    "decisiondate": "decided_on",
    "decided": "decided_on",
    "provider": "ordering_provider",
    "comments": "notes",
}


def normalize(header: str) -> str:
    """Lower case, letters, digits and '#' only: 'Auth #' -> 'auth#', 'D.O.B.' -> 'dob'."""
    return re.sub(r"[^a-z0-9#]", "", str(header).lower())


def _known() -> dict[str, str]:
    known = dict(SYNONYMS)
    for field, label in FIELDS.items():
        known[normalize(field)] = field
        known[normalize(label)] = field
    return known


KNOWN = _known()


def guess_mapping(headers: list[str], remembered: dict | None = None) -> dict[str, str | None]:
    """Each header -> the field it fills (None: ignored). The clinic's remembered choice wins,
    then our own headers and their synonyms; a field is filled by its first header only."""
    remembered = remembered or {}
    mapping: dict[str, str | None] = {}
    for header in headers:
        field = remembered[header] if header in remembered else KNOWN.get(normalize(header))
        mapping[header] = field if field in FIELDS and field not in mapping.values() else None
    return mapping


def mapping_problems(mapping: dict[str, str | None]) -> list[str]:
    """What keeps a mapping from being used: a required field no header fills, a field filled
    twice, a field we do not know (sentences; empty when the mapping can be used)."""
    chosen = [field for field in mapping.values() if field]
    problems = [f"no column is chosen for {FIELDS[f]}" for f in REQUIRED if f not in chosen]
    problems += [f"unknown field {f!r}" for f in sorted(set(chosen)) if f not in FIELDS]
    twice = sorted({f for f in chosen if chosen.count(f) > 1 and f in FIELDS})
    problems += [f"{FIELDS[f]} is chosen for more than one column" for f in twice]
    return problems


class JobStatus(StrEnum):
    """Where an import stands: its columns to choose, its rows being checked, checked (the
    preview), done (the result)."""

    MAPPING = "mapping"
    CHECKING = "checking"
    CHECKED = "checked"
    DONE = "done"
