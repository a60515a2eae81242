"""What a clinic export holds, and how a column's value is written to JSON and read back.

Shared by services/clinic_export.py (the writer) and services/clinic_import.py (the reader).
The export is driven by the tables' columns (SQLAlchemy's metadata), not by field lists, so a
column added later is exported without anyone remembering it; what is deliberately left out
is named here with its reason, and tests/integration/test_clinic_transfer.py fails when a
table or column is neither exported nor left out on purpose.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from priorauth.errors import Conflict
from priorauth.extensions import db

FORMAT = "priorauth-clinic-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ATTACHMENTS_DIR = "attachments"  # attachments/<source id>.bin: the stored bytes as they are

# The clinic's tables, in the order the import recreates them (parents first); each one's
# rows are those of the clinic (`clinic_id`, or `id` for the clinic itself).
EXPORTED = (
    "clinics",
    "users",
    "queue_owners",
    "payers",
    "payer_policies",
    "payer_rates",
    "patients",
    "coverages",
    "lab_results",
    "oral_iron_trials",
    "ckd_statuses",
    "diagnoses",
    "prior_therapies",
    "authorization_requests",
    "follow_ups",
    "infusions",
    "eligibility_checks",
    "attachments",
    "letter_templates",
    "letters",
    "reminder_states",
    "audit_events",
)
LEFT_OUT = {  # table -> why it is not in an export
    "drug_codes": "the shipped catalog, the same everywhere: rows name codes, checked on import",
    "api_tokens": "secrets: the new system issues its own tokens",
    "action_links": "single-use secrets of sent digests, short-lived",
    "idempotent_responses": "API retry answers kept for 24 hours",
    "digest_deliveries": "which digest went to whom: mail bookkeeping, not clinic data",
    "import_jobs": "uploaded spreadsheets in progress; the rows they created are exported",
}
SECRET_COLUMNS = {  # table -> columns never written to an export
    "users": {
        "password_hash",
        "calendar_token_hash",
        "calendar_token_created_at",
        "session_version",
        "failed_sign_ins",
        "locked_until",
    },
}
NOT_IMPORTED = {  # exported for the record, not recreated
    "reminder_states": "their keys name the source rows; reminders are derived from state "
    "and are seen due afresh (owners fall back to the queue owners)",
}
KEPT_REFERENCES = {"drug_codes"}  # foreign keys by natural key, the same in every database


def refused(message: str) -> Conflict:
    return Conflict(message, code="CLINIC_TRANSFER_REFUSED")


def table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def exported_columns(name: str) -> list[sa.Column]:
    """The columns of a table that an export writes, in the table's order."""
    hidden = SECRET_COLUMNS.get(name, set())
    return [column for column in table(name).columns if column.name not in hidden]


def schema_revision() -> str:
    """The database's Alembic revision: an export is read back only at the same revision."""
    return db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))


def attachment_path(source_id: int) -> str:
    return f"{ATTACHMENTS_DIR}/{source_id}.bin"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def to_json(value):
    """A column value as JSON: dates and times in ISO 8601, decimals as strings (exact)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def from_json(column: sa.Column, value):
    """to_json read back, by the column's type."""
    kind = column.type
    if value is None or isinstance(kind, sa.JSON):
        return value
    if isinstance(kind, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, sa.Date):
        return date.fromisoformat(value)
    if isinstance(kind, sa.Numeric):
        return Decimal(str(value))
    if isinstance(kind, sa.LargeBinary):
        return base64.b64decode(value)
    return value
