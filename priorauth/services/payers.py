"""Payers and their policies per drug code."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth.errors import NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import DrugCode, Payer, PayerPolicy
from priorauth.services import audit
from priorauth.services.scope import get_owned, scoped


def list_payers(clinic_id: int) -> list[Payer]:
    return db.session.scalars(scoped(Payer, clinic_id).order_by(Payer.name)).all()


def _ensure_unique_name(clinic_id: int, name: str, exclude_id: int | None = None) -> None:
    query = scoped(Payer, clinic_id).where(sa.func.lower(Payer.name) == name.strip().lower())
    if exclude_id is not None:
        query = query.where(Payer.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise ValidationFailed.on("name", f"a payer named {name!r} already exists")


def create_payer(actor, data: dict) -> Payer:
    _ensure_unique_name(actor.clinic_id, data["name"])
    return audit.added(actor, Payer(clinic_id=actor.clinic_id, **data), changes=data)


def update_payer(actor, payer_id: int, data: dict) -> Payer:
    payer = get_owned(Payer, payer_id, actor.clinic_id, what="payer")
    if "name" in data:
        _ensure_unique_name(actor.clinic_id, data["name"], exclude_id=payer.id)
    audit.apply_changes(actor, payer, data)
    return payer


def _catalog_key(code: str) -> str | None:
    """The code as the catalog keys it, or None when no catalog code can look like it."""
    key = code.strip().upper()
    return key if key.isascii() and key.isalnum() and len(key) <= 5 else None


def drug_code(code: str, field: str = "hcpcs_code") -> DrugCode:
    key = _catalog_key(code)
    row = db.session.get(DrugCode, key) if key else None
    if row is None:
        raise ValidationFailed.on(field, f"{code} is not in the drug code catalog")
    return row


def find_policy(payer_id: int, code: str) -> PayerPolicy | None:
    return db.session.scalar(
        sa.select(PayerPolicy).where(
            PayerPolicy.payer_id == payer_id, PayerPolicy.hcpcs_code == code
        )
    )


def get_policy(clinic_id: int, payer_id: int, code: str) -> PayerPolicy:
    payer = get_owned(Payer, payer_id, clinic_id, what="payer")
    key = _catalog_key(code)
    policy = find_policy(payer.id, key) if key else None
    if policy is None:
        message = f"{payer.name} has no policy on file for {code.upper()}"
        raise NotFound(message, {"hcpcs_code": [message]})
    return policy


def put_policy(actor, payer_id: int, code: str, data: dict) -> tuple[PayerPolicy, bool]:
    """Create or replace the payer's policy for a code; returns (policy, created)."""
    payer = get_owned(Payer, payer_id, actor.clinic_id, what="payer")
    drug = drug_code(code)
    for preferred in data.get("preferred_codes", []):
        drug_code(preferred, "preferred_codes")
    policy = find_policy(payer.id, drug.code)
    created = policy is None
    if created:
        policy = PayerPolicy(clinic_id=actor.clinic_id, payer_id=payer.id, hcpcs_code=drug.code)
        db.session.add(policy)
    for key, value in data.items():
        setattr(policy, key, value)
    db.session.flush()
    audit.record(actor, policy, "created" if created else "replaced", changes=data)
    return policy, created


def policies_by_payer_and_code(clinic_id: int) -> dict[tuple[int, str], PayerPolicy]:
    """Every policy of the clinic, keyed by (payer id, HCPCS code)."""
    rows = db.session.scalars(scoped(PayerPolicy, clinic_id)).all()
    return {(p.payer_id, p.hcpcs_code): p for p in rows}
