"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from screening import create_app

app = create_app()
