"""The demo clinic as tables: payers and policies, patients with evidence, requests, infusions.

Every date is a day offset from the seed day (-30: thirty days ago, 7: in a week);
LAST_MONTH_END is the last day of the previous month. Numbers follow DOMAIN.md section 3.
"""

from __future__ import annotations

from decimal import Decimal as D

CLINIC_NAME = "Riverside Infusion Center"
TIMEZONE = "America/New_York"
DIGEST_HOUR = 6
PASSWORD = "demo-password"
EMAIL_DOMAIN = "demo.priorauth.test"
USERS = (  # (mailbox, name, role)
    ("frontdesk", "Fiona Reyes", "front_desk"),
    ("scheduler", "Sam Patel", "scheduler"),
    ("billing", "Bianca Moore", "billing"),
    ("admin", "Alex Morgan", "admin"),
)
PROVIDERS = ("Dr. Elena Vasquez", "Dr. Marcus Hale", "Dr. Priya Raman")
LAST_MONTH_END = "last_month_end"

PAYERS = {
    "BH": {"name": "Blue Harbor Health", "contact": "PA line 1-800-555-0142 (portal: Availity)",
           "standard_response_days": 15, "expedited_response_hours": 72,
           "appeal_window_days": 180, "requires_waste_modifiers": True},
    "SM": {"name": "Summit Mutual", "contact": "Pharmacy PA fax 1-888-555-0177",
           "standard_response_days": 14, "expedited_response_hours": 72,
           "appeal_window_days": 60, "requires_waste_modifiers": False},
    "EC": {"name": "Evergreen Choice", "contact": "Utilization management 1-877-555-0109",
           "standard_response_days": 7, "expedited_response_hours": 72,
           "appeal_window_days": 180, "requires_waste_modifiers": True},
}

IRON_DEFICIENCY = [
    "D50.0", "D50.1", "D50.8", "D50.9", "D63.1", "D63.8", "D64.81", "K50", "K51", "K90"
]
DIALYSIS_DX = ["D63.1", "N18.6", "Z99.2"]


def _limits(dose, per_auth, admins, spacing=None) -> dict:
    return {"max_mg_per_dose": D(dose), "max_mg_per_authorization": D(per_auth),
            "max_administrations": admins, "min_days_between_doses": spacing}


BH_CRITERIA = {"accepted_diagnoses": IRON_DEFICIENCY, "ferritin_max": D(30), "tsat_max": D(20),
               "ferritin_max_ckd": D(100), "tsat_max_ckd": D(30), "hemoglobin_max": D(13),
               "labs_max_age_days": 30, "oral_iron_min_days": 90, "default_authorization_days": 90}
SM_CRITERIA = {**BH_CRITERIA, "ferritin_max": D(50), "ferritin_max_ckd": D(500),
               "hemoglobin_max": D(12), "labs_max_age_days": 60, "oral_iron_min_days": 60,
               "default_authorization_days": 180}
EC_CRITERIA = {**BH_CRITERIA, "hemoglobin_max": D(12), "labs_max_age_days": 28,
               "default_authorization_days": 35}
EC_DIALYSIS = {**EC_CRITERIA, "accepted_diagnoses": DIALYSIS_DX, "ferritin_max": None,
               "tsat_max": None, "ferritin_max_ckd": D(500), "hemoglobin_max": D(11),
               "oral_iron_min_days": None}
STEP_SUCROSE = {"preferred_codes": ["J1756"]}

