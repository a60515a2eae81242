"""A payer's Da Vinci PAS ClaimResponse (FHIR JSON) read as the decision it records.

What is read, practically (docs/interop.md): the review action code (X12 306: A1, A2, A3, A4,
A6, C, CT) from each item's `extension-reviewAction` (its `code` part; PAS STU 2, on
item.adjudication) or an `extension-reviewActionCode`; `outcome: queued` with no code is a
pend (A4). The authorization number is `preAuthRef`, else the reviewAction's `number`; the
approved dates `preAuthPeriod`, else the item's `itemPreAuthPeriod`; the approved units the
item's `itemAuthorizedDetail` quantity, else an adjudication `value`. A1 (certified in total)
without dates or units approves the requested ones. The answer names, for every field of the
step, where in the ClaimResponse it came from, so a refusal names the FHIR element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from priorauth.domain.vocab import DenialReason
from priorauth.domain.workflow import Status
from priorauth.domain.x12 import ACTION_CODES, meaning_of, status_for_action_code

APPROVALS = (Status.APPROVED, Status.PARTIALLY_APPROVED)


class PasProblem(ValueError):
    """The ClaimResponse cannot be recorded: `where` names its element."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}")
        self.where, self.message = where, message


@dataclass(frozen=True)
class Requested:
    """What the request asked for: A1 without units or dates approves these."""

    units: int
    start: date
    end: date


@dataclass
class PasAnswer:
    """The step to record: the transition's fields, and where each is read (or would be)."""

    action_code: str
    fields: dict = field(default_factory=dict)
    where: dict = field(default_factory=dict)

    def put(self, name: str, value, where: str) -> None:
        self.where[name] = where
        if value is not None:
            self.fields[name] = value


def _named(extensions: list | None, *names: str) -> list[dict]:
    """The extensions whose url ends with one of `names` (case ignored)."""
    wanted = {name.lower() for name in names}
    return [e for e in extensions or [] if e.get("url", "").rsplit("/", 1)[-1].lower() in wanted]


def _code_of(concept: dict | None) -> str | None:
    codes = [c["code"] for c in (concept or {}).get("coding", []) if c.get("code")]
    return codes[0].strip().upper() if codes else None


def _part(extension: dict, *names: str) -> dict:
    """A complex extension's first part named one of `names` ({} when none)."""
    return next(iter(_named(extension.get("extension"), *names)), {})


def _actions_on(holder: dict, at: str) -> list[tuple[str | None, str | None, str]]:
    """(code, number, where) of the review actions directly on an item or adjudication."""
    found = [
        (
            _code_of(_part(action, "code", "reviewActionCode").get("valueCodeableConcept")),
            _part(action, "number").get("valueString"),
            f"{at}.extension(reviewAction).code",
        )
        for action in _named(holder.get("extension"), "extension-reviewAction")
    ]
    found += [
        (_code_of(coded.get("valueCodeableConcept")), None, f"{at}.extension(reviewActionCode)")
        for coded in _named(holder.get("extension"), "extension-reviewActionCode")
    ]
    return found


def _review_actions(item: dict, at: str) -> list[tuple[str, str | None, str]]:
    """(code, number, where) of every review action on the item and its adjudications."""
    found = _actions_on(item, at)
    for j, adjudication in enumerate(item.get("adjudication", [])):
        found += _actions_on(adjudication, f"{at}.adjudication[{j}]")
    return [one for one in found if one[0]]


def _the_code(response: dict) -> tuple[str, str | None, str]:
    """The one review action code of the response (a queued answer without one: A4)."""
    actions = [
        action
        for i, item in enumerate(response.get("item", []))
        for action in _review_actions(item, f"item[{i}]")
    ]
    codes = sorted({code for code, _, _ in actions})
    if len(codes) > 1:
        raise PasProblem(
            "item", f"the items carry different review action codes: {', '.join(codes)}"
        )
    if not codes and response.get("outcome") == "queued":
        return "A4", None, "outcome"
    if not codes:
        known = ", ".join(ACTION_CODES)
        raise PasProblem("item", f"no review action code ({known}) in item[].adjudication")
    code, number, where = actions[0]
    if status_for_action_code(code) is None:
        raise PasProblem(
            where,
            f"{code} is not a review action code priorauth records ({', '.join(ACTION_CODES)})",
        )
    return code, number, where


