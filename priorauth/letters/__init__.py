"""Letter bodies: the product's default templates (the .txt files here) and their sandboxed
rendering. A template sees only the plain values of domain/letters.py: no app object, no
attribute of Python's internals (jinja2.sandbox), no unknown name (StrictUndefined)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from priorauth.domain.vocab import LetterKind

HERE = Path(__file__).parent


class TemplateRefused(ValueError):
    """A template that does not render: a syntax error, an unknown name, an unsafe access."""


@cache
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        autoescape=False, undefined=StrictUndefined, keep_trailing_newline=True
    )


def default_body(kind: str) -> str:
    """The product's template of a letter kind."""
    return (HERE / f"{LetterKind(kind).value}.txt").read_text(encoding="utf-8")


def render(body: str, context: dict[str, Any]) -> str:
    """The letter's text; TemplateRefused says why a template cannot render."""
    try:
        return _environment().from_string(body).render(context)
    except TemplateError as error:
        raise TemplateRefused(_why(error)) from error


def _why(error: TemplateError) -> str:
    line = getattr(error, "lineno", None)
    where = f" (line {line})" if line else ""
    return f"{error.message or type(error).__name__}{where}"
