"""The form shared by patient and staff pages."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that changes something (start, notice seen, remove, submit, print, acknowledge):
    the form carries only the CSRF token."""
