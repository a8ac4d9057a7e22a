"""The staff sign-in and look-up forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[InputRequired("Enter your username")],
                           render_kw={"autocapitalize": "none", "spellcheck": "false"})
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


class CodeForm(FlaskForm):
    code = StringField("6-digit code from your authenticator app",
                       validators=[InputRequired("Enter the 6-digit code")],
                       render_kw={"autofocus": True, "spellcheck": "false"})


class LookupForm(FlaskForm):
    code = StringField("Patient's reference code", validators=[InputRequired(
        "Enter the reference code")], description="8 letters and numbers, for example 7K3M-Q9XZ. "
        "Upper or lower case, with or without the dash.",
        render_kw={"autofocus": True, "spellcheck": "false", "autocapitalize": "characters"})

