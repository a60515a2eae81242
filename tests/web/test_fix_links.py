"""Every reason an infusion is not covered links to what fixes it, on the coverage answer and
on the runway (docs/domain.md §6)."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_infusions import book
from tests.web.auth_helpers import sign_in


def reasons_with_links(page: str) -> list[tuple[str, str | None]]:
    """(reason code, href of its fix link or None) for each reason shown on the page."""
    found = re.findall(r'<(?:li|div) title="([A-Z_]+)">(.*?)</(?:li|div)>', page, flags=re.S)
    links = []
    for code, body in found:
        href = re.search(r'<a class="fix" href="([^"]+)"', body)
        links.append((code, html_lib.unescape(href.group(1)) if href else None))
    return links


def runway_links(client, patient_id: int) -> dict[str, str | None]:
    page = client.get(f"/patients/{patient_id}").get_data(as_text=True)
    section = page.split('aria-labelledby="runway-h"', 1)[1]
    return dict(reasons_with_links(section))


def at(days: int) -> str:
    return iso(TODAY + timedelta(days=days))


def check_page(client, patient_id: int, days: int = 5, dose: str = "100") -> str:
    form = {
        "patient_id": str(patient_id),
        "hcpcs_code": "J1439",
        "service_date": at(days),
        "dose_mg": dose,
    }
    response = client.post("/schedule/coverage-check", data=form)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_no_authorization_on_the_check_links_to_a_new_request_for_the_patient_and_code(
    client, api, admin
):
    payer = b.payer(api, name="Payer N")
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api, mrn="MRN-N")
    b.coverage(api, patient["id"], payer["id"])
    assert sign_in(client, admin.email).status_code == 302
    links = dict(reasons_with_links(check_page(client, patient["id"])))
    href = links["NO_AUTHORIZATION"]
    assert href == f"/authorizations/new?patient_id={patient['id']}&hcpcs_code=J1439"
    assert client.get(href).status_code == 200


def test_a_pending_request_on_the_check_links_to_that_request(client, api, admin):
    payer = b.payer(api, name="Payer P")
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api, mrn="MRN-P")
    cov = b.coverage(api, patient["id"], payer["id"])
    auth = b.request(api, patient["id"], cov["id"])
    b.move(api, auth["id"], to="submitted", channel="portal", override_reason="test setup")
    assert sign_in(client, admin.email).status_code == 302
    links = dict(reasons_with_links(check_page(client, patient["id"])))
    assert links == {"AUTH_PENDING": f"/authorizations/{auth['id']}"}


def test_a_dose_over_the_limit_on_the_check_asks_again(client, api, admin):
    patient, _ = b.approved_auth(api, policy_fields={"max_mg_per_dose": "150"})
    assert sign_in(client, admin.email).status_code == 302
    links = dict(reasons_with_links(check_page(client, patient["id"], dose="200")))
    href = links["DOSE_EXCEEDS_LIMIT"]
    assert href.startswith("/schedule/coverage-check?")
    assert f"patient_id={patient['id']}" in href


def test_used_up_and_expired_approvals_on_the_runway_link_to_their_renewal(client, api, admin):
    patient, auth = b.approved_auth(api, units=100, end=TODAY + timedelta(days=20))
    book(api, patient["id"], days=1)
    short = book(api, patient["id"], days=5, override_reason="payer called")
    late = book(api, patient["id"], days=30, override_reason="renewal requested")
    assert sign_in(client, admin.email).status_code == 302
    renew = f"/authorizations/{auth['id']}/renew"
    assert runway_links(client, patient["id"]) == {"UNITS_EXHAUSTED": renew, "AUTH_EXPIRED": renew}
    assert client.get(renew).status_code == 200
    infusion_page = client.get(f"/infusions/{short['id']}").get_data(as_text=True)
    assert ("UNITS_EXHAUSTED", renew) in reasons_with_links(infusion_page)
    late_page = client.get(f"/infusions/{late['id']}").get_data(as_text=True)
    assert ("AUTH_EXPIRED", renew) in reasons_with_links(late_page)


def test_too_soon_moves_the_booking_to_the_first_day_far_enough(client, api, admin):
    patient, _ = b.approved_auth(api, policy_fields={"min_days_between_doses": 7})
    book(api, patient["id"], days=1)
    soon = book(api, patient["id"], days=3, override_reason="patient travels")
    assert sign_in(client, admin.email).status_code == 302
    href = runway_links(client, patient["id"])["TOO_SOON"]
    assert href == f"/infusions/{soon['id']}?scheduled_at={at(8)}T10:00#reschedule"
    form = client.get(href.split("#")[0]).get_data(as_text=True)
    assert re.search(rf'name="scheduled_at"[^>]*value="{at(8)}T10:00"', form)


def test_an_approval_not_yet_active_moves_the_booking_to_its_first_day(client, api, admin):
    patient, _ = b.approved_auth(api, start=TODAY + timedelta(days=10))
    early = book(api, patient["id"], days=2, override_reason="clinic day")
    assert sign_in(client, admin.email).status_code == 302
    href = runway_links(client, patient["id"])["AUTH_NOT_YET_ACTIVE"]
    assert href == f"/infusions/{early['id']}?scheduled_at={at(10)}T10:00#reschedule"


def test_insurance_found_inactive_links_to_the_reverification_form(client, api, admin):
    patient, _ = b.approved_auth(api)
    infusion = book(api, patient["id"], days=2)
    checked = api.post(
        f"/api/v1/infusions/{infusion['id']}/eligibility",
        json={"method": "portal", "result": "inactive"},
    )
    assert checked.status_code == 201
    assert sign_in(client, admin.email).status_code == 302
    href = runway_links(client, patient["id"])["COVERAGE_INACTIVE"]
    assert href == f"/infusions/{infusion['id']}#eligibility"
    page = client.get(href.split("#")[0]).get_data(as_text=True)
    assert 'id="eligibility"' in page


def test_a_dose_over_the_limit_on_the_runway_opens_the_reschedule_form(client, api, admin):
    patient, _ = b.approved_auth(api, policy_fields={"max_mg_per_dose": "150"})
    big = book(api, patient["id"], days=2, dose="200", override_reason="physician order")
    assert sign_in(client, admin.email).status_code == 302
    href = runway_links(client, patient["id"])["DOSE_EXCEEDS_LIMIT"]
    assert href == f"/infusions/{big['id']}#reschedule"


def test_every_uncovered_reason_on_the_runway_has_its_link(client, api, admin):
    """A crowded booking: every reason shown has a fix link."""
    patient, _ = b.approved_auth(
        api,
        units=100,
        end=TODAY + timedelta(days=20),
        policy_fields={"max_mg_per_dose": "150", "min_days_between_doses": 7},
    )
    book(api, patient["id"], days=1)
    book(api, patient["id"], days=3, dose="200", override_reason="everything at once")
    book(api, patient["id"], days=30, override_reason="after the end")
    assert sign_in(client, admin.email).status_code == 302
    page = client.get(f"/patients/{patient['id']}").get_data(as_text=True)
    section = page.split('aria-labelledby="runway-h"', 1)[1].split("</section>", 1)[0]
    shown = reasons_with_links(section)
    codes = {code for code, _ in shown}
    assert {"UNITS_EXHAUSTED", "DOSE_EXCEEDS_LIMIT", "TOO_SOON", "AUTH_EXPIRED"} <= codes
    assert all(href for _, href in shown), shown


def test_ended_insurance_on_the_check_links_to_the_patients_insurance(client, api, admin):
    payer = b.payer(api, name="Payer E")
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api, mrn="MRN-E")
    b.coverage(api, patient["id"], payer["id"], end_date=at(2))
    assert sign_in(client, admin.email).status_code == 302
    links = dict(reasons_with_links(check_page(client, patient["id"], days=5)))
    assert links["COVERAGE_INACTIVE"] == f"/patients/{patient['id']}#coverages"


def test_an_approval_not_yet_active_on_the_check_asks_again_for_its_first_day(client, api, admin):
    patient, _ = b.approved_auth(api, start=TODAY + timedelta(days=10))
    assert sign_in(client, admin.email).status_code == 302
    page = check_page(client, patient["id"], days=5)
    href = dict(reasons_with_links(page))["AUTH_NOT_YET_ACTIVE"]
    assert href == (
        f"/schedule/coverage-check?patient_id={patient['id']}&hcpcs_code=J1439"
        f"&service_date={at(10)}&dose_mg=100"
    )
    assert f"Check {at(10)} instead" in page
    again = client.get(href).get_data(as_text=True)
    assert re.search(rf'name="service_date"[^>]*value="{at(10)}"', again)


def test_a_drug_that_needs_no_pa_says_so_on_the_check_with_nothing_to_fix(client, api, admin):
    payer = b.payer(api, name="Payer P")
    b.policy(api, payer["id"], "J1439", pa_required=False)
    patient = b.patient(api, mrn="MRN-P")
    b.coverage(api, patient["id"], payer["id"])
    assert sign_in(client, admin.email).status_code == 302
    assert reasons_with_links(check_page(client, patient["id"])) == [("PA_NOT_REQUIRED", None)]
