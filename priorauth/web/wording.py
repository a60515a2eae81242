"""Errors in words for the pages: each message names its field by the label a person reads
("End date must be on or after the start date."), list items by their position ("Diagnosis 2:
'XYZ' is not an ICD-10-CM code ..."), and never shows a field name, a raw dict or a schema's
phrasing ("less than or equal to 10000000"). The API keeps its own field-keyed messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from priorauth.schemas.labels import FIELD_LABELS, field_label, item_label

FORM_KEYS = ("_", "_schema", "body")  # errors about the whole form, not one field
PHRASE_VERBS = {"must", "is", "are", "may", "cannot", "can", "has", "should", "needs", "was"}
ORDERED = re.compile(r"\b(on or after|on or before|after|before) ([a-z]+)$")  # a date field
SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _number(text: str) -> str:
    """10000000 -> 10,000,000 (a number to read, not a schema bound)."""
    try:
        value = float(text)
    except ValueError:
        return text
    return f"{value:,.0f}" if value.is_integer() else text


def _between(low: str, high: str) -> str:
    return f"must be between {_number(low)} and {_number(high)}"


# marshmallow's phrasings -> the rest of a sentence that starts with the label
_REWORDS: list[tuple[re.Pattern, Callable[..., str]]] = [
    (r"Missing data for required field\.|Field may not be null\.", lambda: "is required"),
    (r"Not a valid integer\.", lambda: "must be a whole number"),
    (
        r"Not a valid number\.|Special numeric values .*|Number too large\.",
        lambda: "must be a number",
    ),
    (
        r"Not a valid date\.|.* cannot be formatted as a date\.",
        lambda: "must be a date written as YYYY-MM-DD (e.g. 2025-03-01)",
    ),
    (
        r"Not a valid (?:naive |aware )?datetime\.|.* cannot be formatted as a datetime\.",
        lambda: "must be a date and time, e.g. 2025-03-01T09:30",
    ),
    (r"Not a valid boolean\.", lambda: "must be yes or no"),
    (r"Not a valid (?:utf-8 )?string\.|Invalid input type\.", lambda: "must be text"),
    (r"Not a valid list\.", lambda: "must be a list"),
    (r"Unknown field\.", lambda: "is not part of this form"),
    (r"Invalid value\.", lambda: "is not a valid value"),
    (r"Must be one of: .*\.", lambda: "must be one of the choices offered"),
    (r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\.", _between),
    (r"must be an id between (\S+) and (\S+)", lambda low, high: "must be chosen from the list"),
    (r"Must be greater than or equal to (\S+)\.", lambda n: f"must be at least {_number(n)}"),
    (r"Must be less than or equal to (\S+)\.", lambda n: f"must be at most {_number(n)}"),
    (r"Must be greater than (\S+)\.", lambda n: f"must be more than {_number(n)}"),
    (r"Must be less than (\S+)\.", lambda n: f"must be less than {_number(n)}"),
    (
        r"Length must be between (\d+) and (\d+)\.",
        lambda a, b: f"must be {_number(a)} to {_number(b)} characters long",
    ),
    (
        r"Shorter than minimum length (\d+)\.",
        lambda n: f"must be at least {_number(n)} characters long",
    ),
    (
        r"Longer than maximum length (\d+)\.",
        lambda n: f"must be at most {_number(n)} characters long",
    ),
    (r"must be at most (\d+)", lambda n: f"must be at most {_number(n)}"),
    (r"no \w[\w ]* with id \S+", lambda: "is not one of this clinic's; choose one from the list"),
]
REWORDS = [(re.compile(f"^{pattern}$"), make) for pattern, make in _REWORDS]


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def _names_in_words(text: str, labels: Callable[[str], str]) -> str:
    """Another field named inside a message ("on or after start_date") by its label."""

    def label(match: re.Match) -> str:
        name = match.group(0)
        if name in FIELD_LABELS or labels(name) != field_label(name):
            return "the " + _lower_first(labels(name))
        return name.replace("_", " ")  # a value, not a field: front_desk -> front desk

    def after(match: re.Match) -> str:
        name = match.group(2)
        known = name in FIELD_LABELS or labels(name) != field_label(name)
        return f"{match.group(1)} the {_lower_first(labels(name))}" if known else match.group(0)

    return ORDERED.sub(after, SNAKE.sub(label, text))


def _lower_first(label: str) -> str:
    """ "Start date" -> "start date"; "MRN" and "HCPCS code" keep their capitals."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def reworded(message: str, label: str | None, labels: Callable[[str], str]) -> str:
    """One message as a sentence; `label` starts it when the message is about one field."""
    text = str(message).strip()
    for pattern, make in REWORDS:
        if match := pattern.match(text):
            text = make(*match.groups())
            break
    text = _names_in_words(text, labels)
    if label is not None and text.split(" ", 1)[0] in PHRASE_VERBS:
        return _sentence(f"{label} {text}")
    if label is None or label.lower() in text.lower():  # it names its field already
        return _sentence(text)
    return _sentence(f"{label}: {text[:1].upper()}{text[1:]}")


def _messages(value) -> list:
    return value if isinstance(value, list | tuple) else [value]


def worded(errors: Mapping, fields: Mapping | None = None) -> dict[str, list[str]]:
    """{field: [sentence, ...]} from marshmallow's or a service's errors; list-item errors
    ({"diagnosis_codes": {1: [...]}}) stay under the list's field, naming the item."""
    fields = fields or {}

    def labels(name: str) -> str:
        return field_label(name, fields.get(name) if isinstance(fields, Mapping) else None)

    out: dict[str, list[str]] = {}
    for key, value in errors.items():
        key = "_" if key in FORM_KEYS else str(key)
        label = None if key == "_" else labels(key)
        if isinstance(value, Mapping):
            items = item_label(key, fields.get(key) if isinstance(fields, Mapping) else None)
            found = [
                _item(items, index, m, labels) for index, ms in value.items() for m in _messages(ms)
            ]
        else:
            found = [reworded(m, label, labels) for m in _messages(value)]
        out.setdefault(key, []).extend(m for m in found if m not in out.get(key, []))
    return out


def _item(items: str, index, message, labels) -> str:
    """ "Diagnosis 2: 'XYZ' is not an ICD-10-CM code ..." (positions counted from 1)."""
    where = f"{items} {int(index) + 1}" if str(index).isdigit() else items
    if isinstance(message, Mapping):
        return _sentence(f"{where}: " + " ".join(m for ms in worded(message).values() for m in ms))
    return reworded(message, where, labels)
