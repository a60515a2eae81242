"""The dashboard's counts move: a coordinator opens "ready to submit" from the dashboard,
sends the first request, and the counts, the lists and the pipeline chart follow."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

PIPELINE_BAR = """(bar) => ({key: [...bar.classList].find((c) => c.startsWith("s-")).slice(2),
                       value: parseInt(bar.querySelector("text.value").textContent, 10)})"""


def pipeline(page) -> dict[str, int]:
    """The dashboard chart's requests by status, read from its SVG bars."""
    bars = page.locator("#pipeline-chart g.row").evaluate_all(f"bars => bars.map({PIPELINE_BAR})")
    return {bar["key"]: bar["value"] for bar in bars}


def queue_ids(site, name: str) -> set[int]:
    site.visit(f"/queues/{name}")
    rows = site.page.locator("tr.queue-row")
    return {int(rows.nth(i).get_attribute("data-row-id")) for i in range(rows.count())}


def _submit_first_ready_request(site, page) -> int:
    with page.expect_navigation():
        page.locator("a", has=page.locator("[data-queue=ready_to_submit]")).click()
    site.check()
    link = page.locator("#queue-ready_to_submit tr.queue-row td a[href*='/authorizations/']")
    with page.expect_navigation():
        link.first.click()
    site.check()
    auth_id = int(re.search(r"/authorizations/(\d+)$", page.url).group(1))
    assert page.locator("#checklist .summary.ready").count() == 1
    step = page.locator("details#step-submitted")
    step.locator("summary").click()
    step.locator("select[name=channel]").select_option("portal")
    site.submit(step.get_by_role("button", name="Record submission to the payer"))
    assert page.locator("h1 .badge").inner_text() == "submitted"
    return auth_id


def test_submitting_a_ready_request_moves_the_dashboard_counts(site, page):
    site.sign_in("front_desk")
    before = site.queue_counts()
    chart_before = pipeline(page)
    assert before["ready_to_submit"] >= 1, f"the demo clinic has a ready request: {before}"

    auth_id = _submit_first_ready_request(site, page)

    after = site.queue_counts()
    site.screenshot("dashboard")
    assert after["ready_to_submit"] == before["ready_to_submit"] - 1
    assert after["waiting_on_payer"] == before["waiting_on_payer"] + 1
    unchanged = set(before) - {"ready_to_submit", "waiting_on_payer"}
    assert {q: after[q] for q in unchanged} == {q: before[q] for q in unchanged}
    chart_after = pipeline(page)
    assert chart_after["draft"] == chart_before["draft"] - 1
    assert chart_after["submitted"] == chart_before["submitted"] + 1
    assert auth_id in queue_ids(site, "waiting_on_payer")
    assert auth_id not in queue_ids(site, "ready_to_submit")
