"""Every form of the app, posted with empty and wrong values by a signed-in admin: never a 500,
and no answer shows a raw dict, a schema field name or an UPPER_CASE reason code as text.

The forms are found as tests/web/test_route_walk.py finds routes: every POST rule of the
page blueprints. Ids in the paths are rows of the demo clinic (one per status where the form
depends on it) and of a second demo clinic (not ours); the bodies fill every field any schema
or view reads with one kind of bad value at a time."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from priorauth.extensions import db
from priorauth.models import (
    ApiToken,
    Attachment,
    AuthorizationRequest,
    Infusion,
    Patient,
    Payer,
    User,
)
from priorauth.notify.runner import send_digests
from priorauth.schemas.patients import EVIDENCE_SCHEMAS
from tests import sheet_files
from tests.web.demo_forms import first, seed_two_clinics, sign_in_admin
from tests.web.visible_text import FIELD_NAMES, page_problems, text_problems, visible_text

ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
SKIPPED = ("auth.logout", "static")  # signing out ends the crawl
VIEW_FIELDS = {"time", "mrn", "q", "name", "email", "role", "next", "confirm", "password"}
VIEW_FIELDS |= {"digest_opt_in", "digest_when_empty", "current_password", "new_password"}
NUMBERS = ("_id", "_days", "_hours", "_units", "_administrations", "stage", "hour", "page")
NUMBERS += ("dose_mg", "value", "_max", "_mg", "_per_dose", "_between_doses", "administrations")
DATES = ("date", "_on", "_start", "_end", "since", "until", "expiration", "_at")
CODES = ("hcpcs_code", "code", "preferred_codes")
BODIES = {
    "empty": lambda name: None,
    "blank": lambda name: "",
    "letters": lambda name: "abc",
    "bad dates": lambda name: "2024-02-30" if name.endswith(DATES) else "0",
    "unknown codes": lambda name: "XYZ, D50.9, Q" if name.endswith(CODES + ("_codes",)) else "x",
    "huge numbers": lambda name: "99999999999999999999" if name.endswith(NUMBERS) else "1" * 90,
    "negative": lambda name: "-1",
}


def _fields() -> list[str]:
    return sorted((FIELD_NAMES | VIEW_FIELDS | {"to", "status", "kind", "test", "sex"}) - {"kind"})


def _body(kind: str) -> dict:
    make = BODIES[kind]
    return {name: value for name in _fields() if (value := make(name)) is not None}


def _document(clinic_id: int) -> int:
    """A stored PNG of one of the clinic's patients (the demo clinic has no documents)."""
    patient = db.session.get(Patient, first(Patient, Patient.clinic_id == clinic_id))
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    row = Attachment(
        clinic_id=clinic_id,
        patient_id=patient.id,
        kind="lab_report",
        filename="labs.png",
        content_type="image/png",
        size_bytes=len(png),
        sha256="0" * 64,
        content=png,
    )
    db.session.add(row)
    db.session.commit()
    return row.id


def _ids(ours: int, theirs: int) -> dict[str, list]:
    """Path values: our rows (one per status that changes the form) and one of theirs."""
    mine, other = (Patient.clinic_id == ours), (Patient.clinic_id == theirs)
    mine_theirs = (ours, theirs)
    auths = [
        first(
            AuthorizationRequest,
            AuthorizationRequest.clinic_id == ours,
            AuthorizationRequest.status == s,
        )
        for s in ("draft", "submitted", "approved", "denied", "cancelled")
    ]
    infusions = [
        first(Infusion, Infusion.clinic_id == ours, Infusion.status == s)
        for s in ("scheduled", "administered", "cancelled")
    ]
    return {
        "patient_id": [first(Patient, mine), first(Patient, other)],
        "payer_id": [
            first(Payer, Payer.clinic_id == ours),
            first(Payer, Payer.clinic_id == theirs),
        ],
        "auth_id": [a for a in auths if a]
        + [first(AuthorizationRequest, AuthorizationRequest.clinic_id == theirs)],
        "infusion_id": [i for i in infusions if i]
        + [first(Infusion, Infusion.clinic_id == theirs)],
        "user_id": [first(User, User.clinic_id == ours, User.role == "scheduler")],
        "attachment_id": [_document(ours), _document(theirs)],
        "token_id": [first(ApiToken)],
        "kind": list(EVIDENCE_SCHEMAS),
        "code": ["J1439", "Q0138"],
        "token": ["not-a-token"],
        "job_id": [sheet_files.checked_job(c, [sheet_files.row(Payer="?")]) for c in mine_theirs],
    }


