"""Record an administration and produce its claim lines (units, JW/JZ, auth number)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from priorauth.domain.units import claim_lines
from priorauth.errors import Conflict
from priorauth.models import Infusion
from priorauth.services import audit
from priorauth.services.infusions import check_lot, require_scheduled
from priorauth.services.locks import lock_authorizations
from priorauth.services.scope import get_owned
from priorauth.services.usage import usage_by_authorization


def _mismatches(infusion: Infusion, dose, given_on) -> list[str]:
    """How the dose given differs from what the authorization approved."""
    auth = infusion.authorization
    if auth is None:
        return ["no authorization is attached to this infusion"]
    problems = []
    if auth.hcpcs_code != infusion.hcpcs_code:
        problems.append(f"the authorization is for {auth.hcpcs_code}, not {infusion.hcpcs_code}")
    if dose > auth.dose_mg:
        problems.append(f"{dose} mg is more than the {auth.dose_mg} mg per dose approved")
    if auth.approved_start and given_on < auth.approved_start:
        problems.append(f"{given_on} is before the approval starts on {auth.approved_start}")
    if auth.approved_end and given_on > auth.approved_end:
        problems.append(f"{given_on} is after the approval ended on {auth.approved_end}")
    return problems


def _units_left_for(infusion: Infusion) -> int | None:
    auth = infusion.authorization
    if auth is None or auth.units_approved is None:
        return None
    usage = usage_by_authorization([auth.id]).get(auth.id)
    spent = (usage.units_used + usage.units_booked) if usage else 0
    return auth.units_approved - spent + infusion.units_reserved


def is_multi_dose(infusion: Infusion, data: dict) -> bool:
    """The container named on the form, else the catalog's package for the code."""
    default = "multi" if infusion.drug.multi_dose else "single"
    return (data.get("container") or default) == "multi"


def _lines(infusion: Infusion, data: dict) -> list[dict]:
    multi = is_multi_dose(infusion, data)
    payer = infusion.authorization.coverage.payer if infusion.authorization else None
    lines = claim_lines(
        infusion.hcpcs_code,
        infusion.drug.mg_per_unit,
        data["dose_mg"],
        data.get("discarded_mg") or 0,
        multi_dose=multi,
        waste_modifiers=payer.requires_waste_modifiers if payer else True,
    )
    number = infusion.authorization.auth_number if infusion.authorization else None
    return [
        {**asdict(line), "modifiers": list(line.modifiers), "auth_number": number} for line in lines
    ]


def _refuse_if_over(infusion, lines, override, problems) -> None:
    left = _units_left_for(infusion)
    billed = sum(line["units"] for line in lines)
    if left is not None and billed > left:
        problems.append(f"{billed} units billed but only {left} left on the authorization")
    if problems and not override:
        raise Conflict(
            "the administration does not match the authorization: " + "; ".join(problems),
            {"authorization": problems},
            code="AUTHORIZATION_MISMATCH",
        )


def administer(actor, infusion_id: int, data: dict, now_local: datetime) -> Infusion:
    """Record dose, waste, lot and reaction; consume units; store the claim lines."""
    infusion = get_owned(Infusion, infusion_id, actor.clinic_id, what="infusion")
    require_scheduled(infusion)
    given_at = data.get("administered_at") or now_local
    check_lot(data["lot_expiration"], given_at.date())
    lock_authorizations(infusion.patient_id, infusion.hcpcs_code)
    lines = _lines(infusion, data)
    problems = _mismatches(infusion, data["dose_mg"], given_at.date())
    _refuse_if_over(infusion, lines, data.get("override_reason"), problems)
    infusion.status = "administered"
    infusion.administered_at = given_at
    infusion.dose_given_mg = data["dose_mg"]
    infusion.discarded_mg = data.get("discarded_mg") or 0
    infusion.multi_dose = is_multi_dose(infusion, data)
    infusion.lot_number = data["lot_number"].strip()
    infusion.lot_expiration = data["lot_expiration"]
    infusion.reaction = data.get("reaction")
    infusion.administered_by = data.get("administered_by") or actor.name
    infusion.claim_lines = lines
    infusion.units_used = sum(line["units"] for line in lines)
    note = f"override: {data['override_reason']}" if problems else None
    audit.record(
        actor,
        infusion,
        "administered",
        from_status="scheduled",
        to_status="administered",
        changes={**data, "claim_lines": lines, "mismatches": problems},
        note=note,
    )
    return infusion
