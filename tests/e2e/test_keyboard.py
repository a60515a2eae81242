"""Keyboard use of the sign-in page: Tab reaches every control, focus is visible."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
          text: (el.innerText || "").trim(), outline: style.outlineStyle,
          width: parseFloat(style.outlineWidth) || 0};
}"""


def _tab_through(page, presses: int) -> list[dict]:
    """Press Tab `presses` times from the top of the page; what had focus after each press."""
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    return seen


def _is_sign_in_button(el: dict) -> bool:
    return el["tag"] == "button" and el["type"] == "submit" and el["text"] == "Sign in"


def test_tab_reaches_the_sign_in_controls_in_order_with_a_visible_focus(site, page):
    site.visit("/login")
    stops = _tab_through(page, 6)
    order = [s["id"] or s["text"] for s in stops]
    email = next(i for i, s in enumerate(stops) if s["id"] == "email")
    password = next(i for i, s in enumerate(stops) if s["id"] == "password")
    button = next(i for i, s in enumerate(stops) if _is_sign_in_button(s))
    assert email < password < button, f"tab order: {order}"
    for stop in (stops[email], stops[password], stops[button]):
        assert stop["outline"] != "none" and stop["width"] > 0, f"focus not visible: {stop}"


def test_a_keyboard_user_signs_in_without_the_mouse(site, page, live_server):
    site.visit("/login")
    stops = [s["id"] for s in _tab_through(page, 4)]
    assert "email" in stops, f"Tab never reached the email field: {stops}"
    site.visit("/login")
    _tab_through(page, stops.index("email") + 1)
    assert page.evaluate("document.activeElement.id") == "email"
    page.keyboard.type(live_server.users["front_desk"])
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    site.check()
    assert page.url == live_server.path("/")
    assert page.locator("h1").inner_text() != "Sign in"
