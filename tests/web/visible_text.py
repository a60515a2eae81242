"""What a person reads on a page or in an email: the text outside tags, scripts and styles,
and the checks that no raw dict, snake_case field name or UPPER_CASE reason code shows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import marshmallow as ma

from priorauth import schemas
from priorauth.schemas import audit, authorizations, clinics, infusions, patients, payers

REASON_CODE = re.compile(r"\b[A-Z]{2,}(_[A-Z]+)+\b")
SNAKE_WORD = re.compile(r"\b\w*_\w*\b")
HIDDEN = {"script", "style", "template"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in HIDDEN

    def handle_endtag(self, tag):
        self.hidden -= tag in HIDDEN and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's text as a browser shows it (tags, scripts and styles left out)."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


def schema_field_names() -> set[str]:
    """Every snake_case field name of every schema the app parses or answers with."""
    names: set[str] = set()
    for module in (schemas, audit, authorizations, clinics, infusions, patients, payers):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, ma.Schema):
                names |= {n for n in value._declared_fields if "_" in n}
    return names


FIELD_NAMES = schema_field_names()


def text_problems(text: str) -> list[str]:
    """What a reader should never see: braces, schema field names, reason codes."""
    found = []
    if "{" in text or "}" in text:
        at = text.find("{") if "{" in text else text.find("}")
        found.append(f"a brace: ...{text[max(0, at - 60) : at + 60]}...")
    found += [f"field name {w!r}" for w in set(SNAKE_WORD.findall(text)) if w in FIELD_NAMES]
    found += [f"reason code {m.group(0)!r}" for m in REASON_CODE.finditer(text)]
    return found


def page_problems(html: str) -> list[str]:
    return text_problems(visible_text(html))
