"""Forms for posting and for editing one's profile."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from microblog.auth.forms import strip, username_validators
from microblog.models import BODY_MAX_LENGTH, User

ABOUT_ME_MAX_LENGTH = 140


class PostForm(FlaskForm):
    post = TextAreaField(
        _l("Say something"),
        validators=[
            DataRequired(message=_l("Write something before posting.")),
            Length(max=BODY_MAX_LENGTH, message=_l("A post has at most %(max)d characters.")),
        ],
        filters=[strip],
    )


class EditProfileForm(FlaskForm):
    username = StringField(_l("Username"), validators=username_validators(), filters=[strip])
    about_me = TextAreaField(
        _l("About me"),
        validators=[
            Length(max=ABOUT_ME_MAX_LENGTH, message=_l("About me has at most %(max)d characters."))
        ],
        filters=[strip],
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_username(self, field: StringField) -> None:
        if User.username_taken(field.data, except_user=self.user):
            raise ValidationError(_l("This username is taken. Please choose another one."))
