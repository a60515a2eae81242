"""A payer's allowed amount per billing unit of each drug code (docs/follow-through.md,
"Revenue at risk"). A rate left blank is unknown: stored as NULL, never as zero."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa

from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import Payer, PayerRate
from priorauth.services import audit, reference
from priorauth.services.scope import get_owned


@dataclass(frozen=True)
class RateView:
    """One catalog code and the payer's rate for it (None: unknown)."""

    hcpcs_code: str
    brand: str
    dollars_per_unit: Decimal | None
    updated_at: datetime | None


@dataclass(frozen=True)
class PayerRates:
    payer_id: int
    rates: list[RateView]


def _stored(payer: Payer) -> dict[str, PayerRate]:
    query = sa.select(PayerRate).where(
        PayerRate.clinic_id == payer.clinic_id, PayerRate.payer_id == payer.id
    )
    return {row.hcpcs_code: row for row in db.session.scalars(query)}


def _view(payer: Payer) -> PayerRates:
    stored = _stored(payer)
    rates = []
    for drug in reference.catalog():
        row = stored.get(drug.code)
        amount, at = (row.dollars_per_unit, row.updated_at) if row else (None, None)
        rates.append(RateView(drug.code, drug.brand, amount, at))
    return PayerRates(payer.id, rates)


def rates_of(clinic_id: int, payer_id: int) -> PayerRates:
    """Every catalog code with the payer's rate (unknown ones included, as None)."""
    return _view(get_owned(Payer, payer_id, clinic_id, what="payer"))


def _asked(rates: list[dict]) -> dict[str, Decimal | None]:
    """code -> rate; a code that is not in the catalog or is given twice is refused."""
    known = {drug.code for drug in reference.catalog()}
    asked: dict[str, Decimal | None] = {}
    for i, rate in enumerate(rates):
        code, field = rate["hcpcs_code"], f"rates[{i}].hcpcs_code"
        if code not in known:
            raise ValidationFailed.on(field, f"{code} is not in the drug code catalog")
        if code in asked:
            raise ValidationFailed.on(field, f"{code} is given twice")
        asked[code] = rate.get("dollars_per_unit")
    return asked


def put_rates(actor, payer_id: int, rates: list[dict]) -> PayerRates:
    """Replace the payer's rates: a code left out or given as None becomes unknown. One audit
    event per rate that changed (created or updated), none for the others."""
    payer = get_owned(Payer, payer_id, actor.clinic_id, what="payer")
    asked, stored = _asked(rates), _stored(payer)
    for code in sorted(set(asked) | set(stored)):
        amount, row = asked.get(code), stored.get(code)
        if row is None and amount is not None:
            new = PayerRate(
                clinic_id=payer.clinic_id, payer_id=payer.id, hcpcs_code=code,
                dollars_per_unit=amount, updated_by_id=getattr(actor, "id", None),
            )  # fmt: skip
            audit.added(actor, new, changes={"hcpcs_code": code, "dollars_per_unit": amount})
        elif row is not None and row.dollars_per_unit != amount:
            row.updated_by_id = getattr(actor, "id", None)
            audit.apply_changes(actor, row, {"dollars_per_unit": amount})
    db.session.flush()
    return _view(payer)
