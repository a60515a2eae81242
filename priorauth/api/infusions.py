"""Infusions: book, reschedule, cancel, administer."""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint

from priorauth.api.audit import commits
from priorauth.api.coverage import answer_body
from priorauth.api.idempotency import idempotent
from priorauth.domain.vocab import InfusionStatus
from priorauth.extensions import db
from priorauth.models import Infusion
from priorauth.models.base import INTEGER_MAX
from priorauth.permissions import (
    BOOK_INFUSIONS,
    RECORD_ADMINISTRATION,
    VERIFY_ELIGIBILITY,
    role_required,
)
from priorauth.queries import lists
from priorauth.queries.paging import TOTAL_HEADER, window
from priorauth.schemas import Date
from priorauth.schemas.infusions import (
    AdministrationSchema,
    BookingSchema,
    EligibilitySchema,
    InfusionPatchSchema,
    InfusionSchema,
)
from priorauth.services import audit, infusions
from priorauth.services.administration import administer
from priorauth.services.clock import clinic_now
from priorauth.services.eligibility import record_check
from priorauth.services.scope import get_owned

blp = Blueprint("infusions", __name__, url_prefix="/infusions", description="Infusions")


class RangeQuery(ma.Schema):
    start = Date()
    end = Date()
    status = ma.fields.String(validate=ma.validate.OneOf(InfusionStatus.values()))
    limit = ma.fields.Integer(load_default=500, validate=ma.validate.Range(min=1, max=500))
    offset = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0, max=INTEGER_MAX))


@dataclass(frozen=True)
class Answered:
    """An infusion with the coverage answer of the booking, reschedule or administration that
    returned it (InfusionSchema's `coverage`, not stored); reads through to the infusion."""

    infusion: Infusion
    coverage: dict | None

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("infusion", "coverage"):
            raise AttributeError(name)
        return getattr(self.infusion, name)


def _with_answer(infusion: Infusion, answer) -> Answered:
    return Answered(infusion, answer_body(answer) if answer is not None else None)


@blp.route("")
class Infusions(MethodView):
    @commits
    @blp.arguments(RangeQuery, location="query")
    @blp.response(200, InfusionSchema(many=True), headers=TOTAL_HEADER)
    def get(self, args):
        """Infusions in a date range (clinic-local dates), optionally by status; audited.
        X-Total-Count says how many match in all: ask for the next ones with `offset`."""
        limit, offset = args.pop("limit"), args.pop("offset")
        rows, total = window(lists.infusions_query(current_user.clinic_id, **args), limit, offset)
        audit.viewed_all(current_user, rows)
        return rows, {"X-Total-Count": str(total)}

    @role_required(BOOK_INFUSIONS)
    @idempotent
    @blp.arguments(BookingSchema)
    @blp.response(201, InfusionSchema)
    def post(self, data):
        """Book: runs the coverage check and reserves units; 409 NOT_COVERED unless overridden."""
        infusion, answer = infusions.book(current_user, data)
        db.session.commit()
        return _with_answer(infusion, answer)


@blp.route("/<int:infusion_id>")
class InfusionById(MethodView):
    @commits
    @blp.response(200, InfusionSchema)
    def get(self, infusion_id):
        infusion = get_owned(Infusion, infusion_id, current_user.clinic_id, what="infusion")
        audit.viewed(current_user, infusion)
        return infusion

    @role_required(BOOK_INFUSIONS)
    @blp.arguments(InfusionPatchSchema)
    @blp.response(200, InfusionSchema)
    def patch(self, data, infusion_id):
        """Reschedule (re-checks coverage), cancel or mark no-show (releases units)."""
        infusion, answer = infusions.update(current_user, infusion_id, data)
        db.session.commit()
        return _with_answer(infusion, answer)


@blp.route("/<int:infusion_id>/administration")
class Administration(MethodView):
    @role_required(RECORD_ADMINISTRATION)
    @blp.arguments(AdministrationSchema)
    @blp.response(200, InfusionSchema)
    def post(self, data, infusion_id):
        """Record what was given and when; answers the claim lines (date of service, units,
        JW/JZ, auth number). Given on another day than booked: `coverage` is that day's check.
        A date given in the future is a 422 on administered_at."""
        infusion, recheck = administer(
            current_user, infusion_id, data, clinic_now(current_user.clinic)
        )
        db.session.commit()
        return _with_answer(infusion, recheck.answer if recheck else None)


@blp.route("/<int:infusion_id>/eligibility")
class Eligibility(MethodView):
    @role_required(VERIFY_ELIGIBILITY)
    @blp.arguments(EligibilitySchema)
    @blp.response(201, EligibilitySchema)
    def post(self, data, infusion_id):
        """Record that the patient's insurance was re-verified (active, inactive, changed plan)."""
        check = record_check(current_user, infusion_id, data)
        db.session.commit()
        return check