POLICIES = {  # (payer, code) -> policy
    ("BH", "J1439"): {**BH_CRITERIA, **STEP_SUCROSE, **_limits(750, 1500, 2, 7)},
    ("BH", "J1437"): {**BH_CRITERIA, **STEP_SUCROSE, **_limits(1000, 1000, 1)},
    ("BH", "Q0138"): {**BH_CRITERIA, **_limits(510, 1020, 2, 3)},
    ("BH", "J1756"): {"pa_required": False, "accepted_diagnoses": IRON_DEFICIENCY,
                      **_limits(300, 1000, 5, 2)},
    ("SM", "J1756"): {**SM_CRITERIA, **_limits(200, 1000, 5, 3)},
    ("SM", "J1439"): {**SM_CRITERIA, **_limits(750, 1500, 2, 7)},
    ("SM", "J1437"): {**SM_CRITERIA, **_limits(1000, 1000, 1)},
    ("SM", "Q0138"): {**SM_CRITERIA, **_limits(510, 1020, 2, 3)},
    ("EC", "Q0138"): {**EC_CRITERIA, **_limits(510, 1020, 2, 3)},
    ("EC", "Q0139"): {**EC_DIALYSIS, **_limits(510, 1020, 2, 3)},
    ("EC", "J1439"): {**EC_CRITERIA, **_limits(750, 1500, 2, 7)},
    ("EC", "J1437"): {**EC_CRITERIA, **_limits(1000, 1000, 1)},
    ("EC", "J1756"): {"pa_required": False, "accepted_diagnoses": IRON_DEFICIENCY},
}
PLANS = {"BH": "Blue Harbor PPO", "SM": "Summit Mutual Gold", "EC": "Evergreen Choice Silver"}


def patient(mrn, name, born, sex, cover, dx, labs=None, oral=None, ckd=None, prior=None):
    """cover: [(payer, start, end)]; labs: (day, ferritin, tsat, hemoglobin);
    oral: (start, end, outcome[, note]); ckd: (stage, dialysis, day); prior: J1756 given on day."""
    first, last = name.split(" ", 1)
    return {"mrn": mrn, "first_name": first, "last_name": last, "birth_date": born, "sex": sex,
            "cover": cover, "dx": dx, "labs": labs, "oral": oral, "ckd": ckd, "prior": prior}


