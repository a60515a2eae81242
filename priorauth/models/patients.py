"""Patients, their insurance coverages and their dated evidence."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from priorauth.domain.coverage import CoverageWindow
from priorauth.domain.evidence import Dialysis, LabTest, TrialOutcome
from priorauth.domain.vocab import Sex
from priorauth.extensions import db
from priorauth.models.base import LAB_VALUE, ClinicOwned, one_of, utcnow


class Patient(ClinicOwned, db.Model):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(sa.String(40))
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    birth_date: Mapped[date]
    sex: Mapped[str | None] = mapped_column(sa.String(1))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    coverages: Mapped[list[Coverage]] = relationship(
        back_populates="patient", order_by="Coverage.start_date.desc()"
    )

    __table_args__ = (
        sa.UniqueConstraint("clinic_id", "mrn"),
        sa.CheckConstraint(one_of("sex", Sex, nullable=True), name="sex_known"),
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}.{self.last_name[:1]}."


class Coverage(ClinicOwned, db.Model):
    """A patient's plan with one payer, for a date range."""

    __tablename__ = "coverages"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patients.id"), index=True)
    payer_id: Mapped[int] = mapped_column(sa.ForeignKey("payers.id"), index=True)
    member_id: Mapped[str] = mapped_column(sa.String(60))
    plan_name: Mapped[str | None] = mapped_column(sa.String(120))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(
        default=utcnow, server_default=sa.text("CURRENT_TIMESTAMP")
    )

    patient: Mapped[Patient] = relationship(back_populates="coverages")
    payer = relationship("Payer")

    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    def active_on(self, day: date) -> bool:
        """The domain's rule (CoverageWindow.contains), for the pages."""
        return CoverageWindow(self.start_date, self.end_date).contains(day)


class EvidenceMixin(ClinicOwned):
    """Dated, attributed: who recorded it and when."""

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @sa.orm.declared_attr
    def patient_id(cls) -> Mapped[int]:
        return mapped_column(sa.ForeignKey("patients.id"), index=True)

    @sa.orm.declared_attr
    def recorded_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id"))


class LabResult(EvidenceMixin, db.Model):
    __tablename__ = "lab_results"
    kind = "lab"

    test: Mapped[str] = mapped_column(sa.String(20))
    value: Mapped[Decimal] = mapped_column(LAB_VALUE)
    observed_on: Mapped[date]

    __table_args__ = (
        sa.CheckConstraint(one_of("test", LabTest), name="test_known"),
        sa.CheckConstraint("value >= 0", name="value_not_negative"),
    )


class OralIronTrial(EvidenceMixin, db.Model):
    __tablename__ = "oral_iron_trials"
    kind = "oral_iron_trial"

    drug: Mapped[str] = mapped_column(sa.String(100))
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    outcome: Mapped[str | None] = mapped_column(sa.String(30))
    note: Mapped[str | None] = mapped_column(sa.Text)

    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        sa.CheckConstraint(
            one_of("outcome", TrialOutcome, nullable=True),
            name="outcome_known",
        ),
    )


class CkdStatus(EvidenceMixin, db.Model):
    __tablename__ = "ckd_statuses"
    kind = "ckd_status"

    stage: Mapped[int]
    dialysis: Mapped[str] = mapped_column(sa.String(20), default=Dialysis.NONE.value)
    observed_on: Mapped[date]

    __table_args__ = (
        sa.CheckConstraint("stage BETWEEN 1 AND 5", name="stage_range"),
        sa.CheckConstraint(one_of("dialysis", Dialysis), name="dialysis_known"),
    )


class DiagnosisRecord(EvidenceMixin, db.Model):
    __tablename__ = "diagnoses"
    kind = "diagnosis"

    code: Mapped[str] = mapped_column(sa.String(10))
    observed_on: Mapped[date]


class PriorTherapy(EvidenceMixin, db.Model):
    """An IV iron product the patient received elsewhere (for step therapy)."""

    __tablename__ = "prior_therapies"
    kind = "prior_product"

    hcpcs_code: Mapped[str] = mapped_column(sa.ForeignKey("drug_codes.code"))
    given_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.Text)


EVIDENCE_MODELS = (LabResult, OralIronTrial, CkdStatus, DiagnosisRecord, PriorTherapy)
