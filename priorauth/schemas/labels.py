"""What a person calls each schema field: the pages name fields by these, never by their key."""

from __future__ import annotations

import marshmallow as ma

# A field's own metadata={"label": ...} wins; a name not listed reads as words ("plan_name":
# "Plan name"). ITEM_LABELS names one entry of a list field ("Diagnosis 2").
FIELD_LABELS = {
    "administered_at": "Date given",
    "administered_by": "Given by",
    "administrations": "Administrations",
    "appeal_days": "Appeal warning days",
    "appeal_window_days": "Appeal window",
    "approved_administrations": "Approved administrations",
    "approved_end": "Approved until",
    "approved_start": "Approved from",
    "approved_units": "Approved units",
    "units_approved": "Approved units",
    "administrations_approved": "Approved administrations",
    "auth_number": "Authorization number",
    "birth_date": "Date of birth",
    "coverage_id": "Coverage",
    "decided_on": "Decision date",
    "default_authorization_days": "Default authorization length (days)",
    "denial_reason": "Denial reason",
    "diagnosis_codes": "Diagnosis codes",
    "accepted_diagnoses": "Accepted diagnoses",
    "digest_hour": "Digest hour",
    "digest_items_per_type": "Digest items per type",
    "discarded_mg": "Amount discarded (mg)",
    "dose_mg": "Dose (mg)",
    "end_date": "End date",
    "expedited_response_hours": "Hours to answer an expedited request",
    "expiring_days": "Days before an approval ends",
    "expires_in_days": "Days until it expires",
    "ferritin_max": "Ferritin limit",
    "ferritin_max_ckd": "Ferritin limit with CKD",
    "given_on": "Date given",
    "hcpcs_code": "Drug code",
    "hemoglobin_max": "Hemoglobin limit",
    "labs_max_age_days": "Oldest labs accepted (days)",
    "lot_expiration": "Lot expiry",
    "max_administrations": "Most administrations",
    "max_mg_per_authorization": "Most mg per authorization",
    "max_mg_per_dose": "Most mg per dose",
    "member_id": "Member ID",
    "min_days_between_doses": "Fewest days between doses",
    "mrn": "MRN",
    "observed_on": "Date observed",
    "oral_iron_min_days": "Shortest oral iron trial (days)",
    "override_reason": "Override reason",
    "pa_required": "Prior authorization required",
    "patient_id": "Patient",
    "payer_id": "Payer",
    "payer_reference": "Payer reference",
    "portal_url": "Portal address",
    "preferred_codes": "Preferred drug codes",
    "requested_end": "Requested end",
    "requested_start": "Requested start",
    "requires_waste_modifiers": "Waste modifiers (JW / JZ)",
    "scheduled_at": "Date and time",
    "service_date": "Service date",
    "standard_response_days": "Days to answer a standard request",
    "since": "First day",
    "start_date": "Start date",
    "test": "Lab test",
    "timezone": "Time zone",
    "to": "Next step",
    "tsat_max": "TSAT limit",
    "tsat_max_ckd": "TSAT limit with CKD",
    "until": "Last day",
    "uncovered_days": "Uncovered infusion warning days",
    "upcoming_business_days": "Re-verify insurance business days",
    "user_id": "Staff member",
    "id": "Record",
}
ITEM_LABELS = {
    "diagnosis_codes": "Diagnosis",
    "accepted_diagnoses": "Accepted diagnosis",
    "preferred_codes": "Preferred drug code",
}
_WORDS = {"mg": "(mg)", "id": "ID", "hcpcs": "HCPCS", "mrn": "MRN", "ckd": "CKD", "pa": "PA"}


def field_label(name: str, field: ma.fields.Field | None = None) -> str:
    """The words a page uses for a field: its metadata label, FIELD_LABELS, or its name in
    words ("plan_name" -> "Plan name")."""
    if field is not None and field.metadata.get("label"):
        return field.metadata["label"]
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    words = [_WORDS.get(w, w) for w in name.split("_") if w]
    text = " ".join(words) or name
    return text[:1].upper() + text[1:]


def item_label(name: str, field: ma.fields.Field | None = None) -> str:
    """One entry of a list field, to number: "Diagnosis" (-> "Diagnosis 2")."""
    if field is not None and field.metadata.get("item_label"):
        return field.metadata["item_label"]
    return ITEM_LABELS.get(name) or field_label(name, field)
