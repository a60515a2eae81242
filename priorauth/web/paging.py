"""The pager under every list: "Showing 101–200 of 734 · Previous · Next · page size".

A GET list keeps its other query arguments (filters, sort) in the Previous / Next links and
in the page-size form. A list that answers a POSTed search (patient names stay out of URLs)
pages with POSTed buttons that carry the search again (`post=True`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from priorauth.queries.paging import PER_PAGE_CHOICES, Page


@dataclass(frozen=True)
class Pager:
    page: Page
    prefix: str
    post: bool
    kept: tuple[tuple[str, str], ...]  # the other arguments, carried as hidden fields
    previous_url: str | None = None
    next_url: str | None = None
    action: str = ""
    choices: tuple[int, ...] = PER_PAGE_CHOICES


def _kept(source, prefix: str) -> tuple[tuple[str, str], ...]:
    own = {f"{prefix}page", f"{prefix}per_page", "csrf_token"}
    return tuple((k, v) for k in source if k not in own for v in source.getlist(k))


def _url(endpoint: str, kept, prefix: str, page: Page, number: int) -> str:
    args: dict[str, list[str]] = {}
    for key, value in kept:
        args.setdefault(key, []).append(value)
    args |= {f"{prefix}page": [str(number)], f"{prefix}per_page": [str(page.per_page)]}
    return url_for(endpoint, **(request.view_args or {}), **args)


def pager(page: Page, prefix: str = "", post: bool = False, endpoint: str | None = None) -> Pager:
    """The pager of `page` for the current request. A GET pager links to `endpoint` (default:
    the current one; a list shown again after a refused POST names its GET page)."""
    source = request.form if post else request.args
    kept = _kept(source, prefix)
    if post:
        return Pager(page, prefix, True, kept, action=request.path)
    endpoint = endpoint or request.endpoint
    previous = _url(endpoint, kept, prefix, page, page.page - 1) if page.has_prev else None
    following = _url(endpoint, kept, prefix, page, page.page + 1) if page.has_next else None
    action = url_for(endpoint, **(request.view_args or {}))
    return Pager(page, prefix, False, kept, previous, following, action=action)
