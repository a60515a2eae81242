"""Keep the attention read model (services/attention.py) true in every transaction: after each
flush, note the patients whose stored facts the flushed rows can change; before the commit,
recompute those patients' facts in the same transaction. Use cases need no calls of their own,
and a change no use case foresaw (a new service, a command, a test factory) is covered too.

What can change a patient's facts: the patient's infusions, requests, plans, re-verifications
and evidence; a payer's or a payer policy's edit (every patient with a plan of that payer);
a clinic's time zone (every patient of the clinic: answers are due and checklists judged in
clinic-local time). Drug-code catalog changes are reference data: `flask recompute` after them.
"""

from __future__ import annotations

from itertools import chain

import sqlalchemy as sa
from sqlalchemy.orm import Session

from priorauth.models import (
    AuthorizationRequest,
    CkdStatus,
    Clinic,
    Coverage,
    DiagnosisRecord,
    EligibilityCheck,
    Infusion,
    LabResult,
    OralIronTrial,
    Patient,
    Payer,
    PayerPolicy,
    PriorTherapy,
)
from priorauth.services import attention

PATIENT_ROWS = (
    AuthorizationRequest,
    Infusion,
    Coverage,
    EligibilityCheck,
    LabResult,
    OralIronTrial,
    CkdStatus,
    DiagnosisRecord,
    PriorTherapy,
)
PATIENTS, PAYERS, CLINICS = "attention.patients", "attention.payers", "attention.clinics"
ROUNDS = 5  # refreshing flushes nothing new; a second round only follows late autoflushes


def listen(session_target) -> None:
    """Attach the listeners once (create_app runs for every test app)."""
    for name, handler in EVENTS:
        if not sa.event.contains(session_target, name, handler):
            sa.event.listen(session_target, name, handler)


def _note_touched(session: Session, _flush_context) -> None:
    """after_flush: the flushed rows' patients, payers and clinics (ids are assigned now)."""
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, PATIENT_ROWS):
            session.info.setdefault(PATIENTS, set()).add(row.patient_id)
        elif isinstance(row, Payer | PayerPolicy):
            payer_id = row.id if isinstance(row, Payer) else row.payer_id
            session.info.setdefault(PAYERS, set()).add(payer_id)
        elif isinstance(row, Clinic) and sa.inspect(row).attrs.timezone.history.has_changes():
            session.info.setdefault(CLINICS, set()).add(row.id)


def _refresh_touched(session: Session) -> None:
    """before_commit: recompute the noted patients' facts, in the committing transaction."""
    for _ in range(ROUNDS):
        session.flush()
        patients = _touched_patients(session)
        if not patients:
            return
        attention.refresh_patients(patients)


def _touched_patients(session: Session) -> set[int]:
    patients = session.info.pop(PATIENTS, set())
    payers, clinics = session.info.pop(PAYERS, set()), session.info.pop(CLINICS, set())
    if payers:
        covered = sa.select(Coverage.patient_id).where(Coverage.payer_id.in_(sorted(payers)))
        patients |= set(session.scalars(covered.distinct()))
    if clinics:
        theirs = sa.select(Patient.id).where(Patient.clinic_id.in_(sorted(clinics)))
        patients |= set(session.scalars(theirs))
    patients.discard(None)
    return patients


def _forget(session: Session, *_args) -> None:
    """after_rollback: what was noted is gone with the transaction."""
    for key in (PATIENTS, PAYERS, CLINICS):
        session.info.pop(key, None)


EVENTS = (
    ("after_flush", _note_touched),
    ("before_commit", _refresh_touched),
    ("after_rollback", _forget),
)
