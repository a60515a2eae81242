"""The spreadsheet import's use cases on a real database: all or nothing, valid rows only,
re-import, CSV and XLSX, remembered columns, unknown payers, the audit trail."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from priorauth.domain.sheet_columns import JobStatus
from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuditEvent, AuthorizationRequest, Coverage, Patient
from priorauth.services import sheet_import
from tests import sheet_files as files

TODAY = date(2026, 11, 30)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def checked_job(actor, content: bytes, name: str = "auths.csv"):
    job = sheet_import.upload(actor, actor.clinic_id, name, content)
    while job.status == JobStatus.CHECKING:
        sheet_import.check_step(actor.clinic_id, job.id, TODAY)
    db.session.commit()
    return job


def imported(actor, content: bytes, valid_only: bool = False, name: str = "auths.csv"):
    job = checked_job(actor, content, name)
    sheet_import.run(actor, actor.clinic_id, job.id, valid_only, TODAY)
    db.session.commit()
    return job


@pytest.fixture
def blue(clinic):
    return files.payer(clinic)


def test_a_clean_file_imports_every_row(front_desk, blue):
    rows = [files.row(1), files.row(2, Status="denied", **{"Auth number": ""}), files.row(3)]
    rows.append(
        files.row(
            1,
            **{"Requested start": "2027-01-04", "Requested end": "2027-03-01", "Auth number": "B1"},
        )
    )
    job = imported(front_desk, files.csv_bytes(rows))
    assert job.status == JobStatus.DONE and job.problems == []
    assert job.result["requests"] == 4 and job.result["patients"] == 3
    assert job.result["coverages"] == 3 and job.result["skipped"] == 0
    first = db.session.get(AuthorizationRequest, job.result["rows"][0]["request_id"])
    assert (first.status, first.units_requested, first.units_approved) == ("approved", 1500, 1500)
    assert first.approved_start == first.requested_start == date(2026, 1, 6)
    assert first.patient.first_name == "Ann" and first.coverage.member_id == "M1"
    assert first.units_booked == 0 and first.created_by_id == front_desk.id
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "imported").order_by(AuditEvent.id)
    ).all()
    kinds = [e.entity_type for e in events]
    assert kinds.count("authorization_requests") == 4 and kinds.count("patients") == 3
    assert kinds[-1] == "import_jobs" and events[-1].changes["requests"] == 4
    assert events[0].note == f"import #{job.id} auths.csv"


def test_a_file_with_bad_rows_imports_nothing_and_names_each_problem(front_desk, blue):
    rows = [
        files.row(1),
        files.row(2, **{"HCPCS code": "J9999", "Requested start": "13/45/2026"}),
        files.row(3, Status="maybe", **{"Dose (mg)": "lots"}),
        files.row(4, Payer="Nobody Health"),
    ]
    job = checked_job(front_desk, files.csv_bytes(rows))
    assert sorted(map(tuple, job.problems)) == sorted(
        [
            (3, "HCPCS code", "J9999 is not in the drug code catalog"),
            (3, "Requested start", "'13/45/2026' is not a date (MM/DD/YYYY, M/D/YY or YYYY-MM-DD)"),
            (4, "Dose (mg)", "'lots' is not a number"),
            (4, "Status", "'maybe' is not a status we know (approved, denied, pending, …)"),
            (5, "Payer", "no payer named 'Nobody Health'; pick one of the clinic's payers"),
        ]
    )
    assert job.result["unknown_payers"] == ["Nobody Health"]
    with pytest.raises(Conflict) as refused:
        sheet_import.run(front_desk, front_desk.clinic_id, job.id, False, TODAY)
    db.session.rollback()
    assert refused.value.code == "FILE_NOT_VALID"
    assert (
        "row 3, HCPCS code: J9999 is not in the drug code catalog" in refused.value.errors["file"]
    )
    assert count(AuthorizationRequest) == count(Patient) == count(Coverage) == 0


def test_valid_rows_only_imports_exactly_the_valid_ones(front_desk, blue):
    rows = [files.row(1), files.row(2, **{"Dose (mg)": "0"}), files.row(3)]
    job = imported(front_desk, files.csv_bytes(rows), valid_only=True)
    assert [r["outcome"] for r in job.result["rows"]] == ["created", "not imported", "created"]
    assert job.result["rows"][1]["reason"] == "Dose (mg): '0' must be a number greater than 0"
    assert job.result["not_imported"] == 1 and job.valid_only
    mrns = db.session.scalars(sa.select(Patient.mrn).order_by(Patient.mrn)).all()
    assert mrns == ["MRN-1", "MRN-3"] and count(AuthorizationRequest) == 2


def test_re_importing_the_same_file_creates_nothing_new(front_desk, blue):
    content = files.csv_bytes([files.row(1), files.row(2), files.row(2)])
    first = imported(front_desk, content)
    assert first.result["requests"] == 2 and first.result["skipped"] == 1
    assert first.result["rows"][2]["reason"] == "the same request as row 3"
    again = imported(front_desk, content)
    assert again.result["requests"] == again.result["patients"] == again.result["coverages"] == 0
    assert again.result["skipped"] == 3
    assert again.result["rows"][0]["reason"].startswith("already imported (request #")
    assert count(AuthorizationRequest) == 2 and count(Patient) == 2 and count(Coverage) == 2


def test_xlsx_with_date_cells_imports_like_csv(front_desk, blue):
    rows = [files.row(1, **{"Requested start": datetime(2026, 3, 2), "Dose (mg)": 750.0})]
    rows[0]["MRN"] = 4711.0  # a number cell: the MRN is "4711"
    job = imported(front_desk, files.xlsx_bytes(rows), name="auths.xlsx")
    request = db.session.get(AuthorizationRequest, job.result["rows"][0]["request_id"])
    assert request.requested_start == date(2026, 3, 2) and request.patient.mrn == "4711"


def test_existing_patients_and_plans_are_matched_not_created(front_desk, blue):
    imported(front_desk, files.csv_bytes([files.row(1)]))
    later = files.row(1, **{"Requested start": "2026-06-01", "Requested end": "2026-07-01"})
    later.update({"First name": "", "Last name": "", "Date of birth": "", "Member ID": ""})
    job = imported(front_desk, files.csv_bytes([later]))
    assert job.result == job.result | {"requests": 1, "patients": 0, "coverages": 0}


def test_a_new_patient_needs_names_birth_date_and_member_id(front_desk, blue):
    bare = files.row(1, **{"Last name": "", "Member ID": ""})
    job = checked_job(front_desk, files.csv_bytes([bare, files.row(1, **{"Auth number": "B"})]))
    assert job.problems == [
        [2, "Last name", "is empty; MRN MRN-1 is a new patient and needs it"],
        [2, "Member ID", "is empty; MRN MRN-1 has no plan with this payer yet"],
    ]


def test_an_unknown_payer_name_is_mapped_onto_a_payer(front_desk, blue):
    job = checked_job(front_desk, files.csv_bytes([files.row(1, Payer="BCBS")]))
    assert job.result["unknown_payers"] == ["BCBS"]
    sheet_import.set_payers(front_desk, front_desk.clinic_id, job.id, {"BCBS": blue.id})
    assert job.status == JobStatus.CHECKING
    sheet_import.check_step(front_desk.clinic_id, job.id, TODAY)
    assert job.problems == [] and job.status == JobStatus.CHECKED
    sheet_import.run(front_desk, front_desk.clinic_id, job.id, False, TODAY)
    request = db.session.scalar(sa.select(AuthorizationRequest))
    assert request.coverage.payer_id == blue.id


def test_a_payer_of_another_clinic_cannot_be_picked(front_desk, blue):
    from tests import factories

    other = files.payer(factories.clinic(), "Elsewhere")
    job = checked_job(front_desk, files.csv_bytes([files.row(1, Payer="BCBS")]))
    with pytest.raises(NotFound):
        sheet_import.set_payers(front_desk, front_desk.clinic_id, job.id, {"BCBS": other.id})


def test_columns_are_chosen_once_and_remembered_for_the_clinic(front_desk, blue):
    theirs = {"Pt #": "MRN-1", "Insurance": "Blue Shield", "J code": "J1439", "Mg": "510"}
    theirs |= {"From": "1/2/26", "To": "3/2/26", "Auth status": "pending", "Comments": "x"}
    theirs |= {"First": "Ann", "Last": "Lee", "DOB": "1960-01-01", "Member": "M1"}
    job = sheet_import.upload(
        front_desk, front_desk.clinic_id, "theirs.csv", files.csv_bytes([theirs])
    )
    assert job.status == JobStatus.MAPPING
    assert job.mapping["columns"]["Insurance"] == "payer" and job.mapping["columns"]["Mg"] is None
    with pytest.raises(ValidationFailed) as refused:
        sheet_import.set_columns(front_desk, front_desk.clinic_id, job.id, {"Mg": "dose_mg"})
    assert "no column is chosen for MRN" in refused.value.errors["columns"]
    chosen = dict(job.mapping["columns"]) | {"Pt #": "mrn", "Mg": "dose_mg"}
    sheet_import.set_columns(front_desk, front_desk.clinic_id, job.id, chosen)
    db.session.commit()
    assert front_desk.clinic.import_columns["Pt #"] == "mrn"
    again = sheet_import.upload(
        front_desk, front_desk.clinic_id, "next.csv", files.csv_bytes([theirs])
    )
    assert again.status == JobStatus.CHECKING and again.mapping["columns"]["Mg"] == "dose_mg"


def test_an_imported_job_cannot_be_run_or_changed_again(front_desk, blue):
    job = imported(front_desk, files.csv_bytes([files.row(1)]))
    for change in (
        lambda: sheet_import.run(front_desk, front_desk.clinic_id, job.id, False, TODAY),
        lambda: sheet_import.set_payers(front_desk, front_desk.clinic_id, job.id, {}),
    ):
        with pytest.raises(Conflict) as refused:
            change()
        assert refused.value.code == "DONE"
    assert sheet_import.check_step(front_desk.clinic_id, job.id, TODAY).status == JobStatus.DONE


def test_an_unchecked_job_cannot_be_run(front_desk, blue):
    job = sheet_import.upload(
        front_desk, front_desk.clinic_id, "a.csv", files.csv_bytes([files.row(1)])
    )
    with pytest.raises(Conflict) as refused:
        sheet_import.run(front_desk, front_desk.clinic_id, job.id, False, TODAY)
    assert refused.value.code == "NOT_CHECKED"


def test_a_large_file_is_checked_a_step_at_a_time(front_desk, blue, monkeypatch):
    monkeypatch.setattr(sheet_import, "STEP_ROWS", 2)
    job = sheet_import.upload(
        front_desk, front_desk.clinic_id, "a.csv", files.csv_bytes([files.row(n) for n in range(5)])
    )
    seen = []
    while job.status == JobStatus.CHECKING:
        seen.append(sheet_import.check_step(front_desk.clinic_id, job.id, TODAY).processed_rows)
    assert seen == [2, 4, 5] and job.result["check"]["valid"] == 5


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty; its first row must be the headers"),
        (b"MRN,MRN\n1,2\n", "two columns have the same header"),
        (b"PK\x03\x04not a zip", "the file is not an XLSX workbook we can read"),
        (b"\x00\x01\x02", "the file is neither CSV nor XLSX"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(front_desk, content, message):
    with pytest.raises(ValidationFailed) as refused:
        sheet_import.upload(front_desk, front_desk.clinic_id, "x.csv", content)
    assert refused.value.errors == {"file": [message]}


def test_blank_rows_are_left_out_and_windows_encoded_csv_is_read(front_desk, blue):
    content = files.csv_bytes([files.row(1, **{"Last name": "Muñoz"})]) + b",,,,\r\n\r\n"
    job = imported(front_desk, content.decode().encode("cp1252"))
    assert job.total_rows == 1 and db.session.scalar(sa.select(Patient.last_name)) == "Muñoz"


def test_a_file_over_the_row_limit_is_refused(front_desk, monkeypatch):
    from priorauth.services import sheet_file

    monkeypatch.setattr(sheet_file, "MAX_ROWS", 2)
    with pytest.raises(ValidationFailed) as refused:
        sheet_file.read_table(files.csv_bytes([files.row(n) for n in range(3)]))
    assert refused.value.errors == {"file": ["the file has more than 2 rows"]}


def test_a_payer_picked_by_an_id_of_another_clinic_stays_unknown(front_desk, blue):
    from priorauth.services.sheet_check import known_payers
    from tests import factories

    other = files.payer(factories.clinic(), "Elsewhere")
    payers = known_payers(front_desk.clinic_id, {"BCBS": other.id, "Blue": blue.id})
    assert payers == {"blue shield": (blue.id, 180), "blue": (blue.id, 180)}


def test_imported_requests_get_their_attention_facts_in_the_same_transaction(front_desk, blue):
    rows = [
        files.row(1, Status="draft", **{"Auth number": ""}),
        files.row(2, Status="pending", **{"Submitted on": "11/20/2026", "Auth number": ""}),
    ]
    job = imported(front_desk, files.csv_bytes(rows))
    draft, waiting = (
        db.session.get(AuthorizationRequest, r["request_id"]) for r in job.result["rows"]
    )
    assert draft.status == "draft" and draft.evidence_checked_on is not None
    assert draft.evidence_ready is False and draft.evidence_to_fix_count > 0
    assert waiting.status == "submitted" and waiting.submitted_at == datetime(2026, 11, 20, 12)
    assert waiting.answer_due_at == datetime(2026, 12, 5, 12)
