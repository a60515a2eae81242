"""No list stops silently (issue 10): the schedule's day or week shows every infusion booked in
it and says how many (it used to stop at 500), and the patient page shows the latest requests
with a link to all of them: the requests list filtered by the patient, the filter kept in the
pager and the status form. Statements per page do not grow with the rows."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from html import unescape

from priorauth.extensions import db
from priorauth.models import Infusion
from priorauth.web.patients import LATEST_REQUESTS
from tests import factories
from tests.api.builders import TODAY, iso
from tests.querycount import counting_queries
from tests.web.test_list_paging import link, make_patients, make_requests, showing, sign_in

DAY = TODAY + timedelta(days=1)


def _book_many(clinic, patient, count: int, day=DAY) -> None:
    """`count` booked infusions of the patient on `day`, a minute apart from 07:00."""
    start = datetime.combine(day, time(7, 0))
    db.session.add_all(
        Infusion(
            clinic_id=clinic.id,
            patient_id=patient.id,
            hcpcs_code="J1439",
            scheduled_at=start + timedelta(minutes=n),
            dose_mg=100,
            units_reserved=0,
        )
        for n in range(count)
    )
    db.session.commit()


def _infusion_rows(html: str) -> int:
    return html.count('<tr class="badge-row')


def _statements(client, path: str) -> int:
    db.session.expire_all()
    with counting_queries() as seen:
        assert client.get(path).status_code == 200
    return len(seen)


def test_a_day_of_the_schedule_shows_every_infusion_past_500_and_says_how_many(
    client, clinic, admin
):
    patient = make_patients(clinic, 1)[0]
    _book_many(clinic, patient, 3)
    sign_in(client, admin)
    few = _statements(client, f"/schedule?start={iso(DAY)}")
    _book_many(clinic, patient, 502)
    day = client.get(f"/schedule?start={iso(DAY)}").get_data(as_text=True)
    assert _infusion_rows(day) == 505
    assert '<caption class="muted">505 infusions</caption>' in day
    week = client.get(f"/schedule?view=week&start={iso(DAY)}").get_data(as_text=True)
    assert _infusion_rows(week) == 505 and ">505 infusions<" in week
    assert _statements(client, f"/schedule?start={iso(DAY)}") == few


def test_the_patient_page_shows_the_latest_requests_and_links_to_all_of_them(client, clinic, admin):
    patient, other = make_patients(clinic, 2)
    make_requests(clinic, patient, LATEST_REQUESTS + 20)
    make_requests(clinic, other, 3)
    sign_in(client, admin)
    html = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    section = html.split('id="requests"')[1].split("</section>")[0]
    assert len(re.findall(r'href="/authorizations/\d+"', section)) == LATEST_REQUESTS
    total = LATEST_REQUESTS + 20
    assert f"Showing the latest {LATEST_REQUESTS} of {total} requests" in section
    everything = re.search(r'<a href="([^"]+)">All (\d+) requests of this patient</a>', section)
    assert everything and everything.group(2) == str(total)
    assert unescape(everything.group(1)) == f"/authorizations?patient_id={patient.id}"
    listed = client.get(f"{everything.group(1)}&per_page=25").get_data(as_text=True)
    assert showing(listed) == f"Showing 1–25 of {total}"
    assert f"{total} requests of this patient, newest first" in listed
    following = link(listed, "next")
    assert f"patient_id={patient.id}" in following and "per_page=25" in following
    second = client.get(following).get_data(as_text=True)
    assert showing(second) == f"Showing 26–{total} of {total}"
    patients_shown = set(re.findall(r'href="/patients/(\d+)"', second.split("<table")[1]))
    assert patients_shown == {str(patient.id)}  # only this patient's requests
    # the status filter and the page size keep the patient
    hidden = f'<input type="hidden" name="patient_id" value="{patient.id}">'
    assert listed.count(hidden) == 2


def test_a_patient_with_few_requests_shows_them_all_without_the_link(client, clinic, admin):
    patient = make_patients(clinic, 1)[0]
    make_requests(clinic, patient, LATEST_REQUESTS)
    sign_in(client, admin)
    html = client.get(f"/patients/{patient.id}").get_data(as_text=True)
    section = html.split('id="requests"')[1].split("</section>")[0]
    assert len(re.findall(r'href="/authorizations/\d+"', section)) == LATEST_REQUESTS
    assert "requests of this patient" not in section and "Showing the latest" not in section


def test_the_requests_of_another_clinics_patient_are_not_found(client, clinic, admin):
    theirs = make_patients(factories.clinic("Elsewhere"), 1)[0]
    sign_in(client, admin)
    assert client.get(f"/authorizations?patient_id={theirs.id}").status_code == 404
    assert client.get("/authorizations?patient_id=abc").status_code == 200  # a bad link: all


def test_patient_page_and_filtered_list_statements_do_not_grow_with_requests(client, clinic, admin):
    patient = make_patients(clinic, 1)[0]
    make_requests(clinic, patient, 2)
    sign_in(client, admin)
    paths = (f"/patients/{patient.id}", f"/authorizations?patient_id={patient.id}&per_page=25")
    few = [_statements(client, path) for path in paths]
    make_requests(clinic, patient, 40)
    assert [_statements(client, path) for path in paths] == few
