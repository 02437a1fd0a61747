"""Account forms, validated on the server with messages shown next to each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, PasswordField, StringField
from wtforms.fields import EmailField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp, ValidationError

from microblog.models import User
from microblog.models.limits import (
    EMAIL_MAX_LENGTH,
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    USERNAME_MAX_LENGTH,
    USERNAME_MIN_LENGTH,
    USERNAME_PATTERN,
)
from microblog.passwords import password_problem
from microblog.text import Username, clean_line

# Leading and trailing spaces are never meant (a pasted name, a phone keyboard).
strip = clean_line


def username_validators() -> list:
    """The rules a username follows, at registration and when it is changed."""
    return [
        DataRequired(message=_l("Please choose a username.")),
        Length(
            min=USERNAME_MIN_LENGTH,
            max=USERNAME_MAX_LENGTH,
            message=_l("A username has %(min)d to %(max)d characters."),
        ),
        Regexp(
            USERNAME_PATTERN,
            message=_l("Use only letters, digits, dots, dashes and underscores."),
        ),
        Username(),
    ]


def email_validators() -> list:
    """The rules an email address follows wherever one is typed."""
    return [
        DataRequired(message=_l("Please enter your email address.")),
        Length(
            max=EMAIL_MAX_LENGTH, message=_l("An email address has at most %(max)d characters.")
        ),
        Email(message=_l("This does not look like an email address."), check_deliverability=False),
    ]


class PasswordPolicy:
    """WTForms validator: the password rules of microblog.passwords, checked against the
    username and email address typed in the same form (registration) or else those of the
    form's `account` (a reset, a change). Lengths are the Length validator's to report."""

    field_flags: dict[str, bool] = {}

    def __call__(self, form: Form, field: PasswordField) -> None:
        password = field.data
        if not isinstance(password, str):
            return
        if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
            return
        account = getattr(form, "account", None)
        username = form.username.data if "username" in form else getattr(account, "username", None)
        email = form.email.data if "email" in form else getattr(account, "email", None)
        problem = password_problem(password, username=username, email=email)
        if problem:
            raise ValidationError(problem)


class NewPasswordForm(FlaskForm):
    """A form that sets the password of `account` (None: the account the form creates)."""

    def __init__(self, *args: object, account: User | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.account = account


def password_fields() -> tuple[PasswordField, PasswordField]:
    """A new password and its confirmation, with the same rules everywhere."""
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Please choose a password.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=_l("A password has %(min)d to %(max)d characters."),
            ),
            PasswordPolicy(),
        ],
    )
    password2 = PasswordField(
        _l("Repeat password"),
        validators=[
            DataRequired(message=_l("Please repeat the password.")),
            EqualTo("password", message=_l("The two passwords do not match.")),
        ],
    )
    return password, password2


class LoginForm(FlaskForm):
    # Named `username` as in the tutorial (its clients post that field); an email works too.
    username = StringField(
        _l("Username or email"),
        validators=[DataRequired(message=_l("Please enter your username or email address."))],
        filters=[strip],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Please enter your password."))]
    )
    remember_me = BooleanField(_l("Remember me"))


class RegistrationForm(NewPasswordForm):
    username = StringField(_l("Username"), validators=username_validators(), filters=[strip])
    email = EmailField(_l("Email"), filters=[strip], validators=email_validators())
    password, password2 = password_fields()

    def validate_username(self, field: StringField) -> None:
        if User.username_taken(field.data):
            raise ValidationError(_l("This username is taken. Please choose another one."))

    def validate_email(self, field: EmailField) -> None:
        if User.email_taken(field.data):
            raise ValidationError(_l("An account with this email address already exists."))


class ResetPasswordRequestForm(FlaskForm):
    email = EmailField(_l("Email"), filters=[strip], validators=email_validators())


class ResetPasswordForm(NewPasswordForm):
    password, password2 = password_fields()


def current_password_field() -> PasswordField:
    """The password a logged-in user types again to prove it is them."""
    return PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Please enter your current password."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = current_password_field()
    password, password2 = password_fields()


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email address"), filters=[strip], validators=email_validators())
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Please enter your password."))]
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Password"), validators=[DataRequired(message=_l("Please enter your password."))]
    )
