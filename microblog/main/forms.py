"""Forms for posting, editing one's profile and writing a private message."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from microblog.auth.forms import strip, username_validators
from microblog.i18n.forms import language_choices, timezone_choices
from microblog.locales import is_timezone
from microblog.models import User
from microblog.models.limits import ABOUT_ME_MAX_LENGTH, BODY_MAX_LENGTH, MESSAGE_MAX_LENGTH
from microblog.text import ABOUT_ME_MAX_LINES, POST_MAX_LINES, LineLimit, UserText, clean_text
from templates.languages import theme_choices


def post_text_field(label: str) -> TextAreaField:
    """The text of a post, with the rules for posts: the composer's and the edit form's."""
    return TextAreaField(
        label,
        validators=[
            DataRequired(message=_l("Write something before posting.")),
            Length(max=BODY_MAX_LENGTH, message=_l("A post has at most %(max)d characters.")),
            LineLimit(POST_MAX_LINES),
            UserText(),
        ],
        filters=[clean_text],
    )


class PostForm(FlaskForm):
    post = post_text_field(_l("Say something"))


class EditProfileForm(FlaskForm):
    username = StringField(_l("Username"), validators=username_validators(), filters=[strip])
    about_me = TextAreaField(
        _l("About me"),
        validators=[
            Length(max=ABOUT_ME_MAX_LENGTH, message=_l("About me has at most %(max)d characters.")),
            LineLimit(ABOUT_ME_MAX_LINES),
            UserText(),
        ],
        filters=[clean_text],
    )
    # Empty means automatic: the browser's language, the browser's timezone.
    language = SelectField(
        _l("Language"), invalid_choice_message=_l("Choose a language from the list.")
    )
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    theme = SelectField(_l("Theme"), invalid_choice_message=_l("Choose a theme from the list."))
    avatar = SelectField(_l("Avatar"), invalid_choice_message=_l("Choose an avatar from the list."))

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        # The saved preferences are the starting values, kept when a request omits them.
        kwargs.setdefault("language", user.language or "")
        kwargs.setdefault("timezone", user.timezone or "")
        kwargs.setdefault("theme", user.theme or "")
        kwargs.setdefault("avatar", user.avatar or "")
        super().__init__(*args, **kwargs)
        self.user = user
        self.language.choices = [
            SelectChoice("", _("Automatic (your browser's language)")),
            *language_choices(),
        ]
        self.timezone.choices = [
            SelectChoice("", _("Automatic (your browser's time zone)")),
            *timezone_choices(),
        ]
        self.theme.choices = theme_choices()
        self.avatar.choices = [
            SelectChoice("", _("As the site does")),
            SelectChoice("local", _("A pattern drawn by this site")),
            SelectChoice("gravatar", _("Gravatar (the picture of your email address)")),
        ]
        if user.timezone and user.timezone not in {c.value for c in self.timezone.choices}:
            # A valid alias saved earlier (e.g. "US/Pacific") stays selectable.
            self.timezone.choices.insert(1, SelectChoice(user.timezone, user.timezone))

    def validate_username(self, field: StringField) -> None:
        if User.username_taken(field.data, except_user=self.user):
            raise ValidationError(_l("This username is taken. Please choose another one."))

    def validate_timezone(self, field: SelectField) -> None:
        # Any IANA name is accepted (the list shows the usual ones, not every alias).
        if field.data and not is_timezone(field.data):
            raise ValidationError(_l("Choose a time zone from the list."))


class MessageForm(FlaskForm):
    message = TextAreaField(
        _l("Message"),
        validators=[
            DataRequired(message=_l("Write a message before sending it.")),
            Length(max=MESSAGE_MAX_LENGTH, message=_l("A message has at most %(max)d characters.")),
            # As tall as a post at most.
            LineLimit(POST_MAX_LINES),
            UserText(),
        ],
        filters=[clean_text],
    )
