"""priorauth: prior-authorization tracking for IV iron infusion clinics."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")


def create_app(config: dict | None = None) -> Flask:
    """The application factory: configure, then register each part."""
    from priorauth import setup

    app = Flask(__name__, instance_relative_config=True, template_folder=TEMPLATES)
    setup.register_config(app, config)
    setup.register_logging(app)
    setup.register_extensions(app)
    setup.register_auth(app)
    setup.register_api(app)
    setup.register_web(app)
    setup.register_errors(app)  # after register_api: replaces flask-smorest's handler
    setup.register_request_guards(app)
    setup.register_security_headers(app)
    setup.register_cli(app)
    return app
