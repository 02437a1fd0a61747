"""The theme picker's form."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField

from templates.languages import theme_choices


class ThemeForm(FlaskForm):
    """A theme ("" for the system's setting), and the page to go back to."""

    theme = SelectField(_l("Theme"), invalid_choice_message=_l("Choose a theme from the list."))
    next = HiddenField()

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.theme.choices = theme_choices()
