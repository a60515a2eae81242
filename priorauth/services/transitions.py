"""Move an authorization request through the workflow, recording what each step needs."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from priorauth.domain.vocab import label
from priorauth.domain.workflow import Status, TransitionRefused, check_transition
from priorauth.domain.x12 import ACTION_CODES, status_for_action_code
from priorauth.errors import Conflict, ValidationFailed
from priorauth.models import AuthorizationRequest
from priorauth.services import audit
from priorauth.services.authorizations import checklist_for
from priorauth.services.payers import find_policy
from priorauth.services.scope import get_owned


def _require(payload: dict, *fields: str) -> None:
    for field in fields:
        if payload.get(field) in (None, ""):
            raise ValidationFailed.on(field, f"is required to record {payload['to']}")


def _submit(auth, payload, now: datetime, today: date) -> tuple[Status, dict]:
    _require(payload, "channel")
    checklist = checklist_for(auth, today)
    if not checklist.ready and not payload.get("override_reason"):
        problems = [f"{i.requirement}: {i.detail}" for i in checklist.problems]
        raise Conflict(
            "the checklist is not ready; add the missing evidence or give an override_reason",
            {"checklist": problems},
            code="CHECKLIST_NOT_READY",
        )
    auth.submitted_at = now
    auth.submission_channel = payload["channel"]
    auth.payer_reference = payload.get("payer_reference") or auth.payer_reference
    return Status.SUBMITTED, {"channel": auth.submission_channel, "ready": checklist.ready}


def _pend(auth, payload, now, today) -> tuple[Status, dict]:
    _require(payload, "note")
    return Status.PENDED, {}


def _appeal_deadline(auth) -> date:
    """A denial or a partial approval can be appealed within the payer's window (§7)."""
    return auth.decided_on + timedelta(days=auth.coverage.payer.appeal_window_days)


def _approve(auth, payload, now, today) -> tuple[Status, dict]:
    _require(payload, "auth_number", "approved_units", "approved_start", "approved_end")
    auth.auth_number = payload["auth_number"].strip()
    auth.units_approved = payload["approved_units"]
    auth.administrations_approved = payload.get("approved_administrations") or auth.administrations
    auth.approved_start = payload["approved_start"]
    auth.approved_end = payload["approved_end"]
    auth.decided_on = payload.get("decided_on") or today
    partial = (
        auth.units_approved < auth.units_requested
        or auth.administrations_approved < auth.administrations
        or payload["to"] == Status.PARTIALLY_APPROVED
    )
    auth.appeal_deadline = _appeal_deadline(auth) if partial else None
    changes = {
        "auth_number": auth.auth_number,
        "units_approved": auth.units_approved,
        "administrations_approved": auth.administrations_approved,
        "approved_start": auth.approved_start,
        "approved_end": auth.approved_end,
        "appeal_deadline": auth.appeal_deadline,
    }
    return (Status.PARTIALLY_APPROVED if partial else Status.APPROVED), changes


def _deny(auth, payload, now, today) -> tuple[Status, dict]:
    _require(payload, "denial_reason")
    auth.denial_reason = payload["denial_reason"]
    auth.denial_note = payload.get("note")
    auth.decided_on = payload.get("decided_on") or today
    auth.appeal_deadline = _appeal_deadline(auth)
    return Status.DENIED, {
        "denial_reason": auth.denial_reason,
        "appeal_deadline": auth.appeal_deadline,
    }


def _appeal(auth, payload, now, today) -> tuple[Status, dict]:
    auth.submitted_at = now  # the payer's answer clock starts again
    return Status.APPEALED, {"appealed_at": now}


def _not_required(auth, payload, now, today) -> tuple[Status, dict]:
    policy = find_policy(auth.coverage.payer_id, auth.hcpcs_code)
    if (policy is None or policy.pa_required) and not payload.get("override_reason"):
        raise Conflict(
            f"{auth.coverage.payer.name} requires prior authorization for {auth.hcpcs_code}; "
            "give an override_reason to mark it not required anyway",
            {"to": ["the payer's policy requires prior authorization"]},
            code="PA_REQUIRED",
        )
    return Status.NOT_REQUIRED, {}


def _cancel(auth, payload, now, today) -> tuple[Status, dict]:
    return Status.CANCELLED, {}


HANDLERS = {
    Status.SUBMITTED: _submit,
    Status.PENDED: _pend,
    Status.APPROVED: _approve,
    Status.PARTIALLY_APPROVED: _approve,
    Status.DENIED: _deny,
    Status.APPEALED: _appeal,
    Status.NOT_REQUIRED: _not_required,
    Status.CANCELLED: _cancel,
}


def _allowed_target(auth: AuthorizationRequest, target: str) -> Status:
    try:
        return check_transition(auth.status, target)
    except TransitionRefused as refused:
        raise Conflict(
            str(refused),
            {"to": [str(refused)]},
            code=refused.code,
            current_status=auth.status,
            allowed=[s.value for s in refused.allowed],
        ) from None


def with_action_code(payload: dict) -> dict:
    """The step with `to` read from the payer's X12 278 action code when one is given
    (docs/domain.md §8); a code and a status that disagree are refused, naming the code."""
    code = (payload.get("action_code") or "").strip().upper()
    if not code:
        if not payload.get("to"):
            raise ValidationFailed.on("to", "give the status or the payer's X12 action_code")
        return {**payload, "action_code": None}
    means = status_for_action_code(code)
    if means is None:
        known = ", ".join(ACTION_CODES)
        raise ValidationFailed.on("action_code", f"{code} is not an X12 278 action code ({known})")
    if payload.get("to") not in (None, "", means.value):
        wrong = f"{code} means {label(means).lower()}, not {label(payload['to']).lower()}"
        raise ValidationFailed.on("action_code", wrong)
    return {**payload, "to": means.value, "action_code": code}


def transition(
    actor, auth_id: int, payload: dict, now: datetime, today: date, also: dict | None = None
) -> AuthorizationRequest:
    """Apply one workflow step; refused steps raise and change nothing. `also`: more facts
    for the step's audit event (a packet sent: its attachment id and pages). The request
    keeps the step's X12 action code (none given: none kept) and so does its audit event."""
    payload = with_action_code(payload)
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    target = _allowed_target(auth, payload["to"])
    final, changes = HANDLERS[target](auth, payload, now, today)
    before, auth.status = auth.status, final.value
    auth.review_action_code = payload.get("action_code")
    note = payload.get("note")
    if payload.get("override_reason"):
        changes["override_reason"] = payload["override_reason"]
    if auth.review_action_code:
        changes["action_code"] = auth.review_action_code
    changes |= also or {}
    audit.record(
        actor,
        auth,
        "transition",
        from_status=before,
        to_status=final.value,
        changes=changes,
        note=note,
    )
    return auth
