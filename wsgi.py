"""WSGI entry point: gunicorn wsgi:app"""

from priorauth import create_app

app = create_app()
