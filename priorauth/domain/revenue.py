"""Revenue at risk (docs/follow-through.md "Revenue at risk"): the dollars of booked infusions
that are not covered, and of denials still inside their appeal window, at the payer's allowed
amount per billing unit. A rate left blank is unknown: its items are counted apart (how many,
how many units), never priced at zero.

Pure: plain values in, plain values out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from priorauth.domain import reasons as r
from priorauth.domain.units import billing_units

OTHER = "OTHER"
DENIED_OPEN = "DENIED_APPEAL_OPEN"

# The reason an uncovered booking is counted under, from the reason codes of its runway step
# (stored as infusions.coverage_reason by services/attention.py). A booking with several
# reasons counts once, under the first of this list it has: the insurance first (nothing else
# can be fixed without it), then the requests, then the approval's limits.
REASON_ORDER: tuple[str, ...] = (
    r.COVERAGE_INACTIVE,
    r.AUTH_DENIED,
    r.AUTH_PENDING,
    r.NO_AUTHORIZATION,
    r.AUTH_EXPIRED,
    r.AUTH_NOT_YET_ACTIVE,
    r.UNITS_EXHAUSTED,
    r.VISITS_EXHAUSTED,
    r.DOSE_EXCEEDS_LIMIT,
    r.TOO_SOON,
)

REASON_LABELS = {
    r.COVERAGE_INACTIVE: "Insurance not active",
    r.AUTH_DENIED: "Request denied",
    r.AUTH_PENDING: "Request awaiting the payer",
    r.NO_AUTHORIZATION: "No authorization",
    r.AUTH_EXPIRED: "Authorization ended",
    r.AUTH_NOT_YET_ACTIVE: "Authorization not yet started",
    r.UNITS_EXHAUSTED: "Units used up",
    r.VISITS_EXHAUSTED: "Visits used up",
    r.DOSE_EXCEEDS_LIMIT: "Dose above the payer's limit",
    r.TOO_SOON: "Too soon after another dose",
    OTHER: "Other",
    DENIED_OPEN: "Denied, appeal window open",
}


def reason_of(codes: Iterable[str]) -> str:
    """The reason code a booking with these reasons is counted under (REASON_ORDER)."""
    present = set(codes)
    return next((code for code in REASON_ORDER if code in present), OTHER)


def reason_label(code: str) -> str:
    return REASON_LABELS.get(code, code)


def units_of(dose_mg, mg_per_unit) -> int:
    """The billing units of a planned dose of a code (docs/domain.md §1)."""
    return billing_units(dose_mg, mg_per_unit)


@dataclass(frozen=True)
class AtRisk:
    """Items with the same payer, code, reason and units each: `count` bookings (or denied
    requests) of `units` units each, at `rate` dollars a unit (None: unknown)."""

    payer_id: int | None
    payer_name: str
    hcpcs_code: str
    reason: str
    units: int
    count: int
    rate: Decimal | None

    @property
    def total_units(self) -> int:
        return self.units * self.count

    @property
    def dollars(self) -> Decimal | None:
        return None if self.rate is None else self.rate * self.total_units


@dataclass(frozen=True)
class Line:
    """A total: the priced items' dollars, count and units; the unknown-rate ones apart."""

    key: str
    label: str
    dollars: Decimal = Decimal("0.00")
    count: int = 0
    units: int = 0
    unknown_count: int = 0
    unknown_units: int = 0

    def plus(self, item: AtRisk) -> Line:
        if item.rate is None:
            return Line(
                self.key, self.label, self.dollars, self.count, self.units,
                self.unknown_count + item.count, self.unknown_units + item.total_units,
            )  # fmt: skip
        return Line(
            self.key, self.label, self.dollars + item.dollars, self.count + item.count,
            self.units + item.total_units, self.unknown_count, self.unknown_units,
        )  # fmt: skip


@dataclass(frozen=True)
class Summary:
    """Revenue at risk of a set of items: the total, by reason and by payer (largest first)."""

    total: Line
    by_reason: tuple[Line, ...]
    by_payer: tuple[Line, ...]


def _by(items: list[AtRisk], key: Callable[[AtRisk], tuple[str, str]]) -> tuple[Line, ...]:
    lines: dict[str, Line] = {}
    for item in items:
        code, words = key(item)
        lines[code] = lines.get(code, Line(code, words)).plus(item)
    ranked = sorted(lines.values(), key=lambda x: (-x.dollars, -x.unknown_units, x.label))
    return tuple(ranked)


def _payer_key(item: AtRisk) -> tuple[str, str]:
    if item.payer_id is None:
        return "none", "No insurance on file"
    return str(item.payer_id), item.payer_name


def summarize(items: Iterable[AtRisk]) -> Summary:
    """The dollars at risk: units x rate summed, by reason and by payer; unknown rates apart."""
    found = list(items)
    total = Line("total", "Total")
    for item in found:
        total = total.plus(item)
    by_reason = _by(found, lambda i: (i.reason, reason_label(i.reason)))
    return Summary(total, by_reason, _by(found, _payer_key))