def _day(value: str | None) -> str | None:
    """The day of a FHIR date or dateTime ("2026-03-01T09:00:00Z": "2026-03-01")."""
    return value[:10] if value else None


def _item_extension(response: dict, name: str, other: str) -> tuple[dict | None, str]:
    """The first item extension named `name` (or `other`, its older name), and where."""
    for i, item in enumerate(response.get("item", [])):
        for found in _named(item.get("extension"), f"extension-{name}", f"extension-{other}"):
            return found, f"item[{i}].extension({name})"
    return None, f"item[0].extension({name})"


def _period(answer: PasAnswer, response: dict, code: str, asked: Requested) -> None:
    period, where = response.get("preAuthPeriod"), "preAuthPeriod"
    if not period:
        found, at = _item_extension(response, "itemPreAuthPeriod", "preAuthPeriod")
        period, where = (
            (found["valuePeriod"], at) if found and found.get("valuePeriod") else (None, where)
        )
    if not period and code == "A1":
        period = {"start": asked.start.isoformat(), "end": asked.end.isoformat()}
    answer.put("approved_start", _day((period or {}).get("start")), f"{where}.start")
    answer.put("approved_end", _day((period or {}).get("end")), f"{where}.end")


def _adjudicated_value(response: dict) -> tuple[object, str] | None:
    for i, item in enumerate(response.get("item", [])):
        for j, adjudication in enumerate(item.get("adjudication", [])):
            if adjudication.get("value") is not None:
                return adjudication["value"], f"item[{i}].adjudication[{j}].value"
    return None


def _units(answer: PasAnswer, response: dict, code: str, asked: Requested) -> None:
    detail, where = _item_extension(response, "itemAuthorizedDetail", "authorizedItemDetail")
    parts = _named((detail or {}).get("extension"), "quantity")
    value = (parts[0].get("valueQuantity") or {}).get("value") if parts else None
    where = f"{where}.quantity"
    if value is None and (adjudicated := _adjudicated_value(response)):
        value, where = adjudicated
    if value is None and code == "A1":
        value = asked.units
    answer.put("approved_units", value, where)


def _auth_number(answer: PasAnswer, response: dict, number: str | None, at: str) -> None:
    if response.get("preAuthRef") or not number:
        answer.put("auth_number", response.get("preAuthRef"), "preAuthRef")
    else:
        answer.put("auth_number", number, at.replace(".code", ".number"))


def _note(response: dict, code: str, status: Status) -> str | None:
    texts = [response.get("disposition")] + [n.get("text") for n in response.get("processNote", [])]
    said = " ".join(t.strip() for t in texts if t and t.strip())
    if said or status != Status.PENDED:
        return said or None
    return f"The payer pended the request (X12 {code}: {meaning_of(code)})."


def read_answer(response: dict, asked: Requested) -> PasAnswer:
    """The step a ClaimResponse records; PasProblem when it cannot be read as one."""
    if response.get("outcome") == "error":
        errors = [_code_of(e.get("code")) for e in response.get("error", [])]
        listed = ", ".join(e for e in errors if e) or "none given"
        raise PasProblem("outcome", f"the payer answered with an error (codes: {listed})")
    code, number, where = _the_code(response)
    status = status_for_action_code(code)
    answer = PasAnswer(code, where={"action_code": where})
    answer.put("note", _note(response, code, status), "disposition")
    if status in APPROVALS:
        _auth_number(answer, response, number, where)
        _period(answer, response, code, asked)
        _units(answer, response, code, asked)
    if status == Status.DENIED:
        answer.put("denial_reason", DenialReason.OTHER.value, "item")
    if status in (*APPROVALS, Status.DENIED):
        answer.put("decided_on", _day(response.get("created")), "created")
    return answer
