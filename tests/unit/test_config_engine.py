"""Engine options follow the database: a server's pooled connections are tested before use,
an SQLite file's are not (the test would cost every request a statement)."""

from __future__ import annotations

import pytest

from priorauth.config import engine_options


@pytest.mark.parametrize(
    ("url", "pre_ping"),
    [
        ("sqlite:////tmp/priorauth.sqlite", None),
        ("sqlite://", None),
        ("postgresql+psycopg://postgres@127.0.0.1:5432/priorauth", True),
    ],
)
def test_only_a_database_server_gets_its_connections_tested(url, pre_ping):
    config = {"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}}
    engine_options(config)
    assert config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping") is pre_ping


def test_an_operators_own_engine_option_is_kept():
    config = {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://db/priorauth",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": False},
    }
    engine_options(config)
    assert config["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": False}
