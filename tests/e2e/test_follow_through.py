"""Nothing falls through (docs/follow-through.md): the admin's digest, sent to the outbox,
lists an escalated reminder with a single-use acknowledge link; the admin follows it signed
in, acknowledges, and sees the item leave the escalated queue; then gives two other requests
to a colleague at once from a work queue's bulk reassign form."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

ACK = re.compile(r"Acknowledge: (\S+/links/\S+)")


def _escalate_and_send(session, admin_email: str) -> dict:
    """Every demo reminder first seen two weeks ago (the overdue ones escalate), then today's
    digests sent as the scheduled job sends them; the admin's user id and digest day."""
    from priorauth.models import Clinic, ReminderState, User
    from priorauth.notify.runner import send_digests
    from priorauth.queries import escalations
    from priorauth.services.clock import clinic_now

    admin = session.scalars(sa.select(User).where(User.email == admin_email)).one()
    clinic = session.get(Clinic, admin.clinic_id)
    today = clinic_now(clinic).date()
    escalations.synced(clinic, clinic_now(clinic))
    session.execute(
        sa.update(ReminderState)
        .where(ReminderState.clinic_id == clinic.id)
        .values(first_seen_on=today - timedelta(days=14))
    )
    escalations.synced(clinic, clinic_now(clinic))
    session.commit()
    assert escalations.count(clinic.id, today) >= 1
    counts = send_digests(clinic.id, today)
    assert counts["sent"] >= 1, counts
    return {"admin": admin.id}


def _acknowledge_link(outbox: Path, admin_email: str, base_url: str) -> str:
    """The first acknowledge link of the escalated group in the admin's email (outbox)."""
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] != admin_email:
            continue
        text = message.get_body(preferencelist=("plain",)).get_content()
        escalated = text[text.index("ESCALATED (") :]
        link = ACK.search(escalated).group(1)
        return base_url + link[link.index("/links/") :]
    raise AssertionError(f"no digest to {admin_email} in {outbox}")


def _link_key(session, link: str) -> str:
    from priorauth.models import ActionLink
    from priorauth.models.users import hash_token

    token = link.rsplit("/", 1)[1]
    return session.scalars(
        sa.select(ActionLink.reminder_key).where(ActionLink.token_hash == hash_token(token))
    ).one()


def test_a_digest_link_acknowledges_and_a_queue_reassigns_in_bulk(site, page, live_server):
    admin_email = live_server.users["admin"]
    live_server.query(lambda s: _escalate_and_send(s, admin_email))
    outbox = Path(live_server.app.config["MAIL_OUTBOX"])
    link = _acknowledge_link(outbox, admin_email, live_server.url)
    key = live_server.query(lambda s: _link_key(s, link))

    site.sign_in("admin")
    site.visit("/escalated")
    row = page.locator(f'tr.escalated-row[data-key="{key}"]')
    assert row.count() == 1, f"{key} is not on the escalated queue"
    before = page.locator("tr.escalated-row").count()

    page.goto(link)
    site.check()
    assert page.locator("h1").inner_text() == "Acknowledge a reminder"
    site.submit(page.get_by_role("button", name="Acknowledge"))
    assert page.url.endswith("/escalated")
    assert page.locator(".flash.success").inner_text() == "Acknowledged."
    assert page.locator(f'tr.escalated-row[data-key="{key}"]').count() == 0
    assert page.locator("tr.escalated-row").count() == before - 1

    page.goto(link)  # once only
    site.check()
    assert "already used" in page.locator(".link-refusal").inner_text()

    _reassign_two_in_bulk(site, page, live_server)


def _reassign_two_in_bulk(site, page, live_server) -> None:
    """A's bulk form on a queue page: tick two requests, choose the scheduler, reassign."""
    from priorauth.models import AuthorizationRequest, User

    scheduler_email = live_server.users["scheduler"]
    scheduler_name = live_server.query(
        lambda s: s.scalars(sa.select(User.name).where(User.email == scheduler_email)).one()
    )
    site.visit("/queues/waiting_on_payer")
    boxes = page.locator('input[type=checkbox][name="ids"]')
    assert boxes.count() >= 2, "the demo clinic has requests waiting on the payer"
    picked = [int(boxes.nth(i).get_attribute("value")) for i in (0, 1)]
    for ident in picked:
        page.locator(f"#pick-{ident}").check()
    page.locator('select[name="owner_id"]').select_option(label=scheduler_name)
    site.submit(page.get_by_role("button", name="Reassign selected"))
    for ident in picked:
        owner = page.locator(f'tr.queue-row[data-row-id="{ident}"] td.owner')
        assert owner.inner_text().startswith(scheduler_name), ident
    owners = live_server.query(
        lambda s: set(
            s.scalars(
                sa.select(AuthorizationRequest.owner_id).where(AuthorizationRequest.id.in_(picked))
            )
        )
    )
    scheduler_id = live_server.query(
        lambda s: s.scalars(sa.select(User.id).where(User.email == scheduler_email)).one()
    )
    assert owners == {scheduler_id}
