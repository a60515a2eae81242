"""The appeal's argument: for each denial reason of the vocabulary, the paragraph that answers
it with the evidence that addresses it (labs for labs_out_of_range, the oral iron trial for
oral_iron_not_documented, ...). Built from the letter's plain context (domain/letters.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from priorauth.domain.vocab import DenialReason

Context = dict[str, Any]


def _join(parts: list[str]) -> str:
    return "; ".join(p for p in parts if p)


def _diagnoses(ctx: Context) -> str:
    found = [
        f"{d['code']} ({d['description']})" if d["description"] else d["code"]
        for d in ctx["diagnoses"]
    ]
    return ", ".join(found) if found else "no diagnosis code on file"


def _labs(ctx: Context) -> str:
    return _join([lab["text"] for lab in ctx["labs"]]) or "no iron labs on file"


def _trial(ctx: Context) -> str:
    trial = ctx["trial"]
    if trial is None:
        return "no oral iron trial is on file"
    if trial["excused"]:
        return f"{trial['outcome_label']} to {trial['drug']} documented from {trial['start']}" + (
            f" ({trial['note']})" if trial["note"] else ""
        )
    return f"a trial of {trial['text']}"


def _ckd(ctx: Context) -> str:
    ckd = ctx["ckd"]
    return ckd["text"] if ckd else "no chronic kidney disease documented"


def _prior(ctx: Context) -> str:
    given = [
        f"{p['code']} {p['drug']} on {p['date']}".replace("  ", " ") for p in ctx["prior_products"]
    ]
    return ", ".join(given) if given else "no IV iron product given before"


def _dose(ctx: Context) -> str:
    r = ctx["request"]
    return (
        f"{r['code']} ({r['drug']}) {r['dose_mg']} mg per administration, "
        f"{r['administrations']} administrations ({r['total_mg']} mg in all, {r['units']} units), "
        f"from {r['start']} to {r['end']}"
    )


def _limit(ctx: Context, key: str, words: str) -> str:
    value = ctx["policy"].get(key)
    return f"{words} {value}" if value is not None else ""


def diagnosis_not_supported(ctx: Context) -> str:
    accepted = ", ".join(ctx["policy"]["accepted_diagnoses"])
    listed = f" {ctx['payer']['name']} lists {accepted} as accepted diagnoses." if accepted else ""
    return (
        f"The diagnoses supporting this request are {_diagnoses(ctx)}, with {_ckd(ctx)}.{listed} "
        f"The iron deficiency is documented by {_labs(ctx)}."
    )


def oral_iron_not_documented(ctx: Context) -> str:
    required = ctx["policy"].get("oral_iron_min_days")
    need = f" (the plan asks for {required} days)" if required else ""
    return (
        f"Oral iron was tried before IV iron: {_trial(ctx)}{need}. "
        f"Labs after oral iron: {_labs(ctx)}."
    )


def labs_out_of_range(ctx: Context) -> str:
    limits = _join(
        [
            _limit(ctx, "ferritin_max", "ferritin at most"),
            _limit(ctx, "tsat_max", "TSAT at most"),
            _limit(ctx, "hemoglobin_max", "hemoglobin at most"),
        ]
    )
    age = ctx["policy"].get("labs_max_age_days")
    within = f", labs within {age} days" if age else ""
    criteria = f" The plan's criteria: {limits}{within}." if limits else ""
    return f"The patient's most recent labs: {_labs(ctx)}.{criteria} Status: {_ckd(ctx)}."


def documentation_missing(ctx: Context) -> str:
    prescriber = ctx["prescriber"] or "the ordering provider"
    return (
        f"The complete documentation: ordered by {prescriber}, {_dose(ctx)}. "
        f"Diagnoses: {_diagnoses(ctx)}. Labs: {_labs(ctx)}. Oral iron: {_trial(ctx)}. "
        f"Kidney status: {_ckd(ctx)}. Prior IV iron: {_prior(ctx)}."
    )


def dose_or_frequency_exceeded(ctx: Context) -> str:
    limits = _join(
        [
            _limit(ctx, "max_mg_per_dose", "at most (mg per administration)"),
            _limit(ctx, "max_mg_per_authorization", "at most (mg per authorization)"),
            _limit(ctx, "max_administrations", "at most (administrations)"),
        ]
    )
    within = f" The plan allows: {limits}." if limits else ""
    return (
        f"The dose requested is {_dose(ctx)}, the labeled dosing for this product.{within} "
        f"It is needed to replete iron given {_labs(ctx)}."
    )


def step_therapy_required(ctx: Context) -> str:
    preferred = ", ".join(ctx["policy"]["preferred_codes"])
    asked = f" The plan's preferred products: {preferred}." if preferred else ""
    return (
        f"IV iron already given: {_prior(ctx)}.{asked} Oral iron: {_trial(ctx)}. "
        f"Labs: {_labs(ctx)}."
    )


def off_label_use(ctx: Context) -> str:
    r = ctx["request"]
    return (
        f"{r['code']} ({r['drug']}) is requested for {_diagnoses(ctx)}, an indication on its "
        f"label: iron deficiency anemia with {_ckd(ctx)}, documented by {_labs(ctx)}."
    )


def not_medically_necessary(ctx: Context) -> str:
    return (
        f"IV iron is medically necessary: the patient has {_diagnoses(ctx)}; labs: {_labs(ctx)}; "
        f"oral iron: {_trial(ctx)}; kidney status: {_ckd(ctx)}."
    )


def other(ctx: Context) -> str:
    note = (ctx["denial"] or {}).get("note") if ctx.get("denial") else ""
    said = f'The denial states: "{note}". ' if note else ""
    return said + documentation_missing(ctx)


ARGUMENTS: dict[DenialReason, Callable[[Context], str]] = {
    DenialReason.DIAGNOSIS_NOT_SUPPORTED: diagnosis_not_supported,
    DenialReason.ORAL_IRON_NOT_DOCUMENTED: oral_iron_not_documented,
    DenialReason.LABS_OUT_OF_RANGE: labs_out_of_range,
    DenialReason.DOCUMENTATION_MISSING: documentation_missing,
    DenialReason.DOSE_OR_FREQUENCY_EXCEEDED: dose_or_frequency_exceeded,
    DenialReason.STEP_THERAPY_REQUIRED: step_therapy_required,
    DenialReason.OFF_LABEL_USE: off_label_use,
    DenialReason.NOT_MEDICALLY_NECESSARY: not_medically_necessary,
    DenialReason.OTHER: other,
}


def argument(reason: str, ctx: Context) -> str:
    """The paragraph answering a denial reason (an unknown one answers as "other")."""
    known = reason in DenialReason.values()
    return ARGUMENTS[DenialReason(reason) if known else DenialReason.OTHER](ctx)


def denial_context(facts: Any, ctx: Context) -> dict[str, str] | None:
    """The denial the appeal answers, with its argument; None when the request has none."""
    reason = facts.denial_reason
    if not reason:
        return None
    known = reason in DenialReason.values()
    denial = {
        "reason": reason,
        "reason_label": DenialReason(reason).label if known else reason,
        "note": facts.denial_note or "",
        "decided_on": facts.decided_on.isoformat() if facts.decided_on else "",
        "appeal_deadline": facts.appeal_deadline.isoformat() if facts.appeal_deadline else "",
    }
    return denial | {"argument": argument(reason, ctx | {"denial": denial})}
