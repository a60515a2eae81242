"""Record a payer's Da Vinci PAS ClaimResponse exactly like a manual decision: parsed with
fhir.resources (FHIR R4B models), read by domain/pas_response.py, checked by the transition
schema and recorded by services/transitions.transition (same refusals, same audit event, which
also notes `via: pas_response`). A refusal names the ClaimResponse's element."""

from __future__ import annotations

import json
from datetime import date, datetime

import marshmallow as ma
import pydantic
from fhir.resources.R4B.claimresponse import ClaimResponse

from priorauth.domain.pas_response import PasAnswer, PasProblem, Requested, read_answer
from priorauth.errors import ValidationFailed
from priorauth.models import AuthorizationRequest
from priorauth.schemas.authorizations import TransitionSchema
from priorauth.services.scope import get_owned
from priorauth.services.transitions import transition

MAX_PROBLEMS = 20  # a ClaimResponse wrong everywhere is named by its first problems


def _path(location: tuple) -> str:
    """pydantic's error location as a FHIR path: ("item", 0, "adjudication") -> item[0]...."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path.replace("resource_type", "resourceType") or "body"


def invalid(error: ValueError) -> ValidationFailed:
    """The refusal of a body fhir.resources would not parse, naming each element."""
    if isinstance(error, pydantic.ValidationError):
        problems = [(_path(p["loc"]), p["msg"]) for p in error.errors()[:MAX_PROBLEMS]]
    else:
        problems = [("body", str(error))]
    errors: dict[str, list[str]] = {}
    for where, message in problems:
        errors.setdefault(where, []).append(" ".join(message.split()))
    where, messages = next(iter(errors.items()))
    return ValidationFailed(f"{where}: {messages[0]} (not a FHIR R4 ClaimResponse)", errors)


def parse(body: dict) -> dict:
    """The ClaimResponse as FHIR JSON, once fhir.resources has parsed it."""
    try:
        model = ClaimResponse.model_validate(body)
    except ValueError as error:  # pydantic.ValidationError is a ValueError
        raise invalid(error) from None
    response = json.loads(model.model_dump_json(exclude_none=True, by_alias=True))
    if response["status"] != "active":
        raise ValidationFailed.on(
            "status", f"is {response['status']}: only an active answer counts"
        )
    if response["use"] != "preauthorization":
        raise ValidationFailed.on("use", f"is {response['use']}, not preauthorization")
    return response


def _renamed(errors: dict, answer: PasAnswer) -> ValidationFailed:
    named = {answer.where.get(field, field): messages for field, messages in errors.items()}
    where, messages = next(iter(named.items()))
    return ValidationFailed(f"{where}: {messages[0]}", named)


def _payload(answer: PasAnswer) -> dict:
    try:
        return TransitionSchema().load({"action_code": answer.action_code, **answer.fields})
    except ma.ValidationError as error:
        raise _renamed(error.normalized_messages(), answer) from None


def record_response(
    actor, auth_id: int, body: dict, now: datetime, today: date
) -> AuthorizationRequest:
    """Record the decision of a ClaimResponse on the request (the transition's refusals)."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    asked = Requested(auth.units_requested, auth.requested_start, auth.requested_end)
    try:
        answer = read_answer(parse(body), asked)
    except PasProblem as problem:
        raise ValidationFailed.on(problem.where, problem.message) from None
    payload = _payload(answer)
    try:
        return transition(actor, auth_id, payload, now, today, also={"via": "pas_response"})
    except ValidationFailed as refused:
        raise _renamed(refused.errors, answer) from None
