"""A patient's runway projected over a loaded state (services/coverage.load_states): the
booked infusions in date order, each checked as the earlier ones spend units. The rules are
domain/runway.py's; the pages' view of it is queries/runway.py, the stored badges
services/attention.py."""

from __future__ import annotations

from decimal import Decimal

from priorauth.domain import runway as rules
from priorauth.domain.vocab import InfusionStatus
from priorauth.models import Infusion
from priorauth.services.coverage import (
    PatientState,
    auth_facts,
    coverage_windows,
    infusion_facts,
)


def booked(state: PatientState) -> list[Infusion]:
    return [i for i in state.infusions if i.status == InfusionStatus.SCHEDULED]


def project(state: PatientState, mg_per_unit: dict) -> rules.Runway:
    """The domain's runway over the state's booked infusions (no queries)."""
    return rules.project_runway(
        [_planned(i, mg_per_unit) for i in booked(state)],
        [auth_facts(a, state.clinic) for a in state.authorizations],
        [infusion_facts(i) for i in state.infusions],
        coverage_windows(state),
    )


def _planned(infusion: Infusion, mg_per_unit: dict) -> rules.PlannedInfusion:
    return rules.PlannedInfusion(
        infusion.id,
        infusion.hcpcs_code,
        infusion.scheduled_at.date(),
        Decimal(infusion.dose_mg),
        mg_per_unit[infusion.hcpcs_code],
    )
