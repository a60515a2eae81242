"""Units left, defined once (docs/domain.md §9), read the same on every surface; an override
booking past the units shows as a deficit (§6)."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.api import builders as b
from tests.api.builders import TODAY
from tests.api.test_infusions import administer, book
from tests.web.auth_helpers import sign_in


def reminders_on(api, auth_id: int, kind: str) -> list[str]:
    body = api.get("/api/v1/reminders").get_json()
    return [r["message"] for r in body if r["type"] == kind and r["authorization_id"] == auth_id]


def list_row(html: str, auth_id: int) -> str:
    """The request's row of the requests list."""
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)
    return next(r for r in rows if f">#{auth_id}</a>" in r)


def test_the_same_units_left_on_the_list_page_api_reminders_and_digest(client, api, admin):
    """500 approved, 100 given, 200 booked: 200 left everywhere (400 are not yet used)."""
    patient, auth = b.approved_auth(api, units=500, end=TODAY + timedelta(days=20))
    administer(api, book(api, patient["id"], days=0)["id"])
    book(api, patient["id"], days=3)
    book(api, patient["id"], days=6)

    body = api.get(f"/api/v1/authorizations/{auth['id']}").get_json()
    assert (body["units_given"], body["units_booked"]) == (100, 200)
    assert (body["units_left"], body["units_not_yet_used"]) == (200, 400)

    assert sign_in(client, admin.email).status_code == 302
    row = list_row(client.get("/authorizations").get_data(as_text=True), auth["id"])
    assert "<td>200</td>" in row and "400" not in row

    page = client.get(f"/authorizations/{auth['id']}").get_data(as_text=True)
    assert "100 given, 200 booked, 200 left" in page

    (expiring,) = reminders_on(api, auth["id"], "AUTH_EXPIRING")
    assert "200 units left" in expiring and "400" not in expiring

    digest = client.get("/digests/mine").get_data(as_text=True)
    assert f"authorization #{auth['id']}" in digest
    assert "200 units left" in digest and "400 units left" not in digest


def test_an_override_booking_past_the_units_is_a_deficit_everywhere(client, api, admin):
    """100 approved and booked; an override books 100 more on the same approval."""
    patient, auth = b.approved_auth(api, units=100)
    book(api, patient["id"], days=1)
    refused = book(api, patient["id"], days=10, expect=409)
    assert [r["code"] for r in refused["reasons"]] == ["UNITS_EXHAUSTED"]
    forced = book(api, patient["id"], days=10, override_reason="payer approved more by phone")
    assert forced["authorization_id"] == auth["id"]

    body = api.get(f"/api/v1/authorizations/{auth['id']}").get_json()
    assert (body["units_booked"], body["units_left"]) == (200, -100)

    (low,) = reminders_on(api, auth["id"], "UNITS_LOW")
    assert "2 booked infusions need 200 units but 100 are not yet used: 100 short" in low
    assert "(-100 units left)" in low

    runway = api.get(f"/api/v1/patients/{patient['id']}/runway").get_json()
    first = runway["first_uncovered"]
    assert first["infusion_id"] == forced["id"]
    assert first["units_short"] == 100
    assert [r["code"] for r in first["reasons"]] == ["UNITS_EXHAUSTED"]

    assert sign_in(client, admin.email).status_code == 302
    patient_page = client.get(f"/patients/{patient['id']}").get_data(as_text=True)
    assert "It is 100 units short." in patient_page
    assert '<strong class="deficit">100 short</strong>' in patient_page
    queue = client.get("/queues/units_low").get_data(as_text=True)
    assert f"/authorizations/{auth['id']}" in queue
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'href="/queues/units_low"', home)


def test_an_override_outside_every_approval_draws_on_none(api):
    """After the approval ends there is nothing to draw on: the booking keeps no approval."""
    patient, auth = b.approved_auth(api, units=500, end=TODAY + timedelta(days=20))
    late = book(api, patient["id"], days=30, override_reason="renewal requested")
    assert late["authorization_id"] is None
    body = api.get(f"/api/v1/authorizations/{auth['id']}").get_json()
    assert (body["units_booked"], body["units_left"]) == (0, 500)


def test_rescheduling_an_override_keeps_the_approval_it_draws_on(api):
    patient, auth = b.approved_auth(api, units=100)
    book(api, patient["id"], days=1)
    forced = book(api, patient["id"], days=10, override_reason="squeezed in")
    moved = api.patch(
        f"/api/v1/infusions/{forced['id']}",
        json={"scheduled_at": f"{(TODAY + timedelta(days=12)).isoformat()}T10:00:00",
              "override_reason": "still squeezed in"},
    )  # fmt: skip
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["authorization_id"] == auth["id"]
