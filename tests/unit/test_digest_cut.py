"""A digest that a person reads (domain/digests.py): each group lists its most urgent N items,
says how many there are in all and links to the full list; a stored digest keeps its counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from priorauth.domain import digests
from priorauth.domain import queues as registry
from priorauth.domain.reminders import ReminderType, Thresholds

TODAY = date(2026, 3, 10)
LIMITS = Thresholds()
EXPIRING, UNCOVERED = ReminderType.AUTH_EXPIRING.value, ReminderType.INFUSION_UNCOVERED.value


def item(kind: str, urgency: int, ident: int) -> digests.DigestItem:
    ids = {"infusion_id": ident} if kind == UNCOVERED else {"authorization_id": ident}
    day = TODAY + timedelta(days=urgency)
    return digests.DigestItem(kind, day, f"item {ident}", "/x", urgency, **ids)


def many() -> list[digests.DigestItem]:
    """12 expiring approvals (urgency 20 down to 9) and 3 uncovered bookings (1, 5, 3)."""
    expiring = [item(EXPIRING, 20 - n, 100 + n) for n in range(12)]
    uncovered = [item(UNCOVERED, u, 200 + u) for u in (1, 5, 3)]
    return expiring + uncovered


def summary(digest: digests.Digest) -> list[tuple]:
    return [(g.type, [i.urgency for i in g.items], g.count, g.shown_text) for g in digest.groups]


def test_each_group_keeps_its_most_urgent_n_and_counts_all():
    digest = digests.group(many(), TODAY, LIMITS, per_type=4)
    assert summary(digest) == [
        (UNCOVERED, [1, 3, 5], 3, "3 of 3 shown"),
        (EXPIRING, [9, 10, 11, 12], 12, "4 of 12 shown"),
    ]
    assert digest.total == 15 and len(digest.items) == 7
    assert digests.subject_of(digest, "C").endswith("15 items")


def test_no_cut_lists_everything_and_one_lists_the_most_urgent():
    assert [g.shown for g in digests.group(many(), TODAY, LIMITS).groups] == [3, 12]
    one = digests.group(many(), TODAY, LIMITS, per_type=1)
    assert [(g.items[0].urgency, g.count) for g in one.groups] == [(1, 3), (9, 12)]


def test_a_role_gets_the_cut_of_its_own_groups():
    digest = digests.digest_for("scheduler", many(), TODAY, LIMITS, per_type=2)
    assert summary(digest) == [(UNCOVERED, [1, 3], 3, "2 of 3 shown")]


@pytest.mark.parametrize("kind", sorted(registry.BY_REMINDER))
def test_every_group_links_to_a_full_list(kind):
    queue = registry.BY_REMINDER[kind]
    group = digests.group([item(kind, 2, 1)], TODAY, LIMITS).groups[0]
    if queue.on_dashboard:
        assert group.link == f"/queues/{queue.name}"
    else:
        assert group.link == digests.FULL_LISTS[queue.name]
    assert group.anchor == queue.name


def test_full_lists_of_groups_without_a_dashboard_card():
    assert digests.full_list_path(ReminderType.EVIDENCE_STALE) == "/reminders#evidence_stale"
    assert digests.full_list_path(ReminderType.INFUSION_UPCOMING) == "/schedule?view=week"
    undocumented = digests.full_list_path(registry.ADMINISTRATION_UNDOCUMENTED)
    assert undocumented == "/billing?status=missing_documentation"
    assert digests.full_list_path(ReminderType.INFUSION_UNCOVERED) == "/queues/uncovered_soon"


def test_a_stored_digest_reads_back_with_its_counts():
    sent = digests.group(many(), TODAY, LIMITS, per_type=4)
    rows = digests.stored_items(sent)
    assert len(rows) == 7
    assert {row["type"]: row[digests.TYPE_TOTAL] for row in rows} == {EXPIRING: 12, UNCOVERED: 3}
    back = digests.from_stored(rows, TODAY, LIMITS)
    assert summary(back) == summary(sent)
    assert back.total == 15 and back.items == sent.items
    assert back.digest_date == sent.digest_date == TODAY


def test_rows_stored_before_counts_were_kept_count_their_items():
    rows = [i.to_json() for i in many()[:5]]
    back = digests.from_stored(rows, TODAY, LIMITS)
    assert [(g.type, g.count, g.shown) for g in back.groups] == [(EXPIRING, 5, 5)]


def test_an_empty_digest_stores_nothing():
    empty = digests.group([], TODAY, LIMITS, per_type=3)
    assert digests.stored_items(empty) == [] and digests.from_stored([], TODAY, LIMITS).is_empty
