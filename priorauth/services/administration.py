"""Record an administration and produce its claim lines (units, JW/JZ, auth number), each
dated with the day the drug was given and billed under that day's authorization and payer
policy (docs/domain.md §3 "No PA, still billed", §4 "Date of service")."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime

from priorauth.domain import coverage as cov
from priorauth.domain.units import claim_lines
from priorauth.domain.vocab import InfusionStatus
from priorauth.errors import Conflict, ValidationFailed
from priorauth.models import Infusion
from priorauth.services import audit
from priorauth.services.date_of_service import BilledUnder, billed_under, recheck_message
from priorauth.services.infusions import check_lot, require_scheduled
from priorauth.services.locks import lock_authorizations
from priorauth.services.scope import get_owned
from priorauth.services.usage import units_use_of

NO_AUTHORIZATION = "no authorization is attached to this infusion"


def given_time(infusion: Infusion, given_at: datetime | None, now_local: datetime) -> datetime:
    """When the drug was given: as entered, else the booked time (or now, if the booking is
    still ahead); never later than now in the clinic."""
    if given_at is None:
        return min(infusion.scheduled_at, now_local)
    if given_at > now_local:
        problem = (
            f"Date given {given_at:%Y-%m-%d %H:%M} is in the future: it is "
            f"{now_local:%Y-%m-%d %H:%M} now in the clinic"
        )
        raise ValidationFailed(problem, {"administered_at": [problem]})
    return given_at


def _mismatches(infusion: Infusion, under: BilledUnder, dose) -> list[str]:
    """How the dose given differs from what the authorization approved (where one is needed),
    and, on a day other than the booked one, the insurance not covering that day."""
    problems = [r.message for r in under.answer.reasons if r.code == cov.COVERAGE_INACTIVE]
    problems = problems if under.rechecked else []
    auth, given_on = under.authorization, under.day
    if auth is None:
        return [NO_AUTHORIZATION, *problems] if under.auth_required else problems
    if auth.hcpcs_code != infusion.hcpcs_code:
        problems.append(f"the authorization is for {auth.hcpcs_code}, not {infusion.hcpcs_code}")
    if dose > auth.dose_mg:
        problems.append(f"{dose} mg is more than the {auth.dose_mg} mg per dose approved")
    if auth.approved_start and given_on < auth.approved_start:
        problems.append(f"{given_on} is before the approval starts on {auth.approved_start}")
    if auth.approved_end and given_on > auth.approved_end:
        problems.append(f"{given_on} is after the approval ended on {auth.approved_end}")
    return problems


def _units_left_for(infusion: Infusion, auth) -> int | None:
    """Units left on the authorization billed, this infusion's own reservation given back."""
    if auth is None or auth.units_approved is None:
        return None
    own = infusion.units_reserved if infusion.authorization_id == auth.id else 0
    return units_use_of(auth).units_left + own


def is_multi_dose(infusion: Infusion, data: dict) -> bool:
    """The container named on the form, else the catalog's package for the code."""
    default = "multi" if infusion.drug.multi_dose else "single"
    return (data.get("container") or default) == "multi"


def _lines(infusion: Infusion, data: dict, under: BilledUnder) -> list[dict]:
    """The claim lines as stored: dated, with the authorization number and the plan billed."""
    payer = under.plan.payer if under.plan else None
    lines = claim_lines(
        infusion.hcpcs_code,
        infusion.drug.mg_per_unit,
        data["dose_mg"],
        data.get("discarded_mg") or 0,
        multi_dose=is_multi_dose(infusion, data),
        waste_modifiers=payer.requires_waste_modifiers if payer else True,
        service_date=under.day,
    )
    extra = {
        "auth_number": under.authorization.auth_number if under.authorization else None,
        "auth_required": under.auth_required,
        "coverage_id": under.plan.id if under.plan else None,
    }
    return [_stored(line, extra) for line in lines]


def _stored(line, extra: dict) -> dict:
    row = asdict(line)
    return {
        **row,
        **extra,
        "modifiers": list(line.modifiers),
        "service_date": _iso(line.service_date),
    }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _refuse_if_over(infusion, under: BilledUnder, lines, override, problems) -> None:
    left = _units_left_for(infusion, under.authorization)
    billed = sum(line["units"] for line in lines)
    if left is not None and billed > left:
        problems.append(f"{billed} units billed but only {left} left on the authorization")
    if problems and not override:
        raise Conflict(
            "the administration does not match the authorization: " + "; ".join(problems),
            {"authorization": problems},
            code="AUTHORIZATION_MISMATCH",
        )


def _record(infusion: Infusion, data: dict, given_at: datetime, under, lines, actor) -> None:
    infusion.status = InfusionStatus.ADMINISTERED
    infusion.administered_at = given_at
    infusion.authorization_id = under.authorization.id if under.authorization else None
    infusion.dose_given_mg = data["dose_mg"]
    infusion.discarded_mg = data.get("discarded_mg") or 0
    infusion.multi_dose = is_multi_dose(infusion, data)
    infusion.lot_number = data["lot_number"].strip()
    infusion.lot_expiration = data["lot_expiration"]
    infusion.reaction = data.get("reaction")
    infusion.administered_by = data.get("administered_by") or actor.name
    infusion.claim_lines = lines
    infusion.units_used = sum(line["units"] for line in lines)


@dataclass(frozen=True)
class Recheck:
    """Given on another day than booked: that day's coverage answer, and what it found."""

    answer: cov.CoverageAnswer
    note: str


def administer(
    actor, infusion_id: int, data: dict, now_local: datetime
) -> tuple[Infusion, Recheck | None]:
    """Record dose, waste, lot, reaction and when it was given; consume units; store the
    claim lines. With the infusion comes the coverage re-check of the day given when it is
    not the booked day (None on the booked day; not stored)."""
    infusion = get_owned(Infusion, infusion_id, actor.clinic_id, what="infusion")
    require_scheduled(infusion)
    given_at = given_time(infusion, data.get("administered_at"), now_local)
    check_lot(data["lot_expiration"], given_at.date())
    lock_authorizations(infusion.patient_id, infusion.hcpcs_code)
    under = billed_under(infusion, given_at.date(), data["dose_mg"])
    lines = _lines(infusion, data, under)
    problems = _mismatches(infusion, under, data["dose_mg"])
    _refuse_if_over(infusion, under, lines, data.get("override_reason"), problems)
    booked_auth, booked_on = infusion.authorization_id, infusion.scheduled_on
    _record(infusion, data, given_at, under, lines, actor)
    changes = {**data, "administered_at": given_at, "claim_lines": lines, "mismatches": problems}
    if infusion.authorization_id != booked_auth:
        changes["authorization_id"] = infusion.authorization_id
    note = recheck_message(under, booked_on)
    if note:
        changes["coverage_rechecked"] = note
    audit.record(
        actor,
        infusion,
        "administered",
        from_status=InfusionStatus.SCHEDULED,
        to_status=InfusionStatus.ADMINISTERED,
        changes=changes,
        note=f"override: {data['override_reason']}" if problems else None,
    )
    return infusion, (Recheck(under.answer, note) if note else None)
