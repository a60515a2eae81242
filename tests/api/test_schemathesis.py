"""schemathesis against the real app: every operation of /api/v1/openapi.json, called with
generated valid and invalid input by a signed-in admin of a seeded clinic; each answer must be
no 5xx, a documented status, the documented content type and match its documented schema.

PRIORAUTH_SCHEMATHESIS_EXAMPLES sets the examples per operation and mode (default 12; each
operation gets them with known ids, with generated ids and as invalid input).
"""

from __future__ import annotations

import os
import re

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests import factories

EXAMPLES = int(os.environ.get("PRIORAUTH_SCHEMATHESIS_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Operations left out of the run, each with the reason (none today).
EXCLUDED: dict[str, str] = {}
PATH_PARAMETER = re.compile(r"{(\w+)}")


def _strategy(operation, known_ids: dict):
    """Valid input on the seeded rows, valid input anywhere, and invalid input."""
    names = PATH_PARAMETER.findall(operation.path)
    known = {name: known_ids[name] for name in names if name in known_ids}
    return st.one_of(
        operation.as_strategy(path_parameters=known),
        operation.as_strategy(),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=known),
    )


def _fuzz(operation, client, headers: dict, known_ids: dict) -> tuple[int, list[str]]:
    """Run one operation's examples; answers (cases run, failure reports)."""
    cases, failures = 0, []

    @settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, known_ids))
    def run(case):
        nonlocal cases
        cases += 1
        try:
            case.call_and_validate(session=client, headers=headers, checks=CHECKS)
        except FailureGroup as error:
            if len(failures) < 3:
                failures.append(str(error))

    run()
    return cases, failures


def test_every_operation_keeps_its_documented_contract(
    app, client, admin, seeded, schemathesis_tally
):
    headers = {"Authorization": f"Bearer {factories.token(admin)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = {"cases": 0, "operations": 0, "failures": 0}
    reports: list[str] = []
    for operation in operations:
        if operation.label in EXCLUDED:
            continue
        cases, failures = _fuzz(operation, client, headers, seeded)
        tally["cases"] += cases
        tally["operations"] += 1
        tally["failures"] += len(failures)
        reports += [f"{operation.label}:\n{report}" for report in failures]
    schemathesis_tally[db_name(app)] = tally
    assert tally["operations"] == len(operations) - len(EXCLUDED) >= 20
    assert tally["cases"] >= tally["operations"] * EXAMPLES
    assert not reports, "\n\n".join(reports)


def db_name(app) -> str:
    return app.config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0].split("+")[0]
