"""The checklist's item type and the rules behind its items (used by evidence.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

LAB_NAMES = {"hemoglobin": ("hemoglobin", "g/dL"), "ferritin": ("ferritin", "ng/mL")}
LAB_NAMES["tsat"] = ("TSAT", "%")
DIALYSIS_NAMES = {"none": "no dialysis", "hemodialysis": "hemodialysis"}
DIALYSIS_NAMES["peritoneal"] = "peritoneal dialysis"


class ItemStatus(StrEnum):
    MET = "met"
    MISSING = "missing"
    NOT_MET = "not_met"
    STALE = "stale"
    NOT_REQUIRED = "not_required"


@dataclass(frozen=True)
class ChecklistItem:
    """evidence_kind: what to record to fix a problem (lab, oral_iron_trial, ckd_status,
    diagnosis, request), None when the item is no problem or no evidence kind fixes it."""

    requirement: str
    status: ItemStatus
    detail: str
    evidence_kind: str | None = None


Outcome = tuple[ItemStatus, str]
MET, MISSING, NOT_MET = ItemStatus.MET, ItemStatus.MISSING, ItemStatus.NOT_MET
STALE, NOT_REQUIRED = ItemStatus.STALE, ItemStatus.NOT_REQUIRED


def item(requirement: str, status: ItemStatus, detail: str, kind: str | None = None):
    """A checklist item; the evidence kind is kept only where there is something to fix."""
    problem = status in (MISSING, NOT_MET, STALE)
    return ChecklistItem(str(requirement), status, detail, kind if problem else None)


def fmt(value: Decimal | int) -> str:
    """A quantity without trailing noise: 45, 11.5, 1000."""
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def latest(rows: Iterable[Any]) -> Any | None:
    """The row with the greatest observed_on, or None."""
    return max(rows, key=lambda r: r.observed_on, default=None)


def normalize_code(code: str) -> str:
    """ICD-10-CM code for comparison: upper case, no dots or spaces ("d50.9" -> "D509")."""
    return code.replace(".", "").replace(" ", "").upper()


def matching_prefix(code: str, accepted: Sequence[str]) -> str | None:
    norm = normalize_code(code)
    return next((a for a in accepted if norm.startswith(normalize_code(a))), None)


def diagnosis_rule(accepted: Sequence[str], codes: Sequence[str], source: str, payer: str):
    if not accepted:
        return NOT_REQUIRED, f"{payer} lists no accepted diagnoses"
    codes = [c for c in codes if c.strip()]
    if not codes:
        return MISSING, "no diagnosis code on the request or the patient's record"
    for code in codes:
        prefix = matching_prefix(code, accepted)
        if prefix is not None:
            return MET, f"{code} {source} matches accepted {prefix}"
    return NOT_MET, f"{', '.join(codes)} {source} not accepted; accepted: {', '.join(accepted)}"


def trial_days(trial: Any, as_of: date) -> int:
    """Inclusive length of a trial; an ongoing one (or one ending later) counts to as_of."""
    end = as_of if trial.end_date is None else min(trial.end_date, as_of)
    return (end - trial.start_date).days + 1


def _drug(trial: Any) -> str:
    return trial.drug.strip() or "oral iron"


def _excused(trial: Any) -> str:
    """Sentence for a trial whose intolerance or contraindication replaces the trial length."""
    what = "intolerance" if trial.outcome == "intolerance" else "contraindication"
    note = f" ({trial.note.strip()})" if trial.note.strip() else ""
    return f"{what} to {_drug(trial)} documented (from {trial.start_date}){note}"


def oral_iron_rule(min_days: int | None, trials: Sequence[Any], as_of: date) -> Outcome:
    if not min_days:
        return NOT_REQUIRED, "no oral iron trial required"
    excused = [t for t in trials if t.outcome in ("intolerance", "contraindication")]
    if excused:
        first = min(excused, key=lambda t: t.start_date)
        return MET, f"{_excused(first)}: replaces the {min_days}-day trial"
    if not trials:
        return MISSING, f"no oral iron trial on file ({min_days} days required)"
    failed = [t for t in trials if t.outcome == "inadequate_response"]
    done = [t for t in failed if trial_days(t, as_of) >= min_days]
    if done:
        best = max(done, key=lambda t: trial_days(t, as_of))
        days, drug = trial_days(best, as_of), _drug(best)
        return MET, f"{days} days of {drug} with inadequate response, {min_days} required"
    return NOT_MET, _short_trial(max(trials, key=lambda t: trial_days(t, as_of)), min_days, as_of)


def _short_trial(trial: Any, min_days: int, as_of: date) -> str:
    """Why the longest trial does not count: too short, or long enough with no outcome."""
    days, drug = trial_days(trial, as_of), _drug(trial)
    if days >= min_days:
        return (
            f"{days} days of {drug} but no outcome recorded: "
            "record inadequate response, intolerance or contraindication"
        )
    ongoing = " so far" if trial.end_date is None or trial.end_date > as_of else ""
    return f"{days} days of {drug}{ongoing}, {min_days} required"


def describe_ckd(ckd: Any) -> str:
    return f"CKD stage {ckd.stage}, {DIALYSIS_NAMES[str(ckd.dialysis)]} ({ckd.observed_on})"


TRIFERIC = ("J1443", "J1444", "J1445")  # hemodialysis only (docs/domain.md §3)
FERUMOXYTOL_NOT_ESRD, FERUMOXYTOL_ESRD = "Q0138", "Q0139"
ESRD_ON_DIALYSIS = ("N18.6", "Z99.2")  # ESRD with dependence on dialysis, both on file


def esrd_on_dialysis(ckd: Any | None, diagnosis_codes: Sequence[str]) -> str | None:
    """What shows the patient has ESRD on dialysis, in words, or None when nothing does."""
    if ckd is not None and ckd.dialysis != "none":
        return describe_ckd(ckd)
    found = {normalize_code(c) for c in diagnosis_codes}
    if all(normalize_code(c) in found for c in ESRD_ON_DIALYSIS):
        return "diagnoses N18.6 and Z99.2 on file"
    return None


def ckd_rule(ckd: Any | None, requires_dialysis: bool, code: str, diagnoses=()) -> Outcome:
    """CKD status, and whether the code fits the patient's dialysis (§3)."""
    code = code.strip().upper()
    if code in TRIFERIC:
        return _triferic_rule(ckd, code)
    esrd = esrd_on_dialysis(ckd, diagnoses)
    if code == FERUMOXYTOL_NOT_ESRD and esrd is not None:
        return NOT_MET, (
            "Ferumoxytol for a patient with ESRD on dialysis is billed as Q0139, not Q0138 "
            f"({esrd})"
        )
    if requires_dialysis:
        return _dialysis_rule(ckd, code)
    if ckd is None:
        return NOT_REQUIRED, "no CKD documented: non-CKD lab thresholds apply"
    return MET, f"{describe_ckd(ckd)}: CKD thresholds apply"


