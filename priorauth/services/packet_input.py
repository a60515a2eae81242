"""Load what a packet shows (request, payer, clinic, checklist evidence, letter text and the
chosen attachments' bytes) into the plain values packet_pdf.build_packet draws."""

from __future__ import annotations

from datetime import date

from priorauth.domain import evidence as ev
from priorauth.domain.evidence_rules import fmt
from priorauth.domain.evidence_summary import summary_rows
from priorauth.domain.vocab import Channel, LetterKind, label
from priorauth.extensions import db
from priorauth.models import Attachment, AuthorizationRequest, Clinic
from priorauth.services import attachments, snapshots
from priorauth.services.packet_pdf import PacketAttachment, PacketInput
from priorauth.services.payers import find_policy

TITLES = {"submission": "Prior authorization request", "appeal": "Appeal of a denial"}
LETTERS = {"submission": LetterKind.MEDICAL_NECESSITY, "appeal": LetterKind.APPEAL}


def _request_facts(auth: AuthorizationRequest, kind: str) -> tuple[tuple[str, str], ...]:
    coverage, drug = auth.coverage, auth.drug
    plan = f", {coverage.plan_name}" if coverage.plan_name else ""
    facts = [
        ("Payer", f"{coverage.payer.name}{plan}, member ID {coverage.member_id}"),
        ("Code", f"{auth.hcpcs_code} ({drug.brand}, {drug.drug})"),
        ("Dose", f"{fmt(auth.dose_mg)} mg per administration"),
        ("Administrations", str(auth.administrations)),
        ("Units requested", f"{auth.units_requested} units of {auth.hcpcs_code}"),
        ("Dates requested", f"{auth.requested_start} to {auth.requested_end}"),
        ("Diagnosis codes", ", ".join(auth.diagnosis_codes or ()) or "see the evidence summary"),
        ("Urgency", label(auth.urgency)),
        ("Ordering provider", auth.ordering_provider or "not on file"),
    ]
    if auth.payer_reference:
        facts.append(("Payer reference", auth.payer_reference))
    if kind == "appeal":
        facts += _denial_facts(auth)
    return tuple(facts)


def _denial_facts(auth: AuthorizationRequest) -> list[tuple[str, str]]:
    reason = label(auth.denial_reason) if auth.denial_reason else "not recorded"
    note = f" ({auth.denial_note})" if auth.denial_note else ""
    return [
        ("Denied on", str(auth.decided_on or "")),
        ("Denial reason", f"{reason}{note}"),
        ("Appeal deadline", str(auth.appeal_deadline or "")),
    ]


def evidence_table(auth: AuthorizationRequest, as_of: date):
    """The summary rows from the same facts the request's checklist is built from."""
    policy = snapshots.policy_facts(find_policy(auth.coverage.payer_id, auth.hcpcs_code))
    request = snapshots.request_facts(auth)
    evidence = snapshots.patient_evidence(auth.patient_id)
    checklist = ev.build_checklist(policy, request, evidence, as_of)
    return summary_rows(checklist, policy, request, evidence, as_of)


def attachment_values(rows: list[Attachment]) -> tuple[PacketAttachment, ...]:
    return tuple(
        PacketAttachment(row.filename, row.content_type, attachments.content_of(row))
        for row in rows
    )


def packet_input(
    actor, auth: AuthorizationRequest, kind: str, letter_text: str, rows, channel, today: date
) -> PacketInput:
    """Everything the packet of `kind` shows, the letter text and attachments given."""
    clinic = db.session.get(Clinic, auth.clinic_id)
    payer, patient = auth.coverage.payer, auth.patient
    contact = ", ".join(x for x in (getattr(actor, "name", ""), getattr(actor, "email", "")) if x)
    return PacketInput(
        title=TITLES[kind],
        prepared_on=today,
        clinic_name=clinic.name,
        clinic_contact=(contact,) if contact else (),
        payer_name=payer.name,
        payer_fax=payer.fax,
        payer_portal=payer.portal_url,
        payer_phone=payer.phone,
        channel=label(channel, Channel) if channel else None,
        patient_name=patient.full_name,
        mrn=patient.mrn,
        birth_date=patient.birth_date,
        facts=_request_facts(auth, kind),
        letter_title=label(LETTERS[kind]),
        letter_text=letter_text,
        summary=evidence_table(auth, today),
        attachments=attachment_values(rows),
    )
