"""One rule set for what needs attention (domain/queues.py): the dashboard's queues, their
titles, the reminders page and the digest move together when the clinic changes its
thresholds, and the dashboard's "not covered" count is the week view's "not covered" badges."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from tests.web.test_dashboard import counts, demo_clinic, demo_today, sign_in_demo  # noqa: F401

SETTINGS = {
    "timezone": "America/New_York",
    "digest_hour": "6",
    "expiring_days": "30,14,7",
    "uncovered_days": "7",
    "appeal_days": "14",
    "upcoming_business_days": "2",
}


def _save_settings(client, **changes) -> None:
    response = client.post("/clinic", data={**SETTINGS, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)


def _card_title(home: str, name: str) -> str:
    found = re.search(rf'data-queue="{name}">\d+</span>\s*<span class="title">([^<]+)<', home)
    return html.unescape(found.group(1))


def _groups(page: str) -> dict[str, tuple[str, int]]:
    """(title, count) of each digest group on a page, by reminder type."""
    found = re.findall(
        r'<section class="digest-group" data-type="(\w+)">\s*<h2[^>]*>([^<]+) \((\d+)\)</h2>', page
    )
    return {kind: (html.unescape(title), int(n)) for kind, title, n in found}


def _attention(client) -> dict:
    home = client.get("/").get_data(as_text=True)
    shown = counts(client)
    reminders = _groups(client.get("/reminders").get_data(as_text=True))
    digest = _groups(client.get("/digests/mine").get_data(as_text=True))
    return {
        "uncovered": (_card_title(home, "uncovered_soon"), shown["uncovered_soon"]),
        "expiring": (_card_title(home, "expiring"), shown["expiring"]),
        "reminders": reminders,
        "digest": digest,
    }


def test_thresholds_move_queue_title_reminders_and_digest_together(client, demo_clinic):  # noqa: F811
    sign_in_demo(client)  # the admin: every queue, every reminder type in the digest
    before = _attention(client)
    assert before["uncovered"][0] == "Not covered in the next 7 days"
    assert before["expiring"][0] == "Expiring within 30 days"
    _save_settings(client, uncovered_days="14", expiring_days="20,7")
    after = _attention(client)
    assert after["uncovered"][0] == "Not covered in the next 14 days"
    assert after["expiring"][0] == "Expiring within 20 days"
    assert after["uncovered"][1] > before["uncovered"][1], "the demo books up to 16 days ahead"
    assert after["expiring"][1] < before["expiring"][1], "approvals end in 24 and 29 days"
    for state in (before, after):
        for kind, queue in (("INFUSION_UNCOVERED", "uncovered"), ("AUTH_EXPIRING", "expiring")):
            assert state["reminders"][kind] == state[queue], kind
            assert state["digest"][kind] == state[queue], kind


def _week_not_covered(client, start) -> list[int]:
    page = client.get(f"/schedule?view=week&start={start}").get_data(as_text=True)
    found = re.findall(r'<tr class="badge-row (\w*)">\s*<td><a href="/infusions/(\d+)"', page)
    return sorted(int(i) for badge, i in found if badge == "not_covered")


def _queue_ids(client, name: str) -> list[int]:
    page = client.get(f"/queues/{name}?per_page=200").get_data(as_text=True)
    return sorted(int(n) for n in re.findall(r'data-row-id="(\d+)"', page))


@pytest.mark.parametrize("days", [6, 13])
def test_the_dashboards_not_covered_are_the_week_views_not_covered(client, demo_clinic, days):  # noqa: F811
    """The window is today and the next `days` days: one week view (6) or two (13)."""
    sign_in_demo(client)
    _save_settings(client, uncovered_days=str(days))
    today = demo_today()
    weeks = _week_not_covered(client, today)
    if days == 13:
        weeks += _week_not_covered(client, today + timedelta(days=7))
    assert weeks, "the demo has bookings that are not covered"
    assert _queue_ids(client, "uncovered_soon") == sorted(weeks)
    assert counts(client)["uncovered_soon"] == len(weeks)
    reminders = _groups(client.get("/reminders").get_data(as_text=True))
    assert reminders["INFUSION_UNCOVERED"][1] == len(weeks)
