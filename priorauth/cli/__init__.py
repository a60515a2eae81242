"""flask commands for operators: reference and demo data, users, digests, scheduler, backups."""

from __future__ import annotations

from flask import Flask


def register_commands(app: Flask) -> None:
    # these add their commands to the import / export groups (cli/transfer.py)
    from priorauth.cli import clinic_transfer, import_sheet  # noqa: F401
    from priorauth.cli.backup import backup_cli
    from priorauth.cli.digests import digests_cli
    from priorauth.cli.recompute import recompute
    from priorauth.cli.scale import seed_scale
    from priorauth.cli.scheduler import scheduler_cli
    from priorauth.cli.transfer import export_cli, import_cli
    from priorauth.cli.users import seed_demo, seed_reference, users_cli

    commands = (seed_reference, seed_demo, seed_scale, users_cli, scheduler_cli, digests_cli)
    for command in (*commands, backup_cli, recompute, import_cli, export_cli):
        app.cli.add_command(command)
