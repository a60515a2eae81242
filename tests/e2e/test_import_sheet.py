"""The front desk imports a spreadsheet of 2,500 authorizations: the page's script checks the
rows a step at a time (the progress bar moves, no inline script), then the import and its
result, every page checked for accessibility."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests import sheet_files

pytestmark = pytest.mark.e2e
ROWS = 2500


def _payer_name(session) -> str:
    from priorauth.models import Payer, User

    clinic_id = session.scalar(sa.select(User.clinic_id).where(User.role == "front_desk"))
    return session.scalar(sa.select(Payer.name).where(Payer.clinic_id == clinic_id).limit(1))


def test_front_desk_imports_a_large_file_with_a_progress_bar(site, page, live_server, tmp_path):
    payer = live_server.query(_payer_name)
    rows = [sheet_files.row(n, MRN=f"E2E-{n}", Payer=payer) for n in range(ROWS)]
    path = tmp_path / "clinic-sheet.csv"
    path.write_bytes(sheet_files.csv_bytes(rows))
    steps = []
    page.on("response", lambda r: steps.append(r.status) if r.url.endswith("/check") else None)
    site.sign_in("front_desk")
    site.visit("/imports")
    page.set_input_files("#imp-file", str(path))
    site.submit(page.get_by_role("button", name="Upload and check"))
    page.get_by_role("heading", name="Checked").wait_for()
    site.check()
    assert steps == [200, 200], steps  # 2,000 rows, then the last 500, sent by the script
    assert f"{ROWS} rows to import" in page.locator("main").inner_text()
    site.submit(page.get_by_role("button", name=f"Import all {ROWS} rows"))
    text = page.locator("main").inner_text()
    assert f"Imported {ROWS} requests from clinic-sheet.csv." in text
    assert f"Created {ROWS} requests, {ROWS} patients and {ROWS} coverages" in text
