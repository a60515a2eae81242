"""The JSON API under /api/v1 (flask-smorest)."""

from __future__ import annotations

BEARER_SCHEME = {"type": "http", "scheme": "bearer"}


def blueprints():
    from priorauth.api import (
        attachments,
        audit,
        authorizations,
        billing,
        clinic,
        codes,
        coverage,
        infusions,
        packets,
        patients,
        payers,
        reminders,
        runway,
    )

    return (
        codes.blp,
        payers.blp,
        patients.blp,
        attachments.blp,
        authorizations.blp,
        packets.blp,
        coverage.blp,
        infusions.blp,
        billing.blp,
        runway.blp,
        reminders.blp,
        clinic.blp,
        audit.blp,
    )


def register_blueprints(app, api) -> None:
    api.spec.components.security_scheme("bearerAuth", BEARER_SCHEME)
    api.spec.options["security"] = [{"bearerAuth": []}]
    for blp in blueprints():
        api.register_blueprint(
            blp, url_prefix=f"/api/v1{blp.url_prefix or ''}", name=f"api_{blp.name}"
        )
