"""The evidence of a PAS Claim as its supportingInfo (FHIR R4 Claim.supportingInfo).

What the payer's checklist asks for (docs/domain.md §3): the requested dose, the latest lab of
each test with its value, unit and date (LOINC-coded), every oral iron trial with its dates and
outcome, the latest CKD stage with dialysis, and the IV iron products given before (step
therapy). Each is category `info` of the base claim information categories.
"""

from __future__ import annotations

from decimal import Decimal

from priorauth.domain.evidence import (
    CkdStatus,
    Lab,
    LabTest,
    OralIronTrial,
    PatientEvidence,
    PriorProduct,
)

CATEGORY = "http://terminology.hl7.org/CodeSystem/claiminformationcategory"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
# test: (LOINC code, LOINC display, UCUM unit)
LABS = {
    LabTest.HEMOGLOBIN: ("718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL"),
    LabTest.FERRITIN: ("2276-4", "Ferritin [Mass/volume] in Serum or Plasma", "ng/mL"),
    LabTest.TSAT: ("2502-3", "Iron saturation [Mass Fraction] in Serum or Plasma", "%"),
}


def _info(code: dict, **value) -> dict:
    category = {"coding": [{"system": CATEGORY, "code": "info", "display": "Information"}]}
    return {"category": category, "code": code} | value


def _lab(lab: Lab) -> dict:
    loinc, display, unit = LABS[lab.test]
    quantity = {"value": lab.value, "unit": unit, "system": UCUM, "code": unit}
    code = {"coding": [{"system": LOINC, "code": loinc, "display": display}]}
    return _info(code, timingDate=lab.observed_on.isoformat(), valueQuantity=quantity)


def _latest_labs(labs: tuple[Lab, ...]) -> list[Lab]:
    latest: dict[LabTest, Lab] = {}
    for lab in sorted(labs, key=lambda one: one.observed_on):
        latest[lab.test] = lab
    return [latest[test] for test in LABS if test in latest]


def _trial(trial: OralIronTrial) -> dict:
    period = {"start": trial.start_date.isoformat()}
    if trial.end_date:
        period["end"] = trial.end_date.isoformat()
    outcome = trial.outcome.value.replace("_", " ") if trial.outcome else "outcome not recorded"
    text = f"{trial.drug}: {outcome}"
    return _info({"text": "Oral iron trial"}, timingPeriod=period, valueString=text)


def _ckd(status: CkdStatus) -> dict:
    text = f"stage {status.stage}; dialysis: {status.dialysis.value}"
    day = status.observed_on.isoformat()
    return _info({"text": "Chronic kidney disease"}, timingDate=day, valueString=text)


def _prior(product: PriorProduct) -> dict:
    day = product.given_on.isoformat()
    code = {"text": "Prior IV iron product"}
    return _info(code, timingDate=day, valueString=product.hcpcs_code)


def _dose(dose_mg: Decimal, administrations: int) -> dict:
    text = f"{dose_mg.normalize():f} mg per administration, {administrations} administrations"
    return _info({"text": "Requested dose"}, valueString=text)


def supporting_info(dose_mg: Decimal, administrations: int, evidence: PatientEvidence) -> list:
    """The request's supportingInfo, numbered from 1: dose, labs, trials, CKD, prior products."""
    latest_ckd = sorted(evidence.ckd, key=lambda one: one.observed_on)[-1:]
    priors = sorted(evidence.prior_products, key=lambda one: (one.given_on, one.hcpcs_code))
    items = [_dose(dose_mg, administrations)]
    items += [_lab(lab) for lab in _latest_labs(evidence.labs)]
    items += [_trial(t) for t in sorted(evidence.trials, key=lambda one: one.start_date)]
    items += [_ckd(c) for c in latest_ckd] + [_prior(p) for p in priors]
    return [{"sequence": n} | item for n, item in enumerate(items, start=1)]
