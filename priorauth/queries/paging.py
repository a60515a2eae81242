"""One page of a long list: the rows shown, how many there are in all, and where the page is.

Every list pages instead of stopping silently at a fixed number of rows. The page number and
size come from the request (`page_request`), a query is cut with Flask-SQLAlchemy's
`db.paginate` (two statements: the count and the page, whatever the number of rows), and the
`Page` value tells the template what to show ("Showing 101–200 of 734").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from math import ceil

import sqlalchemy as sa

from priorauth.extensions import db

PER_PAGE_CHOICES = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
MAX_PAGE = 1_000_000  # far past any clinic's rows; keeps OFFSET inside a 64-bit integer


@dataclass(frozen=True)
class Page:
    """`items` of the list, 1-based `page` of `per_page` rows, `total` rows in all."""

    items: Sequence
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first(self) -> int:
        """Position (1-based) of the first row shown; 0 when nothing is shown."""
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _number(text, default: int) -> int:
    text = str(text or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else default


def page_request(args: Mapping, prefix: str = "") -> tuple[int, int]:
    """(page, per_page) asked for by `args`: anything else than a listed size or a page number
    falls back to the first page of the default size (a link, not a form: nothing to correct)."""
    page = min(max(_number(args.get(f"{prefix}page"), 1), 1), MAX_PAGE)
    per_page = _number(args.get(f"{prefix}per_page"), DEFAULT_PER_PAGE)
    return page, per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


def paginate(query: sa.Select, page: int, per_page: int) -> Page:
    """The `page` of the query's rows (a page past the end shows the last one)."""
    found = db.paginate(query, page=page, per_page=per_page, max_per_page=per_page, error_out=False)
    if not found.items and found.total and page > 1:
        last = max(1, ceil(found.total / per_page))
        found = db.paginate(query, page=last, per_page=per_page, error_out=False)
    return Page(list(found.items), found.total or 0, found.page, per_page)


def page_of(items: Sequence, page: int, per_page: int) -> Page:
    """A page of a list already in memory (short lists: staff, payers)."""
    pages = max(1, ceil(len(items) / per_page))
    page = min(page, pages)
    start = (page - 1) * per_page
    return Page(list(items[start : start + per_page]), len(items), page, per_page)


TOTAL_HEADER = {
    "X-Total-Count": {
        "description": "How many rows match in all (limit and offset aside): page with offset.",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def window(query: sa.Select, limit: int, offset: int) -> tuple[list, int]:
    """(rows limit..offset of the query, how many rows it has in all): two statements."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    rows = db.session.scalars(query.limit(limit).offset(offset)).unique().all()
    return list(rows), total or 0
