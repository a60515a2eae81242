"""Browser tests: the app served on a free local port, driven by Debian's Chromium.

Without /usr/bin/chromium the tests skip (saying how to install it); under CI=true a missing
browser fails the run. Every page records its requests: one to another host fails the test.
A failing test saves a full-page screenshot to tests/e2e/screenshots/<test name>.png.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
PASSWORD = "demo-password"
TIMEOUT_MS = 10_000


def _no_browser(reason: str) -> None:
    """Skip locally, fail under CI=true: the browser tests must run in CI."""
    message = f"{reason}: install it with `apt-get install -y chromium` to run the browser tests"
    if IN_CI:
        pytest.fail(message + " (CI=true requires them)", pytrace=False)
    pytest.skip(message)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures can see whether the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# the app ----------------------------------------------------------------------------------


@dataclass
class LiveServer:
    """The running app: its base URL, the Flask app (for looking at the database) and who
    may sign in."""

    app: object
    url: str
    host: str
    users: dict[str, str] = field(default_factory=dict)

    def path(self, path: str) -> str:
        return self.url + path

    def query(self, read):
        """read(session) in an app context, for finding rows the scenarios use; it should
        return plain values (ids, strings), not rows bound to the closed session."""
        from priorauth.extensions import db

        with self.app.app_context():
            try:
                return read(db.session)
            finally:
                db.session.remove()


def _build_app(tmp: Path):
    from flask_migrate import upgrade

    from priorauth import demo
    from priorauth.extensions import db
    from priorauth.factory import create_app
    from priorauth.services.reference import load_catalog

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'e2e.sqlite'}",
            "SECRET_KEY": "e2e-secret-key",
            "WTF_CSRF_ENABLED": True,
            "MAIL_OUTBOX": str(tmp / "outbox"),
        }
    )
    with app.app_context():
        upgrade()
        load_catalog()
        db.session.commit()
        signins = demo.seed()
        db.session.commit()
    return app, {role: email for email, role in signins}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo clinic, served by werkzeug in a daemon thread."""
    from werkzeug.serving import make_server

    from priorauth.extensions import db

    app, users = _build_app(tmp_path_factory.mktemp("e2e"))
    werkzeug_log = logging.getLogger("werkzeug")
    level = werkzeug_log.level
    werkzeug_log.setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.server_port}"
    try:
        yield LiveServer(app=app, url=f"http://{host}", host=host, users=users)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        werkzeug_log.setLevel(level)
        with app.app_context():
            db.engine.dispose()


# the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _no_browser(f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the venv has it
        _no_browser("the Python package playwright is missing")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


def _is_local(url: str, host: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.netloc == host


def _save_failure_screenshot(tab, name: str) -> None:
    from playwright.sync_api import Error

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    except Error as error:  # a crashed page must not hide the test's own failure
        print(f"no screenshot of {name}: {error}")


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context and page. Requests to another host are blocked and recorded:
    the test fails on any. On failure a full-page screenshot is saved."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    seen, foreign = [], []

    def on_request(req):
        seen.append(req.url)
        if not _is_local(req.url, live_server.host):
            foreign.append(req.url)

    def block_foreign(route):
        if _is_local(route.request.url, live_server.host):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", block_foreign)
    tab = context.new_page()
    tab.on("request", on_request)
    tab.foreign_requests = foreign
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        _save_failure_screenshot(tab, request.node.name)
    context.close()
    assert seen, "the page made no request at all: the request recorder is not working"
    assert not foreign, f"requests to another host than {live_server.host}: {foreign}"


# the helpers the scenarios use -----------------------------------------------------------

ACCESSIBILITY_PROBLEMS = r"""
() => {
  const problems = [];
  const text = (value) => (value || "").trim();
  const short = (el) => el.outerHTML.replace(/\s+/g, " ").slice(0, 160);
  const namedBy = (el) => text(el.getAttribute("aria-label")) ||
    text(el.getAttribute("aria-labelledby")).split(/\s+/).filter(Boolean)
      .some((id) => text((document.getElementById(id) || {}).textContent));
  if (!text(document.documentElement.getAttribute("lang"))) {
    problems.push("<html> has no lang");
  }
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(`${h1s} <h1> elements instead of exactly one`);
  const unlabelled = new Set(["hidden", "submit", "button", "reset", "image"]);
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.tagName === "INPUT" && unlabelled.has(el.type)) continue;
    const labels = Array.from(el.labels || []).filter((label) => text(label.textContent));
    if (!labels.length && !namedBy(el)) problems.push(`control without a label: ${short(el)}`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`<img> without alt: ${short(img)}`);
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.parentElement.closest("svg") || svg.getAttribute("aria-hidden") === "true") continue;
    const title = svg.querySelector(":scope > title");
    const named = text(title && title.textContent) || namedBy(svg);
    if (svg.getAttribute("role") !== "img" || !named) {
      problems.push(`<svg> without role="img" and a <title> or aria-label: ${short(svg)}`);
    }
  }
  return problems;
}
"""


class Site:
    """A browser page on the live app: every page it lands on is checked for accessibility
    and for requests to other hosts; the paths checked are kept in `audited`."""

    def __init__(self, page, server: LiveServer):
        self.page, self.server = page, server
        self.audited: list[str] = []

    def visit(self, path: str, status: int = 200):
        response = self.page.goto(self.server.path(path))
        assert response is not None and response.status == status, (
            f"GET {path}: HTTP {response and response.status}, expected {status}"
        )
        self.check()
        return response

    def submit(self, button, status: int = 200):
        """Click a button that sends a form; check the page it leads to."""
        with self.page.expect_navigation() as navigation:
            button.click()
        response = navigation.value
        assert response is not None and response.status == status, (
            f"{self.page.url}: HTTP {response and response.status}, expected {status}"
        )
        self.check()
        return response

    def accessibility_problems(self) -> list[str]:
        return self.page.evaluate(ACCESSIBILITY_PROBLEMS)

    def check(self) -> None:
        """The page now shown: accessible, and nothing fetched from another host."""
        problems = self.accessibility_problems()
        path = urlsplit(self.page.url).path
        assert not problems, f"accessibility problems on {path}:\n" + "\n".join(problems)
        assert not self.page.foreign_requests, (
            f"{path} made requests to other hosts: {self.page.foreign_requests}"
        )
        self.audited.append(path)

    def sign_in(self, role: str) -> None:
        self.visit("/login")
        self.page.fill("#email", self.server.users[role])
        self.page.fill("#password", PASSWORD)
        self.submit(self.page.get_by_role("button", name="Sign in"))
        assert urlsplit(self.page.url).path == "/", f"signed in to {self.page.url}, not /"

    def queue_counts(self) -> dict[str, int]:
        """The dashboard's work-queue counts, as shown."""
        self.visit("/")
        cells = self.page.locator("[data-queue]")
        return {
            cells.nth(i).get_attribute("data-queue"): int(cells.nth(i).inner_text())
            for i in range(cells.count())
        }

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot kept as a test artifact."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 0, f"empty screenshot {target}"
        return target


@pytest.fixture
def site(page, live_server):
    """The page with the helpers the scenarios use."""
    return Site(page, live_server)
