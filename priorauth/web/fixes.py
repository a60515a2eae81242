"""The link that fixes each coverage reason (docs/domain.md §6): the domain names the fix
(domain/coverage.Fix), this turns it into a page address and a label for the templates."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from priorauth.domain import coverage as cov


@dataclass(frozen=True)
class FixLink:
    href: str
    label: str


def fix_link(reason, patient_id: int, hcpcs_code: str, infusion=None, dose=None):
    """-> FixLink or None. `infusion`: the booking the reason is about (None on the check)."""
    fix = getattr(reason, "fix", None)
    if fix is None:
        return None
    build = _BUILDERS[fix.kind]
    return build(fix, patient_id, hcpcs_code, infusion, dose)


def _request(fix, patient_id, code, infusion, dose) -> FixLink:
    href = url_for("authorizations.new", patient_id=patient_id, hcpcs_code=code)
    return FixLink(href, f"Start a {code} request")


def _follow_up(fix, patient_id, code, infusion, dose) -> FixLink:
    href = url_for("authorizations.show", auth_id=fix.authorization_id)
    return FixLink(href, f"Open request #{fix.authorization_id}")


def _renew(fix, patient_id, code, infusion, dose) -> FixLink:
    """The prefilled renewal form of the expired or used-up approval."""
    href = url_for("authorizations.renew", auth_id=fix.authorization_id)
    return FixLink(href, f"Renew authorization #{fix.authorization_id}")


def _verify(fix, patient_id, code, infusion, dose) -> FixLink:
    if infusion is None:
        href = url_for("patients.show", patient_id=patient_id, _anchor="coverages")
        return FixLink(href, "Check the patient's insurance")
    href = url_for("infusions.show", infusion_id=infusion.id, _anchor="eligibility")
    return FixLink(href, "Re-verify insurance")


def _move(fix, patient_id, code, infusion, dose) -> FixLink:
    """The reschedule form prefilled with the first day this reason no longer applies."""
    if infusion is None:
        href = url_for(
            "schedule.coverage_check",
            patient_id=patient_id,
            hcpcs_code=code,
            service_date=fix.day.isoformat(),
            dose_mg=dose,
        )
        return FixLink(href, f"Check {fix.day} instead")
    when = f"{fix.day.isoformat()}T{infusion.scheduled_at:%H:%M}"
    href = url_for("infusions.show", infusion_id=infusion.id, scheduled_at=when)
    return FixLink(f"{href}#reschedule", f"Move to {fix.day}")


def _dose(fix, patient_id, code, infusion, dose) -> FixLink:
    if infusion is None:
        href = url_for("schedule.coverage_check", patient_id=patient_id, hcpcs_code=code)
        return FixLink(href, "Ask again with another dose")
    href = url_for("infusions.show", infusion_id=infusion.id, _anchor="reschedule")
    return FixLink(href, "Change the dose")


_BUILDERS = {
    cov.FIX_REQUEST: _request,
    cov.FIX_FOLLOW_UP: _follow_up,
    cov.FIX_RENEW: _renew,
    cov.FIX_VERIFY: _verify,
    cov.FIX_MOVE: _move,
    cov.FIX_DOSE: _dose,
}
