"""A digest as an email: subject, plain-text and HTML parts from templates/email/."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from flask import current_app

from priorauth.notify.digest import Digest


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def subject_of(digest: Digest, clinic_name: str) -> str:
    if digest.is_empty:
        return f"{clinic_name} digest for {digest.digest_date}: nothing due"
    noun = "item" if digest.total == 1 else "items"
    return f"{clinic_name} digest for {digest.digest_date}: {digest.total} {noun}"


def context_for(digest: Digest, user, base_url: str) -> dict:
    """What the email templates (and the "my digest" page) are rendered with."""
    clinic_name = user.clinic.name
    return {
        "digest": digest,
        "subject": subject_of(digest, clinic_name),
        "clinic_name": clinic_name,
        "recipient_name": user.name,
        "base_url": base_url.rstrip("/"),
    }


def render(digest: Digest, user, base_url: str | None = None) -> Rendered:
    """Both parts, rendered without a request (the scheduler has none)."""
    if base_url is None:
        base_url = current_app.config["BASE_URL"]
    context = context_for(digest, user, base_url)
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
