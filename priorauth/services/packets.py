"""The submission and appeal packets of a request: built on demand (a preview or a download)
and, once sent, kept as an attachment with the letter marked sent and the request moved on
(submitted, or appealed from a denial) in the same transaction (docs/domain.md, "Sending a
request")."""

from __future__ import annotations

from datetime import date, datetime

from priorauth.domain.documents import GENERATED_KINDS
from priorauth.domain.vocab import AttachmentKind
from priorauth.domain.workflow import Status, TransitionRefused, check_transition
from priorauth.errors import Conflict, NotFound, ValidationFailed
from priorauth.models import AuthorizationRequest
from priorauth.services import attachments, audit, clock, letters, transitions
from priorauth.services.packet_input import LETTERS, packet_input
from priorauth.services.packet_pdf import AttachmentUnreadable, Packet, build_packet
from priorauth.services.scope import get_owned

TARGETS = {"submission": Status.SUBMITTED, "appeal": Status.APPEALED}
STORED_KINDS = {
    "submission": AttachmentKind.SUBMISSION_PACKET,
    "appeal": AttachmentKind.APPEAL_PACKET,
}
# Put in a packet unless others are chosen: the request's own documents, and these of the
# patient's (what priorauth wrote itself never goes in again).
DEFAULT_PATIENT_KINDS = (AttachmentKind.LAB_REPORT, AttachmentKind.CHART_NOTE)
PACKET_NOTE = "packet"


def kind_for(auth: AuthorizationRequest) -> str:
    """The packet a request sends next: an appeal from a denial, else a submission."""
    return "appeal" if auth.status == Status.DENIED else "submission"


def candidates(clinic_id: int, auth: AuthorizationRequest) -> list[tuple[object, bool]]:
    """The documents a packet may carry, in packet order, each with whether it goes by
    default: the request's own first, then the patient's other ones."""
    own = [a for a in attachments.of_request(clinic_id, auth.id) if a.kind not in GENERATED_KINDS]
    seen = {a.id for a in own}
    others = [
        a
        for a in attachments.of_patient(clinic_id, auth.patient_id)
        if a.id not in seen and a.kind not in GENERATED_KINDS
    ]
    return [(a, True) for a in own] + [(a, a.kind in DEFAULT_PATIENT_KINDS) for a in others]


def _chosen(actor, auth: AuthorizationRequest, ids: list[int] | None) -> list:
    if ids is None:
        return [a for a, default in candidates(actor.clinic_id, auth) if default]
    if len(set(ids)) != len(ids):
        raise ValidationFailed.on("attachment_ids", "names an attachment twice")
    rows = []
    for attachment_id in ids:
        try:
            row = attachments.get(actor, attachment_id)
        except NotFound:
            row = None
        if row is None or row.patient_id != auth.patient_id:
            raise ValidationFailed.on(
                "attachment_ids", f"{attachment_id} is not an attachment of this patient"
            )
        rows.append(row)
    return rows


def _checked_kind(auth: AuthorizationRequest, kind: str | None) -> str:
    kind = kind or kind_for(auth)
    if kind not in TARGETS:
        raise ValidationFailed.on("kind", "must be submission or appeal")
    if kind == "appeal" and not auth.denial_reason:
        raise Conflict(
            "only a denied request has an appeal packet", {"kind": ["no denial"]}, code="NOT_DENIED"
        )
    return kind


def _letter_text(actor, auth: AuthorizationRequest, kind: str) -> str:
    """The letter as it stands: the unsent draft, else the template filled in (not stored)."""
    letter_kind = LETTERS[kind]
    found = letters.current(actor.clinic_id, auth.id, letter_kind)
    if found is not None and found.sent_at is None:
        return found.body
    template = letters.template_for(actor.clinic_id, letter_kind)
    return letters.preview(actor.clinic_id, letter_kind, template, auth.id)


def _build(actor, auth, kind, letter_text, rows, channel, today) -> Packet:
    values = packet_input(actor, auth, kind, letter_text, rows, channel, today)
    try:
        return build_packet(values)
    except AttachmentUnreadable as error:
        raise ValidationFailed.on("attachment_ids", f"{error} (cannot go in a packet)") from None


def packet_for(
    actor, auth_id: int, kind: str | None = None, attachment_ids=None, today: date | None = None
) -> tuple[bytes, int, str]:
    """(PDF bytes, page count, kind) of the request's packet with the chosen attachments in
    order (None: the defaults). Reading it is audited, for the request and each attachment."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    kind = _checked_kind(auth, kind)
    rows = _chosen(actor, auth, attachment_ids)
    day = today or clock.clinic_today(actor.clinic)
    channel = auth.coverage.payer.preferred_channel
    packet = _build(actor, auth, kind, _letter_text(actor, auth, kind), rows, channel, day)
    audit.viewed(actor, auth, note=PACKET_NOTE)
    for row in rows:
        audit.viewed(actor, row, note=PACKET_NOTE)
    return packet.content, packet.page_count, kind


def _check_step(auth: AuthorizationRequest, kind: str) -> None:
    try:
        check_transition(auth.status, TARGETS[kind])
    except TransitionRefused as refused:
        raise Conflict(str(refused), {"to": [str(refused)]}, code=refused.code) from None


def _channel(auth: AuthorizationRequest, data: dict) -> str:
    channel = data.get("channel") or auth.coverage.payer.preferred_channel
    if not channel:
        raise ValidationFailed.on("channel", "is required: the payer has no preferred channel")
    return channel


def mark_sent(
    actor, auth_id: int, data: dict, now: datetime | None = None, today: date | None = None
):
    """Build the final packet, keep it on the request, mark its letter sent and move the
    request on (submitted; appealed from a denial), audited -> the stored packet.
    data: channel, payer_reference, attachment_ids, override_reason, note."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    kind = _checked_kind(auth, None)
    _check_step(auth, kind)
    channel, rows = _channel(auth, data), _chosen(actor, auth, data.get("attachment_ids"))
    day, moment = today or clock.clinic_today(actor.clinic), now or clock.now_utc()
    letter = letters.draft(actor, auth.id, LETTERS[kind])
    packet = _build(actor, auth, kind, letter.body, rows, channel, day)
    filename = f"{kind}-packet-request-{auth.id}-{day}.pdf"
    stored = attachments.store_generated(
        actor, auth, STORED_KINDS[kind], filename, packet.content, packet.page_count
    )
    letters.mark_sent(actor, letter, stored)
    reference = data.get("payer_reference") or None
    payload = {k: data.get(k) for k in ("override_reason", "note")}
    payload |= {"to": TARGETS[kind].value, "channel": channel, "payer_reference": reference}
    sent = {"packet_id": stored.id, "pages": packet.page_count, "channel": channel}
    sent |= {"attachment_ids": [row.id for row in rows], "payer_reference": reference}
    transitions.transition(actor, auth.id, payload, moment, day, also=sent)
    return stored
