"""Letters of a request: drafted from the clinic's template (or the product's), edited until
sent, then kept as sent. Flushes, never commits; every change audited (docs/domain.md,
"Letters")."""

from __future__ import annotations

import sqlalchemy as sa

from priorauth import letters as bodies
from priorauth.domain.vocab import LetterKind
from priorauth.errors import Conflict, ValidationFailed
from priorauth.extensions import db
from priorauth.models import Attachment, AuthorizationRequest, Clinic, Letter, LetterTemplate
from priorauth.models.base import utcnow
from priorauth.services import audit
from priorauth.services.letter_context import context_of, sample_context
from priorauth.services.scope import get_owned, scoped

MAX_BODY = 50_000


def _kind(kind: str) -> LetterKind:
    if kind not in LetterKind.values():
        raise ValidationFailed.on("kind", f"must be one of: {', '.join(LetterKind.values())}")
    return LetterKind(kind)


def _clean(body: str | None) -> str:
    text = (body or "").replace("\r\n", "\n")
    if not text.strip():
        raise ValidationFailed.on("body", "must not be blank")
    if len(text) > MAX_BODY:
        raise ValidationFailed.on("body", f"must be at most {MAX_BODY} characters")
    return text


def _render(body: str, context: dict) -> str:
    try:
        return bodies.render(body, context)
    except bodies.TemplateRefused as refusal:
        raise ValidationFailed.on("body", f"does not render: {refusal}") from None


def get_letter(clinic_id: int, letter_id: int) -> Letter:
    return get_owned(Letter, letter_id, clinic_id, what="letter")


def current(clinic_id: int, auth_id: int, kind: str) -> Letter | None:
    """The request's unsent letter of this kind, else its last sent one, else None."""
    query = (
        scoped(Letter, clinic_id)
        .where(Letter.authorization_id == auth_id, Letter.kind == _kind(kind).value)
        .order_by(Letter.sent_at.is_not(None), Letter.id.desc())
    )
    return db.session.scalars(query.limit(1)).first()


def sent_letters(clinic_id: int, auth_id: int) -> list[Letter]:
    query = scoped(Letter, clinic_id).where(
        Letter.authorization_id == auth_id, Letter.sent_at.is_not(None)
    )
    return list(db.session.scalars(query.order_by(Letter.sent_at.desc())))


def draft(actor, auth_id: int, kind: str) -> Letter:
    """The request's current unsent letter of this kind, drafted from the template when there
    is none (an appeal letter needs a denial to answer)."""
    auth = get_owned(AuthorizationRequest, auth_id, actor.clinic_id, what="authorization")
    kind = _kind(kind)
    found = current(actor.clinic_id, auth.id, kind)
    if found is not None and found.sent_at is None:
        return found
    if kind == LetterKind.APPEAL and not auth.denial_reason:
        raise Conflict("only a denied request has an appeal letter", code="NOT_DENIED")
    body = _render(template_for(actor.clinic_id, kind), context_of(auth))
    letter = Letter(
        clinic_id=actor.clinic_id,
        authorization_id=auth.id,
        kind=kind.value,
        body=body,
        created_by_id=actor.id,
    )
    return audit.added(actor, letter, "drafted", changes={"kind": kind.value})


def edit(actor, letter_id: int, body: str) -> Letter:
    """A new text for an unsent letter; a sent letter is kept as it was sent."""
    letter = get_letter(actor.clinic_id, letter_id)
    if letter.sent_at is not None:
        raise Conflict(
            f"this letter was sent on {letter.sent_at:%Y-%m-%d}: it is kept as sent",
            code="LETTER_SENT",
        )
    audit.apply_changes(actor, letter, {"body": _clean(body)})
    return letter


def mark_sent(actor, letter: Letter, packet: Attachment | None) -> Letter:
    """Record that the letter went to the payer (in `packet`, the PDF kept as sent)."""
    if letter.clinic_id != actor.clinic_id:
        get_letter(actor.clinic_id, letter.id)  # another clinic's letter: not found
    if letter.sent_at is not None:
        raise Conflict("this letter was already sent", code="LETTER_SENT")
    letter.sent_at = utcnow()
    letter.packet_id = packet.id if packet is not None else None
    audit.record(actor, letter, "sent", changes={"packet_id": letter.packet_id})
    return letter


def _template_row(clinic_id: int, kind: str) -> LetterTemplate | None:
    query = scoped(LetterTemplate, clinic_id).where(LetterTemplate.kind == _kind(kind).value)
    return db.session.scalars(query).first()


def template_for(clinic_id: int, kind: str) -> str:
    """The clinic's template of this kind, or the product's default."""
    row = _template_row(clinic_id, kind)
    return row.body if row is not None else bodies.default_body(kind)


def is_customized(clinic_id: int, kind: str) -> bool:
    return _template_row(clinic_id, kind) is not None


def save_template(actor, kind: str, body: str) -> LetterTemplate:
    """The clinic's own wording of a kind (admins; the page checks the role); refused, naming
    "body", unless it renders in the sandbox with a sample request."""
    text = _clean(body)
    _render(text, sample_context(db.session.get(Clinic, actor.clinic_id)))
    row = _template_row(actor.clinic_id, kind)
    if row is None:
        row = LetterTemplate(
            clinic_id=actor.clinic_id, kind=_kind(kind).value, body=text, updated_by_id=actor.id
        )
        return audit.added(actor, row, changes={"kind": row.kind})
    row.updated_by_id = actor.id
    audit.apply_changes(actor, row, {"body": text})
    return row


def reset_template(actor, kind: str) -> None:
    """Back to the product's default wording (the clinic's row is removed, audited)."""
    row = _template_row(actor.clinic_id, kind)
    if row is not None:
        audit.record(actor, row, "deleted", changes={"kind": row.kind})
        db.session.execute(sa.delete(LetterTemplate).where(LetterTemplate.id == row.id))


def preview(clinic_id: int, kind: str, body: str, auth_id: int | None = None) -> str:
    """A template's text rendered with a request's values (or a sample request's)."""
    _kind(kind)
    if auth_id is None:
        context = sample_context(db.session.get(Clinic, clinic_id))
    else:
        auth = get_owned(AuthorizationRequest, auth_id, clinic_id, what="authorization")
        context = context_of(auth)
    return _render(_clean(body), context)
