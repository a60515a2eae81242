"""A digest as an email: subject, plain-text and HTML parts from templates/email/."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app

from priorauth.domain.digests import Digest, email_context


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def context_for(digest: Digest, user, base_url: str, links: dict | None = None) -> dict:
    """What the email templates are rendered with (domain/digests.email_context); links:
    each reminder's acknowledge and reassign tokens (services/action_links.issue)."""
    return {**email_context(digest, user.clinic.name, user.name, base_url), "links": links or {}}


def render(digest: Digest, user, base_url: str | None = None, links: dict | None = None):
    """Both parts, rendered without a request (the scheduler has none)."""
    if base_url is None:
        base_url = current_app.config["BASE_URL"]
    context = context_for(digest, user, base_url, links)
    env = current_app.jinja_env
    text = env.get_template("email/digest.txt").render(context)
    html = env.get_template("email/digest.html").render(context)
    return Rendered(context["subject"], text, html)


def build_message(rendered: Rendered, to: str, sender: str, message_id: str) -> EmailMessage:
    """A multipart/alternative message; a stable Message-ID per delivery row."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message
