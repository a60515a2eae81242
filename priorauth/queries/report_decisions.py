"""The reports on payers' decisions, from the request history (queries/turnaround.py):
turnaround by payer and code, approval and denial rates per month, denial reasons."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal

from priorauth.domain.vocab import DenialReason, label
from priorauth.models import Clinic
from priorauth.queries import turnaround as history
from priorauth.queries.reports import Report

MONTHS = 12
APPROVED, PARTIAL, DENIED = "approved", "partially_approved", "denied"


def _percent(part: int, whole: int) -> Decimal:
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"))


def _first_month(today: date) -> date:
    """The first day of the month MONTHS - 1 months before today's."""
    months = today.year * 12 + today.month - 1 - (MONTHS - 1)
    return date(months // 12, months % 12 + 1, 1)


def turnaround(clinic: Clinic, today: date) -> Report:
    """Per payer and code, all history: decisions, median and 80th-percentile days."""
    rows = [
        (r.payer_name, r.hcpcs_code, r.decisions, r.median_days, r.p80_days)
        for r in history.turnaround_rows(clinic.id)
    ]
    return Report(
        "turnaround", "Turnaround by payer",
        "Days from submission to the payer's decision, per payer and drug code: the median "
        "and the 80th percentile (4 in 5 decisions came within it), over all decisions.",
        ("Payer", "Code", "Decisions", "Median days", "80th percentile days"),
        sorted(rows, key=lambda r: (r[0].lower(), r[1])), (0, 1), (3, 4),
    )  # fmt: skip


def outcomes(clinic: Clinic, today: date) -> Report:
    """Per month of decision, the last 12 months: approvals, partial approvals and denials as
    shares of the month's decisions."""
    tally: dict[date, Counter] = {}
    for d in history.decisions(clinic.id, since=_first_month(today)):
        tally.setdefault(d.decided_on.replace(day=1), Counter())[str(d.outcome)] += 1
    rows = []
    for month in sorted(tally):
        got = tally[month]
        total = sum(got.values())
        rows.append((
            month.strftime("%Y-%m"), total, got[APPROVED], got[PARTIAL], got[DENIED],
            _percent(got[APPROVED], total), _percent(got[PARTIAL], total),
            _percent(got[DENIED], total),
        ))  # fmt: skip
    return Report(
        "outcomes", "Approval and denial rates per month",
        f"Of each month's decisions (the last {MONTHS} months), the share approved, partially "
        "approved and denied.",
        ("Month", "Decisions", "Approved", "Partially approved", "Denied", "Approved %",
         "Partially approved %", "Denied %"),
        rows, (0,), (5, 6, 7),
    )  # fmt: skip


def denial_reasons(clinic: Clinic, today: date) -> Report:
    """Denials of the last 12 months by the reason recorded, most frequent first."""
    found = Counter(
        label(d.denial_reason, DenialReason) if d.denial_reason else "(no reason recorded)"
        for d in history.decisions(clinic.id, since=_first_month(today))
        if str(d.outcome) == DENIED
    )
    total = sum(found.values())
    rows = [
        (reason, count, _percent(count, total))
        for reason, count in sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return Report(
        "denial_reasons", "Denial reasons",
        f"Denials of the last {MONTHS} months by the reason the payer gave.",
        ("Reason", "Denials", "Share %"), rows, (0,), (1,),
    )  # fmt: skip