def _dialysis_rule(ckd: Any | None, code: str) -> Outcome:
    """A code for patients on dialysis (hemodialysis or peritoneal)."""
    if ckd is None:
        return MISSING, f"{code} is for patients on dialysis: no CKD status on file"
    if ckd.dialysis != "none":
        return MET, f"{describe_ckd(ckd)}: on dialysis as {code} requires; CKD thresholds apply"
    if code == FERUMOXYTOL_ESRD:
        return NOT_MET, (
            "Ferumoxytol for a patient not on dialysis is billed as Q0138, not Q0139; "
            f"latest: {describe_ckd(ckd)}"
        )
    return NOT_MET, f"{code} is for patients on dialysis; latest: {describe_ckd(ckd)}"


def _triferic_rule(ckd: Any | None, code: str) -> Outcome:
    """Triferic and Triferic AVNU: hemodialysis only, never peritoneal dialysis."""
    if ckd is None:
        return MISSING, f"{code} (Triferic) is for patients on hemodialysis: no CKD status on file"
    if ckd.dialysis == "hemodialysis":
        return MET, f"{describe_ckd(ckd)}: on hemodialysis as {code} requires; CKD thresholds apply"
    if ckd.dialysis == "peritoneal":
        return NOT_MET, (
            f"Triferic ({code}) is for hemodialysis only, not peritoneal dialysis "
            f"(latest: {describe_ckd(ckd)}): no Triferic code fits; for ESRD on dialysis "
            "ferumoxytol is billed as Q0139"
        )
    latest = describe_ckd(ckd)
    return NOT_MET, f"{code} (Triferic) is for patients on hemodialysis; latest: {latest}"


