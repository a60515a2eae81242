"""Choosing a patient: the new-request and coverage-check forms choose nobody for the user;
the patient is found by MRN, name or member ID (the text is POSTed, never in a URL), and
links can name the patient (and the drug) by id: /authorizations/new?patient_id=&hcpcs_code=.
The search page finds member IDs and shows each patient's open requests."""

from __future__ import annotations

import re

from tests import factories
from tests.web.test_list_paging import make_patients, make_requests, sign_in


def choices(html: str) -> list[str]:
    """The patient ids a picker offers (links or radio buttons)."""
    return re.findall(r'data-patient-id="(\d+)"|name="patient_id" value="(\d+)" id="pick', html)


def test_the_new_request_form_chooses_nobody_and_finds_by_mrn_name_or_member_id(
    client, clinic, admin
):
    patients = make_patients(clinic, 3)
    sign_in(client, admin)
    empty = client.get("/authorizations/new").get_data(as_text=True)
    assert 'name="patient_q"' in empty and 'method="post"' in empty
    assert 'name="patient_id"' not in empty and "selected" not in empty
    for text in ("PG-0001", "pat0001", "Paged, Pat0001", "mem-0001"):
        html = client.post("/authorizations/new", data={"patient_q": text}).get_data(as_text=True)
        assert f'href="/authorizations/new?patient_id={patients[1].id}"' in html, text
        assert f"patient_id={patients[0].id}" not in html, text
    several = client.post("/authorizations/new", data={"patient_q": "paged"})
    assert several.get_data(as_text=True).count('<tr data-patient-id="') == 3
    nobody = client.post("/authorizations/new", data={"patient_q": "zzz"})
    assert "No patient’s MRN, name or member ID contains “zzz”" in nobody.get_data(as_text=True)
    blank = client.post("/authorizations/new", data={"patient_q": " "})
    assert blank.status_code == 422 and 'id="f-patient_q-error"' in blank.get_data(as_text=True)


def test_a_link_prefills_the_patient_and_the_drug(client, clinic, admin):
    patient = make_patients(clinic, 2)[1]
    sign_in(client, admin)
    html = client.get(f"/authorizations/new?patient_id={patient.id}&hcpcs_code=j1439").get_data(
        as_text=True
    )
    assert f'<input type="hidden" name="patient_id" value="{patient.id}">' in html
    assert '<option value="J1439" selected>' in html
    # the patient's only coverage is chosen too
    assert f'<option value="{patient.coverages[0].id}" selected>' in html
    unknown = client.get(f"/authorizations/new?patient_id={patient.id}&hcpcs_code=X9999")
    assert unknown.status_code == 200 and " selected>J" not in unknown.get_data(as_text=True)
    # the code survives the search step
    found = client.post("/authorizations/new", data={"patient_q": "pat0001", "hcpcs_code": "J1439"})
    assert f"patient_id={patient.id}&amp;hcpcs_code=J1439" in found.get_data(as_text=True)


def test_another_clinics_patient_is_not_found_by_id_or_by_search(client, clinic, admin):
    other = factories.clinic()
    stranger = make_patients(other, 1, start=500)[0]
    sign_in(client, admin)
    assert client.get(f"/authorizations/new?patient_id={stranger.id}").status_code == 404
    html = client.post("/authorizations/new", data={"patient_q": "PG-0500"}).get_data(as_text=True)
    assert "data-patient-id" not in html


def test_coverage_check_chooses_nobody_and_lists_several_matches(client, clinic, admin):
    patients = make_patients(clinic, 3)
    sign_in(client, admin)
    empty = client.get("/schedule/coverage-check").get_data(as_text=True)
    assert 'name="patient_id"' not in empty and "Patient: MRN, name or member ID" in empty
    body = {"hcpcs_code": "J1439", "service_date": "2026-06-01", "dose_mg": "750"}
    several = client.post("/schedule/coverage-check", data={**body, "mrn": "paged"})
    html = several.get_data(as_text=True)
    assert several.status_code == 200 and "Choose the patient (3 match)" in html
    assert html.count('type="radio" name="patient_id"') == 3 and " checked" not in html
    assert "<dt>Covered</dt>" not in html
    # choosing one answers for that patient; the box then holds its MRN
    chosen = client.post(
        "/schedule/coverage-check", data={**body, "mrn": "paged", "patient_id": patients[2].id}
    ).get_data(as_text=True)
    assert "<dt>Covered</dt>" in chosen and "Coverage for PG-0002" in chosen
    assert 'name="mrn" type="search" value="PG-0002"' in chosen
    # one match by member ID or name answers at once
    for text in ("MEM-0001", "pat0001"):
        one = client.post("/schedule/coverage-check", data={**body, "mrn": text})
        assert "Coverage for PG-0001" in one.get_data(as_text=True), text
    nobody = client.post("/schedule/coverage-check", data={**body, "mrn": "zzz"})
    assert nobody.status_code == 422
    words = nobody.get_data(as_text=True).lower()
    assert "no patient with mrn zzz, nor a name or member id like it" in words


def test_a_coverage_check_link_prefills_the_patient(client, clinic, admin):
    patient = make_patients(clinic, 2)[1]
    sign_in(client, admin)
    html = client.get(
        f"/schedule/coverage-check?patient_id={patient.id}&hcpcs_code=J1439&dose_mg=750"
    ).get_data(as_text=True)
    assert 'name="mrn" type="search" value="PG-0001"' in html
    assert '<option value="J1439" selected>' in html and 'value="750"' in html


def test_search_by_member_id_finds_the_patient_and_their_open_requests(client, clinic, admin):
    patients = make_patients(clinic, 2)
    make_requests(clinic, patients[1], 2, status="submitted")
    make_requests(clinic, patients[1], 1, status="cancelled")
    make_requests(clinic, patients[0], 1, status="draft")
    sign_in(client, admin)
    html = client.post("/search", data={"q": "mem-0001"}).get_data(as_text=True)
    assert re.findall(r'<tr data-patient-id="(\d+)"', html) == [str(patients[1].id)]
    row = html.split(f'<tr data-patient-id="{patients[1].id}">', 1)[1].split("</tr>", 1)[0]
    assert "MEM-0001" in row
    assert len(re.findall(r'href="/authorizations/\d+">#\d+</a> J1439', row)) == 2
    assert "cancelled" not in row
