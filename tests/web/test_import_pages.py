"""The spreadsheet import pages: upload, columns, progress steps (JSON and form), payers,
import all or the valid rows only, the result; who may use them."""

from __future__ import annotations

import io

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, ImportJob
from priorauth.services import sheet_import
from tests import factories
from tests import sheet_files as files
from tests.web.auth_helpers import sign_in


def signed_in(client, user):
    assert sign_in(client, user.email).status_code == 302
    return client


def upload(client, content: bytes, name: str = "auths.csv"):
    return client.post(
        "/imports", data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def job_of(response) -> ImportJob:
    job_id = int(response.headers["Location"].split("/imports/")[1].split("/")[0])
    db.session.expire_all()
    return db.session.get(ImportJob, job_id)


def test_upload_check_with_progress_and_import_all(client, front_desk):
    files.payer(front_desk.clinic)
    signed_in(client, front_desk)
    assert (
        '<a class="button" href="/imports">Import a spreadsheet</a>'
        in client.get("/authorizations").text
    )
    assert "Import a spreadsheet of authorizations" in client.get("/imports").text
    job = job_of(upload(client, files.csv_bytes([files.row(1), files.row(2)])))
    page = client.get(f"/imports/{job.id}").text
    assert 'data-check-url="/imports/' in page and "imports.js" in page
    assert client.get(f"/imports/{job.id}/progress").json["status"] == "checking"
    step = client.post(f"/imports/{job.id}/check", headers={"Accept": "application/json"})
    assert step.json == {"status": "checked", "processed_rows": 2, "total_rows": 2, "problems": 0}
    assert "Import all 2 rows" in client.get(f"/imports/{job.id}").text
    done = client.post(f"/imports/{job.id}/run", data={"valid_only": "0"}, follow_redirects=True)
    assert "Imported 2 requests from auths.csv." in done.text
    assert "Created 2 requests, 2 patients and 2 coverages" in done.text
    assert "auths.csv" in client.get("/imports").text


def test_bad_rows_are_shown_by_row_and_column_and_only_valid_ones_imported(client, front_desk):
    files.payer(front_desk.clinic)
    signed_in(client, front_desk)
    rows = [files.row(1), files.row(2, Payer="BCBS"), files.row(3, Status="maybe")]
    job = job_of(upload(client, files.csv_bytes(rows)))
    assert client.post(f"/imports/{job.id}/check").status_code == 302
    page = client.get(f"/imports/{job.id}").text
    assert "<td>4</td><td>Status</td><td>&#39;maybe&#39; is not a status we know" in page
    assert "“BCBS” is" in page and "Import the 1 valid rows only" in page
    refused = client.post(f"/imports/{job.id}/run", data={"valid_only": "0"}, follow_redirects=True)
    assert "2 problems in the file: nothing was imported" in refused.text
    assert db.session.scalar(sa.select(sa.func.count(AuthorizationRequest.id))) == 0
    blue = db.session.scalar(sa.select(files.Payer.id))
    client.post(f"/imports/{job.id}/payers", data={"payer-0": str(blue)})
    client.post(f"/imports/{job.id}/check")
    done = client.post(f"/imports/{job.id}/run", data={"valid_only": "1"}, follow_redirects=True)
    assert "Created 2 requests" in done.text and "not imported 1" in done.text
    again = client.post(f"/imports/{job.id}/payers", data={}, follow_redirects=True)
    assert "This file is already imported; upload it again to re-import." in again.text


def test_other_headers_go_through_the_columns_page(client, front_desk):
    files.payer(front_desk.clinic)
    signed_in(client, front_desk)
    theirs = files.row(1)
    theirs["Mg"] = theirs.pop("Dose (mg)")
    response = upload(client, files.csv_bytes([theirs]))
    assert response.headers["Location"].endswith("/columns")
    job = job_of(response)
    page = client.get(f"/imports/{job.id}/columns").text
    assert '<label for="column-12">Mg</label>' in page
    assert "Choose the columns" in client.get(f"/imports/{job.id}").text
    refused = client.post(f"/imports/{job.id}/columns", data={"column-0": "mrn"})
    assert refused.status_code == 422 and "Columns: No column is chosen for Payer." in refused.text
    chosen = {f"column-{i}": f or "" for i, f in enumerate(job.mapping["columns"].values())}
    chosen["column-12"] = "dose_mg"
    assert client.post(f"/imports/{job.id}/columns", data=chosen).status_code == 302
    db.session.expire_all()
    assert front_desk.clinic.import_columns["Mg"] == "dose_mg"


def test_a_bad_or_missing_file_is_refused_beside_the_field(client, front_desk):
    signed_in(client, front_desk)
    missing = client.post("/imports", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422 and "Choose a CSV or XLSX file." in missing.text
    bad = upload(client, b"")
    assert bad.status_code == 422 and "the file is empty" in bad.text


def test_only_front_desk_and_admins_import_and_only_their_clinic(client, front_desk):
    other = factories.user(factories.clinic(), "front_desk")
    files.payer(front_desk.clinic)
    job = sheet_import.upload(
        front_desk, front_desk.clinic_id, "a.csv", files.csv_bytes([files.row(1)])
    )
    db.session.commit()
    signed_in(client, other)
    assert client.get(f"/imports/{job.id}").status_code == 404
    assert client.post(f"/imports/{job.id}/check").status_code == 404
    scheduler = factories.user(front_desk.clinic, "scheduler")
    fresh = client.application.test_client()
    signed_in(fresh, scheduler)
    assert fresh.get("/imports").status_code == 403


def test_an_import_is_findable_on_the_audit_page(client, admin):
    files.payer(admin.clinic)
    signed_in(client, admin)
    job = job_of(upload(client, files.csv_bytes([files.row(1)])))
    client.post(f"/imports/{job.id}/check")
    client.post(f"/imports/{job.id}/run", data={"valid_only": "0"})
    page = client.get("/audit").text
    assert f'<a href="/imports/{job.id}">Spreadsheet import #{job.id}</a>' in page
    assert "Imported: requests, patients, coverages, skipped, not imported" in page
    assert "Imported: as approved" in page


def test_the_columns_of_an_imported_file_cannot_change(client, front_desk):
    files.payer(front_desk.clinic)
    signed_in(client, front_desk)
    job = job_of(upload(client, files.csv_bytes([files.row(1)])))
    client.post(f"/imports/{job.id}/check")
    client.post(f"/imports/{job.id}/run", data={"valid_only": "1"})
    refused = client.post(f"/imports/{job.id}/columns", data={"column-0": "mrn"})
    assert refused.status_code == 409
    assert "This file is already imported; upload it again to re-import." in refused.text
    assert refused.text.count("<title>Error: ") == 1


def test_a_payer_of_another_clinic_is_refused_in_words(client, front_desk):
    files.payer(front_desk.clinic)
    theirs = files.payer(factories.clinic(), "Elsewhere")
    signed_in(client, front_desk)
    job = job_of(upload(client, files.csv_bytes([files.row(1, Payer="BCBS")])))
    client.post(f"/imports/{job.id}/check")
    page = client.post(
        f"/imports/{job.id}/payers", data={"payer-0": str(theirs.id)}, follow_redirects=True
    )
    assert f"There is no payer {theirs.id} in this clinic: choose one from the list" in page.text
