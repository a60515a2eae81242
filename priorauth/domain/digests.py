"""What a digest says (docs/domain.md §7): items made from reminders (and administrations
missing documentation), kept to the recipient's role, grouped by the registry's queues
(domain/queues.py), each group and each item in deadline order, with days left and whom to
call. A group lists its most urgent N items (the clinic's digest_items_per_type), says how
many there are in all and links to the full list. Pure: the items come in, a `Digest` goes
out; loading is queries/digests.py, rendering and sending notify/."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date

from priorauth.domain import queues as registry
from priorauth.domain.escalation import reminder_key
from priorauth.domain.queues import ADMINISTRATION_UNDOCUMENTED
from priorauth.domain.reminders import Reminder, Thresholds

TYPE_ORDER = registry.REMINDER_ORDER
TYPE_TOTAL = "type_total"  # in a stored item: how many items its group had in all
# Digest groups with no dashboard card link to the nearest full list that exists.
FULL_LISTS = {
    "evidence_stale": "/reminders#evidence_stale",
    "reverify_soon": "/schedule?view=week",
    "undocumented": "/billing?status=missing_documentation",
    "follow_up_due": "/reminders#follow_up_due",
    "renewal_due": "/reminders#renewal_due",
    "escalated": "/escalated",
}


def _days(n: int) -> str:
    return "1 day" if abs(n) == 1 else f"{abs(n)} days"


@dataclass(frozen=True)
class DigestItem:
    """One line of a digest; `path` is the page it links to (joined to BASE_URL in email).

    urgency: days from the digest's day to due_date (negative: overdue). patient_name is set
    only when DIGEST_SHOW_NAMES is on; messages carry MRN and initials. payer_*: whom to call
    about an item on an authorization.
    """

    type: str
    due_date: date
    message: str
    path: str
    urgency: int
    authorization_id: int | None = None
    infusion_id: int | None = None
    patient_id: int | None = None
    patient_name: str | None = None
    payer_name: str | None = None
    payer_phone: str | None = None
    payer_portal: str | None = None
    payer_fax: str | None = None
    reminder_key: str | None = None  # the reminder's identity (domain/escalation.py), if one

    @property
    def link_text(self) -> str:
        if self.infusion_id is not None:
            return f"Open infusion #{self.infusion_id}"
        return f"Open authorization #{self.authorization_id}"

    @property
    def days_text(self) -> str:
        """The deadline in words: "3 days left", "due today", "2 days overdue"."""
        if self.type == ADMINISTRATION_UNDOCUMENTED:
            return "given today" if self.urgency == 0 else f"given {_days(self.urgency)} ago"
        if self.urgency == 0:
            return "due today"
        if self.urgency > 0:
            return f"{_days(self.urgency)} left"
        return f"{_days(self.urgency)} overdue"

    @property
    def contact(self) -> str | None:
        """Whom to call, as a sentence; None when the item is not about a payer's request."""
        if self.payer_name is None:
            return None
        ways = []
        if self.payer_phone:
            ways.append(f"call {self.payer_name} at {self.payer_phone}")
        if self.payer_fax:
            ways.append(f"fax {self.payer_fax}")
        if self.payer_portal:
            ways.append(f"use {self.payer_name}'s portal {self.payer_portal}")
        if not ways:
            return f"No phone or portal on file for {self.payer_name}."
        text = f"{', '.join(ways[:-1])} or {ways[-1]}" if len(ways) > 1 else ways[0]
        return f"{text[0].upper()}{text[1:]}."

    def to_json(self) -> dict:
        return {**asdict(self), "due_date": self.due_date.isoformat()}

    @classmethod
    def from_json(cls, data: dict) -> DigestItem:
        known = {f.name for f in fields(cls)}
        kept = {k: v for k, v in data.items() if k in known}
        return cls(**{**kept, "due_date": date.fromisoformat(data["due_date"])})


@dataclass(frozen=True)
class Group:
    """One type's items: `items` are the most urgent ones shown, `count` all of them (never
    fewer than shown), `link` the page that lists them all, `anchor` the group's id on a page
    (its queue's name; FULL_LISTS links to it)."""

    type: str
    title: str
    items: tuple[DigestItem, ...]
    total: int = 0
    link: str = ""
    anchor: str = ""

    @property
    def count(self) -> int:
        return max(self.total, len(self.items))

    @property
    def shown(self) -> int:
        return len(self.items)

    @property
    def shown_text(self) -> str:
        """How much of the type the digest lists: "10 of 137 shown"."""
        return f"{self.shown} of {self.count} shown"


