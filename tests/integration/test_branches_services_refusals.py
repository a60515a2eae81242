"""Service refusals and edge cases the pages and the API do not reach: each names the field or
the thing refused, and changes nothing."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import AuditEvent, DrugCode, User
from priorauth.queries import reminders, runway
from priorauth.queries.dashboard import ClinicQueues
from priorauth.services import (
    accounts,
    backup,
    password_links,
    reference,
    staff,
    tokens,
)
from priorauth.services import coverage_check as schedule
from priorauth.services.backup import BackupError
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso


def _events() -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("new@example.test", "owner", "role"), ("not-an-address", "billing", "email")],
)
def test_create_user_refusals_name_the_field(clinic, email, role, field):
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_user(clinic, email, "New Person", role)
    assert list(refused.value.errors) == [field]
    assert db.session.scalar(sa.select(User.id).where(User.email == email)) is None


def test_an_unknown_work_queue_is_not_found(clinic):
    with pytest.raises(NotFound, match="no work queue named overdue_lunch"):
        ClinicQueues(clinic, datetime.combine(TODAY, datetime.min.time())).rows("overdue_lunch")


def test_an_operator_naming_a_missing_user_is_told_the_id(clinic):
    with pytest.raises(NotFound) as refused:
        staff.member(None, 424242)
    assert refused.value.errors == {"id": ["no user with id 424242"]}


def test_a_token_is_not_issued_to_a_deactivated_user(admin, clinic):
    other = factories.user(clinic, "billing")
    staff.deactivate(admin, other.id)
    before = _events()
    with pytest.raises(Conflict, match="is deactivated; reactivate them first"):
        tokens.issue(other, label="laptop", actor=admin)
    assert _events() == before and tokens.tokens_of(other) == []


def test_find_patient_without_mrn_or_pick_asks_for_the_mrn(clinic):
    with pytest.raises(ValidationFailed) as refused:
        schedule.find_patient(clinic.id, None, "")
    assert refused.value.errors == {"mrn": ["type the patient's MRN or pick the patient"]}


def test_a_link_purpose_other_than_reset_or_invite_is_a_programming_error(admin):
    with pytest.raises(ValueError, match="unknown password link purpose 'unlock'"):
        password_links.make_token(admin, "unlock")


def test_a_signed_link_without_a_user_id_opens_nothing(admin):
    signed = password_links._serializer("reset").dumps({"user": "1", "state": "x"})
    assert password_links.user_for_token(signed, "reset") is None
    assert (
        password_links.user_for_token(password_links._serializer("reset").dumps([1]), "reset")
        is None
    )


def test_a_deactivated_users_reset_link_opens_nothing(admin, clinic):
    other = factories.user(clinic, "billing")
    token = password_links.make_token(other, "reset")
    assert password_links.user_for_token(token, "reset") == other
    other.active = False
    db.session.commit()
    assert password_links.user_for_token(token, "reset") is None


def _catalog_copy(tmp_path: Path, code: str, **changes) -> Path:
    with reference.CATALOG.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["code"] == code:
            row.update(changes)
    path = tmp_path / "drug_codes.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_a_catalog_row_is_updated_only_from_a_newer_effective_date(app_ctx, tmp_path):
    row = db.session.get(DrugCode, "J1439")
    shipped = row.effective_date
    row.brand = "Edited by an admin"
    db.session.commit()
    same_date = _catalog_copy(tmp_path, "J1439", brand="Catalog brand")
    assert reference.load_catalog(same_date) == (0, 0)
    assert db.session.get(DrugCode, "J1439").brand == "Edited by an admin"
    newer = (shipped + timedelta(days=1)).isoformat()
    assert reference.load_catalog(
        _catalog_copy(tmp_path, "J1439", brand="Catalog brand", effective_date=newer)
    ) == (0, 1)
    assert db.session.get(DrugCode, "J1439").brand == "Catalog brand"
    db.session.rollback()


def test_a_file_that_is_not_a_database_is_not_backed_up(tmp_path):
    source = tmp_path / "live.sqlite"
    source.write_bytes(b"this is not a SQLite database, only text" * 100)
    copy = tmp_path / "backup.sqlite"
    engine = sa.create_engine(f"sqlite:///{source}", poolclass=sa.pool.NullPool)
    with pytest.raises(BackupError, match="the backup failed: file is not a database"):
        backup.create(engine, copy)
    assert not copy.exists()


def test_a_draft_whose_payer_has_no_policy_has_no_stale_evidence_reminder(api, admin):
    payer = b.payer(api, name="No Policy Mutual")
    patient = b.patient(api, mrn="MRN-77")
    coverage = b.coverage(api, patient["id"], payer["id"])
    b.request(api, patient["id"], coverage["id"])
    b.evidence(
        api,
        patient["id"],
        kind="lab",
        test="ferritin",
        value="45.5",
        observed_on=iso(TODAY - timedelta(days=400)),
    )
    found = reminders.reminders_for(admin.clinic, datetime.combine(TODAY, datetime.min.time()))
    assert [r for r in found if str(r.type) == "EVIDENCE_STALE"] == []


def test_a_booking_made_before_approval_spends_the_units_of_a_later_one(api, admin):
    """Booked at risk while the request was pending, the first infusion carries no
    authorization; the second is covered as booked, but not once the first is given."""
    payer = b.payer(api, name="Runway Mutual")
    b.policy(api, payer["id"], "J1439")
    patient = b.patient(api, mrn="MRN-88")
    coverage = b.coverage(api, patient["id"], payer["id"])
    auth = b.request(api, patient["id"], coverage["id"], dose_mg="100", administrations=1)
    b.move(api, auth["id"], to="submitted", channel="portal", override_reason="test setup")
    first = _book(api, patient["id"], days=3, override_reason="payer answer expected")
    b.move(
        api,
        auth["id"],
        to="approved",
        auth_number="A-1",
        approved_units=100,
        approved_administrations=1,
        approved_start=iso(TODAY),
        approved_end=iso(TODAY + timedelta(days=60)),
    )
    second = _book(api, patient["id"], days=10)
    assert (first["authorization_id"], second["authorization_id"]) == (None, auth["id"])
    step = runway.runways_for([patient["id"]])[patient["id"]].step_for(second["id"])
    assert step.badge == runway.AT_RISK and step.current.covered
    assert step.reasons and all(r.code in runway.cov.BLOCKING for r in step.reasons)
    assert step.summary.startswith("covered as booked, but once the earlier bookings are given: ")


def _book(api, patient_id: int, days: int, **extra) -> dict:
    when = datetime.combine(TODAY + timedelta(days=days), datetime.min.time()) + timedelta(hours=10)
    body = {
        "patient_id": patient_id,
        "hcpcs_code": "J1439",
        "dose_mg": "100",
        "scheduled_at": when.isoformat(),
        **extra,
    }
    response = api.post("/api/v1/infusions", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()
