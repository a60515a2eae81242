"""The closed vocabularies of priorauth, one StrEnum each, with the words pages show for them.

A stored value (a status, a role, a payer kind) is spelled once, here or beside the rule that
owns it (workflow.Status, evidence.LabTest, ...); models build their CHECK constraints from
these enums, schemas their `OneOf` choices, and templates show `label(value)` (the `label`
filter), never the raw value. `labelled` registers an enum's labels and refuses an enum with a
member left unlabelled, so a new value cannot reach a page as snake_case.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from priorauth.domain.evidence import Dialysis, ItemStatus, LabTest, TrialOutcome
from priorauth.domain.runway import Badge
from priorauth.domain.workflow import Status

_LABELS: dict[type[StrEnum], dict[str, str]] = {}


def labelled(labels: dict[str, str]) -> Callable[[type], type]:
    """Class decorator: the enum's labels, one per member, no more, no fewer."""

    def register(enum: type[StrEnum]) -> type[StrEnum]:
        register_labels(enum, labels)
        return enum

    return register


def register_labels(enum: type[StrEnum], labels: dict[str, str]) -> None:
    """Labels for an enum defined elsewhere (workflow.Status, evidence.LabTest, ...)."""
    values = {member.value for member in enum}
    if set(labels) != values:
        raise ValueError(f"{enum.__name__} labels do not match its values: {values ^ set(labels)}")
    _LABELS[enum] = dict(labels)


class Vocabulary(StrEnum):
    """A closed vocabulary: its members have a `label`; `values()` and `choices()` feed
    constraints, schemas and select boxes."""

    @property
    def label(self) -> str:
        return _LABELS[type(self)][self.value]

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return values(cls)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return choices(cls)


def values(enum: type[StrEnum]) -> tuple[str, ...]:
    """The stored spellings, in declaration order."""
    return tuple(member.value for member in enum)


def choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select box, in declaration order."""
    return [(member.value, _LABELS[enum][member.value]) for member in enum]


def label(value, vocabulary: type[StrEnum] | None = None) -> str:
    """The words for a stored value: of the given vocabulary, of the member's own, or of the
    first vocabulary that knows the string (the same value has the same words everywhere:
    tests/unit/test_vocab.py pins it). Unknown values and None come back as they are."""
    if value is None:
        return ""
    enum = vocabulary or (type(value) if type(value) in _LABELS else None)
    if enum is not None:
        return _LABELS[enum].get(str(value), str(value))
    for labels in _LABELS.values():
        if str(value) in labels:
            return labels[str(value)]
    return str(value)


def vocabularies() -> dict[type[StrEnum], dict[str, str]]:
    """Every registered vocabulary and its labels (for tests and documentation)."""
    return {enum: dict(labels) for enum, labels in _LABELS.items()}


@labelled(
    {"front_desk": "Front desk", "scheduler": "Scheduler", "billing": "Billing", "admin": "Admin"}
)
class Role(Vocabulary):
    FRONT_DESK = "front_desk"
    SCHEDULER = "scheduler"
    BILLING = "billing"
    ADMIN = "admin"


@labelled(
    {
        "scheduled": "Scheduled",
        "administered": "Administered",
        "cancelled": "Cancelled",
        "no_show": "No-show",
    }
)
class InfusionStatus(Vocabulary):
    SCHEDULED = "scheduled"
    ADMINISTERED = "administered"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


@labelled({"active": "Active", "inactive": "Inactive", "changed_plan": "Changed plan"})
class EligibilityResult(Vocabulary):
    """What re-verifying a patient's insurance found."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    CHANGED_PLAN = "changed_plan"


@labelled({"portal": "Payer portal", "phone": "Phone", "electronic": "Electronic"})
class EligibilityMethod(Vocabulary):
    """How the insurance was re-verified."""

    PORTAL = "portal"
    PHONE = "phone"
    ELECTRONIC = "electronic"


@labelled({"portal": "Payer portal", "fax": "Fax", "phone": "Phone", "electronic": "Electronic"})
class Channel(Vocabulary):
    """How a request went to the payer."""

    PORTAL = "portal"
    FAX = "fax"
    PHONE = "phone"
    ELECTRONIC = "electronic"


@labelled(
    {"commercial": "Commercial", "medicare": "Medicare", "medicaid": "Medicaid", "other": "Other"}
)
class PayerKind(Vocabulary):
    COMMERCIAL = "commercial"
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    OTHER = "other"


