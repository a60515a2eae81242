"""Loading what a digest says: the clinic's reminders (queries/reminders.py) and the
administrations missing documentation as digest items, and a user's digest of a day (the
stored items once it was sent). The grouping and ordering are domain/digests.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from priorauth.domain import digests
from priorauth.domain.digests import Digest, DigestItem
from priorauth.domain.units import stored_lines_missing
from priorauth.domain.vocab import InfusionStatus
from priorauth.extensions import db
from priorauth.models import Clinic, DigestDelivery, Infusion, Patient, User
from priorauth.queries.reminders import ClinicState, label, thresholds_of
from priorauth.services.clock import moment

DOCUMENTATION_DAYS = 7  # administrations this many days back are checked for documentation


def missing_documentation(infusion: Infusion) -> list[str]:
    """What an administered infusion lacks for billing (the rule is in domain/units.py; the
    claim lines say whether their day's policy needed an authorization number)."""
    return stored_lines_missing(infusion.reaction, infusion.claim_lines or [])


def _administered_since(clinic_id: int, since: datetime, until: datetime) -> list:
    """The administrations of the range: the columns the rule and the item read (no ORM
    objects: a busy clinic gives thousands a week)."""
    query = (
        sa.select(
            Infusion.id,
            Infusion.authorization_id,
            Infusion.patient_id,
            Infusion.hcpcs_code,
            Infusion.administered_at,
            Infusion.reaction,
            Infusion.claim_lines,
            Patient.mrn,
            Patient.first_name,
            Patient.last_name,
        )
        .join(Patient, sa.and_(Patient.id == Infusion.patient_id, Patient.clinic_id == clinic_id))
        .where(Infusion.clinic_id == clinic_id, Infusion.status == InfusionStatus.ADMINISTERED)
        .where(Infusion.administered_at >= since, Infusion.administered_at <= until)
        .order_by(Infusion.administered_at, Infusion.id)
    )
    return db.session.execute(query).all()


def undocumented_administrations(clinic, now_local: datetime) -> list[DigestItem]:
    """Administrations of the last DOCUMENTATION_DAYS days that billing cannot claim as is."""
    as_of = now_local.date()
    since = datetime.combine(as_of - timedelta(days=DOCUMENTATION_DAYS), time.min)
    items = []
    for infusion in _administered_since(clinic.id, since, now_local):
        missing = missing_documentation(infusion)
        if missing:
            ids = (infusion.authorization_id, infusion.id, infusion.patient_id)
            given_on = infusion.administered_at.date()
            who = label(infusion)
            items.append(
                digests.undocumented(who, infusion.hcpcs_code, given_on, missing, as_of, ids)
            )
    return items


def with_names(items: list[DigestItem]) -> list[DigestItem]:
    ids = {item.patient_id for item in items if item.patient_id is not None}
    if not ids:
        return items
    patients = db.session.scalars(sa.select(Patient).where(Patient.id.in_(ids))).all()
    names = {p.id: p.full_name for p in patients}
    return [replace(item, patient_name=names.get(item.patient_id)) for item in items]


def clinic_items(clinic, now_local: datetime, show_names: bool = False) -> list[DigestItem]:
    """Every digest item of the clinic at this local time, most urgent first."""
    items = [digests.from_reminder(r) for r in ClinicState(clinic, now_local).reminders()]
    items += undocumented_administrations(clinic, now_local)
    if show_names:
        items = with_names(items)
    return sorted(items, key=digests.item_key)


def clinic_digest(clinic: Clinic, now_local: datetime) -> Digest:
    """The reminders page: every item of the clinic, with names, grouped (no role filter and
    no cut per type: it is the full list a digest links to)."""
    items = clinic_items(clinic, now_local, show_names=True)
    return digests.group(items, now_local.date(), thresholds_of(clinic))


def items_on(clinic: Clinic, digest_date: date) -> list[DigestItem]:
    """The clinic's items as the digest of that day sees them (at the digest hour)."""
    show_names = bool(current_app.config.get("DIGEST_SHOW_NAMES"))
    return clinic_items(clinic, moment(clinic, digest_date), show_names)


def digest_for(user: User, items, digest_date: date) -> Digest:
    """The user's digest out of the clinic's items: their role's part, grouped, the clinic's
    digest_items_per_type of each type."""
    clinic = user.clinic
    limits = thresholds_of(clinic)
    return digests.digest_for(user.role, items, digest_date, limits, clinic.digest_items_per_type)


def delivery_of(user_id: int, digest_date: date) -> DigestDelivery | None:
    return db.session.scalar(
        sa.select(DigestDelivery).where(
            DigestDelivery.user_id == user_id, DigestDelivery.digest_date == digest_date
        )
    )


def stored_digest(row: DigestDelivery) -> Digest:
    """A delivery row's digest: the items it stored and their groups' counts, as sent (a
    later change of digest_items_per_type does not alter it)."""
    return digests.from_stored(row.items or [], row.digest_date, thresholds_of(row.user.clinic))


def digest_of_day(user: User, digest_date: date) -> tuple[Digest, DigestDelivery | None]:
    """What the user's email of that day says: the stored items once a row exists."""
    row = delivery_of(user.id, digest_date)
    if row is not None:
        return stored_digest(row), row
    return digest_for(user, items_on(user.clinic, digest_date), digest_date), None
