"""The documents services refuse what their forms and schemas never send (a wrong kind, an
over-long letter, another clinic's letter), naming the field, and keep nothing."""

from __future__ import annotations

import pytest

from priorauth.errors import NotFound, ValidationFailed
from priorauth.extensions import db
from priorauth.models import Attachment
from priorauth.services import attachments, letters, packets
from tests import factories
from tests.api.test_packets import ready_request


def _refused_on(call, field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        call()
    assert field in refused.value.errors
    db.session.rollback()


def test_the_services_refuse_kinds_and_bodies_no_form_sends(api, admin, app_ctx):
    auth = ready_request(api)
    _refused_on(lambda: packets.packet_for(admin, auth["id"], kind="fax"), "kind")
    upload = {"patient_id": auth["patient_id"], "kind": "submission_packet"}
    _refused_on(lambda: attachments.upload(admin, upload, b"%PDF-1.4", "a.pdf"), "kind")
    stored = db.session.get(type(admin), admin.id)
    _refused_on(
        lambda: attachments.store_generated(stored, None, "lab_report", "x.pdf", b"%PDF", 1),
        "kind",
    )
    draft = letters.draft(admin, auth["id"], "medical_necessity")
    db.session.commit()
    too_long = "x" * (letters.MAX_BODY + 1)
    _refused_on(lambda: letters.edit(admin, draft.id, too_long), "body")
    assert db.session.scalar(db.select(db.func.count()).select_from(Attachment)) == 0


def test_marking_another_clinics_letter_sent_is_not_found(api, admin, app_ctx):
    auth = ready_request(api)
    draft = letters.draft(admin, auth["id"], "medical_necessity")
    db.session.commit()
    other = factories.user(factories.clinic("Elsewhere"), "front_desk")
    with pytest.raises(NotFound):
        letters.mark_sent(other, draft, None)
    db.session.rollback()
    assert db.session.get(type(draft), draft.id).sent_at is None