def _paths(app, ids) -> list[tuple[str, str]]:
    """(path, endpoint) for every POST form route, once per path value."""
    adapter = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.rule.startswith("/api/") or rule.endpoint in SKIPPED:
            continue
        names = ARGUMENT.findall(rule.rule)
        combos = [{}]
        for name in names:
            combos = [{**c, name: v} for c in combos for v in ids[name]]
        found += [(adapter.build(rule.endpoint, c, method="POST"), rule.endpoint) for c in combos]
    return found


@pytest.fixture
def two_clinics(app_ctx):
    return seed_two_clinics()


def _crawl(app, client, ids, kinds) -> list[str]:
    problems = []
    for path, endpoint in _paths(app, ids):
        for kind in kinds:
            answer = client.post(path, data=_body(kind), follow_redirects=True)
            where = f"POST {path} ({endpoint}, {kind}) -> {answer.status_code}"
            if answer.status_code >= 500:
                problems.append(where)
            if answer.headers.get("Content-Disposition", "").startswith("attachment"):
                continue  # a download (a packet's PDF), not a page
            problems += [f"{where}: {p}" for p in page_problems(answer.get_data(as_text=True))]
            if answer.request.path == "/login":
                sign_in_admin(client)
    return problems


def test_the_crawl_reaches_every_form(app_ctx, two_clinics):
    paths = _paths(app_ctx, _ids(*two_clinics))
    endpoints = {endpoint for _, endpoint in paths}
    assert len(endpoints) >= 25, endpoints
    assert {"patients.add_coverage", "schedule.book", "authorizations.transition"} <= endpoints


def test_no_form_answers_with_raw_words(app_ctx, two_clinics):
    client = app_ctx.test_client()
    sign_in_admin(client)
    problems = _crawl(app_ctx, client, _ids(*two_clinics), list(BODIES))
    assert not problems, "\n".join(_distinct(problems)) + f"\n({len(problems)} in all)"


def _distinct(problems: list[str]) -> list[str]:
    """One line per form and kind of problem (the same fault shows for many bodies)."""
    seen: dict[tuple, str] = {}
    for line in problems:
        endpoint = line.split("(", 1)[1].split(",", 1)[0]
        seen.setdefault((endpoint, line.split(": ", 1)[1][:45]), line)
    return list(seen.values())


def _outbox(app) -> set[Path]:
    return set(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))


def _parts(path: Path) -> list[tuple[str, str]]:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return [(p.get_content_type(), p.get_content()) for p in message.walk() if not p.is_multipart()]


def test_no_email_shows_raw_words(app_ctx, two_clinics):
    """Every email the app sends (each demo user's digest, an invitation, a password reset)
    rendered from the demo clinic, read as its reader sees it."""
    before = _outbox(app_ctx)
    ours, _ = two_clinics
    db.session.execute(sa.update(User).values(digest_when_empty=True, digest_opt_in=True))
    db.session.commit()
    today = datetime.now(ZoneInfo("America/New_York")).date()
    sent = send_digests(ours, today)
    client = app_ctx.test_client()
    sign_in_admin(client)
    user_id = first(User, User.clinic_id == ours, User.role == "scheduler")
    assert client.post(f"/staff/{user_id}/reset").status_code == 302
    invited = {"name": "New Nurse", "email": "nurse@demo.priorauth.test", "role": "scheduler"}
    assert client.post("/staff/invite", data=invited).status_code == 302
    written = sorted(_outbox(app_ctx) - before)
    assert len(written) == sent["sent"] + 2 >= 6, sent
    problems = []
    for path in written:
        for kind, body in _parts(path):
            text = visible_text(body) if kind == "text/html" else body
            problems += [f"{path.name} {kind}: {p}" for p in text_problems(text)]
    assert not problems, "\n".join(problems)
