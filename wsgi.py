"""WSGI entry point: gunicorn wsgi:app"""

from priorauth.factory import create_app

app = create_app()