@labelled({"standard": "Standard", "expedited": "Expedited"})
class Urgency(Vocabulary):
    STANDARD = "standard"
    EXPEDITED = "expedited"


@labelled({"F": "Female", "M": "Male", "X": "Other / not stated"})
class Sex(Vocabulary):
    FEMALE = "F"
    MALE = "M"
    OTHER = "X"


@labelled({"single": "Single-dose", "multi": "Multi-dose"})
class Container(Vocabulary):
    """The vial an administration drew from (docs/domain.md: JW/JZ apply to single-dose)."""

    SINGLE = "single"
    MULTI = "multi"


@labelled({"pending": "Pending", "sent": "Sent", "failed": "Failed"})
class DeliveryStatus(Vocabulary):
    """A digest email's delivery."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


register_labels(
    Status,
    {
        "draft": "Draft",
        "submitted": "Submitted",
        "pended": "Pended",
        "approved": "Approved",
        "partially_approved": "Partially approved",
        "denied": "Denied",
        "appealed": "Appealed",
        "not_required": "Not required",
        "cancelled": "Cancelled",
        "expired": "Expired",
        "exhausted": "Exhausted",
    },
)
register_labels(LabTest, {"hemoglobin": "Hemoglobin", "ferritin": "Ferritin", "tsat": "TSAT"})
register_labels(
    TrialOutcome,
    {
        "inadequate_response": "Inadequate response",
        "intolerance": "Intolerance",
        "contraindication": "Contraindication",
    },
)
register_labels(
    Dialysis,
    {"none": "No dialysis", "hemodialysis": "Hemodialysis", "peritoneal": "Peritoneal dialysis"},
)
register_labels(
    ItemStatus,
    {
        "met": "Met",
        "missing": "Missing",
        "not_met": "Not met",
        "stale": "Stale",
        "not_required": "Not required",
    },
)
register_labels(Badge, {"covered": "Covered", "at_risk": "At risk", "not_covered": "Not covered"})


@labelled(
    {
        "lab_report": "Lab report",
        "chart_note": "Chart note",
        "payer_letter": "Payer letter",
        "denial_letter": "Denial letter",
        "prescription": "Prescription / order",
        "letter": "Letter (as sent)",
        "submission_packet": "Submission packet (as sent)",
        "appeal_packet": "Appeal packet (as sent)",
        "other": "Other",
    }
)
class AttachmentKind(Vocabulary):
    """What a stored document is. The last three are written by priorauth itself when a
    letter or a packet is sent, so that what the payer received is kept."""

    LAB_REPORT = "lab_report"
    CHART_NOTE = "chart_note"
    PAYER_LETTER = "payer_letter"
    DENIAL_LETTER = "denial_letter"
    PRESCRIPTION = "prescription"
    LETTER = "letter"
    SUBMISSION_PACKET = "submission_packet"
    APPEAL_PACKET = "appeal_packet"
    OTHER = "other"


@labelled({"medical_necessity": "Letter of medical necessity", "appeal": "Appeal letter"})
class LetterKind(Vocabulary):
    MEDICAL_NECESSITY = "medical_necessity"
    APPEAL = "appeal"


@labelled(
    {
        "diagnosis_not_supported": "No diagnosis on the payer's medical-necessity list",
        "oral_iron_not_documented": "No documented oral iron trial, or why it was not used",
        "labs_out_of_range": "Labs out of range or too old",
        "documentation_missing": "Missing documentation (dose, treatment history)",
        "dose_or_frequency_exceeded": "More or larger doses than the payer allows",
        "step_therapy_required": "A preferred product must be tried first",
        "off_label_use": "Off-label use",
        "not_medically_necessary": "Not medically necessary",
        "other": "Other",
    }
)
class DenialReason(Vocabulary):
    """Why a payer denied a request (the appeal letter answers each: domain/appeals.py)."""

    DIAGNOSIS_NOT_SUPPORTED = "diagnosis_not_supported"
    ORAL_IRON_NOT_DOCUMENTED = "oral_iron_not_documented"
    LABS_OUT_OF_RANGE = "labs_out_of_range"
    DOCUMENTATION_MISSING = "documentation_missing"
    DOSE_OR_FREQUENCY_EXCEEDED = "dose_or_frequency_exceeded"
    STEP_THERAPY_REQUIRED = "step_therapy_required"
    OFF_LABEL_USE = "off_label_use"
    NOT_MEDICALLY_NECESSARY = "not_medically_necessary"
    OTHER = "other"
