"""Patients, coverages and evidence."""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.api.idempotency import idempotent
from priorauth.extensions import db
from priorauth.models import Patient
from priorauth.models.base import INTEGER_MAX
from priorauth.permissions import EDIT_EVIDENCE, EDIT_PATIENTS, role_required
from priorauth.queries.paging import TOTAL_HEADER, window
from priorauth.queries.search import patients_query
from priorauth.schemas import no_nul
from priorauth.schemas.patients import (
    CoverageSchema,
    EvidenceOutSchema,
    PatientSchema,
    load_evidence,
)
from priorauth.services import audit, patients
from priorauth.services.scope import get_owned

blp = Blueprint("patients", __name__, url_prefix="/patients", description="Patients")


class PatientPatchSchema(PatientSchema):
    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)


class PatientQuery(ma.Schema):
    q = ma.fields.String(load_default="", validate=[ma.validate.Length(max=200), no_nul])
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=INTEGER_MAX))


class PatientDetailSchema(PatientSchema):
    coverages = ma.fields.List(ma.fields.Nested(CoverageSchema), dump_only=True)


@blp.route("")
class Patients(MethodView):
    @commits
    @blp.arguments(PatientQuery, location="query")
    @blp.response(200, PatientSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """Patients of the clinic; `q` searches MRN, name and member ID. Each one answered is
        audited. X-Total-Count says how many match in all: ask for the next ones with `offset`."""
        query = patients_query(current_user.clinic_id, args["q"])
        rows, total = window(query, args["limit"], args["offset"])
        audit.viewed_all(current_user, rows)
        return rows, {"X-Total-Count": str(total)}

    @role_required(EDIT_PATIENTS)
    @idempotent
    @blp.arguments(PatientSchema)
    @blp.response(201, PatientSchema)
    def post(self, data):
        patient = patients.create_patient(current_user, data)
        db.session.commit()
        return patient


@blp.route("/<int:patient_id>")
class PatientById(MethodView):
    @commits
    @blp.response(200, PatientDetailSchema)
    def get(self, patient_id):
        patient = get_owned(Patient, patient_id, current_user.clinic_id, what="patient")
        audit.viewed(current_user, patient)
        return patient

    @role_required(EDIT_PATIENTS)
    @blp.arguments(PatientPatchSchema)
    @blp.response(200, PatientSchema)
    def patch(self, data, patient_id):
        patient = patients.update_patient(current_user, patient_id, data)
        db.session.commit()
        return patient


@blp.route("/<int:patient_id>/coverages")
class Coverages(MethodView):
    @role_required(EDIT_PATIENTS)
    @blp.arguments(CoverageSchema)
    @blp.response(201, CoverageSchema)
    def post(self, data, patient_id):
        """Add an insurance coverage (payer, member ID, plan, dates)."""
        coverage = patients.add_coverage(current_user, patient_id, data)
        db.session.commit()
        return coverage


@blp.route("/<int:patient_id>/evidence")
class Evidence(MethodView):
    @commits
    @blp.response(200, EvidenceOutSchema(many=True))
    def get(self, patient_id):
        """Every dated evidence record of the patient, by kind, newest first."""
        patient = get_owned(Patient, patient_id, current_user.clinic_id, what="patient")
        audit.viewed(current_user, patient, note="evidence")
        by_kind = patients.evidence_of([patient.id])
        return [row for rows in by_kind.values() for row in rows]

    @role_required(EDIT_EVIDENCE)
    @blp.doc(
        requestBody={
            "required": True,
            "description": "`kind` (lab, oral_iron_trial, ckd_status, diagnosis, prior_product) "
            "and that kind's fields",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    )
    @blp.response(201, EvidenceOutSchema)
    def post(self, patient_id):
        """Record a lab, an oral iron trial, a CKD status, a diagnosis or a prior product."""
        kind, data = load_evidence(request.get_json())
        row = patients.add_evidence(current_user, patient_id, kind, data)
        db.session.commit()
        return row