@dataclass(frozen=True)
class Digest:
    """A digest for one day: groups ordered by their most urgent item."""

    digest_date: date
    groups: tuple[Group, ...] = ()

    @property
    def items(self) -> list[DigestItem]:
        """The items shown (each group's most urgent ones)."""
        return [item for group in self.groups for item in group.items]

    @property
    def total(self) -> int:
        """Every item due, shown or not."""
        return sum(group.count for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def item_key(item: DigestItem) -> tuple:
    """Deadline first, then the type's order, then the item's ids."""
    return (item.urgency, TYPE_ORDER[item.type], item.infusion_id or 0, item.authorization_id or 0)


def full_list_path(kind: str) -> str:
    """The page listing every item of the type: its dashboard queue, else FULL_LISTS."""
    queue = registry.BY_REMINDER[kind]
    return f"/queues/{queue.name}" if queue.on_dashboard else FULL_LISTS[queue.name]


def path_of(authorization_id: int | None, infusion_id: int | None) -> str:
    if infusion_id is not None:
        return f"/infusions/{infusion_id}"
    return f"/authorizations/{authorization_id}"


def from_reminder(reminder: Reminder) -> DigestItem:
    payer = reminder.payer
    return DigestItem(
        type=str(reminder.type),
        due_date=reminder.due_date,
        message=reminder.message,
        path=path_of(reminder.authorization_id, reminder.infusion_id),
        urgency=reminder.urgency,
        authorization_id=reminder.authorization_id,
        infusion_id=reminder.infusion_id,
        patient_id=reminder.patient_id,
        payer_name=payer.name if payer else None,
        payer_phone=payer.phone if payer else None,
        payer_portal=payer.portal_url if payer else None,
        payer_fax=payer.fax if payer else None,
        reminder_key=reminder_key(
            str(reminder.type), reminder.authorization_id, reminder.infusion_id, reminder.due_date
        ),
    )


def undocumented(label: str, code: str, given_on: date, missing: list[str], as_of: date, ids):
    """An administration billing cannot claim as recorded; ids: (authorization, infusion,
    patient)."""
    authorization_id, infusion_id, patient_id = ids
    message = f"{label}, {code} infusion given on {given_on}: {' and '.join(missing)}."
    return DigestItem(
        ADMINISTRATION_UNDOCUMENTED,
        given_on,
        message,
        path_of(None, infusion_id),
        (given_on - as_of).days,
        authorization_id,
        infusion_id,
        patient_id,
    )


def for_role(items: Iterable[DigestItem], role: str) -> list[DigestItem]:
    """The items of the queues the role sees first (domain/queues.py)."""
    wanted = registry.reminder_types_for(role)
    return [item for item in items if item.type in wanted]


def group(
    items: Iterable[DigestItem],
    digest_date: date,
    limits: Thresholds,
    per_type: int | None = None,
    totals: dict[str, int] | None = None,
) -> Digest:
    """Items grouped by type under their queue's title; groups ordered by their most urgent
    item, then type order; items by deadline. per_type: each group keeps its most urgent
    items, this many (None: all). totals: counts known beyond the items (a stored digest)."""
    by_type: dict[str, list[DigestItem]] = defaultdict(list)
    for item in sorted(items, key=item_key):
        by_type[item.type].append(item)
    ordered = sorted(by_type.items(), key=lambda pair: (pair[1][0].urgency, TYPE_ORDER[pair[0]]))
    known = totals or {}
    groups = tuple(
        Group(
            kind,
            registry.BY_REMINDER[kind].group_title_for(limits),
            tuple(found[:per_type]),
            max(len(found), known.get(kind, 0)),
            full_list_path(kind),
            registry.BY_REMINDER[kind].name,
        )
        for kind, found in ordered
    )
    return Digest(digest_date, groups)


def digest_for(
    role: str, items: Iterable[DigestItem], digest_date: date, limits, per_type: int | None = None
) -> Digest:
    """The recipient's digest: the items of their role, grouped, per_type of each type."""
    return group(for_role(items, role), digest_date, limits, per_type)


def stored_items(digest: Digest) -> list[dict]:
    """What a delivery row keeps: the shown items, each with its group's count (TYPE_TOTAL),
    so the digest read back later says "10 of 137" as the email did."""
    return [
        {**item.to_json(), TYPE_TOTAL: group.count}
        for group in digest.groups
        for item in group.items
    ]


def from_stored(rows: Iterable[dict], digest_date: date, limits: Thresholds) -> Digest:
    """A delivery row's digest: its items grouped, with the counts stored beside them (rows
    stored before the counts were kept count their items)."""
    rows = list(rows)
    totals: dict[str, int] = {}
    for row in rows:
        totals[row["type"]] = max(totals.get(row["type"], 0), int(row.get(TYPE_TOTAL) or 0))
    items = [DigestItem.from_json(row) for row in rows]
    return group(items, digest_date, limits, totals=totals)


def subject_of(digest: Digest, clinic_name: str) -> str:
    if digest.is_empty:
        return f"{clinic_name} digest for {digest.digest_date}: nothing due"
    noun = "item" if digest.total == 1 else "items"
    return f"{clinic_name} digest for {digest.digest_date}: {digest.total} {noun}"


def email_context(digest: Digest, clinic_name: str, recipient_name: str, base_url: str) -> dict:
    """What the email templates (and the "my digest" page) are rendered with."""
    return {
        "digest": digest,
        "subject": subject_of(digest, clinic_name),
        "clinic_name": clinic_name,
        "recipient_name": recipient_name,
        "base_url": base_url.rstrip("/"),
    }
