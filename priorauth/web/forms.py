"""Parse HTML form posts with the same marshmallow schemas the API uses."""

from __future__ import annotations

from urllib.parse import urlsplit

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from priorauth.errors import AppError, Conflict
from priorauth.services import reference


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
    """-> (data, errors): errors map each field to its messages, for display beside the field."""
    raw = {**_clean(form, schema, list_fields), **extra}
    try:
        return schema.load(raw), {}
    except ma.ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"_": error.messages}
        return None, {k: v if isinstance(v, list) else [str(v)] for k, v in messages.items()}


def service_errors(error: AppError) -> dict:
    """A service refusal as field errors (or a form-level `_` error)."""
    return error.errors or {"_": [error.message]}


def safe_next(target: str | None) -> str | None:
    """A relative path on this site, or None: never follow a ?next= to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def refusal_errors(error: AppError, fields) -> dict:
    """A service refusal as errors beside known fields; the rest goes on top of the form."""
    errors = service_errors(error)
    shown = {k: v for k, v in errors.items() if k in fields}
    rest = [m for k, v in errors.items() if k not in fields for m in v]
    if isinstance(error, Conflict) and error.message not in rest:
        rest.insert(0, error.message)
    if rest or not shown:
        shown["_"] = rest or [error.message]
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
