"""The demo's data files (*.toml beside this module), read once into plain values.

Numbers stay as written in the files; the seeder turns day offsets into dates and
quantities into Decimals.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent
LAST_MONTH_END = "last_month_end"
DECIMAL_FIELDS = (  # policy fields stored as Numeric: mg and lab limits
    "ferritin_max",
    "tsat_max",
    "ferritin_max_ckd",
    "tsat_max_ckd",
    "hemoglobin_max",
    "max_mg_per_dose",
    "max_mg_per_authorization",
)
LIMIT_FIELDS = (
    "max_mg_per_dose",
    "max_mg_per_authorization",
    "max_administrations",
    "min_days_between_doses",
)


class DemoUser(NamedTuple):
    mailbox: str
    name: str
    role: str


def load(name: str) -> dict:
    with (HERE / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


def _criteria(sets: dict, key: str) -> dict:
    """A criteria set with its base's fields under its own; `unset` fields become None."""
    fields = dict(sets[key])
    base = _criteria(sets, fields.pop("base")) if "base" in fields else {}
    cleared = dict.fromkeys(fields.pop("unset", ()))
    return {**base, **fields, **cleared}


def _policy(row: dict, sets: dict, diagnoses: dict) -> dict:
    """One policy's fields as the payers service takes them."""
    policy = _criteria(sets, row["criteria"]) if "criteria" in row else {}
    extra = {k: v for k, v in row.items() if k not in ("payer", "code", "criteria", "limits")}
    policy.update(extra)
    if "limits" in row:
        policy.update({field: row["limits"].get(field) for field in LIMIT_FIELDS})
    if isinstance(policy.get("accepted_diagnoses"), str):
        policy["accepted_diagnoses"] = list(diagnoses[policy["accepted_diagnoses"]])
    for field in DECIMAL_FIELDS:
        if policy.get(field) is not None:
            policy[field] = Decimal(str(policy[field]))
    return policy


def _policies() -> dict[tuple[str, str], dict]:
    """(payer key, HCPCS code) -> policy fields, in the file's order."""
    rules = load("policies")
    return {
        (row["payer"], row["code"]): _policy(row, rules["criteria"], rules["diagnoses"])
        for row in rules["policies"]
    }


CLINIC = load("clinic")
CLINIC_NAME: str = CLINIC["name"]
TIMEZONE: str = CLINIC["timezone"]
DIGEST_HOUR: int = CLINIC["digest_hour"]
PASSWORD: str = CLINIC["password"]
EMAIL_DOMAIN: str = CLINIC["email_domain"]
SETUP_DAY: int = CLINIC["setup_day"]
PROVIDERS: tuple[str, ...] = tuple(CLINIC["providers"])
USERS: tuple[DemoUser, ...] = tuple(DemoUser(**row) for row in CLINIC["users"])
PAYERS: dict[str, dict] = CLINIC["payers"]
POLICIES = _policies()
PATIENTS: list[dict] = load("patients")["patients"]
REQUESTS: list[dict] = load("requests")["requests"]
INFUSIONS: list[dict] = load("infusions")["infusions"]
