"""Parse HTML form posts with the same marshmallow schemas the API uses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import marshmallow as ma
from flask import g, has_request_context
from werkzeug.datastructures import MultiDict

from priorauth.errors import AppError, Conflict
from priorauth.services import reference
from priorauth.web.wording import worded

NOT_OURS = re.compile(r"^no (\w[\w ]*?) with id (\S+)$")


def _clean(form: MultiDict, schema: ma.Schema, list_fields: tuple[str, ...]) -> dict:
    """Blank inputs become absent; list fields come from comma/space separated text."""
    data: dict = {}
    for key in form:
        if key == "csrf_token" or key not in schema.fields:
            continue
        if key in list_fields:
            raw = " ".join(form.getlist(key)).replace(",", " ")
            data[key] = [part for part in raw.split() if part]
            continue
        value = form.get(key, "").strip()
        if value != "":
            data[key] = value
    return data


def parse_form(schema: ma.Schema, form: MultiDict, list_fields: tuple[str, ...] = (), **extra):
    """-> (data, errors): errors map each field to sentences naming it by its label, for
    display beside the field and in the form's error summary."""
    raw = {**_clean(form, schema, list_fields), **extra}
    try:
        return schema.load(raw), {}
    except ma.ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        return None, failed(worded(messages, schema.fields))


def failed(errors: dict) -> dict:
    """Mark the page as a failed form (its title starts "Error:") when there are errors."""
    if errors and has_request_context():
        g.form_failed = True
    return errors


def _owned_field(errors: dict, fields) -> dict:
    """A row of another clinic ("no payer with id 5" under `id`) is named as the form's
    field for it (payer_id) when the form has one, else as a problem of the whole form."""
    if "id" not in errors:
        return errors
    rest = {k: v for k, v in errors.items() if k != "id"}
    for message in errors["id"]:
        what, ident = m.groups() if (m := NOT_OURS.match(str(message))) else ("record", "")
        field = what.replace(" ", "_") + "_id"
        key = field if field in (fields or ()) else "_"
        sentence = f"There is no {what} {ident} in this clinic: choose one from the list"
        rest.setdefault(key, []).append(" ".join(sentence.split()))
    return rest


def service_errors(error: AppError, fields=None) -> dict:
    """A service refusal as sentences beside its fields; a conflict also says what happened
    on top of the form (`_`)."""
    errors = _owned_field(dict(error.errors), fields)
    said = [str(m) for v in errors.values() for m in v if str(m) in error.message]
    if "_" not in errors and (not errors or (isinstance(error, Conflict) and not said)):
        errors = {"_": [error.message], **errors}
    return failed(worded(errors, fields if isinstance(fields, Mapping) else None))


def safe_next(target: str | None) -> str | None:
    """A relative path on this site, or None: never follow a ?next= to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def refusal_errors(error: AppError, fields) -> dict:
    """A service refusal as errors beside known fields; the rest goes on top of the form."""
    errors = service_errors(error, fields)
    shown = {k: v for k, v in errors.items() if k in fields}
    rest = [m for k, v in errors.items() if k not in fields for m in v]
    if rest or not shown:
        shown["_"] = rest or worded({"_": [error.message]})["_"]
    return shown


def blanks_as_none(schema, form) -> dict:
    """Optional fields left empty become None, so saving a form can clear a value."""
    return {
        name: None
        for name, field in schema.fields.items()
        if field.allow_none and not field.dump_only and not form.get(name, "").strip()
    }


def code_options() -> list[tuple[str, str]]:
    """The drug code catalog as select options: code — brand."""
    return [(c.code, f"{c.code} — {c.brand}") for c in reference.catalog()]


def search_text(raw: str | None, limit: int = 100) -> str:
    """Typed search text safe for any database: no NUL or lone surrogates, trimmed, capped."""
    kept = "".join(c for c in raw or "" if c != "\x00" and not 0xD800 <= ord(c) <= 0xDFFF)
    return kept.strip()[:limit]


OVER_APPROVAL = 1.5  # approving more than 1.5 x the units requested asks "are you sure?"
CONFIRM_UNITS = "confirm_units"


def unconfirmed_over_approval(data: dict, units_requested: int | None, form) -> dict:
    """{} when the approved units are plausible or the user ticked the confirm box; else an
    error asking to confirm (the form comes back with the box). A typo like 10000 for 1000
    is far more likely than a payer approving 7 times the request."""
    approved = data.get("approved_units")
    if not approved or not units_requested or approved <= OVER_APPROVAL * units_requested:
        return {}
    if form.get(CONFIRM_UNITS) == "yes":
        return {}
    return failed(
        {
            "approved_units": [
                f"Approved units ({approved:,}) is more than {OVER_APPROVAL:g} times the "
                f"{units_requested:,} requested: check the number, or tick the box to confirm it."
            ],
            CONFIRM_UNITS: [],
        }
    )
