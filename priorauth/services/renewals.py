"""After an approval: extend or renew it with a new linked draft, or record a payer's change
to the approved dates or units (docs/domain.md §5)."""

from __future__ import annotations

from datetime import date, timedelta

from priorauth.domain.workflow import APPROVED_STATUSES
from priorauth.errors import ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest
from priorauth.services import audit
from priorauth.services.authorizations import create_authorization, request_in
from priorauth.services.scope import scoped
from priorauth.services.usage import UnitsUse, units_use_of

COPIED = (
    "coverage_id",
    "hcpcs_code",
    "diagnosis_codes",
    "ordering_provider",
    "dose_mg",
    "administrations",
    "urgency",
)
CHANGEABLE = ("approved_start", "approved_end", "units_approved", "administrations_approved")


def _approved(actor, auth_id: int, doing: str) -> AuthorizationRequest:
    """The request, refused in words unless its stored status is an approval."""
    refusal = f"only an approved or partially approved request can {doing}"
    return request_in(actor, auth_id, APPROVED_STATUSES, refusal, "NOT_APPROVED")


def renewal_dates(auth: AuthorizationRequest) -> tuple[date, date]:
    """From the day after the approved end, as long as the approved period (or the requested
    one when the approval has no dates)."""
    start = auth.approved_start or auth.requested_start
    end = auth.approved_end or auth.requested_end
    first = end + timedelta(days=1)
    return first, first + (end - start)


def renewal_defaults(auth: AuthorizationRequest) -> dict:
    """What a renewal of the approval starts with: the same patient, coverage, code,
    diagnoses, dose and administrations, for the period after it."""
    start, end = renewal_dates(auth)
    copied = {name: getattr(auth, name) for name in COPIED}
    copied["diagnosis_codes"] = list(auth.diagnosis_codes or [])
    return {"patient_id": auth.patient_id, **copied, "requested_start": start, "requested_end": end}


def proposed_renewal(actor, auth_id: int) -> dict:
    """The prefilled renewal of an approval (refused unless it is one)."""
    return renewal_defaults(_approved(actor, auth_id, "be extended or renewed"))


def renew(actor, auth_id: int, data: dict) -> AuthorizationRequest:
    """A new draft linked to the approval (renews_id), the defaults overridden by data."""
    old = _approved(actor, auth_id, "be extended or renewed")
    fields = {**renewal_defaults(old), **data, "patient_id": old.patient_id}
    if fields["requested_end"] < fields["requested_start"]:
        raise ValidationFailed.on("requested_end", "must be on or after the requested start")
    new = create_authorization(actor, {**fields, "renews_id": old.id})
    audit.record(actor, old, "renewed", changes={"renewal_id": new.id})
    return new


def renewals_of(clinic_id: int, auth_id: int) -> list[AuthorizationRequest]:
    """The requests that extend or renew this one, oldest first."""
    query = (
        scoped(AuthorizationRequest, clinic_id)
        .where(AuthorizationRequest.renews_id == auth_id)
        .order_by(AuthorizationRequest.id)
    )
    return list(db.session.scalars(query))


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _refuse_below_usage(usage: UnitsUse, after: dict) -> None:
    """A change may not leave fewer units or visits than already given or booked."""
    taken = usage.units_taken
    if after["units_approved"] < taken:
        raise ValidationFailed.on(
            "approved_units",
            f"{_count(after['units_approved'], 'unit')} would be fewer than the {taken} already "
            f"given or booked ({usage.units_given} given, {usage.units_booked} booked)",
        )
    visits = usage.visits_taken
    if after["administrations_approved"] < visits:
        raise ValidationFailed.on(
            "approved_administrations",
            f"{_count(after['administrations_approved'], 'administration')} would be fewer "
            f"than the {visits} already given or booked",
        )


def _changed_fields(auth: AuthorizationRequest, data: dict) -> dict:
    """The new values, named as the columns, of the fields the payer changed."""
    wanted = {
        "approved_start": data.get("approved_start"),
        "approved_end": data.get("approved_end"),
        "units_approved": data.get("approved_units"),
        "administrations_approved": data.get("approved_administrations"),
    }
    return {k: v for k, v in wanted.items() if v is not None and v != getattr(auth, k)}


def record_payer_change(actor, auth_id: int, data: dict) -> AuthorizationRequest:
    """The payer changed the approved dates or units: checked, applied, audited before/after."""
    auth = _approved(actor, auth_id, "have its approval changed")
    changed = _changed_fields(auth, data)
    if not changed:
        text = "nothing to record: change the approved dates, units or administrations"
        raise ValidationFailed(text, {"_": [text]})
    after = {k: changed.get(k, getattr(auth, k)) for k in CHANGEABLE}
    if after["approved_end"] < after["approved_start"]:
        raise ValidationFailed.on("approved_end", "must be on or after the approved start")
    _refuse_below_usage(units_use_of(auth), after)
    before = {k: _plain(getattr(auth, k)) for k in changed}
    for key, value in changed.items():
        setattr(auth, key, value)
    changes = {k: {"before": before[k], "after": _plain(v)} for k, v in changed.items()}
    changes["payer_reference"] = data["payer_reference"].strip()
    audit.record(actor, auth, "payer_change", changes=changes, note=data.get("note"))
    return auth
