"""WCAG 2 contrast ratio of two colors, written as CSS writes them ("#1f5fbf", "#fff",
"rgb(31, 95, 191)"); shared by the stylesheet test and the browser tests."""

from __future__ import annotations

import re


def rgb(css: str) -> tuple[int, int, int]:
    """An opaque CSS color as (red, green, blue)."""
    css = css.strip().lower()
    if css.startswith("#"):
        digits = css[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        assert len(digits) == 6, css
        return tuple(int(digits[i : i + 2], 16) for i in (0, 2, 4))
    numbers = re.findall(r"[\d.]+", css)
    assert len(numbers) in (3, 4) and (len(numbers) == 3 or float(numbers[3]) == 1), css
    return tuple(round(float(n)) for n in numbers[:3])


def luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """(lighter + 0.05) / (darker + 0.05): 1 for the same color, 21 for black on white."""
    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)
