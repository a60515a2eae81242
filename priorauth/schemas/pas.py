"""Da Vinci PAS: the ClaimResponse a payer answered, as the body of POST .../pas-response."""

from __future__ import annotations

import marshmallow as ma


class ClaimResponseBodySchema(ma.Schema):
    """A FHIR R4 ClaimResponse (JSON). Only its resourceType is checked here: the rest is
    parsed by fhir.resources in services/pas_response.py, which names each wrong element."""

    class Meta:
        unknown = ma.INCLUDE

    resourceType = ma.fields.String(  # noqa: N815 (FHIR's spelling)
        required=True,
        validate=ma.validate.Equal("ClaimResponse"),
        metadata={"description": "ClaimResponse; the other elements are FHIR R4's"},
    )
