"""What a recipient's digest holds: the clinic's reminders plus administrations missing
documentation, kept to the recipient's role, grouped by type, most urgent first."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from priorauth.domain.reminders import TYPE_ORDER as REMINDER_ORDER
from priorauth.domain.reminders import Reminder, ReminderType
from priorauth.domain.units import missing_claim_documentation
from priorauth.extensions import db
from priorauth.models import Infusion, Patient
from priorauth.services.reminders import label, reminders_for
from priorauth.services.scope import scoped

ADMINISTRATION_UNDOCUMENTED = "ADMINISTRATION_UNDOCUMENTED"
DOCUMENTATION_DAYS = 7  # administrations this many days back are checked for documentation

TYPE_ORDER = {str(kind): rank for kind, rank in REMINDER_ORDER.items()}
TYPE_ORDER[ADMINISTRATION_UNDOCUMENTED] = len(TYPE_ORDER)

TITLES = {
    ReminderType.AUTH_EXPIRING: "Authorizations expiring",
    ReminderType.INFUSION_UNCOVERED: "Infusions not covered",
    ReminderType.PAYER_RESPONSE_OVERDUE: "Payer answers overdue",
    ReminderType.APPEAL_DEADLINE: "Appeal deadlines",
    ReminderType.UNITS_LOW: "Units running low",
    ReminderType.EVIDENCE_STALE: "Evidence too old",
    ReminderType.INFUSION_UPCOMING: "Upcoming infusions to re-verify",
    ADMINISTRATION_UNDOCUMENTED: "Administrations missing documentation",
}

ROLE_TYPES = {
    "front_desk": frozenset(
        {
            ReminderType.AUTH_EXPIRING,
            ReminderType.PAYER_RESPONSE_OVERDUE,
            ReminderType.APPEAL_DEADLINE,
            ReminderType.EVIDENCE_STALE,
        }
    ),
    "scheduler": frozenset(
        {
            ReminderType.INFUSION_UNCOVERED,
            ReminderType.UNITS_LOW,
            ReminderType.INFUSION_UPCOMING,
        }
    ),
    "billing": frozenset({ADMINISTRATION_UNDOCUMENTED}),
    "admin": frozenset(TYPE_ORDER),
}


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest; `path` is the page it links to (joined to BASE_URL in email).

    patient_name is set only when DIGEST_SHOW_NAMES is on; messages carry MRN and initials.
    """

    type: str
    due_date: date
    message: str
    path: str
    urgency: int
    authorization_id: int | None = None
    infusion_id: int | None = None
    patient_id: int | None = None
    patient_name: str | None = None

    @property
    def link_text(self) -> str:
        if self.infusion_id is not None:
            return f"Open infusion #{self.infusion_id}"
        return f"Open authorization #{self.authorization_id}"

    def to_json(self) -> dict:
        return {**asdict(self), "due_date": self.due_date.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> DigestItem:
        return cls(**{**data, "due_date": date.fromisoformat(data["due_date"])})


@dataclass(frozen=True)
class Group:
    type: str
    title: str
    items: tuple[DigestItem, ...]

    @property
    def count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Digest:
    """A digest for one day: groups ordered by their most urgent item."""

    digest_date: date
    groups: tuple[Group, ...] = ()

    @property
    def items(self) -> list[DigestItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def total(self) -> int:
        return sum(group.count for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def _item_key(item: DigestItem) -> tuple:
    return (item.urgency, TYPE_ORDER[item.type], item.infusion_id or 0, item.authorization_id or 0)


def _path(authorization_id: int | None, infusion_id: int | None) -> str:
    if infusion_id is not None:
        return f"/infusions/{infusion_id}"
    return f"/authorizations/{authorization_id}"


def from_reminder(reminder: Reminder) -> DigestItem:
    return DigestItem(
        type=str(reminder.type),
        due_date=reminder.due_date,
        message=reminder.message,
        path=_path(reminder.authorization_id, reminder.infusion_id),
        urgency=reminder.urgency,
        authorization_id=reminder.authorization_id,
        infusion_id=reminder.infusion_id,
        patient_id=reminder.patient_id,
    )


def missing_documentation(infusion: Infusion) -> list[str]:
    """What an administered infusion lacks for billing (the rule is in domain/units.py)."""
    auth = infusion.authorization
    return missing_claim_documentation(
        infusion.reaction,
        [line.get("auth_number") for line in infusion.claim_lines or []],
        auth_expected=auth is None or auth.status != "not_required",
    )


def _administered_since(clinic_id: int, since: datetime, until: datetime) -> list[Infusion]:
    query = (
        scoped(Infusion, clinic_id)
        .options(joinedload(Infusion.patient), joinedload(Infusion.authorization))
        .where(Infusion.status == "administered")
        .where(Infusion.administered_at >= since, Infusion.administered_at <= until)
        .order_by(Infusion.administered_at, Infusion.id)
    )
    return db.session.scalars(query).all()


def undocumented_administrations(clinic, now_local: datetime) -> list[DigestItem]:
    """Administrations of the last DOCUMENTATION_DAYS days that billing cannot claim as is."""
    as_of = now_local.date()
    since = datetime.combine(as_of - timedelta(days=DOCUMENTATION_DAYS), time.min)
    items = []
    for infusion in _administered_since(clinic.id, since, now_local):
        missing = missing_documentation(infusion)
        if not missing:
            continue
        given_on = infusion.administered_at.date()
        message = (
            f"{label(infusion.patient)}, {infusion.hcpcs_code} infusion given on "
            f"{given_on}: {' and '.join(missing)}."
        )
        items.append(
            DigestItem(
                ADMINISTRATION_UNDOCUMENTED,
                given_on,
                message,
                _path(None, infusion.id),
                (given_on - as_of).days,
                infusion.authorization_id,
                infusion.id,
                infusion.patient_id,
            )
        )
    return items


def _with_names(items: list[DigestItem]) -> list[DigestItem]:
    ids = {item.patient_id for item in items if item.patient_id is not None}
    if not ids:
        return items
    patients = db.session.scalars(sa.select(Patient).where(Patient.id.in_(ids))).all()
    names = {p.id: p.full_name for p in patients}
    return [replace(item, patient_name=names.get(item.patient_id)) for item in items]


def clinic_items(clinic, now_local: datetime, show_names: bool = False) -> list[DigestItem]:
    """Every digest item of the clinic at this local time, most urgent first."""
    items = [from_reminder(r) for r in reminders_for(clinic, now_local)]
    items += undocumented_administrations(clinic, now_local)
    if show_names:
        items = _with_names(items)
    return sorted(items, key=_item_key)


def for_role(items: Iterable[DigestItem], role: str) -> list[DigestItem]:
    wanted = ROLE_TYPES.get(role, frozenset())
    return [item for item in items if item.type in wanted]


def group(items: Iterable[DigestItem], digest_date: date) -> Digest:
    """Items grouped by type; groups ordered by their most urgent item, then type order."""
    by_type: dict[str, list[DigestItem]] = defaultdict(list)
    for item in sorted(items, key=_item_key):
        by_type[item.type].append(item)
    ordered = sorted(by_type.items(), key=lambda pair: (pair[1][0].urgency, TYPE_ORDER[pair[0]]))
    groups = tuple(Group(kind, TITLES[kind], tuple(found)) for kind, found in ordered)
    return Digest(digest_date, groups)


def digest_for(user, items: Iterable[DigestItem], digest_date: date) -> Digest:
    """The recipient's digest: the items of their role, grouped."""
    return group(for_role(items, user.role), digest_date)
