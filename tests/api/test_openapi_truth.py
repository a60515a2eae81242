"""openapi.json tells the truth: decimals are strings, date-times carry an offset, and field
errors are one level deep, as documented."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from priorauth.api.errors import flatten_fields
from priorauth.extensions import db
from priorauth.models import Infusion
from tests import factories
from tests.api import builders as b
from tests.api.builders import TODAY, iso

JSON_TYPES = {
    "string": str,
    "integer": int,
    "boolean": bool,
    "array": list,
    "object": dict,
    "number": (int, float),
}
WITH_OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")
PATH_PARAMETER = re.compile(r"{(\w+)}")


def _resolve(schema: dict, spec: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _problems(value, schema: dict, spec: dict, where: str, seen: dict) -> list[str]:
    """Where `value` differs from its documented schema (type, pattern, date-time offset)."""
    schema = _resolve(schema, spec)
    if value is None:
        nullable = schema.get("nullable") or any(s.get("nullable") for s in schema.get("anyOf", []))
        return [] if nullable or not schema else [f"{where}: null but not nullable"]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if not s.get("nullable")]
        return _problems(value, options[0], spec, where, seen) if options else []
    kind = schema.get("type")
    if kind is None:
        return []
    expected = JSON_TYPES[kind]
    if not isinstance(value, expected) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{where}: {value!r} is not {kind}"]
    if kind == "array":
        items = schema.get("items", {})
        return [p for i, v in enumerate(value) for p in _problems(v, items, spec, where, seen)]
    if kind == "object":
        props = schema.get("properties", {})
        return [
            p
            for k, v in value.items()
            for p in _problems(v, props.get(k, {}), spec, f"{where}.{k}", seen)
        ]
    return _string_problems(value, schema, where, seen) if kind == "string" else []


def _string_problems(value: str, schema: dict, where: str, seen: dict) -> list[str]:
    seen[schema.get("format") or ("decimal" if "pattern" in schema else "string")] += 1
    if "pattern" in schema and not re.search(schema["pattern"], value):
        return [f"{where}: {value!r} does not match {schema['pattern']}"]
    if schema.get("format") == "date-time" and not WITH_OFFSET.search(value):
        return [f"{where}: {value!r} has no offset"]
    return []


def _walk_properties(node, found: list, where: str = "") -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dict) and value.get("type") == "number":
                found.append(f"{where}/{key}")
            _walk_properties(value, found, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_properties(value, found, f"{where}/{i}")


def test_no_property_is_documented_as_a_number(client):
    """Every decimal is answered as a string, so none may be documented as a number."""
    spec = client.get("/api/v1/openapi.json").get_json()
    numbers: list[str] = []
    _walk_properties(spec, numbers)
    assert numbers == []
    infusion = spec["components"]["schemas"]["Infusion"]["properties"]
    assert infusion["dose_mg"] == {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}
    assert infusion["scheduled_at"]["format"] == "date-time"


def _get_operations(spec: dict, ids: dict):
    """Every GET of the spec whose path parameters the seeded clinic can fill."""
    for path, item in spec["paths"].items():
        names = PATH_PARAMETER.findall(path)
        if "get" in item and path != "/api/v1/openapi.json" and set(names) <= set(ids):
            yield path, path.format(**ids), item["get"]


def test_every_answer_of_a_seeded_clinic_matches_its_documented_types(api, seeded):
    spec = api.get("/api/v1/openapi.json").get_json()
    checked, problems = [], []
    seen = {"date-time": 0, "date": 0, "decimal": 0, "string": 0}
    for template, url, operation in _get_operations(spec, seeded):
        response = api.get(url)
        assert response.status_code == 200, (url, response.get_json())
        if "application/json" not in operation["responses"]["200"]["content"]:
            continue  # a download (the packet's PDF): no JSON to check
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        problems += _problems(response.get_json(), schema, spec, template, seen)
        checked.append(template)
    eligibility = api.post(
        f"/api/v1/infusions/{seeded['infusion_id']}/eligibility",
        json={"method": "phone", "result": "active"},
    )
    schema = spec["components"]["schemas"]["Eligibility"]
    problems += _problems(eligibility.get_json(), schema, spec, "eligibility", seen)
    assert problems == []
    assert len(checked) >= 15, checked
    assert seen["date-time"] >= 10 and seen["decimal"] >= 10, seen


def _clinic_api(client, zone: str):
    clinic = factories.clinic(timezone=zone)
    return factories.ApiClient(client, factories.token(factories.user(clinic, "admin")))


def _utc_text(local: datetime, zone: str) -> str:
    moment = local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat() + "Z"


def test_clinic_times_are_answered_in_utc_and_read_with_or_without_an_offset(app_ctx, client):
    zone = "America/New_York"
    api = _clinic_api(client, zone)
    patient, _ = b.approved_auth(api, dose="100", units=500)
    day = TODAY + timedelta(days=3)
    naive = api.post(
        "/api/v1/infusions",
        json={
            "patient_id": patient["id"],
            "hcpcs_code": "J1439",
            "dose_mg": 100,
            "scheduled_at": f"{iso(day)}T10:00:00",
        },
    ).get_json()
    local = datetime.fromisoformat(f"{iso(day)}T10:00:00")
    assert naive["scheduled_at"] == _utc_text(local, zone)
    assert naive["dose_mg"] == "100.000"
    moved = api.patch(
        f"/api/v1/infusions/{naive['id']}", json={"scheduled_at": f"{iso(day)}T16:00:00+02:00"}
    ).get_json()
    assert moved["scheduled_at"] == f"{iso(day)}T14:00:00Z"
    runway = api.get(f"/api/v1/patients/{patient['id']}/runway").get_json()
    assert [s["scheduled_at"] for s in runway["steps"]] == [f"{iso(day)}T14:00:00Z"]
    given_utc = datetime.fromisoformat(f"{iso(day)}T14:00:00+00:00")
    clinic_local = given_utc.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    assert db.session.get(Infusion, naive["id"]).scheduled_at == clinic_local


def test_stored_timestamps_are_answered_in_utc(api, seeded):
    auth = api.get(f"/api/v1/authorizations/{seeded['auth_id']}").get_json()
    submitted = datetime.fromisoformat(auth["submitted_at"].replace("Z", "+00:00"))
    assert auth["submitted_at"].endswith("Z")
    assert abs(datetime.now(UTC) - submitted) < timedelta(minutes=5)


def test_list_item_errors_are_named_by_index(api, seeded):
    body = {
        "patient_id": seeded["patient_id"],
        "coverage_id": 1,
        "hcpcs_code": "J1439",
        "diagnosis_codes": ["D50.9", "50.9", "not a code"],
        "dose_mg": "750",
        "administrations": 2,
        "requested_start": iso(TODAY),
        "requested_end": iso(TODAY + timedelta(days=30)),
    }
    errors = api.post("/api/v1/authorizations", json=body).get_json()["errors"]
    assert sorted(errors) == ["diagnosis_codes[1]", "diagnosis_codes[2]"]
    assert all(isinstance(m, str) for messages in errors.values() for m in messages)
    policy = api.put(
        f"/api/v1/payers/{seeded['payer_id']}/policies/J1439",
        json={"accepted_diagnoses": ["D50.9", 7], "preferred_codes": ["J14"]},
    )
    assert policy.status_code == 422
    assert set(policy.get_json()["errors"]) == {"accepted_diagnoses[1]", "preferred_codes[0]"}


def test_nested_errors_are_flattened_to_paths():
    nested = {"items": {0: {"code": ["bad"]}, 2: ["not an object"]}, "dose_mg": ["too big"]}
    assert flatten_fields(nested) == {
        "items[0].code": ["bad"],
        "items[2]": ["not an object"],
        "dose_mg": ["too big"],
    }


def test_decimals_are_read_from_numbers_and_strings_and_answered_as_strings(api, seeded):
    question = {
        "patient_id": seeded["patient_id"],
        "hcpcs_code": "J1439",
        "service_date": iso(TODAY + timedelta(days=1)),
    }
    as_number = api.post("/api/v1/coverage-check", json={**question, "dose_mg": 99.5})
    as_string = api.post("/api/v1/coverage-check", json={**question, "dose_mg": "99.5"})
    assert as_number.status_code == as_string.status_code == 200
    assert as_number.get_json() == as_string.get_json()
    codes = {c["code"]: c for c in api.get("/api/v1/codes").get_json()}
    assert codes["J1439"]["mg_per_unit"] == "1.000"
