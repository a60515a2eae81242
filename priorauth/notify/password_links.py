"""The email that carries a password link (a reset or an invitation): render, deliver, audit.

The token and the link are services/password_links.py; pages call send_link after committing
the change that prompted it.
"""

from __future__ import annotations

from email.utils import make_msgid

from flask import current_app

from priorauth.models import User
from priorauth.notify.delivery import deliver
from priorauth.notify.render import Rendered, build_message
from priorauth.services import audit
from priorauth.services.password_links import lifetime, link_for

SENT_ACTION = {"reset": "password_reset_sent", "invite": "invite_sent"}


def _render(user: User, purpose: str, link: str) -> Rendered:
    clinic_name = user.clinic.name
    subject = {
        "reset": "Reset your priorauth password",
        "invite": f"You are invited to priorauth at {clinic_name}",
    }[purpose]
    context = {
        "purpose": purpose,
        "subject": subject,
        "link": link,
        "hours": int(lifetime(purpose).total_seconds() // 3600),
        "recipient_name": user.name,
        "clinic_name": clinic_name,
    }
    env = current_app.jinja_env
    text = env.get_template("email/password_link.txt").render(context)
    html = env.get_template("email/password_link.html").render(context)
    return Rendered(subject, text, html)


def send_link(user: User, purpose: str, actor) -> str:
    """Email the user a reset or invitation link; returns where the message went.

    Call it after committing the change that prompted it (an invitation's user must exist);
    it records an audit event, so commit afterwards. Delivery errors propagate.
    """
    rendered = _render(user, purpose, link_for(user, purpose))
    sender = current_app.config["MAIL_FROM"]
    message = build_message(rendered, user.email, sender, make_msgid(domain="priorauth"))
    audit.record(actor, user, SENT_ACTION[purpose])
    return deliver(message)