INADEQUATE, INTOLERANCE, CONTRA = "inadequate_response", "intolerance", "contraindication"
PATIENTS = [
    patient("MRN-10023", "Maria Alvarez", "1968-04-12", "F", [("BH", -800, None)], ["D50.9"],
            (-34, 12, 9, 9.6), (-160, -60, INADEQUATE), prior=-75),
    patient("MRN-10031", "James Okafor", "1955-09-03", "M", [("BH", -1500, None)],
            ["D63.1", "N18.30"], (-40, 85, 22, 10.4),
            (-220, -190, INTOLERANCE, "nausea and constipation"), (3, "none", -60), prior=-120),
    patient("MRN-10047", "Linda Chen", "1979-01-22", "F", [("SM", -600, None)], ["D50.0"],
            (-45, 9, 6, 8.9), (-150, -80, INADEQUATE)),
    patient("MRN-10058", "Robert Haynes", "1949-11-30", "M", [("EC", -365, None)],
            ["D50.9", "K90.0"], (-10, 14, 11, 10.1),
            (-30, -30, CONTRA, "celiac disease with malabsorption")),
    patient("MRN-10062", "Patricia Nguyen", "1972-06-18", "F", [("BH", -1000, None)], ["D50.9"],
            (-95, 18, 12, 10.6), (-250, -150, INADEQUATE)),
    patient("MRN-10074", "Gerald Brooks", "1951-02-14", "M", [("EC", -700, None)], DIALYSIS_DX,
            (-14, 320, 18, 9.4), ckd=(5, "hemodialysis", -200)),
    patient("MRN-10085", "Angela Morris", "1984-08-09", "F", [("SM", -300, None)], ["D50.8"],
            (-20, 22, 14, 10.9), (-120, -50, INTOLERANCE, "abdominal pain on ferrous gluconate")),
    patient("MRN-10096", "Thomas Wright", "1960-12-01", "M", [("BH", -900, None)], ["D50.9"],
            (-26, 15, 10, 10.3), (-190, -90, INADEQUATE), prior=-100),
    patient("MRN-10102", "Denise Carter", "1990-03-27", "F", [("EC", -200, None)], ["D50.0"],
            (-5, 4, 5, 7.9), (-100, -10, INADEQUATE)),
    patient("MRN-10113", "Kevin O'Brien", "1966-07-15", "M", [("SM", -1200, None)], ["D50.9"],
            (-15, 20, 15, 11.2), (-100, -30, INADEQUATE)),
    patient("MRN-10127", "Sandra Kim", "1975-10-05", "F", [("BH", -500, None)], ["D50.0"],
            (-12, 16, 13, 10.2), (-80, -20, INADEQUATE), prior=-45),
    patient("MRN-10139", "Harold Jenkins", "1947-05-21", "M", [("SM", -1500, None)],
            ["D63.1", "N18.4"], (-70, 610, 34, 10.5), (-200, -110, INADEQUATE),
            (4, "none", -70)),
    patient("MRN-10140", "Carol Bennett", "1958-09-09", "F", [("BH", -650, None)], ["D50.9"],
            (-16, 10, 8, 9.8), (-150, -50, INADEQUATE)),
    patient("MRN-10151", "Walter Price", "1953-04-04", "M", [("BH", -2000, None)],
            ["D50.9", "K50.90"], (-45, 11, 8, 9.1),
            (-200, -200, CONTRA, "Crohn's disease flare on oral iron"), prior=-60),
    patient("MRN-10165", "Nancy Foster", "1981-11-11", "F", [("EC", -150, None)], ["D50.9"],
            (-8, 25, 17, 11.4), (-120, -20, INADEQUATE)),
    patient("MRN-10176", "Frank Diaz", "1970-02-28", "M", [("BH", -400, None)], ["D50.9"],
            (-9, 19, 14, 10.8)),
    patient("MRN-10188", "Grace Liu", "1986-06-06", "F", [("BH", -300, None)], ["D50.9"],
            (-5, 8, 7, 9.9), (-140, -30, INADEQUATE), prior=-40),
    patient("MRN-10190", "Anthony Russo", "1963-01-19", "M", [("SM", -800, None)], ["D50.9"],
            (-20, 27, 16, 11.9), (-90, -20, INTOLERANCE, "constipation")),
    patient("MRN-10203", "Betty Howard", "1944-07-07", "F", [("BH", -3000, None)], ["D50.9"],
            (-6, 13, 10, 10.0)),
    patient("MRN-10214", "Steven Ward", "1977-03-03", "M", [("EC", -500, None)], ["D50.9"],
            (-40, 17, 12, 10.7), (-200, -100, INADEQUATE)),
    patient("MRN-10226", "Dorothy Patel", "1952-10-30", "F", [("BH", -700, None)], ["D50.9"],
            (-7, 30, 20, 11.8), (-150, -50, INADEQUATE), prior=-90),
    patient("MRN-10237", "Paul Murphy", "1969-08-25", "M", [("BH", -250, None)], ["D50.8"],
            (-3, 21, 15, 11.0), (-45, -5, INADEQUATE)),
    patient("MRN-10249", "Ruth Sanders", "1946-12-12", "F", [("EC", -900, None)], DIALYSIS_DX,
            ckd=(5, "hemodialysis", -300)),
    patient("MRN-10250", "George Rivera", "1958-05-05", "M", [("SM", -365, 10)], ["D50.9"],
            (-15, 18, 11, 10.9), (-100, -20, INADEQUATE)),
    patient("MRN-10262", "Helen Cooper", "1965-04-17", "F", [("SM", -1000, None)], ["D50.9"],
            (-25, 23, 13, 10.4), (-120, -40, INTOLERANCE, "heartburn and nausea")),
    patient("MRN-10273", "Jason Reed", "1988-09-14", "M",
            [("EC", -600, -40), ("BH", -39, None)], ["D50.9"],
            (-6, 14, 9, 10.5), (-130, -30, INADEQUATE), prior=-50),
    patient("MRN-10285", "Sharon Bailey", "1973-02-02", "F", [("EC", -900, LAST_MONTH_END)],
            ["D50.9"], (-95, 12, 9, 9.9), (-300, -300, CONTRA, "gastric bypass surgery")),
    patient("MRN-10296", "Edward Kelly", "1950-06-30", "M",
            [("SM", -700, None), ("BH", -200, None)], ["D63.1", "N18.31"],
            (-20, 95, 25, 10.8), (-150, -30, INTOLERANCE), (3, "none", -20)),
    patient("MRN-10307", "Donna Ortiz", "1983-12-24", "F",
            [("BH", -400, None), ("EC", -100, None)], ["D50.9"],
            (-4, 9, 8, 10.1), (-95, -5, INADEQUATE)),
    patient("MRN-10318", "Larry Simmons", "1942-08-08", "M", [("SM", -2000, None)],
            ["D63.1", "N18.5"], (-30, 240, 19, 9.8), ckd=(5, "peritoneal", -60)),
]


