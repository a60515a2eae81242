"""Count the SQL statements a block of code sends."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from priorauth.extensions import db


@contextmanager
def counting_queries():
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
