"""PHI stays out of URLs, logs, the session cookie and other users' reach on disk."""

from __future__ import annotations

import logging
import os
import stat
import threading
import urllib.request
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from priorauth.extensions import db
from priorauth.factory import create_app
from priorauth.models import Patient
from priorauth.notify.delivery import write_outbox
from tests.web.test_security_headers import sign_in

GRACE = {"mrn": "PHI-77", "first_name": "Grace", "last_name": "Hopper", "birth_date": "1956-12-09"}


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    """Files and folders would be world-readable and writable unless the code says otherwise."""
    saved = os.umask(0)
    yield
    os.umask(saved)


def _message() -> EmailMessage:
    message = EmailMessage()
    message["To"] = "nurse@example.test"
    message["Message-ID"] = "<digest-41-2025-03-03@localhost>"
    message.set_content("MRN PHI-77 G.H. expires")
    return message


def test_outbox_folder_and_files_are_owner_only(tmp_path, open_umask, app, caplog):
    outbox = tmp_path / "deep" / "outbox"
    with app.app_context(), caplog.at_level(logging.INFO, "priorauth.notify"):
        path = write_outbox(_message(), outbox)
    assert mode(outbox) == 0o700
    assert mode(path) == 0o600
    assert list(outbox.iterdir()) == [outbox / os.path.basename(path)]  # no .part left
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "digest-41-" in logged and "nurse@example.test" not in logged


def test_sqlite_database_and_instance_folder_are_owner_only(tmp_path, open_umask):
    database = tmp_path / "private.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "k"})
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE t (x TEXT)"))
            conn.execute(sa.text("INSERT INTO t VALUES ('Grace Hopper')"))
        files = [p for p in (database, tmp_path / "private.sqlite-wal") if p.exists()]
        assert len(files) == 2, "the database in WAL mode has its -wal file while open"
        for path in [*files, tmp_path / "private.sqlite-shm"]:
            if path.exists():
                assert mode(path) == 0o600, path
        db.engine.dispose()
    assert mode(app.instance_path) == 0o700


def test_existing_database_files_are_made_owner_only_on_connect(tmp_path):
    database = tmp_path / "old.sqlite"
    database.touch()
    os.chmod(database, 0o644)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "k"})
    with app.app_context():
        with db.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        db.engine.dispose()
    assert mode(database) == 0o600


def test_access_log_lines_keep_the_path_but_not_the_query(app, caplog):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/login?next=/patients%3Fq%3DHopper&mrn=PHI-77"
    try:
        with caplog.at_level(logging.INFO, "werkzeug"):
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local
                assert response.status == 200
            thread.join(timeout=10)
    finally:
        server.server_close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("GET /login?" in line for line in lines), lines
    assert not any("Hopper" in line or "PHI-77" in line for line in lines), lines


def _session_payload(client) -> str:
    app = client.application
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    serializer = app.session_interface.get_signing_serializer(app)
    return repr(serializer.loads(cookie.value))


def test_new_patient_flash_names_nobody(client, front_desk):
    sign_in(client, front_desk)
    response = client.post("/patients/new", data=GRACE)
    assert response.status_code == 302
    stored = _session_payload(client)
    assert "Patient added." in stored
    assert "Hopper" not in stored and "Grace" not in stored and "PHI-77" not in stored
    page = client.get(response.location).get_data(as_text=True)
    assert "Patient added." in page


def test_search_text_is_posted_and_never_in_the_url(client, front_desk):
    sign_in(client, front_desk)
    client.post("/patients/new", data=GRACE)
    patient_id = db.session.scalar(sa.select(Patient.id).where(Patient.mrn == "PHI-77"))
    exact = client.post("/search", data={"q": "phi-77"})
    assert exact.status_code == 303 and exact.location == f"/patients/{patient_id}"
    listed = client.post("/search", data={"q": "Hopper"})
    assert listed.status_code == 200 and listed.request.path == "/search"
    assert listed.request.query_string == b""
    html = listed.get_data(as_text=True)
    assert f'data-patient-id="{patient_id}"' in html
    assert "<title>Search results · priorauth</title>" in html  # not the text: it reaches history
    assert 'method="post"' in html and 'action="/search"' in html
    old_link = client.get("/search?q=Hopper")  # an old bookmark: an empty search, no lookup
    assert old_link.status_code == 200 and "data-patient-id" not in old_link.get_data(as_text=True)
    assert client.post("/search", data={"q": "a\x00b"}).status_code == 200