def submit(day, channel="portal", override=None, note=None):
    return {"to": "submitted", "on": day, "channel": channel, "override_reason": override,
            "note": note}


def approve(day, number, units, admins, start, end, to="approved", note=None):
    return {"to": to, "on": day, "auth_number": number, "approved_units": units,
            "approved_administrations": admins, "approved_start": start, "approved_end": end,
            "decided_on": day, "note": note}


def step(to, day, **payload):
    """pended (note), denied (denial_reason, note), appealed, cancelled, not_required."""
    return {"to": to, "on": day, "decided_on": day if to == "denied" else None, **payload}


def request(mrn, payer, code, dose, admins, start, days, *steps, urgency="standard"):
    return {"mrn": mrn, "payer": payer, "code": code, "dose": D(dose), "admins": admins,
            "start": start, "days": days, "urgency": urgency, "steps": steps}


REQUESTS = [
    request("MRN-10023", "BH", "J1439", 750, 2, -24, 90, submit(-30),
            approve(-24, "BH-{year}-00123", 1500, 2, -24, 65)),
    request("MRN-10031", "BH", "J1437", 1000, 1, -33, 90, submit(-38, "fax"),
            approve(-33, "BH-{year}-00098", 100, 1, -33, 56)),
    request("MRN-10047", "SM", "J1756", 200, 5, -35, 180, submit(-40),
            approve(-35, "SM-778120", 1000, 5, -35, 144)),
    request("MRN-10058", "EC", "Q0138", 510, 2, -5, 35, submit(-8),
            approve(-5, "EC-A-55231", 1020, 2, -5, 29)),
    request("MRN-10062", "BH", "Q0138", 510, 2, -81, 90, submit(-88, "phone"),
            approve(-81, "BH-{year}-00041", 1020, 2, -81, 8)),
    request("MRN-10074", "EC", "Q0139", 510, 2, -10, 35, submit(-12, "electronic"),
            approve(-10, "EC-A-55187", 1020, 2, -10, 24)),
    request("MRN-10085", "SM", "J1439", 750, 2, -7, 180, submit(-10),
            approve(-7, "SM-778342", 750, 1, -7, 172, to="partially_approved",
                    note="Summit approved one 750 mg dose; the second after repeat labs")),
    request("MRN-10096", "BH", "J1437", 1000, 1, 3, 90, submit(-20, "fax")),
    request("MRN-10102", "EC", "Q0138", 510, 2, 1, 35,
            submit(-1, "phone", note="Hemoglobin 7.9 g/dL: expedited review requested"),
            urgency="expedited"),
    request("MRN-10113", "SM", "J1439", 750, 2, 5, 180, submit(-3)),
    request("MRN-10127", "BH", "J1439", 750, 2, 4, 90,
            submit(-9, override="Payer confirmed by phone: 60 days with GI bleeding suffices"),
            step("pended", -3, note="Blue Harbor asked for the oral iron dates and the GI note")),
    request("MRN-10139", "SM", "Q0138", 510, 2, -55, 180,
            submit(-60, override="Nephrology letter: ferritin raised by inflammation"),
            step("denied", -52, denial_reason="labs_out_of_range",
                 note="Ferritin 610 ng/mL and TSAT 34 % are above Summit's CKD limits")),
    request("MRN-10140", "BH", "J1437", 1000, 1, -5, 90,
            submit(-12, override="Iron sucrose not feasible: five visits, lives two hours away"),
            step("denied", -4, denial_reason="step_therapy_required",
                 note="Blue Harbor requires iron sucrose (J1756) first")),
    request("MRN-10151", "BH", "J1439", 750, 2, -35, 90, submit(-42),
            step("denied", -30, denial_reason="oral_iron_not_documented",
                 note="The payer did not receive the GI consult note"),
            step("appealed", -9, note="Appeal sent with the GI note: oral iron contraindicated")),
    request("MRN-10165", "EC", "J1437", 1000, 1, 7, 35,
            step("cancelled", -2, note="Patient chose to continue oral iron")),
    request("MRN-10176", "BH", "J1756", 200, 5, -7, 90,
            step("not_required", -7, note="Blue Harbor needs no PA for iron sucrose")),
    request("MRN-10188", "BH", "J1439", 750, 2, 7, 90),
    request("MRN-10190", "SM", "Q0138", 510, 2, 7, 180),
    request("MRN-10203", "BH", "Q0138", 510, 2, 10, 90),
    request("MRN-10214", "EC", "J1437", 1000, 1, 7, 35),
    request("MRN-10226", "BH", "J1439", 750, 2, 7, 90),
    request("MRN-10237", "BH", "J1437", 1000, 1, 14, 90),
    request("MRN-10249", "EC", "Q0139", 510, 2, 5, 35),
    request("MRN-10250", "SM", "J1439", 750, 2, 7, 180),
    request("MRN-10262", "SM", "Q0138", 510, 2, -2, 180, submit(-6),
            approve(-2, "SM-778455", 1020, 2, -2, 177)),
    request("MRN-10273", "BH", "J1439", 750, 2, -1, 90, submit(-4),
            approve(-1, "BH-{year}-00157", 1500, 2, -1, 88)),
    request("MRN-10285", "EC", "Q0138", 510, 2, -88, 35, submit(-92),
            approve(-88, "EC-A-54012", 1020, 2, -88, -54)),
]

