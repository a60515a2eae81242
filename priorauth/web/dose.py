"""What a dose field shows beside it: the payer's limit per dose (in the page, so it is there
without script) and, for static/app.js, the mg per billing unit of every code and the payer's
limits, so the billing units and the limit follow the dose as it is typed (docs/domain.md §3:
units are the dose over mg per unit, rounded up)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask_login import current_user

from priorauth.extensions import db
from priorauth.models import Coverage, PayerPolicy
from priorauth.models.base import INTEGER_MAX
from priorauth.services import reference


@dataclass(frozen=True)
class DosePreview:
    attrs: dict[str, str] = field(default_factory=dict)  # for macros.input(attrs=...)
    hint: str | None = None  # the limit in words, beside the field


def _mg(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _limits(payer_id: int | None) -> dict[str, Decimal]:
    """{code: mg per dose} of this clinic's payer (none for another clinic's payer)."""
    if payer_id is None or not current_user.is_authenticated:
        return {}
    rows = db.session.execute(
        sa.select(PayerPolicy.hcpcs_code, PayerPolicy.max_mg_per_dose).where(
            PayerPolicy.payer_id == payer_id,
            PayerPolicy.clinic_id == current_user.clinic_id,
            PayerPolicy.max_mg_per_dose.is_not(None),
        )
    )
    return dict(rows.all())


def _payer_of(coverage_id) -> int | None:
    text = str(coverage_id or "")
    if not text.isdigit() or not 0 < int(text) <= INTEGER_MAX:
        return None
    coverage = db.session.get(Coverage, int(text))
    ours = coverage is not None and coverage.clinic_id == getattr(current_user, "clinic_id", None)
    return coverage.payer_id if ours else None


def _hint(limits: dict[str, Decimal], code: str | None) -> str | None:
    if code:
        limit = limits.get(code)
        return f"Payer limit: {_mg(limit)} mg per dose of {code}" if limit else None
    if limits:
        listed = ", ".join(f"{c} {_mg(mg)} mg" for c, mg in sorted(limits.items()))
        return f"Payer limits per dose: {listed}"
    return None


def dose_preview(
    field_id: str, code: str | None = None, payer_id: int | None = None, coverage_id=None
) -> DosePreview:
    """Jinja global: attrs and hint for the dose input whose id is `field_id` (its hint's id,
    field_id-hint, is where app.js writes the units as the dose is typed)."""
    payer_id = payer_id if payer_id is not None else _payer_of(coverage_id)
    limits = _limits(payer_id)
    per_unit = " ".join(f"{c.code}:{_mg(c.mg_per_unit)}" for c in reference.catalog())
    attrs = {
        "step": "any",
        "min": "0",
        "data-mg-per-unit": per_unit,
        "data-max-mg": " ".join(f"{c}:{_mg(mg)}" for c, mg in sorted(limits.items())),
        "data-dose-output": f"{field_id}-hint",
    }
    if code:
        attrs["data-code"] = code
    fallback = "No payer limit per dose on file" if payer_id else "Billed in whole units"
    return DosePreview(attrs, _hint(limits, code) or fallback)
