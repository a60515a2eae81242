"""The clinic's follow-through settings (issue 14) on the settings page and GET/PATCH
/api/v1/clinic: business days for escalation, follow-ups and the renewal buffer, and the
holiday calendar's country and state, checked against the `holidays` package."""

from __future__ import annotations

import marshmallow as ma
import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuditEvent
from priorauth.schemas.clinics import ClinicSettingsPatchSchema
from tests.web.test_clinic_settings import GOOD, sign_in

FIELDS = {
    "escalation_business_days": "3",
    "follow_up_business_days": "4",
    "renewal_buffer_business_days": "5",
    "holiday_country": "us",
    "holiday_subdivision": "ny",
}


def test_the_settings_page_saves_the_five_fields(client, admin, clinic):
    sign_in(client, admin)
    page = client.get("/clinic").get_data(as_text=True)
    assert 'name="holiday_country" type="text" value="US"' in page
    assert 'name="holiday_subdivision" type="text" value=""' in page  # none, not "None"
    assert client.post("/clinic", data={**GOOD, **FIELDS}).status_code == 302
    db.session.expire_all()
    assert (
        clinic.escalation_business_days,
        clinic.follow_up_business_days,
        clinic.renewal_buffer_business_days,
        clinic.holiday_country,
        clinic.holiday_subdivision,
    ) == (3, 4, 5, "US", "NY")
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "settings_updated")
    ).one()
    assert event.changes["holiday_subdivision"] == "NY"
    assert client.post("/clinic", data={**GOOD, "holiday_subdivision": " "}).status_code == 302
    db.session.expire_all()
    assert clinic.holiday_subdivision is None  # a blank state clears it
    assert clinic.follow_up_business_days == 4  # left out of the post: unchanged


def test_unknown_country_or_state_is_named_and_nothing_changes(client, admin, clinic):
    sign_in(client, admin)
    bad = client.post("/clinic", data={**GOOD, "holiday_country": "XX"})
    assert bad.status_code == 422
    assert "is not a country code the holiday calendar knows" in bad.get_data(as_text=True)
    wrong = client.post("/clinic", data={**GOOD, "holiday_subdivision": "ZZ", "digest_hour": "9"})
    assert wrong.status_code == 422
    assert "ZZ is not a subdivision (state) of US" in wrong.get_data(as_text=True)
    days = client.post("/clinic", data={**GOOD, "follow_up_business_days": "0"})
    assert days.status_code == 422
    db.session.expire_all()
    assert (clinic.holiday_country, clinic.holiday_subdivision, clinic.digest_hour) == (
        "US",
        None,
        6,
    )
    assert clinic.follow_up_business_days == 2


def test_the_api_reads_and_patches_them(api, clinic):
    got = api.get("/api/v1/clinic").get_json()
    assert {k: got[k] for k in FIELDS} == {
        "escalation_business_days": 2,
        "follow_up_business_days": 2,
        "renewal_buffer_business_days": 3,
        "holiday_country": "US",
        "holiday_subdivision": None,
    }
    patched = api.patch("/api/v1/clinic", json={"holiday_subdivision": "ca"})
    assert patched.status_code == 200 and patched.get_json()["holiday_subdivision"] == "CA"
    moved = api.patch(
        "/api/v1/clinic",
        json={
            "holiday_country": "DE",
            "holiday_subdivision": "BY",
            "renewal_buffer_business_days": 0,
        },
    )
    assert moved.status_code == 200, moved.get_json()
    assert api.patch("/api/v1/clinic", json={"holiday_subdivision": None}).status_code == 200
    db.session.expire_all()
    assert (clinic.holiday_country, clinic.holiday_subdivision) == ("DE", None)
    assert clinic.renewal_buffer_business_days == 0


def test_the_api_names_the_bad_field(api, clinic):
    for body, field in (
        ({"holiday_country": "Narnia"}, "holiday_country"),
        ({"holiday_subdivision": "TX", "holiday_country": "GB"}, "holiday_subdivision"),
        ({"holiday_subdivision": "QQ"}, "holiday_subdivision"),
        ({"holiday_subdivision": "X" * 11}, "holiday_subdivision"),
        ({"escalation_business_days": 0}, "escalation_business_days"),
        ({"renewal_buffer_business_days": -1}, "renewal_buffer_business_days"),
        ({"follow_up_business_days": 31}, "follow_up_business_days"),
    ):
        response = api.patch("/api/v1/clinic", json=body)
        assert response.status_code == 422, body
        assert field in response.get_json()["errors"], (body, response.get_json())
    listed = api.patch("/api/v1/clinic", json=["holiday_country"])
    assert listed.status_code == 422
    db.session.expire_all()
    assert (clinic.holiday_country, clinic.holiday_subdivision) == ("US", None)


def test_a_body_that_is_not_an_object_is_refused_by_the_schema():
    with pytest.raises(ma.ValidationError) as refused:
        ClinicSettingsPatchSchema().load(["holiday_country"])
    assert "_schema" in refused.value.messages