# (mrn, code, day, dose mg, discarded mg when given (None: only booked), override reason)
INFUSIONS = [
    ("MRN-10285", "Q0138", -80, 510, 0, None),
    ("MRN-10285", "Q0138", -74, 510, 0, None),
    ("MRN-10047", "J1756", -27, 200, 0, None),
    ("MRN-10047", "J1756", -20, 200, 0, None),
    ("MRN-10062", "Q0138", -15, 510, 0, None),
    ("MRN-10047", "J1756", -13, 200, 0, None),
    ("MRN-10023", "J1439", -12, 750, 0, None),
    ("MRN-10074", "Q0139", -8, 510, 0, None),
    ("MRN-10031", "J1437", -6, 900, 100, None),
    ("MRN-10047", "J1756", -6, 200, 0, None),
    ("MRN-10058", "Q0138", -3, 510, 0, None),
    ("MRN-10047", "J1756", 1, 200, None, None),
    ("MRN-10023", "J1439", 2, 750, None, None),
    ("MRN-10176", "J1756", 2, 200, None, None),
    ("MRN-10262", "Q0138", 3, 510, None, None),
    ("MRN-10273", "J1439", 3, 750, None, None),
    ("MRN-10058", "Q0138", 4, 510, None, None),
    ("MRN-10062", "Q0138", 5, 510, None, None),
    ("MRN-10085", "J1439", 5, 750, None, None),
    ("MRN-10074", "Q0139", 6, 510, None, None),
    ("MRN-10285", "Q0138", 6, 510, None, "Insurance ended last month; new coverage being checked"),
    ("MRN-10047", "J1756", 8, 200, None, "Extension requested from Summit; keeping the chair"),
    ("MRN-10262", "Q0138", 8, 510, None, None),
    ("MRN-10176", "J1756", 9, 200, None, None),
    ("MRN-10273", "J1439", 12, 750, None, None),
    ("MRN-10062", "Q0138", 14, 510, None, "Approval ends before this date; renewal in progress"),
    ("MRN-10176", "J1756", 16, 200, None, None),
]
REACTIONS = {("MRN-10062", -15): "mild flushing, resolved without treatment"}
