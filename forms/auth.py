"""Forms for logging in and changing one's password."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from services.accounts import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username."))],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("The password must be at least %(min)d characters long. Several "
                           "words make a long password that is easy to remember."),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
        description=_l("At least %(min)d characters, not a common password, not containing "
                       "your username.", min=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(_l("Enter the new password again.")),
            EqualTo("new_password", message=_l("The two new passwords differ; type them again.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class CodeForm(FlaskForm):
    """A six-digit code from the authenticator app (the second login factor)."""

    code = StringField(
        _l("Code from the authenticator app"),
        validators=[DataRequired(_l("Type the six-digit code your authenticator app shows."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                   "autofocus": True, "maxlength": 9},
        description=_l("Six digits; a new code every 30 seconds."),
    )
