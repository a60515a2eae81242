"""SQLAlchemy models, one module per aggregate; importing this registers them all."""

from priorauth.models.audit import AuditEvent
from priorauth.models.authorizations import AuthorizationRequest, FollowUp
from priorauth.models.digests import DigestDelivery
from priorauth.models.documents import Attachment, Letter, LetterTemplate
from priorauth.models.idempotency import IdempotentResponse
from priorauth.models.imports import ImportJob
from priorauth.models.infusions import EligibilityCheck, Infusion
from priorauth.models.patients import (
    EVIDENCE_MODELS,
    CkdStatus,
    Coverage,
    DiagnosisRecord,
    LabResult,
    OralIronTrial,
    Patient,
    PriorTherapy,
)
from priorauth.models.payers import DrugCode, Payer, PayerPolicy, PayerRate
from priorauth.models.reminders import ActionLink, ReminderState
from priorauth.models.users import ApiToken, Clinic, QueueOwner, Role, User

__all__ = [
    "ActionLink",
    "FollowUp",
    "ImportJob",
    "PayerRate",
    "QueueOwner",
    "ReminderState",
    "Attachment",
    "Letter",
    "LetterTemplate",
    "EVIDENCE_MODELS",
    "ApiToken",
    "AuditEvent",
    "AuthorizationRequest",
    "CkdStatus",
    "Clinic",
    "Coverage",
    "DiagnosisRecord",
    "DigestDelivery",
    "DrugCode",
    "EligibilityCheck",
    "IdempotentResponse",
    "Infusion",
    "LabResult",
    "OralIronTrial",
    "Patient",
    "Payer",
    "PayerPolicy",
    "PriorTherapy",
    "Role",
    "User",
]
