"""Letter pages: the request page links to its letters; the front desk drafts, edits and
saves one; a sent letter is read-only; admins edit the clinic's templates with a preview."""

from __future__ import annotations

import pytest

from priorauth.extensions import db
from priorauth.models import AuditEvent, Letter, LetterTemplate
from priorauth.services import letters
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso
from tests.api.test_letters_service import LAB_DAY, packet_row
from tests.api.test_letters_service import request_id as request_id  # noqa: F401 (fixture)
from tests.web.auth_helpers import sign_in


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def test_request_page_links_the_letter_and_the_appeal_only_when_denied(
    client, api, front_desk, request_id
):
    sign_in(client, front_desk.email)
    html = page(client, f"/authorizations/{request_id}")
    assert f"/authorizations/{request_id}/letters/medical_necessity" in html
    assert "/letters/appeal" not in html
    b.move(api, request_id, to="submitted", channel="fax")
    b.move(
        api,
        request_id,
        to="denied",
        denial_reason="oral_iron_not_documented",
        decided_on=iso(TODAY),
    )
    assert f"/authorizations/{request_id}/letters/appeal" in page(
        client, f"/authorizations/{request_id}"
    )


def test_get_shows_the_draft_text_without_saving_then_save_stores_the_edit(
    client, front_desk, request_id
):
    sign_in(client, front_desk.email)
    path = f"/authorizations/{request_id}/letters/medical_necessity"
    html = page(client, path)
    assert "MRN-4711" in html and f"ferritin 12 ng/mL on {LAB_DAY}" in html
    assert "Not saved yet" in html
    assert db.session.query(Letter).count() == 0
    response = client.post(path, data={"text": "Dear reviewer, MRN-4711 needs J1439."})
    assert response.status_code == 302
    letter = db.session.scalars(db.select(Letter)).one()
    assert letter.body == "Dear reviewer, MRN-4711 needs J1439."
    html = page(client, path)
    assert "Dear reviewer, MRN-4711 needs J1439." in html and "Not saved yet" not in html
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.entity_type == "letters")
    ).all()
    assert actions == ["drafted", "updated"]


def test_a_blank_letter_is_refused_beside_the_field(client, front_desk, request_id):
    sign_in(client, front_desk.email)
    response = client.post(
        f"/authorizations/{request_id}/letters/medical_necessity", data={"text": " "}
    )
    assert response.status_code == 422
    assert "The letter must not be blank." in response.get_data(as_text=True)
    assert db.session.query(Letter).count() == 0


def test_a_sent_letter_is_read_only_with_when_it_was_sent(client, front_desk, request_id):
    letter = letters.draft(front_desk, request_id, "medical_necessity")
    letters.mark_sent(front_desk, letter, packet_row(front_desk.clinic_id, letter.authorization))
    db.session.commit()
    sign_in(client, front_desk.email)
    path = f"/authorizations/{request_id}/letters/medical_necessity"
    html = page(client, path)
    assert "Sent " in html and "kept as it was sent" in html and "<textarea" not in html
    response = client.post(path, data={"text": "rewritten"})
    assert response.status_code == 302  # a new draft: the sent one is kept
    db.session.expire_all()
    assert db.session.get(Letter, letter.id).body != "rewritten"
    assert db.session.query(Letter).count() == 2


def test_an_appeal_page_of_a_request_not_denied_says_so(client, front_desk, request_id):
    sign_in(client, front_desk.email)
    html = page(client, f"/authorizations/{request_id}/letters/appeal")
    assert "Only a denied request has an appeal letter" in html and "Save letter" not in html
    response = client.post(f"/authorizations/{request_id}/letters/appeal", data={"text": "x"})
    assert response.status_code == 409


@pytest.mark.parametrize("role", ["scheduler", "billing"])
def test_other_roles_read_but_cannot_save(client, clinic, role, request_id):
    user = factories.user(clinic, role)
    sign_in(client, user.email)
    path = f"/authorizations/{request_id}/letters/medical_necessity"
    assert "Only the front desk or an admin" in page(client, path)
    assert client.post(path, data={"text": "x"}).status_code == 403


def test_another_clinics_request_and_an_unknown_kind_are_404(client, request_id):
    other = factories.user(factories.clinic(), "front_desk")
    sign_in(client, other.email)
    page(client, f"/authorizations/{request_id}/letters/medical_necessity", 404)
    page(client, "/authorizations/1/letters/love_letter", 404)


def test_admin_previews_saves_and_resets_a_template(client, admin, front_desk):
    sign_in(client, admin.email)
    html = page(client, "/clinic/letters")
    assert "Letter of medical necessity" in html and "Appeal letter" in html
    assert "patient.mrn" in html and "denial" in html  # the placeholders listed
    body = "MRN {{ patient.mrn }} asks {{ request.code }}"
    shown = client.post("/clinic/letters/appeal", data={"text": body, "action": "preview"})
    assert shown.status_code == 200 and "MRN MRN-0000 asks J1439" in shown.get_data(as_text=True)
    assert db.session.query(LetterTemplate).count() == 0
    bad = client.post("/clinic/letters/appeal", data={"text": "{{ nobody }}", "action": "save"})
    assert (
        bad.status_code == 422
        and "The template does not render: &#39;nobody&#39; is undefined."
        in bad.get_data(as_text=True)
    )
    assert client.post("/clinic/letters/appeal", data={"text": body}).status_code == 302
    assert db.session.scalars(db.select(LetterTemplate.body)).one() == body
    assert client.post("/clinic/letters/appeal", data={"action": "reset"}).status_code == 302
    assert db.session.query(LetterTemplate).count() == 0
    actions = db.session.scalars(
        db.select(AuditEvent.action).where(AuditEvent.entity_type == "letter_templates")
    ).all()
    assert actions == ["created", "deleted"]


def test_front_desk_cannot_edit_templates(client, front_desk):
    sign_in(client, front_desk.email)
    assert "Only an admin can change templates" in page(client, "/clinic/letters")
    response = client.post("/clinic/letters/appeal", data={"text": "x {{ patient.mrn }}"})
    assert response.status_code == 403