def describe_lab(lab: Any) -> str:
    name, unit = LAB_NAMES[str(lab.test)]
    return f"{name} {fmt(lab.value)} {unit} on {lab.observed_on}"


def _lab_check(test: str, limit: Decimal, lab: Any | None) -> tuple[bool, str]:
    if lab is None:
        return False, f"{LAB_NAMES[test][0]} not on file"
    below = lab.value < limit
    return below, f"{describe_lab(lab)} is {'' if below else 'not '}below {fmt(limit)}"


def iron_labs_rule(checks: Sequence[tuple[str, Decimal, Any | None]]) -> Outcome:
    """checks: (test, threshold, latest lab or None); met when any value is below its threshold."""
    if not checks:
        return NOT_REQUIRED, "no ferritin or TSAT threshold in the policy"
    if all(lab is None for _, _, lab in checks):
        wanted = " or ".join(f"{LAB_NAMES[t][0]} (below {fmt(v)})" for t, v, _ in checks)
        return MISSING, f"no {wanted} on file"
    results = [_lab_check(t, limit, lab) for t, limit, lab in checks]
    met = any(below for below, _ in results)
    text = "; ".join(sentence for _, sentence in results)
    return (MET, f"{text}: met") if met else (NOT_MET, f"{text}: not met")


def hemoglobin_rule(limit: Decimal | None, lab: Any | None) -> Outcome:
    if limit is None:
        return NOT_REQUIRED, "no hemoglobin threshold in the policy"
    if lab is None:
        return MISSING, f"no hemoglobin on file (must be below {fmt(limit)} g/dL)"
    below, text = _lab_check("hemoglobin", limit, lab)
    return (MET, text) if below else (NOT_MET, text)


def labs_recent_rule(max_age: int | None, labs: Sequence[tuple[str, Any | None]], as_of: date):
    """labs: (test, latest lab or None) for each lab the policy asks for."""
    if max_age is None or not labs:
        return NOT_REQUIRED, "no lab age limit in the policy"
    found = [lab for _, lab in labs if lab is not None]
    if not found:
        names = " or ".join(LAB_NAMES[t][0] for t, _ in labs)
        return MISSING, f"no {names} on file (labs must be at most {max_age} days old)"
    aged = [(lab, (as_of - lab.observed_on).days) for lab in found]
    stale = [(lab, age) for lab, age in aged if age > max_age]
    if stale:
        text = "; ".join(f"{_lab_age(lab, age)} old" for lab, age in stale)
        return STALE, f"{text}: older than {max_age} days, repeat the labs"
    text = ", ".join(_lab_age(lab, age) for lab, age in aged)
    return MET, f"{text} old: within {max_age} days"


def _lab_age(lab: Any, age: int) -> str:
    name = LAB_NAMES[str(lab.test)][0]
    return f"{name} on {lab.observed_on} is {age} day{'' if age == 1 else 's'}"


def step_therapy_rule(preferred: Sequence[str], code: str, priors: Sequence[Any], payer: str):
    """Met by a prior product among the preferred codes; none asked when code is preferred."""
    preferred = [c.strip().upper() for c in preferred]
    code = code.strip().upper()
    if not preferred or code in preferred:
        why = f"{code} is a preferred product" if preferred else "no preferred products"
        return NOT_REQUIRED, f"no step therapy: {why}"
    tried = [p for p in priors if p.hcpcs_code.strip().upper() in preferred]
    if tried:
        last = max(tried, key=lambda p: p.given_on)
        return MET, f"preferred product {last.hcpcs_code.upper()} given on {last.given_on}"
    names = " or ".join(preferred)
    return MISSING, f"{payer} prefers {names}: try {names} first, or record the prior product"


def limit_rule(limit: Decimal | int | None, value, text: str, what: str, missing: str) -> Outcome:
    """value (described by text) against an upper limit; value None: missing is not on file."""
    if limit is None:
        return NOT_REQUIRED, f"no limit on {what}"
    if value is None:
        return MISSING, f"{missing} not on the request (limit {fmt(limit)} {what})"
    if value <= limit:
        return MET, f"{text} is within the limit of {fmt(limit)} {what}"
    return NOT_MET, f"{text} exceeds the limit of {fmt(limit)} {what}"
