"""Issue 13's first check on the demo clinic itself: the packet of each ready demo request is a
valid PDF whose text carries the patient's MRN, the code, the units, every lab value and date
and the trial dates the checklist used, and whose cover states its real page count."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from pypdf import PdfReader

from priorauth.demo import data as demo_data
from priorauth.domain.evidence_facts import LabTest
from priorauth.domain.evidence_rules import fmt, latest
from priorauth.domain.evidence_summary import trials_used
from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, PayerPolicy, User
from priorauth.services import packets, snapshots
from tests.integration.test_digests import seed_demo


def _ready_requests(clinic_id: int) -> list[AuthorizationRequest]:
    """Draft or pended demo requests whose checklist is complete (the stored fact)."""
    query = sa.select(AuthorizationRequest).where(
        AuthorizationRequest.clinic_id == clinic_id,
        AuthorizationRequest.status.in_(("draft", "pended")),
        AuthorizationRequest.evidence_ready.is_(True),
    )
    return db.session.scalars(query.order_by(AuthorizationRequest.id)).all()


def _expected(auth: AuthorizationRequest, day) -> list[str]:
    seen = snapshots.patient_evidence(auth.patient_id).as_of(day)
    wanted = [auth.patient.mrn, auth.hcpcs_code, str(auth.units_requested)]
    for test in (LabTest.FERRITIN, LabTest.TSAT, LabTest.HEMOGLOBIN):
        lab = latest(lab for lab in seen.labs if lab.test == test)
        if lab is not None:
            wanted += [fmt(lab.value), str(lab.observed_on)]
    policy = db.session.scalar(
        sa.select(PayerPolicy).where(
            PayerPolicy.payer_id == auth.coverage.payer_id,
            PayerPolicy.hcpcs_code == auth.hcpcs_code,
        )
    )
    for trial in trials_used(policy.oral_iron_min_days, seen.trials, day):
        wanted.append(str(trial.start_date))
    return wanted


def test_every_ready_demo_request_gets_a_packet_that_shows_its_evidence(app_ctx):
    day = datetime.now(ZoneInfo(demo_data.TIMEZONE)).date()
    clinic = seed_demo(day)
    actor = db.session.scalar(sa.select(User).where(User.role == "front_desk"))
    ready = _ready_requests(clinic.id)
    assert ready, "the demo has a request ready to submit"
    for auth in ready:
        content, pages, kind = packets.packet_for(actor, auth.id, today=day)
        reader = PdfReader(io.BytesIO(content))
        texts = [page.extract_text() for page in reader.pages]
        cover = re.search(r"Pages: (\d+) including this cover", texts[0])
        assert kind == "submission" and int(cover.group(1)) == len(reader.pages) == pages
        text = "\n".join(texts)
        for expected in _expected(auth, day):
            assert expected in text, (auth.id, expected)
