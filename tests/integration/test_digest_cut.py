"""The demo clinic's digests at digest_items_per_type 2: each group lists its most urgent two,
says "2 of 3 shown" and links to the full list, in the email's text and HTML; the delivery
row keeps the counts, so the digest viewed or re-sent later says the same."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import Clinic
from priorauth.notify.runner import send_digests
from priorauth.queries.digests import digest_of_day
from tests.integration.conftest import smtp_server
from tests.integration.test_digests import (
    FROZEN,
    LATER,
    RUN_AT,
    deliveries,
    demo_user,
    expected_items,
    items_in,
    linked_ids,
    parts,
    seed_demo,
)

BASE = "http://127.0.0.1:5000"
# The admin's groups in the demo: (type, items in all, full list).
ADMIN_GROUPS = [
    ("FOLLOW_UP_DUE", 2, "/reminders#follow_up_due"),
    ("RENEWAL_DUE", 2, "/reminders#renewal_due"),
    ("EVIDENCE_STALE", 2, "/reminders#evidence_stale"),
    ("PAYER_RESPONSE_OVERDUE", 1, "/queues/waiting_on_payer"),
    ("UNITS_LOW", 1, "/queues/units_low"),
    ("INFUSION_UNCOVERED", 2, "/queues/uncovered_soon"),
    ("INFUSION_UPCOMING", 3, "/schedule?view=week"),
    ("AUTH_EXPIRING", 3, "/queues/expiring"),
    ("APPEAL_DEADLINE", 1, "/queues/appeal_open"),
]


@pytest.fixture
def clinic_id(app_ctx):
    return seed_demo().id


def per_type(clinic_id: int, n: int) -> None:
    db.session.get(Clinic, clinic_id).digest_items_per_type = n
    db.session.commit()


def first_of_each(pairs, n: int) -> list:
    kept, seen = [], {}
    for kind, ident in pairs:
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= n:
            kept.append((kind, ident))
    return kept


def counts_in_html(body: str) -> list[tuple[str, str, str]]:
    """(type, "x of y shown", full-list link) of each group section of an email or page."""
    found = re.findall(
        r'<section class="digest-group" data-type="(\w+)".*?'
        r'<p class="digest-more[^>]*>(\d+ of \d+) shown.*?<a href="([^"]+)"',
        body,
        re.S,
    )
    return [(kind, shown, href.replace("&amp;", "&")) for kind, shown, href in found]


def expected_counts(n: int, base: str = BASE) -> list[tuple[str, str, str]]:
    return [
        (kind, f"{min(n, total)} of {total}", base + link) for kind, total, link in ADMIN_GROUPS
    ]


def test_each_group_lists_its_most_urgent_n_with_the_count_and_the_full_list(clinic_id, inbox):
    per_type(clinic_id, 2)
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    message = inbox.of(demo_user("admin").email)
    text, body = parts(message)
    assert linked_ids(items_in(body)) == first_of_each(expected_items()["admin"], 2)
    assert counts_in_html(body) == expected_counts(2)
    assert message["Subject"].endswith(f"{FROZEN}: 17 items")  # every item due, shown or not
    assert "17 items due" in body and "17 items due:" in text
    for kind, shown, link in expected_counts(2):
        assert f"{shown} shown, most urgent first. The full list: {link}" in text, kind
    assert "3 of 3 shown" not in text and "2 of 3 shown" in text


def test_the_delivery_row_keeps_the_counts_for_a_later_view(clinic_id, inbox, client):
    per_type(clinic_id, 2)
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    row = deliveries()[demo_user("admin").email]
    assert len(row.items) == 15  # 17 items, two groups cut from 3 to 2
    totals = {item["type"]: item["type_total"] for item in row.items}
    assert totals == {kind: total for kind, total, _ in ADMIN_GROUPS}
    per_type(clinic_id, 1)  # a later change does not rewrite what was sent
    digest, stored = digest_of_day(demo_user("admin"), FROZEN)
    assert stored is not None
    assert [(g.type, g.shown, g.count) for g in digest.groups] == [
        (kind, min(2, total), total) for kind, total, _ in ADMIN_GROUPS
    ]
    response = client.post(
        "/login", data={"email": demo_user("admin").email, "password": "demo-password"}
    )
    assert response.status_code == 302
    page = client.get(f"/digests/mine?date={FROZEN}").get_data(as_text=True)
    assert counts_in_html(page) == expected_counts(2, base="")


def test_a_resent_digest_says_what_the_first_attempt_stored(clinic_id, mail):
    per_type(clinic_id, 2)
    assert send_digests(clinic_id, FROZEN, now_utc=RUN_AT)["failed"] == 3  # no SMTP server
    per_type(clinic_id, 1)
    with smtp_server(mail["MAIL_PORT"]) as inbox:
        assert send_digests(clinic_id, FROZEN, now_utc=LATER)["sent"] == 3
    text, body = parts(inbox.of(demo_user("admin").email))
    assert counts_in_html(body) == expected_counts(2)
    assert "2 of 3 shown" in text and "1 of 3 shown" not in text


def test_the_next_days_digest_uses_the_new_setting(clinic_id, inbox):
    per_type(clinic_id, 1)
    digest, row = digest_of_day(demo_user("admin"), FROZEN)
    assert row is None
    assert [(g.shown, g.count) for g in digest.groups] == [
        (1, total) for _, total, _ in ADMIN_GROUPS
    ]
    assert db.session.scalar(sa.select(Clinic.digest_items_per_type)) == 1
