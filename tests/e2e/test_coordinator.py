"""A coordinator at the front desk takes a new patient from registration to an approved
J1439 request at Blue Harbor Health, following the checklist's "Add ..." links."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

CLINIC_ZONE = ZoneInfo("America/New_York")  # the demo clinic's
MAX_FIXES = 12


def clinic_today() -> date:
    return datetime.now(CLINIC_ZONE).date()


def day(offset: int) -> str:
    return (clinic_today() + timedelta(days=offset)).isoformat()


def _register_patient(site, page) -> None:
    site.visit("/patients/new")
    page.fill("#f-mrn", "E2E-0001")
    page.fill("#f-first_name", "Olivia")
    page.fill("#f-last_name", "Marsh")
    page.fill("#f-birth_date", "1979-05-17")
    page.select_option("#f-sex", "F")
    site.submit(page.get_by_role("button", name="Add patient"))
    assert "Marsh, Olivia" in page.locator("h1").inner_text()


def _add_coverage(site, page) -> None:
    page.select_option("#cov-payer_id", label="Blue Harbor Health")
    page.fill("#cov-member_id", "BHE2E123456")
    page.fill("#cov-plan_name", "Blue Harbor PPO")
    page.fill("#cov-start_date", day(-365))
    site.submit(page.locator("#add-coverage").get_by_role("button", name="Add coverage"))
    row = page.locator("#coverages tbody tr", has_text="Blue Harbor Health")
    assert "BHE2E123456" in row.inner_text() and "active" in row.inner_text()


def _log_request(site, page) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name="New request").click()
    site.check()
    assert page.locator("#f-coverage_id option:checked").inner_text().startswith("Blue Harbor")
    page.select_option("#f-hcpcs_code", "J1439")
    page.fill("#f-dose_mg", "750")
    page.fill("#f-administrations", "2")
    page.fill("#f-requested_start", day(7))
    page.fill("#f-requested_end", day(96))
    page.fill("#f-ordering_provider", "Dr. Elena Vasquez")
    site.submit(page.get_by_role("button", name="Log request"))
    assert re.search(r"/authorizations/\d+$", page.url), page.url


def problems_left(page) -> int:
    """The checklist's count of items to fix; 0 when it says ready."""
    if page.locator("#checklist .summary.ready").count():
        return 0
    summary = page.locator("#checklist .summary.to-fix").inner_text()
    return int(re.search(r"(\d+) items? to fix", summary).group(1))


# one piece of evidence per "Add ..." link: each meets Blue Harbor's J1439 policy
LABS = (("ferritin", "12"), ("tsat", "9"), ("hemoglobin", "9.6"))


def _add_lab(form, item: str, added: set) -> None:
    """The first lab the checklist item names that is not yet added."""
    left = [lab for lab in LABS if lab[0] not in added]
    test, value = next((lab for lab in left if lab[0] in item.lower()), left[0])
    added.add(test)
    form.locator("select[name=test]").select_option(test)
    form.locator("input[name=value]").fill(value)
    form.locator("input[name=observed_on]").fill(day(-3))


def _add_oral_iron_trial(form, item: str, added: set) -> None:
    form.locator("input[name=drug]").fill("ferrous sulfate 325 mg daily")
    form.locator("input[name=start_date]").fill(day(-200))
    form.locator("input[name=end_date]").fill(day(-100))
    form.locator("select[name=outcome]").select_option("inadequate_response")
    form.locator("textarea[name=note]").fill("Ferritin did not rise after 100 days")


def _add_diagnosis(form, item: str, added: set) -> None:
    form.locator("input[name=code]").fill("D50.9")
    form.locator("input[name=observed_on]").fill(day(-10))


def _add_prior_product(form, item: str, added: set) -> None:
    form.locator("select[name=hcpcs_code]").select_option("J1756")
    form.locator("input[name=given_on]").fill(day(-60))
    form.locator("textarea[name=note]").fill("iron sucrose, partial response")


def _add_ckd_status(form, item: str, added: set) -> None:
    form.locator("select[name=stage]").select_option("3")
    form.locator("input[name=observed_on]").fill(day(-20))


