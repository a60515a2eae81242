"""Non-text contrast (WCAG 1.4.11) of the colors app.css declares: the focus ring and the field
borders stand out at least 3:1 against what they sit on. The browser tests
(tests/e2e/test_reflow.py) check the same on the rendered pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.contrast import contrast

CSS = Path(__file__).resolve().parents[2] / "priorauth" / "static" / "app.css"


def custom_properties() -> dict[str, str]:
    """The --name: value pairs of app.css's :root rule."""
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(), re.DOTALL)
    assert root, "app.css has no :root rule"
    body = re.sub(r"/\*.*?\*/", "", root.group(1), flags=re.DOTALL)
    return dict(re.findall(r"--([\w-]+)\s*:\s*([^;]+);", body))


COLORS = custom_properties()


@pytest.mark.parametrize(
    ("foreground", "background"),
    [
        ("focus", "card"),
        ("focus", "bg"),
        ("focus-on-dark", "header-bg"),
        ("field-border", "card"),
        ("field-border", "bg"),
    ],
)
def test_focus_ring_and_field_borders_contrast_at_least_3_to_1(foreground, background):
    ratio = contrast(COLORS[foreground], COLORS[background])
    assert ratio >= 3, f"--{foreground} on --{background}: {ratio:.2f}:1"


def test_the_rules_use_those_properties():
    """The ring and the borders are drawn with the checked colors, not a literal elsewhere."""
    css = CSS.read_text()
    assert "outline: 3px solid var(--focus)" in css
    assert "header.top :focus-visible { outline-color:var(--focus-on-dark); }" in css
    fields = re.search(r"input, select, textarea \{[^}]*\}", css).group(0)
    assert "border:1px solid var(--field-border)" in fields


def test_the_formula_matches_known_ratios():
    assert round(contrast("#000", "#fff"), 2) == 21.0
    assert round(contrast("#ffbf47", "#fff"), 2) == 1.64  # the ring this replaced
    assert round(contrast("rgb(170, 178, 194)", "#ffffff"), 2) == 2.13  # the old border
