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
        follow_through,
        follow_ups,
        infusions,
        owners,
        packets,
        pas,
        patients,
        payers,
        rates,
        reminders,
        runway,
    )

    return (
        codes.blp,
        payers.blp,
        rates.blp,
        patients.blp,
        attachments.blp,
        authorizations.blp,
        follow_ups.blp,
        owners.blp,
        packets.blp,
        pas.blp,
        coverage.blp,
        infusions.blp,
        billing.blp,
        runway.blp,
        reminders.blp,
        follow_through.blp,
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
