"""The staff sign-in and look-up forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[InputRequired(_l("Enter your username"))],
                           render_kw={"autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField(_l("Password"),
                             validators=[InputRequired(_l("Enter your password"))])


class CodeForm(FlaskForm):
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[InputRequired(_l("Enter the 6-digit code"))],
                       render_kw={"autofocus": True, "spellcheck": "false"})


class LookupForm(FlaskForm):
    code = StringField(_l("Patient's reference code"), validators=[InputRequired(
        _l("Enter the reference code"))], description=_l(
            "8 letters and numbers, for example 7K3M-Q9XZ. Upper or lower case, with or without "
            "the dash."),
        render_kw={"autofocus": True, "spellcheck": "false", "autocapitalize": "characters"})

