"""What an automated accessibility check cannot see, measured in the browser: reflow at 320 px
(no page scrolls sideways; wide tables scroll in their own labelled region), the contrast of the
focus ring and of field borders (at least 3:1, from the computed styles), who is signed in
visible at 1280 px, nav labels never broken, chart labels readable at 200 % zoom (and the
charts' numbers as a table on demand)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.contrast import contrast
from tests.e2e.conftest import TIMEOUT_MS, Site

pytestmark = pytest.mark.e2e

NARROW = {"width": 320, "height": 640}
WIDE = {"width": 1280, "height": 900}
ZOOMED = {"width": 640, "height": 450}  # a 1280 x 900 window at 200 % zoom


def _main_pages(session) -> dict[str, str]:
    """The pages to reflow: a request with a runway, a patient with evidence cards, and more."""
    from priorauth.models import AuthorizationRequest, Infusion

    approved = session.scalars(
        sa.select(AuthorizationRequest)
        .join(Infusion, Infusion.authorization_id == AuthorizationRequest.id)
        .where(AuthorizationRequest.status == "approved", Infusion.status == "scheduled")
        .order_by(AuthorizationRequest.id)
        .limit(1)
    ).one()
    booked = session.scalars(
        sa.select(Infusion.id).where(Infusion.status == "scheduled").order_by(Infusion.id)
    ).first()
    return {
        "dashboard": "/",
        "request page": f"/authorizations/{approved.id}",
        "patient page": f"/patients/{approved.patient_id}",
        "day schedule": "/schedule",
        "week schedule": "/schedule?view=week",
        "audit": "/audit",
        "requests": "/authorizations",
        "patients": "/patients",
        "infusion page": f"/infusions/{booked}",
        "work queue": "/queues/waiting_on_payer",
        "coverage check": "/schedule/coverage-check",
        "staff": "/staff",
        "payers": "/payers",
        "clinic settings": "/clinic",
        "reminders": "/reminders",
        "my digest": "/digests/mine",
    }


SIDEWAYS = """() => ({
  width: document.documentElement.scrollWidth,
  sticking_out: Array.from(document.querySelectorAll("main *, header *"))
    .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5
      && !el.closest(".table-scroll, .visually-hidden, .skip"))
    .slice(0, 5).map((el) => el.tagName.toLowerCase() + "." + el.className),
  regions: Array.from(document.querySelectorAll(".table-scroll")).map((el) => ({
    role: el.getAttribute("role"), label: (el.getAttribute("aria-label") || "").trim()
      || (el.getAttribute("aria-labelledby") ? "by id" : ""),
    tabindex: el.getAttribute("tabindex"), scrolls: el.scrollWidth > el.clientWidth,
    fits: el.getBoundingClientRect().right <= window.innerWidth + 0.5,
  })),
  loose_wide_tables: Array.from(document.querySelectorAll("table"))
    .filter((t) => !t.closest(".table-scroll, .visually-hidden")
      && t.getBoundingClientRect().right > window.innerWidth + 0.5).length,
})"""


def test_no_main_page_scrolls_sideways_at_320_px(site, page, live_server):
    site.sign_in("admin")
    page.set_viewport_size(NARROW)
    scrolling = 0
    for name, path in live_server.query(_main_pages).items():
        site.visit(path)
        found = page.evaluate(SIDEWAYS)
        assert found["width"] <= NARROW["width"], f"{name} ({path}) is {found['width']} px wide"
        assert not found["sticking_out"], f"{name}: {found['sticking_out']}"
        assert found["loose_wide_tables"] == 0, f"{name}: a wide table outside a scroll region"
        for region in found["regions"]:
            assert region["role"] == "region" and region["label"], f"{name}: {region}"
            assert region["tabindex"] == "0" and region["fits"], f"{name}: {region}"
            scrolling += region["scrolls"]
    assert scrolling >= 3, "no wide table scrolls in its region: the check is not reaching any"


def test_the_evidence_cards_fit_at_320_px(site, page, live_server):
    site.sign_in("front_desk")
    page.set_viewport_size(NARROW)
    site.visit(live_server.query(_main_pages)["patient page"])
    cards = page.locator(".grid.evidence > .card")
    assert cards.count() >= 4
    for i in range(cards.count()):
        box = cards.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= NARROW["width"], box


def test_a_wide_table_region_scrolls_from_the_keyboard(site, page, live_server):
    site.sign_in("admin")
    page.set_viewport_size(NARROW)
    site.visit("/audit")
    region = page.locator(".table-scroll").first
    assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    page.keyboard.press("ArrowRight")
    expect(region).not_to_have_js_property("scrollLeft", 0)


# contrast ---------------------------------------------------------------------------------

COLORS_BEHIND = """(el) => {
  const behind = (node) => {
    for (let at = node; at; at = at.parentElement) {
      const bg = getComputedStyle(at).backgroundColor;
      if (bg && bg !== "transparent" && !/rgba\\(.*,\\s*0\\)$/.test(bg)) return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const style = getComputedStyle(el);
  return {outline: style.outlineColor, outline_style: style.outlineStyle,
          outline_width: parseFloat(style.outlineWidth), border: style.borderTopColor,
          border_width: parseFloat(style.borderTopWidth), own: style.backgroundColor,
          around: behind(el.parentElement)};
}"""


def _focused_by_keyboard(page, selector: str, limit: int = 80) -> dict:
    """Tab until `selector` has the focus (so :focus-visible applies); its colors then."""
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return page.evaluate(f"() => ({COLORS_BEHIND})(document.activeElement)")
    raise AssertionError(f"{selector} never got the focus in {limit} tabs")


@pytest.mark.parametrize(
    "selector",
    [
        "main .card input:not([type=hidden])",  # a field on a white card
        "main .card button",  # a button on a white card
        "main a",  # a link on the page background
        "header.top nav a",  # a nav link on the dark header
    ],
)
def test_the_focus_ring_stands_out_at_3_to_1(site, page, live_server, selector):
    site.sign_in("front_desk")
    site.visit(live_server.query(_main_pages)["patient page"])
    seen = _focused_by_keyboard(page, selector)
    assert seen["outline_style"] != "none" and seen["outline_width"] >= 2, seen
    ratio = contrast(seen["outline"], seen["around"])
    assert ratio >= 3, f"focus ring {seen['outline']} on {seen['around']}: {ratio:.2f}:1"


@pytest.mark.parametrize("selector", ["input", "select", "textarea"])
def test_field_borders_stand_out_at_3_to_1(site, page, live_server, selector):
    site.sign_in("front_desk")
    site.visit(live_server.query(_main_pages)["patient page"])
    fields = page.locator(f"main .card {selector}:not([type=hidden])")
    assert fields.count() >= 1
    for i in range(fields.count()):
        seen = fields.nth(i).evaluate(COLORS_BEHIND)
        assert seen["border_width"] >= 1, seen
        for against in (seen["own"], seen["around"]):
            ratio = contrast(seen["border"], against)
            assert ratio >= 3, f"{selector} border {seen['border']} on {against}: {ratio:.2f}:1"


# the header -------------------------------------------------------------------------------


def _inside(box: dict | None, viewport: dict) -> bool:
    return (
        box is not None
        and box["width"] > 0
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1280px", "320px"])
def test_name_and_role_of_who_is_signed_in_are_visible(site, page, viewport):
    page.set_viewport_size(viewport)
    site.sign_in("scheduler")
    for part, text in ((".who-name", "Sam Patel"), (".who-role", "scheduler")):
        shown = page.locator(f"header.top {part}")
        assert shown.is_visible(), part
        assert shown.inner_text().strip() == text
        box = shown.bounding_box()
        assert _inside(box, viewport), f"{part} at {box} in a {viewport} window"
        clipped = shown.evaluate("(el) => el.scrollWidth > el.clientWidth + 0.5")
        assert not clipped, f"{part} is cut off"


BROKEN_NAV_LABELS = """() => Array.from(document.querySelectorAll("header.top nav a"))
  .filter((a) => {
    const range = document.createRange();
    range.selectNodeContents(a);
    const tops = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
    return tops.size > 1;
  }).map((a) => a.textContent.trim())"""


@pytest.mark.parametrize("viewport", [NARROW, ZOOMED, WIDE], ids=["320px", "640px", "1280px"])
def test_nav_labels_are_never_broken_across_lines(site, page, viewport):
    page.set_viewport_size(viewport)
    site.sign_in("admin")
    assert page.locator("header.top nav a").count() >= 8
    assert page.evaluate(BROKEN_NAV_LABELS) == []


def test_the_broken_label_check_sees_a_broken_label(site, page):
    site.visit("/login")
    page.goto("about:blank")  # no CSP there: the inline styles below apply
    page.set_content(
        '<header class="top"><nav style="width:40px"><a href="#" style="word-break:break-all">'
        "Coverage check</a><a href='#'>Home</a></nav></header>"
    )
    assert page.evaluate(BROKEN_NAV_LABELS) == ["Coverage check"]


# charts -----------------------------------------------------------------------------------

CHART_LABEL_SIZES = """() => Array.from(document.querySelectorAll("svg.chart text")).map((t) =>
  parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""


@pytest.fixture
def zoomed_site(browser, live_server):
    """The app in a 1280 x 900 window at 200 % zoom: 640 x 450 CSS px, 2 device px each."""
    context = browser.new_context(viewport=ZOOMED, device_scale_factor=2, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    tab.foreign_requests = []

    def local_only(route):
        if route.request.url.startswith(live_server.url + "/"):
            route.continue_()
        else:
            tab.foreign_requests.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    yield Site(tab, live_server)
    context.close()


def test_chart_labels_are_at_least_12_px_at_200_percent_zoom(zoomed_site):
    zoomed_site.sign_in("admin")
    zoomed_site.visit("/")
    sizes = zoomed_site.page.evaluate(CHART_LABEL_SIZES)
    assert len(sizes) >= 20, sizes
    assert min(sizes) >= 12, f"smallest chart label {min(sizes):.1f} CSS px"


def test_the_charts_numbers_open_as_a_table_at_320_px(site, page):
    site.sign_in("admin")
    page.set_viewport_size(NARROW)
    site.visit("/")
    tables = page.locator("details.chart-table")
    assert tables.count() == 2
    for i in range(tables.count()):
        table = tables.nth(i).locator("table")
        assert not table.is_visible()
        summary = tables.nth(i).locator("summary")
        summary.focus()
        page.keyboard.press("Enter")  # opened from the keyboard
        assert table.is_visible()
        assert table.locator("tbody tr").count() >= 8
        assert page.evaluate("document.documentElement.scrollWidth") <= NARROW["width"]
    first = tables.first.locator("tbody tr").first.inner_text()
    assert re.match(r"draft\s+\d+", first, re.IGNORECASE), first