FILLERS = {
    "lab": _add_lab,
    "oral_iron_trial": _add_oral_iron_trial,
    "diagnosis": _add_diagnosis,
    "prior_product": _add_prior_product,
    "ckd_status": _add_ckd_status,
}


def _fix_checklist(site, page) -> list[str]:
    """Follow the first "Add ..." link until the checklist is ready; the kinds added."""
    request_url, added, kinds = page.url, set(), []
    for _ in range(MAX_FIXES):
        left = problems_left(page)
        if left == 0:
            return kinds
        fixable = page.locator("a.fix", has_text=re.compile(r"^Add "))
        entry = page.locator("#checklist li").filter(has=fixable).first
        link, item = entry.locator("a.fix"), entry.inner_text()
        kind = link.get_attribute("href").rsplit("#add-", 1)[1]
        with page.expect_navigation():
            link.click()
        site.check()
        form = page.locator(f"form#add-{kind}")
        FILLERS[kind](form, item, added)
        site.submit(form.locator("button[type=submit]"))
        assert page.url == request_url, f"adding {kind} did not lead back to the request"
        assert problems_left(page) <= left, f"adding {kind} ({item}) fixed nothing"
        kinds.append(kind)
    pytest.fail(f"the checklist is still not ready after adding {kinds}")


def _take_step(site, page, title: str, fields: dict) -> None:
    """Open a next-step form by its title, fill it, send it."""
    step = page.locator("details.step", has=page.locator("summary", has_text=title))
    step.locator("summary").click()
    for selector, value in fields.items():
        control = step.locator(selector)
        if control.evaluate("el => el.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    site.submit(step.get_by_role("button", name=title))


def status_badge(page) -> str:
    return page.locator("h1 .badge").inner_text().strip()


def _counts_then_back(site, page) -> dict[str, int]:
    """The dashboard's queue counts, then back to the request page."""
    request_path = urlsplit(page.url).path
    counts = site.queue_counts()
    site.visit(request_path)
    return counts


def moved(before: dict, after: dict) -> dict[str, int]:
    return {q: after[q] - before[q] for q in before if after[q] != before[q]}


def test_coordinator_registers_a_patient_and_takes_a_request_to_approval(site, page):
    site.sign_in("front_desk")
    counts = [site.queue_counts()]
    _register_patient(site, page)
    _add_coverage(site, page)
    _log_request(site, page)
    assert status_badge(page) == "draft"
    missing = problems_left(page)
    assert missing >= 3, f"a patient without evidence should miss several items, not {missing}"
    assert page.locator("#checklist li.item-missing").count() >= 3
    counts.append(_counts_then_back(site, page))
    assert moved(counts[-2], counts[-1]) == {"needs_evidence": 1}

    kinds = _fix_checklist(site, page)
    assert {"lab", "oral_iron_trial", "diagnosis"} <= set(kinds), kinds
    assert "Ready to submit" in page.locator("#checklist .summary").inner_text()
    counts.append(_counts_then_back(site, page))
    assert moved(counts[-2], counts[-1]) == {"needs_evidence": -1, "ready_to_submit": 1}

    _take_step(site, page, "Record submission to the payer", {"select[name=channel]": "portal"})
    assert status_badge(page) == "submitted"
    assert "by portal" in page.locator("dl.facts").inner_text()
    counts.append(_counts_then_back(site, page))
    assert moved(counts[-2], counts[-1]) == {"ready_to_submit": -1, "waiting_on_payer": 1}

    _take_step(
        site,
        page,
        "Record approval",
        {
            "input[name=auth_number]": "BH-E2E-0001",
            "input[name=approved_units]": "1500",
            "input[name=approved_administrations]": "2",
            "input[name=approved_start]": day(7),
            "input[name=approved_end]": day(96),
        },
    )
    assert status_badge(page) in ("approved", "partially approved")
    facts = page.locator("dl.facts").inner_text()
    assert "BH-E2E-0001: 1500 units, 2 administrations" in facts
    counts.append(_counts_then_back(site, page))
    assert moved(counts[-2], counts[-1]) == {"waiting_on_payer": -1}

    history = page.locator("#history tbody").inner_text()
    for change in ("created as draft", "draft → submitted", "submitted → approved"):
        assert change in history, f"history lacks {change!r}:\n{history}"
    site.screenshot("request")
