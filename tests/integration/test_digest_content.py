"""What a digest says (domain/digests.py): items by deadline with the days left, whom to call
at the payer, sentences instead of reason codes, and the booking an expiring approval leaves
uncovered, as delivered to a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import AuthorizationRequest, Payer
from priorauth.notify.runner import send_digests
from tests.integration.test_digests import (  # noqa: F401 (fixtures)
    FROZEN,
    RUN_AT,
    auth_of,
    clinic_id,
    demo_user,
    infusion_of,
    parts,
)

PHONE, PORTAL = "1-800-555-0199 x12", "https://pa.example-payer.test/requests"


def _payer_of(mrn: str) -> Payer:
    auth = db.session.get(AuthorizationRequest, auth_of(mrn))
    return auth.coverage.payer


def _items(text: str) -> list[list[str]]:
    """Each item of the plain-text part as its lines ("- …" then the indented ones)."""
    items: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append([line[2:]])
        elif line.startswith("  ") and items:
            items[-1].append(line.strip())
    return items


def test_items_by_deadline_with_days_left_and_whom_to_call(clinic_id, inbox):  # noqa: F811
    payer = _payer_of("MRN-10096")  # its request's answer is 5 days overdue
    payer.phone, payer.portal_url = PHONE, PORTAL
    silent = _payer_of("MRN-10139")  # denied; the appeal deadline is in 8 days
    silent.phone = silent.portal_url = None
    db.session.commit()
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    text, body = parts(inbox.of(demo_user("front_desk").email))
    items = _items(text)
    assert items, text
    overdue = next(lines for lines in items if "payer answer due" in lines[0])
    assert overdue[0].startswith("5 days overdue: MRN-10096")
    assert overdue[1] == f"Call {payer.name} at {PHONE} or use {payer.name}'s portal {PORTAL}."
    appeal = next(lines for lines in items if "appeal deadline" in lines[0])
    assert appeal[0].startswith("8 days left: ")
    assert appeal[1] == f"No phone or portal on file for {silent.name}."
    assert f'<span class="contact">Call {payer.name} at {PHONE}' in body


def _grouped_in_order(text: str) -> bool:
    """Within each group the deadlines only grow; groups open with their most urgent item."""
    groups = re.split(r"^[A-Z][A-Z0-9 ]+ \(\d+\)$", text, flags=re.M)[1:]
    firsts = []
    for group in groups:
        urgencies = [_urgency(line) for line in re.findall(r"^- (.*)$", group, re.M)]
        assert urgencies == sorted(urgencies), group
        firsts.append(urgencies[0])
    return firsts == sorted(firsts)


def _urgency(line: str) -> int:
    if line.startswith("Due today"):
        return 0
    n = int(re.match(r"(\d+) days?", line).group(1))
    return -n if " overdue" in line.split(":")[0] else n


def test_every_group_and_item_is_in_deadline_order(clinic_id, inbox):  # noqa: F811
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    text, _ = parts(inbox.of(demo_user("admin").email))
    assert _grouped_in_order(text)
    assert "12 days overdue: MRN-10214" in text and "Due today: MRN-10249" in text


def test_an_expiring_approval_names_the_first_booking_it_leaves_uncovered(clinic_id, inbox):  # noqa: F811
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    text, _ = parts(inbox.of(demo_user("front_desk").email))
    booking = infusion_of("MRN-10062", 14)  # booked after its approval ends in 8 days
    day = FROZEN + timedelta(days=14)
    line = next(
        line for line in text.splitlines() if f"authorization #{auth_of('MRN-10062')}: ends" in line
    )
    assert line.startswith("- 8 days left: ")
    assert f"the first booking it leaves uncovered is infusion #{booking} on {day}" in line


def test_no_reason_codes_reach_the_digest(clinic_id, inbox):  # noqa: F811
    send_digests(clinic_id, FROZEN, now_utc=RUN_AT)
    sent = "\n".join(parts(inbox.of(demo_user("admin").email)))
    shown = re.sub(r'data-type="\w+"', "", sent)
    shown = re.sub(r"/links/[\w-]+", "/links/", shown)  # a link's random token is no code
    assert not re.search(r"\b[A-Z]+_[A-Z_]+\b", shown), re.findall(r"\b[A-Z]+_[A-Z_]+\b", shown)
    assert "not covered: authorization" in sent  # the reason as a sentence


def test_payers_phone_and_portal_in_the_api(app_ctx, api):
    created = api.post(
        "/api/v1/payers", json={"name": "Portal Health", "phone": PHONE, "portal_url": PORTAL}
    )
    assert created.status_code == 201, created.json
    assert (created.json["phone"], created.json["portal_url"]) == (PHONE, PORTAL)
    bad = api.patch(f"/api/v1/payers/{created.json['id']}", json={"portal_url": "pa.example"})
    assert bad.status_code == 422 and "portal_url" in str(bad.json)
    bad = api.patch(f"/api/v1/payers/{created.json['id']}", json={"phone": "call us"})
    assert bad.status_code == 422 and "phone" in str(bad.json)
    stored = db.session.scalar(sa.select(Payer).where(Payer.name == "Portal Health"))
    assert (stored.phone, stored.portal_url) == (PHONE, PORTAL)
