"""A request's letters (medical necessity, appeal) and the clinic's letter templates.

GET never writes: with no letter yet the page shows the text a draft would have, and Save
drafts and stores it in one step."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.domain.letters import PLACEHOLDERS
from priorauth.domain.vocab import LetterKind
from priorauth.errors import Conflict, ValidationFailed
from priorauth.permissions import EDIT_LETTER_TEMPLATES, EDIT_LETTERS, may, role_required
from priorauth.services import authorizations, clock, letters
from priorauth.web.commit import committed
from priorauth.web.forms import failed, service_errors

bp = Blueprint("letters", __name__)


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user."""


def _errors(refusal, label: str) -> dict:
    """A refusal naming "body" shown beside the text field (`text`), in words."""
    said = refusal.errors.get("body") if isinstance(refusal.errors, dict) else None
    if said:
        return failed({"text": [f"{label} {message}." for message in said]})
    return service_errors(refusal)


def _kind(kind: str) -> LetterKind:
    if kind not in LetterKind.values():
        abort(404)
    return LetterKind(kind)


def _auth(auth_id: int):
    today = clock.clinic_today(current_user.clinic)
    return authorizations.get_authorization(current_user.clinic_id, auth_id, today).auth


def _letter_page(auth, kind: LetterKind, body: str | None = None, errors=None, status=200):
    letter = letters.current(current_user.clinic_id, auth.id, kind)
    unsent = letter is not None and letter.sent_at is None
    refusal = None
    if body is None and letter is not None:
        body = letter.body
    if body is None:
        body, refusal = _unsaved_draft(auth, kind)
    return render_template(
        "letters/letter.html",
        auth=auth,
        kind=kind,
        letter=letter,
        body=body,
        saved=unsent,
        errors=errors or (service_errors(refusal) if refusal else {}),
        can_edit=may(EDIT_LETTERS) and not (kind == LetterKind.APPEAL and not auth.denial_reason),
        sent=letters.sent_letters(current_user.clinic_id, auth.id),
    ), status


def _unsaved_draft(auth, kind: LetterKind):
    """The text a draft would have, or the refusal (an appeal of a request not denied)."""
    if kind == LetterKind.APPEAL and not auth.denial_reason:
        return "", Conflict("only a denied request has an appeal letter", code="NOT_DENIED")
    template = letters.template_for(current_user.clinic_id, kind)
    return letters.preview(current_user.clinic_id, kind, template, auth.id), None


@bp.get("/authorizations/<int:auth_id>/letters/<kind>")
def letter(auth_id: int, kind: str):
    return _letter_page(_auth(auth_id), _kind(kind))


@bp.post("/authorizations/<int:auth_id>/letters/<kind>")
@role_required(EDIT_LETTERS)
def save(auth_id: int, kind: str):
    """Save the text (drafting the letter first when there is none); `new` starts a fresh
    draft after the last one was sent."""
    auth, kind = _auth(auth_id), _kind(kind)
    body = request.form.get("text", "")

    def use_case():
        drafted = letters.draft(current_user, auth.id, kind)
        if "new" in request.form:
            return drafted
        return letters.edit(current_user, drafted.id, body)

    saved, refusal = committed(use_case)
    if refusal is None:
        flash(f"{kind.label} saved.", "success")
        return redirect(url_for("letters.letter", auth_id=auth.id, kind=kind.value))
    return _letter_page(_auth(auth_id), kind, body, _errors(refusal, "The letter"), refusal.status)


def _templates_page(forms=None, previews=None, errors=None, status=200):
    clinic_id = current_user.clinic_id
    kinds = [
        {
            "kind": kind,
            "body": (forms or {}).get(kind) or letters.template_for(clinic_id, kind),
            "custom": letters.is_customized(clinic_id, kind),
            "preview": (previews or {}).get(kind),
            "errors": (errors or {}).get(kind, {}),
        }
        for kind in LetterKind
    ]
    return render_template(
        "letters/templates.html",
        kinds=kinds,
        placeholders=PLACEHOLDERS,
        can_edit=may(EDIT_LETTER_TEMPLATES),
    ), status


@bp.get("/clinic/letters")
def templates():
    return _templates_page()


@bp.post("/clinic/letters/<kind>")
@role_required(EDIT_LETTER_TEMPLATES)
def save_template(kind: str):
    """action=preview renders the text with a sample request; save stores it; reset goes
    back to the product's wording."""
    kind, body = _kind(kind), request.form.get("text", "")
    action = request.form.get("action", "save")
    if action == "preview":
        try:
            shown = letters.preview(current_user.clinic_id, kind, body)
        except ValidationFailed as refusal:
            return _templates_page(
                {kind: body}, errors={kind: _errors(refusal, "The template")}, status=422
            )
        return _templates_page({kind: body}, previews={kind: shown})
    if action == "reset":
        use_case = lambda: letters.reset_template(current_user, kind)  # noqa: E731
    else:
        use_case = lambda: letters.save_template(current_user, kind, body)  # noqa: E731
    _, refusal = committed(use_case)
    if refusal is None:
        flash(f"{kind.label} template {'reset' if action == 'reset' else 'saved'}.", "success")
        return redirect(url_for("letters.templates") + f"#{kind.value}")
    return _templates_page(
        {kind: body}, errors={kind: _errors(refusal, "The template")}, status=422
    )
