"""Search from every page: patients by MRN, name or member ID, requests by auth number, payer
reference or #id, in the signed-in user's clinic. One exact MRN or auth number opens its page;
a patient found shows their open requests. The finding is priorauth.queries.search.

The text is POSTed (with the CSRF token): a GET would put it in the URL, the browser history
and every access log. The result lists page with POSTed buttons for the same reason."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from priorauth.queries import search as finder
from priorauth.queries.paging import page_request
from priorauth.services.clock import clinic_today
from priorauth.web.forms import search_text
from priorauth.web.paging import pager

bp = Blueprint("search", __name__, url_prefix="/search")

SECTIONS = ("patients", "requests")
PAGES = {
    "patient": ("patients.show", "patient_id"),
    "authorization": ("authorizations.show", "auth_id"),
}


@bp.get("")
@login_required
def index():
    """The empty search page; the text is POSTed so that it stays out of URLs and logs."""
    return render_template("search/index.html", q="", results=None)


@bp.post("")
@login_required
def results():
    text = search_text(request.form.get("q"))
    if not text:
        return index()
    exact = finder.exact_match(current_user.clinic_id, text)
    if exact:
        endpoint, arg = PAGES[exact[0]]
        return redirect(url_for(endpoint, **{arg: exact[1]}), code=303)
    pages = {s: page_request(request.form, prefix=f"{s}_") for s in SECTIONS}
    found = finder.search(current_user.clinic_id, text, clinic_today(current_user.clinic), pages)
    return render_template(
        "search/index.html",
        q=text,
        results=found,
        pagers={s: pager(getattr(found, s), prefix=f"{s}_", post=True) for s in SECTIONS},
    )
