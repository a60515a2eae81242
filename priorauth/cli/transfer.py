"""flask import … / flask export …: bring a clinic's data in, and take it out.

The commands themselves live beside what they move (cli/import_sheet.py, cli/export_clinic.py);
this module only holds the two groups they join."""

from __future__ import annotations

from flask.cli import AppGroup

import_cli = AppGroup("import", help="Bring a clinic's data in (spreadsheets, clinic exports).")
export_cli = AppGroup("export", help="Take a clinic's data out.")
