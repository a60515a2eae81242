"""Payers, the drug code catalog and the payer x code policies."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.domain.vocab import Channel, PayerKind
from priorauth.extensions import db
from priorauth.models.base import LAB_VALUE, MG, ClinicOwned, one_of, utcnow


class DrugCode(db.Model):
    """One HCPCS code of the shipped catalog (priorauth/reference/drug_codes.csv)."""

    __tablename__ = "drug_codes"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    drug: Mapped[str] = mapped_column(sa.String(200))
    brand: Mapped[str] = mapped_column(sa.String(120))
    mg_per_unit: Mapped[Decimal] = mapped_column(MG)
    package_size_mg: Mapped[Decimal | None] = mapped_column(MG)
    multi_dose: Mapped[bool] = mapped_column(default=False)
    setting: Mapped[str] = mapped_column(sa.String(60))
    requires_dialysis: Mapped[bool] = mapped_column(default=False)
    verified: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(sa.String(200))
    effective_date: Mapped[date]

    __table_args__ = (sa.CheckConstraint("mg_per_unit > 0", name="mg_per_unit_positive"),)


class Payer(ClinicOwned, db.Model):
    __tablename__ = "payers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default=PayerKind.COMMERCIAL.value)
    contact: Mapped[str | None] = mapped_column(sa.String(300))
    phone: Mapped[str | None] = mapped_column(sa.String(40), doc="prior-authorization line")
    portal_url: Mapped[str | None] = mapped_column(sa.String(300))
    fax: Mapped[str | None] = mapped_column(sa.String(40), doc="prior-authorization fax")
    preferred_channel: Mapped[str | None] = mapped_column(
        sa.String(20), doc="how the payer wants requests sent (domain.vocab.Channel)"
    )
    standard_response_days: Mapped[int] = mapped_column(default=15)
    expedited_response_hours: Mapped[int] = mapped_column(default=72)
    appeal_window_days: Mapped[int] = mapped_column(default=180)
    requires_waste_modifiers: Mapped[bool] = mapped_column(default=True)

    policies: Mapped[list[PayerPolicy]] = relationship(back_populates="payer")

    __table_args__ = (
        sa.UniqueConstraint("clinic_id", "name"),
        sa.CheckConstraint(one_of("kind", PayerKind), name="kind_known"),
        sa.CheckConstraint(
            one_of("preferred_channel", Channel, nullable=True), name="preferred_channel_known"
        ),
        sa.CheckConstraint("standard_response_days > 0", name="standard_days_positive"),
        sa.CheckConstraint("expedited_response_hours > 0", name="expedited_hours_positive"),
        sa.CheckConstraint("appeal_window_days > 0", name="appeal_window_positive"),
    )


class PayerPolicy(ClinicOwned, db.Model):
    """What one payer asks before it authorizes one drug code."""

    __tablename__ = "payer_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payers.id"))
    hcpcs_code: Mapped[str] = mapped_column(sa.ForeignKey("drug_codes.code"))
    pa_required: Mapped[bool] = mapped_column(default=True)
    accepted_diagnoses: Mapped[list] = mapped_column(sa.JSON, default=list)
    ferritin_max: Mapped[Decimal | None] = mapped_column(LAB_VALUE)
    tsat_max: Mapped[Decimal | None] = mapped_column(LAB_VALUE)
    ferritin_max_ckd: Mapped[Decimal | None] = mapped_column(LAB_VALUE)
    tsat_max_ckd: Mapped[Decimal | None] = mapped_column(LAB_VALUE)
    hemoglobin_max: Mapped[Decimal | None] = mapped_column(LAB_VALUE)
    labs_max_age_days: Mapped[int | None]
    oral_iron_min_days: Mapped[int | None]
    preferred_codes: Mapped[list] = mapped_column(sa.JSON, default=list)
    max_mg_per_dose: Mapped[Decimal | None] = mapped_column(MG)
    max_mg_per_authorization: Mapped[Decimal | None] = mapped_column(MG)
    max_administrations: Mapped[int | None]
    min_days_between_doses: Mapped[int | None]
    default_authorization_days: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    payer: Mapped[Payer] = relationship(back_populates="policies")

    __table_args__ = (
        sa.UniqueConstraint("payer_id", "hcpcs_code"),
        sa.CheckConstraint(
            "max_mg_per_dose IS NULL OR max_mg_per_dose > 0", name="max_dose_positive"
        ),
        sa.CheckConstraint(
            "max_administrations IS NULL OR max_administrations > 0", name="max_admins_positive"
        ),
    )


class PayerRate(ClinicOwned, db.Model):
    """What a payer allows for a code, in dollars per billing unit; blank means unknown
    (shown as unknown, never counted as zero)."""

    __tablename__ = "payer_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payers.id"))
    hcpcs_code: Mapped[str] = mapped_column(sa.ForeignKey("drug_codes.code"))
    dollars_per_unit: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("payer_id", "hcpcs_code", name="one_rate_per_code"),
        sa.CheckConstraint(
            "dollars_per_unit IS NULL OR dollars_per_unit >= 0", name="rate_not_negative"
        ),
    )
