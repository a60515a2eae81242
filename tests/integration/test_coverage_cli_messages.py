"""Operators' commands say plainly when there is nothing: no tokens, an empty digest that is
not sent, and what became of a digest already delivered."""

from __future__ import annotations

from priorauth.extensions import db
from tests import factories


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_tokens_of_a_user_without_any_says_so(app_ctx, admin):
    result = cli(app_ctx, "users", "tokens", admin.email)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{admin.email} has no API tokens"


def test_preview_of_an_empty_digest_says_it_is_not_sent(app_ctx, clinic):
    user = factories.user(clinic, "scheduler")
    result = cli(app_ctx, "digests", "preview", user.email)
    assert result.exit_code == 0, result.output
    assert "(empty: this digest is not sent)" in result.stderr
    assert "Subject:" in result.stdout


def test_preview_of_a_sent_digest_shows_its_delivery(app_ctx, clinic):
    user = factories.user(clinic, "billing")
    user.digest_when_empty = True
    db.session.commit()
    sent = cli(app_ctx, "digests", "send")
    assert sent.exit_code == 0, sent.output
    result = cli(app_ctx, "digests", "preview", user.email)
    assert result.exit_code == 0, result.output
    assert "(delivery sent, 1 attempt(s))" in result.stderr
    assert "(empty: this digest is not sent)" not in result.stderr
