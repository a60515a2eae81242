"""Parse HTML form posts with the same marshmallow schemas the API uses."""

from __future__ import annotations

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from priorauth.errors import AppError


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
