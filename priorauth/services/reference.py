"""Load the shipped drug code catalog, idempotently."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

from priorauth.extensions import db
from priorauth.models import DrugCode

CATALOG = Path(__file__).resolve().parent.parent / "reference" / "drug_codes.csv"


def _row_values(row: dict) -> dict:
    return {
        "drug": row["drug"],
        "brand": row["brand"],
        "mg_per_unit": Decimal(row["mg_per_unit"]),
        "package_size_mg": Decimal(row["package_size_mg"]) if row["package_size_mg"] else None,
        "multi_dose": row["multi_dose"] == "true",
        "setting": row["setting"],
        "requires_dialysis": row["requires_dialysis"] == "true",
        "verified": row["verified"] == "true",
        "effective_date": date.fromisoformat(row["effective_date"]),
        "source": row["source"] or None,
    }


def load_catalog(path: Path = CATALOG) -> tuple[int, int]:
    """Insert new codes; update a row only from a newer effective date (keeps admins' edits).

    Returns (added, updated).
    """
    added = updated = 0
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            values = _row_values(row)
            existing = db.session.get(DrugCode, row["code"])
            if existing is None:
                db.session.add(DrugCode(code=row["code"], **values))
                added += 1
            elif values["effective_date"] > existing.effective_date:
                for key, value in values.items():
                    setattr(existing, key, value)
                updated += 1
    db.session.flush()
    return added, updated


def catalog() -> list[DrugCode]:
    """The drug codes, by code."""
    return db.session.scalars(db.select(DrugCode).order_by(DrugCode.code)).all()
