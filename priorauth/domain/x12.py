"""The X12 278 response action codes and the statuses they mean (docs/domain.md, "How payers
answer"). A coordinator may paste the code a portal shows instead of choosing a status."""

from __future__ import annotations

from priorauth.domain.workflow import Status

ACTION_CODES: dict[str, tuple[Status, str]] = {
    "A1": (Status.APPROVED, "certified in total"),
    "A2": (Status.PARTIALLY_APPROVED, "certified in part"),
    "A3": (Status.DENIED, "not certified"),
    "A4": (Status.PENDED, "pended"),
    "A6": (Status.PARTIALLY_APPROVED, "modified"),
    "C": (Status.CANCELLED, "cancelled"),
    "CT": (Status.PENDED, "contact payer"),
}


def status_for_action_code(code: str) -> Status | None:
    """The status an action code means (case and spaces ignored); None for an unknown code."""
    found = ACTION_CODES.get(code.strip().upper())
    return found[0] if found else None


def codes_for(status: Status | str) -> list[tuple[str, str]]:
    """The action codes that mean `status` as a decision form's choices, in the order of
    ACTION_CODES: [("A2", "A2: certified in part"), ("A6", "A6: modified")]."""
    return [
        (code, f"{code}: {said}") for code, (means, said) in ACTION_CODES.items() if means == status
    ]


def meaning_of(code: str | None) -> str:
    """What a stored action code says ("certified in part"); "" for none or an unknown one."""
    found = ACTION_CODES.get((code or "").strip().upper())
    return found[1] if found else ""
