"""What an authorization has approved, given, booked and left (docs/domain.md §9).

The one definition of "units left" and "not yet used", used by every page, the API, the
reminders and the digest:

- approved: units (visits) the payer approved; None when the approval sets no limit;
- given: units billed (visits made) by the administered infusions drawing on it;
- booked: units reserved (visits) by its scheduled infusions, override bookings included;
- not yet used = approved − given;
- left = approved − given − booked (negative: a deficit, the booked infusions need more).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitsUse:
    units_approved: int | None = None
    units_given: int = 0
    units_booked: int = 0
    visits_approved: int | None = None
    visits_given: int = 0
    visits_booked: int = 0

    @property
    def units_not_yet_used(self) -> int | None:
        return None if self.units_approved is None else self.units_approved - self.units_given

    @property
    def units_left(self) -> int | None:
        """approved − given − booked; None when no unit limit."""
        return left_after_booked(self.units_not_yet_used, self.units_booked)

    @property
    def units_taken(self) -> int:
        """given + booked: the least an approval may be cut to (a payer's change, §5)."""
        return self.units_given + self.units_booked

    @property
    def visits_taken(self) -> int:
        return self.visits_given + self.visits_booked

    @property
    def units_short(self) -> int:
        """The deficit: units the booked infusions need beyond what is not yet used."""
        left = self.units_left
        return 0 if left is None or left >= 0 else -left

    @property
    def visits_not_yet_used(self) -> int | None:
        return None if self.visits_approved is None else self.visits_approved - self.visits_given

    @property
    def visits_left(self) -> int | None:
        return left_after_booked(self.visits_not_yet_used, self.visits_booked)


def left_after_booked(not_yet_used: int | None, booked: int) -> int | None:
    """ "Left" from "not yet used": what the booked infusions have not reserved (None: no limit)."""
    return None if not_yet_used is None else not_yet_used - booked


@dataclass(frozen=True)
class Spend:
    """One infusion drawing on an authorization: its units, given or only booked."""

    units: int
    given: bool


def tally(units_approved: int | None, visits_approved: int | None, spends: Iterable[Spend]):
    """The UnitsUse of an authorization from the infusions drawing on it."""
    spends = list(spends)
    given = [s.units for s in spends if s.given]
    booked = [s.units for s in spends if not s.given]
    return UnitsUse(
        units_approved, sum(given), sum(booked), visits_approved, len(given), len(booked)
    )
