"""A demo patient's recorded history (diagnoses, CKD, oral iron, earlier iron sucrose, labs)
as (kind, fields) in the order a clinic records it; `day` turns offsets into dates."""

from __future__ import annotations

from decimal import Decimal

DIAGNOSED = -400  # every demo diagnosis was made this many days before the seed day
EARLIER_SUCROSE_NOTE = "iron sucrose at Lakeside Regional Hospital, partial response"
LAB_TESTS = ("ferritin", "tsat", "hemoglobin")


def evidence_of(row: dict, day) -> list[tuple[str, dict]]:
    found = [
        ("diagnosis", {"code": code, "observed_on": day(DIAGNOSED)}) for code in row["diagnoses"]
    ]
    if "ckd" in row:
        ckd = row["ckd"]
        found.append(
            (
                "ckd_status",
                {"stage": ckd["stage"], "dialysis": ckd["dialysis"], "observed_on": day(ckd["on"])},
            )
        )
    if "oral_iron" in row:
        found.append(("oral_iron_trial", oral_trial(row["oral_iron"], day)))
    if "iron_sucrose_given_on" in row:
        given = {
            "hcpcs_code": "J1756",
            "given_on": day(row["iron_sucrose_given_on"]),
            "note": EARLIER_SUCROSE_NOTE,
        }
        found.append(("prior_product", given))
    return found + labs(row.get("labs"), day)


def oral_trial(trial: dict, day) -> dict:
    intolerant = trial["outcome"] == "intolerance"
    return {
        "drug": "ferrous gluconate 324 mg" if intolerant else "ferrous sulfate 325 mg",
        "start_date": day(trial["start"]),
        "end_date": day(trial["end"]),
        "outcome": trial["outcome"],
        "note": trial.get("note"),
    }


def labs(drawn: dict | None, day) -> list[tuple[str, dict]]:
    if drawn is None:
        return []
    on = day(drawn["on"])
    return [
        ("lab", {"test": test, "value": Decimal(str(drawn[test])), "observed_on": on})
        for test in LAB_TESTS
    ]
